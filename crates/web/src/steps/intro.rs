//! The first screen: what the tutorial teaches, "Run all" with how long it took
//! on this machine the last time (measured, kept in the browser's localStorage;
//! never a typed-in number), and the clock the figures were timed with.

use annlab_core::scenario::Lang;

use crate::tr;

/// The localStorage key of the last Run all.
pub const RUN_ALL_KEY: &str = "annlab.run_all";

/// The last complete Run all on this machine: its wall time and the data size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LastRunAll {
    pub seconds: f64,
    pub n: usize,
    pub dim: usize,
}

impl LastRunAll {
    pub fn to_storage(self) -> String {
        format!("{} {} {}", self.seconds, self.n, self.dim)
    }

    pub fn from_storage(s: &str) -> Option<Self> {
        let mut it = s.split_whitespace();
        let seconds: f64 = it.next()?.parse().ok()?;
        let n = it.next()?.parse().ok()?;
        let dim = it.next()?.parse().ok()?;
        (seconds.is_finite() && seconds >= 0.0).then_some(Self { seconds, n, dim })
    }
}

/// What the learner will learn, in the page's language.
pub fn learn(lang: Lang) -> [String; 4] {
    [
        tr(
            lang,
            "Milvus 教程的 13 步和 3 个练习，每一步都在这个标签页里真实运行（引擎在 Web Worker 中）。",
            "The Milvus tutorial's 13 steps and 3 exercises, each run for real in this tab (the engine runs in a Web Worker).",
        ),
        tr(
            lang,
            "HNSW 和 IVF 如何用召回率换速度：每个数字都与精确搜索对比。",
            "How HNSW and IVF trade recall for speed: every figure against exact search.",
        ),
        tr(
            lang,
            "教程打印的数字哪里不对，以及实测的是什么。",
            "Where the tutorial's printed numbers are wrong, and what is measured instead.",
        ),
        tr(
            lang,
            "每个参数就在用到它的那一步旁边：改了再运行。",
            "Each parameter sits beside the step that uses it: change it and run again.",
        ),
    ]
}

/// How long Run all takes here, as the last complete run measured it.
pub fn estimate(last: Option<LastRunAll>, lang: Lang) -> String {
    match last {
        Some(l) => tr(
            lang,
            &format!(
                "在这台机器上约 {:.0} 秒（上次“全部运行”实测，n = {}，dim = {}）",
                l.seconds, l.n, l.dim
            ),
            &format!(
                "≈ {:.0} s on this machine, measured by the last Run all (n = {}, dim = {})",
                l.seconds, l.n, l.dim
            ),
        ),
        None => tr(
            lang,
            "在这台机器上还没测过：第一次“全部运行”会测出用时",
            "not measured on this machine yet: the first Run all measures it",
        ),
    }
}

/// The clock the figures were timed with, in the page's language.
pub fn clock_text(resolution_ms: Option<f64>, isolated: bool, lang: Lang) -> String {
    let isolation = if isolated {
        tr(lang, "页面已跨源隔离", "the page is cross-origin isolated")
    } else {
        tr(
            lang,
            "页面未跨源隔离（时钟较粗）",
            "the page is not cross-origin isolated (a coarser clock)",
        )
    };
    match resolution_ms {
        Some(ms) => tr(
            lang,
            &format!(
                "计时时钟精度 {}（在引擎 worker 中实测）；{isolation}；低于 100 个时钟刻度的时间重复测量后取平均。",
                super::figures::resolution_text(ms)
            ),
            &format!(
                "Timing clock resolution {} (measured in the engine's worker); {isolation}; times under 100 ticks are repeated and averaged.",
                super::figures::resolution_text(ms)
            ),
        ),
        None => tr(
            lang,
            &format!("计时时钟精度：运行第一步时实测；{isolation}。"),
            &format!("Timing clock resolution: measured when the first step runs; {isolation}."),
        ),
    }
}

/// The last Run all kept in this browser, if any.
pub fn load() -> Option<LastRunAll> {
    let storage = web_sys::window()?.local_storage().ok()??;
    LastRunAll::from_storage(&storage.get_item(RUN_ALL_KEY).ok()??)
}

/// Keeps `last` in this browser (nothing when storage is refused).
pub fn store(last: LastRunAll) {
    if let Some(Ok(Some(storage))) = web_sys::window().map(|w| w.local_storage()) {
        let _ = storage.set_item(RUN_ALL_KEY, &last.to_storage());
    }
}

/// Whether the page is cross-origin isolated (`crossOriginIsolated`).
pub fn cross_origin_isolated() -> bool {
    js_sys::Reflect::get(&js_sys::global(), &"crossOriginIsolated".into())
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn the_estimate_is_the_last_measured_run_or_says_it_was_not_measured() {
        let last = LastRunAll {
            seconds: 47.4,
            n: 10_000,
            dim: 1536,
        };
        assert_eq!(LastRunAll::from_storage(&last.to_storage()), Some(last));
        assert_eq!(LastRunAll::from_storage("soon"), None);
        assert_eq!(LastRunAll::from_storage("-1 2 3"), None);
        assert_eq!(
            estimate(Some(last), Lang::En),
            "≈ 47 s on this machine, measured by the last Run all (n = 10000, dim = 1536)"
        );
        assert!(estimate(None, Lang::En).contains("not measured"));
        assert!(!estimate(None, Lang::Zh).chars().any(|c| c.is_ascii_digit()));
    }

    #[test]
    fn the_clock_text_names_the_measured_resolution() {
        let t = clock_text(Some(0.005), true, Lang::En);
        assert!(
            t.contains("5.0 µs") && t.contains("is cross-origin isolated"),
            "{t}"
        );
        assert!(clock_text(Some(0.1), false, Lang::En).contains("100 µs"));
        assert!(clock_text(None, false, Lang::En).contains("when the first step runs"));
    }
}
