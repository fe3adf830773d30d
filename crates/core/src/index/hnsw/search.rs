//! Searching the graph: the paper's SEARCH-LAYER (Algorithm 2), the greedy descent
//! through the upper layers and K-NN-SEARCH (Algorithm 5), with reusable scratch.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use super::graph::Graph;
use crate::bitset::Bitset;
use crate::index::VectorView;
use crate::metric::Metric;
use crate::topk::Neighbour;

/// A row and its distance to the query, ordered by distance (then row, so that ties
/// are deterministic).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Scored {
    pub distance: f32,
    pub row: u32,
}

impl Eq for Scored {}
impl PartialOrd for Scored {
    #[inline]
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Scored {
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        self.distance
            .total_cmp(&other.distance)
            .then(self.row.cmp(&other.row))
    }
}

/// The vectors a graph walks on: distances from a prepared query to stored rows.
/// [`FloatSpace`] is the segment's float vectors; the quantised spaces of
/// `crate::index::quant` store codes. Build and search are generic over it, so
/// the float path compiles to what it was.
pub(crate) trait Space: Copy + Send + Sync {
    /// A query prepared for this space (the float vector; SQ8's weights).
    type Query: ?Sized + Sync;
    /// A stored row as a query (the build's new node, a list's owner).
    type RowQuery<'q>: std::ops::Deref<Target = Self::Query>
    where
        Self: 'q;
    /// Row `row` as a query.
    fn row_query(&self, row: u32) -> Self::RowQuery<'_>;
    /// Distance from `q` to row `row`.
    fn to(&self, q: &Self::Query, row: u32) -> f32;
    /// [`Space::to`] for four rows at once (each with the bits of one alone).
    fn distance4(&self, q: &Self::Query, rows: [u32; 4]) -> [f32; 4];
}

/// The vectors a graph links and the metric comparing them.
#[derive(Clone, Copy)]
pub(crate) struct FloatSpace<'a> {
    pub vectors: VectorView<'a>,
    pub metric: Metric,
}

impl Space for FloatSpace<'_> {
    type Query = [f32];
    type RowQuery<'q>
        = &'q [f32]
    where
        Self: 'q;

    #[inline(always)]
    fn row_query(&self, row: u32) -> &[f32] {
        self.vectors.get(row as usize)
    }

    #[inline(always)]
    fn to(&self, q: &[f32], row: u32) -> f32 {
        self.metric.distance(q, self.vectors.get(row as usize))
    }

    #[inline(always)]
    fn distance4(&self, q: &[f32], rows: [u32; 4]) -> [f32; 4] {
        let row = |r: u32| self.vectors.get(r as usize);
        self.metric
            .distance4(q, [row(rows[0]), row(rows[1]), row(rows[2]), row(rows[3])])
    }
}

/// The paper's visited set `v`: one stamp per row, a row is visited when its stamp
/// equals the current epoch. Starting a new search bumps the epoch instead of
/// clearing the array.
#[derive(Debug, Clone, Default)]
pub(crate) struct Visited {
    stamps: Vec<u32>,
    epoch: u32,
}

impl Visited {
    /// Forgets every row and makes room for `rows` rows.
    #[inline]
    pub fn clear(&mut self, rows: usize) {
        if self.stamps.len() < rows {
            self.stamps.resize(rows, 0);
        }
        self.epoch = self.epoch.wrapping_add(1);
        if self.epoch == 0 {
            self.stamps.fill(0);
            self.epoch = 1;
        }
    }

    /// Marks `row`; returns whether it was not visited yet.
    #[inline]
    pub fn insert(&mut self, row: u32) -> bool {
        let stamp = &mut self.stamps[row as usize];
        let fresh = *stamp != self.epoch;
        *stamp = self.epoch;
        fresh
    }
}

/// Reusable scratch state of one search, named after the paper: the visited set
/// `v`, the candidate min-heap `C` and the dynamic result max-heap `W`. Keep one per
/// thread and pass it to [`super::Hnsw::search_with`] to search without allocating.
#[derive(Debug, Clone, Default)]
pub struct Search {
    /// `v`: rows whose distance was computed during this search.
    pub(crate) visited: Visited,
    /// `C`: candidates still to expand, nearest on top.
    pub(crate) candidates: BinaryHeap<Reverse<Scored>>,
    /// `W`: the `ef` nearest (allowed) rows found so far, furthest on top.
    pub(crate) results: BinaryHeap<Scored>,
    /// The unvisited neighbours of the node being expanded.
    fresh: Vec<u32>,
}

impl Search {
    pub fn new() -> Self {
        Self::default()
    }
}

/// Watches a search (the teaching trace); the unit type watches nothing, and
/// monomorphisation removes its calls.
pub(crate) trait Observer {
    /// The search moves to `layer`.
    fn enter_layer(&mut self, _layer: usize) {}
    /// A distance computation.
    fn computed(&mut self, _row: u32, _distance: f32) {}
    /// The search moves to (greedy layers) or expands (SEARCH-LAYER) `row`.
    fn step(&mut self, _row: u32, _distance: f32) {}
}

impl Observer for () {}

/// SEARCH-LAYER with `ef = 1` as a plain greedy walk: move to the closest neighbour
/// while it improves on the current node.
#[inline]
pub(crate) fn greedy<S: Space, O: Observer>(
    graph: &Graph,
    space: S,
    q: &S::Query,
    mut current: Scored,
    layer: usize,
    obs: &mut O,
) -> Scored {
    obs.step(current.row, current.distance);
    loop {
        let mut moved = false;
        let mut best = current;
        distances(
            space,
            q,
            graph.neighbours(current.row, layer),
            |e, distance| {
                obs.computed(e, distance);
                if distance < best.distance {
                    best = Scored { distance, row: e };
                    moved = true;
                }
            },
        );
        current = best;
        if !moved {
            return current;
        }
        obs.step(current.row, current.distance);
    }
}

/// SEARCH-LAYER (Algorithm 2) from `seeds` (rows with their distances) on `layer`,
/// keeping the `ef` nearest rows in `s.results`. Rows outside `allowed` are
/// traversed (they still guide the search) but never enter the results; while the
/// results are not full of allowed rows the search keeps going, so it ends at the
/// latest when the connected part of the layer is exhausted.
#[allow(clippy::too_many_arguments)]
pub(crate) fn search_layer<S: Space, O: Observer>(
    graph: &Graph,
    space: S,
    q: &S::Query,
    seeds: &[Scored],
    ef: usize,
    layer: usize,
    allowed: Option<&Bitset>,
    s: &mut Search,
    obs: &mut O,
) {
    let is_allowed = |row: u32| allowed.is_none_or(|b| b.contains(row as usize));
    s.visited.clear(graph.rows());
    s.candidates.clear();
    s.results.clear();
    for &seed in seeds {
        if s.visited.insert(seed.row) {
            s.candidates.push(Reverse(seed));
            if is_allowed(seed.row) {
                s.results.push(seed);
                if s.results.len() > ef {
                    s.results.pop();
                }
            }
        }
    }
    while let Some(Reverse(c)) = s.candidates.pop() {
        let furthest = s.results.peek().map_or(f32::INFINITY, |f| f.distance);
        if c.distance > furthest && (s.results.len() >= ef || allowed.is_none()) {
            break;
        }
        obs.step(c.row, c.distance);
        s.fresh.clear();
        for &e in graph.neighbours(c.row, layer) {
            if s.visited.insert(e) {
                s.fresh.push(e);
            }
        }
        // The candidate expanded next is most often the current top: load its list
        // while the distances below are computed.
        if layer == 0
            && let Some(Reverse(next)) = s.candidates.peek()
        {
            graph.prefetch_layer0(next.row);
        }
        let fresh = std::mem::take(&mut s.fresh);
        distances(space, q, &fresh, |e, distance| {
            obs.computed(e, distance);
            let full = s.results.len() >= ef;
            if !full || distance < s.results.peek().map_or(f32::INFINITY, |f| f.distance) {
                let scored = Scored { distance, row: e };
                s.candidates.push(Reverse(scored));
                if is_allowed(e) {
                    s.results.push(scored);
                    if full {
                        s.results.pop();
                    }
                }
            }
        });
        s.fresh = fresh;
    }
}

/// Distances from `q` to `rows`, handed to `apply` one by one in order. Four rows
/// at a time (the query is loaded once for four rows and four rows stream
/// together, as faiss's `distances_batch_4`); a last group of two or three rows is
/// padded with copies of its last row (already in cache; where the four-row kernel
/// is four one-row calls, scalar and NEON, that wastes one or two), a single row
/// takes the one-row kernel.
///
/// Search is memory-bound once the vectors outgrow the cache: a 1536-float row is
/// 6 KiB read from memory, about 1 µs of one core (a 2 GHz Xeon) four rows at a
/// time, so the time per query follows the number of distances it computes
/// (900–1,100 at ef 48–64 on 100,000 embedding-like vectors). Four rows streaming
/// together read about 1.4× faster than one at a time (hnswlib's way); eight at
/// once were no faster. No software prefetch of the rows: requesting every fresh
/// row's first line up front (hnswlib prefetches the next row's) made queries
/// 2–5 % slower on 20,000 and 100,000 × 1536 embedding-like vectors (six
/// interleaved rounds of 1,000 queries each): the hardware prefetchers following
/// the four streams do better alone. The next candidate's list is prefetched
/// (`search_layer`). Each distance has the same bits as one computed alone (the
/// kernels promise it), so the search is the paper's, step for step.
#[inline]
fn distances<S: Space>(space: S, q: &S::Query, rows: &[u32], mut apply: impl FnMut(u32, f32)) {
    for group in rows.chunks(4) {
        if let [e] = *group {
            apply(e, space.to(q, e));
            continue;
        }
        let last = group[group.len() - 1];
        let at = |i: usize| *group.get(i).unwrap_or(&last);
        let d = space.distance4(q, [at(0), at(1), at(2), at(3)]);
        for (&e, &distance) in group.iter().zip(&d) {
            apply(e, distance);
        }
    }
}

/// Moves `s.results` into `out`, nearest first.
#[inline]
pub(crate) fn drain_sorted(s: &mut Search, out: &mut Vec<Scored>) {
    out.clear();
    while let Some(x) = s.results.pop() {
        out.push(x);
    }
    out.reverse();
}

/// K-NN-SEARCH (Algorithm 5): greedy descent from the entry point to layer 1, then
/// SEARCH-LAYER with `max(ef, k)` on layer 0; the `k` nearest allowed rows found.
#[allow(clippy::too_many_arguments)]
pub(crate) fn knn<S: Space, O: Observer>(
    graph: &Graph,
    space: S,
    q: &S::Query,
    k: usize,
    ef: usize,
    allowed: Option<&Bitset>,
    s: &mut Search,
    obs: &mut O,
) -> Vec<Neighbour> {
    let Some(entry) = graph.entry_point() else {
        return Vec::new();
    };
    if k == 0 {
        return Vec::new();
    }
    let top = graph.level(entry);
    obs.enter_layer(top);
    let distance = space.to(q, entry);
    obs.computed(entry, distance);
    let mut current = Scored {
        distance,
        row: entry,
    };
    for layer in (1..=top).rev() {
        current = greedy(graph, space, q, current, layer, obs);
        obs.enter_layer(layer - 1);
    }
    search_layer(graph, space, q, &[current], ef.max(k), 0, allowed, s, obs);
    while s.results.len() > k {
        s.results.pop();
    }
    let mut out: Vec<Neighbour> = Vec::with_capacity(s.results.len());
    while let Some(x) = s.results.pop() {
        out.push(Neighbour {
            row: x.row,
            distance: x.distance,
        });
    }
    out.reverse();
    out
}
