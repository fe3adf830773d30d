//! The tutorial as a runnable scenario, shared by the browser and the CLI: its 13
//! steps and 3 exercises ([`steps`]) plus runners that execute them on the engine
//! and report every figure measured as typed values ([`report`]). State carries
//! between steps as in the tutorial's script; running a step first runs the steps
//! it needs.
//!
//! The engine has no language: the words of a report, the steps' titles and their
//! teaching texts, in Chinese and English, are [`words`]'s, which the page and the
//! CLI call and the runners never do.

mod check;
mod exercises;
pub mod gather;
mod lines;
pub mod live;
pub mod report;
mod run;
mod search_steps;
pub mod shard;
pub mod steps;
#[cfg(test)]
mod tests;
pub mod words;

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::clock::Clock;
use crate::dataset::contrast::SimilarityHistogram;
use crate::dataset::{DataSpec, TutorialData};
use crate::db::Database;
use crate::error::{Error, Result};
use crate::index::Progress;
use crate::metrics::Metrics;

pub use check::Param;
pub use live::LiveSnapshot;
pub use report::{BatchTiming, Correction, Figure, FigureId, HitRow, Line, StepReport, SweepPoint};
pub use shard::ShardNode;
pub use steps::StepId;
pub use words::Lang;

/// The HNSW or IVF_FLAT choice of the tutorial's step 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MainIndex {
    Hnsw,
    IvfFlat,
}

/// Every parameter the tutorial has, with its values as defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioParams {
    pub data: DataSpec,
    pub batch_size: usize,
    pub index: MainIndex,
    /// HNSW `M`.
    pub m: usize,
    /// HNSW `efConstruction`.
    pub ef_construction: usize,
    /// `ef` of steps 7–9.
    pub ef: usize,
    /// The ef sweep of step 10.
    pub ef_sweep: Vec<usize>,
    pub nlist: usize,
    pub nprobe: usize,
    /// IVF_PQ sub-quantisers.
    pub pq_m: usize,
    pub pq_nbits: usize,
    pub filter: String,
    /// Queries of the batch step.
    pub n_queries: usize,
    /// Searches averaged per ef in step 10.
    pub sweep_repeats: usize,
    /// Shards of the cluster exercise.
    pub shards: usize,
    /// `int(time.time())` of the data step, from the caller's clock.
    pub base_timestamp: i64,
}

impl Default for ScenarioParams {
    fn default() -> Self {
        Self {
            data: DataSpec::TUTORIAL,
            batch_size: 1000,
            index: MainIndex::Hnsw,
            m: 16,
            ef_construction: 200,
            ef: 64,
            ef_sweep: vec![16, 32, 64, 128],
            nlist: 1024,
            nprobe: 10,
            pq_m: 8,
            pq_nbits: 8,
            filter: "source == 'source_0.txt'".into(),
            n_queries: 100,
            sweep_repeats: 10,
            shards: 4,
            base_timestamp: 0,
        }
    }
}

impl ScenarioParams {
    /// The main index's search value at steps 7–9: `ef` for HNSW, `nprobe` for
    /// IVF_FLAT.
    pub fn step_value(&self) -> usize {
        match self.index {
            MainIndex::Hnsw => self.ef,
            MainIndex::IvfFlat => self.nprobe,
        }
    }

    /// Checks what can be checked before running (the engine checks the rest with
    /// Milvus's messages as the steps run).
    pub fn validate(&self) -> Result<()> {
        self.data.validate()?;
        let range = |what, value: usize, min: usize, max: usize| {
            if value < min || value > max {
                Err(Error::OutOfRange {
                    what,
                    value: value as i64,
                    min: min as i64,
                    max: max as i64,
                })
            } else {
                Ok(())
            }
        };
        range("batch_size", self.batch_size, 1, self.data.n.max(1))?;
        range("n_queries", self.n_queries, 1, 10_000)?;
        range("sweep_repeats", self.sweep_repeats, 1, 1000)?;
        range("shards", self.shards, 1, 64)?;
        if self.ef_sweep.is_empty() {
            return Err(Error::OutOfRange {
                what: "number of ef values in the sweep",
                value: 0,
                min: 1,
                max: 64,
            });
        }
        Ok(())
    }
}

/// The names the tutorial uses.
pub const COLLECTION: &str = "production_documents";
pub const IVF_COLLECTION: &str = "ivf_documents";
pub const PQ_COLLECTION: &str = "pq_documents";
/// Step 12's HNSW_SQ collection (when the main index is HNSW).
pub const SQ_COLLECTION: &str = "sq_documents";

/// The state of a run of the tutorial.
pub struct Scenario {
    pub params: ScenarioParams,
    db: Database,
    data: Option<TutorialData>,
    /// Query 0 is the tutorial's `query_vector`; 1..=n_queries its batch.
    queries: Vec<Vec<f32>>,
    /// Exact top-k ids per query (computed once, lazily).
    truth: Vec<Option<Vec<i64>>>,
    done: BTreeSet<StepId>,
    /// Step 7's HNSW latency, for step 12's comparison.
    single_search_ms: Option<f64>,
    /// Step 4's similarity histograms: this data's, then the other kind's.
    contrast: Option<[SimilarityHistogram; 2]>,
    pub metrics: Metrics,
}

impl Scenario {
    pub fn new(params: ScenarioParams) -> Result<Self> {
        params.validate()?;
        Ok(Self {
            params,
            db: Database::new(),
            data: None,
            queries: Vec::new(),
            truth: Vec::new(),
            done: BTreeSet::new(),
            single_search_ms: None,
            contrast: None,
            metrics: Metrics::default(),
        })
    }

    pub fn database(&self) -> &Database {
        &self.db
    }

    pub fn has_run(&self, step: StepId) -> bool {
        self.done.contains(&step)
    }

    /// Runs `step`, after any prerequisite that has not run yet; returns one report
    /// per step run, the requested one last.
    pub fn run(
        &mut self,
        step: StepId,
        clock: &dyn Clock,
        progress: &mut dyn Progress,
    ) -> Result<Vec<StepReport>> {
        let mut reports = Vec::new();
        for &pre in step.prerequisites() {
            if !self.done.contains(&pre) {
                reports.extend(self.run(pre, clock, progress)?);
            }
        }
        let report = self.run_one(step, clock, progress)?;
        self.done.insert(step);
        reports.push(report);
        Ok(reports)
    }

    /// Every step and exercise in order.
    pub fn run_all(
        &mut self,
        clock: &dyn Clock,
        progress: &mut dyn Progress,
    ) -> Result<Vec<StepReport>> {
        let mut reports = Vec::new();
        for step in StepId::ALL {
            // Cleanup releases the collections; the exercises reload what they need.
            reports.extend(self.run(step, clock, progress)?);
        }
        Ok(reports)
    }

    fn run_one(
        &mut self,
        step: StepId,
        clock: &dyn Clock,
        progress: &mut dyn Progress,
    ) -> Result<StepReport> {
        let mut r = StepReport::new(step);
        match step {
            StepId::Connect => self.connect(&mut r),
            StepId::Schema => self.schema(&mut r)?,
            StepId::Index => self.index(&mut r, progress)?,
            StepId::Data => self.generate(&mut r, clock)?,
            StepId::Insert => self.insert(&mut r, clock, progress)?,
            StepId::Load => self.load(&mut r, clock)?,
            StepId::Search => self.single_search(&mut r, clock)?,
            StepId::BatchSearch => self.batch_search(&mut r, clock)?,
            StepId::FilteredSearch => self.filtered_search(&mut r, clock)?,
            StepId::EfSweep => self.ef_sweep(&mut r, clock)?,
            StepId::Stats => self.stats(&mut r)?,
            StepId::IvfCompare => self.ivf_compare(&mut r, clock, progress)?,
            StepId::Cleanup => self.cleanup(&mut r)?,
            StepId::IvfPq => self.ivf_pq(&mut r, clock, progress)?,
            StepId::Cluster => self.cluster(&mut r, clock, progress)?,
            StepId::Monitoring => self.monitoring(&mut r),
        }
        r.clock_resolution_ms = clock.resolution_ms();
        if let Some((reps_min, reps_max)) = r.reps {
            r.line(Line::Timing {
                reps_min,
                reps_max,
                resolution_us: r.clock_resolution_ms * 1000.0,
            });
        }
        Ok(r)
    }

    fn data(&self) -> &TutorialData {
        self.data.as_ref().expect("the data step ran first")
    }
}
