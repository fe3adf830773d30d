//! The HNSW graph's memory layout: flat adjacency arrays, no per-node allocation.
//!
//! - Layer 0 is one `Vec<u32>` with a fixed stride of `M_max0 + 1` per node: the
//!   first slot holds the neighbour count, the next `M_max0` the neighbours.
//! - Upper layers live in a second `Vec<u32>`: a node of level `L ≥ 1` owns one
//!   block of `L × (M + 1)` slots there (layer `l` at `(l - 1) × (M + 1)`), again
//!   count first; `upper_start[node]` says where its block begins.
//!
//! Every row of the matrix has a level from the start (drawn before the build, see
//! [`draw_levels`]); a row belongs to the graph once it has been inserted
//! (`inserted` rows, in row order).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// Levels are capped here. With `mL = 1/ln M` a level above this has probability
/// `M^-MAX_LEVEL`, never reached in practice, but the cap keeps the arithmetic bounded.
pub const MAX_LEVEL: u8 = 32;

/// The multi-layer proximity graph of an HNSW index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Graph {
    /// Maximum neighbours on layers ≥ 1 (the paper's `M_max`, equal to `M`).
    m_max: u32,
    /// Maximum neighbours on layer 0 (the paper's `M_max0`).
    m_max0: u32,
    /// Level of every row (the top layer it appears on).
    levels: Vec<u8>,
    /// Layer 0: `levels.len() × (M_max0 + 1)` slots, `[count, neighbours…]` per row.
    layer0: Vec<u32>,
    /// Start of each row's block in `upper` (unused, 0, for rows of level 0).
    upper_start: Vec<u32>,
    /// Layers ≥ 1: per row of level `L`, `L` lists of `M_max + 1` slots.
    upper: Vec<u32>,
    /// Rows `0..inserted` are linked into the graph.
    inserted: u32,
    /// The entry point: a row on the top layer (none while the graph is empty).
    entry_point: Option<u32>,
}

/// Draws one level per row: `⌊-ln(U) · mL⌋` with `U` uniform in `(0, 1]`, capped at
/// [`MAX_LEVEL`]. Deterministic in `seed`.
pub fn draw_levels(n: usize, ml: f64, seed: u64) -> Vec<u8> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|_| {
            let u: f64 = 1.0 - rng.random::<f64>(); // (0, 1]
            let level = (-u.ln() * ml).floor();
            if level >= MAX_LEVEL as f64 {
                MAX_LEVEL
            } else {
                level as u8
            }
        })
        .collect()
}

impl Graph {
    /// An empty graph over rows with the given `levels`.
    pub fn new(levels: Vec<u8>, m_max: usize, m_max0: usize) -> Self {
        let n = levels.len();
        let mut upper_start = vec![0u32; n];
        let mut total = 0usize;
        for (start, &level) in upper_start.iter_mut().zip(&levels) {
            *start = u32::try_from(total).expect("upper layers exceed u32 slots");
            total += level as usize * (m_max + 1);
        }
        let graph = Self {
            m_max: m_max as u32,
            m_max0: m_max0 as u32,
            levels,
            layer0: vec![0; n * (m_max0 + 1)],
            upper_start,
            upper: vec![0; total],
            inserted: 0,
            entry_point: None,
        };
        graph.advise_huge_pages();
        graph
    }

    /// Huge pages under layer 0's lists, which every search reads at random.
    pub fn advise_huge_pages(&self) {
        crate::memory::advise_huge_pages(&self.layer0);
    }

    /// Number of rows (inserted or not).
    #[inline]
    pub fn rows(&self) -> usize {
        self.levels.len()
    }

    /// Number of rows linked into the graph.
    #[inline]
    pub fn inserted(&self) -> usize {
        self.inserted as usize
    }

    pub(crate) fn set_inserted(&mut self, inserted: usize) {
        self.inserted = inserted as u32;
    }

    #[inline]
    pub fn entry_point(&self) -> Option<u32> {
        self.entry_point
    }

    pub(crate) fn set_entry_point(&mut self, row: u32) {
        self.entry_point = Some(row);
    }

    /// The top layer of the graph (the entry point's level).
    pub fn max_level(&self) -> Option<usize> {
        self.entry_point.map(|e| self.level(e))
    }

    /// The level of `row`: it appears on layers `0..=level`.
    #[inline]
    pub fn level(&self, row: u32) -> usize {
        self.levels[row as usize] as usize
    }

    /// Capacity of a neighbour list on `layer`.
    #[inline]
    pub fn capacity(&self, layer: usize) -> usize {
        if layer == 0 {
            self.m_max0 as usize
        } else {
            self.m_max as usize
        }
    }

    /// Offset of `row`'s list on `layer` (count slot first).
    #[inline]
    fn offset(&self, row: u32, layer: usize) -> usize {
        if layer == 0 {
            row as usize * (self.m_max0 as usize + 1)
        } else {
            debug_assert!(layer <= self.level(row));
            self.upper_start[row as usize] as usize + (layer - 1) * (self.m_max as usize + 1)
        }
    }

    /// The neighbours of `row` on `layer` (`layer ≤ level(row)`).
    #[inline]
    pub fn neighbours(&self, row: u32, layer: usize) -> &[u32] {
        let at = self.offset(row, layer);
        let store = if layer == 0 {
            &self.layer0
        } else {
            &self.upper
        };
        let count = store[at] as usize;
        &store[at + 1..at + 1 + count]
    }

    /// Starts loading `row`'s layer-0 list (count and first neighbours) into the
    /// cache: the search prefetches the list of the candidate it expands next.
    #[inline(always)]
    pub fn prefetch_layer0(&self, row: u32) {
        let stride = self.m_max0 as usize + 1;
        let at = row as usize * stride;
        // The list's first slots, and its next line (M_max0 = 32: 132 bytes).
        for slot in (at..at + stride).step_by(16).take(2) {
            if let Some(slot) = self.layer0.get(slot) {
                crate::kernels::prefetch(slot);
            }
        }
    }

    /// Replaces `row`'s neighbours on `layer` (at most [`Graph::capacity`]).
    #[inline]
    pub(crate) fn set_neighbours(
        &mut self,
        row: u32,
        layer: usize,
        list: impl ExactSizeIterator<Item = u32>,
    ) {
        debug_assert!(list.len() <= self.capacity(layer));
        let at = self.offset(row, layer);
        let store = if layer == 0 {
            &mut self.layer0
        } else {
            &mut self.upper
        };
        store[at] = list.len() as u32;
        for (slot, v) in store[at + 1..].iter_mut().zip(list) {
            *slot = v;
        }
    }

    /// Number of inserted rows on each layer, layer 0 first (empty for an empty graph).
    pub fn layer_sizes(&self) -> Vec<usize> {
        let mut sizes = match self.max_level() {
            Some(top) => vec![0usize; top + 1],
            None => return Vec::new(),
        };
        for &level in &self.levels[..self.inserted()] {
            sizes[..=level as usize].iter_mut().for_each(|s| *s += 1);
        }
        sizes
    }

    /// Bytes held by the graph's arrays (adjacency, levels, offsets).
    pub fn memory_bytes(&self) -> usize {
        std::mem::size_of::<Self>()
            + self.levels.len()
            + 4 * (self.layer0.len() + self.upper_start.len() + self.upper.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn levels_follow_the_geometric_law() {
        let ml = 1.0 / (16f64).ln();
        let levels = draw_levels(100_000, ml, 7);
        assert_eq!(levels, draw_levels(100_000, ml, 7));
        let at_least_1 = levels.iter().filter(|&&l| l >= 1).count() as f64;
        // P(level ≥ 1) = 1/M.
        assert!((at_least_1 / 100_000.0 - 1.0 / 16.0).abs() < 0.005);
        // M = 1 (mL = 1/ln 2 in the params) must not blow up either.
        assert!(
            draw_levels(1000, f64::INFINITY, 1)
                .iter()
                .all(|&l| l <= MAX_LEVEL)
        );
    }

    #[test]
    fn lists_live_in_their_own_slots() {
        let mut g = Graph::new(vec![0, 2, 1], 2, 4);
        g.set_neighbours(1, 0, [0u32, 2].into_iter());
        g.set_neighbours(1, 2, [2u32].into_iter());
        g.set_neighbours(1, 1, [0u32, 2].into_iter());
        g.set_neighbours(2, 1, [1u32].into_iter());
        assert_eq!(g.neighbours(1, 0), &[0, 2]);
        assert_eq!(g.neighbours(1, 1), &[0, 2]);
        assert_eq!(g.neighbours(1, 2), &[2]);
        assert_eq!(g.neighbours(2, 1), &[1]);
        assert_eq!(g.neighbours(0, 0), &[] as &[u32]);
    }
}
