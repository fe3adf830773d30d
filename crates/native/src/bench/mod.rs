//! `annlab bench`: measurements of the engine, printed as tables or JSON lines.
//!
//! - `kernels`: every distance kernel of this CPU, beside its memory bandwidth;
//! - `flat`: exact search, single query and batch, beside numpy's GEMV and GEMM;
//! - `index`: recall, latency and QPS of each index, and of a peer library
//!   measured in the same run on the same data;
//! - `scale`: HNSW as n grows (build on 1 and on every core, memory, query time
//!   at a recall target).
//!
//! Only measuring lives here: every index and kernel comes from `annlab-core`.

mod data;
mod flat;
mod index;
mod kernels;
mod measure;
mod peer;
mod plot;
mod pypeers;
mod python;
mod report;
mod scale;
mod sweep;

use clap::{Args, Subcommand};

#[derive(Args, Debug)]
pub struct BenchArgs {
    #[command(subcommand)]
    pub command: BenchCommand,
}

#[derive(Subcommand, Debug)]
pub enum BenchCommand {
    /// Time every distance kernel of this CPU (ns per distance, GB/s, share of the
    /// measured memory bandwidth, speed-up over scalar) for COSINE, IP and L2.
    Kernels(kernels::KernelArgs),
    /// Time exact (FLAT) search, one query and a batch, beside numpy's GEMV and GEMM
    /// measured in the same run on the same data (with --python).
    Flat(flat::FlatArgs),
    /// Build each index on the same data and measure recall@k, latency and QPS per
    /// ef or nprobe, single thread, beside the `hnsw` crate measured in the same run.
    Index(Box<index::IndexArgs>),
    /// HNSW as n grows: build time on one thread and on every core, memory, and
    /// the per-query time at the first ef reaching a recall target, per size.
    Scale(scale::ScaleArgs),
}

pub fn run(args: &BenchArgs) -> anyhow::Result<()> {
    match &args.command {
        BenchCommand::Kernels(a) => kernels::run(a),
        BenchCommand::Flat(a) => flat::run(a),
        BenchCommand::Index(a) => index::run(a),
        BenchCommand::Scale(a) => scale::run(a),
    }
}
