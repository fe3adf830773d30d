//! `--svg`: the ann-benchmarks plot, recall (x) against queries per second (y, log
//! scale), one line per implementation and index, Okabe–Ito colours.

use std::path::Path;

use anyhow::Context;
use plotters::prelude::*;

use super::report::{ANNLAB, Row};

const PEER_COLOUR: RGBColor = RGBColor(0xCC, 0x79, 0xA7);

fn colour(row: &Row) -> RGBColor {
    if row.implementation != ANNLAB {
        return PEER_COLOUR;
    }
    match row.index {
        "HNSW" => RGBColor(0x00, 0x72, 0xB2),
        "IVF_FLAT" => RGBColor(0xE6, 0x9F, 0x00),
        "IVF_PQ" => RGBColor(0x00, 0x9E, 0x73),
        _ => RGBColor(0x00, 0x00, 0x00),
    }
}

/// One line of the plot.
struct Series {
    label: String,
    colour: RGBColor,
    points: Vec<(f64, f64)>,
}

/// Writes the plot of `rows` to `path`.
pub fn write_svg(path: &Path, rows: &[Row]) -> anyhow::Result<()> {
    let Some(first) = rows.first() else {
        anyhow::bail!("nothing to plot");
    };
    let cpu = rows.iter().all(|r| r.stats.cpu_qps.is_some());
    let qps = |r: &Row| {
        if cpu {
            r.stats.cpu_qps.unwrap_or(r.stats.qps)
        } else {
            r.stats.qps
        }
    };
    let mut series: Vec<Series> = Vec::new();
    for r in rows {
        let point = (r.stats.recall, qps(r));
        match series.iter_mut().find(|s| s.label == r.peer) {
            Some(s) => s.points.push(point),
            None => series.push(Series {
                label: r.peer.clone(),
                colour: colour(r),
                points: vec![point],
            }),
        }
    }
    let min_recall = rows.iter().map(|r| r.stats.recall).fold(1.0, f64::min);
    let x_lo = ((min_recall - 0.05) * 10.0).floor().max(0.0) / 10.0;
    let (q_lo, q_hi) = rows
        .iter()
        .map(qps)
        .fold((f64::MAX, 0.0f64), |(lo, hi), q| (lo.min(q), hi.max(q)));
    // Whole decades, so that the log axis has labelled ticks at both ends.
    let y_lo = 10f64.powf((q_lo.max(1e-3) / 1.2).log10().floor());
    let y_hi = 10f64.powf((q_hi.max(1e-3) * 1.2).log10().ceil());

    let c = &first.common;
    let title = format!(
        "{}: n={}, dim={}, nq={}, {} (annlab bench index)",
        c.dataset, c.n, c.dim, c.nq, c.metric
    );
    let y_desc = if cpu {
        "queries per second, 1 thread, thread CPU time (log scale)"
    } else {
        "queries per second, 1 thread, wall clock (log scale)"
    };
    let root = SVGBackend::new(path, (960, 640)).into_drawing_area();
    let draw = || -> Result<(), Box<dyn std::error::Error>> {
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(&title, ("sans-serif", 22))
            .margin(16)
            .x_label_area_size(48)
            .y_label_area_size(80)
            .build_cartesian_2d(x_lo..1.005, (y_lo..y_hi).log_scale())?;
        chart
            .configure_mesh()
            .light_line_style(RGBColor(0xEE, 0xEE, 0xEE))
            .x_label_formatter(&|x| format!("{x:.2}"))
            .y_label_formatter(&|y| format!("{y:.0}"))
            .x_desc(format!(
                "recall@{} (fraction of the exact top-{0} found)",
                c.k
            ))
            .y_desc(y_desc)
            .draw()?;
        for s in &series {
            let style = ShapeStyle::from(&s.colour).stroke_width(2);
            chart
                .draw_series(LineSeries::new(s.points.iter().copied(), style))?
                .label(s.label.as_str())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
            chart.draw_series(
                s.points
                    .iter()
                    .map(|&p| Circle::new(p, 4, ShapeStyle::from(&s.colour).filled())),
            )?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .draw()?;
        root.present()?;
        Ok(())
    };
    draw()
        .map_err(|e| anyhow::anyhow!("{e}"))
        .with_context(|| format!("cannot write {}", path.display()))
}
