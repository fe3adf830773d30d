//! annlab's browser playground: Leptos components over plain state. All vector
//! search code lives in `annlab-core`; this crate only shows it.

pub mod app;
pub mod state;
pub mod url;

pub use app::App;

/// Mounts the playground on `<body>`.
pub fn mount() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}
