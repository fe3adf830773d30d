//! `annlab scenario --milvus http://HOST:19530`: the tutorial's steps sent to a
//! Milvus server (real Milvus or `annlab serve`) through milvus-sdk-rust's
//! generated gRPC client, with the same seeded data as the embedded scenario, and
//! recall@10 of every search measured against exact search computed here.

use std::time::{Duration, Instant};

use annlab_core::index::VectorView;
use annlab_core::index::flat::exact_search;
use annlab_core::{DataSpec, Metric, TutorialData};
use anyhow::{Context, Result, bail};
use milvus::proto::common::{
    IndexState, KeyValuePair, PlaceholderGroup, PlaceholderType, PlaceholderValue, Status,
};
use milvus::proto::milvus::milvus_service_client::MilvusServiceClient;
use milvus::proto::milvus::*;
use milvus::proto::schema::{
    self as pb, FieldData, FloatArray, LongArray, ScalarField, StringArray, VectorField,
    field_data, scalar_field, vector_field,
};
use prost::Message;
use tonic::transport::Channel;

use crate::scenario::{IndexArg, ScenarioArgs};

const COLLECTION: &str = "production_documents";

type Client = MilvusServiceClient<Channel>;

fn check(status: Option<Status>, call: &str) -> Result<()> {
    let s = status.unwrap_or_default();
    #[allow(deprecated)]
    if s.code != 0 || s.error_code != 0 {
        bail!("{call} failed: (code={}, message={})", s.code, s.reason);
    }
    Ok(())
}

fn kv(key: &str, value: impl ToString) -> KeyValuePair {
    KeyValuePair {
        key: key.into(),
        value: value.to_string(),
    }
}

pub fn run(args: &ScenarioArgs, url: &str) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(scenario(args, url))
}

fn schema(dim: usize) -> Vec<u8> {
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
        name: COLLECTION.into(),
        description: "生产级文档集合".into(),
        fields: vec![
            id,
            field("embedding", pb::DataType::FloatVector, vec![kv("dim", dim)]),
            field("text", pb::DataType::VarChar, vec![kv("max_length", 2000)]),
            field("source", pb::DataType::VarChar, vec![kv("max_length", 200)]),
            field("timestamp", pb::DataType::Int64, vec![]),
        ],
        ..Default::default()
    }
    .encode_to_vec()
}

fn scalar(name: &str, t: pb::DataType, data: scalar_field::Data) -> FieldData {
    FieldData {
        r#type: t as i32,
        field_name: name.into(),
        field: Some(field_data::Field::Scalars(ScalarField {
            data: Some(data),
            ..Default::default()
        })),
        ..Default::default()
    }
}

fn insert_batch(data: &TutorialData, start: usize, end: usize) -> InsertRequest {
    let dim = data.spec.dim;
    InsertRequest {
        collection_name: COLLECTION.into(),
        num_rows: (end - start) as u32,
        fields_data: vec![
            FieldData {
                r#type: pb::DataType::FloatVector as i32,
                field_name: "embedding".into(),
                field: Some(field_data::Field::Vectors(VectorField {
                    dim: dim as i64,
                    data: Some(vector_field::Data::FloatVector(FloatArray {
                        data: data.embeddings[start * dim..end * dim].to_vec(),
                    })),
                    ..Default::default()
                })),
                ..Default::default()
            },
            scalar(
                "text",
                pb::DataType::VarChar,
                scalar_field::Data::StringData(StringArray {
                    data: data.texts[start..end].to_vec(),
                }),
            ),
            scalar(
                "source",
                pb::DataType::VarChar,
                scalar_field::Data::StringData(StringArray {
                    data: data.sources[start..end].to_vec(),
                }),
            ),
            scalar(
                "timestamp",
                pb::DataType::Int64,
                scalar_field::Data::LongData(LongArray {
                    data: data.timestamps[start..end].to_vec(),
                }),
            ),
        ],
        ..Default::default()
    }
}

/// One Search call; returns per query the row numbers found (from the `text`
/// field, `文档内容 {row}`) and the scores.
async fn search(
    c: &mut Client,
    queries: &[&[f32]],
    params: &str,
    expr: &str,
) -> Result<Vec<Vec<(usize, f32)>>> {
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
    let r = c
        .search(SearchRequest {
            collection_name: COLLECTION.into(),
            dsl: expr.into(),
            dsl_type: 1,
            search_input: Some(search_request::SearchInput::PlaceholderGroup(
                group.encode_to_vec(),
            )),
            output_fields: vec!["text".into()],
            search_params: vec![
                kv("anns_field", "embedding"),
                kv("topk", 10),
                kv("metric_type", "COSINE"),
                kv("params", params),
                kv("round_decimal", -1),
            ],
            nq: queries.len() as i64,
            use_default_consistency: true,
            ..Default::default()
        })
        .await?
        .into_inner();
    check(r.status, "Search")?;
    let res = r.results.context("Search returned no results")?;
    let texts = res
        .fields_data
        .iter()
        .find(|f| f.field_name == "text")
        .and_then(|f| match &f.field {
            Some(field_data::Field::Scalars(ScalarField {
                data: Some(scalar_field::Data::StringData(s)),
                ..
            })) => Some(&s.data),
            _ => None,
        });
    let mut out = Vec::new();
    let mut at = 0;
    for &k in &res.topks {
        let mut hits = Vec::new();
        for i in at..at + k as usize {
            let row = texts
                .and_then(|t| t.get(i))
                .and_then(|t| t.rsplit(' ').next())
                .and_then(|r| r.parse().ok())
                .context("a hit without its text")?;
            hits.push((row, res.scores[i]));
        }
        at += k as usize;
        out.push(hits);
    }
    Ok(out)
}

/// recall@10 of `found` against the exact top-10 of `query` (within `allowed` rows).
fn recall(
    data: &TutorialData,
    query: &[f32],
    found: &[(usize, f32)],
    filter_mod: Option<usize>,
) -> f64 {
    let view = VectorView::new(data.spec.dim, &data.embeddings);
    let allowed =
        filter_mod.map(|m| annlab_core::bitset::Bitset::from_fn(data.spec.n, |i| i % 10 == m));
    let exact = exact_search(view, Metric::Cosine, query, 10, allowed.as_ref());
    let hits = exact
        .iter()
        .filter(|n| found.iter().any(|(r, _)| *r == n.row as usize))
        .count();
    hits as f64 / exact.len().max(1) as f64
}

async fn scenario(args: &ScenarioArgs, url: &str) -> Result<()> {
    let channel = Channel::from_shared(url.to_owned())
        .with_context(|| format!("--milvus {url}: not a URL (e.g. http://127.0.0.1:19530)"))?
        .connect()
        .await
        .with_context(|| format!("cannot connect to {url}"))?;
    let mut c = MilvusServiceClient::new(channel)
        .max_decoding_message_size(256 << 20)
        .max_encoding_message_size(256 << 20);

    // 1. Connect.
    let v = c.get_version(GetVersionRequest {}).await?.into_inner();
    check(v.status, "GetVersion")?;
    println!("connected to {url}: Milvus {}", v.version);

    // 2. Collection (dropped first if present).
    let has = c
        .has_collection(HasCollectionRequest {
            collection_name: COLLECTION.into(),
            ..Default::default()
        })
        .await?
        .into_inner();
    if has.value {
        let s = c
            .drop_collection(DropCollectionRequest {
                collection_name: COLLECTION.into(),
                ..Default::default()
            })
            .await?
            .into_inner();
        check(Some(s), "DropCollection")?;
        println!("dropped the existing collection {COLLECTION}");
    }
    let s = c
        .create_collection(CreateCollectionRequest {
            collection_name: COLLECTION.into(),
            schema: schema(args.dim),
            consistency_level: 2,
            ..Default::default()
        })
        .await?
        .into_inner();
    check(Some(s), "CreateCollection")?;

    // 3. Index.
    let (index_type, params, search_params) = match args.index {
        IndexArg::Hnsw => (
            "HNSW",
            format!(
                r#"{{"M": {}, "efConstruction": {}}}"#,
                args.m, args.ef_construction
            ),
            format!(r#"{{"ef": {}}}"#, args.ef),
        ),
        IndexArg::IvfFlat => (
            "IVF_FLAT",
            format!(r#"{{"nlist": {}}}"#, args.nlist),
            format!(r#"{{"nprobe": {}}}"#, args.nprobe),
        ),
    };
    let s = c
        .create_index(CreateIndexRequest {
            collection_name: COLLECTION.into(),
            field_name: "embedding".into(),
            extra_params: vec![
                kv("index_type", index_type),
                kv("metric_type", "COSINE"),
                kv("params", &params),
            ],
            ..Default::default()
        })
        .await?
        .into_inner();
    check(Some(s), "CreateIndex")?;
    println!("created {COLLECTION}: {index_type} {params}, COSINE");

    // 4–5. Data and insert.
    let spec = DataSpec {
        n: args.n,
        dim: args.dim,
        seed: args.seed,
    };
    let data = TutorialData::generate(spec, 1_700_000_000).context("invalid data size")?;
    let t0 = Instant::now();
    for start in (0..args.n).step_by(args.batch_size.max(1)) {
        let end = (start + args.batch_size.max(1)).min(args.n);
        let r = c
            .insert(insert_batch(&data, start, end))
            .await?
            .into_inner();
        check(r.status, "Insert")?;
    }
    let insert_s = t0.elapsed().as_secs_f64();
    println!(
        "inserted {} × {}: {insert_s:.2} s, {:.0} vectors/s",
        args.n,
        args.dim,
        args.n as f64 / insert_s
    );

    // Flush, then wait for the index (the tutorial does not; its searches then
    // run on unindexed data), then load.
    let t0 = Instant::now();
    let r = c
        .flush(FlushRequest {
            collection_names: vec![COLLECTION.into()],
            ..Default::default()
        })
        .await?
        .into_inner();
    check(r.status, "Flush")?;
    loop {
        let d = c
            .describe_index(DescribeIndexRequest {
                collection_name: COLLECTION.into(),
                ..Default::default()
            })
            .await?
            .into_inner();
        check(d.status, "DescribeIndex")?;
        let desc = d.index_descriptions.first().context("no index")?;
        if desc.state == IndexState::Finished as i32 && desc.indexed_rows >= args.n as i64 {
            break;
        }
        if desc.state == IndexState::Failed as i32 {
            bail!("the index build failed: {}", desc.index_state_fail_reason);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    println!("flushed and indexed: {:.2} s", t0.elapsed().as_secs_f64());
    let s = c
        .load_collection(LoadCollectionRequest {
            collection_name: COLLECTION.into(),
            replica_number: 1,
            ..Default::default()
        })
        .await?
        .into_inner();
    check(Some(s), "LoadCollection")?;
    loop {
        let p = c
            .get_loading_progress(GetLoadingProgressRequest {
                collection_name: COLLECTION.into(),
                ..Default::default()
            })
            .await?
            .into_inner();
        check(p.status, "GetLoadingProgress")?;
        if p.progress >= 100 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let stats = c
        .get_collection_statistics(GetCollectionStatisticsRequest {
            collection_name: COLLECTION.into(),
            ..Default::default()
        })
        .await?
        .into_inner();
    check(stats.status, "GetCollectionStatistics")?;
    let rows = stats
        .stats
        .iter()
        .find(|kv| kv.key == "row_count")
        .map_or("?", |kv| kv.value.as_str());
    println!("loaded: num_entities = {rows}");

    // 7–10. Searches, each with recall@10 against exact search.
    let nq = args.queries.max(1);
    let queries = data.queries(nq);
    let q: Vec<&[f32]> = queries.chunks_exact(args.dim).collect();
    let t0 = Instant::now();
    let single = search(&mut c, &q[..1], &search_params, "").await?;
    let ms = t0.elapsed().as_secs_f64() * 1e3;
    println!(
        "single search: {ms:.2} ms, top score {:.4}, recall@10 {:.2}",
        single[0].first().map_or(f32::NAN, |h| h.1),
        recall(&data, q[0], &single[0], None)
    );
    let t0 = Instant::now();
    let batch = search(&mut c, &q, &search_params, "").await?;
    let s = t0.elapsed().as_secs_f64();
    let mean: f64 = q
        .iter()
        .zip(&batch)
        .map(|(q, f)| recall(&data, q, f, None))
        .sum::<f64>()
        / nq as f64;
    println!(
        "batch of {nq}: {s:.3} s, QPS {:.0}, mean recall@10 {mean:.3}",
        nq as f64 / s
    );
    let t0 = Instant::now();
    let filtered = search(&mut c, &q[..1], &search_params, "source == 'source_0.txt'").await?;
    let ms = t0.elapsed().as_secs_f64() * 1e3;
    let only_source_0 = filtered[0].iter().all(|(r, _)| r % 10 == 0);
    println!(
        "filtered search (source == 'source_0.txt'): {ms:.2} ms, {} hits, all source_0: {only_source_0}, recall@10 {:.2}",
        filtered[0].len(),
        recall(&data, q[0], &filtered[0], Some(0))
    );
    if args.index == IndexArg::Hnsw {
        for &ef in &args.ef_list {
            let params = format!(r#"{{"ef": {ef}}}"#);
            let mut total = 0.0;
            let mut r = 0.0;
            for query in q.iter().take(10) {
                let t0 = Instant::now();
                let found = search(&mut c, &[query], &params, "").await?;
                total += t0.elapsed().as_secs_f64() * 1e3;
                r += recall(&data, query, &found[0], None);
            }
            let k = q.len().min(10) as f64;
            println!(
                "ef={ef:3}: mean latency {:.2} ms, recall@10 {:.3}",
                total / k,
                r / k
            );
        }
    }
    let s = c
        .release_collection(ReleaseCollectionRequest {
            collection_name: COLLECTION.into(),
            ..Default::default()
        })
        .await?
        .into_inner();
    check(Some(s), "ReleaseCollection")?;
    println!("released {COLLECTION}");
    Ok(())
}
