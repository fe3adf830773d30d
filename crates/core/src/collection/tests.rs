//! The collection's behaviour, checked against what real Milvus does
//! (`../shared/milvus/REFERENCE.md`).

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;
use crate::dataset::{DataSpec, TutorialData};
use crate::index::spec::{IndexParams, IndexSpec};
use crate::index::{AnnParams, NoProgress};
use crate::metric::Metric;
use crate::schema::Column;
use crate::value::{FieldValue, PrimaryKey};

fn hnsw(m: usize, ef_construction: usize) -> IndexParams {
    IndexParams::Hnsw { m, ef_construction }
}

/// The tutorial's steps 2–9 at a small size.
fn tutorial_collection(params: IndexParams) -> (Collection, TutorialData) {
    let spec = DataSpec {
        n: 600,
        dim: 32,
        seed: 7,
        kind: Default::default(),
    };
    let data = TutorialData::generate(spec, 1_700_000_000).unwrap();
    let mut c = Collection::new(
        "production_documents",
        1,
        CollectionSchema::tutorial(32),
        42,
    )
    .unwrap();
    c.create_index(
        "embedding",
        "",
        IndexSpec::new(params, Metric::Cosine),
        &mut NoProgress,
    )
    .unwrap();
    for start in (0..600).step_by(200) {
        let r = c.insert(data.columns(start, start + 200)).unwrap();
        assert_eq!(r.insert_count, 200);
        assert_eq!(r.ids[0], PrimaryKey::Int64(start as i64));
    }
    assert_eq!(c.num_entities(), 0, "num_entities counts flushed rows only");
    c.flush(&mut NoProgress).unwrap();
    assert_eq!(c.num_entities(), 600);
    c.load().unwrap();
    (c, data)
}

fn search_req(query: Vec<f32>, ann: AnnParams) -> SearchRequest {
    SearchRequest {
        anns_field: "embedding".into(),
        data: vec![query],
        ann,
        limit: 10,
        output_fields: vec!["text".into(), "source".into()],
        ..Default::default()
    }
}

#[test]
fn the_tutorial_flow_finds_the_exact_neighbours() {
    for (params, ann) in [
        (IndexParams::Flat, AnnParams::Default),
        (hnsw(16, 200), AnnParams::Hnsw { ef: 600 }),
        (
            IndexParams::IvfFlat { nlist: 16 },
            AnnParams::Ivf { nprobe: 16 },
        ),
    ] {
        let t = params.index_type().name();
        let (c, data) = tutorial_collection(params);
        let q = data.queries(1);
        let res = c.search(&search_req(q.clone(), ann)).unwrap();
        assert_eq!(res.topks, [10], "{t}");
        let exact = crate::index::flat::exact_search(
            crate::index::VectorView::new(32, &data.embeddings),
            Metric::Cosine,
            &q,
            10,
            None,
        );
        let ids: Vec<_> = res.hits(0).map(|h| h.id()).collect();
        let want: Vec<_> = exact
            .iter()
            .map(|n| PrimaryKey::Int64(n.row as i64))
            .collect();
        assert_eq!(
            ids, want,
            "{t}: exhaustive parameters give the exact answer"
        );
        assert!(res.scores.windows(2).all(|w| w[0] >= w[1]));
        let row = exact[0].row as usize;
        assert_eq!(res.fields.names, ["text", "source"]);
        assert_eq!(
            res.hits(0).next().unwrap().value("text"),
            Some(FieldValue::VarChar(data.texts[row].clone()))
        );
        assert_eq!(c.search_exact(&search_req(q, ann)).unwrap().ids, res.ids);
    }
}

/// The primary key is an output field of a search when asked for by name or
/// with `*` (as Milvus answers), and only then.
#[test]
fn search_returns_the_primary_key_when_asked_for() {
    let (c, data) = tutorial_collection(IndexParams::Flat);
    let q = data.queries(1);
    let mut req = search_req(q, AnnParams::Default);
    let res = c.search(&req).unwrap();
    assert_eq!(res.fields.names, ["text", "source"]);
    req.output_fields = vec!["text".into(), "id".into()];
    let res = c.search(&req).unwrap();
    assert_eq!(res.fields.names, ["id", "text"]);
    let first = res.hits(0).next().unwrap();
    assert_eq!(
        first.value("id"),
        Some(FieldValue::Int64(match first.id() {
            PrimaryKey::Int64(n) => n,
            other => panic!("{other:?}"),
        }))
    );
    req.output_fields = vec!["*".into()];
    let names = c.search(&req).unwrap().fields.names;
    assert_eq!(names[0], "id");
    assert!(names.iter().any(|n| n == "embedding"), "{names:?}");
}

/// A batch of queries scanned exactly (FLAT, or a filter leaving few rows) goes
/// through the blocked multi-query scan: each query gets what it gets alone.
#[test]
fn a_batch_search_equals_one_search_per_query() {
    for (params, expr) in [
        (IndexParams::Flat, ""),
        (IndexParams::Flat, "id % 3 == 1"),
        (hnsw(8, 64), "source == 'source_0.txt'"),
    ] {
        let t = params.index_type().name();
        let ann = match params {
            IndexParams::Hnsw { .. } => AnnParams::Hnsw { ef: 32 },
            _ => AnnParams::Default,
        };
        let (c, data) = tutorial_collection(params);
        let queries = data.queries(7);
        let rows: Vec<Vec<f32>> = queries.chunks(32).map(<[f32]>::to_vec).collect();
        let mut req = search_req(Vec::new(), ann);
        req.data = rows.clone();
        req.filter = expr.into();
        let batch = c.search(&req).unwrap();
        assert_eq!(batch.nq(), 7);
        for (i, q) in rows.into_iter().enumerate() {
            req.data = vec![q];
            let one = c.search(&req).unwrap();
            let ids = |r: &SearchResult, q| r.hits(q).map(|h| h.id()).collect::<Vec<_>>();
            assert_eq!(ids(&batch, i), ids(&one, 0), "{t} {expr}");
            for (a, b) in batch.hits(i).zip(one.hits(0)) {
                assert!((a.score() - b.score()).abs() < 1e-5, "{t} {expr}");
            }
        }
    }
}

/// A range search keeps the hits within its bounds, widening past `limit`
/// candidates when the first ones all fall inside; its bounds are checked.
#[test]
fn range_search_keeps_hits_within_the_bounds() {
    let (c, data) = tutorial_collection(hnsw(8, 64));
    let q = data.queries(1);
    let all = c
        .search(&search_req(q.clone(), AnnParams::Hnsw { ef: 64 }))
        .unwrap();
    let (best, tenth) = (all.scores[0], all.scores[9]);
    let mut req = search_req(q, AnnParams::Hnsw { ef: 64 });
    req.range = Some(RangeSearch::new(tenth - 1e-6, Some(best)));
    let r = c.search(&req).unwrap();
    assert!(
        r.scores.iter().all(|&s| s > tenth - 1e-6 && s <= best),
        "{:?}",
        r.scores
    );
    assert_eq!(r.ids, all.ids, "the same ten, found by widening past them");
    req.range = Some(RangeSearch::new(0.5, Some(0.4)));
    assert!(matches!(c.search(&req), Err(Error::BadRange { .. })));
}

#[test]
fn count_delete_and_query() {
    let (mut c, _) = tutorial_collection(IndexParams::Flat);
    let count = |c: &Collection, e: &str| match c
        .query(&QueryRequest {
            expr: e.into(),
            output_fields: vec!["count(*)".into()],
            ..Default::default()
        })
        .unwrap()
    {
        QueryResult::Count(n) => n,
        other => panic!("{other:?}"),
    };
    assert_eq!(count(&c, ""), 600);
    assert_eq!(c.delete("id in [0, 1, 2]").unwrap(), 3);
    assert_eq!(count(&c, ""), 597);
    assert_eq!(
        c.num_entities(),
        600,
        "num_entities still counts deleted rows"
    );
    assert_eq!(count(&c, "source == 'source_1.txt'"), 59);
    let rows = c
        .query(&QueryRequest {
            expr: "id < 10".into(),
            output_fields: vec!["text".into()],
            limit: Some(3),
            offset: 1,
            ..Default::default()
        })
        .unwrap();
    match rows {
        QueryResult::Rows(rows) => {
            assert_eq!(rows.names, ["id", "text"]);
            assert_eq!(rows.columns[0], Column::Int64(vec![4, 5, 6]));
        }
        other => panic!("{other:?}"),
    }
    let got = c
        .get(
            &[PrimaryKey::Int64(1), PrimaryKey::Int64(9)],
            &["source".into()],
        )
        .unwrap();
    assert_eq!(got.num_rows(), 1, "id 1 was deleted");
}

#[test]
fn milvus_errors_for_search_and_load() {
    let (mut c, data) = tutorial_collection(hnsw(8, 32));
    let q = data.queries(1);
    let err = |c: &Collection, r: &SearchRequest| c.search(r).unwrap_err().to_string();
    assert_eq!(
        err(&c, &search_req(q.clone(), AnnParams::Hnsw { ef: 2 })),
        "ef(2) should be larger than k(10)"
    );
    let mut r = search_req(q.clone(), AnnParams::Default);
    r.metric_type = Some(Metric::L2);
    assert_eq!(
        err(&c, &r),
        "metric type not match: invalid parameter[expected=COSINE][actual=L2]"
    );
    assert_eq!(
        c.check_search_target(&r).unwrap_err().to_string(),
        err(&c, &r),
        "the metric is one of the proxy's checks"
    );
    let mut r = search_req(q.clone(), AnnParams::Default);
    r.limit = 16_385;
    assert_eq!(
        err(&c, &r),
        "topk [16385] is invalid, top k should be in range [1, 16384], but got 16385"
    );
    let mut r = search_req(q.clone(), AnnParams::Default);
    r.output_fields = vec!["nope".into()];
    assert_eq!(err(&c, &r), "field nope not exist");
    assert!(c.check_search_target(&r).is_ok());
    assert_eq!(
        c.drop_index().unwrap_err().to_string(),
        "index cannot be dropped, collection is loaded, please release it first"
    );
    c.release();
    assert_eq!(
        err(&c, &search_req(q, AnnParams::Default)),
        "failed to search: collection not loaded[collection=1]"
    );
    let mut bare = Collection::new("probe_main", 2, CollectionSchema::tutorial(4), 0).unwrap();
    assert!(
        bare.load()
            .unwrap_err()
            .to_string()
            .starts_with("index not found[collection=probe_main]")
    );
}

#[test]
fn bad_inserts_apply_nothing() {
    let mut c = Collection::new("c", 1, CollectionSchema::tutorial(4), 0).unwrap();
    c.create_index(
        "embedding",
        "",
        IndexSpec::new(IndexParams::Flat, Metric::Cosine),
        &mut NoProgress,
    )
    .unwrap();
    let good = || {
        vec![
            Column::FloatVector {
                dim: 4,
                data: vec![1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0],
            },
            Column::VarChar(vec!["a".into(), "b".into()]),
            Column::VarChar(vec!["s".into(), "s".into()]),
            Column::Int64(vec![1, 2]),
        ]
    };
    let mut three = good();
    three.pop();
    assert_eq!(
        c.insert(three).unwrap_err().to_string(),
        "The data don't match with schema fields, expect 4 list, got 3"
    );
    let mut wrong_dim = good();
    wrong_dim[0] = Column::FloatVector {
        dim: 3,
        data: vec![1.0; 6],
    };
    assert_eq!(
        c.insert(wrong_dim).unwrap_err().to_string(),
        "Collection field dim is 4, but entities field dim is 3"
    );
    let mut long = good();
    long[2] = Column::VarChar(vec!["x".repeat(201), "s".into()]);
    assert_eq!(
        c.insert(long).unwrap_err().to_string(),
        "invalid input, length of string exceeds max length. length: 201, max length: 200"
    );
    let mut zero = good();
    zero[0] = Column::FloatVector {
        dim: 4,
        data: vec![1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    };
    assert!(matches!(c.insert(zero), Err(Error::ZeroVector { row: 1 })));
    let mut nan = good();
    nan[0] = Column::FloatVector {
        dim: 4,
        data: vec![1.0, 0.0, f32::NAN, 0.0, 0.0, 1.0, 0.0, 0.0],
    };
    assert!(matches!(
        c.insert(nan),
        Err(Error::NonFiniteValue {
            row: 0,
            position: 2
        })
    ));
    let mut swapped = good();
    swapped.swap(1, 3);
    assert!(
        c.insert(swapped)
            .unwrap_err()
            .to_string()
            .starts_with("The Input data type is inconsistent")
    );
    assert_eq!(c.count(), 0, "nothing was applied");
    assert_eq!(c.insert(good()).unwrap().insert_count, 2);
    assert_eq!(c.count(), 2);
}

#[test]
fn describe_reports_index_state_and_progress() {
    let mut c = Collection::new("c", 3, CollectionSchema::tutorial(8), 0).unwrap();
    assert_eq!(c.describe().index_state, IndexState::None);
    let data = TutorialData::generate(
        DataSpec {
            n: 30,
            dim: 8,
            seed: 1,
            kind: Default::default(),
        },
        0,
    )
    .unwrap();
    c.set_segment_max_rows(20);
    c.create_index(
        "embedding",
        "",
        IndexSpec::new(hnsw(4, 8), Metric::L2),
        &mut NoProgress,
    )
    .unwrap();
    c.insert(data.columns(0, 20)).unwrap();
    c.insert(data.columns(20, 30)).unwrap();
    // The first 20 rows were sealed by size without an index; 10 are still growing.
    let d = c.describe();
    assert_eq!(d.index_state, IndexState::InProgress);
    assert_eq!((d.sealed_segments, d.growing_rows), (1, 10));
    assert_eq!(d.index_progress.pending_index_rows, 20);
    c.flush(&mut NoProgress).unwrap();
    let d = c.describe();
    assert_eq!(d.index_state, IndexState::Finished);
    assert_eq!((d.num_entities, d.index_progress.indexed_rows), (30, 30));
    assert_eq!(d.index.unwrap().index_name, "embedding");
}

#[test]
fn upsert_replaces_rows_by_primary_key() {
    let schema = CollectionSchema::new(
        vec![
            crate::schema::FieldSchema::int64_primary("id", false),
            crate::schema::FieldSchema::float_vector("v", 2),
        ],
        "",
    );
    let mut c = Collection::new("u", 1, schema, 1).unwrap();
    let rows = |ids: Vec<i64>, x: f32| {
        let n = ids.len();
        vec![
            Column::Int64(ids),
            Column::FloatVector {
                dim: 2,
                data: vec![x; 2 * n],
            },
        ]
    };
    c.insert(rows(vec![1, 2, 3], 1.0)).unwrap();
    c.flush(&mut NoProgress).unwrap();
    let (ins, replaced) = c.upsert(rows(vec![2, 3, 4], 2.0)).unwrap();
    assert_eq!((ins.insert_count, replaced), (3, 2));
    assert_eq!(c.count(), 4);
    let (_, replaced) = c.upsert(rows(vec![4], 3.0)).unwrap();
    assert_eq!(replaced, 1, "a row of the growing segment is replaced too");
    assert_eq!(c.count(), 4);

    let mut auto = Collection::new("a", 2, CollectionSchema::tutorial(4), 1).unwrap();
    assert_eq!(auto.upsert(Vec::new()).unwrap_err(), Error::UpsertAutoId);
}

#[test]
fn a_vector_index_on_a_scalar_field_is_refused() {
    let (mut c, _) = tutorial_collection(hnsw(8, 32));
    let err =
        |c: &Collection, field: &str, t: &str| c.index_field(field, t).unwrap_err().to_string();
    assert_eq!(
        err(&c, "source", "HNSW"),
        "index type not match: invalid parameter[expected=Trie][actual=HNSW] (field source is not a vector field)"
    );
    assert_eq!(c.index_field("embedding", "FOO"), Ok(32));
    let spec = IndexSpec::new(hnsw(8, 32), Metric::Cosine);
    assert_eq!(
        c.define_index("source", "", spec).unwrap_err().to_string(),
        err(&c, "source", "HNSW"),
        "define_index checks the field first"
    );
    assert_eq!(
        c.define_index("nope", "", spec).unwrap_err().to_string(),
        "cannot create index on non-exist field: nope"
    );
}

#[test]
fn properties_and_renames_survive_the_persisted_form() {
    let (mut c, _) = tutorial_collection(hnsw(8, 64));
    assert!(c.properties().is_empty());
    let set = vec![
        ("collection.ttl.seconds".to_owned(), "60".to_owned()),
        ("mmap.enabled".to_owned(), "true".to_owned()),
    ];
    c.alter_properties(&set, &[]);
    c.alter_properties(&[], &["mmap.enabled".to_owned()]);
    c.rename("renamed_docs").unwrap();
    assert!(matches!(c.rename("1bad"), Err(Error::InvalidName { .. })));
    let back = crate::persist::from_bytes(&crate::persist::to_bytes(&c).unwrap()).unwrap();
    assert_eq!(back.name(), "renamed_docs");
    let props: Vec<_> = back.properties().iter().collect();
    assert_eq!(
        props,
        vec![(&"collection.ttl.seconds".to_owned(), &"60".to_owned())]
    );
}

/// Grouping search (Milvus 2.5): `limit` groups by `source`, each of up to
/// `group_size` rows, in the order of their best hit; the same as grouping
/// the exact ranking by hand; the group values come back per hit.
#[test]
fn group_by_returns_limit_groups_of_group_size_rows() {
    let (c, data) = tutorial_collection(IndexParams::Flat);
    let q = data.queries(1);
    let mut everything = search_req(q.clone(), AnnParams::Default);
    everything.limit = 600;
    let ranked = c.search(&everything).unwrap();
    let sources = ranked.fields.columns[1].clone();
    let mut req = search_req(q, AnnParams::Default);
    req.limit = 3;
    req.offset = 1;
    req.group_by = Some(GroupBy {
        field: "source".into(),
        group_size: 2,
        strict_group_size: true,
    });
    let r = c.search(&req).unwrap();
    // By hand: groups in order of first appearance, two rows each, skip one.
    let mut groups: Vec<(FieldValue, Vec<usize>)> = Vec::new();
    for i in 0..600 {
        let v = sources.value(i);
        match groups.iter_mut().find(|(g, _)| *g == v) {
            Some((_, rows)) if rows.len() < 2 => rows.push(i),
            Some(_) => {}
            None => groups.push((v, vec![i])),
        }
    }
    let want: Vec<usize> = groups[1..4].iter().flat_map(|(_, r)| r.clone()).collect();
    let want_ids: Vec<PrimaryKey> = want.iter().map(|&i| ranked.ids.primary_key(i)).collect();
    let got_ids: Vec<PrimaryKey> = (0..r.ids.len()).map(|i| r.ids.primary_key(i)).collect();
    assert_eq!(got_ids, want_ids);
    let values = r.group_values.as_ref().unwrap();
    assert_eq!(values.len(), 6);
    for (i, &row) in want.iter().enumerate() {
        assert_eq!(values.value(i), sources.value(row));
    }
    // Milvus's refusals.
    req.group_by = Some(GroupBy::field("embedding"));
    assert!(matches!(
        c.search(&req),
        Err(Error::GroupByUnsupportedType { .. })
    ));
    req.group_by = Some(GroupBy::field("nope"));
    assert!(matches!(
        c.search(&req),
        Err(Error::GroupByFieldNotFound { .. })
    ));
}
