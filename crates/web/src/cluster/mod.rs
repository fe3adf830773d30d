//! The cluster exercise's scatter/gather as plain state: the query nodes (Web
//! Workers, one shard each) build their shards, then the page sends each query to
//! every node at once, waits for the last answer and merges the top-10 with
//! core's `merge_top_k`. This records what the page measured (per node and end to
//! end) and lays out the diagram; `crate::cluster::nodes` drives the workers and
//! draws it. Every time comes from a clock reading; nothing is estimated.

pub mod nodes;
pub mod view;

use annlab_core::clock::Clock;
use annlab_core::scenario::gather::merge_top_k;
use annlab_core::stats::{mean, percentile, recall_at_k};

/// Top-k of the gather (the tutorial's recall@10).
pub const K: usize = 10;

/// What one query node did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NodeStats {
    pub rows: Option<usize>,
    pub build_ms: Option<f64>,
    /// Progress of its build (index construction), from its worker.
    pub progress: Option<(usize, usize)>,
    /// Search time of each query, measured in the worker.
    pub search_ms: Vec<f64>,
    /// Page time from the scatter to this node's answer, per query.
    pub answer_ms: Vec<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    Building,
    Searching,
    Done,
    Failed(String),
}

/// One query sent to every node, waiting for their answers.
#[derive(Debug, Clone, PartialEq)]
struct InFlight {
    sent_at: f64,
    parts: Vec<Option<Vec<(f32, i64)>>>,
    last_at: f64,
}

/// A run of the cluster: S nodes, the queries `1..=n_queries`.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterRun {
    pub nodes: Vec<NodeStats>,
    pub phase: Phase,
    /// Query numbers still to send, in order.
    pending: Vec<usize>,
    in_flight: Option<InFlight>,
    /// Per query answered: ms from the scatter to the merged top-10 …
    pub end_to_end_ms: Vec<f64>,
    /// … and from the last node's answer to the merged top-10.
    pub gather_ms: Vec<f64>,
    /// The merged top-10 ids of each query answered.
    pub found: Vec<Vec<i64>>,
    /// The exact top-10 of each query (from the engine worker), when it arrived.
    pub truth: Option<Vec<Vec<i64>>>,
    /// The engine worker's figure: one worker searching the shards one after
    /// another (`sequential_ms` of the cluster report), per query.
    pub one_worker_ms: Option<f64>,
    /// `navigator.hardwareConcurrency`.
    pub cores: Option<usize>,
}

/// The figures shown once queries have been answered.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub queries: usize,
    pub mean_ms: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub gather_ms: f64,
    /// Mean over queries of the nodes' search times summed: the same searches one
    /// after another on one core.
    pub sum_of_nodes_ms: f64,
    /// `sum_of_nodes_ms / mean_ms`.
    pub speedup: f64,
    pub recall: Option<f64>,
}

impl ClusterRun {
    pub fn new(shards: usize, n_queries: usize) -> Self {
        Self {
            nodes: vec![NodeStats::default(); shards],
            phase: Phase::Building,
            pending: (1..=n_queries).collect(),
            in_flight: None,
            end_to_end_ms: Vec::new(),
            gather_ms: Vec::new(),
            found: Vec::new(),
            truth: None,
            one_worker_ms: None,
            cores: None,
        }
    }

    /// The query numbers, in the order they are sent (for the truth request).
    pub fn query_numbers(&self) -> Vec<usize> {
        self.pending.clone()
    }

    pub fn progress(&mut self, shard: usize, done: usize, total: usize) {
        if let Some(n) = self.nodes.get_mut(shard) {
            n.progress = Some((done, total));
        }
    }

    /// Node `shard` built its shard; true once every node has.
    pub fn built(&mut self, shard: usize, rows: usize, build_ms: f64) -> bool {
        if let Some(n) = self.nodes.get_mut(shard) {
            n.rows = Some(rows);
            n.build_ms = Some(build_ms);
        }
        let all = self.nodes.iter().all(|n| n.rows.is_some());
        if all && self.phase == Phase::Building {
            self.phase = Phase::Searching;
        }
        all
    }

    /// The next query to scatter, sent now; `None` when there is none (the run is
    /// then done) or one is still in flight.
    pub fn scatter(&mut self, clock: &dyn Clock) -> Option<usize> {
        if self.phase != Phase::Searching || self.in_flight.is_some() {
            return None;
        }
        if self.pending.is_empty() {
            self.phase = Phase::Done;
            return None;
        }
        let q = self.pending.remove(0);
        self.in_flight = Some(InFlight {
            sent_at: clock.now_ms(),
            parts: vec![None; self.nodes.len()],
            last_at: 0.0,
        });
        Some(q)
    }

    /// Node `shard` answered the query in flight with `hits` after searching for
    /// `search_ms` (its own clock). When it is the last answer, merges the top-10
    /// and records the times; returns true then.
    pub fn answered(
        &mut self,
        shard: usize,
        hits: Vec<(f32, i64)>,
        search_ms: f64,
        clock: &dyn Clock,
    ) -> bool {
        let Some(f) = self.in_flight.as_mut() else {
            return false;
        };
        if shard >= f.parts.len() || f.parts[shard].is_some() {
            return false;
        }
        let now = clock.now_ms();
        f.parts[shard] = Some(hits);
        f.last_at = now;
        self.nodes[shard].search_ms.push(search_ms);
        self.nodes[shard].answer_ms.push(now - f.sent_at);
        if f.parts.iter().any(Option::is_none) {
            return false;
        }
        let f = self.in_flight.take().expect("in flight");
        let parts: Vec<Vec<(f32, i64)>> = f.parts.into_iter().flatten().collect();
        let ids: Vec<i64> = merge_top_k(&parts, K).into_iter().map(|h| h.1).collect();
        let done = clock.now_ms();
        self.found.push(ids);
        self.end_to_end_ms.push(done - f.sent_at);
        self.gather_ms.push(done - f.last_at);
        true
    }

    pub fn fail(&mut self, message: String) {
        self.in_flight = None;
        self.phase = Phase::Failed(message);
    }

    pub fn total_queries(&self) -> usize {
        self.found.len() + self.pending.len() + usize::from(self.in_flight.is_some())
    }

    /// recall@10 of the merged answers against the exact truth (when it arrived).
    pub fn recall(&self) -> Option<f64> {
        let truth = self.truth.as_ref()?;
        if self.found.is_empty() || truth.len() < self.found.len() {
            return None;
        }
        let recalls: Vec<f64> = self
            .found
            .iter()
            .zip(truth)
            .map(|(f, t)| recall_at_k(f, t, K))
            .collect();
        Some(mean(&recalls))
    }

    pub fn summary(&self) -> Option<Summary> {
        let n = self.end_to_end_ms.len();
        if n == 0 {
            return None;
        }
        let sum_of_nodes_ms = mean(
            &(0..n)
                .map(|i| self.nodes.iter().map(|node| node.search_ms[i]).sum())
                .collect::<Vec<f64>>(),
        );
        let mean_ms = mean(&self.end_to_end_ms);
        Some(Summary {
            queries: n,
            mean_ms,
            p50_ms: percentile(&self.end_to_end_ms, 50.0),
            p99_ms: percentile(&self.end_to_end_ms, 99.0),
            gather_ms: mean(&self.gather_ms),
            sum_of_nodes_ms,
            speedup: sum_of_nodes_ms / mean_ms.max(1e-9),
            recall: self.recall(),
        })
    }

    /// Mean search ms of node `i` (measured in its worker).
    pub fn node_search_ms(&self, i: usize) -> Option<f64> {
        let v = &self.nodes.get(i)?.search_ms;
        (!v.is_empty()).then(|| mean(v))
    }

    /// Mean ms from the scatter to node `i`'s answer (the page's clock): its
    /// search plus the messages both ways.
    pub fn node_answer_ms(&self, i: usize) -> Option<f64> {
        let v = &self.nodes.get(i)?.answer_ms;
        (!v.is_empty()).then(|| mean(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use annlab_core::clock::StepClock;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    /// Two nodes, two queries, a clock that ticks 1 ms per reading.
    fn answered_run() -> ClusterRun {
        let clock = StepClock::new(1.0);
        let mut r = ClusterRun::new(2, 2);
        assert_eq!(r.scatter(&clock), None, "nothing is sent while building");
        r.progress(0, 5, 10);
        assert!(!r.built(0, 3, 40.0));
        assert!(r.built(1, 2, 30.0));
        assert_eq!(r.phase, Phase::Searching);
        for q in 1..=2 {
            assert_eq!(r.scatter(&clock), Some(q));
            assert_eq!(r.scatter(&clock), None, "one query in flight at a time");
            assert!(!r.answered(1, vec![(0.9, 1), (0.1, 3)], 0.5, &clock));
            assert!(
                !r.answered(1, vec![], 0.5, &clock),
                "a second answer is ignored"
            );
            assert!(r.answered(0, vec![(0.8, 0), (0.7, 2)], 1.5, &clock));
        }
        assert_eq!(r.scatter(&clock), None);
        assert_eq!(r.phase, Phase::Done);
        r
    }

    #[test]
    fn scatter_waits_for_every_node_then_gathers() {
        let r = answered_run();
        assert_eq!(r.found, [vec![1, 0, 2, 3], vec![1, 0, 2, 3]]);
        // Readings: sent 1, node 1 at 2, node 0 at 3, merged 4.
        assert_eq!(r.end_to_end_ms, [3.0, 3.0]);
        assert_eq!(r.gather_ms, [1.0, 1.0]);
        assert_eq!(r.nodes[1].answer_ms, [1.0, 1.0]);
        assert_eq!(r.nodes[0].answer_ms, [2.0, 2.0]);
        assert_eq!(r.nodes[0].progress, Some((5, 10)));
        assert_eq!(r.node_search_ms(0), Some(1.5));
        assert_eq!(r.node_answer_ms(1), Some(1.0));
        assert_eq!(ClusterRun::new(2, 2).node_answer_ms(0), None);
        assert_eq!(r.total_queries(), 2);
    }

    #[test]
    fn summary_compares_with_the_nodes_one_after_another() {
        let mut r = answered_run();
        let s = r.summary().unwrap();
        assert_eq!(
            (s.queries, s.mean_ms, s.p50_ms, s.p99_ms),
            (2, 3.0, 3.0, 3.0)
        );
        assert_eq!(s.sum_of_nodes_ms, 2.0);
        assert!((s.speedup - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(s.recall, None, "no truth yet");
        r.truth = Some(vec![vec![1, 0, 2, 5], vec![9, 8, 7, 6]]);
        assert_eq!(r.recall(), Some(0.375));
        assert!(ClusterRun::new(3, 4).summary().is_none());
        assert_eq!(ClusterRun::new(3, 4).query_numbers(), [1, 2, 3, 4]);
    }

    #[test]
    fn a_failure_stops_the_run() {
        let clock = StepClock::new(1.0);
        let mut r = ClusterRun::new(1, 3);
        r.built(0, 10, 1.0);
        assert_eq!(r.scatter(&clock), Some(1));
        r.fail("boom".into());
        assert!(!r.answered(0, vec![], 1.0, &clock));
        assert_eq!(r.scatter(&clock), None);
        assert_eq!(r.phase, Phase::Failed("boom".into()));
    }
}
