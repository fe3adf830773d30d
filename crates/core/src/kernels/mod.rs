//! Distance kernels: the inner loops of every index.
//!
//! `scalar` is the reference every other instruction-set file is tested against.
//! The public functions here pick the implementation; today that is the scalar one,
//! written with independent accumulators so that it is deterministic (the same bits
//! natively and in wasm32) and leaves the compiler room to vectorise.

pub mod scalar;

/// Inner product of two equally long slices.
#[inline]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    scalar::dot(a, b)
}

/// Squared Euclidean distance of two equally long slices.
#[inline]
pub fn l2_squared(a: &[f32], b: &[f32]) -> f32 {
    scalar::l2_squared(a, b)
}
