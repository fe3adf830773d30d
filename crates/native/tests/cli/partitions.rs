//! Partitions through the gRPC API: Create/Drop/Has/ShowPartitions,
//! Load/ReleasePartitions, GetPartitionStatistics, `partition_name` on Insert and
//! Delete, `partition_names` on Search and Query, Milvus's codes and words, and
//! the partitions of a collection across a restart.

use milvus::proto::common::LoadState;

use super::*;

fn ids_of(r: SearchResults) -> Vec<i64> {
    assert_eq!(code(r.status.clone()).0, 0, "{:?}", r.status);
    match r.results.unwrap().ids.unwrap().id_field {
        Some(pb::i_ds::IdField::IntId(LongArray { data })) => data,
        other => panic!("int ids: {other:?}"),
    }
}

fn count_request(partitions: &[&str]) -> QueryRequest {
    QueryRequest {
        collection_name: "docs".into(),
        output_fields: vec!["count(*)".into()],
        partition_names: partitions.iter().map(|p| p.to_string()).collect(),
        ..Default::default()
    }
}

fn count_of(q: QueryResults) -> i64 {
    assert_eq!(code(q.status.clone()).0, 0, "{:?}", q.status);
    match &q.fields_data[0].field {
        Some(field_data::Field::Scalars(ScalarField {
            data: Some(scalar_field::Data::LongData(a)),
            ..
        })) => a.data[0],
        other => panic!("{other:?}"),
    }
}

async fn show(c: &mut MilvusServiceClient<Channel>) -> Vec<String> {
    c.show_partitions(ShowPartitionsRequest {
        collection_name: "docs".into(),
        ..Default::default()
    })
    .await
    .unwrap()
    .into_inner()
    .partition_names
}

async fn create(c: &mut MilvusServiceClient<Channel>, name: &str) -> (i32, String) {
    let s = c
        .create_partition(CreatePartitionRequest {
            collection_name: "docs".into(),
            partition_name: name.into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    (s.code, s.reason)
}

async fn drop(c: &mut MilvusServiceClient<Channel>, name: &str) -> (i32, String) {
    let s = c
        .drop_partition(DropPartitionRequest {
            collection_name: "docs".into(),
            partition_name: name.into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    (s.code, s.reason)
}

async fn insert_into(c: &mut MilvusServiceClient<Channel>, partition: &str) -> MutationResult {
    let mut req = insert_request();
    req.partition_name = partition.into();
    c.insert(req).await.unwrap().into_inner()
}

async fn flush_and_wait(c: &mut MilvusServiceClient<Channel>) {
    c.flush(FlushRequest {
        collection_names: vec!["docs".into()],
        ..Default::default()
    })
    .await
    .unwrap();
    for _ in 0..600 {
        let d = c
            .describe_index(DescribeIndexRequest {
                collection_name: "docs".into(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        if d.index_descriptions[0].state == IndexState::Finished as i32 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the index build did not finish");
}

async fn partitions_calls(c: &mut MilvusServiceClient<Channel>) {
    tutorial_calls(c).await; // `docs`: 300 rows (ids 0..300) in `_default`, HNSW L2
    assert_eq!(create(c, "p1").await.0, 0);
    assert_eq!(
        create(c, "p1").await.0,
        0,
        "Milvus's server accepts a duplicate"
    );
    assert_eq!(
        create(c, "a-b").await,
        (
            65535,
            "Invalid partition name: a-b. Partition name can only contain numbers, letters and underscores.".into()
        )
    );
    assert_eq!(show(c).await, ["_default", "p1"]);
    for (name, has) in [("p1", true), ("nope", false)] {
        let r = c
            .has_partition(HasPartitionRequest {
                collection_name: "docs".into(),
                partition_name: name.into(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(r.value, has, "{name}");
    }
    let d = c
        .describe_collection(DescribeCollectionRequest {
            collection_name: "docs".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(d.num_partitions, 2);

    assert_eq!(insert_into(c, "p1").await.insert_cnt, ROWS as i64); // ids 300..600
    let r = insert_into(c, "nope").await;
    assert_eq!(
        code(r.status),
        (200, "partition not found[partition=nope]".into())
    );
    flush_and_wait(c).await;
    let stats = c
        .get_partition_statistics(GetPartitionStatisticsRequest {
            collection_name: "docs".into(),
            partition_name: "p1".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(stats.stats[0].value, ROWS.to_string());

    c.load_collection(LoadCollectionRequest {
        collection_name: "docs".into(),
        ..Default::default()
    })
    .await
    .unwrap();
    let mut in_p1 = search_request(&[vector(7)], "16", "");
    in_p1.partition_names = vec!["p1".into()];
    let ids = ids_of(c.search(in_p1).await.unwrap().into_inner());
    assert!(ids.iter().all(|&id| id >= ROWS as i64), "{ids:?}");
    let mut missing = search_request(&[vector(7)], "16", "");
    missing.partition_names = vec!["nope".into()];
    let r = c.search(missing).await.unwrap().into_inner();
    assert_eq!(
        code(r.status),
        (65535, "partition name nope not found".into())
    );
    let n = count_of(
        c.query(count_request(&["_default"]))
            .await
            .unwrap()
            .into_inner(),
    );
    assert_eq!(n, ROWS as i64);
    let d = c
        .delete(DeleteRequest {
            collection_name: "docs".into(),
            partition_name: "p1".into(),
            expr: "id < 310".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(d.delete_cnt, 10, "only p1's rows");

    let loaded = "partition cannot be dropped, partition is loaded, please release it first";
    assert_eq!(drop(c, "p1").await, (65535, loaded.into()));
    assert_eq!(drop(c, "_default").await, (65535, loaded.into()));
    c.release_partitions(ReleasePartitionsRequest {
        collection_name: "docs".into(),
        partition_names: vec!["p1".into()],
        ..Default::default()
    })
    .await
    .unwrap();
    let state = c
        .get_load_state(GetLoadStateRequest {
            collection_name: "docs".into(),
            partition_names: vec!["p1".into()],
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(state.state, LoadState::NotLoad as i32);
    assert_eq!(drop(c, "p1").await.0, 0);
    let n = count_of(c.query(count_request(&[])).await.unwrap().into_inner());
    assert_eq!(n, ROWS as i64, "p1's rows went with it");

    // A partition loaded on its own, and one kept for the restart.
    assert_eq!(create(c, "p2").await.0, 0);
    assert_eq!(insert_into(c, "p2").await.insert_cnt, ROWS as i64);
    flush_and_wait(c).await;
    c.release_collection(ReleaseCollectionRequest {
        collection_name: "docs".into(),
        ..Default::default()
    })
    .await
    .unwrap();
    let s = c
        .load_partitions(LoadPartitionsRequest {
            collection_name: "docs".into(),
            partition_names: vec!["p2".into()],
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(s.code, 0, "{}", s.reason);
    let n = count_of(c.query(count_request(&[])).await.unwrap().into_inner());
    assert_eq!(n, ROWS as i64, "only p2 is loaded");
}

#[test]
fn serve_keeps_partitions_apart_and_across_a_restart() {
    let dir = std::env::temp_dir().join(format!("annlab-serve-parts-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = Server::start(&dir);
    rt.block_on(async {
        let mut c = server.client().await;
        partitions_calls(&mut c).await;
    });
    let (status, _) = server.terminate();
    assert!(status.success(), "{status:?}");

    let server = Server::start(&dir);
    rt.block_on(async {
        let mut c = server.client().await;
        assert_eq!(show(&mut c).await, ["_default", "p2"]);
        let stats = c
            .get_partition_statistics(GetPartitionStatisticsRequest {
                collection_name: "docs".into(),
                partition_name: "p2".into(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(stats.stats[0].value, ROWS.to_string());
    });
    let (status, _) = server.terminate();
    assert!(status.success());
    std::fs::remove_dir_all(&dir).unwrap();
}
