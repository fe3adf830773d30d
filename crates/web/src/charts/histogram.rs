//! Binning measured values for a histogram.

use super::Bar;
use super::scale::nice_step;

/// Most bins a histogram gets; values past the last one are counted in it, and it
/// is marked open-ended.
pub const MAX_BINS: usize = 30;

/// Counts `values` into bins of a nice width (about 12 bins from the minimum to the
/// 95th percentile) that cover them; a bar per bin, empty bins included. A long tail is folded into an open-ended last bin so
/// that one slow query does not squash the rest into a single bar.
pub fn bins(values: &[f64]) -> Vec<Bar> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if sorted.is_empty() {
        return Vec::new();
    }
    sorted.sort_by(f64::total_cmp);
    let q = |p: f64| sorted[((sorted.len() - 1) as f64 * p).round() as usize];
    let (lo, hi) = (sorted[0], sorted[sorted.len() - 1]);
    let width = nice_step(((q(0.95) - lo) / 12.0).max((hi - lo) / 1e4).max(1e-6));
    let start = (lo / width).floor() * width;
    let needed = ((hi - start) / width).floor() as usize + 1;
    let count = needed.clamp(1, MAX_BINS);
    let mut bars: Vec<Bar> = (0..count)
        .map(|i| Bar {
            lo: start + i as f64 * width,
            hi: start + (i + 1) as f64 * width,
            value: 0.0,
            open: false,
        })
        .collect();
    bars[count - 1].open = needed > count;
    for v in sorted {
        let i = (((v - start) / width).floor() as usize).min(count - 1);
        bars[i].value += 1.0;
    }
    bars
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn every_value_lands_in_exactly_one_bin() {
        let values: Vec<f64> = (0..100).map(|i| 0.2 + (i % 17) as f64 * 0.013).collect();
        let b = bins(&values);
        assert_eq!(b.iter().map(|b| b.value).sum::<f64>(), 100.0);
        assert!(b.len() >= 2 && b.len() <= MAX_BINS, "{}", b.len());
        for v in &values {
            assert!(b.iter().any(|b| b.lo <= *v && *v < b.hi + 1e-12));
        }
        for w in b.windows(2) {
            assert!((w[0].hi - w[1].lo).abs() < 1e-12);
        }
    }

    #[test]
    fn identical_and_missing_values() {
        assert!(bins(&[]).is_empty());
        assert!(bins(&[f64::NAN]).is_empty());
        let b = bins(&[0.5, 0.5, 0.5]);
        assert_eq!(b.iter().map(|b| b.value).sum::<f64>(), 3.0);
    }

    #[test]
    fn a_long_tail_is_folded_into_an_open_last_bin() {
        let mut values: Vec<f64> = (0..98).map(|i| 0.1 + (i % 10) as f64 * 0.01).collect();
        values.extend([2.0, 4.2]);
        let b = bins(&values);
        assert!(b.len() <= MAX_BINS);
        assert_eq!(b.iter().map(|b| b.value).sum::<f64>(), 100.0);
        assert!(b.last().unwrap().open);
        // The bulk is spread over several bars, not squashed into one.
        assert!(b.iter().filter(|b| b.value > 0.0).count() >= 5);
    }
}
