//! Keeping the k closest candidates seen so far.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// A candidate: a row (offset within its segment) and its internal distance
/// (smaller is closer, see [`crate::Metric::distance`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Neighbour {
    pub row: u32,
    pub distance: f32,
}

impl Neighbour {
    /// Total order: by distance, then by row so that ties are deterministic.
    #[inline]
    pub fn cmp_closeness(&self, other: &Self) -> Ordering {
        self.distance
            .total_cmp(&other.distance)
            .then(self.row.cmp(&other.row))
    }

    /// The rows of a result list, in its order (to compare lists by row, as
    /// [`crate::stats::recall_at_k`] does).
    pub fn rows(hits: &[Neighbour]) -> Vec<u32> {
        hits.iter().map(|n| n.row).collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Farthest(Neighbour);

impl Eq for Farthest {}
impl PartialOrd for Farthest {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Farthest {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.cmp_closeness(&other.0)
    }
}

/// A bounded max-heap that keeps the `k` closest neighbours offered to it.
#[derive(Debug, Clone)]
pub struct TopK {
    k: usize,
    heap: BinaryHeap<Farthest>,
}

impl TopK {
    pub fn new(k: usize) -> Self {
        Self {
            k,
            heap: BinaryHeap::with_capacity(k + 1),
        }
    }

    /// The distance a candidate must beat to enter, once the heap is full.
    #[inline]
    pub fn threshold(&self) -> f32 {
        if self.heap.len() < self.k {
            f32::INFINITY
        } else {
            self.heap.peek().map_or(f32::INFINITY, |f| f.0.distance)
        }
    }

    /// Offers a candidate; returns whether it was kept.
    #[inline]
    pub fn push(&mut self, n: Neighbour) -> bool {
        if self.k == 0 {
            return false;
        }
        if self.heap.len() < self.k {
            self.heap.push(Farthest(n));
            return true;
        }
        let worst = self.heap.peek().expect("heap is full").0;
        if n.cmp_closeness(&worst) == Ordering::Less {
            self.heap.pop();
            self.heap.push(Farthest(n));
            true
        } else {
            false
        }
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// The kept neighbours, closest first.
    pub fn into_sorted(self) -> Vec<Neighbour> {
        let mut v: Vec<Neighbour> = self.heap.into_iter().map(|f| f.0).collect();
        v.sort_by(Neighbour::cmp_closeness);
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn keeps_the_k_closest_in_order_with_deterministic_ties() {
        let mut t = TopK::new(3);
        for (row, d) in [(0, 5.0), (1, 1.0), (2, 3.0), (3, 1.0), (4, 9.0), (5, 0.5)] {
            t.push(Neighbour { row, distance: d });
        }
        let rows: Vec<u32> = t.into_sorted().iter().map(|n| n.row).collect();
        assert_eq!(rows, vec![5, 1, 3]);
    }

    #[test]
    fn threshold_is_infinite_until_full() {
        let mut t = TopK::new(2);
        assert_eq!(t.threshold(), f32::INFINITY);
        t.push(Neighbour {
            row: 0,
            distance: 2.0,
        });
        assert_eq!(t.threshold(), f32::INFINITY);
        t.push(Neighbour {
            row: 1,
            distance: 1.0,
        });
        assert_eq!(t.threshold(), 2.0);
        assert!(!TopK::new(0).push(Neighbour {
            row: 0,
            distance: 0.0
        }));
    }
}
