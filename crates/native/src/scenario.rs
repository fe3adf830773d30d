//! `annlab scenario`: the tutorial's 13 steps and the exercises, at full size by
//! default, printed in the tutorial's format with measured numbers (or `--json`).

use annlab_core::DataSpec;
use annlab_core::dataset::DataKind;
use annlab_core::scenario::words::{self, Lang, Shown};
use annlab_core::scenario::{MainIndex, Scenario, ScenarioParams, StepId, StepReport};
use anyhow::Context;
use clap::{Args, ValueEnum};

use crate::progress::{Bar, WallClock};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum IndexArg {
    Hnsw,
    IvfFlat,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LangArg {
    Zh,
    En,
}

#[derive(Args, Debug)]
pub struct ScenarioArgs {
    /// Number of vectors.
    #[arg(long, default_value_t = 10_000)]
    pub n: usize,
    /// Vector dimension.
    #[arg(long, default_value_t = 1536)]
    pub dim: usize,
    /// Rows per insert call.
    #[arg(long, default_value_t = 1000)]
    pub batch_size: usize,
    /// The index of step 3.
    #[arg(long, value_enum, default_value_t = IndexArg::Hnsw)]
    pub index: IndexArg,
    /// HNSW M.
    #[arg(long, default_value_t = 16)]
    pub m: usize,
    /// HNSW efConstruction.
    #[arg(long, default_value_t = 200)]
    pub ef_construction: usize,
    /// ef of the single, batch and filtered searches.
    #[arg(long, default_value_t = 64)]
    pub ef: usize,
    /// ef values of the sweep (step 10), comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "16,32,64,128")]
    pub ef_list: Vec<usize>,
    /// IVF nlist.
    #[arg(long, default_value_t = 1024)]
    pub nlist: usize,
    /// IVF nprobe.
    #[arg(long, default_value_t = 10)]
    pub nprobe: usize,
    /// IVF_PQ sub-quantisers.
    #[arg(long = "pq-m", default_value_t = 8)]
    pub pq_m: usize,
    /// IVF_PQ bits per sub-quantiser.
    #[arg(long, default_value_t = 8)]
    pub nbits: usize,
    /// Filter expression of step 9.
    #[arg(long, default_value = "source == 'source_0.txt'")]
    pub filter: String,
    /// Queries in the batch of step 8 (and for recall figures).
    #[arg(long, default_value_t = 100)]
    pub queries: usize,
    /// Shards of the cluster exercise.
    #[arg(long, default_value_t = 4)]
    pub shards: usize,
    /// Seed of every random choice.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// The data: the tutorial's random vectors or embedding-like ones (same texts,
    /// sources and timestamps; queries from the same distribution).
    #[arg(long, default_value = "random", value_parser = data_kind_parser())]
    pub data: DataKind,
    /// Threads of the HNSW builds (default: every core). The graph, and so every
    /// figure but the build time, is the same whatever the number.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Output language.
    #[arg(long, value_enum, default_value_t = LangArg::Zh)]
    pub lang: LangArg,
    /// Only this step (and what it needs), by key: connect, schema, index, data,
    /// insert, load, search, batch_search, filtered_search, ef_sweep, stats,
    /// ivf_compare, cleanup, ivf_pq, cluster, monitoring.
    #[arg(long)]
    pub step: Option<String>,
    /// One JSON report instead of text.
    #[arg(long)]
    pub json: bool,
    /// No progress bars.
    #[arg(long, short)]
    pub quiet: bool,
    /// After the run, store the scenario's collections (with their built indexes)
    /// in this data directory, replacing stored ones of the same names; see
    /// `annlab db info`. Default: in memory only.
    #[arg(long)]
    pub data_dir: Option<std::path::PathBuf>,
    /// Run the tutorial's steps against this Milvus server (real Milvus or
    /// `annlab serve`, e.g. http://127.0.0.1:19530) through milvus-sdk-rust's
    /// client instead of the embedded engine; recall is measured here.
    #[arg(long, value_name = "URL")]
    pub milvus: Option<String>,
}

/// `--data`'s values: every [`DataKind`] by its name.
pub fn data_kind_parser() -> impl clap::builder::TypedValueParser<Value = DataKind> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(DataKind::ALL.map(DataKind::name))
        .map(|s| DataKind::from_name(&s).expect("one of the possible values"))
}

/// One step of `--json`: the report's typed values and the same in words.
#[derive(serde::Serialize)]
struct JsonStep<'a> {
    #[serde(flatten)]
    report: &'a StepReport,
    shown: Shown,
}

impl ScenarioArgs {
    fn lang(&self) -> Lang {
        match self.lang {
            LangArg::Zh => Lang::Zh,
            LangArg::En => Lang::En,
        }
    }

    fn params(&self) -> ScenarioParams {
        ScenarioParams {
            data: DataSpec {
                n: self.n,
                dim: self.dim,
                seed: self.seed,
                kind: self.data,
            },
            batch_size: self.batch_size,
            index: match self.index {
                IndexArg::Hnsw => MainIndex::Hnsw,
                IndexArg::IvfFlat => MainIndex::IvfFlat,
            },
            m: self.m,
            ef_construction: self.ef_construction,
            ef: self.ef,
            ef_sweep: self.ef_list.clone(),
            nlist: self.nlist,
            nprobe: self.nprobe,
            pq_m: self.pq_m,
            pq_nbits: self.nbits,
            filter: self.filter.clone(),
            n_queries: self.queries,
            shards: self.shards,
            base_timestamp: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64),
            ..ScenarioParams::default()
        }
    }
}

pub fn run(args: &ScenarioArgs) -> anyhow::Result<()> {
    if let Some(url) = &args.milvus {
        return crate::remote::run(args, url);
    }
    let params = args.params();
    let mut scenario = Scenario::new(params).context("invalid scenario parameters")?;
    // Opened first, so that a locked directory or a damaged manifest fails before
    // the run (the scenario recreates its collections: nothing is read).
    let mut store = args
        .data_dir
        .as_deref()
        .map(crate::store::Store::open_manifest)
        .transpose()?;
    let clock = WallClock::new();
    let threads = args
        .threads
        .unwrap_or_else(crate::progress::machine_threads);
    let mut bar = Bar::new(args.quiet || args.json).with_threads(threads);
    let start = std::time::Instant::now();
    let reports: Vec<StepReport> = match &args.step {
        None => scenario.run_all(&clock, &mut bar),
        Some(key) => {
            let step = StepId::from_key(key).with_context(|| {
                format!(
                    "unknown step '{key}': use one of {}",
                    StepId::ALL.map(StepId::key).join(", ")
                )
            })?;
            scenario.run(step, &clock, &mut bar)
        }
    }
    .context("the scenario stopped")?;
    bar.finish();
    let total_s = start.elapsed().as_secs_f64();
    if let Some(store) = &mut store {
        let db = scenario.database();
        store.persist(db, &db.list_collections())?;
    }
    let lang = args.lang();
    if args.json {
        let steps: Vec<JsonStep> = reports
            .iter()
            .map(|report| JsonStep {
                report,
                shown: words::show(report, lang),
            })
            .collect();
        let out = serde_json::json!({
            "params": scenario.params,
            "lang": lang,
            "total_seconds": total_s,
            "steps": steps,
        });
        println!("{}", serde_json::to_string(&out)?);
        return Ok(());
    }
    let (says, measured) = words::correction_labels(lang);
    for r in &reports {
        let shown = words::show(r, lang);
        for l in &shown.lines {
            println!("{l}");
        }
        for c in &shown.corrections {
            println!("  ⚠ {says}: {}", c.tutorial);
            println!("    {measured}: {}", c.measured);
        }
        if let Some(t) = &shown.text {
            println!("{t}");
        }
    }
    println!();
    println!("{}", "=".repeat(60));
    println!("{}", words::done_in(total_s, lang));
    println!("{}", "=".repeat(60));
    if let Some(store) = &store {
        let names = scenario.database().list_collections().join(", ");
        println!("stored {names} in {}", store.dir().display());
    }
    Ok(())
}
