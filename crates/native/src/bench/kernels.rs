//! `annlab bench kernels`: every distance kernel this CPU can run, per metric, in
//! two settings: a *pair* of vectors that stay in L1 cache (compute-bound) and a
//! *scan* of one query against `n` rows (memory-bound once `n·dim·4` bytes exceed
//! the caches), beside the machine's memory read bandwidth measured in the same run.

use std::hint::black_box;
use std::time::{Duration, Instant};

use annlab_core::dataset::{Stream, unit_gaussian};
use annlab_core::kernels::{self, Kernels};
use annlab_core::{DataSpec, Metric};
use anyhow::{Context, bail};
use clap::Args;
use serde::Serialize;

use annlab_core::stats::median;

/// A timed batch of calls lasts at least this long.
const MIN_BATCH: Duration = Duration::from_millis(20);
/// Passes over the bandwidth array, before and after the kernels; the best of all
/// is reported.
const BANDWIDTH_PASSES: usize = 5;

#[derive(Args, Debug)]
pub struct KernelArgs {
    /// Vector dimension.
    #[arg(long, default_value_t = 1536)]
    pub dim: usize,
    /// Rows of the scan (one query against n rows).
    #[arg(long, default_value_t = 10_000)]
    pub n: usize,
    /// MiB of the f32 array summed to measure the memory read bandwidth.
    #[arg(long, default_value_t = 256)]
    pub mem_mib: usize,
    /// Timed repetitions of each measurement; the median is reported.
    #[arg(long, default_value_t = 7)]
    pub reps: usize,
    /// One JSON object per line (the bandwidth, then one per metric and kernel).
    #[arg(long)]
    pub json: bool,
}

/// One kernel on one metric.
#[derive(Debug, Serialize)]
struct KernelRow {
    bench: &'static str,
    metric: &'static str,
    kernel: &'static str,
    dim: usize,
    n: usize,
    /// ns per distance, both vectors in L1 cache.
    pair_ns: f64,
    /// `2·dim·4` bytes per distance / time.
    pair_gbs: f64,
    /// Scalar's time / this kernel's time.
    pair_speedup: f64,
    /// ns per row of the scan.
    scan_ns_per_row: f64,
    /// `n·dim·4` bytes per scan / time.
    scan_gbs: f64,
    /// `scan_gbs` / the measured memory read bandwidth.
    scan_of_mem_bw: f64,
    scan_speedup: f64,
    mem_bw_gbs: f64,
}

#[derive(Debug, Serialize)]
struct BandwidthRow {
    bench: &'static str,
    bytes: usize,
    passes: usize,
    read_gbs: f64,
}

pub fn run(args: &KernelArgs) -> anyhow::Result<()> {
    DataSpec {
        n: args.n,
        dim: args.dim,
        seed: 0,
        kind: Default::default(),
    }
    .validate()
    .context("invalid --n/--dim")?;
    if !(1..=16_384).contains(&args.mem_mib) {
        bail!("--mem-mib {} is outside [1, 16384]", args.mem_mib);
    }
    if args.reps == 0 {
        bail!("--reps must be at least 1");
    }
    // Measured before and after the kernels (the best of both), so that a moment
    // of contention from other processes does not set it.
    let bandwidth_before = memory_bandwidth_gbs(args.mem_mib << 20);
    let (dim, n) = (args.dim, args.n);
    let base = unit_gaussian(n, dim, 42, Stream::Base);
    let query = unit_gaussian(1, dim, 42, Stream::Queries);
    let available = kernels::available();
    let mut timings = Vec::new();
    for metric in [Metric::Cosine, Metric::Ip, Metric::L2] {
        let timed: Vec<(Kernels, f64, f64)> = available
            .iter()
            .map(|&k| {
                let f = kernel_of(k, metric);
                let pair = time_per_call(args.reps, || {
                    black_box(black_box(f)(black_box(&query), black_box(&base[..dim])));
                });
                let scan = time_per_call(args.reps, || {
                    let f = black_box(f);
                    let q = black_box(&query[..]);
                    let acc: f32 = base.chunks_exact(dim).map(|row| f(q, row)).sum();
                    black_box(acc);
                });
                (k, pair, scan)
            })
            .collect();
        timings.push((metric, timed));
    }
    let bandwidth = BandwidthRow {
        bench: "memory",
        bytes: args.mem_mib << 20,
        passes: 2 * BANDWIDTH_PASSES,
        read_gbs: bandwidth_before.max(memory_bandwidth_gbs(args.mem_mib << 20)),
    };
    let mut rows = Vec::new();
    for (metric, timed) in timings {
        let (_, scalar_pair, scalar_scan) = timed[0];
        for (k, pair, scan) in timed {
            let scan_gbs = (n * dim * 4) as f64 / scan / 1e9;
            rows.push(KernelRow {
                bench: "kernels",
                metric: metric.name(),
                kernel: k.name,
                dim,
                n,
                pair_ns: pair * 1e9,
                pair_gbs: (2 * dim * 4) as f64 / pair / 1e9,
                pair_speedup: scalar_pair / pair,
                scan_ns_per_row: scan / n as f64 * 1e9,
                scan_gbs,
                scan_of_mem_bw: scan_gbs / bandwidth.read_gbs,
                scan_speedup: scalar_scan / scan,
                mem_bw_gbs: bandwidth.read_gbs,
            });
        }
    }
    if args.json {
        println!("{}", serde_json::to_string(&bandwidth)?);
        for r in &rows {
            println!("{}", serde_json::to_string(r)?);
        }
    } else {
        print_table(args, &bandwidth, &rows);
    }
    Ok(())
}

/// COSINE is the inner product of vectors normalised once, at insert and query.
fn kernel_of(k: Kernels, metric: Metric) -> fn(&[f32], &[f32]) -> f32 {
    match metric {
        Metric::Cosine | Metric::Ip => k.dot,
        Metric::L2 => k.l2_squared,
        Metric::Hamming | Metric::Jaccard => unreachable!("the bench measures float kernels"),
    }
}

/// Median seconds per call of `f`, timing batches of calls that last at least
/// [`MIN_BATCH`].
fn time_per_call(reps: usize, mut f: impl FnMut()) -> f64 {
    let mut batch = |iters: u64| {
        let t = Instant::now();
        for _ in 0..iters {
            f();
        }
        t.elapsed()
    };
    batch(1); // warm-up: caches, page faults, frequency
    let mut iters = 1u64;
    loop {
        let e = batch(iters);
        if e >= MIN_BATCH {
            break;
        }
        let scale = MIN_BATCH.as_secs_f64() / e.as_secs_f64().max(1e-9);
        iters = ((iters as f64 * scale * 1.2).ceil() as u64).clamp(iters + 1, iters * 100);
    }
    let times: Vec<f64> = (0..reps)
        .map(|_| batch(iters).as_secs_f64() / iters as f64)
        .collect();
    median(&times)
}

/// One thread's read bandwidth in GB/s: the best of several sums of an array of
/// `bytes` (far larger than the caches).
fn memory_bandwidth_gbs(bytes: usize) -> f64 {
    let data = vec![1.0f32; bytes / 4];
    (0..BANDWIDTH_PASSES)
        .map(|_| {
            let t = Instant::now();
            black_box(sum(black_box(&data)));
            bytes as f64 / t.elapsed().as_secs_f64() / 1e9
        })
        .fold(0.0, f64::max)
}

/// A sum with 16 independent accumulators, so that it is limited by memory, not by
/// the latency of additions.
fn sum(v: &[f32]) -> f32 {
    let mut acc = [0.0f32; 16];
    let chunks = v.chunks_exact(16);
    let tail: f32 = chunks.remainder().iter().sum();
    for c in chunks {
        for (a, x) in acc.iter_mut().zip(c) {
            *a += x;
        }
    }
    acc.iter().sum::<f32>() + tail
}

fn print_table(args: &KernelArgs, bw: &BandwidthRow, rows: &[KernelRow]) {
    let mb = (args.n * args.dim * 4) as f64 / 1e6;
    println!(
        "annlab bench kernels: dim {}, 1 thread, median of {} repetitions",
        args.dim, args.reps
    );
    println!(
        "memory read bandwidth: {:.1} GB/s (sum of a {} MiB f32 array, best of {} passes before and after the kernels)",
        bw.read_gbs, args.mem_mib, bw.passes
    );
    println!(
        "pair: two vectors in L1 cache, 2·dim·4 bytes per distance; scan: one query against n = {} rows, n·dim·4 = {mb:.1} MB per scan",
        args.n
    );
    println!("COSINE is the inner product of vectors normalised at insert (same kernel as IP)");
    println!();
    println!(
        "| metric | kernel | pair ns | pair GB/s | pair ×scalar | scan ns/row | scan GB/s | scan / mem bw | scan ×scalar |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|");
    for r in rows {
        println!(
            "| {} | {} | {:.1} | {:.1} | {:.2} | {:.1} | {:.1} | {:.0} % | {:.2} |",
            r.metric,
            r.kernel,
            r.pair_ns,
            r.pair_gbs,
            r.pair_speedup,
            r.scan_ns_per_row,
            r.scan_gbs,
            r.scan_of_mem_bw * 100.0,
            r.scan_speedup
        );
    }
    if rows.iter().any(|r| r.scan_of_mem_bw > 1.0) {
        println!();
        println!(
            "scan / mem bw above 100 %: part of the {mb:.1} MB of rows came from the last-level cache"
        );
    }
}
