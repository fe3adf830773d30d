"""Partitions through pymilvus, as real Milvus 2.3.5 answered them
(`../shared/milvus/REFERENCE.md` "Partitions", `probe_output_milvus235.txt`):
`_default` in every collection, create/has/list/drop, insert into a partition,
search, query and delete restricted to partitions, loading one partition, the
MilvusClient calls, and the partitions of a collection across a restart."""

import shutil
import signal
import tempfile
import time

from pymilvus import Collection, MilvusClient, MilvusException, Partition, connections, utility
from pymilvus.exceptions import PartitionAlreadyExistException

from harness import Server, annlab_only, connect
from test_errors import ROWS, hnsw, loaded, query_vec, raises, rows, schema

P1_ROWS = 50


def p1_rows():
    """Rows with ids 1000.. for partition p1."""
    data = rows(P1_ROWS, seed=2)
    data[0] = list(range(1000, 1000 + P1_ROWS))
    return data


def count(c, partitions=None):
    # Strong: real Milvus's default (Bounded) may not see the latest writes yet;
    # annlab always does.
    return c.query("", output_fields=["count(*)"], partition_names=partitions, consistency_level="Strong")[0][
        "count(*)"
    ]


def test_create_list_insert_and_restrict(server):
    c = loaded(server)  # ROWS rows (ids 0..ROWS) in _default, HNSW COSINE, loaded
    c.create_partition("p1")
    raises(lambda: c.create_partition("p1"), PartitionAlreadyExistException, 1, "Partition already exist.")
    assert [p.name for p in c.partitions] == ["_default", "p1"]
    assert c.has_partition("p1") and not c.has_partition("nope")
    r = c.insert(p1_rows(), partition_name="p1")
    assert r.insert_count == P1_ROWS
    # A collection loaded whole loads its new partitions too.
    assert count(c) == ROWS + P1_ROWS
    assert count(c, ["p1"]) == P1_ROWS
    assert count(c, ["_default"]) == ROWS
    hits = c.search(query_vec(), "embedding", {"params": {"ef": 64}}, limit=10, partition_names=["p1"])[0]
    assert len(hits) == 10 and all(h.id >= 1000 for h in hits), [h.id for h in hits]
    got = c.query("id >= 0", output_fields=["text"], partition_names=["p1"], limit=100)
    assert sorted(g["id"] for g in got) == list(range(1000, 1000 + P1_ROWS))
    search_missing = lambda: c.search(  # noqa: E731
        query_vec(), "embedding", {"params": {"ef": 64}}, limit=3, partition_names=["nope"]
    )
    raises(search_missing, MilvusException, 65535, "partition name nope not found")
    raises(
        lambda: c.query("id >= 0", limit=3, partition_names=["nope"]),
        MilvusException,
        65535,
        "partition name nope not found",
    )
    raises(
        lambda: c.insert(p1_rows(), partition_name="nope"),
        MilvusException,
        200,
        "partition not found[partition=nope]",
    )
    # Delete restricted to one partition touches only its rows.
    assert c.delete("id >= 0 and id < 1010", partition_name="p1").delete_count == 10
    assert count(c, ["_default"]) == ROWS
    assert count(c) == ROWS + P1_ROWS - 10


def test_drop_needs_release_and_drops_the_rows(server):
    c = loaded(server)
    p1 = Partition(c, "p1")  # creates it
    p1.insert(p1_rows())
    c.flush()
    utility.wait_for_index_building_complete(c.name)
    assert p1.num_entities == P1_ROWS
    loaded_msg = "partition cannot be dropped, partition is loaded, please release it first"
    raises(lambda: c.drop_partition("p1"), MilvusException, 65535, loaded_msg)
    raises(lambda: c.drop_partition("_default"), MilvusException, 65535, loaded_msg)
    p1.release()
    assert c.has_partition("p1")
    # The rest of the collection is still loaded.
    assert count(c) == ROWS
    # Refused by the query node, which names the partitions by id.
    raises(
        lambda: count(c, ["p1"]),
        MilvusException,
        65535,
        "v0: fail to Query, QueryNode ID = 1, reason=partition not loaded[partition=[",
    )
    raises(
        lambda: c.search(query_vec(), "embedding", {"params": {"ef": 64}}, limit=3, partition_names=["p1"]),
        MilvusException,
        65535,
        "v0: fail to Search, QueryNode ID=1, reason=partition not loaded[partition=[",
    )
    c.drop_partition("p1")
    assert [p.name for p in c.partitions] == ["_default"]
    # annlab's statistics follow at once; real Milvus's within about a second.
    deadline = time.time() + (10 if server.real else 0)
    while c.num_entities != ROWS and time.time() < deadline:
        time.sleep(0.2)
    assert c.num_entities == ROWS, "p1's rows went with it"
    c.release()
    raises(lambda: c.drop_partition("_default"), MilvusException, 65535, "default partition cannot be deleted")


def test_load_one_partition(server):
    connect(server)
    c = Collection("probe_parts", schema())
    c.create_partition("p1")
    c.insert(rows())
    c.insert(p1_rows(), partition_name="p1")
    c.flush()
    c.create_index("embedding", hnsw())
    utility.wait_for_index_building_complete("probe_parts")
    c.load(partition_names=["p1"])
    assert utility.load_state("probe_parts", partition_names=["p1"]).name == "Loaded"
    assert utility.load_state("probe_parts", partition_names=["_default"]).name == "NotLoad"
    assert count(c) == P1_ROWS, "only p1 is loaded"
    hits = c.search(query_vec(), "embedding", {"params": {"ef": 64}}, limit=5)[0]
    assert all(h.id >= 1000 for h in hits)
    c.release()
    raises(lambda: count(c), MilvusException, 101, "failed to query: collection not loaded")


def test_milvus_client_partitions(server):
    connect(server)
    Collection("probe_mc", schema()).create_index("embedding", hnsw())
    mc = MilvusClient(uri=f"http://127.0.0.1:{server.port}")
    mc.create_partition("probe_mc", "p1")
    mc.create_partition("probe_mc", "p1")  # the server itself accepts a duplicate
    assert mc.list_partitions("probe_mc") == ["_default", "p1"]
    assert mc.has_partition("probe_mc", "p1")
    assert mc.get_partition_stats("probe_mc", "p1") == {"row_count": 0}
    mc.load_partitions("probe_mc", ["p1"])
    assert str(mc.get_load_state("probe_mc", "p1")["state"]) == "Loaded"
    mc.release_partitions("probe_mc", ["p1"])
    mc.drop_partition("probe_mc", "p1")
    assert mc.list_partitions("probe_mc") == ["_default"]
    assert mc.describe_collection("probe_mc")["num_partitions"] == 1


@annlab_only
def test_partitions_survive_a_restart(server):
    server.stop()
    data = tempfile.mkdtemp(prefix="annlab-serve-")
    try:
        first = Server(data)
        connect(first)
        c = Collection("kept", schema())
        c.create_index("embedding", hnsw())
        c.create_partition("p1")
        c.insert(rows())
        c.insert(p1_rows(), partition_name="p1")
        c.flush()
        utility.wait_for_index_building_complete("kept")
        connections.disconnect("default")
        code, _ = first.stop(signal.SIGTERM)
        assert code == 0, first.stderr()

        second = Server(data)
        try:
            connect(second)
            c = Collection("kept")
            assert [p.name for p in c.partitions] == ["_default", "p1"]
            assert Partition(c, "p1").num_entities == P1_ROWS
            c.load()
            assert count(c, ["p1"]) == P1_ROWS
            assert count(c, ["_default"]) == ROWS
            connections.disconnect("default")
        finally:
            code, _ = second.stop(signal.SIGTERM)
            assert code == 0, second.stderr()
    finally:
        shutil.rmtree(data)
