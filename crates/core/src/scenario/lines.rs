//! What a step reports, as typed values: the lines the tutorial's script prints
//! and the places where the tutorial's claims differ from what was measured. The
//! engine fills them with numbers; their words, in either language, are
//! [`super::words`]'s.

use serde::{Deserialize, Serialize};

use super::MainIndex;
use super::report::SweepPoint;
use super::steps::StepId;
use crate::dataset::DataKind;

/// One line of what the tutorial's script prints for a step, with its values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Line {
    Blank,
    /// A rule of 60 `=`.
    Rule,
    /// A section's title.
    Title(StepId),
    /// The script's banner (step 1).
    Banner,
    Connected,
    ServerVersion {
        version: String,
    },
    DroppedCollection {
        name: String,
    },
    CreatedCollection {
        name: String,
    },
    Fields {
        names: Vec<String>,
    },
    IndexType {
        index_type: String,
    },
    Metric {
        metric: String,
    },
    /// Index parameters as Python prints the dict (`{'M': 16, ...}`).
    IndexParams {
        params: String,
    },
    Generated {
        n: usize,
    },
    Dimension {
        dim: usize,
    },
    Inserted {
        done: usize,
        total: usize,
    },
    InsertTook {
        seconds: f64,
    },
    Throughput {
        vectors_per_s: f64,
    },
    Flushed,
    IndexBuilt {
        index_type: String,
        seconds: f64,
    },
    LoadTook {
        seconds: f64,
    },
    Entities {
        n: usize,
    },
    SearchLatency {
        ms: f64,
    },
    TopResults,
    Hit {
        rank: usize,
        score: f32,
        text: String,
    },
    /// `recall@10` printed with `decimals` digits.
    Recall {
        recall: f64,
        decimals: usize,
    },
    BatchOf {
        queries: usize,
    },
    Total {
        seconds: f64,
    },
    MeanLatency {
        ms: f64,
    },
    Qps {
        qps: f64,
    },
    Filter {
        expr: String,
    },
    Results {
        count: usize,
    },
    MatchingRows {
        allowed: usize,
        total: usize,
        recall: f64,
    },
    /// One value of the ef (or nprobe) sweep.
    Sweep {
        param: String,
        value: usize,
        mean_ms: f64,
        recall: f64,
    },
    Segments {
        n: usize,
    },
    Memory {
        bytes: usize,
    },
    IndexSize {
        bytes: usize,
    },
    InsertingIvf,
    IvfLatency {
        ms: f64,
        recall: f64,
    },
    HnswLatency {
        ms: f64,
    },
    IvfRatio {
        ratio: f64,
    },
    /// A point of a recall-against-QPS curve.
    CurveQps(SweepPoint),
    /// How the step's times were measured: each averaged over `reps_min` to
    /// `reps_max` runs, with a clock of this resolution (0: not known).
    Timing {
        reps_min: usize,
        reps_max: usize,
        resolution_us: f64,
    },
    /// Step 4: query 0's similarities to all rows on one data kind (ours, not the
    /// script's).
    Contrast {
        data: DataKind,
        mean: f64,
        best: f64,
        /// `(1 − mean) / (1 − best)`.
        contrast: f64,
    },
    PqCode {
        nlist: usize,
        m: usize,
        nbits: usize,
        code_bytes: usize,
        raw_bytes: usize,
    },
    BuildTime {
        seconds: f64,
    },
    /// A point of a recall-against-memory curve.
    CurveMemory(SweepPoint),
    Shards {
        shards: usize,
        rows_per_shard: usize,
    },
    Shard {
        shard: usize,
        build_seconds: f64,
        search_ms: f64,
    },
    Gather {
        ms: f64,
    },
    Sequential {
        sequential_ms: f64,
        slowest_ms: f64,
    },
    SearchRequests {
        n: u64,
    },
    SearchTime {
        seconds: f64,
    },
    Released,
    Disconnected,
}

/// Where the tutorial's text and what was measured differ, with the numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Correction {
    /// The script talks to a server; annlab's engine is in the process.
    ServerVersion { version: String },
    /// Flush built the index before any search.
    FlushBuildsIndex { index_type: String, seconds: f64 },
    /// Random unit vectors are nearly orthogonal: the top score is small.
    TopScore {
        top: f32,
        n: usize,
        dim: usize,
        /// √(2·ln n / dim), the expected best score of random data.
        expected: f64,
        /// The data searched.
        #[serde(default)]
        data: DataKind,
        /// The exact best score of query 0 on the other data kind at the same n,
        /// dim and seed (measured in the data step).
        #[serde(default)]
        other_best: Option<f64>,
    },
    /// The tutorial's claimed HNSW recall against the measured one.
    Recall {
        recall: f64,
        index: MainIndex,
        value: usize,
        #[serde(default)]
        data: DataKind,
        /// The recall measured on the other data kind with the same parameters,
        /// when that run's report is at hand (the page keeps one per kind); the
        /// engine leaves it empty.
        #[serde(default)]
        other: Option<f64>,
    },
    /// The tutorial's sweep ran before its index existed.
    SweepAfterBuild,
    /// pymilvus has no `get_stats`.
    GetStats,
    /// The tutorial prints "slower" whatever the ratio.
    IvfRatio {
        ratio: f64,
        nprobe: usize,
        recall: f64,
        #[serde(default)]
        data: DataKind,
        /// The ratio measured on the other data kind, when at hand (see
        /// `Recall::other`).
        #[serde(default)]
        other: Option<f64>,
    },
}
