//! annlab's engine: the part of annlab that knows about vectors.
//!
//! It does no I/O, never reads the clock and never touches web-sys, so the same code
//! runs natively (the `annlab` CLI) and as WebAssembly in the browser playground.
//! See `ARCHITECTURE.md` at the repository root for the map.

pub mod bitset;
pub mod dataset;
pub mod error;
pub mod index;
pub mod kernels;
pub mod metric;
pub mod quickstart;
pub mod schema;
pub mod topk;

pub use dataset::{DataSpec, TutorialData};
pub use error::{Error, Result};
pub use metric::Metric;
pub use quickstart::{Hit, QuickstartParams};
pub use topk::{Neighbour, TopK};
