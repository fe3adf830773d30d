//! The catalogue and maintenance calls through the gRPC API: aliases (usable
//! wherever a collection name is), databases (`db_name` in the request and in
//! the `dbname` header), AlterCollection's properties, RenameCollection,
//! GetReplicas, ManualCompaction and its state, segment infos; Milvus's codes
//! and words; a refused call's log line; and all of it back after a kill -9.

use tonic::Request;

use super::*;

fn status_of(s: milvus::proto::common::Status) -> (i32, String) {
    (s.code, s.reason)
}

async fn create_alias(
    c: &mut MilvusServiceClient<Channel>,
    alias: &str,
    collection: &str,
) -> (i32, String) {
    status_of(
        c.create_alias(CreateAliasRequest {
            collection_name: collection.into(),
            alias: alias.into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner(),
    )
}

async fn count(c: &mut MilvusServiceClient<Channel>, db: &str, collection: &str) -> i64 {
    let q = c
        .query(QueryRequest {
            db_name: db.into(),
            collection_name: collection.into(),
            output_fields: vec!["count(*)".into()],
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(code(q.status.clone()).0, 0, "{:?}", q.status);
    match &q.fields_data[0].field {
        Some(field_data::Field::Scalars(ScalarField {
            data: Some(scalar_field::Data::LongData(a)),
            ..
        })) => a.data[0],
        other => panic!("{other:?}"),
    }
}

async fn aliases(c: &mut MilvusServiceClient<Channel>) {
    assert_eq!(create_alias(c, "live", "docs").await.0, 0);
    assert_eq!(
        create_alias(c, "live", "docs").await.0,
        0,
        "the same alias again"
    );
    assert_eq!(
        create_alias(c, "docs", "docs").await,
        (
            1601,
            "alias and collection name conflict[database=default][alias=docs]".into()
        )
    );
    assert_eq!(
        create_alias(c, "other", "nope").await,
        (
            100,
            "can't find collection collection not found[database=default][collection=nope]".into()
        )
    );
    // Wherever a collection name goes: load, search, query, describe.
    let s = c
        .load_collection(LoadCollectionRequest {
            collection_name: "live".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(s.code, 0, "{}", s.reason);
    let mut req = search_request(&[vector(3)], "16", "");
    req.collection_name = "live".into();
    let r = c.search(req).await.unwrap().into_inner();
    assert_eq!(code(r.status).0, 0);
    assert_eq!(r.results.unwrap().topks, vec![5]);
    assert_eq!(count(c, "", "live").await, ROWS as i64);
    let d = c
        .describe_collection(DescribeCollectionRequest {
            collection_name: "live".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(d.collection_name, "docs");
    assert_eq!(d.aliases, ["live"]);
    let a = c
        .describe_alias(DescribeAliasRequest {
            alias: "live".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (a.collection.as_str(), a.db_name.as_str()),
        ("docs", "default")
    );
    let s = c
        .drop_collection(DropCollectionRequest {
            collection_name: "docs".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        status_of(s),
        (
            65535,
            "unable to drop the collection [docs] because it has associated aliases [live], please remove all aliases before dropping the collection".into()
        )
    );
    let s = c
        .alter_alias(AlterAliasRequest {
            collection_name: "docs".into(),
            alias: "gone".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        status_of(s),
        (1600, "alias not found[database=default][alias=gone]".into())
    );
    assert_eq!(create_alias(c, "old", "docs").await.0, 0);
    let s = c
        .drop_alias(DropAliasRequest {
            alias: "old".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(s.code, 0);
    let l = c
        .list_aliases(ListAliasesRequest {
            collection_name: "docs".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(l.aliases, ["live"]);
}

async fn databases(c: &mut MilvusServiceClient<Channel>) {
    let s = c
        .create_database(CreateDatabaseRequest {
            db_name: "shop".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(s.code, 0, "{}", s.reason);
    let s = c
        .create_database(CreateDatabaseRequest {
            db_name: "shop".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(status_of(s), (65535, "database already exist: shop".into()));
    let l = c
        .list_databases(ListDatabasesRequest::default())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(l.db_names, ["default", "shop"]);
    // The same collection name in another database, named by the `dbname` header.
    let mut req = Request::new(CreateCollectionRequest {
        collection_name: "docs".into(),
        schema: schema(),
        ..Default::default()
    });
    req.metadata_mut().insert("dbname", "shop".parse().unwrap());
    let s = c.create_collection(req).await.unwrap().into_inner();
    assert_eq!(s.code, 0, "{}", s.reason);
    let mut ins = insert_request();
    ins.db_name = "shop".into();
    ins.num_rows = 10;
    for f in &mut ins.fields_data {
        match &mut f.field {
            Some(field_data::Field::Vectors(v)) => match &mut v.data {
                Some(vector_field::Data::FloatVector(a)) => a.data.truncate(10 * DIM),
                _ => unreachable!(),
            },
            Some(field_data::Field::Scalars(s)) => match &mut s.data {
                Some(scalar_field::Data::StringData(a)) => a.data.truncate(10),
                _ => unreachable!(),
            },
            _ => unreachable!(),
        }
    }
    let r = c.insert(ins).await.unwrap().into_inner();
    assert_eq!(r.insert_cnt, 10, "{:?}", r.status);
    let s = c
        .drop_database(DropDatabaseRequest {
            db_name: "shop".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        status_of(s),
        (
            65535,
            "database:shop not empty, must drop all collections before drop database".into()
        )
    );
    let s = c
        .drop_database(DropDatabaseRequest {
            db_name: "default".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        status_of(s),
        (65535, "can not drop default database".into())
    );
    let r = c
        .has_collection(HasCollectionRequest {
            db_name: "nowhere".into(),
            collection_name: "docs".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        code(r.status),
        (800, "database not found[database=nowhere]".into())
    );
    // Rename within `shop`, then flush there (rows become durable).
    let s = c
        .rename_collection(RenameCollectionRequest {
            db_name: "shop".into(),
            old_name: "docs".into(),
            new_name: "items".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(s.code, 0, "{}", s.reason);
    let s = c
        .rename_collection(RenameCollectionRequest {
            old_name: "docs".into(),
            new_name: "live".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        status_of(s),
        (
            65535,
            "duplicated new collection name default:live with other collection name or alias"
                .into()
        )
    );
    let f = c
        .flush(FlushRequest {
            db_name: "shop".into(),
            collection_names: vec!["items".into()],
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(f.db_name, "shop");
}

async fn properties_and_compaction(c: &mut MilvusServiceClient<Channel>) -> i64 {
    let s = c
        .alter_collection(AlterCollectionRequest {
            collection_name: "live".into(),
            properties: vec![
                kv("collection.ttl.seconds", "3600"),
                kv("mmap.enabled", "true"),
            ],
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(s.code, 0, "{}", s.reason);
    // Two more small flushes and some deletions: three segments to merge.
    for _ in 0..2 {
        let r = c.insert(insert_request()).await.unwrap().into_inner();
        assert_eq!(r.insert_cnt, ROWS as i64);
        c.flush(FlushRequest {
            collection_names: vec!["docs".into()],
            ..Default::default()
        })
        .await
        .unwrap();
    }
    let d = c
        .delete(DeleteRequest {
            collection_name: "docs".into(),
            expr: "source == \"source_1\"".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(d.delete_cnt, 90);
    let segments = |c: &mut MilvusServiceClient<Channel>| {
        let mut c = c.clone();
        async move {
            c.get_persistent_segment_info(GetPersistentSegmentInfoRequest {
                collection_name: "docs".into(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner()
            .infos
        }
    };
    assert_eq!(segments(c).await.len(), 3);
    let id = c
        .describe_collection(DescribeCollectionRequest {
            collection_name: "docs".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .collection_id;
    // pymilvus names the collection by id.
    let m = c
        .manual_compaction(ManualCompactionRequest {
            collection_id: id,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(code(m.status).0, 0);
    assert_eq!(m.compaction_plan_count, 1);
    let st = c
        .get_compaction_state(GetCompactionStateRequest {
            compaction_id: m.compaction_id,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        st.state,
        milvus::proto::common::CompactionState::Completed as i32
    );
    assert_eq!(st.completed_plan_no, 1);
    let plans = c
        .get_compaction_state_with_plans(GetCompactionPlansRequest {
            compaction_id: m.compaction_id,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(plans.merge_infos[0].sources.len(), 3);
    let after = segments(c).await;
    assert_eq!(after.len(), 1);
    assert_eq!(
        after[0].num_rows,
        3 * ROWS as i64 - 90,
        "deleted rows purged"
    );
    assert_eq!(count(c, "", "docs").await, 3 * ROWS as i64 - 90);
    let q = c
        .get_query_segment_info(GetQuerySegmentInfoRequest {
            collection_name: "docs".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(q.infos.len(), 1);
    let r = c
        .get_replicas(GetReplicasRequest {
            collection_id: id,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(r.replicas.len(), 1);
    assert_eq!(r.replicas[0].collection_id, id);
    after[0].segment_id
}

#[test]
fn serve_keeps_aliases_databases_properties_and_compaction_across_kill_9() {
    let dir = std::env::temp_dir().join(format!("annlab-serve-catalog-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let log_path = dir.with_extension("log");
    let log = std::fs::File::create(&log_path).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut server = Server::start_logging(&dir.join("data"), Stdio::from(log));
    let merged = rt.block_on(async {
        let mut c = server.client().await;
        tutorial_calls(&mut c).await; // `docs`: 300 rows, HNSW L2, index built
        aliases(&mut c).await;
        databases(&mut c).await;
        properties_and_compaction(&mut c).await
    });
    // kill -9: every call above answered, so all of it is in the data directory.
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    let log = std::fs::read_to_string(&log_path).unwrap();
    assert!(
        log.contains(
            "annlab serve: info: CreateAlias refused: code=1601 db=default reason=alias and collection name conflict[database=default][alias=docs]"
        ),
        "{log}"
    );
    assert!(
        log.contains("annlab serve: info: HasCollection refused: code=800 db=nowhere"),
        "{log}"
    );

    let server = Server::start(&dir.join("data"));
    rt.block_on(async {
        let mut c = server.client().await;
        let l = c
            .list_databases(ListDatabasesRequest::default())
            .await
            .unwrap()
            .into_inner();
        assert_eq!(l.db_names, ["default", "shop"]);
        let d = c
            .describe_collection(DescribeCollectionRequest {
                collection_name: "live".into(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(code(d.status).0, 0);
        assert_eq!(d.collection_name, "docs");
        let mut props: Vec<_> = d
            .properties
            .iter()
            .map(|p| (p.key.as_str(), p.value.as_str()))
            .collect();
        props.sort();
        assert_eq!(
            props,
            [("collection.ttl.seconds", "3600"), ("mmap.enabled", "true")]
        );
        let infos = c
            .get_persistent_segment_info(GetPersistentSegmentInfoRequest {
                collection_name: "docs".into(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner()
            .infos;
        assert_eq!(infos.len(), 1);
        assert_eq!(
            (infos[0].segment_id, infos[0].num_rows),
            (merged, 3 * ROWS as i64 - 90)
        );
        let s = c
            .show_collections(ShowCollectionsRequest {
                db_name: "shop".into(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(s.collection_names, ["items"]);
        let r = c
            .get_collection_statistics(GetCollectionStatisticsRequest {
                db_name: "shop".into(),
                collection_name: "items".into(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(r.stats[0].value, "10");
    });
    let (status, _) = server.terminate();
    assert!(status.success());
    std::fs::remove_dir_all(&dir).unwrap();
    std::fs::remove_file(&log_path).unwrap();
}
