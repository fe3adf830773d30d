//! Pages of a search iterator ([`SearchAfter`]): every matching row exactly
//! once, in order, even where many rows share a distance; and Milvus 2.5's
//! strict bound, which drops the rows tied with a page's last hit.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use std::collections::HashSet;

use crate::collection::{Collection, SearchAfter, SearchRequest};
use crate::error::Error;
use crate::index::NoProgress;
use crate::index::spec::{IndexParams, IndexSpec};
use crate::metric::Metric;
use crate::schema::{CollectionSchema, Column, DataType, FieldSchema};
use crate::value::PrimaryKey;

/// `id`, `tag` (id % 3), `v` (4 small integers: many rows at the same
/// distance) and `b` (16 bits), 300 rows: 200 sealed and indexed as `index`,
/// 100 growing; rows 10 to 19 deleted.
fn tied(index: IndexParams, metric: Metric) -> Collection {
    let schema = CollectionSchema::new(
        vec![
            FieldSchema::int64_primary("id", false),
            FieldSchema::scalar("tag", DataType::Int64),
            FieldSchema::float_vector("v", 4),
            FieldSchema::vector("b", DataType::BinaryVector, 16),
        ],
        "",
    );
    let mut c = Collection::new("tied", 3, schema, 11).unwrap();
    let rows = |r: std::ops::Range<i64>| {
        vec![
            Column::Int64(r.clone().collect()),
            Column::Int64(r.clone().map(|i| i % 3).collect()),
            Column::FloatVector {
                dim: 4,
                data: r
                    .clone()
                    .flat_map(|i| {
                        [
                            (i % 5) as f32,
                            (i / 5 % 3) as f32,
                            1.0,
                            1.0 + (i % 2) as f32,
                        ]
                    })
                    .collect(),
            },
            Column::BinaryVector {
                dim: 16,
                data: r
                    .flat_map(|i| ((i * 2_654_435_761) as u16).to_le_bytes())
                    .collect(),
            },
        ]
    };
    c.insert(rows(0..200)).unwrap();
    c.create_index("v", "", IndexSpec::new(index, metric), &mut NoProgress)
        .unwrap();
    let bin = IndexSpec::new(IndexParams::BinFlat, Metric::Hamming);
    c.create_index("b", "", bin, &mut NoProgress).unwrap();
    c.flush(&mut NoProgress).unwrap();
    c.insert(rows(200..300)).unwrap();
    c.delete("id in [10, 11, 12, 13, 14, 15, 16, 17, 18, 19]")
        .unwrap();
    c.load().unwrap();
    c
}

/// Every page of `req` in pages of `batch`: the ids and scores in order, and
/// the pages' sizes. `keep_keys`: the next page starts past the keys returned
/// at the bound (annlab); else strictly past the bound (Milvus 2.5).
fn drain(
    c: &Collection,
    req: &SearchRequest,
    batch: usize,
    keep_keys: bool,
) -> (Vec<i64>, Vec<f32>, Vec<usize>) {
    let (mut ids, mut scores, mut sizes) = (Vec::new(), Vec::new(), Vec::new());
    let mut after: Option<SearchAfter> = None;
    loop {
        let page = c
            .search(&SearchRequest {
                limit: batch,
                after: after.clone(),
                ..req.clone()
            })
            .unwrap();
        if page.scores.is_empty() {
            return (ids, scores, sizes);
        }
        sizes.push(page.scores.len());
        ids.extend(page.int_ids(0));
        scores.extend(&page.scores);
        after = SearchAfter::after_page(after.as_ref(), &page).map(|mut a| {
            if !keep_keys {
                a.returned_at_bound = None;
            }
            a
        });
        assert!(sizes.len() <= 300, "the pages never end");
    }
}

fn float_request(filter: &str) -> SearchRequest {
    SearchRequest {
        anns_field: "v".into(),
        data: vec![vec![0.0, 0.0, 1.0, 1.0]],
        filter: filter.into(),
        ..Default::default()
    }
}

/// The ids that may come back: not deleted, and `tag != 2` when filtered.
fn matching(filtered: bool) -> HashSet<i64> {
    (0..300)
        .filter(|i| !((10..20).contains(i) || filtered && i % 3 == 2))
        .collect()
}

#[test]
fn pages_return_every_row_once_in_order_through_ties() {
    for (index, metric) in [
        (
            IndexParams::Hnsw {
                m: 8,
                ef_construction: 32,
            },
            Metric::L2,
        ),
        (IndexParams::IvfFlat { nlist: 4 }, Metric::Ip),
        (IndexParams::Flat, Metric::Cosine),
    ] {
        let c = tied(index, metric);
        for filter in ["", "tag != 2"] {
            let want = matching(!filter.is_empty());
            let (ids, scores, sizes) = drain(&c, &float_request(filter), 7, true);
            let what = format!("{metric:?} {filter:?}");
            assert_eq!(ids.len(), want.len(), "{what}: a row missing or twice");
            assert_eq!(ids.iter().copied().collect::<HashSet<_>>(), want, "{what}");
            assert!(sizes[..sizes.len() - 1].iter().all(|&s| s == 7), "{what}");
            let closer_first = scores.windows(2).all(|w| match metric {
                Metric::L2 => w[0] <= w[1],
                _ => w[0] >= w[1],
            });
            assert!(closer_first, "{what}: {scores:?}");
            // The same rows as one exact search of them all.
            let all = c
                .search_exact(&SearchRequest {
                    limit: want.len(),
                    ..float_request(filter)
                })
                .unwrap();
            assert_eq!(scores, all.scores, "{what}");
        }
    }
}

#[test]
fn binary_pages_return_every_row_once() {
    let c = tied(IndexParams::Flat, Metric::L2);
    let req = SearchRequest {
        anns_field: "b".into(),
        binary_data: vec![vec![0b1010_1010, 0b0101_0101]],
        ..Default::default()
    };
    let (ids, scores, _) = drain(&c, &req, 9, true);
    assert_eq!(ids.len(), 290);
    assert_eq!(ids.iter().copied().collect::<HashSet<_>>(), matching(false));
    assert!(scores.windows(2).all(|w| w[0] <= w[1]));
}

/// Milvus 2.5's segments keep only rows strictly past `last_bound`: a row
/// tied with a page's last hit that did not fit in that page never comes.
#[test]
fn a_strict_bound_drops_the_rows_tied_with_a_page_end_as_milvus_does() {
    let c = tied(IndexParams::Flat, Metric::L2);
    let (ids, scores, _) = drain(&c, &float_request(""), 7, false);
    assert_eq!(ids.len(), ids.iter().collect::<HashSet<_>>().len());
    // Each page starts strictly past the last score of the page before.
    let (exact, _, _) = drain(&c, &float_request(""), 290, true);
    assert_eq!(exact.len(), 290);
    assert!(ids.len() < 290, "the data has ties at page ends");
    assert!(scores.windows(2).all(|w| w[0] <= w[1]));
}

#[test]
fn a_page_keeps_the_range_and_refuses_group_by() {
    let c = tied(IndexParams::Flat, Metric::L2);
    let ranged = SearchRequest {
        range: Some(crate::collection::RangeSearch::new(5.0, Some(1.0))),
        ..float_request("")
    };
    let (_, scores, _) = drain(&c, &ranged, 4, true);
    let inside = c
        .search_exact(&SearchRequest {
            limit: 300,
            ..ranged.clone()
        })
        .unwrap();
    assert_eq!(scores, inside.scores);
    assert!(scores.iter().all(|&s| (1.0..5.0).contains(&s)));
    let grouped = SearchRequest {
        limit: 3,
        group_by: Some(crate::collection::GroupBy {
            field: "tag".into(),
            group_size: 1,
            strict_group_size: false,
        }),
        after: Some(SearchAfter {
            last_bound: 1.0,
            returned_at_bound: None,
        }),
        ..float_request("")
    };
    assert!(matches!(
        c.search(&grouped).unwrap_err(),
        Error::GroupByWithIterator
    ));
    // A key at the bound is skipped only at exactly the bound.
    let first = c
        .search(&SearchRequest {
            limit: 1,
            ..float_request("")
        })
        .unwrap();
    let next = c
        .search(&SearchRequest {
            limit: 1,
            after: SearchAfter::after_page(None, &first),
            ..float_request("")
        })
        .unwrap();
    assert_ne!(first.ids.primary_key(0), next.ids.primary_key(0));
    assert_eq!(first.ids.primary_key(0), PrimaryKey::Int64(0));
}
