//! The calls the tutorial makes, over milvus-sdk-rust's generated
//! `MilvusServiceClient`, each one's status checked: a thin client that works
//! the same against a real Milvus and against `annlab serve`.

use std::time::Duration;

use annlab_core::TutorialData;
use annlab_core::index::AnnParams;
use annlab_core::index::spec::IndexParams;
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

use crate::serve::params;

/// How often index builds and loading are polled.
const POLL: Duration = Duration::from_millis(100);

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

/// The tutorial's schema: auto-id INT64 key, FLOAT_VECTOR(dim), VARCHAR text and
/// source, INT64 timestamp.
fn schema(name: &str, dim: usize) -> Vec<u8> {
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
        name: name.into(),
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

fn insert_request(name: &str, data: &TutorialData, start: usize, end: usize) -> InsertRequest {
    let dim = data.spec.dim;
    let strings = |v: &[String]| scalar_field::Data::StringData(StringArray { data: v.to_vec() });
    InsertRequest {
        collection_name: name.into(),
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
                strings(&data.texts[start..end]),
            ),
            scalar(
                "source",
                pb::DataType::VarChar,
                strings(&data.sources[start..end]),
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

/// One hit: the dataset row (read back from the `text` field, `文档内容 {row}`)
/// and the score.
pub type Hit = (usize, f32);

pub struct Remote {
    c: MilvusServiceClient<Channel>,
}

impl Remote {
    pub async fn connect(url: &str) -> Result<Self> {
        let channel = Channel::from_shared(url.to_owned())
            .with_context(|| format!("--milvus {url}: not a URL (e.g. http://127.0.0.1:19530)"))?
            .connect()
            .await
            .with_context(|| format!("cannot connect to {url}"))?;
        Ok(Self {
            c: MilvusServiceClient::new(channel)
                .max_decoding_message_size(256 << 20)
                .max_encoding_message_size(256 << 20),
        })
    }

    pub async fn version(&mut self) -> Result<String> {
        let v = self.c.get_version(GetVersionRequest {}).await?.into_inner();
        check(v.status, "GetVersion")?;
        Ok(v.version)
    }

    /// Drops `name` if it exists (returns whether it did), then creates it with
    /// the tutorial's schema.
    pub async fn recreate(&mut self, name: &str, dim: usize) -> Result<bool> {
        let has = self
            .c
            .has_collection(HasCollectionRequest {
                collection_name: name.into(),
                ..Default::default()
            })
            .await?
            .into_inner();
        check(has.status, "HasCollection")?;
        if has.value {
            self.drop(name).await?;
        }
        let s = self
            .c
            .create_collection(CreateCollectionRequest {
                collection_name: name.into(),
                schema: schema(name, dim),
                consistency_level: 2,
                ..Default::default()
            })
            .await?
            .into_inner();
        check(Some(s), "CreateCollection")?;
        Ok(has.value)
    }

    pub async fn drop(&mut self, name: &str) -> Result<()> {
        let s = self
            .c
            .drop_collection(DropCollectionRequest {
                collection_name: name.into(),
                ..Default::default()
            })
            .await?
            .into_inner();
        check(Some(s), "DropCollection")
    }

    /// CreateIndex on `embedding` with COSINE.
    pub async fn create_index(&mut self, name: &str, params: &IndexParams) -> Result<()> {
        let s = self
            .c
            .create_index(CreateIndexRequest {
                collection_name: name.into(),
                field_name: "embedding".into(),
                extra_params: vec![
                    kv("index_type", params.index_type().name()),
                    kv("metric_type", "COSINE"),
                    kv("params", params::index_params_text(params)),
                ],
                ..Default::default()
            })
            .await?
            .into_inner();
        check(Some(s), "CreateIndex")
    }

    /// Inserts all of `data` in calls of `batch` rows.
    pub async fn insert(&mut self, name: &str, data: &TutorialData, batch: usize) -> Result<()> {
        let n = data.spec.n;
        for start in (0..n).step_by(batch.max(1)) {
            let end = (start + batch.max(1)).min(n);
            let r = self
                .c
                .insert(insert_request(name, data, start, end))
                .await?
                .into_inner();
            check(r.status, "Insert")?;
        }
        Ok(())
    }

    /// Flush, then wait until the index covers all `n` rows (the tutorial does
    /// not wait: its searches then run on unindexed data).
    pub async fn flush_and_await_index(&mut self, name: &str, n: usize) -> Result<()> {
        let r = self
            .c
            .flush(FlushRequest {
                collection_names: vec![name.into()],
                ..Default::default()
            })
            .await?
            .into_inner();
        check(r.status, "Flush")?;
        loop {
            let desc = self.describe_index(name).await?;
            if desc.state == IndexState::Finished as i32 && desc.indexed_rows >= n as i64 {
                return Ok(());
            }
            if desc.state == IndexState::Failed as i32 {
                bail!("the index build failed: {}", desc.index_state_fail_reason);
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// DescribeIndex of the collection's (one) index.
    async fn describe_index(&mut self, name: &str) -> Result<IndexDescription> {
        let d = self
            .c
            .describe_index(DescribeIndexRequest {
                collection_name: name.into(),
                ..Default::default()
            })
            .await?
            .into_inner();
        check(d.status, "DescribeIndex")?;
        d.index_descriptions.into_iter().next().context("no index")
    }

    /// The index's type and parameters as DescribeIndex reports them.
    pub async fn index_params(&mut self, name: &str) -> Result<Vec<(String, String)>> {
        let desc = self.describe_index(name).await?;
        Ok(desc
            .params
            .iter()
            .map(|p| (p.key.clone(), p.value.clone()))
            .collect())
    }

    /// LoadCollection, then wait until loading reports 100 %.
    pub async fn load(&mut self, name: &str) -> Result<()> {
        let s = self
            .c
            .load_collection(LoadCollectionRequest {
                collection_name: name.into(),
                replica_number: 1,
                ..Default::default()
            })
            .await?
            .into_inner();
        check(Some(s), "LoadCollection")?;
        loop {
            let p = self
                .c
                .get_loading_progress(GetLoadingProgressRequest {
                    collection_name: name.into(),
                    ..Default::default()
                })
                .await?
                .into_inner();
            check(p.status, "GetLoadingProgress")?;
            if p.progress >= 100 {
                return Ok(());
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// GetCollectionStatistics' `row_count` (`collection.num_entities`).
    pub async fn row_count(&mut self, name: &str) -> Result<String> {
        let stats = self
            .c
            .get_collection_statistics(GetCollectionStatisticsRequest {
                collection_name: name.into(),
                ..Default::default()
            })
            .await?
            .into_inner();
        check(stats.status, "GetCollectionStatistics")?;
        Ok(stats
            .stats
            .iter()
            .find(|kv| kv.key == "row_count")
            .map_or("?".into(), |kv| kv.value.clone()))
    }

    /// One Search call (top 10, COSINE); per query the hits.
    pub async fn search(
        &mut self,
        name: &str,
        queries: &[&[f32]],
        params: &AnnParams,
        expr: &str,
    ) -> Result<Vec<Vec<Hit>>> {
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
        let r = self
            .c
            .search(SearchRequest {
                collection_name: name.into(),
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
                    kv("params", params::search_params_text(params)),
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

    pub async fn release(&mut self, name: &str) -> Result<()> {
        let s = self
            .c
            .release_collection(ReleaseCollectionRequest {
                collection_name: name.into(),
                ..Default::default()
            })
            .await?
            .into_inner();
        check(Some(s), "ReleaseCollection")
    }
}
