//! Which charts a step's report gets: plain functions from a measured
//! [`StepReport`] to [`ChartSpec`]s (no drawing here, no typed-in numbers).
//! Callouts are in [`super::callouts`].

use annlab_core::clock::RESOLUTION_FACTOR;
use annlab_core::scenario::{BatchTiming, FigureId, Lang, StepId, StepReport, SweepPoint};

use crate::charts::histogram::bins;
use crate::charts::{Axis, ChartSpec, Marks, Series, index_colour};
use crate::tr;

/// The shortest time a report's clock measures to 1 %: [`RESOLUTION_FACTOR`]
/// ticks of the resolution measured in the worker (browsers coarsen
/// `performance.now()` to 100 µs without cross-origin isolation, 5 µs with it).
pub fn shortest_ms(r: &StepReport) -> f64 {
    RESOLUTION_FACTOR * r.clock_resolution_ms
}

/// The clock's resolution in words: `5.0 µs`.
pub fn resolution_text(ms: f64) -> String {
    let us = ms * 1000.0;
    if us >= 10.0 {
        format!("{us:.0} µs")
    } else {
        format!("{us:.1} µs")
    }
}

/// Whether an insert batch (timed once: it cannot be repeated) took long enough
/// for the report's clock.
pub(crate) fn measurable(r: &StepReport, b: &BatchTiming) -> bool {
    b.ms > 0.0 && b.ms >= shortest_ms(r)
}

/// The charts of a step's report, in display order (none for most steps).
pub fn charts(r: &StepReport, lang: Lang) -> Vec<ChartSpec> {
    let mut out = Vec::new();
    match r.step {
        StepId::Insert if r.batches.iter().any(|b| measurable(r, b)) => {
            let hidden = r.batches.iter().filter(|b| !measurable(r, b)).count();
            let shortest = shortest_ms(r);
            let clock = resolution_text(r.clock_resolution_ms);
            out.push(ChartSpec {
                testid: "chart-insert-throughput".into(),
                title: tr(lang, "每批插入吞吐量", "Insert throughput per batch"),
                x: Axis::linear(tr(lang, "批次 (序号)", "batch (number)")),
                y: Axis::linear(tr(lang, "吞吐量 (向量/秒)", "throughput (vectors/s)")),
                marks: Marks::Series(vec![Series {
                    name: tr(lang, "插入", "insert"),
                    colour: index_colour(""),
                    points: r
                        .batches
                        .iter()
                        .enumerate()
                        .filter(|(_, b)| measurable(r, b))
                        .map(|(i, b)| {
                            let label = format!("{} rows, {:.2} ms", b.rows, b.ms);
                            ((i + 1) as f64, b.rate(), label)
                        })
                        .collect(),
                    line: true,
                }]),
                rules: Vec::new(),
                caption: tr(
                    lang,
                    &format!(
                        "每个点是一次 insert 调用的实测速度；索引在 flush 时构建，不在这里。{}",
                        if hidden > 0 {
                            format!("{hidden} 批耗时低于 {shortest:.2} ms（时钟精度 {clock} 的 100 倍），无法准确计时，未画出。")
                        } else {
                            String::new()
                        }
                    ),
                    &format!(
                        "Each point is one measured insert call; the index is built at flush, not here.{}",
                        if hidden > 0 {
                            format!(" {hidden} batches took less than {shortest:.2} ms (100 ticks of the clock's {clock} resolution), too short to time, and are not drawn.")
                        } else {
                            String::new()
                        }
                    ),
                ),
            });
        }
        StepId::BatchSearch if !r.latencies_ms.is_empty() => out.push(ChartSpec {
            testid: "chart-latency-histogram".into(),
            title: tr(
                lang,
                &format!("{} 次查询的延迟分布", r.latencies_ms.len()),
                &format!("Latency of the {} queries", r.latencies_ms.len()),
            ),
            x: Axis::linear(tr(lang, "延迟 (ms)", "latency (ms)")),
            y: Axis::linear(tr(lang, "查询数", "queries")),
            marks: Marks::Bars(bins(&r.latencies_ms)),
            rules: [(FigureId::P50Ms, "p50"), (FigureId::P99Ms, "p99")]
                .into_iter()
                .filter_map(|(id, name)| r.get(id).map(|v| (v, format!("{name} {v:.2} ms"))))
                .collect(),
            caption: tr(
                lang,
                "每次查询单独计时（太快时重复多次取平均）；长尾决定 p99（最后一个柱可能包含更慢的查询，见提示）。p50 / p99 在相邻排名之间线性插值（同 numpy.percentile）。",
                "Each query timed on its own (repeated and averaged when too fast for the clock); the tail sets p99 (the last bar may hold slower queries too: hover it). p50 and p99 interpolate linearly between ranks, as numpy.percentile does.",
            ) + &timing_note(r, lang),
        }),
        StepId::EfSweep if !r.sweep.is_empty() => {
            let param = r.sweep[0].param.clone();
            let curve = |f: fn(&SweepPoint) -> f64, timed: bool| {
                vec![Series {
                    name: r.sweep[0].index.clone(),
                    colour: index_colour(&r.sweep[0].index),
                    points: r
                        .sweep
                        .iter()
                        .filter(|p| !(timed && p.unresolved))
                        .map(|p| (p.value as f64, f(p), format!("{}={}", p.param, p.value)))
                        .collect(),
                    line: true,
                }]
            };
            out.push(ChartSpec {
                testid: "chart-ef-latency".into(),
                title: tr(
                    lang,
                    &format!("延迟 vs {param}"),
                    &format!("Latency vs {param}"),
                ),
                x: Axis::linear(param.clone()),
                y: Axis::linear(tr(lang, "平均延迟 (ms)", "mean latency (ms)")),
                marks: Marks::Series(curve(|p| p.latency_ms, true)),
                rules: Vec::new(),
                caption: tr(
                    lang,
                    "索引建好之后测得（教程的数字是在构建期间测的）。",
                    "Measured after the index was built (the tutorial measured during the build).",
                ) + &timing_note(r, lang),
            });
            out.push(ChartSpec {
                testid: "chart-ef-recall".into(),
                title: tr(
                    lang,
                    &format!("recall@10 vs {param}"),
                    &format!("Recall@10 vs {param}"),
                ),
                x: Axis::linear(param),
                y: Axis::linear("recall@10"),
                marks: Marks::Series(curve(|p| p.recall, false)),
                rules: Vec::new(),
                caption: tr(
                    lang,
                    "与精确搜索的 top-10 对比。",
                    "Against the exact top-10.",
                ),
            });
        }
        StepId::IvfCompare | StepId::IvfPq if !r.sweep.is_empty() => {
            let mut chart = recall_qps(r, lang);
            if r.step == StepId::IvfCompare {
                chart.caption.push_str(&tr(
                    lang,
                    " IVF_PQ 的曲线在练习 1 中。",
                    " IVF_PQ's curve is in Exercise 1.",
                ));
            }
            if r.sweep.iter().any(|p| p.index == "HNSW_SQ") {
                chart.caption.push_str(&tr(
                    lang,
                    " HNSW_SQ（SQ8）在 8 位编码上走同样的图：每次距离读的字节是浮点的四分之一，\
                     用一些召回率换速度和内存。",
                    " HNSW_SQ (SQ8) walks the same kind of graph on 8-bit codes: each distance \
                     reads a quarter of the bytes, trading some recall for speed and memory.",
                ));
            }
            out.push(chart);
            if r.step == StepId::IvfPq {
                out.push(memory_recall(r, lang));
            }
        }
        _ => {}
    }
    out
}

/// How a chart's times were measured: the repetitions and the clock's resolution
/// (empty when the report says nothing of them).
pub fn timing_note(r: &StepReport, lang: Lang) -> String {
    let Some((lo, hi)) = r.reps else {
        return String::new();
    };
    let clock = resolution_text(r.clock_resolution_ms);
    let reps = if lo == hi {
        hi.to_string()
    } else {
        format!("{lo}–{hi}")
    };
    let hidden = r.sweep.iter().filter(|p| p.unresolved).count();
    let mut note = if hi == 1 {
        tr(
            lang,
            &format!(
                " 每个时间计时一次（都超过时钟精度 {clock} 的 100 倍，在引擎 worker 中测得）。"
            ),
            &format!(
                " Each time measured once (all above 100 ticks of the clock's {clock} resolution, measured in the engine's worker)."
            ),
        )
    } else {
        tr(
            lang,
            &format!(" 计时：重复 {reps} 次取平均；时钟精度 {clock}（在引擎 worker 中测得）。"),
            &format!(
                " Timed over {reps} repetitions; clock resolution {clock} (measured in the engine's worker)."
            ),
        )
    };
    if hidden > 0 {
        note += &tr(
            lang,
            &format!(" {hidden} 个点即使重复也低于时钟精度，未画出。"),
            &format!(
                " {hidden} points stayed below the clock's resolution even repeated and are not drawn."
            ),
        );
    }
    note
}

/// One series per index, in the order the report lists them.
fn by_index(
    sweep: &[SweepPoint],
    f: impl Fn(&SweepPoint) -> (f64, f64),
    line: bool,
) -> Vec<Series> {
    let mut out: Vec<Series> = Vec::new();
    for p in sweep {
        let (x, y) = f(p);
        let label = if p.param == "-" {
            String::new()
        } else {
            format!("{}={}", p.param, p.value)
        };
        match out.iter_mut().find(|s| s.name == p.index) {
            Some(s) => s.points.push((x, y, label)),
            None => out.push(Series {
                name: p.index.clone(),
                colour: index_colour(&p.index),
                points: vec![(x, y, label)],
                line,
            }),
        }
    }
    out
}

/// ann-benchmarks' plot: QPS (log) against recall; up and to the right is better.
fn recall_qps(r: &StepReport, lang: Lang) -> ChartSpec {
    // Only points whose time was measured above the clock's resolution.
    let timed: Vec<SweepPoint> = r.sweep.iter().filter(|p| !p.unresolved).cloned().collect();
    ChartSpec {
        testid: "chart-recall-qps".into(),
        title: tr(lang, "召回率 vs 每秒查询数", "Recall vs queries per second"),
        x: Axis::linear("recall@10"),
        y: Axis::log(tr(lang, "QPS (查询/秒, 对数)", "QPS (queries/s, log)")),
        marks: Marks::Series(by_index(&timed, |p| (p.recall, p.qps), true)),
        rules: Vec::new(),
        caption: tr(
            lang,
            "ann-benchmarks 风格：越靠右上越好。FLAT 是精确搜索（recall = 1）。",
            "ann-benchmarks style: up and to the right is better. FLAT is exact search (recall 1).",
        ) + &timing_note(r, lang),
    }
}

/// What each index costs in memory for the recall it reaches.
fn memory_recall(r: &StepReport, lang: Lang) -> ChartSpec {
    ChartSpec {
        testid: "chart-memory-recall".into(),
        title: tr(lang, "内存 vs 召回率", "Memory vs recall"),
        x: Axis::linear("recall@10"),
        y: Axis::log(tr(
            lang,
            "搜索所需内存 (MB, 对数)",
            "memory to search (MB, log)",
        )),
        marks: Marks::Series(by_index(
            &r.sweep,
            |p| (p.recall, p.memory_bytes as f64 / 1e6),
            false,
        )),
        rules: Vec::new(),
        caption: tr(
            lang,
            "IVF_PQ 用每个向量 m·nbits/8 字节的编码换取内存，代价是召回率。\
             HNSW_SQ 把每一维存成 8 位：图走在约为浮点向量四分之一大小的编码上，距离更便宜，\
             代价是一些召回率（Milvus 的 refine 用全精度向量重排候选，把它赢回来）。",
            "IVF_PQ trades recall for memory: m·nbits/8 bytes per vector instead of 4·dim. \
             HNSW_SQ stores each dimension in 8 bits: the graph walks on codes a quarter \
             the size of the floats, with cheaper distances, for some recall (Milvus's \
             refine re-ranks the candidates with full precision to win it back).",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn point(index: &str, value: usize, recall: f64, qps: f64) -> SweepPoint {
        SweepPoint {
            index: index.into(),
            param: if index == "FLAT" {
                "-".into()
            } else {
                "nprobe".into()
            },
            value,
            latency_ms: 1000.0 / qps,
            qps,
            recall,
            memory_bytes: 1_000_000,
            reps: 1,
            unresolved: false,
        }
    }

    #[test]
    fn most_steps_have_no_chart() {
        let r = StepReport::new(StepId::Connect);
        assert!(charts(&r, Lang::En).is_empty());
        // A step whose data is missing shows nothing rather than an empty chart.
        assert!(charts(&StepReport::new(StepId::BatchSearch), Lang::En).is_empty());
    }

    #[test]
    fn insert_batches_become_throughput_points() {
        let mut r = StepReport::new(StepId::Insert);
        r.batches = vec![
            BatchTiming {
                rows: 1000,
                ms: 500.0,
            },
            BatchTiming {
                rows: 500,
                ms: 100.0,
            },
        ];
        let c = charts(&r, Lang::En);
        assert_eq!(c[0].testid, "chart-insert-throughput");
        let Marks::Series(s) = &c[0].marks else {
            panic!()
        };
        assert_eq!(s[0].points[0].0, 1.0);
        assert_eq!(s[0].points[0].1, 2000.0);
        assert_eq!(s[0].points[1].1, 5000.0);
        assert!(c[0].y.label.contains("vectors/s"));
    }

    #[test]
    fn batches_below_the_clocks_resolution_are_not_drawn() {
        let mut r = StepReport::new(StepId::Insert);
        r.batches = vec![
            BatchTiming { rows: 250, ms: 0.0 },
            BatchTiming { rows: 250, ms: 0.5 },
        ];
        r.clock_resolution_ms = 0.005;
        let c = charts(&r, Lang::En);
        let Marks::Series(s) = &c[0].marks else {
            panic!()
        };
        assert_eq!(s[0].points.len(), 1);
        assert_eq!(s[0].points[0].0, 2.0);
        assert!(c[0].caption.contains("1 batches took less than"));
        r.batches[1].ms = 0.01;
        assert!(charts(&r, Lang::En).is_empty());
    }

    #[test]
    fn batch_latencies_become_a_histogram_of_every_query() {
        let mut r = StepReport::new(StepId::BatchSearch);
        r.latencies_ms = (0..100).map(|i| 0.3 + (i % 7) as f64 * 0.05).collect();
        r.figure(FigureId::P50Ms, 0.45);
        r.figure(FigureId::P99Ms, 0.6);
        let c = charts(&r, Lang::Zh);
        assert_eq!(
            c[0].rules,
            [
                (0.45, "p50 0.45 ms".to_owned()),
                (0.6, "p99 0.60 ms".to_owned())
            ]
        );
        let Marks::Bars(b) = &c[0].marks else {
            panic!()
        };
        assert_eq!(b.iter().map(|b| b.value).sum::<f64>(), 100.0);
        assert!(c[0].x.label.contains("ms"));
    }

    #[test]
    fn sweeps_give_one_series_per_index_on_a_log_qps_axis() {
        let mut r = StepReport::new(StepId::IvfPq);
        r.sweep = vec![
            point("FLAT", 0, 1.0, 80.0),
            point("IVF_FLAT", 1, 0.4, 9000.0),
            point("IVF_FLAT", 10, 0.9, 2000.0),
            point("IVF_PQ", 1, 0.2, 12000.0),
        ];
        let c = charts(&r, Lang::En);
        assert_eq!(
            c.iter().map(|c| c.testid.as_str()).collect::<Vec<_>>(),
            ["chart-recall-qps", "chart-memory-recall"]
        );
        assert_eq!(c[0].y.kind, crate::charts::scale::Kind::Log);
        let Marks::Series(s) = &c[0].marks else {
            panic!()
        };
        assert_eq!(
            s.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
            ["FLAT", "IVF_FLAT", "IVF_PQ"]
        );
        assert_eq!(s[1].points[1], (0.9, 2000.0, "nprobe=10".to_owned()));
        assert_eq!(s[0].points[0].2, "");
        r.step = StepId::IvfCompare;
        assert_eq!(charts(&r, Lang::En).len(), 1);
    }
}
