//! The monitoring exercise's live view: a "send queries" control, the search
//! latency histogram in Prometheus's buckets, the counters and the exposition text,
//! all from the worker's metric snapshots (`annlab_core::scenario::LiveSnapshot`)
//! as they arrive. Nothing here measures or computes a metric: it only draws them.

use annlab_core::scenario::live::bucket_upper_ms;
use annlab_core::scenario::{Lang, LiveSnapshot};
use leptos::prelude::*;

use crate::charts::{Axis, Bar, ChartSpec, Marks};
use crate::tr;

/// Queries one click of the control sends.
pub const LIVE_QUERIES: usize = 200;

/// One bar per Prometheus bucket `(previous bound, bound]` in ms, up to the last
/// bucket holding a request. The first bucket (everything ≤ its bound) is drawn as
/// wide, on the log axis, as the second; the +Inf bucket is an open bar.
pub fn latency_bars(s: &LiveSnapshot) -> Vec<Bar> {
    let last = s.counts.iter().rposition(|&c| c > 0).unwrap_or(0).max(3);
    let ratio = bucket_upper_ms(1) / bucket_upper_ms(0);
    (0..=last.min(s.counts.len().saturating_sub(1)))
        .map(|i| {
            let open = bucket_upper_ms(i).is_infinite();
            let lo = if i == 0 {
                bucket_upper_ms(0) / ratio
            } else {
                bucket_upper_ms(i - 1)
            };
            let hi = if open { lo * ratio } else { bucket_upper_ms(i) };
            Bar {
                lo,
                hi,
                value: s.counts[i] as f64,
                open,
            }
        })
        .collect()
}

pub fn latency_chart(s: &LiveSnapshot, lang: Lang) -> ChartSpec {
    ChartSpec {
        testid: "chart-live-latency".into(),
        title: tr(
            lang,
            &format!("检索延迟直方图（{} 次请求）", s.requests),
            &format!("Search latency histogram ({} requests)", s.requests),
        ),
        x: Axis::log(tr(
            lang,
            "延迟 (ms)，Prometheus 桶的上界",
            "latency (ms), Prometheus bucket bounds",
        )),
        y: Axis::linear(tr(lang, "请求数", "requests")),
        marks: Marks::Bars(latency_bars(s)),
        rules: Vec::new(),
        caption: tr(
            lang,
            "annlab_search_latency_seconds 的桶（不累计）：每个柱是 (上一个上界, 上界] 内的请求数；第一个柱包含所有 ≤ 0.1 ms 的请求。",
            "The buckets of annlab_search_latency_seconds (not cumulative): each bar counts the requests in (previous bound, bound]; the first bar holds every request ≤ 0.1 ms.",
        ),
    }
}

/// (testid, label, value) of each counter.
pub fn counters(s: &LiveSnapshot, lang: Lang) -> Vec<(&'static str, String, String)> {
    vec![
        (
            "monitor-requests",
            tr(
                lang,
                "检索请求 (annlab_search_requests_total)",
                "search requests (annlab_search_requests_total)",
            ),
            s.requests.to_string(),
        ),
        (
            "monitor-vectors",
            tr(
                lang,
                "查询向量 (annlab_search_vectors_total)",
                "query vectors (annlab_search_vectors_total)",
            ),
            s.vectors.to_string(),
        ),
        (
            "monitor-seconds",
            tr(
                lang,
                "检索总耗时 (annlab_search_latency_seconds_sum)",
                "time searching (annlab_search_latency_seconds_sum)",
            ),
            format!("{:.4} s", s.seconds),
        ),
        (
            "monitor-sent",
            tr(lang, "本轮已发送", "sent this round"),
            format!("{} / {}", s.sent, s.total),
        ),
    ]
}

/// The live panel. `send` asks the worker for [`LIVE_QUERIES`] queries; `loaded`
/// says whether the tutorial's collection is loaded in the worker.
pub fn monitor_panel(
    snapshot: RwSignal<Option<LiveSnapshot>>,
    busy: RwSignal<bool>,
    loaded: Memo<bool>,
    lang: RwSignal<Lang>,
    send: impl Fn(leptos::ev::MouseEvent) + 'static,
) -> impl IntoView {
    view! {
        <section class="monitor" data-testid="monitor">
            <div class="controls">
                <button class="run" data-testid="monitor-send" on:click=send disabled=move || busy.get()>
                    {move || tr(lang.get(), &format!("发送 {LIVE_QUERIES} 次查询"), &format!("Send {LIVE_QUERIES} queries"))}
                </button>
            </div>
            {move || (!loaded.get()).then(|| view! {
                <p class="note" data-testid="monitor-needs">
                    {move || tr(
                        lang.get(),
                        "集合还没有加载：发送查询会先运行它需要的步骤 1–6（建表、索引、数据、插入、加载）。",
                        "The collection is not loaded yet: sending queries first runs the steps it needs, 1–6 (schema, index, data, insert, load).",
                    )}
                </p>
            })}
            {move || snapshot.get().map(|s| {
                let l = lang.get();
                view! {
                    <dl class="counters" data-testid="monitor-counters">
                        {counters(&s, l).into_iter().map(|(id, label, value)| view! {
                            <dt>{label}</dt>
                            <dd class="num" data-testid=id>{value}</dd>
                        }).collect_view()}
                    </dl>
                    <div class="charts">
                        <crate::charts::view::Chart spec=latency_chart(&s, l) />
                    </div>
                    <pre class="console" data-testid="monitor-prometheus">{s.prometheus}</pre>
                }
            })}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::layout;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn snap(counts: Vec<u64>) -> LiveSnapshot {
        LiveSnapshot {
            sent: 20,
            total: 200,
            requests: counts.iter().sum(),
            vectors: counts.iter().sum(),
            seconds: 0.012,
            counts,
            prometheus: "annlab_search_requests_total 20\n".into(),
        }
    }

    #[test]
    fn bars_follow_the_buckets_up_to_the_last_request() {
        let mut counts = vec![0; 15];
        counts[0] = 12;
        counts[5] = 8;
        let bars = latency_bars(&snap(counts));
        assert_eq!(bars.len(), 6);
        assert_eq!(bars[0].value, 12.0);
        assert_eq!(bars[0].hi, 0.1);
        assert!((bars[0].lo - 0.04).abs() < 1e-12);
        assert_eq!((bars[5].lo, bars[5].hi, bars[5].value), (2.5, 5.0, 8.0));
        assert!(bars.iter().all(|b| !b.open));
    }

    #[test]
    fn the_inf_bucket_is_an_open_bar() {
        let mut counts = vec![0; 15];
        counts[14] = 1;
        let bars = latency_bars(&snap(counts));
        assert_eq!(bars.len(), 15);
        assert!(bars[14].open);
        assert_eq!(bars[14].lo, 2500.0);
    }

    #[test]
    fn chart_and_counters_show_the_snapshot() {
        let mut counts = vec![0; 15];
        counts[1] = 20;
        let s = snap(counts);
        let d = layout(&latency_chart(&s, Lang::En));
        assert_eq!(d.rects.len(), 4);
        assert!(d.rects[1].h > 0.0 && d.rects[0].h.abs() < 0.2);
        let c = counters(&s, Lang::En);
        assert_eq!(c[0].2, "20");
        assert_eq!(c[2].2, "0.0120 s");
        assert_eq!(c[3].2, "20 / 200");
    }
}
