//! The data of `annlab bench index`: the engine's seeded generators or fvecs/ivecs
//! files, normalised for COSINE, and the exact ground truth every recall is
//! measured against.

use std::path::{Path, PathBuf};

use annlab_core::dataset::{Embeddings, Mixture, Stream, unit_gaussian, validate_dim};
use annlab_core::index::VectorView;
use annlab_core::index::flat::exact_search;
use annlab_core::{DataSpec, Metric};
use anyhow::{Context, bail};
use clap::{Args, ValueEnum};

use crate::fvecs::{Vecs, read_fvecs, read_ivecs};

/// The metric of the benchmark (the tutorial's, and the peers').
pub const METRIC: Metric = Metric::Cosine;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DataKind {
    /// The tutorial's data: i.i.d. normal, normalised (no neighbourhood structure).
    Random,
    /// A Gaussian mixture of low intrinsic dimension, like text embeddings (dim ≥ 64).
    Clustered,
    /// Text-embedding-like: anisotropic (mean pairwise cosine ≈ 0.7, as OpenAI's
    /// ada-002), Zipf-sized topics, low intrinsic dimension.
    Embeddings,
}

#[derive(Args, Debug)]
pub struct DataArgs {
    /// Generated data set [default: random].
    #[arg(long, value_enum, conflicts_with = "base")]
    pub data: Option<DataKind>,
    /// Base vectors [default: 10000; with --base, every row of the file].
    #[arg(long)]
    pub n: Option<usize>,
    /// Dimension of generated data [default: 1536].
    #[arg(long, conflicts_with = "base")]
    pub dim: Option<usize>,
    /// Queries [default: 200, or every row of --query if it has fewer].
    #[arg(long)]
    pub nq: Option<usize>,
    /// Seed of the generated data and of every index build.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Base vectors from an .fvecs file instead of generated data.
    #[arg(long, requires = "query")]
    pub base: Option<PathBuf>,
    /// Query vectors (.fvecs), with --base.
    #[arg(long, requires = "base")]
    pub query: Option<PathBuf>,
    /// Exact neighbours of the queries (.ivecs, row ids into --base, ≥ k a row);
    /// computed with a FLAT scan when absent.
    #[arg(long, requires = "base")]
    pub gt: Option<PathBuf>,
}

/// Prepared vectors and the exact top-k of every query.
pub struct Data {
    /// Name in the JSON lines: the file prefix (as the peers' harness names it) or
    /// `<kind>-seed<seed>` for generated data.
    pub name: String,
    pub dim: usize,
    pub base: Vec<f32>,
    pub queries: Vec<f32>,
    /// The exact neighbours of each query, closest first (at least k).
    pub truth: Vec<Vec<u32>>,
    /// Where `truth` comes from.
    pub truth_source: String,
}

impl Data {
    pub fn n(&self) -> usize {
        self.base.len() / self.dim
    }

    pub fn nq(&self) -> usize {
        self.queries.len() / self.dim
    }

    pub fn view(&self) -> VectorView<'_> {
        VectorView::new(self.dim, &self.base)
    }

    pub fn query(&self, i: usize) -> &[f32] {
        &self.queries[i * self.dim..(i + 1) * self.dim]
    }

    /// recall@`k` of the rows `found` for query `query`.
    pub fn recall_at_k(&self, query: usize, found: &[u32], k: usize) -> f64 {
        annlab_core::stats::recall_at_k(found, &self.truth[query], k)
    }
}

/// Loads or generates the data (without its ground truth yet).
pub fn load(args: &DataArgs) -> anyhow::Result<Data> {
    let data = match (&args.base, &args.query) {
        (Some(base), Some(query)) => from_files(args, base, query),
        _ => generate(args),
    }?;
    // As a loaded collection's segments are (the indexes' searches read them).
    annlab_core::memory::advise_huge_pages(&data.base);
    Ok(data)
}

impl Data {
    /// Reads the exact neighbours from `gt`, or finds them with a FLAT scan, for
    /// top-`k` searches.
    pub fn attach_truth(&mut self, gt: Option<&Path>, k: usize) -> anyhow::Result<()> {
        if k > self.n() {
            bail!("k = {k} is larger than the {} base vectors", self.n());
        }
        match gt {
            Some(path) => {
                let gt = read_ivecs(path)?;
                check_truth(path, &gt, self, k)?;
                self.truth = (0..self.nq())
                    .map(|i| gt.row(i).iter().map(|&r| r as u32).collect())
                    .collect();
                self.truth_source = path.display().to_string();
            }
            None => {
                let view = self.view();
                self.truth = (0..self.nq())
                    .map(|i| {
                        exact_search(view, METRIC, self.query(i), k, None)
                            .iter()
                            .map(|n| n.row)
                            .collect()
                    })
                    .collect();
                self.truth_source = "exact FLAT scan in this run".into();
            }
        }
        Ok(())
    }
}

fn generate(args: &DataArgs) -> anyhow::Result<Data> {
    let kind = args.data.unwrap_or(DataKind::Random);
    let (n, dim, nq, seed) = (
        args.n.unwrap_or(10_000),
        args.dim.unwrap_or(1536),
        args.nq.unwrap_or(200),
        args.seed,
    );
    DataSpec {
        n,
        dim,
        seed,
        kind: Default::default(),
    }
    .validate()
    .context("invalid --n/--dim")?;
    DataSpec {
        n: nq,
        dim,
        seed,
        kind: Default::default(),
    }
    .validate()
    .context("invalid --nq")?;
    let (base, queries) = match kind {
        DataKind::Random => (
            unit_gaussian(n, dim, seed, Stream::Base),
            unit_gaussian(nq, dim, seed, Stream::Queries),
        ),
        DataKind::Clustered => {
            if dim < 64 {
                bail!("--data clustered needs --dim ≥ 64 (its mixture lives in a 64-dim subspace)");
            }
            let mixture = Mixture::new(dim, seed);
            (
                mixture.sample(n, seed, Stream::Base).0,
                mixture.sample(nq, seed, Stream::Queries).0,
            )
        }
        DataKind::Embeddings => {
            let model = Embeddings::new(dim, seed);
            (
                model.sample(n, seed, Stream::Base).0,
                model.sample(nq, seed, Stream::Queries).0,
            )
        }
    };
    let name = match kind {
        DataKind::Random => "random",
        DataKind::Clustered => "clustered",
        DataKind::Embeddings => "embeddings",
    };
    Ok(Data {
        name: format!("{name}-seed{seed}"),
        dim,
        base,
        queries,
        truth: Vec::new(),
        truth_source: String::new(),
    })
}

fn from_files(args: &DataArgs, base_path: &Path, query_path: &Path) -> anyhow::Result<Data> {
    let base = read_fvecs(base_path)?;
    let query = read_fvecs(query_path)?;
    validate_dim(base.dim).with_context(|| base_path.display().to_string())?;
    if query.dim != base.dim {
        bail!(
            "{}: dimension {} differs from the base's {}",
            query_path.display(),
            query.dim,
            base.dim
        );
    }
    let n = take(args.n, base.rows(), "--n", base_path)?;
    let nq = match args.nq {
        Some(_) => take(args.nq, query.rows(), "--nq", query_path)?,
        None => query.rows().min(200),
    };
    if args.gt.is_some() && n != base.rows() {
        bail!(
            "--gt holds the neighbours among all {} rows of {}: drop --n or --gt",
            base.rows(),
            base_path.display()
        );
    }
    let name = base_path
        .file_stem()
        .map(|s| s.to_string_lossy().trim_end_matches("_base").to_owned())
        .unwrap_or_else(|| "files".into());
    Ok(Data {
        name,
        dim: base.dim,
        base: prepared(base, n, base_path)?,
        queries: prepared(query, nq, query_path)?,
        truth: Vec::new(),
        truth_source: String::new(),
    })
}

/// `wanted` rows of `available` (all of them when not given).
fn take(wanted: Option<usize>, available: usize, flag: &str, path: &Path) -> anyhow::Result<usize> {
    match wanted {
        None => Ok(available),
        Some(0) => bail!("{flag} must be at least 1"),
        Some(w) if w > available => {
            bail!("{flag} {w}: {} has only {available} rows", path.display())
        }
        Some(w) => Ok(w),
    }
}

/// The first `rows` rows of `v`, normalised for COSINE.
fn prepared(v: Vecs<f32>, rows: usize, path: &Path) -> anyhow::Result<Vec<f32>> {
    let dim = v.dim;
    let mut data = v.data;
    data.truncate(rows * dim);
    for (row, x) in data.chunks_exact_mut(dim).enumerate() {
        METRIC.prepare(row, x).map_err(|e| {
            anyhow::anyhow!("{}: byte {}: {e}", path.display(), row * 4 * (dim + 1))
        })?;
    }
    Ok(data)
}

fn check_truth(path: &Path, gt: &Vecs<i32>, data: &Data, k: usize) -> anyhow::Result<()> {
    let p = path.display();
    if gt.rows() < data.nq() {
        bail!(
            "{p}: {} rows of neighbours for {} queries",
            gt.rows(),
            data.nq()
        );
    }
    if gt.dim < k {
        bail!("{p}: {} neighbours a row, fewer than k = {k}", gt.dim);
    }
    for q in 0..data.nq() {
        if let Some(j) = gt.row(q).iter().position(|&r| r as usize >= data.n()) {
            bail!(
                "{p}: byte {}: row id {} is not among the {} base vectors",
                gt.offset(q, j),
                gt.row(q)[j],
                data.n()
            );
        }
    }
    Ok(())
}
