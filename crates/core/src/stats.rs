//! The statistics annlab reports: recall@k, mean, percentiles (the median among
//! them). One definition of each, used by the scenario (page and CLI), `annlab
//! bench`, `annlab scenario --milvus` and the tests, so that a figure with the same
//! name is the same statistic wherever it appears.
//!
//! - **recall@k**: the fraction of the exact top-k ids found among the first k
//!   returned, compared by id (see [`recall_at_k`]).
//! - **mean**: the arithmetic mean; NaN for no values.
//! - **standard error** of a mean: the sample standard deviation (`n - 1` in the
//!   denominator) over `√n`; how far the mean of another `n` draws would typically
//!   land from this one.
//! - **percentile**: linear interpolation between the two nearest ranks, numpy's
//!   default (`numpy.percentile(v, p)`, method "linear"; type 7 of Hyndman & Fan,
//!   R's default too). For `n` values sorted `x[0] ≤ … ≤ x[n-1]`, the `p`-th
//!   percentile is at rank `h = (n - 1)·p/100`:
//!   `x[⌊h⌋] + (h - ⌊h⌋)·(x[⌊h⌋+1] - x[⌊h⌋])`. So p0 is the minimum, p100 the
//!   maximum, p50 the median, and p99 of fewer than 101 values lies between the
//!   two largest.

/// recall@k: how many of the exact top-`k` (`truth`, closest first) are among the
/// first `k` of `found`, over how many the truth holds.
///
/// - Only the first `k` of each list count; when `truth` holds fewer than `k`
///   (a filter left fewer rows), the denominator is what it holds, so finding all
///   of them is 1.0.
/// - An empty truth is 1.0: there was nothing to find.
/// - Ids are compared, not distances: a returned row tied in distance with the
///   truth's k-th row but with another id is a miss (the truth breaks ties by id,
///   as exact search does). The order within the first `k` does not matter, and an
///   id returned twice is counted once.
pub fn recall_at_k<T: PartialEq>(found: &[T], truth: &[T], k: usize) -> f64 {
    let truth = &truth[..k.min(truth.len())];
    let found = &found[..k.min(found.len())];
    if truth.is_empty() {
        return 1.0;
    }
    let hits = truth.iter().filter(|t| found.contains(t)).count();
    hits as f64 / truth.len() as f64
}

/// The arithmetic mean of `values`; NaN when there are none.
pub fn mean(values: &[f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.iter().sum::<f64>() / values.len() as f64
}

/// The standard error of the mean of `values`: `s / √n` with the sample standard
/// deviation `s` (Bessel's `n - 1`); NaN for fewer than two values.
pub fn standard_error(values: &[f64]) -> f64 {
    let n = values.len();
    if n < 2 {
        return f64::NAN;
    }
    let m = mean(values);
    let var = values.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1) as f64;
    (var / n as f64).sqrt()
}

/// The `p`-th percentile (`p` in 0..=100, clamped) of `values`, in any order, by
/// linear interpolation between the nearest ranks (numpy's default; see the
/// module docs). NaN when there are no values.
pub fn percentile(values: &[f64], p: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let Some(last) = sorted.len().checked_sub(1) else {
        return f64::NAN;
    };
    let h = last as f64 * p.clamp(0.0, 100.0) / 100.0;
    let lo = h.floor() as usize;
    let frac = h - lo as f64;
    if frac == 0.0 {
        return sorted[lo]; // exactly on a rank: nothing to interpolate
    }
    sorted[lo] + frac * (sorted[lo + 1] - sorted[lo])
}

/// The median: [`percentile`] 50 (the mean of the two middle values of an even
/// count).
pub fn median(values: &[f64]) -> f64 {
    percentile(values, 50.0)
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn standard_error_is_the_sample_deviation_over_root_n() {
        // mean 5, squared deviations 9+1+1+9 = 20, s² = 20/3, SE = √(20/3/4)
        let se = standard_error(&[2.0, 4.0, 6.0, 8.0]);
        assert!((se - (20.0f64 / 12.0).sqrt()).abs() < 1e-12, "{se}");
        assert_eq!(standard_error(&[0.5; 9]), 0.0);
        assert!(standard_error(&[1.0]).is_nan() && standard_error(&[]).is_nan());
    }

    #[test]
    fn recall_counts_the_exact_ids_found() {
        assert_eq!(recall_at_k(&[1, 2, 3], &[3, 4, 1], 3), 2.0 / 3.0);
        assert_eq!(recall_at_k(&[7u32, 8], &[7, 8], 2), 1.0);
        assert_eq!(recall_at_k::<i64>(&[], &[1, 2], 2), 0.0);
    }

    #[test]
    fn recall_of_empty_truth_is_one() {
        assert_eq!(recall_at_k::<i64>(&[], &[], 10), 1.0);
        assert_eq!(recall_at_k(&[1, 2], &[], 10), 1.0);
        assert_eq!(recall_at_k(&[1, 2], &[1, 2], 0), 1.0);
    }

    #[test]
    fn recall_with_k_larger_than_the_truth_divides_by_the_truth() {
        // A filter left 3 rows: finding the 3 is full recall.
        assert_eq!(recall_at_k(&[5, 6, 7], &[7, 5, 6], 10), 1.0);
        assert_eq!(recall_at_k(&[5, 9], &[7, 5, 6], 10), 1.0 / 3.0);
    }

    #[test]
    fn recall_counts_only_the_first_k_of_each_list() {
        // The truth's 4th and the found's 4th are beyond k = 3.
        assert_eq!(recall_at_k(&[1, 2, 9, 4], &[1, 2, 3, 4], 3), 2.0 / 3.0);
        assert_eq!(recall_at_k(&[1, 2, 4], &[1, 2, 3, 4], 3), 2.0 / 3.0);
    }

    #[test]
    fn recall_compares_ids_not_order_or_ties() {
        // Same ids in another order (ties in distance returned in another order).
        assert_eq!(recall_at_k(&[3, 1, 2], &[1, 2, 3], 3), 1.0);
        // A row at the same distance as the truth's 3rd (id 3) but with id 8: a
        // miss, since the truth breaks ties by id.
        assert_eq!(recall_at_k(&[1, 2, 8], &[1, 2, 3], 3), 2.0 / 3.0);
        // An id returned twice counts once.
        assert_eq!(recall_at_k(&[1, 1, 1], &[1, 2, 3], 3), 1.0 / 3.0);
    }

    #[test]
    fn mean_of_nothing_is_nan() {
        assert_eq!(mean(&[1.0, 2.0, 6.0]), 3.0);
        assert!(mean(&[]).is_nan());
    }

    #[test]
    fn percentiles_interpolate_between_ranks_as_numpy() {
        let v: Vec<f64> = (0..=100).map(f64::from).collect();
        assert_eq!(percentile(&v, 99.0), 99.0);
        assert_eq!(percentile(&v, 0.0), 0.0);
        assert_eq!(percentile(&v, 100.0), 100.0);
        // numpy.percentile([1, 2, 3, 4], [50, 99, 25]) = [2.5, 3.97, 1.75]
        let v = [4.0, 1.0, 3.0, 2.0];
        assert_eq!(percentile(&v, 50.0), 2.5);
        assert!((percentile(&v, 99.0) - 3.97).abs() < 1e-12);
        assert_eq!(percentile(&v, 25.0), 1.75);
        // numpy.percentile(range(10), 99) = 8.91
        let v: Vec<f64> = (0..10).map(f64::from).collect();
        assert!((percentile(&v, 99.0) - 8.91).abs() < 1e-12);
    }

    #[test]
    fn percentile_edge_cases() {
        assert!(percentile(&[], 50.0).is_nan());
        assert_eq!(percentile(&[7.0], 99.0), 7.0);
        assert_eq!(percentile(&[1.0, 2.0], 150.0), 2.0, "p clamped to 100");
        assert_eq!(percentile(&[1.0, 2.0], -5.0), 1.0, "p clamped to 0");
        assert_eq!(percentile(&[3.0, 3.0, 3.0], 50.0), 3.0);
    }

    #[test]
    fn median_is_the_50th_percentile() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
        assert!(median(&[]).is_nan());
    }
}
