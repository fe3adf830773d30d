//! Python peers of `annlab bench index` (`--python`): hnswlib and faiss's
//! `IndexHNSWFlat`, whichever the interpreter can import, built and searched on the
//! same data, in the same run, one thread, timed by thread CPU time like ours.
//!
//! Inner product on our unit vectors (= COSINE). Every query is one call, as ours
//! (the call's Python overhead is counted, as a Python user pays it); the batch
//! figures are the first queries in one call (the library's own loop, one thread),
//! without that overhead.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, bail};
use serde::Deserialize;
use serde_json::{Map, json};

use super::report::{BuildStat, Common, Row};
use super::sweep::{BATCH, SearchStats};
use annlab_core::stats::{mean, median, percentile, standard_error};

const SCRIPT: &str = r#"
import json, sys, time
import numpy as np
from importlib.metadata import version
def fvecs(path):
    a = np.fromfile(path, dtype=np.int32)
    d = int(a[0])
    return np.ascontiguousarray(a.reshape(-1, d + 1)[:, 1:]).view(np.float32)
base, queries = fvecs(sys.argv[1]), fvecs(sys.argv[2])
m, efc, k, reps, seed = (int(x) for x in sys.argv[3:8])
efs = [int(x) for x in sys.argv[8].split(",")]
n, dim = base.shape
def sweep(name, version, build, set_ef, search, search_batch):
    c, w = time.thread_time(), time.perf_counter()
    nbytes = build()
    out = {"peer": name, "version": version, "build_cpu_s": time.thread_time() - c,
           "build_s": time.perf_counter() - w, "index_bytes": nbytes, "efs": []}
    for ef in efs:
        set_ef(ef)
        for q in queries[:20]:
            search(q)
        ids, passes = None, []
        for _ in range(reps):
            cpu, wall, got = [], [], []
            for q in queries:
                c, w = time.thread_time_ns(), time.perf_counter_ns()
                got.append(search(q))
                cpu.append((time.thread_time_ns() - c) / 1e6)
                wall.append((time.perf_counter_ns() - w) / 1e6)
            ids = ids or got
            c, w = time.thread_time(), time.perf_counter()
            search_batch(queries[:100])
            batch = (time.thread_time() - c, time.perf_counter() - w)
            passes.append({"cpu_ms": cpu, "wall_ms": wall, "batch_cpu_s": batch[0], "batch_s": batch[1]})
        out["efs"].append({"ef": ef, "ids": ids, "passes": passes})
    print(json.dumps(out), flush=True)
try:
    import hnswlib
    h = hnswlib.Index(space="ip", dim=dim)
    def build():
        h.init_index(max_elements=n, ef_construction=efc, M=m, random_seed=seed)
        h.set_num_threads(1)
        h.add_items(base, np.arange(n), num_threads=1)
        return n * (2 * m + 1) * 4
    def set_ef(ef): h.set_ef(ef)
    def search(q): return [int(x) for x in h.knn_query(q, k=k, num_threads=1)[0][0]]
    def search_batch(qs): h.knn_query(qs, k=k, num_threads=1)
    sweep("hnswlib", version("hnswlib"), build, set_ef, search, search_batch)
except ImportError:
    pass
try:
    import faiss
    faiss.omp_set_num_threads(1)
    f = faiss.IndexHNSWFlat(dim, m, faiss.METRIC_INNER_PRODUCT)
    def build():
        f.hnsw.efConstruction = efc
        f.add(base)
        return n * 2 * m * 4
    def set_ef(ef): f.hnsw.efSearch = ef
    def search(q): return [int(x) for x in f.search(q[None, :], k)[1][0]]
    def search_batch(qs): f.search(qs, k)
    sweep("faiss", faiss.__version__, build, set_ef, search, search_batch)
except ImportError:
    pass
"#;

#[derive(Deserialize)]
struct Pass {
    cpu_ms: Vec<f64>,
    wall_ms: Vec<f64>,
    /// The first `BATCH` queries in one call (no per-query Python overhead).
    batch_cpu_s: f64,
    batch_s: f64,
}

#[derive(Deserialize)]
struct Setting {
    ef: usize,
    ids: Vec<Vec<i64>>,
    passes: Vec<Pass>,
}

#[derive(Deserialize)]
struct PeerOut {
    peer: String,
    version: String,
    build_cpu_s: f64,
    build_s: f64,
    index_bytes: usize,
    efs: Vec<Setting>,
}

/// What the Python peers are asked to do.
pub struct PyRun<'a> {
    pub python: &'a Path,
    pub data: &'a super::data::Data,
    pub common: &'a Common,
    pub m: usize,
    pub ef_construction: usize,
    pub efs: &'a [usize],
    pub reps: usize,
    pub seed: u64,
}

/// Runs the peers the interpreter has; their rows (none when it has neither).
pub fn run(p: &PyRun<'_>) -> anyhow::Result<Vec<Row>> {
    let data = p.data;
    let dir = std::env::temp_dir().join(format!("annlab-bench-index-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let (b, q) = (dir.join("base.fvecs"), dir.join("queries.fvecs"));
    std::fs::write(&b, annlab_core::vecs::to_fvecs(data.dim, &data.base))?;
    std::fs::write(&q, annlab_core::vecs::to_fvecs(data.dim, &data.queries))?;
    let efs: Vec<String> = p.efs.iter().map(usize::to_string).collect();
    let mut cmd = Command::new(p.python);
    cmd.arg("-c").arg(SCRIPT).arg(&b).arg(&q);
    for v in [p.m, p.ef_construction, p.common.k, p.reps] {
        cmd.arg(v.to_string());
    }
    cmd.arg((p.seed % (1 << 31)).to_string()).arg(efs.join(","));
    for var in ["OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"] {
        cmd.env(var, "1");
    }
    let out = cmd
        .output()
        .with_context(|| format!("cannot run {}", p.python.display()));
    std::fs::remove_dir_all(&dir).ok();
    let out = out?;
    if !out.status.success() {
        bail!(
            "{} failed (`./x peers` installs them into target/peers-venv): {}",
            p.python.display(),
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .unwrap_or("")
        );
    }
    let mut rows = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let peer: PeerOut = serde_json::from_str(line).context("unexpected peer output")?;
        rows.extend(peer_rows(p, peer));
    }
    Ok(rows)
}

fn peer_rows(p: &PyRun<'_>, peer: PeerOut) -> Vec<Row> {
    let mut build = BuildStat::new(p.data.n(), peer.build_s, Some(peer.build_cpu_s), None);
    build.threads = 1;
    let params: Map<_, _> = json!({"M": p.m, "efConstruction": p.ef_construction})
        .as_object()
        .cloned()
        .unwrap_or_default();
    let name = format!("{} {}", peer.peer, peer.version);
    peer.efs
        .into_iter()
        .map(|s| {
            let recalls: Vec<f64> = s
                .ids
                .iter()
                .enumerate()
                .map(|(q, ids)| {
                    let ids: Vec<u32> = ids.iter().map(|&i| i as u32).collect();
                    p.data.recall_at_k(q, &ids, p.common.k)
                })
                .collect();
            let per_pass = |f: &dyn Fn(&Pass) -> f64| -> f64 {
                median(&s.passes.iter().map(f).collect::<Vec<_>>())
            };
            let nq = p.data.nq() as f64;
            let stats = SearchStats {
                recall: mean(&recalls),
                recall_se: standard_error(&recalls),
                lat_med_ms: per_pass(&|x| median(&x.wall_ms)),
                lat_p99_ms: per_pass(&|x| percentile(&x.wall_ms, 99.0)),
                qps: per_pass(&|x| nq / (x.wall_ms.iter().sum::<f64>() / 1e3)),
                batch_s: per_pass(&|x| x.batch_s),
                batch: p.data.nq().min(BATCH),
                cpu_lat_med_ms: Some(per_pass(&|x| median(&x.cpu_ms))),
                cpu_qps: Some(per_pass(&|x| nq / (x.cpu_ms.iter().sum::<f64>() / 1e3))),
                cpu_batch_s: Some(per_pass(&|x| x.batch_cpu_s)),
            };
            Row {
                implementation: "python",
                peer: name.clone(),
                common: p.common.clone(),
                index: "HNSW",
                params: params.clone(),
                build: vec![build.clone()],
                search_param: "ef",
                search_value: s.ef,
                stats,
                index_bytes: Some(peer.index_bytes),
                note: "Python peer in the same run: one call per query (its overhead \
                       counted), one thread, inner product on unit vectors; build CPU \
                       is thread CPU time"
                    .into(),
            }
        })
        .collect()
}
