//! Steps 1–6: connect, schema, index, data, insert, load.

use super::search_steps::K;
use super::{COLLECTION, MainIndex, Scenario, ScenarioParams};
use crate::clock::{Clock, timed};
use crate::collection::Collection;
use crate::dataset::contrast;
use crate::dataset::{Stream, TutorialData};
use crate::error::Result;
use crate::index::spec::{IndexParams, IndexSpec};
use crate::index::{AnnParams, Progress};
use crate::metric::Metric;
use crate::report_fmt::fmt_params;
use crate::scenario::report::{BatchTiming, Correction, FigureId, Line, StepReport};
use crate::schema::CollectionSchema;

/// The version string `utility.get_server_version()` returns.
pub const SERVER_VERSION: &str = concat!("annlab-", env!("CARGO_PKG_VERSION"), " (Milvus 2.3 API)");

impl Scenario {
    pub(super) fn connect(&mut self, r: &mut StepReport) {
        r.line(Line::Rule);
        r.line(Line::Banner);
        r.line(Line::Rule);
        r.line(Line::Blank);
        r.line(Line::Connected);
        r.line(Line::ServerVersion {
            version: SERVER_VERSION.into(),
        });
        r.correct(Correction::ServerVersion {
            version: SERVER_VERSION.into(),
        });
    }

    pub(super) fn schema(&mut self, r: &mut StepReport) -> Result<()> {
        r.line(Line::Blank);
        if self.db.drop_collection(COLLECTION) {
            r.line(Line::DroppedCollection {
                name: COLLECTION.into(),
            });
            r.line(Line::Blank);
        }
        let schema = CollectionSchema::tutorial(self.params.data.dim);
        let names: Vec<String> = schema.fields.iter().map(|f| f.name.clone()).collect();
        self.db
            .create_collection(COLLECTION, schema, self.params.data.seed)?;
        r.line(Line::CreatedCollection {
            name: COLLECTION.into(),
        });
        r.line(Line::Fields { names });
        Ok(())
    }

    /// The index of the tutorial's step 3.
    pub(super) fn main_index(&self) -> IndexParams {
        main_index_of(&self.params)
    }

    pub(super) fn index(&mut self, r: &mut StepReport, progress: &mut dyn Progress) -> Result<()> {
        r.header();
        let params = self.main_index();
        let index_type = params.index_type().name();
        self.db.collection_mut(COLLECTION)?.create_index(
            "embedding",
            "",
            IndexSpec::new(params, Metric::Cosine),
            progress,
        )?;
        r.line(Line::IndexType {
            index_type: index_type.into(),
        });
        r.line(Line::Metric {
            metric: "COSINE".into(),
        });
        r.line(Line::IndexParams {
            params: fmt_params(&params),
        });
        Ok(())
    }

    pub(super) fn generate(&mut self, r: &mut StepReport, clock: &dyn Clock) -> Result<()> {
        r.header();
        let p = &self.params;
        let (data, ms) = timed(clock, || TutorialData::generate(p.data, p.base_timestamp));
        let data = data?;
        // Query 0 is the single query of steps 7, 9, 10, 12; 1..=n the batch of step 8.
        self.queries = query_vectors(p);
        self.truth = vec![None; self.queries.len()];
        r.line(Line::Generated { n: p.data.n });
        r.line(Line::Dimension { dim: p.data.dim });
        r.figure(FigureId::GenerateMs, ms);
        r.figure(FigureId::DataBytes, (data.embeddings.len() * 4) as f64);
        // Why random data defeats every index: query 0's similarities to all rows,
        // on this data and on the other kind at the same n, dim and seed.
        let both = contrast::compare(p.data, &data.embeddings, &self.queries[0], K);
        r.line(Line::Blank);
        for h in &both {
            r.line(Line::Contrast {
                data: h.kind,
                mean: h.mean,
                best: h.best(),
                contrast: h.contrast,
            });
        }
        r.figure(FigureId::RelativeContrast, both[0].contrast);
        r.figure(FigureId::OtherRelativeContrast, both[1].contrast);
        r.similarity = both.to_vec();
        self.contrast = Some(both);
        self.data = Some(data);
        Ok(())
    }

    /// Inserts all data in batches, then flushes (which builds the index). Returns
    /// (insert ms, per-batch ms, flush+build ms).
    pub(super) fn fill(
        &mut self,
        name: &str,
        clock: &dyn Clock,
        progress: &mut dyn Progress,
    ) -> Result<(f64, Vec<f64>, f64)> {
        let n = self.params.data.n;
        let batch = self.params.batch_size;
        let mut batches = Vec::new();
        let start = clock.now_ms();
        for i in (0..n).step_by(batch) {
            let end = (i + batch).min(n);
            let cols = self.data().columns(i, end);
            let t0 = clock.now_ms();
            self.db.collection_mut(name)?.insert(cols)?;
            batches.push(clock.now_ms() - t0);
            self.metrics.observe_insert(name, end - i);
            progress.report(end, n);
            if progress.cancelled() {
                return Err(crate::Error::Cancelled {
                    what: "insert",
                    done: end,
                    total: n,
                });
            }
        }
        let insert_ms = clock.now_ms() - start;
        let c: &mut Collection = self.db.collection_mut(name)?;
        let (flushed, flush_ms) = timed(clock, || c.flush(progress));
        flushed?;
        if let Some(def) = c.index() {
            let index_type = def.spec.params.index_type().name();
            self.metrics.observe_index_build(name, index_type, flush_ms);
        }
        Ok((insert_ms, batches, flush_ms))
    }

    pub(super) fn insert(
        &mut self,
        r: &mut StepReport,
        clock: &dyn Clock,
        progress: &mut dyn Progress,
    ) -> Result<()> {
        r.header();
        let n = self.params.data.n;
        let batch = self.params.batch_size;
        let (insert_ms, batches, flush_ms) = self.fill(COLLECTION, clock, progress)?;
        for (b, _) in batches.iter().enumerate() {
            let end = ((b + 1) * batch).min(n);
            r.line(Line::Inserted {
                done: end,
                total: n,
            });
        }
        let secs = insert_ms / 1000.0;
        let rate = n as f64 / secs.max(1e-9);
        let index_type = self.main_index().index_type().name();
        r.line(Line::Blank);
        r.line(Line::InsertTook { seconds: secs });
        r.line(Line::Throughput {
            vectors_per_s: rate,
        });
        r.line(Line::Flushed);
        r.line(Line::IndexBuilt {
            index_type: index_type.into(),
            seconds: flush_ms / 1000.0,
        });
        r.figure(FigureId::InsertMs, insert_ms);
        r.figure(FigureId::InsertRate, rate);
        r.figure(FigureId::FlushBuildMs, flush_ms);
        r.batches = batches
            .iter()
            .enumerate()
            .map(|(b, &ms)| BatchTiming {
                rows: ((b + 1) * batch).min(n) - b * batch,
                ms,
            })
            .collect();
        r.latencies_ms = batches;
        r.correct(Correction::FlushBuildsIndex {
            index_type: index_type.into(),
            seconds: flush_ms / 1000.0,
        });
        Ok(())
    }

    pub(super) fn load(&mut self, r: &mut StepReport, clock: &dyn Clock) -> Result<()> {
        r.header();
        let c = self.db.collection_mut(COLLECTION)?;
        let (loaded, ms) = timed(clock, || c.load());
        loaded?;
        r.line(Line::LoadTook {
            seconds: ms / 1000.0,
        });
        r.line(Line::Entities {
            n: c.num_entities(),
        });
        r.figure(FigureId::LoadMs, ms);
        r.figure(FigureId::NumEntities, c.num_entities() as f64);
        Ok(())
    }
}

/// The index of the tutorial's step 3.
pub(super) fn main_index_of(p: &ScenarioParams) -> IndexParams {
    match p.index {
        MainIndex::Hnsw => IndexParams::Hnsw {
            m: p.m,
            ef_construction: p.ef_construction,
        },
        MainIndex::IvfFlat => IndexParams::IvfFlat { nlist: p.nlist },
    }
}

/// The search param of the main index (`ef` or `nprobe`) at `value`.
pub(super) fn main_param_of(p: &ScenarioParams, value: usize) -> AnnParams {
    match p.index {
        MainIndex::Hnsw => AnnParams::Hnsw { ef: value },
        MainIndex::IvfFlat => AnnParams::Ivf { nprobe: value },
    }
}

/// The scenario's queries: 0 is the single query of steps 7, 9, 10, 12;
/// 1..=n_queries the batch of step 8.
pub(super) fn query_vectors(p: &ScenarioParams) -> Vec<Vec<f32>> {
    let q = p
        .data
        .kind
        .generate(p.n_queries + 1, p.data.dim, p.data.seed, Stream::Queries);
    q.chunks_exact(p.data.dim).map(<[f32]>::to_vec).collect()
}
