//! What Milvus's data and query coordinators answer about a collection's
//! segments, replicas and compactions: GetPersistentSegmentInfo,
//! GetQuerySegmentInfo, GetReplicas, ManualCompaction, GetCompactionState and
//! GetCompactionStateWithPlans. annlab is one node with one replica and one
//! channel per collection; compaction ([`annlab_core::collection::Collection::compact_segments`])
//! runs within the call, so its state is Completed once ManualCompaction answers,
//! and the merged segments' indexes are built in the background as after a flush.

use std::sync::Arc;

use milvus::proto::common::{CompactionState, SegmentLevel, SegmentState};
use milvus::proto::milvus::{
    CompactionMergeInfo, GetCompactionPlansRequest, GetCompactionPlansResponse,
    GetCompactionStateRequest, GetCompactionStateResponse, GetPersistentSegmentInfoRequest,
    GetPersistentSegmentInfoResponse, GetQuerySegmentInfoRequest, GetQuerySegmentInfoResponse,
    GetReplicasRequest, GetReplicasResponse, ManualCompactionRequest, ManualCompactionResponse,
    PersistentSegmentInfo, QuerySegmentInfo, ReplicaInfo, ShardReplica,
};

use super::scope::Scope;
use super::state::Entry;
use super::status::Failure;

type Res<T> = Result<T, Failure>;

/// annlab's single query node.
const NODE_ID: i64 = 1;

fn channel(collection: i64) -> String {
    format!("annlab-dml_{collection}v0")
}

/// The collection a request names, by name (or alias) if it gives one, else by id.
fn named_or_by_id(scope: &Scope, name: &str, id: i64) -> Res<(String, Arc<Entry>)> {
    if !name.is_empty() {
        return scope.resolve(name);
    }
    match scope.by_id(id) {
        Some((_, name, entry)) => Ok((name, entry)),
        None => Err(scope.not_found(&id.to_string())),
    }
}

/// The flushed segments (Flushed) and the growing ones with rows (Growing).
pub fn persistent_segments(
    scope: &Scope,
    req: GetPersistentSegmentInfoRequest,
) -> Res<GetPersistentSegmentInfoResponse> {
    let entry = scope.get(&req.collection_name)?;
    let c = entry.collection.read();
    let id = c.id();
    let sealed = c
        .sealed_segments()
        .iter()
        .map(|s| (s, SegmentState::Flushed));
    let growing = c
        .growing_segments()
        .iter()
        .filter(|s| s.num_rows() > 0)
        .map(|s| (s, SegmentState::Growing));
    let infos = sealed
        .chain(growing)
        .map(|(s, state)| PersistentSegmentInfo {
            segment_id: s.id,
            collection_id: id,
            partition_id: s.partition,
            num_rows: s.num_rows() as i64,
            state: state as i32,
            level: SegmentLevel::L1 as i32,
            is_sorted: false,
            insert_channel: channel(id),
            ..Default::default()
        })
        .collect();
    Ok(GetPersistentSegmentInfoResponse {
        infos,
        ..Default::default()
    })
}

/// The sealed segments of the loaded partitions, as the query node holds them.
pub fn query_segments(
    scope: &Scope,
    req: GetQuerySegmentInfoRequest,
) -> Res<GetQuerySegmentInfoResponse> {
    let entry = scope.get(&req.collection_name)?;
    let c = entry.collection.read();
    let id = c.id();
    let index_name = c.index().map(|d| d.index_name.clone()).unwrap_or_default();
    let loaded: Vec<i64> = c
        .partitions()
        .iter()
        .filter(|p| p.loaded)
        .map(|p| p.id)
        .collect();
    let infos = c
        .sealed_segments()
        .iter()
        .filter(|s| loaded.contains(&s.partition))
        .map(|s| {
            #[allow(deprecated)] // node_id: what pymilvus 2.5 still prints.
            QuerySegmentInfo {
                segment_id: s.id,
                collection_id: id,
                partition_id: s.partition,
                mem_size: s.memory_bytes() as i64,
                num_rows: s.num_rows() as i64,
                index_name: if !s.indexes.is_empty() {
                    index_name.clone()
                } else {
                    String::new()
                },
                // The id DescribeIndex reports.
                index_id: if s.indexes.is_empty() {
                    0
                } else {
                    id * 1000 + 1
                },
                node_id: NODE_ID,
                state: SegmentState::Sealed as i32,
                node_ids: vec![NODE_ID],
                level: SegmentLevel::L1 as i32,
                ..Default::default()
            }
        })
        .collect();
    Ok(GetQuerySegmentInfoResponse {
        infos,
        ..Default::default()
    })
}

/// One replica on one node while the collection is loaded; none otherwise.
pub fn replicas(scope: &Scope, req: GetReplicasRequest) -> Res<GetReplicasResponse> {
    let (_, entry) = named_or_by_id(scope, &req.collection_name, req.collection_id)?;
    let c = entry.collection.read();
    let id = c.id();
    let partition_ids: Vec<i64> = c
        .partitions()
        .iter()
        .filter(|p| p.loaded)
        .map(|p| p.id)
        .collect();
    let replicas = if partition_ids.is_empty() {
        Vec::new()
    } else {
        vec![ReplicaInfo {
            replica_id: id * 10 + 1,
            collection_id: id,
            partition_ids,
            shard_replicas: vec![ShardReplica {
                leader_id: NODE_ID,
                leader_addr: "localhost".into(),
                dm_channel_name: channel(id),
                node_ids: vec![NODE_ID],
            }],
            node_ids: vec![NODE_ID],
            resource_group_name: "__default_resource_group".into(),
            ..Default::default()
        }]
    };
    Ok(GetReplicasResponse {
        replicas,
        ..Default::default()
    })
}

/// Merges the collection's small sealed segments and purges deleted rows, makes
/// the result durable, and starts the merged segments' index builds.
pub fn compact(scope: &Scope, req: ManualCompactionRequest) -> Res<ManualCompactionResponse> {
    let (name, entry) = named_or_by_id(scope, &req.collection_name, req.collection_id)?;
    let (id, plans) = {
        let mut c = entry.collection.write();
        (c.id(), c.compact_segments())
    };
    scope.persist_entry(&entry)?;
    scope.state.spawn_index_build(entry, name);
    let count = plans.len() as i32;
    let compaction_id = scope.record_compaction(id, plans);
    Ok(ManualCompactionResponse {
        compaction_id,
        compaction_plan_count: count,
        ..Default::default()
    })
}

pub fn compaction_state(
    scope: &Scope,
    req: GetCompactionStateRequest,
) -> Res<GetCompactionStateResponse> {
    let plans = scope
        .compaction(req.compaction_id)
        .map_or(0, |(_, p)| p.len());
    Ok(GetCompactionStateResponse {
        state: CompactionState::Completed as i32,
        completed_plan_no: plans as i64,
        ..Default::default()
    })
}

pub fn compaction_plans(
    scope: &Scope,
    req: GetCompactionPlansRequest,
) -> Res<GetCompactionPlansResponse> {
    let merge_infos = scope
        .compaction(req.compaction_id)
        .map(|(collection, plans)| {
            plans
                .into_iter()
                .enumerate()
                .map(|(i, p)| CompactionMergeInfo {
                    sources: p.sources,
                    target: p.target.unwrap_or(0),
                    targets: p.target.into_iter().collect(),
                    plan_id: req.compaction_id + i as i64,
                    trigger_id: req.compaction_id,
                    collection_id: collection,
                    partition_id: p.partition,
                    channel: channel(collection),
                    state: CompactionState::Completed as i32,
                    ..Default::default()
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(GetCompactionPlansResponse {
        state: CompactionState::Completed as i32,
        merge_infos,
        ..Default::default()
    })
}
