//! Charts as plain data: a [`ChartSpec`] (what to show: axes with units, series of
//! measured points or bars) is laid out by [`layout`] into a [`Drawing`] of pixel
//! primitives, which [`view::Chart`] turns into SVG. Everything but the last step
//! is ordinary Rust, tested natively.

pub mod histogram;
pub mod scale;
pub mod view;

use scale::{Kind, Scale, format_tick};

/// Width and height of every chart's viewBox, in CSS pixels.
pub const WIDTH: f64 = 560.0;
pub const HEIGHT: f64 = 300.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 46.0;

/// One colour per index type, the same in every chart (Okabe–Ito, colour-blind
/// safe); other series get the remaining colours.
pub fn index_colour(index: &str) -> &'static str {
    match index {
        "FLAT" => "#7f7f7f",
        "HNSW" => "#0072b2",
        "IVF_FLAT" => "#e69f00",
        "IVF_PQ" => "#009e73",
        "HNSW_SQ" => "#d55e00",
        _ => "#cc79a7",
    }
}

/// An axis: its label (with the unit) and how it maps values.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    pub label: String,
    pub kind: Kind,
}

impl Axis {
    pub fn linear(label: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            kind: Kind::Linear,
        }
    }
    pub fn log(label: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            kind: Kind::Log,
        }
    }
}

/// Measured points of one series, each with a tooltip label (e.g. `ef=64`).
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub colour: &'static str,
    pub points: Vec<(f64, f64, String)>,
    /// Join the points with a line (a curve) or not (a scatter).
    pub line: bool,
}

/// One bar: `[lo, hi)` on x, `value` on y; `open` when it also counts everything
/// above `hi` (a histogram's folded tail).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bar {
    pub lo: f64,
    pub hi: f64,
    pub value: f64,
    pub open: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Marks {
    Series(Vec<Series>),
    Bars(Vec<Bar>),
}

/// What a chart shows.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartSpec {
    /// `data-testid` of the chart's figure.
    pub testid: String,
    pub title: String,
    pub x: Axis,
    pub y: Axis,
    pub marks: Marks,
    /// Vertical reference lines at measured x values (p50, p99), with labels.
    pub rules: Vec<(f64, String)>,
    /// A sentence under the chart (how to read it).
    pub caption: String,
}

/// A tick: where it is (pixels along its axis) and its label.
#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    pub at: f64,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Dot {
    pub x: f64,
    pub y: f64,
    pub colour: &'static str,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    pub title: String,
}

/// A polyline: its colour and SVG `points` attribute.
#[derive(Debug, Clone, PartialEq)]
pub struct Polyline {
    pub colour: &'static str,
    pub points: String,
}

/// A chart in pixels, ready to be drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct Drawing {
    /// The plot area: x, y, width, height.
    pub plot: (f64, f64, f64, f64),
    pub x_ticks: Vec<Tick>,
    pub y_ticks: Vec<Tick>,
    pub lines: Vec<Polyline>,
    pub dots: Vec<Dot>,
    pub rects: Vec<Rect>,
    /// Reference lines: x in pixels (clamped to the plot) and label.
    pub rules: Vec<Tick>,
    /// Name and colour of each series (empty for bars).
    pub legend: Vec<(String, &'static str)>,
}

/// Lays a chart out in a [`WIDTH`] × [`HEIGHT`] box.
pub fn layout(spec: &ChartSpec) -> Drawing {
    let (x0, x1) = (LEFT, WIDTH - RIGHT);
    let (y0, y1) = (HEIGHT - BOTTOM, TOP);
    let (xs, ys): (Vec<f64>, Vec<f64>) = match &spec.marks {
        Marks::Series(series) => series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| (p.0, p.1)))
            .unzip(),
        Marks::Bars(bars) => (
            bars.iter().flat_map(|b| [b.lo, b.hi]).collect(),
            bars.iter().map(|b| b.value).collect(),
        ),
    };
    let sx = Scale::fit(spec.x.kind, xs, (x0, x1));
    // Linear y axes start at zero, so that heights compare honestly.
    let sy = match spec.y.kind {
        Kind::Linear => Scale::fit_from_zero(ys, (y0, y1)),
        Kind::Log => Scale::fit(Kind::Log, ys, (y0, y1)),
    };
    let ticks = |s: &Scale| {
        s.ticks()
            .into_iter()
            .map(|v| Tick {
                at: round(s.map(v)),
                label: format_tick(v),
            })
            .collect()
    };
    let mut d = Drawing {
        plot: (x0, y1, x1 - x0, y0 - y1),
        x_ticks: ticks(&sx),
        y_ticks: ticks(&sy),
        lines: Vec::new(),
        dots: Vec::new(),
        rects: Vec::new(),
        rules: spec
            .rules
            .iter()
            .filter(|r| r.0.is_finite())
            .map(|(x, label)| Tick {
                at: round(sx.map(*x).clamp(x0, x1)),
                label: label.clone(),
            })
            .collect(),
        legend: Vec::new(),
    };
    match &spec.marks {
        Marks::Series(series) => {
            for s in series {
                d.legend.push((s.name.clone(), s.colour));
                let px: Vec<(f64, f64)> = s
                    .points
                    .iter()
                    .map(|p| (round(sx.map(p.0)), round(sy.map(p.1))))
                    .collect();
                if s.line && px.len() > 1 {
                    d.lines.push(Polyline {
                        colour: s.colour,
                        points: px
                            .iter()
                            .map(|(x, y)| format!("{x},{y}"))
                            .collect::<Vec<_>>()
                            .join(" "),
                    });
                }
                for ((x, y), p) in px.into_iter().zip(&s.points) {
                    d.dots.push(Dot {
                        x,
                        y,
                        colour: s.colour,
                        title: format!("{} {}", s.name, p.2).trim().to_owned(),
                    });
                }
            }
        }
        Marks::Bars(bars) => {
            for b in bars {
                let (l, r) = (sx.map(b.lo), sx.map(b.hi));
                let top = sy.map(b.value);
                d.rects.push(Rect {
                    x: round(l + 0.5),
                    y: round(top),
                    w: round((r - l - 1.0).max(1.0)),
                    h: round(y0 - top),
                    title: if b.open {
                        format!("≥ {}: {}", format_tick(b.lo), format_tick(b.value))
                    } else {
                        format!(
                            "[{}, {}): {}",
                            format_tick(b.lo),
                            format_tick(b.hi),
                            format_tick(b.value)
                        )
                    },
                });
            }
        }
    }
    d
}

/// Pixels to a tenth: crisp enough, and short SVG.
fn round(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn spec(marks: Marks, y: Axis) -> ChartSpec {
        ChartSpec {
            testid: "c".into(),
            title: "t".into(),
            x: Axis::linear("recall@10"),
            y,
            marks,
            rules: vec![(1.5, "p50".into()), (99.0, "p99".into())],
            caption: String::new(),
        }
    }

    #[test]
    fn series_become_lines_and_dots_inside_the_plot() {
        let s = Series {
            name: "HNSW".into(),
            colour: index_colour("HNSW"),
            points: vec![(0.5, 1000.0, "ef=16".into()), (0.9, 400.0, "ef=64".into())],
            line: true,
        };
        let d = layout(&spec(Marks::Series(vec![s]), Axis::log("QPS")));
        assert_eq!(d.lines.len(), 1);
        assert_eq!(d.dots.len(), 2);
        assert_eq!(d.dots[0].title, "HNSW ef=16");
        assert_eq!(d.legend, [("HNSW".to_owned(), "#0072b2")]);
        let (px, py, pw, ph) = d.plot;
        for dot in &d.dots {
            assert!(dot.x >= px && dot.x <= px + pw, "{dot:?}");
            assert!(dot.y >= py && dot.y <= py + ph, "{dot:?}");
        }
        // Higher QPS is drawn higher (smaller y).
        assert!(d.dots[0].y < d.dots[1].y);
        // Log ticks over one decade: 1, 2 and 5 of it.
        let labels: Vec<&str> = d.y_ticks.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(labels, ["100", "200", "500", "1,000"]);
    }

    #[test]
    fn bars_stand_on_the_x_axis() {
        let bars = vec![
            Bar {
                lo: 0.0,
                hi: 1.0,
                value: 3.0,
                open: false,
            },
            Bar {
                lo: 1.0,
                hi: 2.0,
                value: 6.0,
                open: true,
            },
        ];
        let d = layout(&spec(Marks::Bars(bars), Axis::linear("queries")));
        assert_eq!(d.rects.len(), 2);
        let floor = d.plot.1 + d.plot.3;
        for r in &d.rects {
            assert!((r.y + r.h - floor).abs() < 0.2, "{r:?}");
        }
        assert!(d.rects[1].h > d.rects[0].h * 1.9);
        assert_eq!(d.y_ticks.first().unwrap().label, "0");
        assert_eq!(d.rects[0].title, "[0, 1): 3");
        assert_eq!(d.rects[1].title, "≥ 1: 6");
        // Reference lines sit at their value, or at the plot's edge when beyond it.
        let (px, _, pw, _) = d.plot;
        assert_eq!(d.rules[0].label, "p50");
        assert!(
            (d.rules[0].at - (px + 0.75 * pw)).abs() < 0.2,
            "{:?}",
            d.rules
        );
        assert_eq!(d.rules[1].at, px + pw);
    }

    #[test]
    fn a_single_point_is_drawn_without_a_line() {
        let s = Series {
            name: "FLAT".into(),
            colour: index_colour("FLAT"),
            points: vec![(1.0, 50.0, String::new())],
            line: true,
        };
        let d = layout(&spec(Marks::Series(vec![s]), Axis::log("QPS")));
        assert!(d.lines.is_empty());
        assert_eq!(d.dots.len(), 1);
        assert_eq!(d.dots[0].title, "FLAT");
    }
}
