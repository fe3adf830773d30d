//! Errors as Milvus statuses. Every failure is answered the way real Milvus 2.3.5
//! answers it: `code` (the table in [`super::codes`]), the legacy `error_code`,
//! and the reason text, so that pymilvus raises the same exception with the same
//! code. A gRPC-level error (tonic::Status) is only ever UNIMPLEMENTED, for the
//! calls annlab does not serve.

use annlab_core::Error;
use milvus::proto::common::Status;
use milvus::proto::milvus::{
    AllocTimestampResponse, BoolResponse, CheckHealthResponse, ConnectResponse,
    DescribeAliasResponse, DescribeCollectionResponse, DescribeDatabaseResponse,
    DescribeIndexResponse, FlushAllResponse, FlushResponse, GetCollectionStatisticsResponse,
    GetCompactionPlansResponse, GetCompactionStateResponse, GetFlushAllStateResponse,
    GetFlushStateResponse, GetIndexBuildProgressResponse, GetIndexStateResponse,
    GetIndexStatisticsResponse, GetLoadStateResponse, GetLoadingProgressResponse,
    GetPartitionStatisticsResponse, GetPersistentSegmentInfoResponse, GetQuerySegmentInfoResponse,
    GetReplicasResponse, GetVersionResponse, ListAliasesResponse, ListDatabasesResponse,
    ManualCompactionResponse, MutationResult, QueryResults, SearchResults, ShowCollectionsResponse,
    ShowPartitionsResponse,
};

use super::codes::{self, PARAMETER_INVALID, UNEXPECTED};

/// A refused call: Milvus's code and reason.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub code: i32,
    pub reason: String,
}

impl Failure {
    pub fn new(code: i32, reason: impl Into<String>) -> Self {
        Self {
            code,
            reason: reason.into(),
        }
    }

    /// Milvus's "invalid parameter", worded as Milvus words it.
    pub fn invalid(reason: impl std::fmt::Display) -> Self {
        Self::new(PARAMETER_INVALID, format!("{reason}: invalid parameter"))
    }

    /// A request annlab cannot serve (a type or feature it does not implement).
    pub fn unsupported(what: impl std::fmt::Display) -> Self {
        Self::new(UNEXPECTED, format!("annlab does not support {what}"))
    }

    /// The status carrying this failure.
    pub fn status(&self) -> Status {
        #[allow(deprecated)]
        Status {
            error_code: codes::legacy(self.code) as i32,
            reason: self.reason.clone(),
            code: self.code,
            ..Default::default()
        }
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        let code = codes::of(&e);
        // Where Milvus's planner wraps the engine's words, wrap them the same way.
        let reason = match &e {
            Error::FilterUnknownField { .. } => format!("failed to create query plan: {e}"),
            _ => e.to_string(),
        };
        Self { code, reason }
    }
}

/// Where the C++ asserts of Milvus 2.3.5 were compiled (the probes' server).
const MILVUS_SRC: &str = "/__w/milvus-lite/milvus-lite/milvus_binary/milvus/internal/core/src";

/// A refused search of collection `collection` (its id). The checks real Milvus
/// makes in its query node (search parameters, the metric, the query vectors'
/// dimension, range bounds) come back wrapped in the proxy's words around the
/// query node's, as Milvus 2.3.5 answered them (`probe*_output_milvus235.txt`):
/// the channel is the one `DescribeCollection` lists. The proxy's own checks
/// (limits, fields, filters, partitions, loading) are answered as they are.
pub fn search_failure(e: Error, collection: i64) -> Failure {
    let node = query_node(collection, "Search, QueryNode ID=1");
    let internal = "service internal error: UnknownError";
    let reason = match &e {
        Error::SearchParamOutOfRange { .. } | Error::EfSmallerThanK { .. } => format!(
            "{node}worker(1) query failed:  => failed to search: out of range in json: {e}: {internal}"
        ),
        Error::SearchParamNotANumber { .. } => {
            format!("{node}worker(1) query failed:  => failed to search: {e}: {internal}")
        }
        Error::MetricMismatch { .. } => format!("{node}collection:{collection}, {e}"),
        Error::PartitionNotLoaded { requested, .. } => {
            format!("{node}{}", partition_not_loaded(requested))
        }
        Error::QueryDimMismatch { .. } => format!(
            "{node}worker(1) query failed: Assert \"field_meta.get_sizeof() == element.line_sizeof_\" \
             at {MILVUS_SRC}/query/Plan.cpp:52\n => vector dimension mismatch: {internal}"
        ),
        Error::BadRange { metric, .. } if metric.higher_is_closer() => format!(
            "{node}worker(1) query failed: Assert \"range_filter > radius\" at \
             {MILVUS_SRC}/common/RangeSearchHelper.cpp:122\n => range_filter must be greater \
             than radius for IP/COSINE: {internal}"
        ),
        Error::BadRange { .. } => format!(
            "{node}worker(1) query failed: Assert \"range_filter < radius\" at \
             {MILVUS_SRC}/common/RangeSearchHelper.cpp:125\n => range_filter must be less \
             than radius for L2/HAMMING/JACCARD: {internal}"
        ),
        Error::GroupByUnsupportedType { .. } => {
            format!("{node}worker(1) query failed: {e}: {internal}")
        }
        _ => return Failure::from(e),
    };
    Failure {
        code: codes::of(&e),
        reason,
    }
}

/// A refused query of collection `collection`: real Milvus 2.3.5 refuses a
/// query of a released partition in its query node, in the words of
/// [`search_failure`] with "Query" for "Search" (and its spaces around `=`).
pub fn query_failure(e: Error, collection: i64) -> Failure {
    match &e {
        Error::PartitionNotLoaded { requested, .. } => Failure {
            code: codes::of(&e),
            reason: format!(
                "{}{}",
                query_node(collection, "Query, QueryNode ID = 1"),
                partition_not_loaded(requested)
            ),
        },
        _ => Failure::from(e),
    }
}

/// The proxy's words before its query node's refusal of a call (`what`: the call
/// and the node, spelt as Milvus spells them for that call).
fn query_node(collection: i64, what: &str) -> String {
    format!(
        "failed to search/query delegator 1 for channel annlab-dml_{collection}v0: \
         fail to {what}, reason="
    )
}

/// The query node's words for partitions that are not loaded: the ids of all
/// the partitions the request named.
fn partition_not_loaded(requested: &[i64]) -> String {
    let ids: Vec<String> = requested.iter().map(i64::to_string).collect();
    format!("partition not loaded[partition=[{}]]", ids.join(" "))
}

/// The status of a successful call.
pub fn success() -> Status {
    Status::default()
}

/// A response type that carries a status.
pub trait Reply: Default {
    fn set_status(&mut self, status: Status);

    /// The response for `result`: the value with a success status, or an empty
    /// response carrying the failure.
    fn from_result(result: Result<Self, Failure>) -> Self {
        match result {
            Ok(mut r) => {
                r.set_status(success());
                r
            }
            Err(f) => {
                let mut r = Self::default();
                r.set_status(f.status());
                r
            }
        }
    }
}

impl Reply for Status {
    fn set_status(&mut self, status: Status) {
        *self = status;
    }
}

macro_rules! reply {
    ($($t:ty),* $(,)?) => {
        $(impl Reply for $t {
            fn set_status(&mut self, status: Status) {
                self.status = Some(status);
            }
        })*
    };
}

reply!(
    CheckHealthResponse,
    FlushAllResponse,
    GetFlushAllStateResponse,
    GetIndexStatisticsResponse,
    AllocTimestampResponse,
    DescribeAliasResponse,
    DescribeDatabaseResponse,
    GetCompactionPlansResponse,
    GetCompactionStateResponse,
    GetPersistentSegmentInfoResponse,
    GetQuerySegmentInfoResponse,
    GetReplicasResponse,
    ListAliasesResponse,
    ListDatabasesResponse,
    ManualCompactionResponse,
    BoolResponse,
    ConnectResponse,
    DescribeCollectionResponse,
    DescribeIndexResponse,
    FlushResponse,
    GetCollectionStatisticsResponse,
    GetFlushStateResponse,
    GetIndexBuildProgressResponse,
    GetIndexStateResponse,
    GetLoadStateResponse,
    GetLoadingProgressResponse,
    GetPartitionStatisticsResponse,
    GetVersionResponse,
    MutationResult,
    QueryResults,
    SearchResults,
    ShowCollectionsResponse,
    ShowPartitionsResponse,
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::serve::codes::COLLECTION_NOT_FOUND;
    use milvus::proto::common::ErrorCode;

    #[test]
    fn engine_errors_keep_milvus_codes_and_words() {
        let f = Failure::from(Error::CollectionNotFound {
            database: "default".into(),
            name: "ivf_documents".into(),
        });
        let s = f.status();
        assert_eq!(s.code, COLLECTION_NOT_FOUND);
        #[allow(deprecated)]
        let legacy = s.error_code;
        assert_eq!(legacy, ErrorCode::UnexpectedError as i32);
        assert!(
            s.reason.starts_with("can't find collection"),
            "{}",
            s.reason
        );

        let f = search_failure(Error::EfSmallerThanK { ef: 2, k: 3 }, 8);
        assert_eq!(f.code, UNEXPECTED);
        assert_eq!(
            f.reason,
            "failed to search/query delegator 1 for channel annlab-dml_8v0: fail to Search, \
             QueryNode ID=1, reason=worker(1) query failed:  => failed to search: out of range \
             in json: ef(2) should be larger than k(3): service internal error: UnknownError"
        );
        let metric = Error::MetricMismatch {
            expected: annlab_core::Metric::Cosine,
            actual: annlab_core::Metric::L2,
        };
        assert!(search_failure(metric, 8).reason.ends_with(
            "reason=collection:8, metric type not match: invalid parameter[expected=COSINE][actual=L2]"
        ));
        let dim = Error::QueryDimMismatch {
            query: 0,
            expected: 8,
            got: 7,
        };
        assert!(search_failure(dim, 8).reason.ends_with(
            "Plan.cpp:52\n => vector dimension mismatch: service internal error: UnknownError"
        ));
        let not_loaded = Error::CollectionNotLoaded {
            operation: "search",
            collection: 8,
        };
        assert_eq!(
            search_failure(not_loaded, 8).reason,
            "failed to search: collection not loaded[collection=8]",
            "the proxy's own checks are not wrapped"
        );

        let f = Failure::from(Error::IndexNotFound {
            collection: "c".into(),
        });
        #[allow(deprecated)]
        let legacy = f.status().error_code;
        assert_eq!(legacy, ErrorCode::IndexNotExist as i32);
    }

    #[test]
    fn replies_carry_the_status() {
        let ok = GetVersionResponse::from_result(Ok(GetVersionResponse {
            version: "v".into(),
            ..Default::default()
        }));
        assert_eq!(ok.status.unwrap().code, 0);
        let err = GetVersionResponse::from_result(Err(Failure::invalid("bad")));
        let status = err.status.unwrap();
        assert_eq!(status.code, PARAMETER_INVALID);
        assert_eq!(status.reason, "bad: invalid parameter");
    }
}
