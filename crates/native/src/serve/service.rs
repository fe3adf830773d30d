//! `milvus.proto.milvus.MilvusService`: the calls annlab serves, each handed to
//! `ddl`/`dml` on a blocking thread (engine work never stalls the async runtime).
//! Every other call keeps the generated default, UNIMPLEMENTED.

use std::sync::Arc;

use annlab_core::db::DEFAULT_DATABASE;
use milvus::proto::common::Status;
use milvus::proto::milvus::milvus_service_server::MilvusService;
use milvus::proto::milvus::*;
use tonic::{Request, Response};

use super::codes::UNEXPECTED;
use super::scope::Scope;
use super::state::State;
use super::status::{Failure, Reply};
use super::{admin, catalog, ddl, dml, hybrid, log, maintenance, partitions};

pub struct Service {
    pub state: Arc<State>,
}

type Answer<T> = Result<Response<T>, tonic::Status>;

impl Service {
    /// Runs `f` on a blocking thread, in the database the call names; a failure
    /// (or a panic) becomes the response's Milvus status, never a dropped
    /// connection, and is logged with `method` (Milvus's name of the call).
    async fn call<Req, Resp>(
        &self,
        method: &'static str,
        req: Request<Req>,
        f: fn(&Scope, Req) -> Result<Resp, Failure>,
    ) -> Answer<Resp>
    where
        Req: DbName + Send + 'static,
        Resp: Reply + Send + 'static,
    {
        let header = req
            .metadata()
            .get("dbname")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let req = req.into_inner();
        let named = [req.db_name(), header.as_str()]
            .into_iter()
            .find(|d| !d.is_empty());
        let scope = Scope {
            state: self.state.clone(),
            db: named.unwrap_or(DEFAULT_DATABASE).to_owned(),
            named: named.is_some(),
        };
        let t0 = std::time::Instant::now();
        let (result, scope) = tokio::task::spawn_blocking(move || (f(&scope, req), scope))
            .await
            .unwrap_or_else(|e| {
                let f = Failure::new(UNEXPECTED, format!("internal error: {e}"));
                let scope = Scope {
                    state: self.state.clone(),
                    db: String::new(),
                    named: false,
                };
                (Err(f), scope)
            });
        match &result {
            Err(f) => log::refused(method, &scope.db, f.code, &f.reason),
            Ok(_) => log::log(
                log::Level::Debug,
                format_args!(
                    "{method} served: db={} in {:.3} ms",
                    scope.db,
                    t0.elapsed().as_secs_f64() * 1e3
                ),
            ),
        }
        Ok(Response::new(Resp::from_result(result)))
    }
}

#[tonic::async_trait]
impl MilvusService for Service {
    async fn connect(&self, r: Request<ConnectRequest>) -> Answer<ConnectResponse> {
        self.call("Connect", r, |s, _| ddl::connect(s)).await
    }

    async fn get_version(&self, r: Request<GetVersionRequest>) -> Answer<GetVersionResponse> {
        self.call("GetVersion", r, |_, _| ddl::get_version()).await
    }

    async fn alloc_timestamp(
        &self,
        r: Request<AllocTimestampRequest>,
    ) -> Answer<AllocTimestampResponse> {
        self.call("AllocTimestamp", r, |s, _| ddl::alloc_timestamp(s))
            .await
    }

    async fn create_collection(&self, r: Request<CreateCollectionRequest>) -> Answer<Status> {
        self.call("CreateCollection", r, ddl::create_collection)
            .await
    }

    async fn drop_collection(&self, r: Request<DropCollectionRequest>) -> Answer<Status> {
        self.call("DropCollection", r, ddl::drop_collection).await
    }

    async fn has_collection(&self, r: Request<HasCollectionRequest>) -> Answer<BoolResponse> {
        self.call("HasCollection", r, ddl::has_collection).await
    }

    async fn describe_collection(
        &self,
        r: Request<DescribeCollectionRequest>,
    ) -> Answer<DescribeCollectionResponse> {
        self.call("DescribeCollection", r, ddl::describe_collection)
            .await
    }

    async fn show_collections(
        &self,
        r: Request<ShowCollectionsRequest>,
    ) -> Answer<ShowCollectionsResponse> {
        self.call("ShowCollections", r, |s, _| ddl::show_collections(s))
            .await
    }

    async fn get_collection_statistics(
        &self,
        r: Request<GetCollectionStatisticsRequest>,
    ) -> Answer<GetCollectionStatisticsResponse> {
        self.call("GetCollectionStatistics", r, ddl::collection_statistics)
            .await
    }

    async fn create_index(&self, r: Request<CreateIndexRequest>) -> Answer<Status> {
        self.call("CreateIndex", r, ddl::create_index).await
    }

    async fn describe_index(
        &self,
        r: Request<DescribeIndexRequest>,
    ) -> Answer<DescribeIndexResponse> {
        self.call("DescribeIndex", r, ddl::describe_index).await
    }

    async fn get_index_state(
        &self,
        r: Request<GetIndexStateRequest>,
    ) -> Answer<GetIndexStateResponse> {
        self.call("GetIndexState", r, ddl::index_state_of).await
    }

    async fn get_index_build_progress(
        &self,
        r: Request<GetIndexBuildProgressRequest>,
    ) -> Answer<GetIndexBuildProgressResponse> {
        self.call("GetIndexBuildProgress", r, ddl::index_build_progress)
            .await
    }

    async fn drop_index(&self, r: Request<DropIndexRequest>) -> Answer<Status> {
        self.call("DropIndex", r, ddl::drop_index).await
    }

    async fn alter_index(&self, r: Request<AlterIndexRequest>) -> Answer<Status> {
        self.call("AlterIndex", r, ddl::alter_index).await
    }

    async fn load_collection(&self, r: Request<LoadCollectionRequest>) -> Answer<Status> {
        self.call("LoadCollection", r, ddl::load).await
    }

    async fn release_collection(&self, r: Request<ReleaseCollectionRequest>) -> Answer<Status> {
        self.call("ReleaseCollection", r, ddl::release).await
    }

    async fn get_loading_progress(
        &self,
        r: Request<GetLoadingProgressRequest>,
    ) -> Answer<GetLoadingProgressResponse> {
        self.call("GetLoadingProgress", r, ddl::loading_progress)
            .await
    }

    async fn get_load_state(
        &self,
        r: Request<GetLoadStateRequest>,
    ) -> Answer<GetLoadStateResponse> {
        self.call("GetLoadState", r, ddl::load_state).await
    }

    async fn create_partition(&self, r: Request<CreatePartitionRequest>) -> Answer<Status> {
        self.call("CreatePartition", r, partitions::create).await
    }

    async fn drop_partition(&self, r: Request<DropPartitionRequest>) -> Answer<Status> {
        self.call("DropPartition", r, partitions::drop).await
    }

    async fn has_partition(&self, r: Request<HasPartitionRequest>) -> Answer<BoolResponse> {
        self.call("HasPartition", r, partitions::has).await
    }

    async fn show_partitions(
        &self,
        r: Request<ShowPartitionsRequest>,
    ) -> Answer<ShowPartitionsResponse> {
        self.call("ShowPartitions", r, partitions::show).await
    }

    async fn load_partitions(&self, r: Request<LoadPartitionsRequest>) -> Answer<Status> {
        self.call("LoadPartitions", r, partitions::load).await
    }

    async fn release_partitions(&self, r: Request<ReleasePartitionsRequest>) -> Answer<Status> {
        self.call("ReleasePartitions", r, partitions::release).await
    }

    async fn get_partition_statistics(
        &self,
        r: Request<GetPartitionStatisticsRequest>,
    ) -> Answer<GetPartitionStatisticsResponse> {
        self.call("GetPartitionStatistics", r, partitions::statistics)
            .await
    }

    async fn insert(&self, r: Request<InsertRequest>) -> Answer<MutationResult> {
        self.call("Insert", r, dml::insert).await
    }

    async fn upsert(&self, r: Request<UpsertRequest>) -> Answer<MutationResult> {
        self.call("Upsert", r, dml::upsert).await
    }

    async fn delete(&self, r: Request<DeleteRequest>) -> Answer<MutationResult> {
        self.call("Delete", r, dml::delete).await
    }

    async fn flush(&self, r: Request<FlushRequest>) -> Answer<FlushResponse> {
        self.call("Flush", r, dml::flush).await
    }

    async fn get_flush_state(
        &self,
        r: Request<GetFlushStateRequest>,
    ) -> Answer<GetFlushStateResponse> {
        self.call("GetFlushState", r, |_, _| dml::flush_state())
            .await
    }

    async fn search(&self, r: Request<SearchRequest>) -> Answer<SearchResults> {
        self.call("Search", r, dml::search).await
    }

    async fn hybrid_search(&self, r: Request<HybridSearchRequest>) -> Answer<SearchResults> {
        self.call("HybridSearch", r, hybrid::hybrid_search).await
    }

    async fn query(&self, r: Request<QueryRequest>) -> Answer<QueryResults> {
        self.call("Query", r, dml::query).await
    }

    async fn alter_collection(&self, r: Request<AlterCollectionRequest>) -> Answer<Status> {
        self.call("AlterCollection", r, ddl::alter_collection).await
    }

    async fn rename_collection(&self, r: Request<RenameCollectionRequest>) -> Answer<Status> {
        self.call("RenameCollection", r, catalog::rename_collection)
            .await
    }

    async fn create_alias(&self, r: Request<CreateAliasRequest>) -> Answer<Status> {
        self.call("CreateAlias", r, catalog::create_alias).await
    }

    async fn alter_alias(&self, r: Request<AlterAliasRequest>) -> Answer<Status> {
        self.call("AlterAlias", r, catalog::alter_alias).await
    }

    async fn drop_alias(&self, r: Request<DropAliasRequest>) -> Answer<Status> {
        self.call("DropAlias", r, catalog::drop_alias).await
    }

    async fn describe_alias(
        &self,
        r: Request<DescribeAliasRequest>,
    ) -> Answer<DescribeAliasResponse> {
        self.call("DescribeAlias", r, catalog::describe_alias).await
    }

    async fn list_aliases(&self, r: Request<ListAliasesRequest>) -> Answer<ListAliasesResponse> {
        self.call("ListAliases", r, catalog::list_aliases).await
    }

    async fn create_database(&self, r: Request<CreateDatabaseRequest>) -> Answer<Status> {
        self.call("CreateDatabase", r, catalog::create_database)
            .await
    }

    async fn drop_database(&self, r: Request<DropDatabaseRequest>) -> Answer<Status> {
        self.call("DropDatabase", r, catalog::drop_database).await
    }

    async fn list_databases(
        &self,
        r: Request<ListDatabasesRequest>,
    ) -> Answer<ListDatabasesResponse> {
        self.call("ListDatabases", r, |s, _| catalog::list_databases(s))
            .await
    }

    async fn alter_database(&self, r: Request<AlterDatabaseRequest>) -> Answer<Status> {
        self.call("AlterDatabase", r, catalog::alter_database).await
    }

    async fn describe_database(
        &self,
        r: Request<DescribeDatabaseRequest>,
    ) -> Answer<DescribeDatabaseResponse> {
        self.call("DescribeDatabase", r, catalog::describe_database)
            .await
    }

    async fn get_replicas(&self, r: Request<GetReplicasRequest>) -> Answer<GetReplicasResponse> {
        self.call("GetReplicas", r, maintenance::replicas).await
    }

    async fn manual_compaction(
        &self,
        r: Request<ManualCompactionRequest>,
    ) -> Answer<ManualCompactionResponse> {
        self.call("ManualCompaction", r, maintenance::compact).await
    }

    async fn get_compaction_state(
        &self,
        r: Request<GetCompactionStateRequest>,
    ) -> Answer<GetCompactionStateResponse> {
        self.call("GetCompactionState", r, maintenance::compaction_state)
            .await
    }

    async fn get_compaction_state_with_plans(
        &self,
        r: Request<GetCompactionPlansRequest>,
    ) -> Answer<GetCompactionPlansResponse> {
        self.call(
            "GetCompactionStateWithPlans",
            r,
            maintenance::compaction_plans,
        )
        .await
    }

    async fn get_persistent_segment_info(
        &self,
        r: Request<GetPersistentSegmentInfoRequest>,
    ) -> Answer<GetPersistentSegmentInfoResponse> {
        self.call(
            "GetPersistentSegmentInfo",
            r,
            maintenance::persistent_segments,
        )
        .await
    }

    async fn check_health(&self, r: Request<CheckHealthRequest>) -> Answer<CheckHealthResponse> {
        self.call("CheckHealth", r, |_, _| admin::check_health())
            .await
    }

    async fn flush_all(&self, r: Request<FlushAllRequest>) -> Answer<FlushAllResponse> {
        self.call("FlushAll", r, admin::flush_all).await
    }

    async fn get_flush_all_state(
        &self,
        r: Request<GetFlushAllStateRequest>,
    ) -> Answer<GetFlushAllStateResponse> {
        self.call("GetFlushAllState", r, |_, _| admin::flush_all_state())
            .await
    }

    async fn get_index_statistics(
        &self,
        r: Request<GetIndexStatisticsRequest>,
    ) -> Answer<GetIndexStatisticsResponse> {
        self.call("GetIndexStatistics", r, admin::index_statistics)
            .await
    }

    async fn get_query_segment_info(
        &self,
        r: Request<GetQuerySegmentInfoRequest>,
    ) -> Answer<GetQuerySegmentInfoResponse> {
        self.call("GetQuerySegmentInfo", r, maintenance::query_segments)
            .await
    }
}

/// The database a request names in its own `db_name` field ("" when it has
/// none, or when its `db_name` is the database the call is about, as in
/// CreateDatabase).
pub trait DbName {
    fn db_name(&self) -> &str {
        ""
    }
}

macro_rules! db_name_field {
    ($($t:ty),* $(,)?) => {
        $(impl DbName for $t {
            fn db_name(&self) -> &str {
                &self.db_name
            }
        })*
    };
}

macro_rules! no_db_name {
    ($($t:ty),* $(,)?) => {
        $(impl DbName for $t {})*
    };
}

db_name_field!(
    CreateCollectionRequest,
    DropCollectionRequest,
    HasCollectionRequest,
    DescribeCollectionRequest,
    ShowCollectionsRequest,
    GetCollectionStatisticsRequest,
    CreateIndexRequest,
    DescribeIndexRequest,
    GetIndexStateRequest,
    GetIndexBuildProgressRequest,
    DropIndexRequest,
    AlterIndexRequest,
    LoadCollectionRequest,
    ReleaseCollectionRequest,
    GetLoadingProgressRequest,
    GetLoadStateRequest,
    CreatePartitionRequest,
    DropPartitionRequest,
    HasPartitionRequest,
    ShowPartitionsRequest,
    LoadPartitionsRequest,
    ReleasePartitionsRequest,
    GetPartitionStatisticsRequest,
    InsertRequest,
    UpsertRequest,
    DeleteRequest,
    FlushRequest,
    SearchRequest,
    HybridSearchRequest,
    QueryRequest,
    AlterCollectionRequest,
    RenameCollectionRequest,
    CreateAliasRequest,
    AlterAliasRequest,
    DropAliasRequest,
    DescribeAliasRequest,
    ListAliasesRequest,
    GetReplicasRequest,
    ManualCompactionRequest,
    GetCompactionPlansRequest,
    GetPersistentSegmentInfoRequest,
    GetQuerySegmentInfoRequest,
    GetIndexStatisticsRequest,
);

impl DbName for FlushAllRequest {
    fn db_name(&self) -> &str {
        #[allow(deprecated)]
        &self.db_name
    }
}

no_db_name!(
    ConnectRequest,
    GetVersionRequest,
    AllocTimestampRequest,
    GetFlushStateRequest,
    GetCompactionStateRequest,
    CreateDatabaseRequest,
    DropDatabaseRequest,
    ListDatabasesRequest,
    DescribeDatabaseRequest,
    AlterDatabaseRequest,
    CheckHealthRequest,
    GetFlushAllStateRequest,
);
