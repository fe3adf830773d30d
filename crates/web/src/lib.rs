//! annlab's browser playground: Leptos components over plain state. All vector
//! search code lives in `annlab-core`; this crate only shows it.

// Unit tests also run compiled to wasm32, in headless Chromium.
#[cfg(all(test, target_arch = "wasm32"))]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

pub mod app;
pub mod callouts;
pub mod charts;
pub mod cluster;
pub mod cluster_nodes;
pub mod cluster_view;
pub mod engine;
pub mod figures;
pub mod monitor;
pub mod overview;
pub mod params;
pub mod protocol;
pub mod state;
pub mod toy_geometry;
pub mod toy_state;
pub mod toy_view;
pub mod tutorial;
pub mod url;

pub use app::App;

/// Mounts the playground on `<body>`.
pub fn mount() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}
