//! The results of `annlab bench index`: one [`Row`] per implementation and search
//! setting, in the JSON shape of the peers' harness (`shared/peers/report.py` reads
//! it), and the text table with our HNSW's time beside the peer's.

use serde::Serialize;
use serde_json::{Map, Value};

use super::sweep::SearchStats;

/// `impl` of annlab's own rows (the peers' scripts write "python" and "rust").
pub const ANNLAB: &str = "annlab";

/// How one index was built.
#[derive(Debug, Clone, Serialize)]
pub struct BuildStat {
    pub threads: usize,
    pub build_s: f64,
    /// Process CPU seconds (10 ms resolution).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build_cpu_s: Option<f64>,
    /// Vectors inserted per wall second.
    pub build_vps: f64,
    /// Peak resident memory growth during the build, MiB.
    pub rss_delta_mb: Option<f64>,
    pub runs: Vec<f64>,
}

impl BuildStat {
    pub fn new(
        n: usize,
        build_s: f64,
        build_cpu_s: Option<f64>,
        rss_delta_mb: Option<f64>,
    ) -> Self {
        Self {
            threads: 1,
            build_s,
            build_cpu_s,
            build_vps: n as f64 / build_s,
            rss_delta_mb,
            runs: vec![build_s],
        }
    }
}

/// The fields every row of one run shares.
#[derive(Debug, Clone, Serialize)]
pub struct Common {
    pub dataset: String,
    pub n: usize,
    pub dim: usize,
    pub nq: usize,
    pub k: usize,
    pub metric: &'static str,
    /// The distance kernel in use (annlab's best for this CPU; the peer is given
    /// the same one).
    pub kernel: &'static str,
    pub query_threads: usize,
}

/// One implementation at one search setting.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    #[serde(rename = "impl")]
    pub implementation: &'static str,
    /// Name of the implementation and index ("annlab HNSW", "hnsw 0.11 (rust-cv)").
    pub peer: String,
    #[serde(flatten)]
    pub common: Common,
    /// Milvus's index type name.
    pub index: &'static str,
    pub params: Map<String, Value>,
    pub build: Vec<BuildStat>,
    /// "ef", "nprobe" or "none" (FLAT).
    pub search_param: &'static str,
    pub search_value: usize,
    #[serde(flatten)]
    pub stats: SearchStats,
    /// Bytes the index holds (besides the base vectors it borrows).
    pub index_bytes: Option<usize>,
    pub note: String,
}

impl Row {
    /// The per-query time compared between implementations: thread CPU when
    /// measured, else wall.
    fn time_ms(&self) -> f64 {
        self.stats.cpu_lat_med_ms.unwrap_or(self.stats.lat_med_ms)
    }
}

fn fmt_params(p: &Map<String, Value>) -> String {
    if p.is_empty() {
        return "-".into();
    }
    p.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// recall@k ± its standard error over the queries (no ± when it is 0 or undefined).
pub(super) fn fmt_recall(s: &SearchStats) -> String {
    if s.recall_se > 0.0 {
        format!("{:.4} ± {:.4}", s.recall, s.recall_se)
    } else {
        format!("{:.4}", s.recall)
    }
}

fn fmt_opt(v: Option<f64>, digits: usize) -> String {
    v.map_or_else(|| "-".into(), |x| format!("{x:.digits$}"))
}

/// The table of every row, then the comparison of our HNSW with the peer.
pub fn print_table(rows: &[Row], truth_source: &str) {
    let Some(first) = rows.first() else { return };
    let c = &first.common;
    println!(
        "annlab bench index: {} (n={}, dim={}, nq={}, k={}, {}), kernel {}, 1 query thread, recall against {}",
        c.dataset, c.n, c.dim, c.nq, c.k, c.metric, c.kernel, truth_source
    );
    println!(
        "build: wall s (process CPU s); recall ± its standard error over the {} queries; p50/p99: per-query wall ms (percentiles interpolate between ranks, as numpy.percentile; median over the passes); QPS = queries / their wall time; CPU: thread CPU time",
        c.nq
    );
    println!(
        "index MiB: what the index holds itself (HNSW: links; HNSW_SQ: links, codes and any refine codes; IVF: centroids and lists), without the {:.1} MiB of float vectors that FLAT, HNSW and HNSW_SQ's FP32 refinement read beside it",
        (c.n * c.dim * 4) as f64 / f64::from(1 << 20)
    );
    println!();
    println!(
        "| index | params | build s (CPU s) | ef/nprobe | recall@{} | p50 ms | p99 ms | QPS | CPU p50 ms | CPU QPS | index MiB |",
        c.k
    );
    println!("|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|");
    for r in rows {
        let build = r.build.first().map_or_else(
            || "-".into(),
            |b| format!("{:.2} ({})", b.build_s, fmt_opt(b.build_cpu_s, 2)),
        );
        let setting = match r.search_param {
            "none" => "-".to_owned(),
            p => format!("{p}={}", r.search_value),
        };
        let s = &r.stats;
        println!(
            "| {} | {} | {build} | {setting} | {} | {:.3} | {:.3} | {:.0} | {} | {} | {} |",
            r.peer,
            fmt_params(&r.params),
            fmt_recall(s),
            s.lat_med_ms,
            s.lat_p99_ms,
            s.qps,
            fmt_opt(s.cpu_lat_med_ms, 3),
            fmt_opt(s.cpu_qps, 0),
            fmt_opt(r.index_bytes.map(|b| b as f64 / f64::from(1 << 20)), 1),
        );
    }
    print_peer_ratio(rows);
}

/// For each of our HNSW settings, the peer's cheapest setting that reaches at least
/// the same recall, and the ratio of the per-query times.
fn print_peer_ratio(rows: &[Row]) {
    let ours: Vec<&Row> = rows
        .iter()
        .filter(|r| r.implementation == ANNLAB && r.index == "HNSW")
        .collect();
    let mut names: Vec<&str> = Vec::new();
    for r in rows {
        if r.implementation != ANNLAB && r.index == "HNSW" && !names.contains(&r.peer.as_str()) {
            names.push(&r.peer);
        }
    }
    for name in names {
        let peer: Vec<&Row> = rows.iter().filter(|r| r.peer == name).collect();
        print_one_peer(&ours, &peer);
    }
}

fn print_one_peer(ours: &[&Row], peer: &[&Row]) {
    let (Some(o), Some(p)) = (ours.first(), peer.first()) else {
        return;
    };
    let cpu = ours
        .iter()
        .chain(peer)
        .all(|r| r.stats.cpu_lat_med_ms.is_some());
    let clock = if cpu { "thread CPU" } else { "wall" };
    println!();
    println!(
        "{} vs {} at matching recall (median per-query {clock} ms; ratio < 1: ours is faster):",
        o.peer, p.peer
    );
    println!(
        "(2M links: a new node links to up to M_max0 = 2·M neighbours on layer 0, as faiss; otherwise M, as the paper, hnswlib and Milvus)"
    );
    if let (Some(ob), Some(pb)) = (o.build.first(), p.build.first()) {
        println!(
            "build: ours {:.2} s, peer {:.2} s wall (ours/peer {:.2})",
            ob.build_s,
            pb.build_s,
            ob.build_s / pb.build_s
        );
        if let (Some(oc), Some(pc)) = (ob.build_cpu_s, pb.build_cpu_s) {
            println!(
                "build CPU: ours {oc:.2} s, peer {pc:.2} s (ours/peer {:.2})",
                oc / pc
            );
        }
    }
    println!();
    println!(
        "| ours | recall | ms | peer at ≥ that recall | recall | ms | ours/peer time | peer at same ef: recall | ms | ours/peer time |"
    );
    println!("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|");
    for r in ours {
        let matching = peer
            .iter()
            .filter(|q| q.stats.recall >= r.stats.recall)
            .min_by(|a, b| a.time_ms().total_cmp(&b.time_ms()));
        let (setting, recall, ms, ratio) = match matching {
            Some(q) => (
                format!("ef={}", q.search_value),
                fmt_recall(&q.stats),
                format!("{:.3}", q.time_ms()),
                format!("{:.2}", r.time_ms() / q.time_ms()),
            ),
            None => {
                let best = peer.iter().map(|q| q.stats.recall).fold(0.0, f64::max);
                (
                    format!("not reached (best {best:.4})"),
                    "-".into(),
                    "-".into(),
                    "-".into(),
                )
            }
        };
        let same = match peer.iter().find(|q| q.search_value == r.search_value) {
            Some(q) => format!(
                "{} | {:.3} | {:.2}",
                fmt_recall(&q.stats),
                q.time_ms(),
                r.time_ms() / q.time_ms()
            ),
            None => "- | - | -".into(),
        };
        let variant = match r.params.get("layer0_links").and_then(Value::as_str) {
            Some("M_max0") => " (2M links)",
            _ => "",
        };
        println!(
            "| ef={}{variant} | {} | {:.3} | {setting} | {recall} | {ms} | {ratio} | {same} |",
            r.search_value,
            fmt_recall(&r.stats),
            r.time_ms()
        );
    }
    let per_query = |r: &Row| r.stats.cpu_batch_s.map(|s| s * 1e3 / r.stats.batch as f64);
    println!();
    println!("batch of the first queries back to back (thread CPU ms per query), same ef:");
    for r in ours {
        if let Some(q) = peer.iter().find(|q| q.search_value == r.search_value)
            && let (Some(a), Some(b)) = (per_query(r), per_query(q))
        {
            println!(
                "ef={}: ours {a:.3}, peer {b:.3}, ours/peer {:.2}",
                r.search_value,
                a / b
            );
        }
    }
}
