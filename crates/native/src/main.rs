//! `annlab`: the native face of the engine. All algorithm code lives in
//! `annlab-core`; this crate parses flags, reads the clock, prints and (later)
//! touches the disk and the network.

mod bench;
mod fvecs;
mod progress;
mod remote;
mod scenario;
mod search;
mod serve;
mod store;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "annlab",
    version,
    about = "Learn and measure vector search: the Milvus tutorial, for real"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Generate the tutorial's seeded data and print the exact COSINE top-k of one
    /// random query (the tutorial's step 7, without an index).
    Search(search::SearchArgs),
    /// Run the Milvus tutorial's 13 steps and its exercises on the embedded engine,
    /// at full size by default, printing its output with measured numbers.
    Scenario(Box<scenario::ScenarioArgs>),
    /// Measure the engine: distance kernels, and indexes against a peer library.
    Bench(bench::BenchArgs),
    /// Serve Milvus's gRPC API (pymilvus works against it) and Prometheus metrics.
    Serve(serve::ServeArgs),
    /// Durable storage in a data directory: ingest, info, drop.
    Db {
        #[command(subcommand)]
        command: store::DbCommand,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Search(args) => search::run(&args),
        Command::Scenario(args) => scenario::run(&args),
        Command::Bench(args) => bench::run(&args),
        Command::Serve(args) => serve::run(&args),
        Command::Db { command } => store::run(&command),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
