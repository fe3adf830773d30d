//! Messages between the page and the engine's Web Worker. The worker runs the
//! tutorial scenario (`annlab_core::scenario`) so that the page never freezes; in
//! the cluster exercise more workers of the same binary act as query nodes, each
//! holding one shard (`annlab_core::scenario::ShardNode`).

use annlab_core::scenario::{LiveSnapshot, ScenarioParams, StepId, StepReport};
use serde::{Deserialize, Serialize};

/// Page → worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Request {
    /// Runs `step` (and the steps it needs that have not run) with `params`. New
    /// parameters start a fresh scenario.
    Run {
        step: StepId,
        params: ScenarioParams,
    },
    /// The monitoring exercise: `count` single-query searches on the tutorial's
    /// collection (loading it first if needed), with metric snapshots as they run.
    Live {
        count: usize,
        params: ScenarioParams,
    },
    /// The exact top-10 ids of each query number (the cluster's recall truth).
    Truth {
        params: ScenarioParams,
        queries: Vec<usize>,
    },
    /// Query node: builds shard `shard` of `shards` for `params` (progress while
    /// the index builds), answered by [`Response::ShardBuilt`].
    BuildShard {
        params: ScenarioParams,
        shard: usize,
        shards: usize,
    },
    /// Query node: searches its shard for each query number, answered by
    /// [`Response::ShardHits`].
    SearchShard { queries: Vec<usize> },
}

/// Worker → page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Response {
    /// The worker's wasm is loaded; messages sent before this are lost.
    Ready,
    /// Long work (insert, index build, k-means) advanced.
    Progress { done: usize, total: usize },
    /// The metrics while live queries run.
    Live(LiveSnapshot),
    /// One report per step run, the requested one last.
    Reports(Vec<StepReport>),
    /// The exact top-10 ids of each query asked for, in order.
    Truth(Vec<Vec<i64>>),
    /// Query node: its shard is built and loaded.
    ShardBuilt {
        shard: usize,
        rows: usize,
        build_ms: f64,
    },
    /// Query node: per query asked for, its `(score, global id)` hits and the
    /// milliseconds the search took, measured in the worker.
    ShardHits {
        shard: usize,
        hits: Vec<Vec<(f32, i64)>>,
        ms: Vec<f64>,
    },
    /// The engine refused (Milvus's message) or failed.
    Error(String),
}
