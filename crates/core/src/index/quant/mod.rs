//! Quantised indexes: vectors stored in fewer bits, searched by asymmetric
//! distance (a float query against codes), re-ranked where asked.
//!
//! - [`sq`]: scalar quantisers (SQ8 as faiss's `QT_8bit`, FP16, BF16) and the
//!   prepared query their kernels (`crate::kernels`) take;
//! - [`hnsw_sq`]: HNSW_SQ, the HNSW graph on codes (`index::hnsw`'s build and
//!   search through its `Space` trait), with refinement;
//! - [`ivf_sq8`]: IVF_SQ8, inverted lists of SQ8 codes of residuals.

pub mod hnsw_sq;
pub mod ivf_sq8;
pub mod sq;

pub use hnsw_sq::{HnswSq, RefineType};
pub use ivf_sq8::IvfSq8;
pub use sq::{Codes, Sq8, SqQuery, SqType};

#[cfg(test)]
mod tests;
