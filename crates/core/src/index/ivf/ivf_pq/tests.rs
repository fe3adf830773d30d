use super::*;
use crate::index::NoProgress;
use crate::index::flat::exact_search;
use crate::index::ivf::IvfFlat;
use crate::index::ivf::testutil::{CancelAfter, Recorder, clustered_data};
use crate::stats::{mean, recall_at_k};
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

const DIM: usize = 64;
const N: usize = 4000;
const NQ: usize = 50;

fn params(nprobe: usize) -> AnnParams {
    AnnParams::Ivf { nprobe }
}

/// The clustered data set and its two IVF_PQ indexes (nlist 64, m 8, nbits 8),
/// built once for the tests that only read them.
struct Fixture {
    base: Vec<f32>,
    queries: Vec<f32>,
    cosine: IvfPq,
    l2: IvfPq,
}

impl Fixture {
    fn get() -> &'static Fixture {
        static FIXTURE: std::sync::OnceLock<Fixture> = std::sync::OnceLock::new();
        FIXTURE.get_or_init(|| {
            let (base, queries) = clustered_data(N, NQ, DIM, 31);
            let v = VectorView::new(DIM, &base);
            let build = |metric| IvfPq::build(v, metric, 64, 8, 8, 5, &mut NoProgress).unwrap();
            let (cosine, l2) = (build(Metric::Cosine), build(Metric::L2));
            Fixture {
                base,
                queries,
                cosine,
                l2,
            }
        })
    }

    fn index(&self, metric: Metric) -> &IvfPq {
        match metric {
            Metric::L2 => &self.l2,
            _ => &self.cosine,
        }
    }

    fn view(&self) -> VectorView<'_> {
        VectorView::new(DIM, &self.base)
    }
}

/// recall@10 of `got` against `truth`, by row.
fn share_found(got: &[Neighbour], truth: &[Neighbour]) -> f64 {
    recall_at_k(&Neighbour::rows(got), &Neighbour::rows(truth), 10)
}

/// Mean recall@10 over the queries at `nprobe`.
fn recall_at_nprobe(idx: &IvfPq, base: &[f32], queries: &[f32], nprobe: usize) -> f64 {
    let v = VectorView::new(DIM, base);
    let recalls: Vec<f64> = queries
        .chunks_exact(DIM)
        .map(|q| {
            let got = idx.search(v, q, 10, &params(nprobe), None).unwrap();
            share_found(&got, &exact_search(v, idx.metric(), q, 10, None))
        })
        .collect();
    mean(&recalls)
}

#[test]
fn recall_on_clustered_data_with_m8_nbits8() {
    let f = Fixture::get();
    let (base, queries) = (&f.base, &f.queries);
    for metric in [Metric::Cosine, Metric::L2] {
        let idx = f.index(metric);
        assert_eq!(
            (idx.nlist(), idx.pq().ksub(), idx.code_size_bytes()),
            (64, 256, 8)
        );
        let r8 = recall_at_nprobe(idx, base, queries, 8);
        let r_all = recall_at_nprobe(idx, base, queries, 64);
        eprintln!(
            "IVF_PQ {metric} n={N} dim={DIM} nlist=64 m=8 nbits=8 recall@10: nprobe 8 {r8:.3}, nprobe 64 {r_all:.3}"
        );
        assert!(r_all >= 0.5, "{metric}: recall@10 at nprobe=nlist {r_all}");
        assert!(r8 >= 0.45, "{metric}: recall@10 at nprobe=8 {r8}");
    }
}

#[test]
fn adc_distances_approximate_exact_distances() {
    let f = Fixture::get();
    let (v, queries) = (f.view(), &f.queries[..10 * DIM]);
    for metric in [Metric::Cosine, Metric::L2] {
        let idx = f.index(metric);
        // Over every (query, row) pair: mean |ADC − exact| against the mean
        // absolute deviation of the exact distances, and their correlation.
        let (mut adc, mut exact) = (Vec::new(), Vec::new());
        for q in queries.chunks_exact(DIM) {
            // Every list probed: every row gets an ADC distance.
            let hits = idx.search(v, q, N, &params(64), None).unwrap();
            assert_eq!(hits.len(), N);
            for h in &hits {
                adc.push(f64::from(h.distance));
                exact.push(f64::from(metric.distance(q, v.get(h.row as usize))));
            }
        }
        let count = adc.len() as f64;
        let mean = |x: &[f64]| x.iter().sum::<f64>() / count;
        let (ma, me) = (mean(&adc), mean(&exact));
        // L2's ADC underestimates by about the quantisation error (a k-means
        // reconstruction has less energy than the vector); the constant part of the
        // error does not change the ranking, so measure the error around its mean.
        let bias = ma - me;
        let err = adc
            .iter()
            .zip(&exact)
            .map(|(a, e)| (a - e - bias).abs())
            .sum::<f64>()
            / count;
        let spread = exact.iter().map(|e| (e - me).abs()).sum::<f64>() / count;
        let cov: f64 = adc
            .iter()
            .zip(&exact)
            .map(|(a, e)| (a - ma) * (e - me))
            .sum();
        let var = |x: &[f64], m: f64| x.iter().map(|a| (a - m) * (a - m)).sum::<f64>();
        let corr = cov / (var(&adc, ma) * var(&exact, me)).sqrt();
        eprintln!(
            "IVF_PQ {metric} m=8 nbits=8: ADC − exact: bias {bias:.4}, mean |error − bias| {err:.4}; mean |exact − mean| {spread:.4}; correlation {corr:.3}"
        );
        assert!(err < 0.6 * spread, "{metric}: {err} vs {spread}");
        assert!(corr > 0.8, "{metric}: correlation {corr}");

        // ADC is exactly the distance to what the index remembers of a vector.
        let q = &queries[..DIM];
        let (hits, _) = idx.search_traced(q, N, 64, None).unwrap();
        let by_row: std::collections::HashMap<u32, f32> =
            hits.iter().map(|h| (h.row, h.distance)).collect();
        for list in 0..idx.nlist() {
            for (pos, &row) in idx.list_rows(list).iter().enumerate().take(3) {
                let rec = idx.reconstruct(list, pos);
                let want = metric.distance(q, &rec);
                let got = by_row[&row];
                assert!(
                    (got - want).abs() < 1e-4,
                    "{metric} row {row}: {got} vs {want}"
                );
            }
        }
    }
}

#[test]
fn memory_is_far_below_ivf_flat_and_code_size_is_packed() {
    let f = Fixture::get();
    let v = f.view();
    let pq = f.index(Metric::L2);
    let flat = IvfFlat::build(v, Metric::L2, 64, 5, &mut NoProgress).unwrap();
    let (pm, fm) = (pq.memory_bytes(), flat.memory_bytes());
    eprintln!("n={N} dim={DIM}: IVF_PQ m=8 nbits=8 {pm} bytes, IVF_FLAT {fm} bytes");
    // codes 8 B + id 4 B per row, 256×64 floats of codebooks, 64×64 of centroids.
    let floor = N * (8 + 4) + 256 * DIM * 4 + 64 * DIM * 4;
    assert!(pm >= floor && pm < floor + 8192, "{pm} vs {floor}");
    assert!(pm * 5 < fm, "{pm} vs {fm}");
    assert_eq!(pq.code(0, 0).len(), 8);
    let small = IvfPq::build(v, Metric::L2, 4, 8, 4, 5, &mut NoProgress).unwrap();
    assert_eq!(small.code_size_bytes(), 4);
}

#[test]
fn more_than_eight_bits_use_u16_codes() {
    // 600 rows and 2^10 codewords: every residual becomes its own codeword, so the
    // codes are lossless and every list probed gives the exact neighbours.
    let (base, queries) = clustered_data(600, 5, DIM, 34);
    let v = VectorView::new(DIM, &base);
    let idx = IvfPq::build(v, Metric::Ip, 8, 4, 10, 5, &mut NoProgress).unwrap();
    assert_eq!((idx.pq().ksub(), idx.code_size_bytes()), (600, 5));
    assert!(matches!(idx.lists[0].codes, Codes::U16(_)));
    for q in queries.chunks_exact(DIM) {
        let got = idx.search(v, q, 10, &params(8), None).unwrap();
        assert_eq!(
            share_found(&got, &exact_search(v, Metric::Ip, q, 10, None)),
            1.0
        );
    }
}

#[test]
fn filtered_search_returns_only_allowed_rows() {
    let f = Fixture::get();
    let (v, queries) = (f.view(), &f.queries[..20 * DIM]);
    for metric in [Metric::Cosine, Metric::L2] {
        let idx = f.index(metric);
        for keep in [2, 10, 100] {
            let bits = Bitset::from_fn(N, |i| (i * 7919) % keep == 0);
            let mut recalls = Vec::new();
            for q in queries.chunks_exact(DIM) {
                let (got, trace) = idx.search_traced(q, 10, 64, Some(&bits)).unwrap();
                assert!(got.iter().all(|n| bits.contains(n.row as usize)));
                assert_eq!(trace.vector_distances, bits.count());
                assert_eq!(trace.filtered_out, N - bits.count());
                recalls.push(share_found(
                    &got,
                    &exact_search(v, metric, q, 10, Some(&bits)),
                ));
            }
            let r = mean(&recalls);
            eprintln!("IVF_PQ {metric} 1/{keep} allowed, nprobe=nlist: recall@10 {r:.3}");
            assert!(r >= 0.5, "{metric} 1/{keep}: {r}");
        }
    }
}

#[test]
fn serde_round_trip_is_exact() {
    let (base, queries) = clustered_data(800, 1, DIM, 36);
    let v = VectorView::new(DIM, &base);
    for nbits in [8, 9] {
        let idx = IvfPq::build(v, Metric::Cosine, 8, 8, nbits, 1, &mut NoProgress).unwrap();
        let json = serde_json::to_string(&idx).unwrap();
        let back: IvfPq = serde_json::from_str(&json).unwrap();
        assert_eq!(back, idx);
        let p = AnnParams::default();
        assert_eq!(
            back.search(v, &queries, 10, &p, None).unwrap(),
            idx.search(v, &queries, 10, &p, None).unwrap()
        );
    }
}

#[test]
fn bad_parameters_are_errors_and_builds_can_be_cancelled() {
    let (base, _) = clustered_data(2000, 0, DIM, 37);
    let v = VectorView::new(DIM, &base);
    assert_eq!(
        IvfPq::build(v, Metric::L2, 8, 7, 8, 0, &mut NoProgress).unwrap_err(),
        Error::PqSubspaceMismatch { dim: DIM, m: 7 }
    );
    assert!(matches!(
        IvfPq::build(v, Metric::L2, 8, 8, 17, 0, &mut NoProgress),
        Err(Error::IndexParamOutOfRange { param: "nbits", .. })
    ));
    let mut rec = Recorder::default();
    IvfPq::build(v, Metric::L2, 8, 8, 6, 0, &mut rec).unwrap();
    assert_eq!(rec.reports.last(), Some(&(1000, 1000)));
    assert!(rec.reports.windows(2).all(|w| w[0].0 <= w[1].0));
    let err = IvfPq::build(v, Metric::L2, 8, 8, 6, 0, &mut CancelAfter::new(500)).unwrap_err();
    assert!(matches!(err, Error::Cancelled { .. }), "{err}");
    // Empty data: an empty index that finds nothing.
    let empty = IvfPq::build(
        VectorView::new(DIM, &[]),
        Metric::L2,
        8,
        8,
        8,
        0,
        &mut NoProgress,
    )
    .unwrap();
    assert!(empty.is_empty());
    assert!(
        empty
            .search(v, v.get(0), 5, &params(8), None)
            .unwrap()
            .is_empty()
    );
}
