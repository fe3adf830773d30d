//! Indexes of binary vectors (BINARY_VECTOR, HAMMING or JACCARD): BIN_FLAT, an
//! exact scan, and BIN_IVF_FLAT, an inverted file whose coarse quantiser is
//! trained by binary k-means (k-majority: rows assigned by Hamming distance,
//! each centroid bit the majority of its rows' bits, as faiss's
//! `IndexBinaryIVF` clusters), probed by Hamming distance and scanned with the
//! index's metric. Like the float indexes, they never own the vectors: the
//! segment passes a [`BinaryView`].

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::bitset::Bitset;
use crate::error::{Error, Result};
use crate::index::ivf::kmeans::random_prefix;
use crate::index::{AnnParams, IndexType, Progress, VectorIndex, VectorView};
use crate::kernels::binary::hamming;
use crate::metric::Metric;
use crate::topk::{Neighbour, TopK};

/// Lloyd iterations of the binary k-means (faiss's default for IVF).
const NITER: usize = 10;
/// `nprobe` of a search that gives none (Milvus's default for IVF indexes).
pub const DEFAULT_NPROBE: usize = 8;

/// A borrowed row-major matrix of binary vectors: `dim` bits a row.
#[derive(Debug, Clone, Copy)]
pub struct BinaryView<'a> {
    /// In bits (a multiple of 8).
    pub dim: usize,
    pub data: &'a [u8],
}

impl<'a> BinaryView<'a> {
    pub fn new(dim: usize, data: &'a [u8]) -> Self {
        debug_assert!(dim > 0 && dim.is_multiple_of(8) && data.len().is_multiple_of(dim / 8));
        Self { dim, data }
    }

    /// Bytes a row.
    #[inline]
    pub fn width(&self) -> usize {
        self.dim / 8
    }

    pub fn len(&self) -> usize {
        self.data.len() / self.width().max(1)
    }

    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    #[inline]
    pub fn get(&self, i: usize) -> &'a [u8] {
        let w = self.width();
        &self.data[i * w..(i + 1) * w]
    }
}

/// Exact top-k of `query` over the allowed rows of `vectors`.
pub fn exact_search_binary(
    vectors: BinaryView<'_>,
    metric: Metric,
    query: &[u8],
    k: usize,
    allowed: Option<&Bitset>,
) -> Vec<Neighbour> {
    exact_search_binary_from(vectors, metric, query, k, allowed, f32::NEG_INFINITY)
}

/// [`exact_search_binary`] among the rows at distance `floor` or farther (a
/// page of a search iterator).
pub fn exact_search_binary_from(
    vectors: BinaryView<'_>,
    metric: Metric,
    query: &[u8],
    k: usize,
    allowed: Option<&Bitset>,
    floor: f32,
) -> Vec<Neighbour> {
    let mut top = TopK::new(k);
    let mut offer = |row: usize| {
        let distance = metric.binary_distance(query, vectors.get(row));
        if distance >= floor && distance <= top.threshold() {
            top.push(Neighbour {
                row: row as u32,
                distance,
            });
        }
    };
    match allowed {
        None => (0..vectors.len()).for_each(&mut offer),
        Some(bits) => bits.iter().for_each(&mut offer),
    }
    top.into_sorted()
}

/// BIN_FLAT: exact search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BinFlat {
    metric: Metric,
    len: usize,
}

impl BinFlat {
    pub fn build(vectors: BinaryView<'_>, metric: Metric) -> Self {
        Self {
            metric,
            len: vectors.len(),
        }
    }

    pub fn search(
        &self,
        vectors: BinaryView<'_>,
        query: &[u8],
        k: usize,
        allowed: Option<&Bitset>,
    ) -> Vec<Neighbour> {
        exact_search_binary(vectors, self.metric, query, k, allowed)
    }

    fn own_bytes(&self) -> usize {
        std::mem::size_of::<Self>()
    }
}

/// BIN_IVF_FLAT: `nlist` binary centroids and the rows of each.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BinIvfFlat {
    metric: Metric,
    dim: usize,
    /// `nlist × dim/8` bytes.
    centroids: Vec<u8>,
    /// The rows of each list, ascending.
    lists: Vec<Vec<u32>>,
    len: usize,
}

impl BinIvfFlat {
    /// Trains `min(nlist, rows)` centroids with seed `seed` and fills the lists.
    pub fn build(
        vectors: BinaryView<'_>,
        metric: Metric,
        nlist: usize,
        seed: u64,
        progress: &mut dyn Progress,
    ) -> Result<Self> {
        let n = vectors.len();
        let w = vectors.width();
        let k = nlist.min(n).max(1);
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut centroids: Vec<u8> = if n == 0 {
            vec![0; w]
        } else {
            random_prefix(n, k, &mut rng)
                .into_iter()
                .flat_map(|r| vectors.get(r as usize).iter().copied())
                .collect()
        };
        let mut assign = vec![0u32; n];
        for iter in 0..NITER {
            if progress.cancelled() {
                return Err(Error::Cancelled {
                    what: "BIN_IVF_FLAT training",
                    done: iter,
                    total: NITER,
                });
            }
            let mut changed = false;
            for (row, a) in assign.iter_mut().enumerate() {
                let c = nearest_centroid(&centroids, w, vectors.get(row));
                changed |= *a != c;
                *a = c;
            }
            if iter > 0 && !changed {
                break;
            }
            // Majority bit per position; an empty list keeps its centroid.
            let mut ones = vec![0u32; k * w * 8];
            let mut sizes = vec![0u32; k];
            for (row, &c) in assign.iter().enumerate() {
                let c = c as usize;
                sizes[c] += 1;
                for (byte, &b) in vectors.get(row).iter().enumerate() {
                    for bit in 0..8 {
                        ones[(c * w + byte) * 8 + bit] += u32::from(b >> (7 - bit) & 1);
                    }
                }
            }
            for c in 0..k {
                if sizes[c] == 0 {
                    continue;
                }
                for byte in 0..w {
                    let mut v = 0u8;
                    for bit in 0..8 {
                        if 2 * ones[(c * w + byte) * 8 + bit] > sizes[c] {
                            v |= 1 << (7 - bit);
                        }
                    }
                    centroids[c * w + byte] = v;
                }
            }
            progress.report(iter + 1, NITER);
        }
        let mut lists = vec![Vec::new(); centroids.len() / w.max(1)];
        for row in 0..n {
            let c = nearest_centroid(&centroids, w, vectors.get(row));
            lists[c as usize].push(row as u32);
        }
        Ok(Self {
            metric,
            dim: vectors.dim,
            centroids,
            lists,
            len: n,
        })
    }

    pub fn nlist(&self) -> usize {
        self.lists.len()
    }

    fn own_bytes(&self) -> usize {
        self.centroids.len() + self.lists.iter().map(|l| l.len() * 4 + 24).sum::<usize>()
    }

    /// The `k` closest allowed rows among the `nprobe` lists nearest to `query`.
    pub fn search(
        &self,
        vectors: BinaryView<'_>,
        query: &[u8],
        k: usize,
        nprobe: usize,
        allowed: Option<&Bitset>,
    ) -> Vec<Neighbour> {
        let w = self.dim / 8;
        let mut order: Vec<(u32, usize)> = self
            .centroids
            .chunks_exact(w)
            .enumerate()
            .map(|(c, centroid)| (hamming(query, centroid), c))
            .collect();
        order.sort_unstable();
        let mut top = TopK::new(k);
        for &(_, c) in order.iter().take(nprobe.max(1)) {
            for &row in &self.lists[c] {
                if allowed.is_some_and(|a| !a.contains(row as usize)) {
                    continue;
                }
                let distance = self
                    .metric
                    .binary_distance(query, vectors.get(row as usize));
                if distance <= top.threshold() {
                    top.push(Neighbour { row, distance });
                }
            }
        }
        top.into_sorted()
    }
}

/// The centroid nearest to `v` by Hamming distance (the lowest on ties).
fn nearest_centroid(centroids: &[u8], w: usize, v: &[u8]) -> u32 {
    let mut best = (u32::MAX, 0u32);
    for (c, centroid) in centroids.chunks_exact(w).enumerate() {
        let d = hamming(v, centroid);
        if d < best.0 {
            best = (d, c as u32);
        }
    }
    best.1
}

/// Binary indexes answer [`VectorIndex`]'s questions about themselves; float
/// queries they refuse (a search of a binary field takes
/// [`crate::collection::Segment::binary_vectors`] and byte queries).
macro_rules! binary_vector_index {
    ($t:ty, $kind:expr) => {
        impl VectorIndex for $t {
            fn index_type(&self) -> IndexType {
                $kind
            }

            fn metric(&self) -> Metric {
                self.metric
            }

            fn len(&self) -> usize {
                self.len
            }

            fn memory_bytes(&self) -> usize {
                self.own_bytes()
            }

            fn search(
                &self,
                _vectors: VectorView<'_>,
                _query: &[f32],
                _k: usize,
                _params: &AnnParams,
                _allowed: Option<&Bitset>,
            ) -> Result<Vec<Neighbour>> {
                Err(Error::QueryTypeMismatch {
                    field_type: "BinaryVector",
                    query_type: "float",
                })
            }
        }
    };
}

binary_vector_index!(BinFlat, IndexType::BinFlat);
binary_vector_index!(BinIvfFlat, IndexType::BinIvfFlat);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::NoProgress;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    /// `n` rows of 64 bits from a xorshift stream.
    fn rows(n: usize, seed: u64) -> Vec<u8> {
        let mut s = seed | 1;
        (0..n * 8)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                s as u8
            })
            .collect()
    }

    #[test]
    fn bin_ivf_flat_at_full_probe_equals_the_exact_scan() {
        let data = rows(500, 7);
        let v = BinaryView::new(64, &data);
        let queries = rows(10, 99);
        for metric in [Metric::Hamming, Metric::Jaccard] {
            let ivf = BinIvfFlat::build(v, metric, 16, 3, &mut NoProgress).unwrap();
            assert_eq!(ivf.nlist(), 16);
            assert_eq!(ivf.lists.iter().map(Vec::len).sum::<usize>(), 500);
            let flat = BinFlat::build(v, metric);
            for q in queries.chunks_exact(8) {
                let exact = flat.search(v, q, 10, None);
                let all = ivf.search(v, q, 10, 16, None);
                let d = |h: &[Neighbour]| h.iter().map(|n| n.distance).collect::<Vec<_>>();
                assert_eq!(d(&all), d(&exact), "{metric}");
                let some = ivf.search(v, q, 10, 2, None);
                assert!(some.len() <= 10);
                assert!(some.windows(2).all(|w| w[0].distance <= w[1].distance));
            }
        }
        let again = BinIvfFlat::build(v, Metric::Hamming, 16, 3, &mut NoProgress).unwrap();
        let first = BinIvfFlat::build(v, Metric::Hamming, 16, 3, &mut NoProgress).unwrap();
        assert_eq!(again, first, "a seed gives one index");
    }

    #[test]
    fn the_filter_is_checked_inside_the_scan() {
        let data = rows(100, 5);
        let v = BinaryView::new(64, &data);
        let allowed = Bitset::from_fn(100, |r| r % 3 == 0);
        let q = v.get(4).to_vec();
        let flat = BinFlat::build(v, Metric::Hamming);
        let hits = flat.search(v, &q, 5, Some(&allowed));
        assert!(hits.iter().all(|n| n.row % 3 == 0));
        let unfiltered = flat.search(v, &q, 1, None);
        assert_eq!((unfiltered[0].row, unfiltered[0].distance), (4, 0.0));
        let ivf = BinIvfFlat::build(v, Metric::Hamming, 4, 1, &mut NoProgress).unwrap();
        assert!(
            ivf.search(v, &q, 5, 4, Some(&allowed))
                .iter()
                .all(|n| n.row % 3 == 0)
        );
    }
}
