//! The fvecs / ivecs formats of the ANN benchmarks (TEXMEX), parsed from bytes:
//! every vector is a little-endian `i32` dimension followed by that many `f32`
//! (fvecs) or `i32` (ivecs) values. All vectors of a file share one dimension.

use crate::error::{Error, Result};

/// A parsed file: `rows × dim` values, row major.
#[derive(Debug, Clone, PartialEq)]
pub struct Vecs<T> {
    pub dim: usize,
    pub data: Vec<T>,
}

impl<T> Vecs<T> {
    pub fn rows(&self) -> usize {
        self.data.len().checked_div(self.dim).unwrap_or(0)
    }

    pub fn row(&self, i: usize) -> &[T] {
        &self.data[i * self.dim..(i + 1) * self.dim]
    }

    /// Byte offset of value `col` of row `row` in the file (for messages).
    pub fn offset(&self, row: usize, col: usize) -> usize {
        row * 4 * (self.dim + 1) + 4 + 4 * col
    }
}

/// Parses fvecs bytes; non-finite values are refused.
pub fn parse_fvecs(bytes: &[u8]) -> Result<Vecs<f32>> {
    let v = parse(bytes, f32::from_le_bytes)?;
    if let Some(p) = v.data.iter().position(|x| !x.is_finite()) {
        let (row, col) = (p / v.dim, p % v.dim);
        return Err(Error::MalformedVecs {
            offset: row * (4 + 4 * v.dim) + 4 + 4 * col,
            reason: format!("vector {row} has a non-finite value at position {col}"),
        });
    }
    Ok(v)
}

/// Parses ivecs bytes (ground-truth neighbour ids).
pub fn parse_ivecs(bytes: &[u8]) -> Result<Vecs<i32>> {
    parse(bytes, i32::from_le_bytes)
}

fn parse<T>(bytes: &[u8], decode: fn([u8; 4]) -> T) -> Result<Vecs<T>> {
    let bad = |offset: usize, reason: String| Error::MalformedVecs { offset, reason };
    let word = |at: usize| -> [u8; 4] { bytes[at..at + 4].try_into().expect("4 bytes") };
    if bytes.is_empty() {
        return Err(bad(0, "the file is empty".into()));
    }
    if bytes.len() < 4 {
        return Err(bad(0, "shorter than one dimension header".into()));
    }
    let dim = i32::from_le_bytes(word(0));
    if dim <= 0 || dim as usize > crate::dataset::MAX_DIM {
        return Err(bad(
            0,
            format!("dimension {dim} is not in 1..=32768 (is this an fvecs/ivecs file?)"),
        ));
    }
    let dim = dim as usize;
    let stride = 4 + 4 * dim;
    if !bytes.len().is_multiple_of(stride) {
        let whole = bytes.len() / stride;
        return Err(bad(
            whole * stride,
            format!(
                "{} bytes is not a whole number of {stride}-byte vectors of dim {dim} (truncated?)",
                bytes.len()
            ),
        ));
    }
    let rows = bytes.len() / stride;
    let mut data = Vec::with_capacity(rows * dim);
    for r in 0..rows {
        let at = r * stride;
        let d = i32::from_le_bytes(word(at));
        if d as usize != dim || d <= 0 {
            return Err(bad(
                at,
                format!("vector {r} has dimension {d}, the first has {dim}"),
            ));
        }
        data.extend((0..dim).map(|c| decode(word(at + 4 + 4 * c))));
    }
    Ok(Vecs { dim, data })
}

/// Encodes rows as fvecs bytes (for tests and for writing generated data sets).
pub fn to_fvecs(dim: usize, data: &[f32]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() / dim.max(1) * (4 + 4 * dim));
    for row in data.chunks_exact(dim) {
        out.extend_from_slice(&(dim as i32).to_le_bytes());
        row.iter()
            .for_each(|x| out.extend_from_slice(&x.to_le_bytes()));
    }
    out
}

/// Encodes rows as ivecs bytes.
pub fn to_ivecs(dim: usize, data: &[i32]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() / dim.max(1) * (4 + 4 * dim));
    for row in data.chunks_exact(dim) {
        out.extend_from_slice(&(dim as i32).to_le_bytes());
        row.iter()
            .for_each(|x| out.extend_from_slice(&x.to_le_bytes()));
    }
    out
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn round_trips() {
        let data = [1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0];
        let v = parse_fvecs(&to_fvecs(3, &data)).unwrap();
        assert_eq!((v.dim, v.rows()), (3, 2));
        assert_eq!(v.row(1), &[4.0, 5.0, 6.0]);
        let ids = parse_ivecs(&to_ivecs(2, &[7, 8, 9, 10])).unwrap();
        assert_eq!(ids.row(1), &[9, 10]);
    }

    #[test]
    fn malformed_files_say_where() {
        let good = to_fvecs(3, &[1.0; 6]);
        let err = |b: &[u8]| parse_fvecs(b).unwrap_err().to_string();
        assert!(
            err(&good[..good.len() - 2]).contains("at byte 16"),
            "{}",
            err(&good[..good.len() - 2])
        );
        assert!(err(&[]).contains("empty"));
        let mut bad_dim = good.clone();
        bad_dim[16..20].copy_from_slice(&4i32.to_le_bytes());
        assert!(err(&bad_dim).contains("vector 1 has dimension 4"));
        assert!(err(&(-1i32).to_le_bytes()).contains("dimension -1"));
        let nan = to_fvecs(2, &[1.0, f32::NAN]);
        assert!(err(&nan).contains("non-finite"));
    }
}
