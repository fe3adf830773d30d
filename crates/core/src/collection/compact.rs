//! Compaction (Milvus's ManualCompaction): the small sealed segments of each
//! partition are merged into one, and deleted rows are purged on the way, so a
//! collection flushed many times in small batches ends with few segments, each
//! with its index, and deleted rows stop costing memory and search time.
//!
//! Which segments: per partition (in partition order), every sealed segment
//! smaller than half the sealing size ([`Collection::set_segment_max_rows`]) or
//! holding deleted rows. Two or more of them are merged, in segment order, into
//! new segments of at most the sealing size; a single one is rewritten only when
//! it has deleted rows. A merge that keeps no live row leaves no segment. The
//! result depends on the segments alone: compaction is deterministic.
//!
//! The merged segments have no index yet: [`Collection::compact`] builds them at
//! once; a server takes [`Collection::compact_segments`] and builds in the
//! background through [`Collection::index_jobs`], as after a flush (until then
//! the new segments are searched exactly).

use super::{Collection, Segment};
use crate::error::Result;
use crate::index::Progress;

/// One merge: the sealed segments `sources` became segment `target` (`None`
/// when none of their rows was live).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompactionPlan {
    pub partition: i64,
    pub sources: Vec<i64>,
    pub target: Option<i64>,
    /// Live rows moved into `target`.
    pub rows: usize,
    /// Deleted rows purged.
    pub purged: usize,
}

impl Collection {
    /// Compacts the sealed segments and builds the merged segments' indexes.
    pub fn compact(&mut self, progress: &mut dyn Progress) -> Result<Vec<CompactionPlan>> {
        let plans = self.compact_segments();
        self.build_missing_indexes(progress)?;
        Ok(plans)
    }

    /// Compacts the sealed segments (see the module docs) without building the
    /// merged segments' indexes.
    pub fn compact_segments(&mut self) -> Vec<CompactionPlan> {
        let small = (self.segment_max_rows / 2).max(1);
        let mut plans = Vec::new();
        let partitions: Vec<i64> = self.partitions.iter().map(|p| p.id).collect();
        for partition in partitions {
            let candidates: Vec<usize> = (0..self.sealed.len())
                .filter(|&i| {
                    let s = &self.sealed[i];
                    s.partition == partition && (s.num_rows() < small || s.deleted.count() > 0)
                })
                .collect();
            let merge = match candidates.as_slice() {
                [] => false,
                [one] => self.sealed[*one].deleted.count() > 0,
                _ => true,
            };
            if !merge {
                continue;
            }
            // Group the candidates so that no merged segment exceeds the sealing size.
            let mut groups: Vec<Vec<usize>> = vec![Vec::new()];
            let mut rows = 0;
            for &i in &candidates {
                let live = self.sealed[i].live_rows();
                let last = groups.last_mut().expect("one group");
                if !last.is_empty() && rows + live > self.segment_max_rows {
                    groups.push(vec![i]);
                    rows = live;
                } else {
                    last.push(i);
                    rows += live;
                }
            }
            let mut merged = Vec::new();
            for group in groups {
                let (segment, plan) = self.merge(partition, &group);
                plans.push(plan);
                merged.extend(segment);
            }
            let mut i = 0;
            self.sealed.retain(|_| {
                i += 1;
                !candidates.contains(&(i - 1))
            });
            self.sealed.extend(merged);
        }
        self.build_missing_scalar_indexes();
        plans
    }

    /// The live rows of sealed segments `group` (positions) as one new segment.
    fn merge(&mut self, partition: i64, group: &[usize]) -> (Option<Segment>, CompactionPlan) {
        let sources: Vec<i64> = group.iter().map(|&i| self.sealed[i].id).collect();
        let mut out = Segment::new(0, partition, &self.schema);
        let mut purged = 0;
        for &i in group {
            let s = &self.sealed[i];
            purged += s.deleted.count();
            let live: Vec<usize> = (0..s.num_rows())
                .filter(|&r| !s.deleted.contains(r))
                .collect();
            let columns: Vec<_> = s.columns.iter().map(|c| c.take(&live)).collect();
            out.append(&columns);
        }
        let rows = out.num_rows();
        let target = (rows > 0).then(|| {
            let id = self.next_segment_id;
            self.next_segment_id += 1;
            id
        });
        let plan = CompactionPlan {
            partition,
            sources,
            target,
            rows,
            purged,
        };
        (target.map(|id| Segment { id, ..out }), plan)
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use crate::collection::{Collection, IndexState, QueryRequest, QueryResult, SearchRequest};
    use crate::dataset::{DataSpec, TutorialData};
    use crate::index::spec::{IndexParams, IndexSpec};
    use crate::index::{AnnParams, NoProgress};
    use crate::metric::Metric;
    use crate::schema::CollectionSchema;

    /// 5 flushes of 40 rows, an HNSW index, some rows deleted.
    fn fragmented() -> (Collection, TutorialData) {
        let data = TutorialData::generate(
            DataSpec {
                n: 200,
                dim: 16,
                seed: 3,
                kind: Default::default(),
            },
            1_700_000_000,
        )
        .unwrap();
        let mut c = Collection::new("docs", 1, CollectionSchema::tutorial(16), 9).unwrap();
        c.set_segment_max_rows(1000);
        let spec = IndexSpec::new(
            IndexParams::Hnsw {
                m: 8,
                ef_construction: 64,
            },
            Metric::L2,
        );
        c.create_index("embedding", "", spec, &mut NoProgress)
            .unwrap();
        for start in (0..200).step_by(40) {
            c.insert(data.columns(start, start + 40)).unwrap();
            c.flush(&mut NoProgress).unwrap();
        }
        assert_eq!(c.delete("id in [0, 1, 2, 41, 199]").unwrap(), 5);
        c.load().unwrap();
        (c, data)
    }

    fn exact_ids(c: &Collection, data: &TutorialData, q: usize) -> crate::schema::Column {
        let req = SearchRequest {
            anns_field: "embedding".into(),
            data: vec![data.embedding(q).to_vec()],
            ann: AnnParams::Hnsw { ef: 200 },
            limit: 10,
            ..Default::default()
        };
        c.search_exact(&req).unwrap().ids
    }

    #[test]
    fn small_segments_merge_into_one_without_deleted_rows() {
        let (mut c, data) = fragmented();
        assert_eq!(c.sealed_segments().len(), 5);
        let before: Vec<_> = (0..5).map(|q| exact_ids(&c, &data, q * 37)).collect();
        let plans = c.compact(&mut NoProgress).unwrap();
        assert_eq!(plans.len(), 1);
        let plan = &plans[0];
        assert_eq!(plan.sources.len(), 5);
        assert_eq!((plan.rows, plan.purged), (195, 5));
        assert_eq!(c.sealed_segments().len(), 1);
        let s = &c.sealed_segments()[0];
        assert_eq!(Some(s.id), plan.target);
        assert_eq!((s.num_rows(), s.deleted.count()), (195, 0));
        assert_eq!(c.num_entities(), 195);
        assert_eq!(c.count(), 195);
        assert_eq!(c.index_state(), IndexState::Finished);
        let after: Vec<_> = (0..5).map(|q| exact_ids(&c, &data, q * 37)).collect();
        assert_eq!(before, after, "compaction changes no result");
        let q = QueryRequest {
            expr: "id in [0, 41, 42]".into(),
            output_fields: vec!["id".into()],
            ..Default::default()
        };
        match c.query(&q).unwrap() {
            QueryResult::Rows(rows) => assert_eq!(rows.num_rows(), 1),
            other => panic!("{other:?}"),
        }
        // Nothing left to do: a second compaction changes nothing.
        assert!(c.compact(&mut NoProgress).unwrap().is_empty());
    }

    #[test]
    fn compaction_is_deterministic_and_keeps_large_segments() {
        let (mut a, _) = fragmented();
        let (mut b, _) = fragmented();
        assert_eq!(
            a.compact(&mut NoProgress).unwrap(),
            b.compact(&mut NoProgress).unwrap()
        );
        assert_eq!(
            crate::persist::to_bytes(&a).unwrap(),
            crate::persist::to_bytes(&b).unwrap()
        );
        // Segments at or above half the sealing size stay as they are.
        let (mut c, _) = fragmented();
        c.set_segment_max_rows(60);
        let ids: Vec<i64> = c.sealed_segments().iter().map(|s| s.id).collect();
        let plans = c.compact_segments();
        // Only the three segments with deletions are rewritten, one at a time
        // (any two together would exceed the sealing size).
        let sources: Vec<Vec<i64>> = plans.iter().map(|p| p.sources.clone()).collect();
        assert_eq!(sources, vec![vec![ids[0]], vec![ids[1]], vec![ids[4]]]);
        assert_eq!(c.sealed_segments().len(), 5);
        assert_eq!(c.index_state(), IndexState::InProgress);
        assert_eq!(c.index_jobs().len(), 3);
    }
}
