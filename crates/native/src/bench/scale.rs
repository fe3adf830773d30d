//! `annlab bench scale`: how HNSW grows with `n`. Per size: the build on one
//! thread (process CPU and wall) and on every core (wall; the graph is the same
//! whatever the thread count, checked here on the queries' answers), the index's
//! memory, and the per-query time (thread CPU, one thread) at the first `ef`
//! whose recall@k reaches the target. Optionally an SVG with both curves.

use std::path::{Path, PathBuf};
use std::time::Instant;

use annlab_core::index::hnsw::{Hnsw, HnswParams, Layer0Links};
use annlab_core::index::spec::IndexParams;
use annlab_core::index::{AnnParams, VectorIndex};
use anyhow::{Context, bail};
use clap::Args;
use plotters::prelude::*;
use serde::Serialize;

use super::data::{self, DataArgs, DataKind};
use super::measure::{PeakRss, process_cpu_s};
use super::report::fmt_recall;
use super::sweep::{SearchStats, Sweep};
use crate::progress::Bar;

use super::data::METRIC;

#[derive(Args, Debug)]
pub struct ScaleArgs {
    /// Generated data set.
    #[arg(long, value_enum, default_value = "embeddings")]
    pub data: DataKind,
    /// The sizes, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "10000,30000,100000")]
    pub n: Vec<usize>,
    #[arg(long, default_value_t = 1536)]
    pub dim: usize,
    /// Queries per size.
    #[arg(long, default_value_t = 100)]
    pub nq: usize,
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    #[arg(long, default_value_t = 10)]
    pub k: usize,
    #[arg(long, default_value_t = 16)]
    pub m: usize,
    #[arg(long, default_value_t = 200)]
    pub ef_construction: usize,
    /// The ef values tried in order until the recall target is reached.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "10,16,24,32,48,64,96,128,192,256,384,512"
    )]
    pub ef: Vec<usize>,
    /// The recall@k the per-query time is reported at.
    #[arg(long, default_value_t = 0.95)]
    pub target_recall: f64,
    /// Threads of the parallel build [default: every core].
    #[arg(long)]
    pub threads: Option<usize>,
    /// Passes over the queries per ef (medians across passes).
    #[arg(long, default_value_t = 3)]
    pub reps: usize,
    /// One JSON object per size, no table.
    #[arg(long)]
    pub json: bool,
    /// Also draw build time and query time against n into this SVG file.
    #[arg(long)]
    pub svg: Option<PathBuf>,
    #[arg(long, short)]
    pub quiet: bool,
}

/// What one size measured.
#[derive(Debug, Clone, Serialize)]
pub struct ScalePoint {
    pub dataset: String,
    pub n: usize,
    pub dim: usize,
    pub nq: usize,
    pub k: usize,
    pub m: usize,
    pub ef_construction: usize,
    pub build_1t_s: f64,
    pub build_1t_cpu_s: Option<f64>,
    pub threads: usize,
    pub build_nt_s: f64,
    /// Wall time on one thread over wall time on `threads`.
    pub speedup: f64,
    /// Graph and layers, without the vectors (which the collection owns).
    pub index_bytes: usize,
    pub vector_bytes: usize,
    pub rss_delta_mb: Option<f64>,
    /// The first ef reaching the target, and what it measured; `None` when no
    /// ef of the list did.
    pub ef: Option<usize>,
    pub target_recall: f64,
    pub stats: Option<SearchStats>,
    /// The best recall seen (the last ef's) when the target was not reached.
    pub best_recall: f64,
}

pub fn run(args: &ScaleArgs) -> anyhow::Result<()> {
    if args.n.is_empty() || args.ef.is_empty() {
        bail!("--n and --ef need at least one value");
    }
    if args.reps == 0 {
        bail!("--reps must be at least 1");
    }
    let threads = args.threads.unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    });
    let spec = annlab_core::index::spec::IndexSpec::new(
        IndexParams::Hnsw {
            m: args.m,
            ef_construction: args.ef_construction,
        },
        METRIC,
    );
    spec.validate(args.dim).context("HNSW")?;
    let quiet = args.quiet || args.json;
    let mut points = Vec::new();
    for &n in &args.n {
        let point = measure(args, n, threads, quiet)?;
        if args.json {
            println!("{}", serde_json::to_string(&point)?);
        }
        points.push(point);
    }
    if !args.json {
        print_table(&points);
    }
    if let Some(path) = &args.svg {
        write_svg(path, &points)?;
        if !quiet {
            eprintln!("wrote {}", path.display());
        }
    }
    Ok(())
}

fn measure(args: &ScaleArgs, n: usize, threads: usize, quiet: bool) -> anyhow::Result<ScalePoint> {
    let status = |m: String| {
        if !quiet {
            eprintln!("{m}");
        }
    };
    let mut data = data::load(&DataArgs {
        data: Some(args.data),
        n: Some(n),
        dim: Some(args.dim),
        nq: Some(args.nq),
        seed: args.seed,
        base: None,
        query: None,
        gt: None,
    })?;
    status(format!("n = {n}: ground truth of {} queries…", data.nq()));
    data.attach_truth(None, args.k)?;
    let params =
        HnswParams::new(args.m, args.ef_construction, args.seed).with_layer0_links(Layer0Links::M);
    let build = |t: usize| -> anyhow::Result<(Hnsw, f64, Option<f64>)> {
        let mut bar = Bar::new(quiet).with_threads(t);
        let cpu0 = process_cpu_s();
        let start = Instant::now();
        let index = Hnsw::build(data.view(), METRIC, &params, &mut bar)?;
        let wall = start.elapsed().as_secs_f64();
        bar.finish();
        Ok((index, wall, process_cpu_s().zip(cpu0).map(|(b, a)| b - a)))
    };
    status(format!("n = {n}: building on {threads} threads…"));
    let (parallel, build_nt_s, _) = build(threads)?;
    status(format!("n = {n}: building on 1 thread…"));
    let rss = PeakRss::start();
    let (index, build_1t_s, build_1t_cpu_s) = build(1)?;
    let rss_delta_mb = rss.delta_mb();

    let view = data.view();
    for q in 0..data.nq() {
        let ann = AnnParams::Hnsw { ef: args.ef[0] };
        let a = index.search(view, data.query(q), args.k, &ann, None)?;
        let b = parallel.search(view, data.query(q), args.k, &ann, None)?;
        if a != b {
            bail!("n = {n}: the build on {threads} threads answered query {q} differently");
        }
    }
    drop(parallel);

    status(format!("n = {n}: searching…"));
    let sweep = Sweep::new(&data, args.k, args.reps);
    let (mut found, mut best_recall) = (None, 0.0);
    for &ef in &args.ef {
        let ann = AnnParams::Hnsw { ef: ef.max(args.k) };
        let stats = sweep.measure(|q, out| {
            let hits = index.search(view, q, args.k, &ann, None)?;
            out.extend(hits.iter().map(|h| h.row));
            Ok(())
        })?;
        best_recall = stats.recall;
        if stats.recall >= args.target_recall {
            found = Some((ef, stats));
            break;
        }
    }
    let (ef, stats) = found.unzip();
    Ok(ScalePoint {
        dataset: data.name.clone(),
        n,
        dim: args.dim,
        nq: data.nq(),
        k: args.k,
        m: args.m,
        ef_construction: args.ef_construction,
        build_1t_s,
        build_1t_cpu_s,
        threads,
        build_nt_s,
        speedup: build_1t_s / build_nt_s,
        index_bytes: index.memory_bytes(),
        vector_bytes: data.base.len() * 4,
        rss_delta_mb,
        ef,
        target_recall: args.target_recall,
        stats,
        best_recall,
    })
}

fn print_table(points: &[ScalePoint]) {
    let Some(first) = points.first() else {
        return;
    };
    println!(
        "HNSW M={} efConstruction={} on {} (dim {}, {} queries, recall@{} target {}), {} threads",
        first.m,
        first.ef_construction,
        first.dataset,
        first.dim,
        first.nq,
        first.k,
        first.target_recall,
        first.threads
    );
    println!(
        "| n | build 1 thread: wall s (CPU s) | build {} threads: wall s | speed-up | graph MB | vectors MB | first ef ≥ target | recall ± SE | CPU ms/query | QPS (CPU) |",
        first.threads
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for p in points {
        let cpu = p
            .build_1t_cpu_s
            .map_or(String::new(), |c| format!(" ({c:.2})"));
        let (ef, recall, ms, qps) = match (&p.ef, &p.stats) {
            (Some(ef), Some(s)) => (
                ef.to_string(),
                fmt_recall(s),
                s.cpu_lat_med_ms.map_or("-".into(), |m| format!("{m:.3}")),
                s.cpu_qps.map_or("-".into(), |q| format!("{q:.0}")),
            ),
            _ => (
                "not reached".into(),
                format!("best {:.4}", p.best_recall),
                "-".into(),
                "-".into(),
            ),
        };
        println!(
            "| {} | {:.2}{cpu} | {:.2} | {:.2} | {:.1} | {:.1} | {ef} | {recall} | {ms} | {qps} |",
            p.n,
            p.build_1t_s,
            p.build_nt_s,
            p.speedup,
            p.index_bytes as f64 / 1e6,
            p.vector_bytes as f64 / 1e6
        );
    }
    println!(
        "Times are this machine's, in this run; the per-query time is the median thread CPU time of one query on one thread."
    );
}

/// Two panels against n (log scale): build seconds (one thread, every core) and
/// per-query CPU milliseconds at the target recall.
fn write_svg(path: &Path, points: &[ScalePoint]) -> anyhow::Result<()> {
    let Some(first) = points.first() else {
        bail!("nothing to plot");
    };
    let n_lo = points.iter().map(|p| p.n).min().unwrap_or(1) as f64 / 1.3;
    let n_hi = points.iter().map(|p| p.n).max().unwrap_or(1) as f64 * 1.3;
    let build_1: Vec<(f64, f64)> = points.iter().map(|p| (p.n as f64, p.build_1t_s)).collect();
    let build_n: Vec<(f64, f64)> = points.iter().map(|p| (p.n as f64, p.build_nt_s)).collect();
    let query: Vec<(f64, f64)> = points
        .iter()
        .filter_map(|p| Some((p.n as f64, p.stats.as_ref()?.cpu_lat_med_ms?)))
        .collect();
    let top = |v: &[(f64, f64)]| v.iter().map(|p| p.1).fold(0.0, f64::max) * 1.15 + 1e-9;
    let root = SVGBackend::new(path, (1100, 480)).into_drawing_area();
    let draw = || -> Result<(), Box<dyn std::error::Error>> {
        root.fill(&WHITE)?;
        let title = format!(
            "HNSW M={} efC={} on {} (dim {}): growth with n (annlab bench scale)",
            first.m, first.ef_construction, first.dataset, first.dim
        );
        let root = root.titled(&title, ("sans-serif", 20))?;
        let panels = root.split_evenly((1, 2));
        let blue = RGBColor(0x00, 0x72, 0xB2);
        let orange = RGBColor(0xE6, 0x9F, 0x00);
        let mut left = ChartBuilder::on(&panels[0])
            .margin(16)
            .x_label_area_size(44)
            .y_label_area_size(60)
            .build_cartesian_2d(
                (n_lo..n_hi).log_scale(),
                0.0..top(&build_1).max(top(&build_n)),
            )?;
        left.configure_mesh()
            .x_desc("n (log scale)")
            .y_desc("build, wall seconds")
            .x_label_formatter(&|x| format!("{x:.0}"))
            .draw()?;
        for (series, colour, label) in [
            (&build_1, blue, "1 thread".to_string()),
            (&build_n, orange, format!("{} threads", first.threads)),
        ] {
            let style = ShapeStyle::from(&colour).stroke_width(2);
            left.draw_series(LineSeries::new(series.iter().copied(), style))?
                .label(label)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
            left.draw_series(series.iter().map(|&p| Circle::new(p, 4, colour.filled())))?;
        }
        left.configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .draw()?;
        let mut right = ChartBuilder::on(&panels[1])
            .margin(16)
            .x_label_area_size(44)
            .y_label_area_size(60)
            .build_cartesian_2d((n_lo..n_hi).log_scale(), 0.0..top(&query))?;
        right
            .configure_mesh()
            .x_desc("n (log scale)")
            .y_desc(format!(
                "CPU ms per query at recall@{} ≥ {}",
                first.k, first.target_recall
            ))
            .x_label_formatter(&|x| format!("{x:.0}"))
            .draw()?;
        let style = ShapeStyle::from(&blue).stroke_width(2);
        right.draw_series(LineSeries::new(query.iter().copied(), style))?;
        right.draw_series(query.iter().map(|&p| Circle::new(p, 4, blue.filled())))?;
        right.draw_series(points.iter().filter_map(|p| {
            let ms = p.stats.as_ref()?.cpu_lat_med_ms?;
            Some(Text::new(
                format!("ef={}", p.ef?),
                (p.n as f64, ms),
                ("sans-serif", 13),
            ))
        }))?;
        root.present()?;
        Ok(())
    };
    draw()
        .map_err(|e| anyhow::anyhow!("{e}"))
        .with_context(|| format!("cannot write {}", path.display()))
}
