"""Calls about the server as a whole that pymilvus programs and other SDKs
make: CheckHealth, FlushAll with GetFlushAllState (`utility.flush_all`) and
GetIndexStatistics, answered as Milvus 2.5 answers them."""

import grpc
from pymilvus import Collection, connections, db, utility
from pymilvus.grpc_gen import milvus_pb2, milvus_pb2_grpc

from harness import annlab_only, connect
from test_errors import hnsw, rows, schema


def stub():
    return connections._fetch_handler("default")._stub


@annlab_only
def test_health_flush_all_and_index_statistics(server):
    connect(server)
    health = stub().CheckHealth(milvus_pb2.CheckHealthRequest())
    assert health.status.code == 0 and health.isHealthy, health

    c = Collection("everything", schema())
    c.create_index("embedding", hnsw())
    c.insert(rows(150))
    assert c.num_entities == 0, "rows are counted once flushed"
    utility.flush_all()
    assert c.num_entities == 150
    utility.wait_for_index_building_complete("everything")

    stats = stub().GetIndexStatistics(milvus_pb2.GetIndexStatisticsRequest(collection_name="everything"))
    assert stats.status.code == 0, stats.status
    (d,) = stats.index_descriptions
    assert d.field_name == "embedding" and d.total_rows == 150 and d.indexed_rows == 150, d
    missing = stub().GetIndexStatistics(milvus_pb2.GetIndexStatisticsRequest(collection_name="nowhere"))
    assert missing.status.code == 100, missing.status
    refused = stub().FlushAll(milvus_pb2.FlushAllRequest(db_name="nowhere"))
    assert refused.status.code == 800, refused.status


@annlab_only
def test_flush_all_flushes_the_named_database_or_every_one(server):
    # pymilvus's connection names `default` (its `dbname` header), and then
    # Milvus flushes that database only; a call naming none flushes them all.
    connect(server)
    db.create_database("other")
    db.using_database("other")
    elsewhere = Collection("elsewhere", schema())
    elsewhere.insert(rows(20))
    db.using_database("default")
    here = Collection("here", schema())
    here.insert(rows(30))
    utility.flush_all()
    assert here.num_entities == 30
    db.using_database("other")
    assert elsewhere.num_entities == 0, "FlushAll named default"
    db.using_database("default")
    late = Collection("late", schema())
    late.insert(rows(5))
    with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        unnamed = milvus_pb2_grpc.MilvusServiceStub(channel).FlushAll(milvus_pb2.FlushAllRequest())
    assert unnamed.status.code == 0, unnamed.status
    assert late.num_entities == 5
    db.using_database("other")
    assert elsewhere.num_entities == 20
    db.using_database("default")
