//! Exact (brute-force) search: the ground truth every approximate index is measured
//! against, and Milvus's FLAT index.

use crate::metric::Metric;
use crate::topk::{Neighbour, TopK};

/// Scans every row of a row-major `vectors` matrix (`dim` floats per row) and returns
/// the `k` closest to `query`, closest first. Vectors must already be prepared
/// ([`Metric::prepare`]).
pub fn search(
    vectors: &[f32],
    dim: usize,
    metric: Metric,
    query: &[f32],
    k: usize,
) -> Vec<Neighbour> {
    debug_assert_eq!(query.len(), dim);
    let mut top = TopK::new(k);
    for (row, v) in vectors.chunks_exact(dim).enumerate() {
        let distance = metric.distance(query, v);
        if distance <= top.threshold() {
            top.push(Neighbour {
                row: row as u32,
                distance,
            });
        }
    }
    top.into_sorted()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_nearest_rows_for_each_metric() {
        // Four 2-d points on a line.
        let v = [0.0, 0.0, 1.0, 0.0, 2.0, 0.0, 3.0, 0.0];
        let hits = search(&v, 2, Metric::L2, &[2.2, 0.0], 2);
        assert_eq!(hits.iter().map(|n| n.row).collect::<Vec<_>>(), vec![2, 3]);
        let hits = search(&v, 2, Metric::Ip, &[1.0, 0.0], 1);
        assert_eq!(hits[0].row, 3);
        assert_eq!(Metric::Ip.score(hits[0].distance), 3.0);
    }

    #[test]
    fn k_larger_than_rows_returns_all() {
        let v = [1.0, 2.0];
        assert_eq!(search(&v, 1, Metric::L2, &[0.0], 10).len(), 2);
    }
}
