//! The cluster exercise's panel: an SVG diagram proxy (the page) → query nodes
//! (Web Workers) with each node's rows, build time and mean search time, then the
//! end-to-end latency, the gather, recall@10 and what the parallel nodes bought
//! over one worker. Geometry and texts are plain functions over
//! [`ClusterRun`](crate::cluster::ClusterRun); the component only draws them.

use annlab_core::scenario::Lang;
use leptos::prelude::*;

use crate::cluster::{ClusterRun, Phase, Summary};
use crate::tr;

pub const WIDTH: f64 = 720.0;
const NODE_H: f64 = 96.0;
const PROXY_W: f64 = 220.0;
const PROXY_H: f64 = 46.0;
const GAP: f64 = 8.0;
const NODES_Y: f64 = 120.0;

/// A box in the diagram's pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    pub fn centre_x(&self) -> f64 {
        self.x + self.w / 2.0
    }
}

/// The proxy on top, one box per node in a row below, evenly spread.
pub fn layout(shards: usize) -> (Rect, Vec<Rect>) {
    let proxy = Rect {
        x: (WIDTH - PROXY_W) / 2.0,
        y: 8.0,
        w: PROXY_W,
        h: PROXY_H,
    };
    let n = shards.max(1) as f64;
    let w = ((WIDTH - GAP * (n + 1.0)) / n).min(170.0);
    let start = (WIDTH - (w * n + GAP * (n - 1.0))) / 2.0;
    let nodes = (0..shards)
        .map(|i| Rect {
            x: start + i as f64 * (w + GAP),
            y: NODES_Y,
            w,
            h: NODE_H,
        })
        .collect();
    (proxy, nodes)
}

pub fn height() -> f64 {
    NODES_Y + NODE_H + 8.0
}

/// The lines of node `i`'s box: its name, rows (or build progress), build ms,
/// mean search ms (its worker's clock) × answers, mean reply ms (the page's clock,
/// from the scatter to this node's answer).
pub fn node_lines(run: &ClusterRun, i: usize, lang: Lang) -> Vec<String> {
    let n = &run.nodes[i];
    let mut out = vec![tr(
        lang,
        &format!("查询节点 {i}"),
        &format!("query node {i}"),
    )];
    match (n.rows, n.build_ms, n.progress) {
        (Some(rows), Some(ms), _) => {
            out.push(tr(lang, &format!("{rows} 行"), &format!("{rows} rows")));
            out.push(tr(
                lang,
                &format!("构建 {ms:.0} ms"),
                &format!("build {ms:.0} ms"),
            ));
        }
        (_, _, Some((done, total))) => out.push(tr(
            lang,
            &format!("构建中 {done}/{total}"),
            &format!("building {done}/{total}"),
        )),
        _ => out.push(tr(lang, "生成数据…", "generating data…")),
    }
    if let Some(ms) = run.node_search_ms(i) {
        out.push(tr(
            lang,
            &format!("检索 {ms:.3} ms × {}", n.search_ms.len()),
            &format!("search {ms:.3} ms × {}", n.search_ms.len()),
        ));
    }
    if let Some(ms) = run.node_answer_ms(i) {
        out.push(tr(
            lang,
            &format!("应答 {ms:.3} ms（页面计时）"),
            &format!("reply {ms:.3} ms (page)"),
        ));
    }
    out
}

/// The proxy's lines: the page scatters and gathers.
pub fn proxy_lines(run: &ClusterRun, lang: Lang) -> Vec<String> {
    let mut out = vec![tr(
        lang,
        "代理 = 本页面（主线程）",
        "proxy = this page (main thread)",
    )];
    if let Some(s) = run.summary() {
        out.push(tr(
            lang,
            &format!("汇总 {:.3} ms / 查询", s.gather_ms),
            &format!("gather {:.3} ms / query", s.gather_ms),
        ));
    }
    out
}

/// (label, value) rows of the latency region.
pub fn latency_rows(run: &ClusterRun, s: &Summary, lang: Lang) -> Vec<(String, String)> {
    let mut rows = vec![
        (
            tr(
                lang,
                "端到端延迟（分发 → 最后一个节点应答 → 合并），平均 / p50 / p99",
                "end to end (scatter → last node's answer → merged), mean / p50 / p99",
            ),
            format!(
                "{:.3} / {:.3} / {:.3} ms ({} {})",
                s.mean_ms,
                s.p50_ms,
                s.p99_ms,
                s.queries,
                tr(lang, "次查询", "queries")
            ),
        ),
        (
            tr(lang, "汇总（merge_top_k）", "gather (merge_top_k)"),
            format!("{:.4} ms", s.gather_ms),
        ),
        (
            tr(
                lang,
                "各节点检索时间之和（同样的检索依次执行）",
                "the nodes' search times summed (the same searches one after another)",
            ),
            format!("{:.3} ms", s.sum_of_nodes_ms),
        ),
    ];
    if let Some(ms) = run.one_worker_ms {
        rows.push((
            tr(
                lang,
                "单个引擎 worker 依次检索所有分片（本练习的输出）",
                "one engine worker searching every shard in turn (the output above)",
            ),
            format!("{ms:.3} ms"),
        ));
    }
    rows
}

/// What the parallel nodes bought, in words, from the measured figures.
pub fn speedup_note(run: &ClusterRun, s: &Summary, lang: Lang) -> String {
    let nodes = run.nodes.len();
    let cores = run.cores.map_or_else(|| "?".to_owned(), |c| c.to_string());
    if s.speedup >= 1.1 {
        tr(
            lang,
            &format!(
                "{nodes} 个查询节点并行：端到端 {:.3} ms，比依次检索的 {:.3} ms 快 {:.2} 倍（本机 {cores} 个逻辑核）。",
                s.mean_ms, s.sum_of_nodes_ms, s.speedup
            ),
            &format!(
                "{nodes} query nodes in parallel: {:.3} ms end to end against {:.3} ms one after another, {:.2}× faster (this machine: {cores} logical cores).",
                s.mean_ms, s.sum_of_nodes_ms, s.speedup
            ),
        )
    } else {
        tr(
            lang,
            &format!(
                "这里并行没有带来加速：端到端 {:.3} ms，而依次检索只要 {:.3} ms（{:.2} 倍）。本机只有 {cores} 个逻辑核，由页面和 {nodes} 个 worker 共享；每次查询还要付出消息往返（postMessage）的开销，分片越小，这个开销占比越大。真正的集群里每个查询节点有自己的机器。",
                s.mean_ms, s.sum_of_nodes_ms, s.speedup
            ),
            &format!(
                "No speedup measured here: {:.3} ms end to end against {:.3} ms one after another ({:.2}×). This machine has {cores} logical cores shared by the page and {nodes} workers, and every query pays the postMessage round trips; the smaller the shards, the more that overhead weighs. In a real cluster each query node has its own machine.",
                s.mean_ms, s.sum_of_nodes_ms, s.speedup
            ),
        )
    }
}

/// The panel: nothing until the exercise has started its query nodes.
pub fn cluster_panel(run: RwSignal<Option<ClusterRun>>, lang: RwSignal<Lang>) -> impl IntoView {
    move || {
        run.get().map(|r| {
            let l = lang.get();
            let (proxy, boxes) = layout(r.nodes.len());
            let h = height();
            let links = boxes
                .iter()
                .map(|b| {
                    view! {
                        <line class="link" x1=proxy.centre_x() y1=proxy.y + proxy.h x2=b.centre_x() y2=b.y />
                    }
                })
                .collect_view();
            let nodes = boxes
                .iter()
                .enumerate()
                .map(|(i, b)| {
                    let lines = node_lines(&r, i, l);
                    let b = *b;
                    view! {
                        <g class="node" data-testid=format!("cluster-node-{i}")>
                            <rect x=b.x y=b.y width=b.w height=b.h rx="4" />
                            {lines.into_iter().enumerate().map(|(k, t)| view! {
                                <text x=b.x + 6.0 y=b.y + 16.0 + 17.0 * k as f64>{t}</text>
                            }).collect_view()}
                        </g>
                    }
                })
                .collect_view();
            let proxy_text = proxy_lines(&r, l)
                .into_iter()
                .enumerate()
                .map(|(k, t)| view! {
                    <text x=proxy.centre_x() y=proxy.y + 18.0 + 17.0 * k as f64 text-anchor="middle">{t}</text>
                })
                .collect_view();
            let summary = r.summary();
            let status = match &r.phase {
                Phase::Building => tr(l, "查询节点正在构建各自的分片…", "The query nodes are building their shards…"),
                Phase::Searching => tr(
                    l,
                    &format!("分发查询 {} / {}", r.found.len(), r.total_queries()),
                    &format!("scattering query {} / {}", r.found.len(), r.total_queries()),
                ),
                Phase::Done => tr(
                    l,
                    &format!("完成：{} 个 worker 回答了 {} 次查询", r.nodes.len(), r.found.len()),
                    &format!("done: {} workers answered {} queries", r.nodes.len(), r.found.len()),
                ),
                Phase::Failed(e) => e.clone(),
            };
            view! {
                <section class="cluster" data-testid="cluster">
                    <p class="note" data-testid="cluster-status">{status}</p>
                    <figure class="chart" data-testid="cluster-diagram">
                        <svg viewBox=format!("0 0 {WIDTH} {h}") width="100%" role="img" aria-label=tr(l, "proxy（本页）→ query node（Web Worker）", "proxy (this page) → query nodes (Web Workers)")>
                            {links}
                            <g class="proxy">
                                <rect x=proxy.x y=proxy.y width=proxy.w height=proxy.h rx="4" />
                                {proxy_text}
                            </g>
                            {nodes}
                        </svg>
                        <figcaption>{tr(l, "代理（页面）把每个查询同时发给所有查询节点（Web Worker），等最后一个应答后合并 top-10。", "The proxy (the page) sends each query to every query node (Web Worker) at once, waits for the last answer and merges the top-10.")}</figcaption>
                    </figure>
                    {summary.map(|s| view! {
                        <dl class="counters" data-testid="cluster-latency">
                            {latency_rows(&r, &s, l).into_iter().map(|(k, v)| view! {
                                <dt>{k}</dt>
                                <dd class="num">{v}</dd>
                            }).collect_view()}
                        </dl>
                        <p class="note" data-testid="cluster-speedup">{speedup_note(&r, &s, l)}</p>
                        <p class="note" data-testid="cluster-recall">
                            {match s.recall {
                                Some(x) => tr(l, &format!("合并结果的 recall@10（对比精确检索）：{x:.3}"), &format!("recall@10 of the merged answers against exact search: {x:.3}")),
                                None => tr(l, "等待精确检索的结果…", "waiting for the exact answers…"),
                            }}
                        </p>
                    })}
                </section>
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use annlab_core::clock::StepClock;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn run() -> ClusterRun {
        let clock = StepClock::new(1.0);
        let mut r = ClusterRun::new(2, 1);
        r.built(0, 5, 12.0);
        r.progress(1, 3, 9);
        assert_eq!(r.scatter(&clock), None, "still building");
        r.built(1, 4, 10.0);
        r.scatter(&clock).unwrap();
        r.answered(0, vec![(0.5, 0)], 0.25, &clock);
        r.answered(1, vec![(0.6, 1)], 0.75, &clock);
        r.cores = Some(2);
        r
    }

    #[test]
    fn nodes_sit_in_a_row_under_the_proxy() {
        for n in [1, 4, 64] {
            let (p, nodes) = layout(n);
            assert_eq!(nodes.len(), n);
            assert!(nodes.iter().all(|b| b.y > p.y + p.h && b.w > 0.0));
            assert!(nodes[0].x >= 0.0 && nodes[n - 1].x + nodes[n - 1].w <= WIDTH + 1e-9);
            assert!(nodes.windows(2).all(|w| w[0].x + w[0].w < w[1].x));
        }
        assert!(height() > NODES_Y + NODE_H);
    }

    #[test]
    fn texts_hold_the_measured_numbers() {
        let r = run();
        assert_eq!(
            node_lines(&r, 0, Lang::En),
            [
                "query node 0",
                "5 rows",
                "build 12 ms",
                "search 0.250 ms × 1",
                "reply 1.000 ms (page)"
            ]
        );
        let mut building = ClusterRun::new(2, 1);
        building.progress(1, 3, 9);
        assert_eq!(node_lines(&building, 1, Lang::En)[1], "building 3/9");
        assert_eq!(node_lines(&building, 0, Lang::Zh)[1], "生成数据…");
        let s = r.summary().unwrap();
        assert!(proxy_lines(&r, Lang::En)[1].starts_with("gather 1.000 ms"));
        let rows = latency_rows(&r, &s, Lang::En);
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].1, "3.000 / 3.000 / 3.000 ms (1 queries)");
        // 1 ms of searching against 3 ms end to end: no speedup, said so.
        assert!(speedup_note(&r, &s, Lang::En).starts_with("No speedup measured here"));
        assert!(speedup_note(&r, &s, Lang::En).contains("2 logical cores"));
        let fast = Summary { speedup: 1.8, ..s };
        assert!(speedup_note(&r, &fast, Lang::Zh).contains("快 1.80 倍"));
    }
}
