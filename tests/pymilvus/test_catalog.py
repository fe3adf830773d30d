"""Aliases, databases, collection properties, renames and compaction through
pymilvus 2.5's MilvusClient (and the ORM where MilvusClient has no call), with
Milvus's rules and words, and all of it kept by --data-dir across a restart.

`test_aliases_databases_rename_properties_compaction` keeps to what the real
Milvus 2.3.5 also serves, so tests/milvus runs it there too; where Milvus 2.5
changed a rule or a message, only annlab (which follows 2.5) is held to it."""

import shutil
import signal
import tempfile
import time

from pymilvus import Collection, MilvusClient, MilvusException, connections, utility

from harness import Server, annlab_only, connect
from test_errors import ROWS, hnsw, loaded, query_vec, raises, rows, schema


def client(server, db_name=""):
    return MilvusClient(uri=f"http://127.0.0.1:{server.port}", db_name=db_name)


def clean(mc):
    """The real Milvus keeps databases and aliases between tests."""
    for alias in ("live", "spare"):
        try:
            mc.drop_alias(alias)
        except MilvusException:
            pass
    if "shop" in mc.list_databases():
        mc.using_database("shop")
        for name in mc.list_collections():
            mc.drop_collection(name)
        mc.using_database("default")
        mc.drop_database("shop")


def wait_compacted(mc, job):
    for _ in range(600):
        if mc.get_compaction_state(job) == "Completed":
            return
        time.sleep(0.1)
    raise AssertionError("the compaction did not complete")


def test_aliases_databases_rename_properties_compaction(server):
    c = loaded(server)  # probe_main: ROWS rows, HNSW COSINE, loaded
    mc = client(server)
    clean(mc)

    # Aliases: wherever a collection name is.
    mc.create_alias("probe_main", "live")
    hits = mc.search("live", query_vec(), limit=5, search_params={"params": {"ef": 64}})
    assert len(hits[0]) == 5
    got = mc.query("live", filter="id < 3", output_fields=["id"], consistency_level="Strong")
    assert sorted(g["id"] for g in got) == [0, 1, 2]
    assert mc.describe_collection("live")["collection_name"] == "probe_main"
    conflict = lambda: mc.create_alias("probe_main", "probe_main")  # noqa: E731
    if server.real:
        raises(conflict, MilvusException, 1601, "alias and collection name conflict")
    else:
        raises(
            conflict,
            MilvusException,
            1601,
            "alias and collection name conflict[database=default][alias=probe_main]",
        )
    mc.create_alias("probe_main", "spare")
    mc.drop_alias("spare")

    # AlterCollection: properties kept and described.
    mc.alter_collection_properties("probe_main", properties={"collection.ttl.seconds": 3600})
    props = mc.describe_collection("probe_main")["properties"]
    assert props.get("collection.ttl.seconds") == "3600", props

    # Databases: the same collection name in another one.
    mc.create_database("shop")
    assert "shop" in mc.list_databases() and "default" in mc.list_databases()
    connections.connect(alias="shop", host="127.0.0.1", port=str(server.port), db_name="shop")
    shop = Collection("probe_main", schema(), using="shop")
    shop.insert(rows(7))
    shop.flush()
    mc.using_database("shop")
    assert mc.get_collection_stats("probe_main")["row_count"] == 7
    mc.rename_collection("probe_main", "items")
    assert mc.list_collections() == ["items"]
    not_empty = lambda: mc.drop_database("shop")  # noqa: E731
    if server.real:
        raises(not_empty, MilvusException, 65535, "not empty")
    else:
        raises(
            not_empty,
            MilvusException,
            65535,
            "database:shop not empty, must drop all collections before drop database",
        )
    mc.using_database("default")
    assert mc.get_collection_stats("probe_main")["row_count"] == ROWS

    # Compaction: two small segments, some rows deleted, merged into one.
    batch = rows(100, seed=5)
    batch[0] = list(range(ROWS, ROWS + 100))
    c.insert(batch)
    c.flush()
    c.delete("id in [0, 1, 2, 3, 4]")
    job = mc.compact("probe_main")
    wait_compacted(mc, job)
    n = mc.query("live", filter="", output_fields=["count(*)"], consistency_level="Strong")
    assert n[0]["count(*)"] == ROWS + 95, n
    if not server.real:
        # annlab merges at once; the real Milvus may wait for its own policy.
        assert c.num_entities == ROWS + 95
        assert len(utility.get_query_segment_info("probe_main")) == 1
        assert len(c.get_replicas().groups) == 1


@annlab_only
def test_catalogue_rules_of_milvus_2_5(server):
    c = loaded(server)
    mc = client(server)
    mc.create_alias("probe_main", "live")
    assert mc.describe_alias("live")["collection_name"] == "probe_main"
    assert mc.list_aliases("probe_main")["aliases"] == ["live"]
    raises(
        lambda: mc.drop_collection("probe_main"),
        MilvusException,
        65535,
        "unable to drop the collection [probe_main] because it has associated aliases [live], "
        "please remove all aliases before dropping the collection",
    )
    raises(
        lambda: mc.describe_alias("nope"),
        MilvusException,
        1600,
        "alias not found[database=default][alias=nope]",
    )
    raises(lambda: mc.drop_database("default"), MilvusException, 65535, "can not drop default database")
    mc.create_database("shop", properties={"database.replica.number": 1})
    d = mc.describe_database("shop")
    assert d["name"] == "shop" and d.get("database.replica.number") == "1", d
    raises(lambda: mc.create_database("shop"), MilvusException, 65535, "database already exist: shop")
    mc.using_database("shop")
    raises(
        lambda: mc.rename_collection("probe_main", "x", target_db="default"),
        MilvusException,
        100,
        "collection not found[database=shop][collection=probe_main]",
    )
    mc.using_database("default")
    mc.drop_alias("live")
    mc.drop_collection("probe_main")
    assert "probe_main" not in mc.list_collections()
    del c
    # A refused call is logged with its method and Milvus's code.
    assert "DescribeAlias refused: code=1600 db=default" in server.stderr(), server.stderr()


@annlab_only
def test_catalogue_survives_a_kill_9(server):
    server.stop()
    data = tempfile.mkdtemp(prefix="annlab-catalog-")
    try:
        first = Server(data)
        connect(first)
        c = Collection("kept", schema())
        c.create_index("embedding", hnsw())
        for seed in (1, 2):
            batch = rows(100, seed=seed)
            batch[0] = list(range(seed * 1000, seed * 1000 + 100))
            c.insert(batch)
            c.flush()
        utility.wait_for_index_building_complete("kept")
        c.delete("id in [1000, 1001]")
        mc = client(first)
        mc.create_alias("kept", "live")
        mc.alter_collection_properties("kept", properties={"mmap.enabled": True})
        mc.create_database("shop")
        connections.connect(alias="shop", host="127.0.0.1", port=str(first.port), db_name="shop")
        Collection("things", schema(), using="shop")
        mc.using_database("shop")
        mc.rename_collection("things", "stuff")
        mc.using_database("default")
        job = mc.compact("kept")
        assert mc.get_compaction_state(job) == "Completed"
        for alias in ("default", "shop"):
            connections.disconnect(alias)
        mc.close()
        first.stop(signal.SIGKILL)

        second = Server(data)
        try:
            mc = client(second)
            assert mc.describe_alias("live")["collection_name"] == "kept"
            assert mc.describe_collection("live")["properties"]["mmap.enabled"] == "True"
            assert sorted(mc.list_databases()) == ["default", "shop"]
            mc.using_database("shop")
            assert mc.list_collections() == ["stuff"]
            mc.using_database("default")
            connect(second)
            kept = Collection("kept")
            assert kept.num_entities == 198, "compacted: deleted rows purged"
            utility.wait_for_index_building_complete("kept")
            kept.load()
            assert len(utility.get_query_segment_info("kept")) == 1
            assert len(kept.search(query_vec(), "embedding", {"params": {"ef": 16}}, limit=5)[0]) == 5
            mc.close()
        finally:
            code, _ = second.stop(signal.SIGTERM)
            assert code == 0, second.stderr()
    finally:
        shutil.rmtree(data)
