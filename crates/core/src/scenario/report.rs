//! What running a step produced: the lines the tutorial's script prints (typed,
//! with our numbers: [`Line`]), every figure measured, and the places where the
//! tutorial's claims differ from what was measured ([`Correction`]).

use serde::{Deserialize, Serialize};

pub use super::lines::{Correction, Line};
use super::steps::StepId;
use crate::clock::Timing;
use crate::collection::SearchPlan;
use crate::dataset::contrast::SimilarityHistogram;

/// What a figure measures. Stable keys for JSON and tests come from serde
/// (`snake_case`); the words that name it are the presentation's
/// (`super::words`), never the engine's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FigureId {
    GenerateMs,
    DataBytes,
    InsertMs,
    InsertRate,
    FlushBuildMs,
    LoadMs,
    NumEntities,
    LatencyMs,
    Recall,
    TopScore,
    TotalMs,
    MeanLatencyMs,
    Qps,
    P50Ms,
    P99Ms,
    Selectivity,
    AllowedRows,
    MemoryBytes,
    IndexBytes,
    IvfLatencyMs,
    IvfRecall,
    IvfBuildMs,
    HnswLatencyMs,
    PqBuildMs,
    PqCodeBytes,
    /// Mean search time of one shard of the cluster exercise.
    ShardSearchMs(usize),
    SequentialMs,
    SlowestShardMs,
    GatherMs,
    SearchRequests,
    SearchSeconds,
    /// Step 4: `(1 − mean) / (1 − best)` similarity of query 0 on this data.
    RelativeContrast,
    /// The same on the other data kind (same n, dim, seed).
    OtherRelativeContrast,
}

impl FigureId {
    /// The unit the value is in (a symbol, the same in every language).
    pub fn unit(self) -> &'static str {
        use FigureId::*;
        match self {
            GenerateMs | InsertMs | FlushBuildMs | LoadMs | LatencyMs | TotalMs | MeanLatencyMs
            | P50Ms | P99Ms | IvfLatencyMs | IvfBuildMs | HnswLatencyMs | PqBuildMs
            | ShardSearchMs(_) | SequentialMs | SlowestShardMs | GatherMs => "ms",
            DataBytes | MemoryBytes | IndexBytes | PqCodeBytes => "B",
            InsertRate => "vectors/s",
            Qps => "queries/s",
            NumEntities | AllowedRows => "rows",
            SearchRequests => "requests",
            SearchSeconds => "s",
            Recall
            | TopScore
            | Selectivity
            | IvfRecall
            | RelativeContrast
            | OtherRelativeContrast => "",
        }
    }
}

/// A measured number.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    pub id: FigureId,
    pub value: f64,
}

/// One row of a result table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HitRow {
    pub rank: usize,
    pub id: String,
    pub score: f32,
    pub text: String,
    pub source: String,
    /// Whether this id is in the exact top-k.
    pub in_exact_top_k: bool,
}

/// One point of a parameter sweep (ef for HNSW, nprobe for IVF).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepPoint {
    pub index: String,
    pub param: String,
    pub value: usize,
    /// Mean latency of a single-query search.
    pub latency_ms: f64,
    pub qps: f64,
    pub recall: f64,
    pub memory_bytes: usize,
    /// The query set was run this many times for the latency and QPS (1: once).
    #[serde(default)]
    pub reps: usize,
    /// The time measured stayed below [`crate::clock::RESOLUTION_FACTOR`] clock
    /// ticks even after repetition: latency and QPS are not drawn.
    #[serde(default)]
    pub unresolved: bool,
}

/// One insert batch: how many rows it carried and how long `insert` took.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BatchTiming {
    pub rows: usize,
    pub ms: f64,
}

impl BatchTiming {
    /// Vectors inserted per second in this batch.
    pub fn rate(&self) -> f64 {
        self.rows as f64 / (self.ms / 1000.0).max(1e-9)
    }
}

/// The outcome of one step: typed values only (no words, no language).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepReport {
    pub step: StepId,
    /// What the tutorial's script prints for this step, with our numbers.
    pub lines: Vec<Line>,
    pub figures: Vec<Figure>,
    pub corrections: Vec<Correction>,
    pub hits: Vec<HitRow>,
    pub sweep: Vec<SweepPoint>,
    /// Per-query latencies (batch step, monitoring).
    pub latencies_ms: Vec<f64>,
    /// Insert step: every batch, in order.
    #[serde(default)]
    pub batches: Vec<BatchTiming>,
    pub plan: Option<SearchPlan>,
    /// Data step: query 0's similarity histograms, this data's then the other
    /// kind's.
    #[serde(default)]
    pub similarity: Vec<SimilarityHistogram>,
    /// Text the engine produced as it is: the error a search after release gets
    /// (clean-up), the Prometheus exposition (monitoring).
    pub text: Option<String>,
    /// The resolution of the clock the step was timed with, in ms (0: not known).
    #[serde(default)]
    pub clock_resolution_ms: f64,
    /// The fewest and the most runs any timing of this step was averaged over
    /// (`None`: nothing was timed by [`crate::clock::timed_repeated`]).
    #[serde(default)]
    pub reps: Option<(usize, usize)>,
}

impl StepReport {
    pub fn new(step: StepId) -> Self {
        Self {
            step,
            lines: Vec::new(),
            figures: Vec::new(),
            corrections: Vec::new(),
            hits: Vec::new(),
            sweep: Vec::new(),
            latencies_ms: Vec::new(),
            batches: Vec::new(),
            plan: None,
            similarity: Vec::new(),
            text: None,
            clock_resolution_ms: 0.0,
            reps: None,
        }
    }

    pub fn line(&mut self, line: Line) {
        self.lines.push(line);
    }

    pub fn figure(&mut self, id: FigureId, value: f64) {
        self.figures.push(Figure { id, value });
    }

    pub fn correct(&mut self, c: Correction) {
        self.corrections.push(c);
    }

    /// Notes how a timing of this step was measured (its repetitions).
    pub fn timed(&mut self, t: &Timing) {
        self.reps = Some(match self.reps {
            None => (t.reps, t.reps),
            Some((lo, hi)) => (lo.min(t.reps), hi.max(t.reps)),
        });
    }

    /// Notes the repetitions of every point of a sweep.
    pub fn timed_sweep(&mut self, points: &[SweepPoint]) {
        for p in points {
            self.timed(&Timing {
                ms: p.latency_ms,
                reps: p.reps,
                resolved: !p.unresolved,
            });
        }
    }

    /// The figure `id`, if measured.
    pub fn get(&self, id: FigureId) -> Option<f64> {
        self.figures.iter().find(|f| f.id == id).map(|f| f.value)
    }

    /// The section header the script prints: a rule, the title, a rule.
    pub fn header(&mut self) {
        self.lines
            .extend([Line::Blank, Line::Rule, Line::Title(self.step), Line::Rule]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn batch_rate_is_rows_per_second() {
        let b = BatchTiming {
            rows: 500,
            ms: 250.0,
        };
        assert_eq!(b.rate(), 2000.0);
        assert!(BatchTiming { rows: 1, ms: 0.0 }.rate().is_finite());
    }
}
