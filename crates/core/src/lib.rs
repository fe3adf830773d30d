//! annlab's engine: the part of annlab that knows about vectors.
//!
//! It does no I/O, never reads the clock and never touches web-sys, so the same code
//! runs natively (the `annlab` CLI) and as WebAssembly in the browser playground.
//! See `ARCHITECTURE.md` at the repository root for the map.

// Unit tests also run compiled to wasm32, in headless Chromium, in a dedicated Web
// Worker as the playground runs the engine: a long test then never blocks the page
// that ChromeDriver polls (its renderer time-out is 30 s).
#[cfg(all(test, target_arch = "wasm32"))]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_dedicated_worker);

pub mod bitset;
pub mod clock;
pub mod collection;
pub mod dataset;
pub mod db;
pub mod error;
pub mod expr;
pub mod half;
pub mod index;
pub mod kernels;
pub mod memory;
pub mod metric;
pub mod metrics;
pub mod persist;
pub mod quickstart;
mod report_fmt;
pub mod scenario;
pub mod schema;
pub mod stats;
pub mod topk;
pub mod toy;
pub mod value;
pub mod vecs;

pub use dataset::{DataSpec, TutorialData};
pub use error::{Error, Result};
pub use metric::Metric;
pub use quickstart::{Hit, QuickstartParams};
pub use topk::{Neighbour, TopK};
