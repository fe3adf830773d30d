//! `annlab search`: the exact top-k of the quick start, as a table or JSON.

use std::time::Instant;

use annlab_core::{DataSpec, Hit, QuickstartParams, quickstart};
use anyhow::Context;
use clap::Args;
use serde::Serialize;

#[derive(Args, Debug)]
pub struct SearchArgs {
    /// Number of vectors (the tutorial's n_vectors).
    #[arg(long, default_value_t = DataSpec::TUTORIAL.n)]
    pub n: usize,
    /// Vector dimension.
    #[arg(long, default_value_t = DataSpec::TUTORIAL.dim)]
    pub dim: usize,
    /// Seed of every random choice (data and query).
    #[arg(long, default_value_t = DataSpec::TUTORIAL.seed)]
    pub seed: u64,
    /// The data: the tutorial's random vectors or embedding-like ones.
    #[arg(long, default_value = "random", value_parser = crate::scenario::data_kind_parser())]
    pub data: annlab_core::dataset::DataKind,
    /// Number of results (the search's limit).
    #[arg(long, short, default_value_t = 10)]
    pub k: usize,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct Report<'a> {
    params: &'a QuickstartParams,
    elapsed_ms: f64,
    hits: &'a [Hit],
}

pub fn run(args: &SearchArgs) -> anyhow::Result<()> {
    let params = QuickstartParams {
        data: DataSpec {
            n: args.n,
            dim: args.dim,
            seed: args.seed,
            kind: args.data,
        },
        k: args.k,
    };
    let start = Instant::now();
    let hits = quickstart::run(&params).context("cannot run the search")?;
    let elapsed_ms = start.elapsed().as_secs_f64() * 1e3;
    if args.json {
        let report = Report {
            params: &params,
            elapsed_ms,
            hits: &hits,
        };
        println!("{}", serde_json::to_string(&report)?);
    } else {
        println!(
            "n = {}, dim = {}, seed = {}: generated and searched in {elapsed_ms:.1} ms",
            args.n, args.dim, args.seed
        );
        println!(
            "{:>4}  {:>8}  {:>8}  {:<16}  source",
            "rank", "id", "score", "text"
        );
        for h in &hits {
            // Pad by terminal columns: the texts are Chinese, two columns a character.
            let pad = 16usize.saturating_sub(columns(&h.text));
            println!(
                "{:>4}  {:>8}  {:>8.4}  {}{:pad$}  {}",
                h.rank, h.id, h.score, h.text, "", h.source
            );
        }
    }
    Ok(())
}

/// Terminal columns of a string: ASCII takes one, everything else (CJK here) two.
fn columns(s: &str) -> usize {
    s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}
