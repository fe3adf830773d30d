//! Collections, indexes and loading: the calls around the data (Connect,
//! GetVersion, Create/Drop/Has/Describe/ShowCollections, statistics, CreateIndex,
//! DescribeIndex, GetIndexState, GetIndexBuildProgress, DropIndex, Load/Release,
//! GetLoadingProgress, GetLoadState, AllocTimestamp, AlterCollection).

use std::sync::atomic::{AtomicI64, Ordering};

use annlab_core::Error;
use annlab_core::collection::{Collection, IndexState};
use milvus::proto::common::{self as common, ConsistencyLevel, LoadState, ServerInfo};
use milvus::proto::milvus::{
    AllocTimestampResponse, AlterCollectionRequest, AlterIndexRequest, BoolResponse,
    ConnectResponse, CreateCollectionRequest, CreateIndexRequest, DescribeCollectionRequest,
    DescribeCollectionResponse, DescribeIndexRequest, DescribeIndexResponse, DropCollectionRequest,
    DropIndexRequest, GetCollectionStatisticsRequest, GetCollectionStatisticsResponse,
    GetIndexBuildProgressRequest, GetIndexBuildProgressResponse, GetIndexStateRequest,
    GetIndexStateResponse, GetLoadStateRequest, GetLoadStateResponse, GetLoadingProgressRequest,
    GetLoadingProgressResponse, GetVersionResponse, HasCollectionRequest, IndexDescription,
    LoadCollectionRequest, ReleaseCollectionRequest, ShowCollectionsResponse,
};

use super::codes::{COLLECTION_NOT_FOUND, INDEX_NOT_FOUND};
use super::convert::{pair, pairs_from_proto, pairs_to_proto, schema_from_proto, schema_to_proto};
use super::params;
use super::scope::Scope;
use super::status::Failure;

/// The version `utility.get_server_version()` prints: the Milvus release whose
/// behaviour annlab follows.
pub const VERSION: &str = "v2.3.5-annlab";

type Res<T> = Result<T, Failure>;
type Common = common::Status;

static NEXT_CLIENT: AtomicI64 = AtomicI64::new(1);

pub fn connect(_state: &Scope) -> Res<ConnectResponse> {
    Ok(ConnectResponse {
        server_info: Some(ServerInfo {
            build_tags: format!("annlab {}", env!("CARGO_PKG_VERSION")),
            deploy_mode: "STANDALONE".into(),
            ..Default::default()
        }),
        identifier: NEXT_CLIENT.fetch_add(1, Ordering::SeqCst),
        ..Default::default()
    })
}

pub fn get_version() -> Res<GetVersionResponse> {
    Ok(GetVersionResponse {
        version: VERSION.into(),
        ..Default::default()
    })
}

pub fn alloc_timestamp(state: &Scope) -> Res<AllocTimestampResponse> {
    Ok(AllocTimestampResponse {
        timestamp: state.timestamp(),
        ..Default::default()
    })
}

/// The collection property that keeps the consistency level a collection was
/// created with (hidden from DescribeCollection's properties).
const CONSISTENCY_PROPERTY: &str = "annlab.consistency_level";

pub fn create_collection(state: &Scope, req: CreateCollectionRequest) -> Res<Common> {
    let schema = schema_from_proto(&req.schema)?;
    let level = ConsistencyLevel::try_from(req.consistency_level).map_err(|_| {
        Failure::invalid(format!(
            "invalid consistency level {}",
            req.consistency_level
        ))
    })?;
    state.create(&req.collection_name, schema)?;
    if level != ConsistencyLevel::Strong {
        let entry = state.get(&req.collection_name)?;
        entry.collection.write().alter_properties(
            &[(CONSISTENCY_PROPERTY.to_owned(), (level as i32).to_string())],
            &[],
        );
        state.persist_entry(&entry)?;
    }
    Ok(Common::default())
}

pub fn drop_collection(state: &Scope, req: DropCollectionRequest) -> Res<Common> {
    state.drop_collection(&req.collection_name)?;
    Ok(Common::default())
}

pub fn has_collection(state: &Scope, req: HasCollectionRequest) -> Res<BoolResponse> {
    // A missing database is refused; a missing collection is `false`.
    let value = match state.get(&req.collection_name) {
        Ok(_) => true,
        Err(f) if f.code == COLLECTION_NOT_FOUND => false,
        Err(f) => return Err(f),
    };
    Ok(BoolResponse {
        value,
        ..Default::default()
    })
}

pub fn describe_collection(
    state: &Scope,
    req: DescribeCollectionRequest,
) -> Res<DescribeCollectionResponse> {
    let (name, entry) = state.resolve(&req.collection_name)?;
    let aliases = state.with_db(&state.db, |d| Ok(d.aliases_of(&name)))?;
    let c = entry.collection.read();
    let id = c.id();
    let properties: Vec<(String, String)> = c
        .properties()
        .iter()
        .filter(|(k, _)| k.as_str() != CONSISTENCY_PROPERTY)
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    // The level the collection was created with (Strong, Bounded, Session,
    // Eventually, Customized), as Milvus describes it and as pymilvus's ORM
    // compares it when a collection is opened again. annlab serves every level
    // strongly (every read sees every earlier write), which keeps each level's
    // promise: the level is a lower bound on freshness, and annlab's is the top.
    let consistency_level = c
        .properties()
        .get(CONSISTENCY_PROPERTY)
        .and_then(|v| v.parse().ok())
        .unwrap_or(ConsistencyLevel::Strong as i32);
    Ok(DescribeCollectionResponse {
        schema: Some(schema_to_proto(c.name(), c.schema())),
        collection_id: id,
        virtual_channel_names: vec![format!("annlab-dml_{id}v0")],
        physical_channel_names: vec![format!("annlab-dml_{id}")],
        created_timestamp: entry.created_ts,
        created_utc_timestamp: entry.created_ts >> 18,
        shards_num: 1,
        consistency_level,
        collection_name: c.name().to_owned(),
        db_name: state.db.clone(),
        num_partitions: c.partitions().len() as i64,
        aliases,
        properties: pairs_to_proto(&properties),
        ..Default::default()
    })
}

/// Milvus's AlterCollection: properties set (`properties`) and removed
/// (`delete_keys`), kept as given and returned by DescribeCollection.
pub fn alter_collection(state: &Scope, req: AlterCollectionRequest) -> Res<Common> {
    let entry = state.get(&req.collection_name)?;
    entry
        .collection
        .write()
        .alter_properties(&pairs_from_proto(&req.properties), &req.delete_keys);
    state.persist_entry(&entry)?;
    Ok(Common::default())
}

pub fn show_collections(state: &Scope) -> Res<ShowCollectionsResponse> {
    let mut r = ShowCollectionsResponse::default();
    for (name, entry) in state.names()? {
        let c = entry.collection.read();
        r.collection_names.push(name);
        r.collection_ids.push(c.id());
        r.created_timestamps.push(entry.created_ts);
        r.created_utc_timestamps.push(entry.created_ts >> 18);
        #[allow(deprecated)]
        r.in_memory_percentages
            .push(if c.is_loaded() { 100 } else { 0 });
        r.query_service_available.push(c.is_loaded());
        r.shards_num.push(1);
    }
    Ok(r)
}

pub fn collection_statistics(
    state: &Scope,
    req: GetCollectionStatisticsRequest,
) -> Res<GetCollectionStatisticsResponse> {
    let entry = state.get(&req.collection_name)?;
    let rows = entry.collection.read().num_entities();
    Ok(GetCollectionStatisticsResponse {
        stats: vec![pair("row_count", rows)],
        ..Default::default()
    })
}

pub fn create_index(state: &Scope, req: CreateIndexRequest) -> Res<Common> {
    let entry = state.get(&req.collection_name)?;
    let pairs = &req.extra_params;
    let raw = params::index_params_map(pairs)?;
    {
        let mut c = entry.collection.write();
        // Milvus checks the field before the index's metric, type and params.
        let type_name = params::index_type_name(pairs);
        if let Some(scalar) = params::scalar_index_type(c.schema(), &req.field_name, type_name) {
            c.create_scalar_index(&req.field_name, &req.index_name, scalar)?;
            drop(c);
            state.persist(&req.collection_name)?;
            return Ok(Common::default());
        }
        let type_name = if params::is_autoindex(type_name) {
            "AUTOINDEX"
        } else {
            type_name
        };
        c.index_field(&req.field_name, type_name)?;
        let spec = params::index_spec(pairs, &raw)?;
        c.define_index(&req.field_name, &req.index_name, spec)?;
    }
    // Kept once answered, as Milvus keeps it: even before any row is flushed.
    state.persist(&req.collection_name)?;
    state.spawn_index_build(&req.collection_name);
    Ok(Common::default())
}

fn index_not_found(name: &str) -> Failure {
    Failure::new(
        INDEX_NOT_FOUND,
        format!("index not found[collection={name}]"),
    )
}

/// An index as DescribeIndex lists it: vector indexes first, then scalar ones,
/// each in the order of creation.
struct Listed {
    field: String,
    index_name: String,
    /// `index_type`, `metric_type`, `params` as Milvus describes the index.
    params: Vec<milvus::proto::common::KeyValuePair>,
    id: i64,
}

fn listed(c: &Collection) -> Vec<Listed> {
    let vector = c.indexes().iter().enumerate().map(|(k, def)| Listed {
        field: def.field.clone(),
        index_name: def.index_name.clone(),
        params: vec![
            pair("index_type", def.spec.type_name()),
            pair("metric_type", def.spec.metric),
            pair(
                "params",
                serde_json::Value::Object(params::index_params_json(&def.spec.params)),
            ),
        ],
        id: c.id() * 1000 + 1 + k as i64,
    });
    let scalar = c
        .scalar_indexes()
        .iter()
        .enumerate()
        .map(|(k, def)| Listed {
            field: def.field.clone(),
            index_name: def.index_name.clone(),
            params: vec![pair("index_type", params::scalar_index_type_name(def))],
            id: c.id() * 1000 + 101 + k as i64,
        });
    vector
        .chain(scalar)
        .map(|mut l| {
            // AlterIndex's properties, as Milvus lists them beside the params.
            if let Some(props) = c.index_properties(&l.index_name) {
                l.params.extend(props.iter().map(|(k, v)| pair(k, v)));
            }
            l
        })
        .collect()
}

/// The indexes a request names (`index_name`, else `field_name`, else all).
fn named_indexes(c: &Collection, field_name: &str, index_name: &str) -> Vec<Listed> {
    listed(c)
        .into_iter()
        .filter(|d| {
            (index_name.is_empty() || d.index_name == index_name)
                && (field_name.is_empty() || d.field == field_name)
        })
        .collect()
}

pub fn describe_index(state: &Scope, req: DescribeIndexRequest) -> Res<DescribeIndexResponse> {
    let entry = state.get(&req.collection_name)?;
    let c = entry.collection.read();
    let index_descriptions: Vec<IndexDescription> =
        named_indexes(&c, &req.field_name, &req.index_name)
            .into_iter()
            .map(|d| {
                let progress = c.index_progress_of(&d.field);
                IndexDescription {
                    state: index_state(c.index_state_of(&d.field)) as i32,
                    index_name: d.index_name,
                    index_id: d.id,
                    params: d.params,
                    field_name: d.field,
                    indexed_rows: progress.indexed_rows as i64,
                    total_rows: progress.total_rows as i64,
                    pending_index_rows: progress.pending_index_rows as i64,
                    ..Default::default()
                }
            })
            .collect();
    if index_descriptions.is_empty() {
        return Err(index_not_found(&req.collection_name));
    }
    Ok(DescribeIndexResponse {
        index_descriptions,
        ..Default::default()
    })
}

/// The field of the one index a request names; Milvus refuses a request that
/// names none of several.
fn one_index(c: &Collection, collection: &str, field_name: &str, index_name: &str) -> Res<String> {
    let mut found = named_indexes(c, field_name, index_name);
    match found.len() {
        0 => Err(index_not_found(collection)),
        1 => Ok(found.remove(0).field),
        _ => Err(Error::AmbiguousIndex.into()),
    }
}

fn index_state(s: IndexState) -> common::IndexState {
    match s {
        IndexState::None => common::IndexState::None,
        IndexState::InProgress => common::IndexState::InProgress,
        IndexState::Finished => common::IndexState::Finished,
    }
}

pub fn index_state_of(state: &Scope, req: GetIndexStateRequest) -> Res<GetIndexStateResponse> {
    let entry = state.get(&req.collection_name)?;
    let c = entry.collection.read();
    let field = one_index(&c, &req.collection_name, &req.field_name, &req.index_name)?;
    Ok(GetIndexStateResponse {
        state: index_state(c.index_state_of(&field)) as i32,
        ..Default::default()
    })
}

pub fn index_build_progress(
    state: &Scope,
    req: GetIndexBuildProgressRequest,
) -> Res<GetIndexBuildProgressResponse> {
    let entry = state.get(&req.collection_name)?;
    let c = entry.collection.read();
    let field = one_index(&c, &req.collection_name, &req.field_name, &req.index_name)?;
    let p = c.index_progress_of(&field);
    Ok(GetIndexBuildProgressResponse {
        indexed_rows: p.indexed_rows as i64,
        total_rows: p.total_rows as i64,
        ..Default::default()
    })
}

pub fn drop_index(state: &Scope, req: DropIndexRequest) -> Res<Common> {
    let entry = state.get(&req.collection_name)?;
    entry
        .collection
        .write()
        .drop_index_named(&req.field_name, &req.index_name)?;
    state.persist(&req.collection_name)?;
    Ok(Common::default())
}

/// Milvus 2.5's AlterIndex: `mmap.enabled` (and `indexoffsetcache.enabled`)
/// set or removed on a released collection's index, kept and described.
pub fn alter_index(state: &Scope, req: AlterIndexRequest) -> Res<Common> {
    let entry = state.get(&req.collection_name)?;
    let set = pairs_from_proto(&req.extra_params);
    if !entry
        .collection
        .write()
        .alter_index(&req.index_name, &set, &req.delete_keys)?
    {
        // Milvus 2.5's DataCoord names the index it did not find.
        return Err(Failure::new(
            INDEX_NOT_FOUND,
            format!("index not found[indexName={}]", req.index_name),
        ));
    }
    state.persist(&req.collection_name)?;
    Ok(Common::default())
}

pub fn load(state: &Scope, req: LoadCollectionRequest) -> Res<Common> {
    let entry = state.get(&req.collection_name)?;
    entry.collection.write().load()?;
    Ok(Common::default())
}

pub fn release(state: &Scope, req: ReleaseCollectionRequest) -> Res<Common> {
    let entry = state.get(&req.collection_name)?;
    entry.collection.write().release();
    Ok(Common::default())
}

pub fn loading_progress(
    state: &Scope,
    req: GetLoadingProgressRequest,
) -> Res<GetLoadingProgressResponse> {
    let entry = state.get(&req.collection_name)?;
    let c = entry.collection.read();
    if !c.partitions_loaded(&req.partition_names)? {
        return Err(Error::CollectionNotLoaded {
            operation: "get loading progress",
            collection: c.id(),
        }
        .into());
    }
    Ok(GetLoadingProgressResponse {
        progress: 100,
        refresh_progress: 100,
        ..Default::default()
    })
}

pub fn load_state(state: &Scope, req: GetLoadStateRequest) -> Res<GetLoadStateResponse> {
    let entry = state.get(&req.collection_name)?;
    let loaded = entry
        .collection
        .read()
        .partitions_loaded(&req.partition_names)?;
    Ok(GetLoadStateResponse {
        state: if loaded {
            LoadState::Loaded
        } else {
            LoadState::NotLoad
        } as i32,
        ..Default::default()
    })
}
