//! `annlab db info`: what a data directory holds. Opening reads the stored
//! indexes as they were built, so it takes the time of reading the files, not of
//! building (the open time is printed).

use annlab_core::collection::IndexState;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Result;
use clap::Args;
use serde_json::{Value, json};

use super::Store;
use crate::serve::params::index_params_json;

#[derive(Args, Debug)]
pub struct InfoArgs {
    /// Data directory.
    #[arg(long)]
    pub data_dir: PathBuf,
    /// One JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &InfoArgs) -> Result<()> {
    let start = Instant::now();
    let (store, db) = Store::open(&args.data_dir)?;
    let open_ms = start.elapsed().as_secs_f64() * 1e3;
    let mut collections = Vec::new();
    for c in db.collections() {
        let entry = store
            .manifest()
            .entry(super::manifest::DEFAULT_DATABASE, c.name());
        let progress = c.index_progress();
        let index = c.index().map(|d| {
            json!({
                "type": d.spec.params.index_type().name(),
                "metric": d.spec.metric.to_string(),
                "params": Value::Object(index_params_json(&d.spec.params)),
                "state": match c.index_state() {
                    IndexState::Finished => "Finished",
                    IndexState::InProgress => "InProgress",
                    IndexState::None => "None",
                },
            })
        });
        collections.push(json!({
            "name": c.name(),
            "rows": c.num_entities(),
            "count": c.count(),
            "sealed_segments": c.sealed_segments().len(),
            "indexed_rows": progress.indexed_rows,
            "pending_index_rows": progress.pending_index_rows,
            "index": index,
            "memory_bytes": c.memory_bytes(),
            "file": entry.map(|e| e.file.as_str()),
            "file_bytes": entry.map(|e| e.bytes),
        }));
    }
    if args.json {
        let out = json!({
            "data_dir": store.dir().display().to_string(),
            "generation": store.manifest().generation,
            "open_ms": open_ms,
            "collections": collections,
        });
        println!("{}", serde_json::to_string(&out)?);
        return Ok(());
    }
    println!(
        "{} (generation {}), opened in {open_ms:.1} ms",
        store.dir().display(),
        store.manifest().generation
    );
    if collections.is_empty() {
        println!("no collections");
        return Ok(());
    }
    let w = collections
        .iter()
        .filter_map(|c| c["name"].as_str())
        .map(|n| n.chars().count())
        .chain([10])
        .max()
        .unwrap_or(10);
    println!(
        "{:<w$} {:>10} {:>8}  {:<9} {:<8} {:>12}  file",
        "collection", "rows", "segments", "index", "state", "file bytes"
    );
    for c in &collections {
        let s = |k: &str| c[k].as_str().unwrap_or("-").to_owned();
        let n = |k: &str| c[k].as_u64().map_or("-".to_owned(), |v| v.to_string());
        let index = &c["index"];
        println!(
            "{:<w$} {:>10} {:>8}  {:<9} {:<8} {:>12}  {}",
            s("name"),
            n("rows"),
            n("sealed_segments"),
            index["type"].as_str().unwrap_or("none"),
            index["state"].as_str().unwrap_or("-"),
            n("file_bytes"),
            s("file"),
        );
    }
    Ok(())
}
