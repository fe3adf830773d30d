"""Reliability under load (issue 14): CLIENTS concurrent MilvusClients, each on
its own connection, OPS mixed calls each against one `annlab serve`: inserts with
dynamic keys and a JSON field, searches and queries filtered on both, upserts,
deletes, get, count(*), flushes and manual compactions, on two collections.

Each client owns a range of primary keys and keeps its own model of the rows in
that range, so every read of its range is checked exactly (annlab is strongly
consistent; the real Milvus is read at Strong). Zero errors are allowed. The
timing of each kind of call is printed as `annlab bench` prints latencies (not
asserted). ANNLAB_RELIABILITY_CLIENTS / ANNLAB_RELIABILITY_OPS change the size.
"""

import os
import random
import threading
import time

from pymilvus import DataType, MilvusClient

CLIENTS = int(os.environ.get("ANNLAB_RELIABILITY_CLIENTS", "16"))
OPS = int(os.environ.get("ANNLAB_RELIABILITY_OPS", "1000"))
DIM = 8
COLLECTIONS = ("load_a", "load_b")
SPAN = 1_000_000  # client k owns the keys [k * SPAN, (k + 1) * SPAN)
COLORS = ("red", "green", "blue", "black")


def uri(server):
    return f"http://127.0.0.1:{server.port}"


def vector(key, version=0):
    rng = random.Random(key * 7919 + version)
    return [rng.uniform(-1, 1) for _ in range(DIM)]


def row(key, version=0):
    """A row with dynamic keys (`color`, `rank` and, for some, `extra_<k>`) and
    a JSON document; `version` changes everything but the key (upserts)."""
    rng = random.Random(key * 31 + version)
    r = {
        "id": key,
        "vec": vector(key, version),
        "doc": {"n": rng.randrange(10), "tags": [rng.choice("xyz") for _ in range(2)], "v": version},
        "color": rng.choice(COLORS),
        "rank": rng.randrange(100),
    }
    if key % 3 == 0:
        r[f"extra_{key % 5}"] = version
    return r


def create(mc, name):
    s = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=True)
    s.add_field("id", DataType.INT64, is_primary=True)
    s.add_field("vec", DataType.FLOAT_VECTOR, dim=DIM)
    s.add_field("doc", DataType.JSON)
    ip = mc.prepare_index_params()
    ip.add_index(field_name="vec", index_type="HNSW", metric_type="L2", params={"M": 8, "efConstruction": 32})
    mc.create_collection(name, schema=s, index_params=ip, consistency_level="Strong")


class Client:
    """One client: its connection, its key range, its model of its rows, and
    the time each kind of call took."""

    def __init__(self, server, k):
        self.k = k
        self.mc = MilvusClient(uri=uri(server), alias=f"reliability-{k}")
        self.rng = random.Random(1000 + k)
        self.lo, self.hi = k * SPAN, (k + 1) * SPAN
        self.next_key = self.lo
        self.model = {name: {} for name in COLLECTIONS}  # key -> row
        self.times = {}
        self.history = []  # (collection, call, keys): shown when a check fails

    def timed(self, kind, fn, *args, **kw):
        t0 = time.perf_counter()
        out = fn(*args, **kw)
        self.times.setdefault(kind, []).append(time.perf_counter() - t0)
        return out

    def mine(self):
        return f"id >= {self.lo} and id < {self.hi}"

    def expect(self, name, got, want_keys, fields=("color", "rank", "doc")):
        """`got` (rows from the server) are exactly the model's rows `want_keys`."""
        model = self.model[name]
        odd = {g["id"] for g in got} ^ set(want_keys)
        assert not odd, (name, sorted(odd), [h for h in self.history if h[0] == name and set(h[2]) & odd])
        for g in got:
            for f in fields:
                assert g.get(f) == model[g["id"]].get(f), (name, g, model[g["id"]])

    def step(self):
        name = self.rng.choice(COLLECTIONS)
        model = self.model[name]
        op = self.rng.random()
        if op < 0.25:  # search, filtered on a dynamic key or a JSON path
            color = self.rng.choice(COLORS)
            n = self.rng.randrange(10)
            flt = self.rng.choice([f'color == "{color}"', f'doc["n"] >= {n}',
                                   f'color == "{color}" and doc["n"] < {n} and {self.mine()}'])
            hits = self.timed("search", self.mc.search, name, [vector(self.rng.randrange(10**6))], limit=5,
                              filter=flt, output_fields=["color", "doc"],
                              search_params={"metric_type": "L2", "params": {"ef": 32}})
            assert len(hits) == 1 and len(hits[0]) <= 5, hits
            for h in hits[0]:
                e = h["entity"]
                assert ("color ==" not in flt or e["color"] == color), (flt, h)
                assert ('doc["n"] >=' not in flt or e["doc"]["n"] >= n), (flt, h)
                assert ('doc["n"] <' not in flt or e["doc"]["n"] < n), (flt, h)
            if self.mine() in flt:
                want = [key for key, r in model.items() if r["color"] == color and r["doc"]["n"] < n]
                assert len(hits[0]) == min(5, len(want)), (flt, hits, want)
                assert {h["id"] for h in hits[0]} <= set(want), (flt, hits, want)
        elif op < 0.45:  # insert rows with dynamic keys
            keys = list(range(self.next_key, self.next_key + 5))
            self.next_key += 5
            rows = [row(key) for key in keys]
            r = self.timed("insert", self.mc.insert, name, rows)
            assert r["insert_count"] == 5, r
            self.history.append((name, "insert", keys))
            model.update({key: r for key, r in zip(keys, rows)})
        elif op < 0.55 and model:  # upsert existing rows (and one new)
            keys = self.rng.sample(sorted(model), min(2, len(model))) + [self.next_key]
            self.next_key += 1
            rows = [row(key, version=self.rng.randrange(1, 10**6)) for key in keys]
            r = self.timed("upsert", self.mc.upsert, name, rows)
            assert r["upsert_count"] == len(rows), r
            self.history.append((name, "upsert", keys))
            model.update({key: r for key, r in zip(keys, rows)})
        elif op < 0.63 and model:  # delete by key or by a JSON filter on my range
            if self.rng.random() < 0.5:
                keys = self.rng.sample(sorted(model), min(3, len(model)))
                self.timed("delete", self.mc.delete, name, ids=keys)
            else:
                n = self.rng.randrange(10)
                keys = [key for key, r in model.items() if r["doc"]["n"] == n and r["color"] == "black"]
                self.timed("delete", self.mc.delete, name, filter=f'doc["n"] == {n} and color == "black" and {self.mine()}')
            self.history.append((name, "delete", keys))
            for key in keys:
                del model[key]
        elif op < 0.78:  # query my range on a dynamic key and a JSON path
            color = self.rng.choice(COLORS)
            tag = self.rng.choice("xyz")
            got = self.timed("query", self.mc.query, name,
                             filter=f'{self.mine()} and (color == "{color}" or json_contains(doc["tags"], "{tag}"))',
                             output_fields=["color", "rank", "doc"], limit=16384)
            want = [key for key, r in model.items() if r["color"] == color or tag in r["doc"]["tags"]]
            self.expect(name, got, want)
        elif op < 0.86 and model:  # get by primary key, every field
            keys = self.rng.sample(sorted(model), min(4, len(model)))
            got = self.timed("get", self.mc.get, name, ids=keys, output_fields=["*"])
            self.expect(name, got, keys, fields=("color", "rank", "doc", "extra_0", "extra_3"))
            for g in got:
                assert all(abs(a - b) < 1e-6 for a, b in zip(g["vec"], model[g["id"]]["vec"], strict=True)), g
        elif op < 0.95:  # count(*) of my range
            got = self.timed("count", self.mc.query, name, filter=self.mine(), output_fields=["count(*)"])
            assert got[0]["count(*)"] == len(model), (name, got, len(model))
        elif op < 0.98:
            self.timed("flush", self.mc.flush, name)
        else:
            job = self.timed("compact", self.mc.compact, name)
            state = self.timed("compaction state", self.mc.get_compaction_state, job)
            assert state in ("Executing", "Completed"), state


def percentile(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p * len(xs)))]


def test_many_clients_mixed_operations(server):
    mc = MilvusClient(uri=uri(server))
    for name in COLLECTIONS:
        create(mc, name)
    clients = [Client(server, k) for k in range(CLIENTS)]
    errors = []
    done = [0] * CLIENTS

    def run(c):
        try:
            for _ in range(OPS):
                c.step()
                done[c.k] += 1
        except Exception as e:  # noqa: BLE001
            import traceback

            errors.append(f"client {c.k} after {done[c.k]} calls: {type(e).__name__}: {e}\n{traceback.format_exc()}")

    t0 = time.perf_counter()
    threads = [threading.Thread(target=run, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=900)
    wall = time.perf_counter() - t0
    assert not errors, "\n".join(errors[:3])
    assert done == [OPS] * CLIENTS, done

    # Every client's rows are all there, once the last compaction is through.
    job = mc.compact(COLLECTIONS[0])
    for _ in range(600):
        if mc.get_compaction_state(job) == "Completed":
            break
        time.sleep(0.1)
    for c in clients:
        for name in COLLECTIONS:
            got = mc.query(name, filter=c.mine(), output_fields=["color", "rank", "doc"], limit=16384)
            c.expect(name, got, list(c.model[name]))

    # `annlab bench`-style timing: not asserted.
    total = CLIENTS * OPS
    print(f"  {CLIENTS} clients x {OPS} calls: {total} calls in {wall:.1f} s ({total / wall:.0f} calls/s)")
    kinds = {}
    for c in clients:
        for kind, xs in c.times.items():
            kinds.setdefault(kind, []).extend(xs)
    for kind, xs in sorted(kinds.items()):
        print(f"  {kind:<17} {len(xs):>6} calls  p50 {percentile(xs, 0.5) * 1e3:7.2f} ms"
              f"  p99 {percentile(xs, 0.99) * 1e3:7.2f} ms")
    for c in clients:
        c.mc.close()
