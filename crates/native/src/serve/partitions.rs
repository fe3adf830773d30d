//! Partitions: CreatePartition, DropPartition, HasPartition, ShowPartitions,
//! LoadPartitions, ReleasePartitions, GetPartitionStatistics. The engine
//! (`annlab_core::collection::partition`) holds the rules and Milvus's messages;
//! creating and dropping a partition are persisted at once (a dropped
//! partition's rows are gone, as in Milvus).

use annlab_core::collection::validate_partition_name;
use milvus::proto::common;
use milvus::proto::milvus::{
    BoolResponse, CreatePartitionRequest, DropPartitionRequest, GetPartitionStatisticsRequest,
    GetPartitionStatisticsResponse, HasPartitionRequest, LoadPartitionsRequest,
    ReleasePartitionsRequest, ShowPartitionsRequest, ShowPartitionsResponse,
};

use super::convert::pair;
use super::scope::Scope;
use super::status::Failure;

type Res<T> = Result<T, Failure>;
type Common = common::Status;

pub fn create(state: &Scope, req: CreatePartitionRequest) -> Res<Common> {
    let entry = state.get(&req.collection_name)?;
    entry
        .collection
        .write()
        .create_partition(&req.partition_name)?;
    state.persist(&req.collection_name)?;
    Ok(Common::default())
}

pub fn drop(state: &Scope, req: DropPartitionRequest) -> Res<Common> {
    let entry = state.get(&req.collection_name)?;
    entry
        .collection
        .write()
        .drop_partition(&req.partition_name)?;
    state.persist(&req.collection_name)?;
    Ok(Common::default())
}

/// Milvus checks the name first, as for creating one.
pub fn has(state: &Scope, req: HasPartitionRequest) -> Res<BoolResponse> {
    let entry = state.get(&req.collection_name)?;
    validate_partition_name(&req.partition_name)?;
    let value = entry.collection.read().has_partition(&req.partition_name);
    Ok(BoolResponse {
        value,
        ..Default::default()
    })
}

/// Every partition (or the named ones), with ids, creation times and whether
/// each is loaded (`in_memory_percentages`).
pub fn show(state: &Scope, req: ShowPartitionsRequest) -> Res<ShowPartitionsResponse> {
    let entry = state.get(&req.collection_name)?;
    let c = entry.collection.read();
    let mut r = ShowPartitionsResponse::default();
    for p in c.partitions() {
        if !req.partition_names.is_empty() && !req.partition_names.contains(&p.name) {
            continue;
        }
        r.partition_names.push(p.name.clone());
        r.partition_i_ds.push(p.id);
        r.created_timestamps.push(entry.created_ts);
        r.created_utc_timestamps.push(entry.created_ts >> 18);
        #[allow(deprecated)]
        r.in_memory_percentages.push(if p.loaded { 100 } else { 0 });
    }
    Ok(r)
}

pub fn load(state: &Scope, req: LoadPartitionsRequest) -> Res<Common> {
    let entry = state.get(&req.collection_name)?;
    entry
        .collection
        .write()
        .load_partitions(&req.partition_names)?;
    Ok(Common::default())
}

pub fn release(state: &Scope, req: ReleasePartitionsRequest) -> Res<Common> {
    let entry = state.get(&req.collection_name)?;
    entry
        .collection
        .write()
        .release_partitions(&req.partition_names)?;
    Ok(Common::default())
}

/// `row_count`: the partition's flushed rows, deleted ones included (as the
/// collection's statistics).
pub fn statistics(
    state: &Scope,
    req: GetPartitionStatisticsRequest,
) -> Res<GetPartitionStatisticsResponse> {
    let entry = state.get(&req.collection_name)?;
    let infos = entry.collection.read().partition_infos();
    let info = infos
        .iter()
        .find(|p| p.name == req.partition_name)
        .ok_or_else(|| annlab_core::Error::PartitionNotFound {
            name: req.partition_name.clone(),
        })?;
    Ok(GetPartitionStatisticsResponse {
        stats: vec![pair("row_count", info.num_entities)],
        ..Default::default()
    })
}
