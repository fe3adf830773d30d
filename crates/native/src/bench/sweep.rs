//! Timing one search configuration the way the peers' harness does: single
//! thread, one query per call, a warm-up, then several passes over the queries
//! (medians across passes), plus a back-to-back batch of the first queries.

use std::time::Instant;

use serde::Serialize;

use super::data::Data;
use annlab_core::stats::{mean, median, percentile, standard_error};

use super::measure::ThreadCpu;

/// Queries of the warm-up pass.
const WARM_UP: usize = 20;
/// Queries of the batch timing (the peers' `batch`).
pub const BATCH: usize = 100;

/// What one configuration measured; field names are those of the peers' JSON.
#[derive(Debug, Clone, Serialize)]
pub struct SearchStats {
    /// recall@k (`annlab_core::stats::recall_at_k`), averaged over the queries.
    pub recall: f64,
    /// Its standard error over the queries (`annlab_core::stats::standard_error`):
    /// another draw of as many queries typically moves the recall by about this.
    pub recall_se: f64,
    /// Median per-query wall time (median over passes).
    pub lat_med_ms: f64,
    pub lat_p99_ms: f64,
    /// Queries / sum of their wall times, one thread.
    pub qps: f64,
    /// Wall seconds of the first `batch` queries back to back.
    pub batch_s: f64,
    pub batch: usize,
    /// Median per-query thread CPU time: unlike wall time, not inflated when other
    /// processes take the core.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_lat_med_ms: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_qps: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_batch_s: Option<f64>,
}

/// Runs the queries of `data` through search functions.
pub struct Sweep<'a> {
    pub data: &'a Data,
    pub k: usize,
    pub reps: usize,
    cpu: Option<ThreadCpu>,
}

impl<'a> Sweep<'a> {
    pub fn new(data: &'a Data, k: usize, reps: usize) -> Self {
        Self {
            data,
            k,
            reps,
            cpu: ThreadCpu::new(),
        }
    }

    /// Measures `search(query, out)`, which appends the result rows, closest first,
    /// to `out` (cleared before each call).
    pub fn measure(
        &self,
        mut search: impl FnMut(&[f32], &mut Vec<u32>) -> anyhow::Result<()>,
    ) -> anyhow::Result<SearchStats> {
        let (data, nq) = (self.data, self.data.nq());
        let mut out = Vec::with_capacity(self.k);
        for q in 0..nq.min(WARM_UP) {
            out.clear();
            search(data.query(q), &mut out)?;
        }
        let mut recalls = Vec::with_capacity(nq);
        let (mut meds, mut p99s, mut qpss, mut batches) = (vec![], vec![], vec![], vec![]);
        let (mut cpu_meds, mut cpu_qpss, mut cpu_batches) = (vec![], vec![], vec![]);
        for rep in 0..self.reps {
            let mut wall = Vec::with_capacity(nq);
            let mut cpu_ms = Vec::with_capacity(nq);
            let mut reading = self.cpu.as_ref().map(ThreadCpu::now);
            for q in 0..nq {
                out.clear();
                let t = Instant::now();
                search(data.query(q), &mut out)?;
                wall.push(t.elapsed().as_secs_f64() * 1e3);
                if let (Some(cpu), Some(start)) = (&self.cpu, reading) {
                    let (ms, now) = cpu.ms_since(start);
                    cpu_ms.push(ms);
                    reading = Some(now);
                }
                if rep == 0 {
                    recalls.push(data.recall_at_k(q, &out, self.k));
                }
            }
            meds.push(median(&wall));
            p99s.push(percentile(&wall, 99.0));
            qpss.push(nq as f64 / (wall.iter().sum::<f64>() / 1e3));
            if !cpu_ms.is_empty() {
                cpu_meds.push(median(&cpu_ms));
                cpu_qpss.push(nq as f64 / (cpu_ms.iter().sum::<f64>() / 1e3));
            }
            let start = self.cpu.as_ref().map(ThreadCpu::now);
            let t = Instant::now();
            for q in 0..nq.min(BATCH) {
                out.clear();
                search(data.query(q), &mut out)?;
            }
            batches.push(t.elapsed().as_secs_f64());
            if let (Some(cpu), Some(start)) = (&self.cpu, start) {
                cpu_batches.push(cpu.ms_since(start).0 / 1e3);
            }
        }
        let some_median = |v: &[f64]| (!v.is_empty()).then(|| median(v));
        Ok(SearchStats {
            recall: mean(&recalls),
            recall_se: standard_error(&recalls),
            lat_med_ms: median(&meds),
            lat_p99_ms: median(&p99s),
            qps: median(&qpss),
            batch_s: median(&batches),
            batch: nq.min(BATCH),
            cpu_lat_med_ms: some_median(&cpu_meds),
            cpu_qps: some_median(&cpu_qpss),
            cpu_batch_s: some_median(&cpu_batches),
        })
    }
}
