//! Binning measured values for a histogram.

use super::Bar;
use super::scale::nice_step;

/// Counts `values` into bins of a nice width (about √n bins, 5 to 30) that cover
/// them; a bar per bin, empty bins included.
pub fn bins(values: &[f64]) -> Vec<Bar> {
    let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    let Some(lo) = finite.iter().copied().reduce(f64::min) else {
        return Vec::new();
    };
    let hi = finite.iter().copied().fold(lo, f64::max);
    let target = (finite.len() as f64).sqrt().ceil().clamp(5.0, 30.0);
    let width = nice_step(((hi - lo) / target).max(1e-6));
    let start = (lo / width).floor() * width;
    let count = (((hi - start) / width).floor() as usize + 1).max(1);
    let mut bars: Vec<Bar> = (0..count)
        .map(|i| Bar {
            lo: start + i as f64 * width,
            hi: start + (i + 1) as f64 * width,
            value: 0.0,
        })
        .collect();
    for v in finite {
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
        assert!(b.len() >= 5 && b.len() <= 31, "{}", b.len());
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
}
