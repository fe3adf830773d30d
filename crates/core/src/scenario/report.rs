//! What running a step produced: the lines the tutorial's script prints (in its
//! format, with our numbers), every figure measured, and the places where the
//! tutorial's claims differ from what was measured.

use serde::{Deserialize, Serialize};

use super::steps::StepId;
use crate::collection::SearchPlan;

/// A measured number with its unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    /// Stable key (JSON, tests).
    pub key: String,
    pub value: f64,
    pub unit: String,
}

/// "The tutorial says … / we measured …".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Correction {
    pub tutorial: String,
    pub measured: String,
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

/// The outcome of one step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepReport {
    pub step: StepId,
    pub title: String,
    /// What the tutorial's script prints for this step, with our numbers.
    pub lines: Vec<String>,
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
    /// Extra text (Prometheus exposition, notes).
    pub text: Option<String>,
}

impl StepReport {
    pub fn new(step: StepId, title: &str) -> Self {
        Self {
            step,
            title: title.to_owned(),
            lines: Vec::new(),
            figures: Vec::new(),
            corrections: Vec::new(),
            hits: Vec::new(),
            sweep: Vec::new(),
            latencies_ms: Vec::new(),
            batches: Vec::new(),
            plan: None,
            text: None,
        }
    }

    pub fn line(&mut self, s: impl Into<String>) {
        self.lines.push(s.into());
    }

    pub fn figure(&mut self, key: &str, value: f64, unit: &str) {
        self.figures.push(Figure {
            key: key.to_owned(),
            value,
            unit: unit.to_owned(),
        });
    }

    pub fn correct(&mut self, tutorial: impl Into<String>, measured: impl Into<String>) {
        self.corrections.push(Correction {
            tutorial: tutorial.into(),
            measured: measured.into(),
        });
    }

    /// The figure with `key`, if measured.
    pub fn get(&self, key: &str) -> Option<f64> {
        self.figures.iter().find(|f| f.key == key).map(|f| f.value)
    }

    /// The section header the script prints: a rule, the title, a rule.
    pub fn header(&mut self) {
        let rule = "=".repeat(60);
        self.lines.push(String::new());
        self.lines.push(rule.clone());
        self.lines.push(self.title.clone());
        self.lines.push(rule);
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
