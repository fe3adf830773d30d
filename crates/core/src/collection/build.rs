//! Index builds outside the collection: a server seals the growing segment, takes
//! an [`IndexJob`] per unindexed sealed segment (a copy of its vectors), builds it
//! without holding the collection, and installs the result. Meanwhile the segment
//! is searched exactly and `describe()` says `InProgress`, as Milvus does while its
//! index nodes work.

use super::Collection;
use crate::error::Result;
use crate::index::binary::BinaryView;
use crate::index::spec::IndexSpec;
use crate::index::{Index, Progress, VectorView};
use crate::schema::Column;

/// The build of one sealed segment's index, detached from the collection.
#[derive(Debug, Clone)]
pub struct IndexJob {
    pub segment_id: i64,
    /// The position in the schema of the vector field indexed.
    pub field: usize,
    pub spec: IndexSpec,
    pub dim: usize,
    /// The segment's float vectors (prepared for the metric, two-byte floats
    /// widened), row-major; empty for a binary field.
    pub vectors: Vec<f32>,
    /// The segment's binary vectors (`dim` bits a row); empty for a float field.
    pub binary: Vec<u8>,
    /// The same seed `Collection::flush` would use for this segment.
    pub seed: u64,
}

impl IndexJob {
    pub fn rows(&self) -> usize {
        if self.spec.params.index_type().is_binary() {
            self.binary.len() / (self.dim / 8).max(1)
        } else {
            self.vectors.len() / self.dim.max(1)
        }
    }

    /// Builds the index (long: call it without holding the collection).
    pub fn run(&self, progress: &mut dyn Progress) -> Result<Index> {
        if self.spec.params.index_type().is_binary() {
            return Index::build_binary(
                &self.spec,
                BinaryView::new(self.dim, &self.binary),
                self.seed,
                progress,
            );
        }
        Index::build(
            &self.spec,
            VectorView::new(self.dim, &self.vectors),
            self.seed,
            progress,
        )
    }
}

impl Collection {
    /// Seals the growing segments without building their indexes; false if all
    /// were empty.
    pub fn seal(&mut self) -> bool {
        self.seal_growing()
    }

    /// One job per sealed segment and defined index that the segment lacks
    /// (none without an index definition).
    pub fn index_jobs(&self) -> Vec<IndexJob> {
        let mut jobs = Vec::new();
        for def in &self.indexes {
            let Some(field) = self.vector_field_position(&def.field) else {
                continue;
            };
            for (i, s) in self.sealed.iter().enumerate() {
                if s.index(field).is_some() {
                    continue;
                }
                let column = &s.columns[field];
                let (vectors, binary) = match column {
                    Column::BinaryVector { data, .. } => (Vec::new(), data.clone()),
                    _ => (
                        s.float_rows(field, 0..s.num_rows(), def.spec.metric)
                            .into_owned(),
                        Vec::new(),
                    ),
                };
                jobs.push(IndexJob {
                    segment_id: s.id,
                    field,
                    spec: def.spec,
                    dim: s.vectors_dim(field, column),
                    vectors,
                    binary,
                    seed: self.index_seed(field, i),
                });
            }
        }
        jobs
    }

    /// Installs a finished build; false (and nothing changes) if the segment is
    /// gone, already has an index, or the index definition changed meanwhile.
    pub fn install_index(&mut self, job: &IndexJob, index: Index) -> bool {
        if self.index_def_at(job.field).map(|d| d.spec) != Some(job.spec) {
            return false;
        }
        match self.sealed.iter_mut().find(|s| s.id == job.segment_id) {
            Some(s) if s.index(job.field).is_none() && s.num_rows() == job.rows() => {
                s.indexes.insert(job.field, index);
                true
            }
            _ => false,
        }
    }
}

/// The seed of the index of a collection's `i`-th sealed segment.
pub(super) fn segment_seed(collection_seed: u64, i: usize) -> u64 {
    collection_seed ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use crate::collection::{Collection, IndexState, SearchRequest};
    use crate::dataset::{DataSpec, TutorialData};
    use crate::index::NoProgress;
    use crate::index::spec::{IndexParams, IndexSpec};
    use crate::metric::Metric;
    use crate::schema::CollectionSchema;

    fn hnsw() -> IndexSpec {
        IndexSpec::new(
            IndexParams::Hnsw {
                m: 8,
                ef_construction: 32,
            },
            Metric::Cosine,
        )
    }

    fn collection(rows: usize) -> Collection {
        let mut c = Collection::new("c", 1, CollectionSchema::tutorial(16), 3).unwrap();
        c.create_index("embedding", "", hnsw(), &mut NoProgress)
            .unwrap();
        let spec = DataSpec {
            n: rows,
            dim: 16,
            seed: 5,
            kind: Default::default(),
        };
        let data = TutorialData::generate(spec, 1_700_000_000).unwrap();
        c.insert(data.columns(0, rows)).unwrap();
        c
    }

    #[test]
    fn a_detached_build_equals_flush() {
        let mut flushed = collection(300);
        flushed.flush(&mut NoProgress).unwrap();

        let mut detached = collection(300);
        assert!(detached.seal());
        assert!(!detached.seal(), "nothing left to seal");
        assert_eq!(detached.index_state(), IndexState::InProgress);
        let jobs = detached.index_jobs();
        assert_eq!(jobs.len(), 1);
        assert_eq!(jobs[0].rows(), 300);
        // Searchable (exactly) while the build runs.
        detached.load().unwrap();
        let req = SearchRequest {
            anns_field: "embedding".into(),
            data: vec![vec![0.25; 16]],
            limit: 5,
            ..Default::default()
        };
        assert_eq!(detached.search(&req).unwrap().topks, [5]);

        let index = jobs[0].run(&mut NoProgress).unwrap();
        assert!(detached.install_index(&jobs[0], index));
        let again = jobs[0].run(&mut NoProgress).unwrap();
        assert!(
            !detached.install_index(&jobs[0], again),
            "already installed"
        );
        assert_eq!(detached.index_state(), IndexState::Finished);
        assert!(detached.index_jobs().is_empty());

        flushed.load().unwrap();
        let (a, b) = (
            flushed.search(&req).unwrap(),
            detached.search(&req).unwrap(),
        );
        assert_eq!(
            (a.ids, a.scores),
            (b.ids, b.scores),
            "same seed, same index, same answers"
        );
    }

    #[test]
    fn a_build_for_a_dropped_index_is_discarded() {
        let mut c = collection(50);
        c.seal();
        let jobs = c.index_jobs();
        let index = jobs[0].run(&mut NoProgress).unwrap();
        c.drop_index().unwrap();
        assert!(!c.install_index(&jobs[0], index));
        assert!(c.index_jobs().is_empty());
    }
}
