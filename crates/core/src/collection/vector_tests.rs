//! Several vector fields in one collection, as Milvus 2.5 has them: an index per
//! field, load needing all of them, searches naming their field.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;
use crate::index::NoProgress;
use crate::index::spec::{IndexParams, IndexSpec};
use crate::metric::Metric;
use crate::schema::{Column, FieldSchema};

/// `id`, `a` (4 floats), `b` (3 floats); 40 rows flushed, 5 growing.
pub(super) fn two_vectors() -> Collection {
    let schema = CollectionSchema::new(
        vec![
            FieldSchema::int64_primary("id", false),
            FieldSchema::float_vector("a", 4),
            FieldSchema::float_vector("b", 3),
        ],
        "",
    );
    let mut c = Collection::new("two", 7, schema, 11).unwrap();
    let rows = |from: i64, to: i64| {
        let ids: Vec<i64> = (from..to).collect();
        let a = ids
            .iter()
            .flat_map(|&i| [i as f32, 1.0, (i % 7) as f32, 0.5])
            .collect();
        let b = ids
            .iter()
            .flat_map(|&i| [1.0, -(i as f32) / 10.0, ((i * 3) % 5) as f32])
            .collect();
        vec![
            Column::Int64(ids),
            Column::FloatVector { dim: 4, data: a },
            Column::FloatVector { dim: 3, data: b },
        ]
    };
    c.insert(rows(0, 40)).unwrap();
    c.flush(&mut NoProgress).unwrap();
    c.insert(rows(40, 45)).unwrap();
    c
}

fn hnsw(metric: Metric) -> IndexSpec {
    IndexSpec::new(
        IndexParams::Hnsw {
            m: 8,
            ef_construction: 64,
        },
        metric,
    )
}

fn search(c: &Collection, field: &str, q: Vec<f32>) -> Result<SearchResult> {
    c.search(&SearchRequest {
        anns_field: field.into(),
        data: vec![q],
        limit: 5,
        ..Default::default()
    })
}

#[test]
fn each_vector_field_has_its_index_and_load_needs_all() {
    let mut c = two_vectors();
    assert_eq!(c.vector_fields(), [1, 2]);
    assert_eq!(
        c.load().unwrap_err(),
        Error::IndexNotFound {
            collection: "two".into()
        }
    );
    c.create_index("a", "", hnsw(Metric::L2), &mut NoProgress)
        .unwrap();
    assert_eq!(
        c.load().unwrap_err().to_string(),
        "there is no vector index on field: [b], please create index firstly: invalid parameter"
    );
    assert_eq!(c.index_state_of("b"), IndexState::None);
    assert_eq!(c.index_state_of("a"), IndexState::Finished);
    let flat = IndexSpec::new(IndexParams::Flat, Metric::Ip);
    assert_eq!(
        c.define_index("b", "a", flat).unwrap_err(),
        Error::IndexNameTaken {
            index_name: "a".into()
        }
    );
    c.create_index("b", "b_idx", flat, &mut NoProgress).unwrap();
    assert_eq!(c.indexes().len(), 2);
    assert_eq!(c.index_on("b").unwrap().index_name, "b_idx");
    assert!(c.sealed_segments()[0].indexes.len() == 2);
    c.load().unwrap();

    assert_eq!(
        search(&c, "", vec![0.0; 4]).unwrap_err().to_string(),
        "multiple anns_fields exist, please specify a anns_field in search_params: invalid parameter"
    );
    assert!(matches!(
        search(&c, "id", vec![0.0; 4]),
        Err(Error::UnknownAnnsField { .. })
    ));
    assert!(matches!(
        search(&c, "b", vec![0.0; 4]),
        Err(Error::QueryDimMismatch { expected: 3, .. })
    ));
    // Each field is searched with its own metric; exact answers agree.
    for (field, q) in [("a", vec![3.0, 1.0, 3.0, 0.5]), ("b", vec![1.0, -0.5, 2.0])] {
        let req = SearchRequest {
            anns_field: field.into(),
            data: vec![q],
            limit: 5,
            ..Default::default()
        };
        let got = c.search(&req).unwrap();
        let exact = c.search_exact(&req).unwrap();
        assert_eq!(got.ids, exact.ids, "{field}");
        assert_eq!(got.scores, exact.scores, "{field}");
    }
    let a = search(&c, "a", vec![3.0, 1.0, 3.0, 0.5]).unwrap();
    assert_eq!(a.int_ids(0)[0], 3);
    assert_eq!(a.scores[0], 0.0, "L2: the row itself");
    let b = search(&c, "b", vec![1.0, -0.5, 2.0]).unwrap();
    assert!(b.scores.windows(2).all(|w| w[0] >= w[1]), "IP descends");

    assert_eq!(c.drop_index(), Err(Error::DropIndexWhileLoaded));
    c.release();
    assert_eq!(c.drop_index(), Err(Error::AmbiguousIndex));
    c.drop_index_named("", "b_idx").unwrap();
    assert_eq!(c.indexes().len(), 1);
    assert!(c.sealed_segments()[0].index(2).is_none());
    assert!(c.sealed_segments()[0].index(1).is_some());
    c.drop_index_named("", "nope").unwrap();
    assert!(matches!(
        c.load(),
        Err(Error::VectorFieldsNotIndexed { .. })
    ));
}

#[test]
fn indexes_per_field_survive_the_persisted_form() {
    let mut c = two_vectors();
    c.create_index("a", "", hnsw(Metric::Cosine), &mut NoProgress)
        .unwrap();
    c.create_index(
        "b",
        "",
        IndexSpec::new(IndexParams::IvfFlat { nlist: 4 }, Metric::L2),
        &mut NoProgress,
    )
    .unwrap();
    c.flush(&mut NoProgress).unwrap();
    let mut back = crate::persist::from_bytes(&crate::persist::to_bytes(&c).unwrap()).unwrap();
    assert_eq!(back.indexes(), c.indexes());
    back.load().unwrap();
    c.load().unwrap();
    for (field, q) in [("a", vec![1.0, 1.0, 1.0, 1.0]), ("b", vec![1.0, 0.0, 1.0])] {
        let (x, y) = (
            search(&c, field, q.clone()).unwrap(),
            search(&back, field, q).unwrap(),
        );
        assert_eq!((x.ids, x.scores), (y.ids, y.scores), "{field}");
    }
}

#[test]
fn background_builds_are_per_field() {
    let mut c = two_vectors();
    c.define_index("a", "", hnsw(Metric::L2)).unwrap();
    c.define_index("b", "", IndexSpec::new(IndexParams::Flat, Metric::L2))
        .unwrap();
    let jobs = c.index_jobs();
    assert_eq!(jobs.len(), 2);
    assert_eq!((jobs[0].field, jobs[1].field), (1, 2));
    assert_eq!(c.index_state(), IndexState::InProgress);
    let built = jobs[1].run(&mut NoProgress).unwrap();
    assert!(c.install_index(&jobs[1], built));
    assert_eq!(c.index_state_of("b"), IndexState::Finished);
    assert_eq!(c.index_state_of("a"), IndexState::InProgress);
    assert_eq!(c.index_progress().indexed_rows, 0);
    assert_eq!(c.index_progress_of("b").indexed_rows, 40);
}

#[test]
fn at_most_four_vector_fields() {
    let fields = (0..5)
        .map(|i| FieldSchema::float_vector(&format!("v{i}"), 2))
        .chain([FieldSchema::int64_primary("id", true)])
        .collect();
    let err = Collection::new("c", 1, CollectionSchema::new(fields, ""), 0).unwrap_err();
    assert_eq!(
        err.to_string(),
        "maximum vector field's number should be limited to 4"
    );
}
