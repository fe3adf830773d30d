//! Binary-vector kernels (BINARY_VECTOR: `dim` bits packed eight to a byte,
//! the first component in the most significant bit, as Milvus stores them):
//! HAMMING and JACCARD over 64-bit words with `count_ones` (one POPCNT each
//! where the CPU has it), the tail byte by byte.

/// Popcounts of `a & b` and `a | b` over equal-length byte strings.
#[inline]
fn counts(a: &[u8], b: &[u8]) -> (u32, u32) {
    debug_assert_eq!(a.len(), b.len());
    let (mut and, mut or) = (0u32, 0u32);
    let mut wa = a.chunks_exact(8);
    let mut wb = b.chunks_exact(8);
    for (x, y) in (&mut wa).zip(&mut wb) {
        let x = u64::from_le_bytes(x.try_into().expect("8 bytes"));
        let y = u64::from_le_bytes(y.try_into().expect("8 bytes"));
        and += (x & y).count_ones();
        or += (x | y).count_ones();
    }
    for (&x, &y) in wa.remainder().iter().zip(wb.remainder()) {
        and += (x & y).count_ones();
        or += (x | y).count_ones();
    }
    (and, or)
}

/// Number of bits where `a` and `b` differ.
#[inline]
pub fn hamming(a: &[u8], b: &[u8]) -> u32 {
    debug_assert_eq!(a.len(), b.len());
    let mut n = 0u32;
    let mut wa = a.chunks_exact(8);
    let mut wb = b.chunks_exact(8);
    for (x, y) in (&mut wa).zip(&mut wb) {
        let x = u64::from_le_bytes(x.try_into().expect("8 bytes"));
        let y = u64::from_le_bytes(y.try_into().expect("8 bytes"));
        n += (x ^ y).count_ones();
    }
    for (&x, &y) in wa.remainder().iter().zip(wb.remainder()) {
        n += (x ^ y).count_ones();
    }
    n
}

/// Jaccard distance `1 − |a ∧ b| / |a ∨ b|` (0 for two empty sets, as knowhere).
#[inline]
pub fn jaccard(a: &[u8], b: &[u8]) -> f32 {
    let (and, or) = counts(a, b);
    if or == 0 {
        0.0
    } else {
        1.0 - and as f32 / or as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    /// Bit by bit, the definition.
    fn reference(a: &[u8], b: &[u8]) -> (u32, f32) {
        let bit = |v: &[u8], i: usize| v[i / 8] >> (7 - i % 8) & 1 == 1;
        let (mut diff, mut and, mut or) = (0, 0, 0);
        for i in 0..a.len() * 8 {
            let (x, y) = (bit(a, i), bit(b, i));
            diff += (x != y) as u32;
            and += (x && y) as u32;
            or += (x || y) as u32;
        }
        let j = if or == 0 {
            0.0
        } else {
            1.0 - and as f32 / or as f32
        };
        (diff, j)
    }

    #[test]
    fn words_and_tail_agree_with_the_definition() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut byte = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        };
        for len in [1usize, 3, 8, 9, 16, 17, 64, 100] {
            for _ in 0..20 {
                let a: Vec<u8> = (0..len).map(|_| byte()).collect();
                let b: Vec<u8> = (0..len).map(|_| byte()).collect();
                let (h, j) = reference(&a, &b);
                assert_eq!(hamming(&a, &b), h, "len {len}");
                assert!((jaccard(&a, &b) - j).abs() < 1e-6, "len {len}");
            }
        }
        assert_eq!(hamming(&[0xff; 4], &[0x00; 4]), 32);
        assert_eq!(jaccard(&[0; 4], &[0; 4]), 0.0);
        assert_eq!(jaccard(&[0b1100_0000], &[0b1000_0000]), 0.5);
    }
}
