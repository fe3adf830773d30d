//! Counters and latency histograms, rendered in Prometheus's text exposition format
//! (the tutorial's monitoring exercise; the native server serves the same text on
//! :9091/metrics). Times are observed in milliseconds and exposed in seconds, as
//! Prometheus conventions ask.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::{Deserialize, Serialize};

/// Upper bounds of the latency buckets, in seconds.
pub const LATENCY_BUCKETS_S: [f64; 14] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

/// A cumulative histogram in Prometheus's sense.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Histogram {
    /// Non-cumulative counts per bucket of [`LATENCY_BUCKETS_S`], plus +Inf.
    counts: Vec<u64>,
    sum_s: f64,
    count: u64,
}

impl Histogram {
    pub fn observe_ms(&mut self, ms: f64) {
        if self.counts.is_empty() {
            self.counts = vec![0; LATENCY_BUCKETS_S.len() + 1];
        }
        let s = ms / 1000.0;
        let i = LATENCY_BUCKETS_S
            .iter()
            .position(|&b| s <= b)
            .unwrap_or(LATENCY_BUCKETS_S.len());
        self.counts[i] += 1;
        self.sum_s += s;
        self.count += 1;
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    pub fn sum_seconds(&self) -> f64 {
        self.sum_s
    }

    /// (upper bound in seconds, cumulative count), +Inf last.
    pub fn cumulative(&self) -> Vec<(f64, u64)> {
        let mut acc = 0;
        LATENCY_BUCKETS_S
            .iter()
            .copied()
            .chain(std::iter::once(f64::INFINITY))
            .enumerate()
            .map(|(i, b)| {
                acc += self.counts.get(i).copied().unwrap_or(0);
                (b, acc)
            })
            .collect()
    }
}

type Labels = (String, String);

/// The engine's metrics, labelled by collection and index type.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    search_latency: BTreeMap<Labels, Histogram>,
    search_requests: BTreeMap<Labels, u64>,
    search_vectors: BTreeMap<Labels, u64>,
    insert_vectors: BTreeMap<String, u64>,
    query_requests: BTreeMap<String, u64>,
    index_build: BTreeMap<Labels, Histogram>,
}

impl Metrics {
    /// One search call of `nq` queries that took `ms`.
    pub fn observe_search(&mut self, collection: &str, index_type: &str, nq: usize, ms: f64) {
        let key = (collection.to_owned(), index_type.to_owned());
        self.search_latency
            .entry(key.clone())
            .or_default()
            .observe_ms(ms);
        *self.search_requests.entry(key.clone()).or_default() += 1;
        *self.search_vectors.entry(key).or_default() += nq as u64;
    }

    pub fn observe_insert(&mut self, collection: &str, rows: usize) {
        *self
            .insert_vectors
            .entry(collection.to_owned())
            .or_default() += rows as u64;
    }

    pub fn observe_query(&mut self, collection: &str) {
        *self
            .query_requests
            .entry(collection.to_owned())
            .or_default() += 1;
    }

    pub fn observe_index_build(&mut self, collection: &str, index_type: &str, ms: f64) {
        let key = (collection.to_owned(), index_type.to_owned());
        self.index_build.entry(key).or_default().observe_ms(ms);
    }

    /// All search latencies merged (for a page's histogram).
    pub fn search_latency(&self) -> Histogram {
        let mut all = Histogram::default();
        for h in self.search_latency.values() {
            if all.counts.is_empty() {
                all.counts = vec![0; LATENCY_BUCKETS_S.len() + 1];
            }
            for (a, b) in all.counts.iter_mut().zip(&h.counts) {
                *a += b;
            }
            all.sum_s += h.sum_s;
            all.count += h.count;
        }
        all
    }

    pub fn search_requests_total(&self) -> u64 {
        self.search_requests.values().sum()
    }

    /// Query vectors searched, over every collection.
    pub fn search_vectors_total(&self) -> u64 {
        self.search_vectors.values().sum()
    }

    /// Prometheus text exposition format, version 0.0.4.
    pub fn render_prometheus(&self) -> String {
        let mut out = String::new();
        let lab =
            |(c, i): &Labels| format!("collection=\"{}\",index_type=\"{}\"", escape(c), escape(i));
        histogram(
            &mut out,
            "annlab_search_latency_seconds",
            "Latency of search requests.",
            &self.search_latency,
            lab,
        );
        counter(
            &mut out,
            "annlab_search_requests_total",
            "Search requests.",
            self.search_requests.iter().map(|(k, v)| (lab(k), *v)),
        );
        counter(
            &mut out,
            "annlab_search_vectors_total",
            "Query vectors searched.",
            self.search_vectors.iter().map(|(k, v)| (lab(k), *v)),
        );
        let by_collection = |c: &String| format!("collection=\"{}\"", escape(c));
        counter(
            &mut out,
            "annlab_insert_vectors_total",
            "Rows inserted.",
            self.insert_vectors
                .iter()
                .map(|(k, v)| (by_collection(k), *v)),
        );
        counter(
            &mut out,
            "annlab_query_requests_total",
            "Query requests.",
            self.query_requests
                .iter()
                .map(|(k, v)| (by_collection(k), *v)),
        );
        histogram(
            &mut out,
            "annlab_index_build_seconds",
            "Duration of index builds.",
            &self.index_build,
            lab,
        );
        out
    }
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn counter(out: &mut String, name: &str, help: &str, rows: impl Iterator<Item = (String, u64)>) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
    for (labels, v) in rows {
        let _ = writeln!(out, "{name}{{{labels}}} {v}");
    }
}

fn histogram(
    out: &mut String,
    name: &str,
    help: &str,
    hs: &BTreeMap<Labels, Histogram>,
    lab: impl Fn(&Labels) -> String,
) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} histogram");
    for (k, h) in hs {
        let l = lab(k);
        for (bound, c) in h.cumulative() {
            let le = if bound.is_infinite() {
                "+Inf".to_owned()
            } else {
                format!("{bound}")
            };
            let _ = writeln!(out, "{name}_bucket{{{l},le=\"{le}\"}} {c}");
        }
        let _ = writeln!(out, "{name}_sum{{{l}}} {}", h.sum_s);
        let _ = writeln!(out, "{name}_count{{{l}}} {}", h.count);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn renders_prometheus_text() {
        let mut m = Metrics::default();
        m.observe_search("docs", "HNSW", 1, 0.3);
        m.observe_search("docs", "HNSW", 100, 30.0);
        m.observe_insert("docs", 1000);
        let text = m.render_prometheus();
        assert!(text.contains("# TYPE annlab_search_latency_seconds histogram"));
        assert!(text.contains("annlab_search_latency_seconds_bucket{collection=\"docs\",index_type=\"HNSW\",le=\"0.0005\"} 1"));
        assert!(text.contains("annlab_search_latency_seconds_bucket{collection=\"docs\",index_type=\"HNSW\",le=\"+Inf\"} 2"));
        assert!(text.contains(
            "annlab_search_latency_seconds_count{collection=\"docs\",index_type=\"HNSW\"} 2"
        ));
        assert!(
            text.contains(
                "annlab_search_vectors_total{collection=\"docs\",index_type=\"HNSW\"} 101"
            )
        );
        assert!(text.contains("annlab_insert_vectors_total{collection=\"docs\"} 1000"));
        assert_eq!(m.search_latency().count(), 2);
    }
}
