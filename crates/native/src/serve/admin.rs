//! Calls about the server as a whole, as Milvus 2.5's proxy answers them:
//! CheckHealth, FlushAll with GetFlushAllState (pymilvus's
//! `utility.flush_all`), and GetIndexStatistics (DescribeIndex's
//! descriptions under another name).

use milvus::proto::milvus::{
    CheckHealthResponse, DescribeIndexRequest, FlushAllRequest, FlushAllResponse, FlushRequest,
    GetFlushAllStateResponse, GetIndexStatisticsRequest, GetIndexStatisticsResponse,
};

use super::scope::Scope;
use super::status::Failure;
use super::{ddl, dml};

type Res<T> = Result<T, Failure>;

/// A server that answers is healthy: annlab has no component that can be down
/// while the process serves.
pub fn check_health() -> Res<CheckHealthResponse> {
    Ok(CheckHealthResponse {
        is_healthy: true,
        ..Default::default()
    })
}

/// Flushes every collection of the database the request names, or of every
/// database when it names none (Milvus's FlushAll); answers the timestamp
/// GetFlushAllState asks about. annlab's flush is synchronous.
pub fn flush_all(scope: &Scope, _req: FlushAllRequest) -> Res<FlushAllResponse> {
    // The request's `db_name`, else pymilvus's `dbname` header (Milvus's
    // database interceptor fills one from the other); neither: every database.
    let named = scope.db.clone();
    let dbs: Vec<String> = if !scope.named {
        let mut all = Vec::new();
        scope.with_all(|dbs| all.extend(dbs.keys().cloned()));
        all
    } else {
        // A database that does not exist is Milvus's refusal.
        scope.with_db(&named, |_| Ok(()))?;
        vec![named]
    };
    for db in dbs {
        let s = Scope {
            state: scope.state.clone(),
            db,
            named: true,
        };
        let collection_names = s.names()?.into_iter().map(|(n, _)| n).collect();
        dml::flush(
            &s,
            FlushRequest {
                collection_names,
                ..Default::default()
            },
        )?;
    }
    #[allow(deprecated)]
    Ok(FlushAllResponse {
        flush_all_ts: scope.timestamp(),
        ..Default::default()
    })
}

/// Everything FlushAll flushed is flushed once it answered.
pub fn flush_all_state() -> Res<GetFlushAllStateResponse> {
    Ok(GetFlushAllStateResponse {
        flushed: true,
        ..Default::default()
    })
}

/// Milvus's GetIndexStatistics: the index descriptions DescribeIndex gives
/// (rows indexed, pending, state), refused as DescribeIndex refuses.
pub fn index_statistics(
    scope: &Scope,
    req: GetIndexStatisticsRequest,
) -> Res<GetIndexStatisticsResponse> {
    let described = ddl::describe_index(
        scope,
        DescribeIndexRequest {
            db_name: req.db_name,
            collection_name: req.collection_name,
            index_name: req.index_name,
            ..Default::default()
        },
    )?;
    Ok(GetIndexStatisticsResponse {
        index_descriptions: described.index_descriptions,
        ..Default::default()
    })
}
