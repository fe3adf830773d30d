//! `annlab bench flat`: exact (FLAT) search, the baseline every index must beat,
//! one query at a time and as a batch, beside numpy measured in the same run on
//! the same data (`--python`: an interpreter with numpy; its BLAS does the GEMV
//! `B @ q` and the GEMM `Q @ Bᵀ` on one thread).
//!
//! Four ways to scan, so that each step of the kernel work shows its effect:
//! - `pair loop`: one distance at a time with the pair kernel (the textbook scan);
//! - `interleaved`: [`exact_search`], four rows per step of the query;
//! - `batch loop`: `nq` queries, one `exact_search` each;
//! - `batch blocked`: [`exact_search_batch`], the rows read once for all queries.

use std::hint::black_box;
use std::path::PathBuf;
use std::process::Command;

use annlab_core::dataset::{Stream, unit_gaussian};
use annlab_core::index::VectorView;
use annlab_core::index::flat::{exact_search, exact_search_batch};
use annlab_core::topk::{Neighbour, TopK};
use annlab_core::{DataSpec, Metric, kernels};
use anyhow::{Context, bail};
use clap::Args;
use serde::{Deserialize, Serialize};

use annlab_core::stats::median;

use super::measure::ThreadCpu;

/// One scan's (impl, mode, queries per call, CPU ms samples, wall ms samples).
type Samples = (&'static str, &'static str, usize, Vec<f64>, Vec<f64>);

/// Rounds of measurements; each times every scan `--reps` times.
const ROUNDS: usize = 3;

#[derive(Args, Debug)]
pub struct FlatArgs {
    /// Rows.
    #[arg(long, default_value_t = 10_000)]
    pub n: usize,
    /// Vector dimension.
    #[arg(long, default_value_t = 1536)]
    pub dim: usize,
    /// Queries of the batch.
    #[arg(long, default_value_t = 100)]
    pub nq: usize,
    /// Results per query.
    #[arg(long, default_value_t = 10)]
    pub k: usize,
    /// Timed repetitions; medians are reported.
    #[arg(long, default_value_t = 7)]
    pub reps: usize,
    #[command(flatten)]
    pub python: super::python::PythonArgs,
    /// One JSON object per line and configuration, no table.
    #[arg(long)]
    pub json: bool,
}

/// One way of scanning.
#[derive(Debug, Serialize, Deserialize)]
struct FlatRow {
    bench: String,
    #[serde(rename = "impl")]
    impl_: String,
    mode: String,
    n: usize,
    dim: usize,
    nq: usize,
    /// Best CPU ms of one call (a single query, or the whole batch): the figure
    /// least disturbed by other processes, and the one compared.
    cpu_ms_best: f64,
    /// Median CPU ms of one call.
    cpu_ms: f64,
    /// Median wall ms of one call.
    wall_ms: f64,
    /// Best CPU ms per query.
    cpu_ms_per_query: f64,
    /// Rows' bytes per best CPU second, counting each row once per call.
    gbs: f64,
    /// Multiply-adds ×2 per best CPU second.
    gflops: f64,
}

/// The numpy script: reads the two .fvecs files, times the GEMV and GEMM with
/// their top-k (argpartition) and prints one JSON object.
const NUMPY_SCRIPT: &str = r#"
import json, sys, time
import numpy as np
def fvecs(path):
    a = np.fromfile(path, dtype=np.int32)
    d = int(a[0])
    return a.reshape(-1, d + 1)[:, 1:].copy().view(np.float32)
base, queries, k, reps = fvecs(sys.argv[1]), fvecs(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
def timed(f):
    f()
    cpu, wall = [], []
    for _ in range(reps):
        c, w = time.thread_time(), time.perf_counter()
        f()
        cpu.append((time.thread_time() - c) * 1e3)
        wall.append((time.perf_counter() - w) * 1e3)
    return cpu, wall
q = queries[0]
def single():
    s = base @ q
    np.argpartition(-s, k)[:k]
def batch():
    s = queries @ base.T
    np.argpartition(-s, k, axis=1)[:, :k]
print(json.dumps({"numpy": np.__version__, "single": timed(single), "batch": timed(batch)}))
"#;

pub fn run(args: &FlatArgs) -> anyhow::Result<()> {
    DataSpec {
        n: args.n,
        dim: args.dim,
        seed: 0,
        kind: Default::default(),
    }
    .validate()
    .context("invalid --n/--dim")?;
    let python = args.python.interpreter();
    if args.nq == 0 || args.k == 0 || args.reps == 0 {
        bail!("--nq, --k and --reps must be at least 1");
    }
    let cpu = ThreadCpu::new().context("thread CPU time needs Linux's /proc")?;
    let (n, dim, nq, k) = (args.n, args.dim, args.nq, args.k);
    let metric = Metric::Cosine;
    let mut base = unit_gaussian(n, dim, 42, Stream::Base);
    let mut queries = unit_gaussian(nq, dim, 42, Stream::Queries);
    for (i, v) in base.chunks_exact_mut(dim).enumerate() {
        metric.prepare(i, v)?;
    }
    for (i, v) in queries.chunks_exact_mut(dim).enumerate() {
        metric.prepare(i, v)?;
    }
    let v = VectorView::new(dim, &base);
    let q: Vec<&[f32]> = queries.chunks_exact(dim).collect();

    // The results must agree before any of them is timed.
    let blocked = exact_search_batch(v, metric, &q, k, None);
    for (qi, got) in blocked.iter().enumerate() {
        let rows = |h: &[Neighbour]| h.iter().map(|x| x.row).collect::<Vec<_>>();
        let one = exact_search(v, metric, q[qi], k, None);
        if rows(got) != rows(&one) || rows(&one) != rows(&pair_loop(v, q[qi], k)) {
            bail!("query {qi}: the scans disagree (a bug: please report it)");
        }
    }

    // Rounds alternate ours and numpy, so that a burst of load from other processes
    // hits both; every sample is kept and the best and the median reported.
    let mut samples: Vec<Samples> = vec![
        ("annlab", "single: pair loop", 1, vec![], vec![]),
        ("annlab", "single: interleaved", 1, vec![], vec![]),
        ("annlab", "batch: loop", nq, vec![], vec![]),
        ("annlab", "batch: blocked", nq, vec![], vec![]),
    ];
    let mut numpy_version = None;
    if python.is_some() {
        samples.push(("numpy", "single: GEMV", 1, vec![], vec![]));
        samples.push(("numpy", "batch: GEMM", nq, vec![], vec![]));
    }
    for _round in 0..ROUNDS {
        let mut time = |slot: usize, f: &mut dyn FnMut()| {
            f();
            for _ in 0..args.reps {
                let (t, start) = (std::time::Instant::now(), cpu.now());
                f();
                samples[slot].3.push(cpu.ms_since(start).0);
                samples[slot].4.push(t.elapsed().as_secs_f64() * 1e3);
            }
        };
        time(0, &mut || {
            black_box(pair_loop(v, black_box(q[0]), k));
        });
        time(1, &mut || {
            black_box(exact_search(v, metric, black_box(q[0]), k, None));
        });
        time(2, &mut || {
            for &x in &q {
                black_box(exact_search(v, metric, black_box(x), k, None));
            }
        });
        time(3, &mut || {
            black_box(exact_search_batch(v, metric, black_box(&q), k, None));
        });
        if let Some(python) = &python {
            let out = numpy(python, &base, &queries, dim, k, args.reps)?;
            numpy_version = Some(out.numpy);
            for (slot, (cpu, wall)) in [(4, out.single), (5, out.batch)] {
                samples[slot].3.extend(cpu);
                samples[slot].4.extend(wall);
            }
        }
    }
    let rows: Vec<FlatRow> = samples
        .into_iter()
        .map(|(impl_, mode, queries, cpu, wall)| {
            let best = cpu.iter().copied().fold(f64::INFINITY, f64::min);
            FlatRow {
                bench: "flat".into(),
                impl_: impl_.into(),
                mode: mode.into(),
                n,
                dim,
                nq: queries,
                cpu_ms_best: best,
                cpu_ms: median(&cpu),
                wall_ms: median(&wall),
                cpu_ms_per_query: best / queries as f64,
                gbs: (n * dim * 4) as f64 / (best * 1e-3) / 1e9,
                gflops: (2 * n * dim * queries) as f64 / (best * 1e-3) / 1e9,
            }
        })
        .collect();
    if args.json {
        for r in &rows {
            println!("{}", serde_json::to_string(r)?);
        }
    } else {
        print_table(args, &rows, numpy_version.as_deref());
    }
    Ok(())
}

/// The textbook scan: one pair-kernel distance per row.
fn pair_loop(v: VectorView<'_>, q: &[f32], k: usize) -> Vec<Neighbour> {
    let mut top = TopK::new(k);
    for row in 0..v.len() {
        let distance = -kernels::dot(q, v.get(row));
        if distance <= top.threshold() {
            top.push(Neighbour {
                row: row as u32,
                distance,
            });
        }
    }
    top.into_sorted()
}

/// What [`NUMPY_SCRIPT`] prints: (CPU ms samples, wall ms samples) of a single
/// query and of the batch.
#[derive(Deserialize)]
struct NumpyOut {
    numpy: String,
    single: (Vec<f64>, Vec<f64>),
    batch: (Vec<f64>, Vec<f64>),
}

/// Runs [`NUMPY_SCRIPT`] with one BLAS thread.
fn numpy(
    python: &PathBuf,
    base: &[f32],
    queries: &[f32],
    dim: usize,
    k: usize,
    reps: usize,
) -> anyhow::Result<NumpyOut> {
    let dir = std::env::temp_dir().join(format!("annlab-bench-flat-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let (b, q) = (dir.join("base.fvecs"), dir.join("queries.fvecs"));
    std::fs::write(&b, annlab_core::vecs::to_fvecs(dim, base))?;
    std::fs::write(&q, annlab_core::vecs::to_fvecs(dim, queries))?;
    let mut cmd = Command::new(python);
    cmd.arg("-c").arg(NUMPY_SCRIPT).arg(&b).arg(&q);
    cmd.arg(k.to_string()).arg(reps.to_string());
    for var in [
        "OMP_NUM_THREADS",
        "OPENBLAS_NUM_THREADS",
        "MKL_NUM_THREADS",
        "BLIS_NUM_THREADS",
    ] {
        cmd.env(var, "1");
    }
    let out = cmd
        .output()
        .with_context(|| format!("cannot run {}", python.display()));
    std::fs::remove_dir_all(&dir).ok();
    let out = out?;
    if !out.status.success() {
        bail!(
            "{} failed (does it have numpy? `./x peers`, or `python3 -m venv V && V/bin/pip install numpy`): {}",
            python.display(),
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .unwrap_or("")
        );
    }
    serde_json::from_slice(&out.stdout).context("unexpected output of the numpy script")
}

fn print_table(args: &FlatArgs, rows: &[FlatRow], numpy: Option<&str>) {
    println!(
        "annlab bench flat: n={} dim={} COSINE top-{}, batch of {} queries, 1 thread, kernel {}, {ROUNDS} rounds × {} runs (numpy in each round)",
        args.n,
        args.dim,
        args.k,
        args.nq,
        kernels::best().name,
        args.reps
    );
    println!(
        "best: the fastest run (least disturbed by other processes; compared below); GB/s and GFLOP/s from it"
    );
    match numpy {
        Some(v) => println!("numpy {v}: same data, same run, one BLAS thread"),
        None => println!(
            "numpy: not measured (`./x peers` installs target/peers-venv, found by default; or --python PATH to an interpreter with numpy)"
        ),
    }
    println!();
    println!(
        "| impl | scan | CPU ms best | CPU ms median | wall ms median | CPU ms / query | GB/s | GFLOP/s |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|");
    for r in rows {
        println!(
            "| {} | {} | {:.2} | {:.2} | {:.2} | {:.3} | {:.1} | {:.1} |",
            r.impl_,
            r.mode,
            r.cpu_ms_best,
            r.cpu_ms,
            r.wall_ms,
            r.cpu_ms_per_query,
            r.gbs,
            r.gflops
        );
    }
    let find = |mode: &str| rows.iter().find(|r| r.mode == mode).map(|r| r.cpu_ms_best);
    if let (Some(ours), Some(peer)) = (find("single: interleaved"), find("single: GEMV")) {
        println!();
        println!(
            "single query, ours / numpy GEMV (best CPU time): {:.2}",
            ours / peer
        );
    }
    if let (Some(ours), Some(peer)) = (find("batch: blocked"), find("batch: GEMM")) {
        println!(
            "batch, ours / numpy GEMM (best CPU time): {:.2}",
            ours / peer
        );
    }
}
