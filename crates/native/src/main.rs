//! `annlab`: the native face of the engine. All algorithm code lives in
//! `annlab-core`; this crate parses flags, reads the clock, prints and (later)
//! touches the disk and the network.

mod search;

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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Search(args) => search::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
