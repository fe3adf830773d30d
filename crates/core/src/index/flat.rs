//! FLAT: no structure, exact search by scanning every allowed row.

use crate::bitset::Bitset;
use crate::error::Result;
use crate::index::{AnnParams, IndexType, VectorIndex, VectorView};
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

/// Exact top-k over the allowed rows of `vectors`.
pub fn exact_search(
    vectors: VectorView<'_>,
    metric: Metric,
    query: &[f32],
    k: usize,
    allowed: Option<&Bitset>,
) -> Vec<Neighbour> {
    let mut top = TopK::new(k);
    let mut offer = |row: usize| {
        let distance = metric.distance(query, vectors.get(row));
        if distance <= top.threshold() {
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

    #[test]
    fn k_larger_than_rows_returns_all() {
        let v = [1.0, 2.0];
        assert_eq!(
            exact_search(VectorView::new(1, &v), Metric::L2, &[0.0], 10, None).len(),
            2
        );
    }
}
