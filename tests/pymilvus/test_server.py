"""The server as a process: --data-dir across a restart, SIGINT/SIGTERM, the
Prometheus endpoint, and many clients at once."""

import os
import random
import shutil
import signal
import tempfile
import threading

from pymilvus import Collection, MilvusException, connections, utility

from harness import Server, connect
from test_errors import hnsw, query_vec, rows, schema

LOAD_CLIENTS = 8
LOAD_OPS = int(os.environ.get("ANNLAB_LOAD_OPS", "500"))


def test_data_dir_survives_a_restart(server):
    server.stop()
    data = tempfile.mkdtemp(prefix="annlab-serve-")
    try:
        first = Server(data)
        connect(first)
        c = Collection("kept", schema())
        c.create_index("embedding", hnsw())
        c.insert(rows(200))
        c.flush()
        utility.wait_for_index_building_complete("kept")
        c.insert(rows(10, seed=2))  # not flushed: lost, as in Milvus without its log
        connections.disconnect("default")
        code, out = first.stop(signal.SIGINT)
        assert code == 0 and "annlab serve: stopped" in out, (code, out, first.stderr())

        second = Server(data)
        try:
            connect(second)
            assert utility.list_collections() == ["kept"]
            c = Collection("kept")
            assert c.num_entities == 200
            assert c.index().params["index_type"] == "HNSW"
            assert utility.index_building_progress("kept")["indexed_rows"] == 200
            c.load()
            assert c.query("", output_fields=["count(*)"])[0]["count(*)"] == 200
            assert len(c.search(query_vec(), "embedding", {"params": {"ef": 16}}, limit=5)[0]) == 5
            utility.drop_collection("kept")
            connections.disconnect("default")
        finally:
            code, _ = second.stop(signal.SIGTERM)
            assert code == 0, second.stderr()
        third = Server(data)
        try:
            connect(third)
            assert utility.list_collections() == [], "a drop is durable"
        finally:
            third.stop()
    finally:
        shutil.rmtree(data)


def test_metrics_endpoint(server):
    connect(server)
    c = Collection("metered", schema())
    c.create_index("embedding", hnsw())
    c.insert(rows(200))
    c.flush()
    utility.wait_for_index_building_complete("metered")
    c.load()
    for _ in range(3):
        c.search(query_vec(), "embedding", {"params": {"ef": 32}}, limit=3)
    c.query("id < 5")
    text = server.metrics()
    for line in [
        "# TYPE annlab_search_latency_seconds histogram",
        'annlab_search_latency_seconds_count{collection="metered",index_type="HNSW"} 3',
        'annlab_search_requests_total{collection="metered",index_type="HNSW"} 3',
        'annlab_insert_vectors_total{collection="metered"} 200',
        'annlab_query_requests_total{collection="metered"} 1',
        'annlab_index_build_seconds_count{collection="metered",index_type="HNSW"} 1',
        'annlab_collection_rows{collection="metered"} 200',
    ]:
        assert line in text, f"{line!r} not in:\n{text}"


def test_many_clients_at_once(server):
    """LOAD_CLIENTS clients, each on its own connection, LOAD_OPS mixed calls each:
    inserts, flushes, searches, queries, counts and deletes on two collections."""
    connect(server)
    for name in ("load_a", "load_b"):
        c = Collection(name, schema())
        c.create_index("embedding", hnsw(m=8, ef_construction=32))
        c.insert(rows(200))
        c.flush()
        c.load()
    errors = []
    done = [0] * LOAD_CLIENTS

    def client(k):
        alias = f"client{k}"
        try:
            connections.connect(alias=alias, host="127.0.0.1", port=str(server.port))
            rng = random.Random(k)
            cols = {n: Collection(n, using=alias) for n in ("load_a", "load_b")}
            for i in range(LOAD_OPS):
                c = cols[rng.choice(["load_a", "load_b"])]
                op = rng.random()
                if op < 0.45:
                    hits = c.search(query_vec(), "embedding", {"params": {"ef": 32}}, limit=5)
                    assert len(hits[0]) == 5
                elif op < 0.65:
                    base = 10_000 * (k + 1) + i * 10
                    data = rows(10, seed=base)
                    data[0] = list(range(base, base + 10))
                    assert c.insert(data).insert_count == 10
                elif op < 0.8:
                    assert c.query("", output_fields=["count(*)"])[0]["count(*)"] > 0
                elif op < 0.9:
                    c.query(f"source == 'source_{rng.randrange(10)}.txt'", limit=5)
                elif op < 0.95:
                    c.delete(f"id in [{10_000 * (k + 1) + rng.randrange(LOAD_OPS) * 10}]")
                else:
                    c.flush()
                done[k] += 1
        except Exception as e:  # noqa: BLE001
            errors.append(f"client {k}: {type(e).__name__}: {e}")
        finally:
            connections.disconnect(alias)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(LOAD_CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    assert not errors, errors
    assert done == [LOAD_OPS] * LOAD_CLIENTS, done
    # The server still answers, and refuses a malformed call without dying.
    try:
        Collection("load_a").search([[1.0] * 3], "embedding", {}, limit=3)
        raise AssertionError("a 3-d query on an 8-d field should fail")
    except MilvusException as e:
        assert e.code == 65535
    assert utility.list_collections() == ["load_a", "load_b"]
