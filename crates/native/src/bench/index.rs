//! `annlab bench index`: builds each index on the same data, then measures recall,
//! latency and QPS at every ef (HNSW) or nprobe (IVF), single thread, one query per
//! call, beside the peer (the `hnsw` crate) measured in the same run.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use annlab_core::index::hnsw::{Hnsw, HnswParams, Layer0Links};
use annlab_core::index::quant::{RefineType, SqType};
use annlab_core::index::spec::{IndexParams, IndexSpec};
use annlab_core::index::{AnnParams, Index, RefineK};
use annlab_core::kernels;
use annlab_core::quickstart::MAX_TOPK;
use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use serde_json::Value;

use super::data::{self, DataArgs, METRIC};
use super::measure::{PeakRss, process_cpu_s};
use super::peer::{self, PEER, PeerRun};
use super::plot;
use super::pypeers;
use super::report::{self, ANNLAB, BuildStat, Common, Row};
use super::sweep::Sweep;
use crate::progress::Bar;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum IndexKind {
    Hnsw,
    #[value(name = "ivf_flat", alias = "ivf-flat")]
    IvfFlat,
    #[value(name = "ivf_pq", alias = "ivf-pq")]
    IvfPq,
    Flat,
    #[value(name = "hnsw_sq", alias = "hnsw-sq")]
    HnswSq,
    #[value(name = "ivf_sq8", alias = "ivf-sq8")]
    IvfSq8,
}

/// HNSW_SQ's `sq_type` on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SqArg {
    #[value(name = "SQ8", alias = "sq8")]
    Sq8,
    #[value(name = "FP16", alias = "fp16")]
    Fp16,
    #[value(name = "BF16", alias = "bf16")]
    Bf16,
}

impl From<SqArg> for SqType {
    fn from(a: SqArg) -> Self {
        match a {
            SqArg::Sq8 => SqType::Sq8,
            SqArg::Fp16 => SqType::Fp16,
            SqArg::Bf16 => SqType::Bf16,
        }
    }
}

/// HNSW_SQ's refinement on the command line (`none`: `refine` false).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RefineArg {
    #[value(name = "none")]
    None,
    #[value(name = "FP32", alias = "fp32")]
    Fp32,
    #[value(name = "FP16", alias = "fp16")]
    Fp16,
    #[value(name = "BF16", alias = "bf16")]
    Bf16,
    #[value(name = "SQ8", alias = "sq8")]
    Sq8,
}

impl RefineArg {
    fn refine_type(self) -> Option<RefineType> {
        match self {
            RefineArg::None => None,
            RefineArg::Fp32 => Some(RefineType::Fp32),
            RefineArg::Fp16 => Some(RefineType::Codes(SqType::Fp16)),
            RefineArg::Bf16 => Some(RefineType::Codes(SqType::Bf16)),
            RefineArg::Sq8 => Some(RefineType::Codes(SqType::Sq8)),
        }
    }
}

/// [`Layer0Links`] on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Layer0Arg {
    M,
    MMax0,
}

impl From<Layer0Arg> for Layer0Links {
    fn from(a: Layer0Arg) -> Self {
        match a {
            Layer0Arg::M => Layer0Links::M,
            Layer0Arg::MMax0 => Layer0Links::MMax0,
        }
    }
}

#[derive(Args, Debug)]
pub struct IndexArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// Results per query (recall@k).
    #[arg(long, default_value_t = 10)]
    pub k: usize,
    /// Indexes to build, comma-separated.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "hnsw,ivf_flat,ivf_pq,flat"
    )]
    pub index: Vec<IndexKind>,
    /// HNSW M (the peer's too).
    #[arg(long, default_value_t = 16)]
    pub m: usize,
    /// HNSW efConstruction (the peer's too).
    #[arg(long, default_value_t = 200)]
    pub ef_construction: usize,
    /// HNSW: links a new node chooses on layer 0, comma-separated: `m` (the paper,
    /// hnswlib and Milvus) and/or `m-max0` (2·M, as faiss); one index per value.
    #[arg(long, value_enum, value_delimiter = ',', default_value = "m,m-max0")]
    pub hnsw_layer0: Vec<Layer0Arg>,
    /// HNSW ef values, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "16,32,64,128,256")]
    pub ef: Vec<usize>,
    /// IVF nlist.
    #[arg(long, default_value_t = 1024)]
    pub nlist: usize,
    /// IVF nprobe values, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "1,5,10,20,50,100")]
    pub nprobe: Vec<usize>,
    /// IVF_PQ sub-quantisers (must divide the dimension).
    #[arg(long = "pq-m", default_value_t = 8)]
    pub pq_m: usize,
    /// IVF_PQ bits per sub-quantiser.
    #[arg(long, default_value_t = 8)]
    pub nbits: usize,
    /// HNSW_SQ: how each dimension is stored (Milvus's `sq_type`).
    #[arg(long, value_enum, default_value = "SQ8")]
    pub sq_type: SqArg,
    /// HNSW_SQ: what re-ranks the candidates (Milvus's `refine_type`; `none`:
    /// `refine` false).
    #[arg(long, value_enum, default_value = "FP32")]
    pub refine_type: RefineArg,
    /// HNSW_SQ: candidates re-ranked, as a multiple of k (Milvus's `refine_k`).
    #[arg(long, default_value_t = 2.0)]
    pub refine_k: f32,
    /// Timed passes over the queries; medians are reported.
    #[arg(long, default_value_t = 3)]
    pub reps: usize,
    /// Do not measure the peer (the `hnsw` crate) beside HNSW.
    #[arg(long)]
    pub no_peer: bool,
    /// One JSON object per line and configuration (the shape of
    /// shared/peers/report.py), no table.
    #[arg(long)]
    pub json: bool,
    /// Also write a recall vs QPS plot to this SVG file.
    #[arg(long)]
    pub svg: Option<PathBuf>,
    /// No progress bars or status lines.
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub python: super::python::PythonArgs,
    /// Threads of our HNSW build (1 by default, as the peers' figures; the graph
    /// is the same whatever the number, only the build time changes).
    #[arg(long, default_value_t = 1)]
    pub build_threads: usize,
}

/// One index to build and the search settings to measure on it.
struct Job {
    spec: IndexSpec,
    /// "ef", "nprobe" or "none".
    param: &'static str,
    settings: Vec<(usize, AnnParams)>,
    /// HNSW only: links a new node chooses on layer 0.
    layer0: Option<Layer0Links>,
}

/// Validates every index and search parameter with Milvus's ranges and messages.
fn plan(args: &IndexArgs, dim: usize) -> anyhow::Result<Vec<Job>> {
    if args.k == 0 || args.k > MAX_TOPK {
        return Err(annlab_core::Error::TopKOutOfRange { k: args.k }.into());
    }
    if args.reps == 0 {
        bail!("--reps must be at least 1");
    }
    let mut jobs = Vec::new();
    for &kind in &args.index {
        let (params, values): (IndexParams, &[usize]) = match kind {
            IndexKind::Hnsw => (
                IndexParams::Hnsw {
                    m: args.m,
                    ef_construction: args.ef_construction,
                },
                &args.ef,
            ),
            IndexKind::IvfFlat => (IndexParams::IvfFlat { nlist: args.nlist }, &args.nprobe),
            IndexKind::IvfPq => (
                IndexParams::IvfPq {
                    nlist: args.nlist,
                    m: args.pq_m,
                    nbits: args.nbits,
                },
                &args.nprobe,
            ),
            IndexKind::Flat => (IndexParams::Flat, &[]),
            IndexKind::HnswSq => (
                IndexParams::HnswSq {
                    m: args.m,
                    ef_construction: args.ef_construction,
                    sq_type: args.sq_type.into(),
                    refine: args.refine_type != RefineArg::None,
                    refine_type: args.refine_type.refine_type(),
                },
                &args.ef,
            ),
            IndexKind::IvfSq8 => (IndexParams::IvfSq8 { nlist: args.nlist }, &args.nprobe),
        };
        let name = params.index_type().name();
        let spec = IndexSpec::new(params, METRIC);
        spec.validate(dim).context(name)?;
        // The search parameter of this kind of index at `v`.
        let typed = |v| match params {
            IndexParams::Flat => AnnParams::Default,
            IndexParams::Hnsw { .. } => AnnParams::Hnsw { ef: v },
            IndexParams::HnswSq { .. } => AnnParams::HnswSq {
                ef: Some(v),
                refine_k: Some(RefineK(args.refine_k)),
            },
            IndexParams::IvfFlat { .. }
            | IndexParams::IvfPq { .. }
            | IndexParams::IvfSq8 { .. } => AnnParams::Ivf { nprobe: v },
            IndexParams::BinFlat | IndexParams::BinIvfFlat { .. } => {
                unreachable!("the bench builds float indexes")
            }
        };
        let (param, settings) = match typed(0).knob() {
            None => ("none", vec![(0, AnnParams::Default)]),
            Some((param, _)) => {
                if values.is_empty() {
                    bail!("{name}: --{param} needs at least one value");
                }
                let settings = values
                    .iter()
                    .map(|&v| {
                        let ann = typed(v);
                        ann.check(&spec.params, args.k)?;
                        Ok((v, ann))
                    })
                    .collect::<annlab_core::Result<_>>()
                    .with_context(|| format!("{name} search"))?;
                (param, settings)
            }
        };
        let layer0: Vec<Option<Layer0Links>> = match kind {
            IndexKind::Hnsw if args.hnsw_layer0.is_empty() => bail!("--hnsw-layer0 needs a value"),
            IndexKind::Hnsw => args.hnsw_layer0.iter().map(|&l| Some(l.into())).collect(),
            _ => vec![None],
        };
        for layer0 in layer0 {
            if !jobs
                .iter()
                .any(|j: &Job| j.spec == spec && j.layer0 == layer0)
            {
                jobs.push(Job {
                    spec,
                    param,
                    settings: settings.clone(),
                    layer0,
                });
            }
        }
    }
    Ok(jobs)
}

pub fn run(args: &IndexArgs) -> anyhow::Result<()> {
    let quiet = args.quiet || args.json;
    let mut data = data::load(&args.data)?;
    let jobs = plan(args, data.dim)?;
    status(quiet, &format!("ground truth of {} queries…", data.nq()));
    data.attach_truth(args.data.gt.as_deref(), args.k)?;
    let common = Common {
        dataset: data.name.clone(),
        n: data.n(),
        dim: data.dim,
        nq: data.nq(),
        k: args.k,
        metric: METRIC.name(),
        kernel: kernels::best().name,
        query_threads: 1,
    };
    let sweep = Sweep::new(&data, args.k, args.reps);
    let mut rows: Vec<Row> = Vec::new();
    // The peer is measured once, beside the first HNSW variant.
    let mut peer_pending = !args.no_peer;
    let python = args.python.interpreter();
    let mut python_pending = python.as_deref();
    for job in &jobs {
        let name = job.spec.params.index_type().name();
        let mut milvus_params = crate::serve::params::index_params_json(&job.spec.params);
        if let Some(l) = job.layer0 {
            let label = match l {
                Layer0Links::M => "M",
                Layer0Links::MMax0 => "M_max0",
            };
            milvus_params.insert("layer0_links".into(), label.into());
        }
        status(
            quiet,
            &format!("building {name} {}…", Value::Object(milvus_params.clone())),
        );
        let (index, build) = build(job, &data, args.data.seed, quiet, args.build_threads)?;
        status(quiet, &format!("searching {name}…"));
        let view = data.view();
        let mut new = Vec::new();
        for &(value, params) in &job.settings {
            let stats = sweep.measure(|q, out| {
                let hits = index.as_dyn().search(view, q, args.k, &params, None)?;
                out.extend(hits.iter().map(|h| h.row));
                Ok(())
            })?;
            new.push(Row {
                implementation: ANNLAB,
                peer: match job.layer0 {
                    Some(Layer0Links::MMax0) => format!("annlab {name} (2M links)"),
                    _ => format!("annlab {name}"),
                },
                common: common.clone(),
                index: name,
                params: milvus_params.clone(),
                build: vec![build.clone()],
                search_param: job.param,
                search_value: value,
                stats,
                index_bytes: Some(index.as_dyn().memory_bytes()),
                note: match job.spec.params {
                    IndexParams::HnswSq { .. } => {
                        "graph + codes; FP32 refinement reads the segment's vectors (not counted)"
                    }
                    _ => "vectors borrowed from the segment (IVF_FLAT keeps a copy, counted)",
                }
                .into(),
            });
        }
        drop(index);
        emit(args.json, new, &mut rows)?;
        if let IndexParams::Hnsw { m, ef_construction } = job.spec.params
            && peer_pending
        {
            peer_pending = false;
            status(quiet, &format!("building and searching the peer, {PEER}…"));
            let peer_rows = peer::run(&PeerRun {
                sweep: &sweep,
                common: &common,
                m,
                ef_construction,
                efs: &args.ef,
                quiet,
            })?;
            match peer_rows {
                Some(p) => emit(args.json, p, &mut rows)?,
                None => eprintln!(
                    "note: peer skipped: {PEER} is compiled here for M = 8, 16, 32, 64 only"
                ),
            }
        }
        if let (IndexParams::Hnsw { m, ef_construction }, Some(python)) =
            (job.spec.params, python_pending.take())
        {
            status(quiet, "building and searching the Python peers…");
            let peer_rows = pypeers::run(&pypeers::PyRun {
                python,
                data: &data,
                common: &common,
                m,
                ef_construction,
                efs: &args.ef,
                reps: args.reps,
                seed: args.data.seed,
            })?;
            emit(args.json, peer_rows, &mut rows)?;
        }
    }
    if !args.json {
        report::print_table(&rows, &data.truth_source);
    }
    if let Some(path) = &args.svg {
        plot::write_svg(path, &rows)?;
        status(quiet, &format!("wrote {}", path.display()));
    }
    Ok(())
}

/// Builds one index, timing it (wall and process CPU) and its peak memory.
fn build(
    job: &Job,
    data: &data::Data,
    seed: u64,
    quiet: bool,
    threads: usize,
) -> anyhow::Result<(Index, BuildStat)> {
    let mut bar = Bar::new(quiet).with_threads(threads);
    let rss = PeakRss::start();
    let cpu0 = process_cpu_s();
    let t = Instant::now();
    let index = match (job.spec.params, job.layer0) {
        (IndexParams::Hnsw { m, ef_construction }, Some(layer0)) => {
            let params = HnswParams::new(m, ef_construction, seed).with_layer0_links(layer0);
            Hnsw::build(data.view(), job.spec.metric, &params, &mut bar).map(Index::Hnsw)
        }
        _ => Index::build(&job.spec, data.view(), seed, &mut bar),
    };
    let build_s = t.elapsed().as_secs_f64();
    let build_cpu_s = process_cpu_s().zip(cpu0).map(|(b, a)| b - a);
    bar.finish();
    let index = index.with_context(|| format!("{} build", job.spec.params.index_type().name()))?;
    Ok((
        index,
        BuildStat::new(data.n(), build_s, build_cpu_s, rss.delta_mb()),
    ))
}

/// Prints `new` as JSON lines at once (a long run shows progress) and keeps them.
fn emit(json: bool, new: Vec<Row>, rows: &mut Vec<Row>) -> anyhow::Result<()> {
    if json {
        let mut out = std::io::stdout().lock();
        for r in &new {
            writeln!(out, "{}", serde_json::to_string(r)?)?;
        }
        out.flush()?;
    }
    rows.extend(new);
    Ok(())
}

fn status(quiet: bool, msg: &str) {
    if !quiet {
        eprintln!("{msg}");
    }
}
