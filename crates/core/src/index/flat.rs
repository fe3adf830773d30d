//! FLAT: no structure, exact search by scanning every allowed row.

use crate::bitset::Bitset;
use crate::error::Result;
use crate::index::{AnnParams, IndexType, Reach, VectorIndex, VectorView};
use crate::metric::Metric;
use crate::topk::{Neighbour, TopK};

/// Milvus's FLAT index: exact, 100 % recall, cost linear in the rows.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FlatIndex {
    metric: Metric,
    len: usize,
}

impl FlatIndex {
    pub fn build(vectors: VectorView<'_>, metric: Metric) -> Self {
        Self {
            metric,
            len: vectors.len(),
        }
    }
}

/// Exact top-k over the allowed rows of `vectors`. Rows are compared four at a
/// time ([`Metric::distance4`]): the query is loaded once for four rows and four
/// rows stream from memory together.
pub fn exact_search(
    vectors: VectorView<'_>,
    metric: Metric,
    query: &[f32],
    k: usize,
    allowed: Option<&Bitset>,
) -> Vec<Neighbour> {
    exact_search_from(vectors, metric, query, k, allowed, f32::NEG_INFINITY)
}

/// [`exact_search`] among the rows at internal distance `floor` or farther (a
/// page of a search iterator).
pub fn exact_search_from(
    vectors: VectorView<'_>,
    metric: Metric,
    query: &[f32],
    k: usize,
    allowed: Option<&Bitset>,
    floor: f32,
) -> Vec<Neighbour> {
    let mut top = TopK::new(k);
    scan(vectors, metric, query, allowed, |row, distance| {
        if distance >= floor && distance <= top.threshold() {
            top.push(Neighbour {
                row: row as u32,
                distance,
            });
        }
    });
    top.into_sorted()
}

/// Every allowed row of `vectors` closer than `radius` (an internal distance),
/// in row order: an exact range search.
pub fn exact_range(
    vectors: VectorView<'_>,
    metric: Metric,
    query: &[f32],
    radius: f32,
    allowed: Option<&Bitset>,
) -> Vec<Neighbour> {
    let mut found = Vec::new();
    scan(vectors, metric, query, allowed, |row, distance| {
        if distance < radius {
            found.push(Neighbour {
                row: row as u32,
                distance,
            });
        }
    });
    found
}

/// Offers every allowed row's distance to `offer`, in row order.
fn scan(
    vectors: VectorView<'_>,
    metric: Metric,
    query: &[f32],
    allowed: Option<&Bitset>,
    mut offer: impl FnMut(usize, f32),
) {
    for_each_group::<4>(allowed_rows(vectors.len(), allowed), |group| {
        if let [a, b, c, d] = *group {
            let rows = [
                vectors.get(a),
                vectors.get(b),
                vectors.get(c),
                vectors.get(d),
            ];
            for (&row, distance) in group.iter().zip(metric.distance4(query, rows)) {
                offer(row, distance);
            }
        } else {
            for &row in group {
                offer(row, metric.distance(query, vectors.get(row)));
            }
        }
    });
}

/// The rows a scan visits: all of them, or the allowed ones, ascending.
fn allowed_rows(n: usize, allowed: Option<&Bitset>) -> impl Iterator<Item = usize> + '_ {
    let (all, some) = match allowed {
        None => (Some(0..n), None),
        Some(bits) => (None, Some(bits.iter())),
    };
    all.into_iter().flatten().chain(some.into_iter().flatten())
}

/// Calls `f` with the rows in groups of `N` (the last one shorter).
fn for_each_group<const N: usize>(rows: impl Iterator<Item = usize>, mut f: impl FnMut(&[usize])) {
    let mut group = [0usize; N];
    let mut filled = 0;
    for row in rows {
        group[filled] = row;
        filled += 1;
        if filled == N {
            f(&group);
            filled = 0;
        }
    }
    if filled > 0 {
        f(&group[..filled]);
    }
}

/// Rows per block of the multi-query scan: the block's tile of partial inner
/// products (`nq × ROW_BLOCK` floats) stays in cache while the block's rows are
/// read from memory once for all queries.
const ROW_BLOCK: usize = 64;
/// Floats of each vector per pass over a block (2 KiB): three query chunks and four
/// row chunks of the register tile fit in L1 together.
const DIM_CHUNK: usize = 512;

/// Exact top-k of many queries in one pass over the rows: a blocked matrix
/// product (GEMM) of queries × rows with a 3 × 4 register tile
/// ([`crate::kernels::dot_3x4`]), so each row is read from memory once for all
/// queries instead of once per query. IP and COSINE only; L2 runs
/// [`exact_search`] per query. Results equal [`exact_search`]'s up to the last bits
/// of the scores (the sums are added in another order).
pub fn exact_search_batch(
    vectors: VectorView<'_>,
    metric: Metric,
    queries: &[&[f32]],
    k: usize,
    allowed: Option<&Bitset>,
) -> Vec<Vec<Neighbour>> {
    exact_search_batch_from(vectors, metric, queries, k, allowed, f32::NEG_INFINITY)
}

/// [`exact_search_batch`] among the rows at internal distance `floor` or
/// farther (a page of a search iterator).
pub fn exact_search_batch_from(
    vectors: VectorView<'_>,
    metric: Metric,
    queries: &[&[f32]],
    k: usize,
    allowed: Option<&Bitset>,
    floor: f32,
) -> Vec<Vec<Neighbour>> {
    if metric == Metric::L2 || queries.len() < 3 {
        return queries
            .iter()
            .map(|q| exact_search_from(vectors, metric, q, k, allowed, floor))
            .collect();
    }
    let nq = queries.len();
    let dim = vectors.dim;
    let mut tops: Vec<TopK> = (0..nq).map(|_| TopK::new(k)).collect();
    let mut tile = vec![0.0f32; nq * ROW_BLOCK];
    let dot_3x4 = crate::kernels::best().dot_3x4;
    let mut run_block = |rows: &[usize], tile: &mut [f32]| {
        tile.fill(0.0);
        let mut c0 = 0;
        while c0 < dim {
            let c1 = (c0 + DIM_CHUNK).min(dim);
            for (g, four) in rows.chunks(4).enumerate() {
                // A short last group repeats its last row; the extra sums are dropped.
                let pick = |t: usize| &vectors.get(four[t.min(four.len() - 1)])[c0..c1];
                let r = [pick(0), pick(1), pick(2), pick(3)];
                for i0 in (0..nq).step_by(3) {
                    let q = |t: usize| &queries[(i0 + t).min(nq - 1)][c0..c1];
                    let sums = dot_3x4([q(0), q(1), q(2)], r);
                    for (t, sums) in sums.iter().enumerate().take(nq - i0) {
                        let out = &mut tile[(i0 + t) * ROW_BLOCK + 4 * g..][..four.len()];
                        for (o, s) in out.iter_mut().zip(sums) {
                            *o += s;
                        }
                    }
                }
            }
            c0 = c1;
        }
        for (qi, top) in tops.iter_mut().enumerate() {
            for (j, &row) in rows.iter().enumerate() {
                let distance = -tile[qi * ROW_BLOCK + j];
                if distance >= floor && distance <= top.threshold() {
                    top.push(Neighbour {
                        row: row as u32,
                        distance,
                    });
                }
            }
        }
    };
    for_each_group::<ROW_BLOCK>(allowed_rows(vectors.len(), allowed), |rows| {
        run_block(rows, &mut tile)
    });
    tops.into_iter().map(TopK::into_sorted).collect()
}

impl VectorIndex for FlatIndex {
    fn index_type(&self) -> IndexType {
        IndexType::Flat
    }

    fn metric(&self) -> Metric {
        self.metric
    }

    fn len(&self) -> usize {
        self.len
    }

    fn memory_bytes(&self) -> usize {
        std::mem::size_of::<Self>()
    }

    fn search(
        &self,
        vectors: VectorView<'_>,
        query: &[f32],
        k: usize,
        _params: &AnnParams,
        allowed: Option<&Bitset>,
    ) -> Result<Vec<Neighbour>> {
        Ok(exact_search(vectors, self.metric, query, k, allowed))
    }

    fn range_search(
        &self,
        vectors: VectorView<'_>,
        query: &[f32],
        reach: &Reach,
        _params: &AnnParams,
        allowed: Option<&Bitset>,
    ) -> Result<Vec<Neighbour>> {
        Ok(exact_range(
            vectors,
            self.metric,
            query,
            reach.radius,
            allowed,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn respects_the_allowed_rows() {
        let data = [0.0, 1.0, 2.0, 3.0, 4.0];
        let v = VectorView::new(1, &data);
        let allowed = Bitset::from_fn(5, |i| i % 2 == 1);
        let hits = exact_search(v, Metric::L2, &[2.1], 2, Some(&allowed));
        assert_eq!(hits.iter().map(|n| n.row).collect::<Vec<_>>(), vec![3, 1]);
    }

    #[test]
    fn finds_the_nearest_rows_for_each_metric() {
        // Four 2-d points on a line.
        let v = [0.0, 0.0, 1.0, 0.0, 2.0, 0.0, 3.0, 0.0];
        let hits = exact_search(VectorView::new(2, &v), Metric::L2, &[2.2, 0.0], 2, None);
        assert_eq!(hits.iter().map(|n| n.row).collect::<Vec<_>>(), vec![2, 3]);
        let hits = exact_search(VectorView::new(2, &v), Metric::Ip, &[1.0, 0.0], 1, None);
        assert_eq!(hits[0].row, 3);
        assert_eq!(Metric::Ip.score(hits[0].distance), 3.0);
    }

    /// The blocked multi-query scan finds what one scan per query finds, for every
    /// remainder of queries (mod 3), rows (mod 4 and mod the block) and dimension
    /// (mod the chunk), with and without a filter.
    #[test]
    fn batch_scan_matches_one_scan_per_query() {
        let mut seed = 7u32;
        let mut next = move || {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (seed >> 8) as f32 / (1u32 << 24) as f32 - 0.5
        };
        for (n, dim, nq) in [
            (1, 3, 3),
            (67, 300, 4),
            (130, 16, 5),
            (9, 1, 7),
            (200, 263, 3),
        ] {
            let data: Vec<f32> = (0..n * dim).map(|_| next()).collect();
            let queries: Vec<Vec<f32>> = (0..nq)
                .map(|_| (0..dim).map(|_| next()).collect())
                .collect();
            let q: Vec<&[f32]> = queries.iter().map(Vec::as_slice).collect();
            let v = VectorView::new(dim, &data);
            let odd = Bitset::from_fn(n, |i| i % 3 != 1);
            for metric in [Metric::Ip, Metric::L2] {
                for allowed in [None, Some(&odd)] {
                    let batch = exact_search_batch(v, metric, &q, 10, allowed);
                    for (qi, got) in batch.iter().enumerate() {
                        let want = exact_search(v, metric, q[qi], 10, allowed);
                        let rows = |h: &[Neighbour]| h.iter().map(|x| x.row).collect::<Vec<_>>();
                        assert_eq!(rows(got), rows(&want), "n {n} dim {dim} q {qi} {metric:?}");
                        for (a, b) in got.iter().zip(&want) {
                            assert!((a.distance - b.distance).abs() < 1e-4);
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn k_larger_than_rows_returns_all() {
        let v = [1.0, 2.0];
        assert_eq!(
            exact_search(VectorView::new(1, &v), Metric::L2, &[0.0], 10, None).len(),
            2
        );
    }
}
