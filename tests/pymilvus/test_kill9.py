"""kill -9 of `annlab serve --data-dir` (issue 14): KILLS times, a client inserts,
flushes, deletes and compacts while the server is killed at a random moment; the
server restarts on the same directory, and then every row that a completed flush
reported is back (with its values), every delete that a completed flush covered
stays applied, no row appears that was never sent, and the collection loads and
searches. Each kill is counted by the call in flight (insert, flush, compaction,
delete); each of insert, flush and compaction must have been hit.
ANNLAB_KILLS changes the count (default 100).
"""

import os
import random
import shutil
import signal
import subprocess
import tempfile
import threading
import time

from pymilvus import DataType, MilvusClient

from harness import BIN, Server, annlab_only

KILLS = int(os.environ.get("ANNLAB_KILLS", "100"))
NAME = "kept"
DIM = 8
BATCH = 10


def vector(key):
    rng = random.Random(key)
    return [rng.uniform(-1, 1) for _ in range(DIM)]


def row(key):
    return {"id": key, "vec": vector(key), "tag": f"t{key % 7}"}


class State:
    """What the client knows: keys whose insert answered (`sent`; in flight too),
    those a completed flush covered (`durable`), deletes that answered
    (`deleted`) and those a completed flush covered (`durable_deleted`)."""

    def __init__(self):
        self.next_key = 0
        self.sent = set()
        self.acked = set()
        self.durable = set()
        self.deleted = set()
        self.durable_deleted = set()
        self.in_flight = None
        self.error = None
        self.kills = {}


def work(mc, st, killing, rng):
    """Inserts, flushes, deletes and compactions until the server is killed; a
    call that fails before that is an error of the test."""
    try:
        while not killing.is_set():
            op = rng.random()
            if op < 0.55:
                keys = list(range(st.next_key, st.next_key + BATCH))
                st.next_key += BATCH
                st.sent.update(keys)
                st.in_flight = "insert"
                mc.insert(NAME, [row(k) for k in keys], timeout=10)
                st.acked.update(keys)
            elif op < 0.7:
                acked, deleted = set(st.acked), set(st.deleted)
                st.in_flight = "flush"
                mc.flush(NAME, timeout=10)
                st.durable |= acked
                st.durable_deleted |= deleted
            elif op < 0.8:
                live = sorted(st.durable - st.deleted)
                if not live:
                    continue
                keys = rng.sample(live, min(3, len(live)))
                st.in_flight = "delete"
                mc.delete(NAME, ids=keys, timeout=10)
                st.deleted.update(keys)
            else:
                st.in_flight = "compaction"
                job = mc.compact(NAME, timeout=10)
                mc.get_compaction_state(job, timeout=10)
            st.in_flight = None
    except Exception as e:  # noqa: BLE001
        if not killing.is_set():
            st.error = f"{st.in_flight}: {type(e).__name__}: {e}"


def present(mc, st):
    """The keys in the collection (checking each row's values), 10,000 at a time."""
    keys = set()
    for top in range(0, st.next_key + 1, 10_000):
        got = mc.query(NAME, filter=f"id >= {top} and id < {top + 10_000}", output_fields=["vec", "tag"], limit=16384)
        for g in got:
            keys.add(g["id"])
            assert g["tag"] == f"t{g['id'] % 7}", g
            assert all(abs(a - b) < 1e-6 for a, b in zip(g["vec"], vector(g["id"]), strict=True)), g
    return keys


def check(mc, st):
    """After a restart: the guarantees, then what came back becomes the state."""
    mc.load_collection(NAME)
    keys = present(mc, st)
    lost = st.durable - st.deleted - keys
    assert not lost, f"flushed rows lost: {sorted(lost)[:20]} ({len(lost)})"
    back = st.durable_deleted & keys
    assert not back, f"rows whose delete was flushed came back: {sorted(back)[:20]}"
    phantom = keys - st.sent
    assert not phantom, f"rows never sent: {sorted(phantom)[:20]}"
    if keys:
        hits = mc.search(NAME, [vector(min(keys))], limit=3, search_params={"params": {"ef": 16}})
        assert hits[0][0]["id"] == min(keys), hits
    # What is on disk now is durable; rows sent but not back are gone for good.
    st.durable = set(keys)
    st.acked = set(keys)
    st.deleted = set()
    st.durable_deleted |= st.sent - keys
    return len(keys)


@annlab_only
def test_kill_9_during_insert_flush_and_compaction(server):
    server.stop()
    data = tempfile.mkdtemp(prefix="annlab-kill9-")
    rng = random.Random(9)
    st = State()
    t0 = time.time()
    try:
        first = Server(data)
        mc = MilvusClient(uri=f"http://127.0.0.1:{first.port}")
        s = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
        s.add_field("id", DataType.INT64, is_primary=True)
        s.add_field("vec", DataType.FLOAT_VECTOR, dim=DIM)
        s.add_field("tag", DataType.VARCHAR, max_length=8)
        ip = mc.prepare_index_params()
        ip.add_index(field_name="vec", index_type="HNSW", metric_type="L2", params={"M": 8, "efConstruction": 32})
        mc.create_collection(NAME, schema=s, index_params=ip)
        mc.close()
        first.stop(signal.SIGKILL)  # a kill right after the create: the collection is there
        rows = 0
        for i in range(KILLS):
            srv = Server(data)
            mc = MilvusClient(uri=f"http://127.0.0.1:{srv.port}", alias=f"kill9-{i}")
            try:
                if i == 0:  # killed right after create_collection: the index is kept too
                    idx = mc.describe_index(NAME, "vec")
                    assert (idx["index_type"], idx["metric_type"]) == ("HNSW", "L2"), idx
                rows = check(mc, st)
            except Exception:
                print(srv.stderr())
                srv.stop(signal.SIGKILL)
                raise
            killing = threading.Event()
            worker = threading.Thread(target=work, args=(mc, st, killing, rng), daemon=True)
            worker.start()
            time.sleep(rng.uniform(0.05, 0.35))
            killing.set()
            kind = st.in_flight or "between calls"
            srv.stop(signal.SIGKILL)
            st.kills[kind] = st.kills.get(kind, 0) + 1
            mc.close()
            worker.join(timeout=30)
            assert not worker.is_alive(), "the client did not notice the kill"
            assert st.error is None, st.error
        final = Server(data)
        try:
            mc = MilvusClient(uri=f"http://127.0.0.1:{final.port}")
            rows = check(mc, st)
            mc.close()
        finally:
            code, _ = final.stop(signal.SIGTERM)
            assert code == 0, final.stderr()
        info = subprocess.run([BIN, "db", "info", "--data-dir", data], capture_output=True, text=True, timeout=60)
        assert info.returncode == 0 and NAME in info.stdout, info.stdout + info.stderr
        print(f"  {KILLS} kills in {time.time() - t0:.0f} s, by the call in flight: "
              + ", ".join(f"{k} {n}" for k, n in sorted(st.kills.items()))
              + f"; {rows} rows kept, {len(st.sent)} sent")
        for kind in ("insert", "flush", "compaction"):
            assert st.kills.get(kind, 0) >= max(1, KILLS // 20), st.kills
    finally:
        shutil.rmtree(data)
