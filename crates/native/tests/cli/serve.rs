//! `annlab serve` end to end through Milvus's generated gRPC client
//! (milvus-sdk-rust's `MilvusServiceClient`): the tutorial's calls, Milvus's
//! statuses, UNIMPLEMENTED for the rest, malformed requests, SIGTERM, --data-dir.
//! `partitions` drives the partition calls; `catalog` aliases, databases,
//! properties, renames, compaction, segments, the log and a kill -9.

#[path = "catalog.rs"]
mod catalog;
#[path = "partitions.rs"]
mod partitions;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use milvus::proto::common::{
    ConsistencyLevel, IndexState, KeyValuePair, LoadState, PlaceholderGroup, PlaceholderType,
    PlaceholderValue,
};
use milvus::proto::milvus::milvus_service_client::MilvusServiceClient;
use milvus::proto::milvus::*;
use milvus::proto::schema::{
    self as pb, FieldData, FloatArray, LongArray, ScalarField, StringArray, VectorField,
    field_data, scalar_field, vector_field,
};
use prost::Message;
use tonic::transport::Channel;

const DIM: usize = 16;
const ROWS: usize = 300;

struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start(data_dir: &std::path::Path) -> Server {
        Self::start_logging(data_dir, Stdio::null())
    }

    /// A server whose log (stderr) goes to `stderr`.
    fn start_logging(data_dir: &std::path::Path, stderr: Stdio) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_annlab"))
            .args(["serve", "--addr", "127.0.0.1:0", "--metrics-addr", "off"])
            .arg("--data-dir")
            .arg(data_dir)
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("annlab serve starts");
        let mut line = String::new();
        BufReader::new(child.stdout.as_mut().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no address in {line:?}"));
        Server { child, port }
    }

    async fn client(&self) -> MilvusServiceClient<Channel> {
        // (`MilvusServiceClient::connect` is Milvus's Connect call, not the dial.)
        let channel = Channel::from_shared(format!("http://127.0.0.1:{}", self.port))
            .unwrap()
            .connect()
            .await
            .expect("connects");
        MilvusServiceClient::new(channel).max_decoding_message_size(64 << 20)
    }

    /// SIGTERM, then the exit status and what it printed after its address line.
    fn terminate(mut self) -> (std::process::ExitStatus, String) {
        let killed = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let mut rest = String::new();
        std::io::Read::read_to_string(self.child.stdout.as_mut().unwrap(), &mut rest).unwrap();
        (self.child.wait().unwrap(), rest)
    }
}

fn kv(key: &str, value: &str) -> KeyValuePair {
    KeyValuePair {
        key: key.into(),
        value: value.into(),
    }
}

fn schema() -> Vec<u8> {
    let field = |name: &str, t: pb::DataType, params: Vec<KeyValuePair>| pb::FieldSchema {
        name: name.into(),
        data_type: t as i32,
        type_params: params,
        ..Default::default()
    };
    let mut id = field("id", pb::DataType::Int64, vec![]);
    id.is_primary_key = true;
    id.auto_id = true;
    pb::CollectionSchema {
        name: "docs".into(),
        fields: vec![
            id,
            field(
                "embedding",
                pb::DataType::FloatVector,
                vec![kv("dim", &DIM.to_string())],
            ),
            field(
                "source",
                pb::DataType::VarChar,
                vec![kv("max_length", "64")],
            ),
        ],
        ..Default::default()
    }
    .encode_to_vec()
}

fn vector(i: usize) -> Vec<f32> {
    (0..DIM)
        .map(|d| ((i * 31 + d * 7) % 17) as f32 - 8.0 + 0.5)
        .collect()
}

fn insert_request() -> InsertRequest {
    let vectors: Vec<f32> = (0..ROWS).flat_map(vector).collect();
    InsertRequest {
        collection_name: "docs".into(),
        num_rows: ROWS as u32,
        fields_data: vec![
            FieldData {
                r#type: pb::DataType::FloatVector as i32,
                field_name: "embedding".into(),
                field: Some(field_data::Field::Vectors(VectorField {
                    dim: DIM as i64,
                    data: Some(vector_field::Data::FloatVector(FloatArray {
                        data: vectors,
                    })),
                    ..Default::default()
                })),
                ..Default::default()
            },
            FieldData {
                r#type: pb::DataType::VarChar as i32,
                field_name: "source".into(),
                field: Some(field_data::Field::Scalars(ScalarField {
                    data: Some(scalar_field::Data::StringData(StringArray {
                        data: (0..ROWS).map(|i| format!("source_{}", i % 10)).collect(),
                    })),
                    ..Default::default()
                })),
                ..Default::default()
            },
        ],
        ..Default::default()
    }
}

fn search_request(queries: &[Vec<f32>], ef: &str, expr: &str) -> SearchRequest {
    let group = PlaceholderGroup {
        placeholders: vec![PlaceholderValue {
            tag: "$0".into(),
            r#type: PlaceholderType::FloatVector as i32,
            values: queries
                .iter()
                .map(|q| q.iter().flat_map(|x| x.to_le_bytes()).collect())
                .collect(),
            ..Default::default()
        }],
    };
    SearchRequest {
        collection_name: "docs".into(),
        dsl: expr.into(),
        search_input: Some(search_request::SearchInput::PlaceholderGroup(
            group.encode_to_vec(),
        )),
        output_fields: vec!["source".into()],
        search_params: vec![
            kv("anns_field", "embedding"),
            kv("topk", "5"),
            kv("metric_type", "L2"),
            kv("params", &format!("{{\"ef\": {ef}}}")),
        ],
        nq: queries.len() as i64,
        ..Default::default()
    }
}

fn code(status: Option<milvus::proto::common::Status>) -> (i32, String) {
    let s = status.expect("a status");
    (s.code, s.reason)
}

async fn tutorial_calls(c: &mut MilvusServiceClient<Channel>) {
    let v = c
        .get_version(GetVersionRequest {})
        .await
        .unwrap()
        .into_inner();
    assert!(v.version.starts_with("v2.3.5"), "{}", v.version);
    let r = c
        .describe_collection(DescribeCollectionRequest {
            collection_name: "docs".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(code(r.status).0, 100, "not found yet");
    let s = c
        .create_collection(CreateCollectionRequest {
            collection_name: "docs".into(),
            schema: schema(),
            consistency_level: ConsistencyLevel::Bounded as i32,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(s.code, 0, "{}", s.reason);
    let s = c
        .create_index(CreateIndexRequest {
            collection_name: "docs".into(),
            field_name: "embedding".into(),
            extra_params: vec![
                kv("index_type", "HNSW"),
                kv("metric_type", "L2"),
                kv("params", r#"{"M": 8, "efConstruction": 64}"#),
            ],
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(s.code, 0, "{}", s.reason);
    let r = c.insert(insert_request()).await.unwrap().into_inner();
    assert_eq!(r.insert_cnt, ROWS as i64);
    let r = c
        .flush(FlushRequest {
            collection_names: vec!["docs".into()],
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(r.coll_seg_i_ds["docs"].data.len(), 1);
    // The index builds in the background; DescribeIndex reports it.
    let mut state = IndexState::InProgress as i32;
    for _ in 0..600 {
        let d = c
            .describe_index(DescribeIndexRequest {
                collection_name: "docs".into(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        let desc = &d.index_descriptions[0];
        assert_eq!(desc.total_rows, ROWS as i64);
        state = desc.state;
        if state == IndexState::Finished as i32 {
            assert_eq!(desc.indexed_rows, ROWS as i64);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(state, IndexState::Finished as i32);
}

async fn search_and_query(c: &mut MilvusServiceClient<Channel>) {
    let s = c
        .load_collection(LoadCollectionRequest {
            collection_name: "docs".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(s.code, 0);
    let r = c
        .search(search_request(&[vector(7), vector(8)], "16", ""))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(code(r.status.clone()).0, 0, "{:?}", r.status);
    let res = r.results.unwrap();
    assert_eq!(res.topks, [5, 5]);
    let Some(pb::i_ds::IdField::IntId(LongArray { data: ids })) = res.ids.unwrap().id_field else {
        panic!("int ids")
    };
    assert_eq!((ids[0], ids[5]), (7, 8), "each query finds itself first");
    assert_eq!(res.scores[0], 0.0, "L2: squared distance to itself");
    assert_eq!(res.fields_data[0].field_name, "source");

    let r = c
        .search(search_request(&[vector(7)], "16", "source == 'source_3'"))
        .await
        .unwrap()
        .into_inner();
    let res = r.results.unwrap();
    let Some(pb::i_ds::IdField::IntId(LongArray { data: ids })) = res.ids.unwrap().id_field else {
        panic!("int ids")
    };
    assert!(ids.iter().all(|id| id % 10 == 3), "{ids:?}");

    let r = c
        .search(search_request(&[vector(7)], "2", ""))
        .await
        .unwrap()
        .into_inner();
    let (code, reason) = code(r.status);
    assert_eq!(code, 65535);
    assert!(
        reason.contains("ef(2) should be larger than k(5)"),
        "{reason}"
    );
    // An ef that is not a number is the query node's error, which comes after
    // the proxy's checks (here: topk), as in Milvus.
    let r = c
        .search(search_request(&[vector(7)], "\"abc\"", ""))
        .await
        .unwrap()
        .into_inner();
    let reason = r.status.unwrap().reason;
    assert!(reason.contains("invalid value in json: stoi"), "{reason}");
    let mut both = search_request(&[vector(7)], "\"abc\"", "");
    both.search_params[1] = kv("topk", "20000");
    let r = c.search(both).await.unwrap().into_inner();
    let reason = r.status.unwrap().reason;
    assert!(reason.starts_with("topk [20000] is invalid"), "{reason}");

    let q = c
        .query(QueryRequest {
            collection_name: "docs".into(),
            output_fields: vec!["count(*)".into()],
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(q.output_fields, ["count(*)"]);
    let count = match &q.fields_data[0].field {
        Some(field_data::Field::Scalars(ScalarField {
            data: Some(scalar_field::Data::LongData(a)),
            ..
        })) => a.data[0],
        other => panic!("{other:?}"),
    };
    assert_eq!(count, ROWS as i64);
    let d = c
        .delete(DeleteRequest {
            collection_name: "docs".into(),
            expr: "id < 10".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(d.delete_cnt, 10);
}

async fn malformed_and_unimplemented(c: &mut MilvusServiceClient<Channel>) {
    let mut bad = search_request(&[vector(1)], "16", "");
    bad.search_input = Some(search_request::SearchInput::PlaceholderGroup(vec![
        0xff, 0x01, 0x02,
    ]));
    let r = c.search(bad).await.unwrap().into_inner();
    assert_eq!(code(r.status).0, 1100);
    let s = c
        .create_collection(CreateCollectionRequest {
            collection_name: "junk".into(),
            schema: vec![0x0a, 0xff],
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(s.code, 1100, "{}", s.reason);
    let err = c
        .create_credential(CreateCredentialRequest {
            username: "u".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::Unimplemented);
}

#[test]
fn serve_answers_the_tutorials_calls_and_keeps_flushed_data() {
    let dir = std::env::temp_dir().join(format!("annlab-serve-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let rt = tokio::runtime::Runtime::new().unwrap();

    let server = Server::start(&dir);
    rt.block_on(async {
        let mut c = server.client().await;
        tutorial_calls(&mut c).await;
        search_and_query(&mut c).await;
        malformed_and_unimplemented(&mut c).await;
    });
    let (status, out) = server.terminate();
    assert!(status.success(), "{status:?}");
    assert!(out.contains("annlab serve: stopped"), "{out}");

    let server = Server::start(&dir);
    rt.block_on(async {
        let mut c = server.client().await;
        let r = c
            .get_collection_statistics(GetCollectionStatisticsRequest {
                collection_name: "docs".into(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(r.stats[0].key, "row_count");
        assert_eq!(r.stats[0].value, ROWS.to_string());
        let d = c
            .describe_index(DescribeIndexRequest {
                collection_name: "docs".into(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(
            d.index_descriptions[0].state,
            IndexState::Finished as i32,
            "the built index was stored"
        );
        let s = c
            .get_load_state(GetLoadStateRequest {
                collection_name: "docs".into(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(
            s.state,
            LoadState::NotLoad as i32,
            "loaded before the restart, released after it (as Milvus)"
        );
    });
    let (status, _) = server.terminate();
    assert!(status.success());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn scenario_runs_the_tutorial_against_a_server() {
    let dir = std::env::temp_dir().join(format!("annlab-serve-scenario-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let server = Server::start(&dir);
    let out = Command::new(env!("CARGO_BIN_EXE_annlab"))
        .args(["scenario", "--n", "600", "--dim", "32", "--queries", "10"])
        .args(["--ef-list", "16,64", "--milvus"])
        .arg(format!("http://127.0.0.1:{}", server.port))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for line in [
        "Milvus v2.3.5",
        "created production_documents: HNSW",
        "inserted 600 × 32",
        "loaded: num_entities = 600",
        "single search: ",
        "all source_0: true",
        "ef= 64: mean latency",
        "stats: num_entities = 600, index HNSW",
        "IVF_FLAT {\"nlist\": 1024}: built in ",
        "released production_documents and ivf_documents",
        "IVF_PQ {\"nlist\": 1024, \"m\": 8, \"nbits\": 8}: built in ",
        "wall time by section (s):",
        "  ivf_pq ",
    ] {
        assert!(stdout.contains(line), "{line:?} not in:\n{stdout}");
    }
    // Recall is measured against exact search: HNSW at ef=64 on 600 rows finds
    // nearly everything.
    let ef64 = stdout.lines().find(|l| l.starts_with("ef= 64")).unwrap();
    let recall: f64 = ef64.rsplit(' ').next().unwrap().parse().unwrap();
    assert!(recall >= 0.9, "{ef64}");
    // --step and --data-dir belong to the embedded engine.
    let out = Command::new(env!("CARGO_BIN_EXE_annlab"))
        .args(["scenario", "--step", "search", "--milvus"])
        .arg(format!("http://127.0.0.1:{}", server.port))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("drop --step"), "{stderr}");
    let (status, _) = server.terminate();
    assert!(status.success());
    std::fs::remove_dir_all(&dir).unwrap();
}
