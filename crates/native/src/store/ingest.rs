//! `annlab db ingest`: the tutorial's seeded rows into a stored collection, in
//! batches, flushing and persisting as it goes. Each completed flush prints
//! `flushed <collection> <rows>`: those rows survive any crash after the line.

use std::io::Write;
use std::path::PathBuf;

use annlab_core::Metric;
use annlab_core::collection::Collection;
use annlab_core::index::NoProgress;
use annlab_core::index::spec::{IndexParams, IndexSpec};
use annlab_core::scenario::COLLECTION;
use annlab_core::schema::{CollectionSchema, DataType};
use annlab_core::{DataSpec, TutorialData};
use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};

use super::Store;
use crate::progress::Bar;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum IndexKind {
    Hnsw,
    #[value(name = "ivf_flat", alias = "ivf-flat")]
    IvfFlat,
    Flat,
}

impl IndexKind {
    fn milvus_name(self) -> &'static str {
        match self {
            IndexKind::Hnsw => "HNSW",
            IndexKind::IvfFlat => "IVF_FLAT",
            IndexKind::Flat => "FLAT",
        }
    }
}

#[derive(Args, Debug)]
pub struct IngestArgs {
    /// Data directory (created if missing).
    #[arg(long)]
    pub data_dir: PathBuf,
    /// Collection to create (with the tutorial's schema) or append to.
    #[arg(long, default_value = COLLECTION)]
    pub collection: String,
    /// Rows to add, after those already stored.
    #[arg(long, default_value_t = 10_000)]
    pub n: usize,
    /// Vector dimension [default: 1536, or the stored collection's].
    #[arg(long)]
    pub dim: Option<usize>,
    /// Rows per insert call.
    #[arg(long, default_value_t = 1000)]
    pub batch: usize,
    /// Flush (seal, index, persist) after this many batches, and after the last.
    #[arg(long, default_value_t = 1)]
    pub flush_every: usize,
    /// Index of a new collection (COSINE) [default: hnsw, or the stored one's].
    #[arg(long, value_enum)]
    pub index: Option<IndexKind>,
    /// HNSW M.
    #[arg(long, default_value_t = 16)]
    pub m: usize,
    /// HNSW efConstruction.
    #[arg(long, default_value_t = 200)]
    pub ef_construction: usize,
    /// IVF nlist.
    #[arg(long, default_value_t = 1024)]
    pub nlist: usize,
    /// Seed of the data and of index builds.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn run(args: &IngestArgs) -> Result<()> {
    if args.batch == 0 || args.flush_every == 0 || args.n == 0 {
        bail!("--n, --batch and --flush-every must be at least 1");
    }
    let (mut store, mut db) = Store::open(&args.data_dir)?;
    let name = args.collection.as_str();
    let mut bar = Bar::new(args.quiet).with_threads(crate::progress::machine_threads());
    let dim = if db.has_collection(name) {
        check_appendable(db.collection(name)?, args)?
    } else {
        let dim = args.dim.unwrap_or(1536);
        let kind = args.index.unwrap_or(IndexKind::Hnsw);
        let c = db
            .create_collection(name, CollectionSchema::tutorial(dim), args.seed)
            .with_context(|| format!("cannot create collection '{name}'"))?;
        c.create_index(
            "embedding",
            "",
            IndexSpec::new(index_params(kind, args), Metric::Cosine),
            &mut NoProgress,
        )
        .context("cannot create the index")?;
        store.persist(&db, &[name])?;
        dim
    };
    let c = db.collection(name)?;
    let offset = c.num_entities() + c.growing_rows();
    let total = offset + args.n;
    let data = TutorialData::generate(
        DataSpec {
            n: total,
            dim,
            seed: args.seed,
            kind: Default::default(),
        },
        unix_seconds(),
    )
    .context("cannot generate the rows")?;
    let mut stdout = std::io::stdout().lock();
    for (b, start) in (offset..total).step_by(args.batch).enumerate() {
        let end = (start + args.batch).min(total);
        let c = db.collection_mut(name)?;
        c.insert(data.columns(start, end))
            .with_context(|| format!("cannot insert rows {start}..{end}"))?;
        if (b + 1) % args.flush_every == 0 || end == total {
            c.flush(&mut bar).context("flush failed")?;
            let rows = c.num_entities();
            store.persist(&db, &[name])?;
            writeln!(stdout, "flushed {name} {rows}")?;
            stdout.flush()?;
        }
    }
    bar.finish();
    Ok(())
}

/// The stored collection's dimension, after checking that the tutorial's rows fit
/// it and that the flags do not ask for something else.
fn check_appendable(c: &Collection, args: &IngestArgs) -> Result<usize> {
    let name = c.name();
    let dim = c
        .schema()
        .fields
        .iter()
        .find(|f| f.data_type == DataType::FloatVector)
        .and_then(|f| f.dim)
        .unwrap_or(0);
    if *c.schema() != CollectionSchema::tutorial(dim) {
        bail!(
            "collection '{name}' does not have the tutorial's schema: ingest into another --collection"
        );
    }
    if let Some(d) = args.dim.filter(|&d| d != dim) {
        bail!("collection '{name}' stores dim {dim}, not {d}: pass --dim {dim} or leave --dim out");
    }
    if let Some(kind) = args.index {
        let stored = c.index().map(|d| d.spec.params.index_type().name());
        if stored != Some(kind.milvus_name()) {
            bail!(
                "collection '{name}' has index {}, not {}: leave --index out to append to it",
                stored.unwrap_or("none"),
                kind.milvus_name()
            );
        }
    }
    Ok(dim)
}

fn index_params(kind: IndexKind, args: &IngestArgs) -> IndexParams {
    match kind {
        IndexKind::Hnsw => IndexParams::Hnsw {
            m: args.m,
            ef_construction: args.ef_construction,
        },
        IndexKind::IvfFlat => IndexParams::IvfFlat { nlist: args.nlist },
        IndexKind::Flat => IndexParams::Flat,
    }
}

/// The tutorial's `int(time.time())`.
fn unix_seconds() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}
