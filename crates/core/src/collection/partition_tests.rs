//! Partitions, checked against what real Milvus 2.3.5 does
//! (`../shared/milvus/REFERENCE.md`, "Partitions").

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;
use crate::dataset::{DataSpec, TutorialData};
use crate::index::spec::{IndexParams, IndexSpec};
use crate::index::{AnnParams, NoProgress};
use crate::metric::Metric;
use crate::persist;

const DIM: usize = 16;

/// 300 rows: ids 0..100 in `_default`, 100..300 in `p1`; an HNSW index; flushed
/// (`flush`) or still growing; loaded.
fn two_partitions(flush: bool) -> (Collection, TutorialData) {
    let data = TutorialData::generate(
        DataSpec {
            n: 300,
            dim: DIM,
            seed: 5,
            kind: Default::default(),
        },
        0,
    )
    .unwrap();
    let mut c = Collection::new("docs", 3, CollectionSchema::tutorial(DIM), 11).unwrap();
    let params = IndexParams::Hnsw {
        m: 8,
        ef_construction: 40,
    };
    c.create_index(
        "embedding",
        "",
        IndexSpec::new(params, Metric::Cosine),
        &mut NoProgress,
    )
    .unwrap();
    c.create_partition("p1").unwrap();
    c.insert(data.columns(0, 100)).unwrap();
    c.insert_into("p1", data.columns(100, 300)).unwrap();
    if flush {
        c.flush(&mut NoProgress).unwrap();
    }
    c.load().unwrap();
    (c, data)
}

fn count(c: &Collection, partitions: &[&str]) -> usize {
    let r = c
        .query(&QueryRequest {
            output_fields: vec!["count(*)".into()],
            partition_names: partitions.iter().map(|p| p.to_string()).collect(),
            ..Default::default()
        })
        .unwrap();
    match r {
        QueryResult::Count(n) => n,
        other => panic!("not a count: {other:?}"),
    }
}

fn search_ids(c: &Collection, q: &[f32], partitions: &[&str]) -> Result<Vec<i64>> {
    let r = c.search(&SearchRequest {
        anns_field: "embedding".into(),
        data: vec![q.to_vec()],
        ann: AnnParams::Hnsw { ef: 64 },
        limit: 20,
        partition_names: partitions.iter().map(|p| p.to_string()).collect(),
        ..Default::default()
    })?;
    Ok(r.int_ids(0))
}

#[test]
fn every_collection_has_default_and_names_follow_milvus() {
    let mut c = Collection::new("docs", 1, CollectionSchema::tutorial(DIM), 1).unwrap();
    let names =
        |c: &Collection| -> Vec<String> { c.partitions().iter().map(|p| p.name.clone()).collect() };
    assert_eq!(names(&c), ["_default"]);
    c.create_partition("p1").unwrap();
    c.create_partition("p1").unwrap(); // the server accepts a duplicate silently
    c.create_partition("2024").unwrap(); // a digit may come first
    assert_eq!(names(&c), ["_default", "p1", "2024"]);
    assert!(c.has_partition("p1") && !c.has_partition("nope"));
    assert_eq!(c.describe().num_partitions, 3);
    let mut err = |name: &str| c.create_partition(name).unwrap_err().to_string();
    assert_eq!(
        err(""),
        "Invalid partition name: . Partition name should not be empty."
    );
    assert_eq!(
        err("a-b"),
        "Invalid partition name: a-b. Partition name can only contain numbers, letters and underscores."
    );
    assert_eq!(
        err("-ab"),
        "Invalid partition name: -ab. The first character of a partition name must be an underscore or letter."
    );
    assert!(err(&"p".repeat(256)).contains("must be less than 255 characters"));
}

#[test]
fn search_query_and_count_are_restricted_to_the_named_partitions() {
    for flush in [false, true] {
        let (c, data) = two_partitions(flush);
        assert_eq!(count(&c, &[]), 300);
        assert_eq!(count(&c, &["_default"]), 100);
        assert_eq!(count(&c, &["p1"]), 200);
        assert_eq!(count(&c, &["p1", "_default", "p1"]), 300);
        let q = data.embedding(150).to_vec();
        let all = search_ids(&c, &q, &[]).unwrap();
        assert_eq!(all[0], 150, "flush={flush}");
        let p1 = search_ids(&c, &q, &["p1"]).unwrap();
        assert!(p1.iter().all(|&id| id >= 100), "{p1:?}");
        let default = search_ids(&c, &q, &["_default"]).unwrap();
        assert!(default.iter().all(|&id| id < 100), "{default:?}");
        assert_eq!(
            search_ids(&c, &q, &["nope"]).unwrap_err().to_string(),
            "partition name nope not found"
        );
        let rows = c
            .query(&QueryRequest {
                expr: "id >= 95".into(),
                output_fields: vec!["text".into()],
                limit: Some(100),
                partition_names: vec!["_default".into()],
                ..Default::default()
            })
            .unwrap();
        assert_eq!(rows.num_rows(), 5);
    }
}

#[test]
fn insert_and_delete_name_a_partition() {
    let (mut c, data) = two_partitions(true);
    let missing = c.insert_into("nope", data.columns(0, 1)).unwrap_err();
    assert_eq!(missing.to_string(), "partition not found[partition=nope]");
    // Only `_default`'s rows match there.
    assert_eq!(c.delete_in(Some("_default"), "id >= 90").unwrap(), 10);
    assert_eq!(c.delete_in(Some("p1"), "id < 150").unwrap(), 50);
    assert_eq!(count(&c, &[]), 240);
    assert_eq!(c.delete("id >= 290").unwrap(), 10);
    assert_eq!(count(&c, &["p1"]), 140);
    let infos = c.partition_infos();
    assert_eq!(infos[1].num_entities, 200, "row_count keeps deleted rows");
    assert!(c.drop_partition("a b").is_err(), "names are checked");
}

#[test]
fn upsert_into_a_partition_replaces_the_key_wherever_it_was() {
    let schema = CollectionSchema::new(
        vec![
            crate::schema::FieldSchema::int64_primary("id", false),
            crate::schema::FieldSchema::float_vector("embedding", 2),
        ],
        "",
    );
    let mut c = Collection::new("kv", 1, schema, 1).unwrap();
    c.create_partition("p1").unwrap();
    let row = |id: i64| {
        vec![
            crate::schema::Column::Int64(vec![id]),
            crate::schema::Column::FloatVector {
                dim: 2,
                data: vec![1.0, id as f32],
            },
        ]
    };
    c.insert(row(1)).unwrap();
    let (_, replaced) = c.upsert_into("p1", row(1)).unwrap();
    assert_eq!(replaced, 1, "the _default row with key 1");
    c.create_index(
        "embedding",
        "",
        IndexSpec::new(IndexParams::Flat, Metric::L2),
        &mut NoProgress,
    )
    .unwrap();
    c.load().unwrap();
    assert_eq!((count(&c, &["_default"]), count(&c, &["p1"])), (0, 1));
    assert!(matches!(
        c.upsert_into("nope", row(2)),
        Err(Error::PartitionNotFound { .. })
    ));
}

#[test]
fn dropping_a_partition_drops_its_rows_and_needs_it_released() {
    let (mut c, data) = two_partitions(true);
    c.insert_into("p1", data.columns(0, 10)).unwrap(); // a growing segment too
    let loaded = c.drop_partition("p1").unwrap_err();
    assert_eq!(
        loaded.to_string(),
        "partition cannot be dropped, partition is loaded, please release it first"
    );
    assert_eq!(
        c.drop_partition("_default").unwrap_err(),
        Error::DropLoadedPartition
    );
    c.release_partitions(&["p1".into()]).unwrap();
    assert!(c.is_loaded(), "_default is still loaded");
    let q = data.embedding(150).to_vec();
    assert_eq!(
        search_ids(&c, &q, &["p1"]).unwrap_err().to_string(),
        "failed to search: partition not loaded[partition=p1]"
    );
    let id = |name: &str| c.partitions().iter().find(|p| p.name == name).unwrap().id;
    match search_ids(&c, &q, &["p1", "_default"]).unwrap_err() {
        Error::PartitionNotLoaded { requested, .. } => {
            assert_eq!(requested, vec![id("p1"), id("_default")])
        }
        e => panic!("expected PartitionNotLoaded, got {e}"),
    }
    assert!(search_ids(&c, &q, &[]).unwrap().iter().all(|&id| id < 100));
    c.drop_partition("p1").unwrap();
    c.drop_partition("p1").unwrap(); // a missing partition: nothing to do
    assert_eq!(c.num_entities(), 100);
    assert_eq!(c.growing_segments().len(), 1);
    assert_eq!(count(&c, &[]), 100);
    c.release();
    assert_eq!(
        c.drop_partition("_default").unwrap_err(),
        Error::DropDefaultPartition
    );
}

#[test]
fn partitions_load_one_by_one_and_new_ones_follow_a_whole_load() {
    let (mut c, data) = two_partitions(true);
    c.create_partition("p2").unwrap();
    assert!(
        c.partitions()[2].loaded,
        "loaded whole: a new partition is loaded"
    );
    c.release();
    assert!(!c.is_loaded());
    let q = data.embedding(5).to_vec();
    assert!(matches!(
        search_ids(&c, &q, &[]),
        Err(Error::CollectionNotLoaded { .. })
    ));
    c.load_partitions(&["p1".into()]).unwrap();
    assert!(search_ids(&c, &q, &[]).unwrap().iter().all(|&id| id >= 100));
    c.create_partition("p3").unwrap();
    assert!(!c.partitions()[3].loaded);
    assert_eq!(
        c.load_partitions(&["nope".into()]).unwrap_err().to_string(),
        "partition not found[partition=nope]"
    );
    c.drop_index().unwrap_err();
    c.release();
    c.drop_index().unwrap();
    assert!(matches!(
        c.load_partitions(&["p1".into()]),
        Err(Error::IndexNotFound { .. })
    ));
}

#[test]
fn partitions_survive_persistence() {
    let (mut c, data) = two_partitions(true);
    c.insert_into("p1", data.columns(0, 5)).unwrap();
    let mut back = persist::from_bytes(&persist::to_bytes(&c).unwrap()).unwrap();
    // Reopened released (as Milvus after a restart), with the flushed rows only.
    c.release();
    assert_eq!(back.partitions(), c.partitions());
    assert_eq!(back.partition_infos(), c.partition_infos());
    c.load().unwrap();
    back.load().unwrap();
    assert_eq!(count(&c, &["p1"]), 205);
    assert_eq!(
        count(&back, &["p1"]),
        200,
        "rows inserted after the flush are not stored"
    );
    let q = data.embedding(42).to_vec();
    assert_eq!(
        search_ids(&back, &q, &["_default"]).unwrap(),
        search_ids(&c, &q, &["_default"]).unwrap()
    );
}

#[test]
fn a_collection_holds_at_most_4096_partitions() {
    let mut c = Collection::new("docs", 1, CollectionSchema::tutorial(DIM), 1).unwrap();
    for i in 1..MAX_PARTITIONS {
        c.create_partition(&format!("p{i}")).unwrap();
    }
    assert_eq!(
        c.create_partition("one_more").unwrap_err().to_string(),
        "partition number (4096) exceeds max configuration (4096), collection: docs"
    );
}
