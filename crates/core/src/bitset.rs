//! A fixed-length set of rows: the result of a filter expression over a segment, the
//! deleted rows of a segment, and the "allowed" mask checked inside index traversal.

/// Fixed-length bit set over rows `0..len`.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Bitset {
    words: Vec<u64>,
    len: usize,
}

impl Bitset {
    /// All rows unset.
    pub fn new(len: usize) -> Self {
        Self {
            words: vec![0; len.div_ceil(64)],
            len,
        }
    }

    /// All rows set.
    pub fn full(len: usize) -> Self {
        let mut b = Self {
            words: vec![u64::MAX; len.div_ceil(64)],
            len,
        };
        b.clear_tail();
        b
    }

    /// Rows for which `f(row)` holds.
    pub fn from_fn(len: usize, mut f: impl FnMut(usize) -> bool) -> Self {
        let mut b = Self::new(len);
        for i in 0..len {
            if f(i) {
                b.set(i);
            }
        }
        b
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    #[inline]
    pub fn contains(&self, row: usize) -> bool {
        debug_assert!(row < self.len);
        self.words[row / 64] >> (row % 64) & 1 == 1
    }

    #[inline]
    pub fn set(&mut self, row: usize) {
        debug_assert!(row < self.len);
        self.words[row / 64] |= 1 << (row % 64);
    }

    #[inline]
    pub fn unset(&mut self, row: usize) {
        debug_assert!(row < self.len);
        self.words[row / 64] &= !(1 << (row % 64));
    }

    /// Number of rows set.
    pub fn count(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// Grows (new rows unset) or shrinks the set.
    pub fn resize(&mut self, len: usize) {
        self.words.resize(len.div_ceil(64), 0);
        self.len = len;
        self.clear_tail();
    }

    /// `self &= other` (equal lengths).
    pub fn and_with(&mut self, other: &Bitset) {
        debug_assert_eq!(self.len, other.len);
        self.words
            .iter_mut()
            .zip(&other.words)
            .for_each(|(a, b)| *a &= b);
    }

    /// `self |= other` (equal lengths).
    pub fn or_with(&mut self, other: &Bitset) {
        debug_assert_eq!(self.len, other.len);
        self.words
            .iter_mut()
            .zip(&other.words)
            .for_each(|(a, b)| *a |= b);
    }

    /// `self &= !other` (equal lengths): removes `other`'s rows.
    pub fn and_not_with(&mut self, other: &Bitset) {
        debug_assert_eq!(self.len, other.len);
        self.words
            .iter_mut()
            .zip(&other.words)
            .for_each(|(a, b)| *a &= !b);
    }

    /// Complement within `0..len`.
    pub fn negate(&mut self) {
        self.words.iter_mut().for_each(|w| *w = !*w);
        self.clear_tail();
    }

    /// The set rows, ascending.
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.words.iter().enumerate().flat_map(|(wi, &w)| {
            let mut w = w;
            std::iter::from_fn(move || {
                if w == 0 {
                    return None;
                }
                let bit = w.trailing_zeros() as usize;
                w &= w - 1;
                Some(wi * 64 + bit)
            })
        })
    }

    /// The raw words (for serialisation).
    pub fn words(&self) -> &[u64] {
        &self.words
    }

    /// Rebuilds from raw words; bits past `len` are cleared.
    pub fn from_words(words: Vec<u64>, len: usize) -> Self {
        let mut b = Self { words, len };
        b.words.resize(len.div_ceil(64), 0);
        b.clear_tail();
        b
    }

    fn clear_tail(&mut self) {
        let rem = self.len % 64;
        if rem != 0
            && let Some(last) = self.words.last_mut()
        {
            *last &= (1u64 << rem) - 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn set_ops_and_iteration() {
        let mut a = Bitset::from_fn(130, |i| i % 3 == 0);
        assert_eq!(a.count(), 44);
        let b = Bitset::from_fn(130, |i| i % 2 == 0);
        let mut and = a.clone();
        and.and_with(&b);
        assert!(and.iter().all(|i| i % 6 == 0));
        assert_eq!(and.count(), 22);
        a.negate();
        assert_eq!(a.count(), 130 - 44);
        assert!(!a.contains(129));
        assert!(a.contains(128));
        let full = Bitset::full(70);
        assert_eq!(full.count(), 70);
        assert_eq!(full.iter().last(), Some(69));
        let mut r = full.clone();
        r.resize(100);
        assert_eq!(r.count(), 70);
        r.and_not_with(&Bitset::full(100));
        assert_eq!(r.count(), 0);
    }
}
