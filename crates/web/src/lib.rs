//! annlab's browser playground: Leptos components over plain state, grouped by
//! feature. All vector search code lives in `annlab-core` and runs in the engine's
//! Web Worker ([`engine`]); this crate only asks it and shows what it says.
//!
//! - [`page`]: the state a link reproduces (the one parameter form, step, language);
//! - [`steps`]: the tutorial, step by step (run, output in words, charts, callouts);
//! - [`toy`]: step 3's 2-D toy of IVF and HNSW;
//! - [`cluster`]: the cluster exercise's query nodes, one worker per shard;
//! - [`monitor`]: the monitoring exercise's live metrics;
//! - [`overview`]: Milvus's architecture and where each part lives in annlab;
//! - [`charts`]: SVG charts from specs.

// Unit tests also run compiled to wasm32, in headless Chromium.
#[cfg(all(test, target_arch = "wasm32"))]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

pub mod app;
pub mod charts;
pub mod cluster;
pub mod engine;
pub mod monitor;
pub mod overview;
pub mod page;
pub mod steps;
pub mod toy;

use annlab_core::scenario::Lang;

pub use app::App;

/// Mounts the playground on `<body>`.
pub fn mount() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}

/// The page's own words (chart labels, notes) in `lang`; the tutorial's words are
/// `annlab_core::scenario::words`'.
pub(crate) fn tr(lang: Lang, zh: &str, en: &str) -> String {
    lang.pick(zh, en).to_owned()
}
