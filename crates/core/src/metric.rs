//! Distance metrics. The metric owns "which way is closer" and normalisation: the
//! rest of the engine works with a *distance* (smaller is closer) and only converts
//! to Milvus's *score* at the edge.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::kernels;

/// The metrics Milvus offers: for float vectors (L2, IP, COSINE) and for
/// binary vectors (HAMMING, JACCARD).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Metric {
    /// Squared Euclidean distance; Milvus reports it as is, ascending.
    L2,
    /// Inner product; Milvus reports it as a similarity, descending.
    Ip,
    /// Cosine similarity; vectors are normalised once at insert, then it is an inner
    /// product. Milvus reports it as a similarity, descending.
    Cosine,
    /// Binary vectors: bits that differ; a distance, ascending.
    Hamming,
    /// Binary vectors: `1 − |a ∧ b| / |a ∨ b|`; a distance, ascending.
    Jaccard,
}

impl Metric {
    /// Milvus's name for the metric.
    pub fn name(self) -> &'static str {
        match self {
            Metric::L2 => "L2",
            Metric::Ip => "IP",
            Metric::Cosine => "COSINE",
            Metric::Hamming => "HAMMING",
            Metric::Jaccard => "JACCARD",
        }
    }

    /// Whether stored and query vectors are normalised to unit length first.
    pub fn normalises(self) -> bool {
        matches!(self, Metric::Cosine)
    }

    /// Whether a larger Milvus score means closer (similarities) or farther
    /// (L2, HAMMING, JACCARD).
    pub fn higher_is_closer(self) -> bool {
        matches!(self, Metric::Ip | Metric::Cosine)
    }

    /// Whether the metric compares binary vectors.
    pub fn is_binary(self) -> bool {
        matches!(self, Metric::Hamming | Metric::Jaccard)
    }

    /// The internal distance between two binary vectors (HAMMING, JACCARD):
    /// smaller is closer.
    #[inline]
    pub fn binary_distance(self, a: &[u8], b: &[u8]) -> f32 {
        match self {
            Metric::Jaccard => kernels::binary::jaccard(a, b),
            _ => kernels::binary::hamming(a, b) as f32,
        }
    }

    /// The internal distance between two prepared vectors: smaller is closer.
    #[inline]
    pub fn distance(self, a: &[f32], b: &[f32]) -> f32 {
        match self {
            Metric::Ip | Metric::Cosine => -kernels::dot(a, b),
            // Float vectors never carry a binary metric (index validation).
            Metric::L2 | Metric::Hamming | Metric::Jaccard => kernels::l2_squared(a, b),
        }
    }

    /// [`Metric::distance`] from `q` to four rows at once (the interleaved kernels).
    #[inline]
    pub fn distance4(self, q: &[f32], rows: [&[f32]; 4]) -> [f32; 4] {
        match self {
            Metric::Ip | Metric::Cosine => kernels::dot4(q, rows).map(|d| -d),
            Metric::L2 | Metric::Hamming | Metric::Jaccard => kernels::l2_squared4(q, rows),
        }
    }

    /// Converts an internal distance to the score Milvus would report.
    #[inline]
    pub fn score(self, distance: f32) -> f32 {
        if self.higher_is_closer() {
            -distance
        } else {
            distance
        }
    }

    /// Checks a vector and, for COSINE, normalises it in place. `row` only labels errors.
    pub fn prepare(self, row: usize, v: &mut [f32]) -> Result<()> {
        if let Some(position) = v.iter().position(|x| !x.is_finite()) {
            return Err(Error::NonFiniteValue { row, position });
        }
        if self.normalises() {
            // The scalar kernel, so that a vector normalises to the same bits on
            // every target (the browser and the CLI must agree on the data).
            let norm = kernels::scalar::dot(v, v).sqrt();
            if norm == 0.0 {
                return Err(Error::ZeroVector { row });
            }
            let inv = 1.0 / norm;
            v.iter_mut().for_each(|x| *x *= inv);
        }
        Ok(())
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The metrics Milvus lists for float vectors.
pub const FLOAT_METRICS: &str = "L2 IP COSINE";
/// The metrics Milvus 2.3.5 lists for BIN_FLAT and BIN_IVF_FLAT (annlab has
/// the first two).
pub const BINARY_METRICS: &str = "HAMMING JACCARD SUBSTRUCTURE SUPERSTRUCTURE";

impl FromStr for Metric {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_uppercase().as_str() {
            "L2" => Ok(Metric::L2),
            "IP" => Ok(Metric::Ip),
            "COSINE" => Ok(Metric::Cosine),
            "HAMMING" => Ok(Metric::Hamming),
            "JACCARD" => Ok(Metric::Jaccard),
            _ => Err(Error::UnknownMetric {
                name: s.to_owned(),
                supported: FLOAT_METRICS,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn names_round_trip() {
        for m in [Metric::L2, Metric::Ip, Metric::Cosine] {
            assert_eq!(m.name().parse::<Metric>().unwrap(), m);
        }
        assert_eq!("cosine".parse::<Metric>().unwrap(), Metric::Cosine);
        assert_eq!("hamming".parse::<Metric>().unwrap(), Metric::Hamming);
        assert!(matches!(
            "SUBSTRUCTURE".parse::<Metric>(),
            Err(Error::UnknownMetric { .. })
        ));
    }

    #[test]
    fn scores_follow_milvus_direction() {
        let a = [1.0, 0.0];
        let b = [0.6, 0.8];
        assert!((Metric::Cosine.score(Metric::Cosine.distance(&a, &b)) - 0.6).abs() < 1e-6);
        let l2 = Metric::L2.score(Metric::L2.distance(&a, &b));
        assert!((l2 - (0.16 + 0.64)).abs() < 1e-6);
        assert!(Metric::Cosine.higher_is_closer());
        assert!(!Metric::L2.higher_is_closer());
        let (a, b) = ([0b1110_0000u8], [0b1100_0001u8]);
        assert_eq!(Metric::Hamming.binary_distance(&a, &b), 2.0);
        assert_eq!(Metric::Jaccard.binary_distance(&a, &b), 0.5);
        assert!(!Metric::Jaccard.higher_is_closer());
        assert_eq!(Metric::Hamming.score(3.0), 3.0);
    }

    #[test]
    fn prepare_normalises_cosine_and_rejects_bad_vectors() {
        let mut v = [3.0, 4.0];
        Metric::Cosine.prepare(0, &mut v).unwrap();
        assert!((v[0] - 0.6).abs() < 1e-6 && (v[1] - 0.8).abs() < 1e-6);
        let mut raw = [3.0, 4.0];
        Metric::L2.prepare(0, &mut raw).unwrap();
        assert_eq!(raw, [3.0, 4.0]);
        assert_eq!(
            Metric::Cosine.prepare(7, &mut [0.0, 0.0]),
            Err(Error::ZeroVector { row: 7 })
        );
        assert_eq!(
            Metric::Ip.prepare(2, &mut [1.0, f32::NAN]),
            Err(Error::NonFiniteValue {
                row: 2,
                position: 1
            })
        );
    }
}
