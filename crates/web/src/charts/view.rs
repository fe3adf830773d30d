//! The chart component: a [`super::Drawing`] as SVG. No geometry here.

use leptos::prelude::*;

use super::{ChartSpec, HEIGHT, WIDTH, layout};

/// One chart in a `<figure>` with its title, legend and caption.
#[component]
pub fn Chart(spec: ChartSpec) -> impl IntoView {
    let d = layout(&spec);
    let (px, py, pw, ph) = d.plot;
    let floor = py + ph;
    let x_ticks = d
        .x_ticks
        .clone()
        .into_iter()
        .map(|t| {
            view! {
                <line class="grid" x1=t.at x2=t.at y1=py y2=floor />
                <line class="tick" x1=t.at x2=t.at y1=floor y2=floor + 4.0 />
                <text class="tick-label" x=t.at y=floor + 16.0 text-anchor="middle">{t.label}</text>
            }
        })
        .collect_view();
    let y_ticks = d
        .y_ticks
        .clone()
        .into_iter()
        .map(|t| {
            view! {
                <line class="grid" x1=px x2=px + pw y1=t.at y2=t.at />
                <line class="tick" x1=px - 4.0 x2=px y1=t.at y2=t.at />
                <text class="tick-label" x=px - 7.0 y=t.at + 4.0 text-anchor="end">{t.label}</text>
            }
        })
        .collect_view();
    let lines = d
        .lines
        .into_iter()
        .map(|l| {
            view! {
                <polyline class="series" points=l.points stroke=l.colour fill="none" />
            }
        })
        .collect_view();
    let dots = d.dots.into_iter().map(|p| view! {
        <circle class="dot" cx=p.x cy=p.y r="3.5" fill=p.colour><title>{p.title}</title></circle>
    }).collect_view();
    let rects = d
        .rects
        .into_iter()
        .map(|r| {
            view! {
                <rect class="bar" x=r.x y=r.y width=r.w height=r.h><title>{r.title}</title></rect>
            }
        })
        .collect_view();
    let rules = d.rules.into_iter().enumerate().map(|(i, r)| {
        // Labels of rules in the right quarter read leftwards, inside the plot.
        let left = r.at > px + 0.75 * pw;
        let (x, anchor) = if left { (r.at - 4.0, "end") } else { (r.at + 4.0, "start") };
        view! {
        <line class="rule" x1=r.at x2=r.at y1=py y2=floor />
        <text class="rule-label" x=x y=py + 12.0 + 13.0 * i as f64 text-anchor=anchor>{r.label}</text>
        }
    }).collect_view();
    let legend = (!d.legend.is_empty()).then(|| {
        view! {
            <ul class="legend">
                {d.legend.into_iter().map(|(name, colour)| view! {
                    <li><span class="swatch" style=format!("background:{colour}")></span>{name}</li>
                }).collect_view()}
            </ul>
        }
    });
    view! {
        <figure class="chart" data-testid=spec.testid>
            <figcaption class="chart-title">{spec.title.clone()}</figcaption>
            <svg
                viewBox=format!("0 0 {WIDTH} {HEIGHT}")
                width=WIDTH
                height=HEIGHT
                role="img"
                aria-label=spec.title
            >
                {x_ticks}
                {y_ticks}
                <rect class="frame" x=px y=py width=pw height=ph fill="none" />
                {rects}
                {lines}
                {dots}
                {rules}
                <text class="axis-label" x=px + pw / 2.0 y=HEIGHT - 6.0 text-anchor="middle">{spec.x.label}</text>
                <text
                    class="axis-label"
                    x="0"
                    y="0"
                    text-anchor="middle"
                    transform=format!("translate(14 {}) rotate(-90)", py + ph / 2.0)
                >
                    {spec.y.label}
                </text>
            </svg>
            {legend}
            <p class="chart-caption">{spec.caption}</p>
        </figure>
    }
}
