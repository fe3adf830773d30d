//! The monitoring exercise's live traffic: single-query searches on the tutorial's
//! collection, each observed by the scenario's [`Metrics`](crate::metrics::Metrics),
//! with a snapshot of the metrics handed to the caller as they grow (the browser
//! draws them while the queries run).

use serde::{Deserialize, Serialize};

use super::{COLLECTION, Scenario, StepId, StepReport};
use crate::clock::Clock;
use crate::error::Result;
use crate::index::Progress;
use crate::metrics::LATENCY_BUCKETS_S;

/// The metrics as they stand after `sent` of `total` live queries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveSnapshot {
    pub sent: usize,
    pub total: usize,
    /// Search requests so far (every step's and the live ones).
    pub requests: u64,
    /// Query vectors searched so far.
    pub vectors: u64,
    /// Seconds spent searching, summed over requests.
    pub seconds: f64,
    /// Requests per bucket of [`LATENCY_BUCKETS_S`] (not cumulative), +Inf last.
    pub counts: Vec<u64>,
    /// What Prometheus would scrape.
    pub prometheus: String,
}

impl Scenario {
    /// The metrics now.
    pub fn live_snapshot(&self, sent: usize, total: usize) -> LiveSnapshot {
        let h = self.metrics.search_latency();
        let mut prev = 0;
        let counts = h
            .cumulative()
            .into_iter()
            .map(|(_, c)| {
                let n = c - prev;
                prev = c;
                n
            })
            .collect();
        LiveSnapshot {
            sent,
            total,
            requests: self.metrics.search_requests_total(),
            vectors: self.metrics.search_vectors_total(),
            seconds: h.sum_seconds(),
            counts,
            prometheus: self.metrics.render_prometheus(),
        }
    }

    /// Runs `count` single-query searches on the tutorial's collection (after the
    /// steps it needs), cycling through the batch's queries; `on_snapshot` gets the
    /// metrics every `every` queries and after the last. Returns the reports of the
    /// steps it had to run and the monitoring exercise's report, last.
    pub fn live_queries(
        &mut self,
        count: usize,
        every: usize,
        clock: &dyn Clock,
        progress: &mut dyn Progress,
        on_snapshot: &mut dyn FnMut(LiveSnapshot),
    ) -> Result<Vec<StepReport>> {
        let mut reports = Vec::new();
        if !self.has_run(StepId::Load) {
            reports.extend(self.run(StepId::Load, clock, progress)?);
        }
        self.ensure_loaded(COLLECTION)?;
        let param = self.step_param();
        let nq = self.params.n_queries;
        on_snapshot(self.live_snapshot(0, count));
        for i in 0..count {
            let req = self.request(&[1 + i % nq], param, false);
            self.search_timed(COLLECTION, &req, clock)?;
            if (i + 1) % every.max(1) == 0 || i + 1 == count {
                on_snapshot(self.live_snapshot(i + 1, count));
            }
        }
        let mut r = StepReport::new(StepId::Monitoring);
        self.monitoring(&mut r);
        self.done.insert(StepId::Monitoring);
        reports.push(r);
        Ok(reports)
    }
}

/// Upper bound in milliseconds of bucket `i` (+Inf for the last).
pub fn bucket_upper_ms(i: usize) -> f64 {
    LATENCY_BUCKETS_S
        .get(i)
        .map_or(f64::INFINITY, |s| s * 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::StepClock;
    use crate::dataset::DataSpec;
    use crate::index::NoProgress;
    use crate::scenario::ScenarioParams;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn small() -> ScenarioParams {
        ScenarioParams {
            data: DataSpec {
                n: 600,
                dim: 16,
                seed: 5,
                kind: Default::default(),
            },
            batch_size: 200,
            ef_construction: 32,
            n_queries: 7,
            ..ScenarioParams::default()
        }
    }

    #[test]
    fn live_queries_run_what_they_need_and_snapshot_as_they_go() {
        let mut s = Scenario::new(small()).unwrap();
        let mut snaps = Vec::new();
        let reports = s
            .live_queries(25, 10, &StepClock::new(0.5), &mut NoProgress, &mut |x| {
                snaps.push(x)
            })
            .unwrap();
        assert_eq!(reports.last().unwrap().step, StepId::Monitoring);
        assert!(reports.iter().any(|r| r.step == StepId::Load));
        let sent: Vec<usize> = snaps.iter().map(|x| x.sent).collect();
        assert_eq!(sent, [0, 10, 20, 25]);
        let (first, last) = (&snaps[0], snaps.last().unwrap());
        assert_eq!(last.requests - first.requests, 25);
        assert_eq!(last.vectors - first.vectors, 25);
        assert_eq!(last.counts.len(), LATENCY_BUCKETS_S.len() + 1);
        assert_eq!(last.counts.iter().sum::<u64>(), last.requests);
        // StepClock: every search takes 0.5 ms, in the (0.25, 0.5] ms bucket.
        assert!(last.counts[2] >= 25, "{:?}", last.counts);
        assert!(last.seconds >= 25.0 * 0.0005);
        assert!(last.prometheus.contains("annlab_search_requests_total"));
        // A second round reuses the loaded collection.
        let again = s
            .live_queries(5, 10, &StepClock::new(0.5), &mut NoProgress, &mut |_| {})
            .unwrap();
        assert_eq!(again.len(), 1);
    }

    #[test]
    fn bucket_bounds_are_the_metrics_buckets_in_ms() {
        assert_eq!(bucket_upper_ms(0), 0.1);
        assert_eq!(bucket_upper_ms(LATENCY_BUCKETS_S.len()), f64::INFINITY);
    }
}
