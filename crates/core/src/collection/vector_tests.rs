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
pub(crate) fn two_vectors() -> Collection {
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

/// `id`, `h` (FLOAT16 or BFLOAT16, 8 components), `x` (BINARY, 64 bits): 300 rows
/// in two segments (200 flushed, 100 growing).
fn typed_vectors(half: crate::schema::DataType) -> (Collection, Vec<Vec<f32>>, Vec<Vec<u8>>) {
    use crate::schema::DataType;
    let kind = half.half_kind().unwrap();
    let schema = CollectionSchema::new(
        vec![
            FieldSchema::int64_primary("id", false),
            FieldSchema::vector("h", half, 8),
            FieldSchema::vector("x", DataType::BinaryVector, 64),
        ],
        "",
    );
    let mut c = Collection::new("typed", 9, schema, 5).unwrap();
    let mut s = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    };
    let (mut floats, mut bits) = (Vec::new(), Vec::new());
    for _ in 0..300 {
        let v: Vec<f32> = (0..8)
            .map(|_| kind.to_f32(kind.from_f32((next() % 2000) as f32 / 1000.0 - 1.0)))
            .collect();
        floats.push(v);
        bits.push(next().to_le_bytes().to_vec());
    }
    let rows = |r: std::ops::Range<usize>| {
        let halves: Vec<u16> = floats[r.clone()]
            .iter()
            .flatten()
            .map(|&x| kind.from_f32(x))
            .collect();
        let h = match half {
            DataType::Float16Vector => Column::Float16Vector {
                dim: 8,
                data: halves,
            },
            _ => Column::BFloat16Vector {
                dim: 8,
                data: halves,
            },
        };
        vec![
            Column::Int64(r.clone().map(|i| i as i64).collect()),
            h,
            Column::BinaryVector {
                dim: 64,
                data: bits[r].concat(),
            },
        ]
    };
    c.insert(rows(0..200)).unwrap();
    c.flush(&mut NoProgress).unwrap();
    c.insert(rows(200..300)).unwrap();
    (c, floats, bits)
}

/// The brute-force top `k` ids under `dist` (ties by id).
fn brute(n: usize, k: usize, dist: impl Fn(usize) -> f32) -> Vec<i64> {
    let mut all: Vec<(f32, usize)> = (0..n).map(|i| (dist(i), i)).collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    all.iter().take(k).map(|&(_, i)| i as i64).collect()
}

#[test]
fn two_byte_floats_are_stored_at_two_bytes_and_searched_widened() {
    use crate::schema::DataType;
    for half in [DataType::Float16Vector, DataType::BFloat16Vector] {
        let (mut c, floats, _) = typed_vectors(half);
        let bytes = c.growing_segments()[0].vector_bytes(1);
        assert_eq!(bytes, 100 * 8 * 2, "two bytes a component");
        for (params, metric) in [
            (IndexParams::Flat, Metric::L2),
            (IndexParams::IvfFlat { nlist: 4 }, Metric::Ip),
            (
                IndexParams::Hnsw {
                    m: 8,
                    ef_construction: 64,
                },
                Metric::Cosine,
            ),
        ] {
            c.release();
            c.drop_index_named("h", "").unwrap();
            c.drop_index_named("x", "").unwrap();
            c.create_index("h", "", IndexSpec::new(params, metric), &mut NoProgress)
                .unwrap();
            c.create_index(
                "x",
                "",
                IndexSpec::new(IndexParams::BinFlat, Metric::Hamming),
                &mut NoProgress,
            )
            .unwrap();
            c.load().unwrap();
            let q = vec![0.5, -0.25, 0.75, 0.0, -1.0, 0.5, 0.25, -0.5];
            let req = SearchRequest {
                anns_field: "h".into(),
                data: vec![q.clone()],
                limit: 10,
                ann: match params {
                    IndexParams::IvfFlat { .. } => crate::index::AnnParams::Ivf { nprobe: 4 },
                    IndexParams::Hnsw { .. } => crate::index::AnnParams::Hnsw { ef: 300 },
                    _ => Default::default(),
                },
                ..Default::default()
            };
            let exact = c.search_exact(&req).unwrap();
            let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt();
            let dist = |i: usize| {
                let v = &floats[i];
                let dot: f32 = q.iter().zip(v).map(|(a, b)| a * b).sum();
                match metric {
                    Metric::L2 => q.iter().zip(v).map(|(a, b)| (a - b) * (a - b)).sum(),
                    Metric::Ip => -dot,
                    _ => -dot / (norm(&q) * norm(v)),
                }
            };
            assert_eq!(exact.int_ids(0), brute(300, 10, dist), "{half:?} {metric}");
            let got = c.search(&req).unwrap();
            assert_eq!(got.int_ids(0), exact.int_ids(0), "{half:?} {params:?}");
            // Output fields come back as stored: little-endian two-byte values.
            let req = SearchRequest {
                output_fields: vec!["h".into()],
                limit: 1,
                ..req
            };
            let hit = c.search(&req).unwrap();
            let id = hit.int_ids(0)[0] as usize;
            let kind = half.half_kind().unwrap();
            let want: Vec<u8> = floats[id]
                .iter()
                .flat_map(|&x| kind.from_f32(x).to_le_bytes())
                .collect();
            let got = hit.hits(0).next().unwrap().value("h").unwrap();
            assert!(
                matches!(got, crate::value::FieldValue::Float16Vector(ref b) | crate::value::FieldValue::BFloat16Vector(ref b) if *b == want)
            );
        }
    }
}

#[test]
fn binary_vectors_with_hamming_and_jaccard() {
    use crate::schema::DataType;
    let (mut c, _, bits) = typed_vectors(DataType::Float16Vector);
    let float_index = IndexSpec::new(IndexParams::Flat, Metric::L2);
    assert_eq!(
        c.define_index("x", "", float_index)
            .unwrap_err()
            .to_string(),
        "float or float16 vector are only supported"
    );
    let bin = IndexSpec::new(IndexParams::BinFlat, Metric::Hamming);
    assert_eq!(
        c.define_index("h", "", bin).unwrap_err().to_string(),
        "binary vector is only supported"
    );
    assert_eq!(
        c.define_index("x", "", IndexSpec::new(IndexParams::BinFlat, Metric::L2))
            .unwrap_err()
            .to_string(),
        "metric type not found or not supported, supported: [HAMMING JACCARD SUBSTRUCTURE SUPERSTRUCTURE] (got 'L2')"
    );
    c.create_index("h", "", float_index, &mut NoProgress)
        .unwrap();
    for (params, metric) in [
        (IndexParams::BinFlat, Metric::Hamming),
        (IndexParams::BinIvfFlat { nlist: 8 }, Metric::Jaccard),
        (IndexParams::BinIvfFlat { nlist: 8 }, Metric::Hamming),
    ] {
        c.release();
        c.drop_index_named("x", "").unwrap();
        c.create_index("x", "", IndexSpec::new(params, metric), &mut NoProgress)
            .unwrap();
        c.load().unwrap();
        let q = bits[17].clone();
        let req = SearchRequest {
            anns_field: "x".into(),
            binary_data: vec![q.clone()],
            limit: 10,
            ann: crate::index::AnnParams::Ivf { nprobe: 8 },
            ..Default::default()
        };
        let req = if params == IndexParams::BinFlat {
            SearchRequest {
                ann: Default::default(),
                ..req
            }
        } else {
            req
        };
        let exact = c.search_exact(&req).unwrap();
        let dist = |i: usize| metric.binary_distance(&q, &bits[i]);
        // Binary distances tie often: the brute force's distances, and each
        // hit's own distance.
        let want: Vec<f32> = brute(300, 10, dist)
            .iter()
            .map(|&i| dist(i as usize))
            .collect();
        assert_eq!(exact.scores, want, "{metric}");
        for (&id, &score) in exact.int_ids(0).iter().zip(&exact.scores) {
            assert_eq!(dist(id as usize), score);
        }
        assert_eq!(exact.int_ids(0)[0], 17);
        assert_eq!(exact.scores[0], 0.0);
        assert!(
            exact.scores.windows(2).all(|w| w[0] <= w[1]),
            "distances ascend"
        );
        let got = c.search(&req).unwrap();
        assert_eq!(
            got.int_ids(0),
            exact.int_ids(0),
            "{params:?}: nprobe = nlist"
        );
        // Filtered, and with the vectors returned as bytes.
        let filtered = c
            .search(&SearchRequest {
                filter: "id % 2 == 1".into(),
                output_fields: vec!["x".into()],
                ..req.clone()
            })
            .unwrap();
        let ids = filtered.int_ids(0);
        assert!(ids.iter().all(|i| i % 2 == 1), "{ids:?}");
        let first = filtered.hits(0).next().unwrap().value("x").unwrap();
        assert_eq!(
            first,
            crate::value::FieldValue::BinaryVector(bits[ids[0] as usize].clone())
        );
        assert!(matches!(
            c.search(&SearchRequest {
                binary_data: vec![vec![0; 7]],
                ..req.clone()
            }),
            Err(Error::QueryDimMismatch {
                expected: 64,
                got: 56,
                ..
            })
        ));
        assert!(matches!(
            c.search(&SearchRequest {
                metric_type: Some(Metric::L2),
                ..req.clone()
            }),
            Err(Error::MetricMismatch { .. })
        ));
    }
    let back = crate::persist::from_bytes(&crate::persist::to_bytes(&c).unwrap()).unwrap();
    assert_eq!(back.indexes(), c.indexes());
}

#[test]
fn binary_dims_follow_milvus() {
    use crate::schema::DataType;
    let schema = |dim| {
        CollectionSchema::new(
            vec![
                FieldSchema::int64_primary("id", false),
                FieldSchema::vector("x", DataType::BinaryVector, dim),
            ],
            "",
        )
    };
    assert_eq!(
        schema(12).validate("c").unwrap_err().to_string(),
        "invalid dimension: 12. should be multiple of 8. "
    );
    assert!(schema(8 * 32_768).validate("c").is_ok());
    assert!(schema(8 * 32_769).validate("c").is_err());
    let mut c = Collection::new("c", 1, schema(16), 0).unwrap();
    let err = c
        .insert(vec![
            Column::Int64(vec![1, 2]),
            Column::BinaryVector {
                dim: 16,
                data: vec![0; 3],
            },
        ])
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the num(24) of all bits should divide the dim(16)"
    );
    assert_eq!(c.count(), 0, "nothing was applied");
}
