//! Messages between the page and the engine's Web Worker. The worker runs the
//! tutorial scenario (`annlab_core::scenario`) so that the page never freezes.

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
    /// The engine refused (Milvus's message) or failed.
    Error(String),
}
