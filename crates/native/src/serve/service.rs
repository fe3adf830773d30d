//! `milvus.proto.milvus.MilvusService`: the calls annlab serves, each handed to
//! `ddl`/`dml` on a blocking thread (engine work never stalls the async runtime).
//! Every other call keeps the generated default, UNIMPLEMENTED.

use std::sync::Arc;

use milvus::proto::common::Status;
use milvus::proto::milvus::milvus_service_server::MilvusService;
use milvus::proto::milvus::*;
use tonic::{Request, Response};

use super::codes::UNEXPECTED;
use super::state::State;
use super::status::{Failure, Reply};
use super::{ddl, dml, partitions};

pub struct Service {
    pub state: Arc<State>,
}

type Answer<T> = Result<Response<T>, tonic::Status>;

impl Service {
    /// Runs `f` on a blocking thread; a failure (or a panic) becomes the response's
    /// Milvus status, never a dropped connection.
    async fn call<Req, Resp>(
        &self,
        req: Request<Req>,
        f: fn(&Arc<State>, Req) -> Result<Resp, Failure>,
    ) -> Answer<Resp>
    where
        Req: Send + 'static,
        Resp: Reply + Send + 'static,
    {
        let state = self.state.clone();
        let req = req.into_inner();
        let result = tokio::task::spawn_blocking(move || f(&state, req))
            .await
            .unwrap_or_else(|e| Err(Failure::new(UNEXPECTED, format!("internal error: {e}"))));
        Ok(Response::new(Resp::from_result(result)))
    }
}

#[tonic::async_trait]
impl MilvusService for Service {
    async fn connect(&self, r: Request<ConnectRequest>) -> Answer<ConnectResponse> {
        self.call(r, |s, _| ddl::connect(s)).await
    }

    async fn get_version(&self, r: Request<GetVersionRequest>) -> Answer<GetVersionResponse> {
        self.call(r, |_, _| ddl::get_version()).await
    }

    async fn alloc_timestamp(
        &self,
        r: Request<AllocTimestampRequest>,
    ) -> Answer<AllocTimestampResponse> {
        self.call(r, |s, _| ddl::alloc_timestamp(s)).await
    }

    async fn create_collection(&self, r: Request<CreateCollectionRequest>) -> Answer<Status> {
        self.call(r, ddl::create_collection).await
    }

    async fn drop_collection(&self, r: Request<DropCollectionRequest>) -> Answer<Status> {
        self.call(r, ddl::drop_collection).await
    }

    async fn has_collection(&self, r: Request<HasCollectionRequest>) -> Answer<BoolResponse> {
        self.call(r, ddl::has_collection).await
    }

    async fn describe_collection(
        &self,
        r: Request<DescribeCollectionRequest>,
    ) -> Answer<DescribeCollectionResponse> {
        self.call(r, ddl::describe_collection).await
    }

    async fn show_collections(
        &self,
        r: Request<ShowCollectionsRequest>,
    ) -> Answer<ShowCollectionsResponse> {
        self.call(r, |s, _| ddl::show_collections(s)).await
    }

    async fn get_collection_statistics(
        &self,
        r: Request<GetCollectionStatisticsRequest>,
    ) -> Answer<GetCollectionStatisticsResponse> {
        self.call(r, ddl::collection_statistics).await
    }

    async fn create_index(&self, r: Request<CreateIndexRequest>) -> Answer<Status> {
        self.call(r, ddl::create_index).await
    }

    async fn describe_index(
        &self,
        r: Request<DescribeIndexRequest>,
    ) -> Answer<DescribeIndexResponse> {
        self.call(r, ddl::describe_index).await
    }

    async fn get_index_state(
        &self,
        r: Request<GetIndexStateRequest>,
    ) -> Answer<GetIndexStateResponse> {
        self.call(r, ddl::index_state_of).await
    }

    async fn get_index_build_progress(
        &self,
        r: Request<GetIndexBuildProgressRequest>,
    ) -> Answer<GetIndexBuildProgressResponse> {
        self.call(r, ddl::index_build_progress).await
    }

    async fn drop_index(&self, r: Request<DropIndexRequest>) -> Answer<Status> {
        self.call(r, ddl::drop_index).await
    }

    async fn load_collection(&self, r: Request<LoadCollectionRequest>) -> Answer<Status> {
        self.call(r, ddl::load).await
    }

    async fn release_collection(&self, r: Request<ReleaseCollectionRequest>) -> Answer<Status> {
        self.call(r, ddl::release).await
    }

    async fn get_loading_progress(
        &self,
        r: Request<GetLoadingProgressRequest>,
    ) -> Answer<GetLoadingProgressResponse> {
        self.call(r, ddl::loading_progress).await
    }

    async fn get_load_state(
        &self,
        r: Request<GetLoadStateRequest>,
    ) -> Answer<GetLoadStateResponse> {
        self.call(r, ddl::load_state).await
    }

    async fn create_partition(&self, r: Request<CreatePartitionRequest>) -> Answer<Status> {
        self.call(r, partitions::create).await
    }

    async fn drop_partition(&self, r: Request<DropPartitionRequest>) -> Answer<Status> {
        self.call(r, partitions::drop).await
    }

    async fn has_partition(&self, r: Request<HasPartitionRequest>) -> Answer<BoolResponse> {
        self.call(r, partitions::has).await
    }

    async fn show_partitions(
        &self,
        r: Request<ShowPartitionsRequest>,
    ) -> Answer<ShowPartitionsResponse> {
        self.call(r, partitions::show).await
    }

    async fn load_partitions(&self, r: Request<LoadPartitionsRequest>) -> Answer<Status> {
        self.call(r, partitions::load).await
    }

    async fn release_partitions(&self, r: Request<ReleasePartitionsRequest>) -> Answer<Status> {
        self.call(r, partitions::release).await
    }

    async fn get_partition_statistics(
        &self,
        r: Request<GetPartitionStatisticsRequest>,
    ) -> Answer<GetPartitionStatisticsResponse> {
        self.call(r, partitions::statistics).await
    }

    async fn insert(&self, r: Request<InsertRequest>) -> Answer<MutationResult> {
        self.call(r, dml::insert).await
    }

    async fn upsert(&self, r: Request<UpsertRequest>) -> Answer<MutationResult> {
        self.call(r, dml::upsert).await
    }

    async fn delete(&self, r: Request<DeleteRequest>) -> Answer<MutationResult> {
        self.call(r, dml::delete).await
    }

    async fn flush(&self, r: Request<FlushRequest>) -> Answer<FlushResponse> {
        self.call(r, dml::flush).await
    }

    async fn get_flush_state(
        &self,
        r: Request<GetFlushStateRequest>,
    ) -> Answer<GetFlushStateResponse> {
        self.call(r, |_, _| dml::flush_state()).await
    }

    async fn search(&self, r: Request<SearchRequest>) -> Answer<SearchResults> {
        self.call(r, dml::search).await
    }

    async fn query(&self, r: Request<QueryRequest>) -> Answer<QueryResults> {
        self.call(r, dml::query).await
    }
}
