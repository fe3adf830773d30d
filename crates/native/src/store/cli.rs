//! `annlab db …`: the data directory from the command line.

use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, Subcommand};

use super::{Store, info, ingest};

#[derive(Subcommand, Debug)]
pub enum DbCommand {
    /// Create a collection with the tutorial's schema (or append to it) and insert
    /// its seeded rows in batches, flushing and persisting as it goes; prints
    /// `flushed <collection> <rows>` after each completed flush.
    Ingest(ingest::IngestArgs),
    /// List the stored collections: rows, index, files.
    Info(info::InfoArgs),
    /// Remove a collection from the store (also when its file is damaged).
    Drop(DropArgs),
}

#[derive(Args, Debug)]
pub struct DropArgs {
    /// Data directory.
    #[arg(long)]
    pub data_dir: PathBuf,
    /// Collection to drop.
    #[arg(long)]
    pub collection: String,
}

pub fn run(command: &DbCommand) -> Result<()> {
    match command {
        DbCommand::Ingest(args) => ingest::run(args),
        DbCommand::Info(args) => info::run(args),
        DbCommand::Drop(args) => drop(args),
    }
}

/// Drops without reading any collection, so a damaged file can be discarded.
fn drop(args: &DropArgs) -> Result<()> {
    let mut store = Store::open_manifest(&args.data_dir)?;
    let name = args.collection.as_str();
    if store
        .manifest()
        .entry(super::manifest::DEFAULT_DATABASE, name)
        .is_none()
    {
        // As Milvus: dropping a missing collection succeeds.
        println!("no collection '{name}' stored: nothing to drop");
        return Ok(());
    }
    // An empty database: persisting `name` from it removes `name`.
    store.persist(&annlab_core::db::Database::new(), &[name])?;
    println!("dropped {name}");
    Ok(())
}
