//! The data: Insert, Upsert, Delete, Flush (and GetFlushState), Search, Query.
//! Requests are converted before the collection is locked, and searches share a
//! read lock, so many clients search one collection at once.

use std::time::Instant;

use annlab_core::Error;
use annlab_core::collection::{DEFAULT_PARTITION, QueryRequest, QueryResult, SearchResult};
use annlab_core::metric::Metric;
use annlab_core::schema::{CollectionSchema, Column};
use milvus::proto::common::KeyValuePair;
use milvus::proto::milvus::{
    DeleteRequest, FlushRequest, FlushResponse, GetFlushStateResponse, InsertRequest,
    MutationResult, QueryResults, SearchResults, UpsertRequest,
};
use milvus::proto::schema::{LongArray, SearchResultData};

use super::codes::PARAMETER_INVALID;
use super::convert::{
    FIRST_FIELD_ID, column_to_proto, columns_from_proto, ids_to_proto, keys_to_proto, kv,
    output_to_proto,
};
use super::scope::Scope;
use super::status::{Failure, query_failure, search_failure};
use super::{iterator, params};

type Res<T> = Result<T, Failure>;

/// The partition an insert or upsert names; `_default` when it names none.
fn partition_or_default(name: &str) -> &str {
    if name.is_empty() {
        DEFAULT_PARTITION
    } else {
        name
    }
}

pub fn insert(state: &Scope, req: InsertRequest) -> Res<MutationResult> {
    let entry = state.get(&req.collection_name)?;
    let schema = entry.collection.read().schema().clone();
    let columns = columns_from_proto(req.num_rows, &schema, &req.fields_data, false)?;
    let result = entry
        .collection
        .write()
        .insert_into(partition_or_default(&req.partition_name), columns)?;
    let n = result.insert_count;
    state.metrics.lock().observe_insert(&req.collection_name, n);
    Ok(MutationResult {
        i_ds: Some(keys_to_proto(&result.ids)),
        succ_index: (0..n as u32).collect(),
        insert_cnt: n as i64,
        timestamp: state.timestamp(),
        ..Default::default()
    })
}

pub fn upsert(state: &Scope, req: UpsertRequest) -> Res<MutationResult> {
    let entry = state.get(&req.collection_name)?;
    let schema = entry.collection.read().schema().clone();
    if schema.primary().auto_id {
        // Real Milvus 2.3.5 counts the fields an auto-id upsert may carry (all but
        // the primary key) and refuses the request that has them all in these
        // words (pymilvus 2.5 sends it; 2.3 refused it itself).
        let needed = schema.fields.len() - 1;
        if req.fields_data.len() != needed {
            return Err(Failure::new(
                PARAMETER_INVALID,
                format!(
                    "the number of fields is less than needed: invalid parameter[expected={needed}][actual={}]",
                    req.fields_data.len()
                ),
            ));
        }
        return Err(Error::UpsertAutoId.into());
    }
    let columns = columns_from_proto(req.num_rows, &schema, &req.fields_data, true)?;
    let (result, _replaced) = entry
        .collection
        .write()
        .upsert_into(partition_or_default(&req.partition_name), columns)?;
    let n = result.insert_count;
    state.metrics.lock().observe_insert(&req.collection_name, n);
    // Milvus counts every upserted row as one delete and one insert.
    Ok(MutationResult {
        i_ds: Some(keys_to_proto(&result.ids)),
        succ_index: (0..n as u32).collect(),
        insert_cnt: n as i64,
        delete_cnt: n as i64,
        upsert_cnt: n as i64,
        timestamp: state.timestamp(),
        ..Default::default()
    })
}

pub fn delete(state: &Scope, req: DeleteRequest) -> Res<MutationResult> {
    let entry = state.get(&req.collection_name)?;
    let partition = Some(req.partition_name.as_str()).filter(|p| !p.is_empty());
    let n = entry.collection.write().delete_in(partition, &req.expr)?;
    Ok(MutationResult {
        delete_cnt: n as i64,
        timestamp: state.timestamp(),
        ..Default::default()
    })
}

/// Seals each collection's growing rows, persists them (a flush that answered is
/// durable) and starts their index build in the background, as Milvus's index
/// nodes do: until it finishes, `describe_index` says InProgress and the rows are
/// searched exactly.
pub fn flush(state: &Scope, req: FlushRequest) -> Res<FlushResponse> {
    let mut r = FlushResponse {
        db_name: state.db.clone(),
        ..Default::default()
    };
    for name in &req.collection_names {
        let entry = state.get(name)?;
        let segments = {
            let mut c = entry.collection.write();
            c.seal();
            c.sealed_segments().iter().map(|s| s.id).collect::<Vec<_>>()
        };
        state.persist(name)?;
        state.spawn_index_build(name);
        let ts = state.timestamp();
        r.coll_seg_i_ds.insert(
            name.clone(),
            LongArray {
                data: segments.clone(),
            },
        );
        r.flush_coll_seg_i_ds
            .insert(name.clone(), LongArray { data: segments });
        r.coll_seal_times
            .insert(name.clone(), (ts >> 18) as i64 / 1000);
        r.coll_flush_ts.insert(name.clone(), ts);
    }
    Ok(r)
}

/// Flush is synchronous here: once Flush answered, everything is flushed.
pub fn flush_state() -> Res<GetFlushStateResponse> {
    Ok(GetFlushStateResponse {
        flushed: true,
        ..Default::default()
    })
}

/// Milvus's Search: the request read by [`params`], the engine's search, its
/// columns as Milvus's `SearchResultData` (ids, scores, `topks`, field data).
pub fn search(state: &Scope, req: milvus::proto::milvus::SearchRequest) -> Res<SearchResults> {
    let entry = state.get(&req.collection_name)?;
    let (mut sreq, raw_params) = params::search_request(&req)?;
    let page = iterator::page_request(
        &req.search_params,
        sreq.group_by.is_some(),
        sreq.offset,
        || iterator::token_from(state.timestamp()),
    )?;
    if let Some(p) = &page {
        // Milvus's proxy: a v2 page's top k is its batch size.
        sreq.limit = p.batch_size;
        sreq.after = state.iterators.after(p);
    }
    let c = entry.collection.read();
    let fail = |e| search_failure(e, c.id());
    let schema = c.schema();
    // pymilvus may leave `anns_field` out: the engine takes the only vector field.
    let index_type = c
        .search_index(&sreq.anns_field)
        .map(|d| d.spec.params.index_type());
    sreq.ann = match params::ann_params(&raw_params, index_type) {
        Ok(ann) => ann,
        Err(e) => {
            // Milvus's proxy checks the request before its query node reads
            // the params: those errors win.
            c.check_search_target(&sreq).map_err(fail)?;
            return Err(fail(e));
        }
    };
    let t0 = Instant::now();
    // A page of pymilvus's search iterator (`iterator: True`): its first page
    // and the rings of growing radius after it are answered exactly, so that
    // the pages together hold every matching row. A deliberate difference:
    // Milvus answers them with the index, and an IVF page searched with
    // `nprobe` misses the rows closer than its last hit in unprobed lists,
    // which no later ring returns.
    let result = if params::is_iterator_page(&req.search_params) {
        c.search_exact(&sreq)
    } else {
        c.search(&sreq)
    }
    .map_err(fail)?;
    let ms = t0.elapsed().as_secs_f64() * 1e3;
    state.metrics.lock().observe_search(
        &req.collection_name,
        index_type.map_or("none", |t| t.name()),
        sreq.data.len().max(sreq.binary_data.len()),
        ms,
    );
    let mut r = results_to_proto(
        &result,
        sreq.limit,
        schema,
        &req.collection_name,
        &sreq.output_fields,
        sreq.group_by.as_ref().map(|g| g.field.as_str()),
    );
    if let (Some(p), Some(data)) = (&page, r.results.as_mut()) {
        let metric = c
            .search_index(&sreq.anns_field)
            .map_or(Metric::L2, |d| d.spec.metric);
        data.search_iterator_v2_results = Some(state.iterators.record(
            p,
            sreq.after.as_ref(),
            &result,
            metric,
        ));
    }
    r.session_ts = session_ts(state, &req.search_params, req.guarantee_timestamp);
    Ok(r)
}

/// Milvus's `session_ts`: on an iterator's first page (no guarantee timestamp
/// yet), the timestamp the read was served at, which the iterator then sends
/// as its guarantee timestamp; 0 otherwise.
fn session_ts(state: &Scope, params: &[KeyValuePair], guarantee_timestamp: u64) -> u64 {
    if params::is_iterator_page(params) && guarantee_timestamp == 0 {
        state.timestamp()
    } else {
        0
    }
}

/// A search's result as Milvus's `SearchResults` (Search and HybridSearch).
pub fn results_to_proto(
    result: &SearchResult,
    limit: usize,
    schema: &CollectionSchema,
    collection_name: &str,
    requested: &[String],
    group_by: Option<&str>,
) -> SearchResults {
    // No hits: no field data either, as Milvus answers.
    let (fields_data, output_fields) = if result.scores.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        output_to_proto(&result.fields, schema, requested)
    };
    SearchResults {
        results: Some(SearchResultData {
            num_queries: result.nq() as i64,
            top_k: limit as i64,
            fields_data,
            ids: Some(ids_to_proto(&result.ids)),
            topks: result.topks.iter().map(|&n| n as i64).collect(),
            scores: result.scores.clone(),
            output_fields,
            primary_field_name: schema.primary().name.clone(),
            group_by_field_value: result.group_values.as_ref().map(|values| {
                let name = group_by.expect("a grouping search names its field");
                let fid = FIRST_FIELD_ID + schema.field_index(name).unwrap_or(0) as i64;
                column_to_proto(name, fid, values)
            }),
            ..Default::default()
        }),
        collection_name: collection_name.to_owned(),
        ..Default::default()
    }
}

pub fn query(state: &Scope, req: milvus::proto::milvus::QueryRequest) -> Res<QueryResults> {
    let entry = state.get(&req.collection_name)?;
    let p = &req.query_params;
    let num = |key: &str| -> Res<Option<usize>> {
        kv(p, key)
            .map(|v| {
                v.trim()
                    .parse::<usize>()
                    .map_err(|_| Failure::invalid(format!("{key} [{v}] is invalid")))
            })
            .transpose()
    };
    let qreq = QueryRequest {
        expr: req.expr.clone(),
        output_fields: req.output_fields.clone(),
        limit: num("limit")?,
        offset: num("offset")?.unwrap_or(0),
        partition_names: req.partition_names.clone(),
    };
    let c = entry.collection.read();
    let result = c.query(&qreq).map_err(|e| query_failure(e, c.id()))?;
    state.metrics.lock().observe_query(&req.collection_name);
    let schema = c.schema();
    let (fields_data, output_fields) = match result {
        QueryResult::Count(n) => (
            vec![column_to_proto(
                "count(*)",
                0,
                &Column::Int64(vec![n as i64]),
            )],
            vec!["count(*)".to_owned()],
        ),
        QueryResult::Rows(rows) => output_to_proto(&rows, schema, &req.output_fields),
    };
    Ok(QueryResults {
        fields_data,
        collection_name: req.collection_name.clone(),
        output_fields,
        primary_field_name: schema.primary().name.clone(),
        session_ts: session_ts(state, &req.query_params, req.guarantee_timestamp),
        ..Default::default()
    })
}
