//! Both data kinds side by side. Where the data changes the lesson, the page keeps
//! the last report of each kind (at otherwise equal parameters) and shows them
//! together: step 10's and step 12's curves and the IVF_PQ exercise's
//! memory-vs-recall get the other kind's series, and the corrections quote the
//! other kind's measured figure ("run with data=… to compare" until it ran).
//! Step 4 draws query 0's similarity histograms of both kinds, which the engine
//! measured in that step.

use annlab_core::dataset::DataKind;
use annlab_core::dataset::contrast::SimilarityHistogram;
use annlab_core::scenario::{Correction, Lang, ScenarioParams, StepId, StepReport};

use crate::charts::{Axis, Bar, ChartSpec, Marks};
use crate::tr;

/// The steps whose last report is kept per data kind.
pub const COMPARED: [StepId; 4] = [
    StepId::Search,
    StepId::EfSweep,
    StepId::IvfCompare,
    StepId::IvfPq,
];

/// The charts that get the other kind's series.
const OVERLAID: [&str; 4] = [
    "chart-ef-latency",
    "chart-ef-recall",
    "chart-recall-qps",
    "chart-memory-recall",
];

/// A data kind's name in a legend.
pub fn data_label(kind: DataKind, lang: Lang) -> String {
    match kind {
        DataKind::Random => tr(lang, "随机数据 (random)", "random"),
        DataKind::Embeddings => tr(lang, "类嵌入数据 (embeddings)", "embeddings"),
    }
}

/// Keeps the latest report of each compared step per parameters (so per data
/// kind): `new` ran with `params`.
pub fn keep(
    kept: &mut Vec<(ScenarioParams, StepReport)>,
    params: &ScenarioParams,
    new: &[StepReport],
) {
    for r in new.iter().filter(|r| COMPARED.contains(&r.step)) {
        kept.retain(|(p, old)| !(p == params && old.step == r.step));
        kept.push((params.clone(), r.clone()));
    }
}

/// The other data kind's report of `step`, run with otherwise equal parameters.
pub fn other_of<'a>(
    kept: &'a [(ScenarioParams, StepReport)],
    params: &ScenarioParams,
    step: StepId,
) -> Option<&'a StepReport> {
    let mut want = params.clone();
    want.data.kind = params.data.kind.other();
    kept.iter()
        .find(|(p, r)| *p == want && r.step == step)
        .map(|(_, r)| r)
}

/// `r` with the other kind's measured figures in its corrections (the engine
/// measures one kind per run).
pub fn with_other(r: &StepReport, other: Option<&StepReport>) -> StepReport {
    let mut out = r.clone();
    let Some(o) = other else { return out };
    for c in &mut out.corrections {
        match c {
            Correction::Recall { other, .. } => {
                *other = o.corrections.iter().find_map(|c| match c {
                    Correction::Recall { recall, .. } => Some(*recall),
                    _ => None,
                });
            }
            Correction::IvfRatio { other, .. } => {
                *other = o.corrections.iter().find_map(|c| match c {
                    Correction::IvfRatio { ratio, .. } => Some(*ratio),
                    _ => None,
                });
            }
            _ => {}
        }
    }
    out
}

/// A lighter tint of an index's colour, for the other data kind's series.
fn tint(colour: &'static str) -> &'static str {
    match colour {
        "#0072b2" => "#56b4e9",
        "#e69f00" => "#f5c46b",
        "#009e73" => "#7fd1b5",
        "#7f7f7f" => "#bdbdbd",
        _ => "#e7b5d1",
    }
}

/// `own` (the charts of a report on `kind`) with the other kind's series added
/// to the charts where the data changes the lesson, each series named by its
/// data; without the other kind's report, those charts say how to get it.
pub fn overlay(
    mut own: Vec<ChartSpec>,
    kind: DataKind,
    other: Option<&StepReport>,
    lang: Lang,
) -> Vec<ChartSpec> {
    let theirs = other.map(|o| super::figures::charts(o, lang));
    for spec in own
        .iter_mut()
        .filter(|s| OVERLAID.contains(&s.testid.as_str()))
    {
        let Marks::Series(series) = &mut spec.marks else {
            continue;
        };
        let Some(other_spec) = theirs
            .as_ref()
            .and_then(|t| t.iter().find(|t| t.testid == spec.testid))
        else {
            spec.caption.push_str(&tr(
                lang,
                &format!(" 用 data={} 运行以对比两种数据。", kind.other().name()),
                &format!(
                    " Run with data={} to compare both data.",
                    kind.other().name()
                ),
            ));
            continue;
        };
        for s in series.iter_mut() {
            s.name = format!("{} · {}", s.name, data_label(kind, lang));
        }
        if let Marks::Series(other_series) = &other_spec.marks {
            series.extend(other_series.iter().cloned().map(|mut s| {
                s.name = format!("{} · {}", s.name, data_label(kind.other(), lang));
                s.colour = tint(s.colour);
                s
            }));
        }
        spec.caption.push_str(&tr(
            lang,
            " 浅色：另一种数据（相同 n、dim、seed 与参数）。",
            " Lighter: the other data (same n, dim, seed and parameters).",
        ));
    }
    own
}

/// Step 4's lesson: for query 0, its similarities to all n rows on each data
/// kind, on one shared axis, with the exact top-10 and the mean marked.
pub fn similarity_charts(r: &StepReport, lang: Lang) -> Vec<ChartSpec> {
    if r.step != StepId::Data {
        return Vec::new();
    }
    let mut hs: Vec<&SimilarityHistogram> = r.similarity.iter().collect();
    hs.sort_by_key(|h| h.kind != DataKind::Random);
    hs.into_iter().map(|h| similarity_chart(h, lang)).collect()
}

fn similarity_chart(h: &SimilarityHistogram, lang: Lang) -> ChartSpec {
    let width = (h.hi - h.lo) / h.counts.len().max(1) as f64;
    let bars = h
        .counts
        .iter()
        .enumerate()
        .map(|(i, &c)| Bar {
            lo: h.lo + i as f64 * width,
            hi: h.lo + (i + 1) as f64 * width,
            value: c as f64,
            open: false,
        })
        .collect();
    let kth = h.top.last().copied().unwrap_or(h.mean);
    let k = h.top.len();
    let name = data_label(h.kind, lang);
    ChartSpec {
        testid: format!("chart-similarity-{}", h.kind.name()),
        title: tr(
            lang,
            &format!(
                "{name}：查询与全部向量的相似度（相对对比度 {:.2}）",
                h.contrast
            ),
            &format!(
                "{name}: one query's similarity to every vector (relative contrast {:.2})",
                h.contrast
            ),
        ),
        x: Axis::linear(tr(lang, "余弦相似度", "cosine similarity")),
        y: Axis::linear(tr(lang, "向量数", "vectors")),
        marks: Marks::Bars(bars),
        rules: vec![
            (h.mean, format!("mean {:.3}", h.mean)),
            (kth, format!("top-{k} ≥ {kth:.3}")),
            (h.best(), format!("best {:.3}", h.best())),
        ],
        caption: tr(
            lang,
            &format!(
                "相对对比度 = (1 − 平均相似度) / (1 − 最佳相似度)（He 等, 2012）：平均向量比最近邻远多少倍。这里 {:.2}；第 {k} 名高出平均 {:.1} 个标准差。",
                h.contrast,
                h.kth_sigmas()
            ),
            &format!(
                "Relative contrast = (1 − mean similarity) / (1 − best similarity) (He et al. 2012): how many times farther an average vector is than the nearest. Here {:.2}; the {k}th best stands {:.1} standard deviations above the mean.",
                h.contrast,
                h.kth_sigmas()
            ),
        ),
    }
}

/// The lesson's explanation under the two histograms.
pub fn similarity_lesson(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => {
            "为什么随机数据让所有索引都显得很差：在高维独立同分布的随机向量中，最近邻几乎不比任何其他点更近（相对对比度接近 1），top-10 淹没在大量相似度几乎相同的向量里，图的贪心搜索和 IVF 的聚类都没有可以依循的方向。真实的文本嵌入有主题和共同方向：top-10 明显高出其余向量，索引很容易找到它们。"
        }
        Lang::En => {
            "Why random data defeats every index: in i.i.d. random high-dimensional vectors the nearest neighbour is barely closer than any other point (relative contrast near 1), so the top-10 drowns in a bulk of near-equal similarities and neither a graph's greedy walk nor IVF's clusters have a direction to follow. Real text embeddings have topics and a common direction: the top-10 stands apart from the rest, and an index finds it easily."
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use annlab_core::scenario::{MainIndex, SweepPoint};
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn sweep(recall: f64) -> StepReport {
        let mut r = StepReport::new(StepId::EfSweep);
        r.sweep = [16, 64]
            .into_iter()
            .map(|ef| SweepPoint {
                index: "HNSW".into(),
                param: "ef".into(),
                value: ef,
                latency_ms: ef as f64 / 100.0,
                qps: 1000.0 / ef as f64,
                recall,
                memory_bytes: 1,
                reps: 1,
                unresolved: false,
            })
            .collect();
        r
    }

    #[test]
    fn reports_are_kept_per_kind_and_found_for_the_other() {
        let random = ScenarioParams::default();
        let mut emb = random.clone();
        emb.data.kind = DataKind::Embeddings;
        let mut kept = Vec::new();
        keep(
            &mut kept,
            &random,
            &[sweep(0.3), StepReport::new(StepId::Stats)],
        );
        keep(&mut kept, &emb, &[sweep(0.99)]);
        keep(&mut kept, &emb, &[sweep(0.98)]);
        assert_eq!(kept.len(), 2, "one per kind, Stats not kept");
        let o = other_of(&kept, &random, StepId::EfSweep).unwrap();
        assert_eq!(o.sweep[0].recall, 0.98);
        let mut bigger = random.clone();
        bigger.data.n = 20_000;
        assert!(other_of(&kept, &bigger, StepId::EfSweep).is_none());
    }

    #[test]
    fn the_other_kinds_curves_are_overlaid_and_named() {
        let own = super::super::figures::charts(&sweep(0.3), Lang::En);
        let alone = overlay(own.clone(), DataKind::Random, None, Lang::En);
        assert!(alone[0].caption.contains("Run with data=embeddings"));
        let both = overlay(own, DataKind::Random, Some(&sweep(0.99)), Lang::En);
        let Marks::Series(s) = &both[1].marks else {
            panic!()
        };
        assert_eq!(
            s.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
            ["HNSW · random", "HNSW · embeddings"]
        );
        assert_eq!(s[1].points[0].1, 0.99);
        assert_ne!(s[0].colour, s[1].colour);
    }

    #[test]
    fn corrections_take_the_other_kinds_measurement() {
        let mut r = StepReport::new(StepId::Search);
        let recall = |recall, data| Correction::Recall {
            recall,
            index: MainIndex::Hnsw,
            value: 64,
            data,
            other: None,
        };
        r.correct(recall(0.3, DataKind::Random));
        let mut o = StepReport::new(StepId::Search);
        o.correct(recall(0.99, DataKind::Embeddings));
        let w = with_other(&r, Some(&o));
        assert!(matches!(w.corrections[0], Correction::Recall { other: Some(x), .. } if x == 0.99));
        let shown = annlab_core::scenario::words::show(&w, Lang::En);
        assert!(shown.corrections[0].measured.contains("0.99"));
        let alone = annlab_core::scenario::words::show(&with_other(&r, None), Lang::En);
        assert!(
            alone.corrections[0]
                .measured
                .contains("run with data=embeddings")
        );
    }
}
