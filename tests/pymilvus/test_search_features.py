"""Search features of Milvus 2.4/2.5 through pymilvus 2.5.18: search and query
iterators that return every matching row (HNSW, IVF_FLAT with nlist 1024, FLAT;
with and without a filter).

The iterator tests also run against the real Milvus 2.3.5 (tests/milvus): its
query iterator and its search iterator over FLAT return every row too; over
HNSW and IVF_FLAT it answers each page with the index and loses rows (an
IVF_FLAT page searched with `nprobe` misses rows closer than its last hit in
unprobed lists, and 2.3's range search only probes `nprobe` lists), so there
only annlab is held to "every row"."""

import logging
import random
from contextlib import contextmanager

from pymilvus import (
    Collection,
    CollectionSchema,
    DataType,
    FieldSchema,
    MilvusClient,
)

from pymilvus.client.search_iterator import SearchIteratorV2

from harness import annlab_only, connect

N = 10_000
DIM = 32
INDEXES = {
    "FLAT": {},
    "HNSW": {"M": 16, "efConstruction": 64},
    "IVF_FLAT": {"nlist": 1024},
}


def vectors(n=N, dim=DIM, seed=7):
    rng = random.Random(seed)
    return [[rng.gauss(0, 1) for _ in range(dim)] for _ in range(n)]


def collection(server, name, index, data):
    """id, tag (id % 10) and v, flushed, indexed as `index`, loaded."""
    connect(server)
    schema = CollectionSchema(
        [
            FieldSchema("id", DataType.INT64, is_primary=True),
            FieldSchema("tag", DataType.INT64),
            FieldSchema("v", DataType.FLOAT_VECTOR, dim=DIM),
        ]
    )
    c = Collection(name, schema)
    for i in range(0, len(data), 2500):
        ids = list(range(i, min(i + 2500, len(data))))
        c.insert([ids, [j % 10 for j in ids], data[i : i + 2500]])
    c.flush()
    c.create_index("v", {"index_type": index, "metric_type": "L2", "params": INDEXES[index]})
    c.load()
    return c


def drain(it):
    """Every page of an iterator: ids in order, and the pages' sizes."""
    ids, sizes, distances = [], [], []
    while True:
        page = it.next()
        if page is None or len(page) == 0:  # None: a v2 iterator's limit was reached
            break
        sizes.append(len(page))
        for hit in page:
            ids.append(hit["id"] if isinstance(hit, dict) else hit.id)
            if not isinstance(hit, dict):
                distances.append(hit.distance)
    it.close()
    return ids, sizes, distances


def test_search_iterator_returns_every_row(server):
    data = vectors()
    for index in INDEXES:
        c = collection(server, f"iter_{index.lower()}", index, data)
        every_row = index == "FLAT" or not server.real
        for expr, want in ((None, set(range(N))), ("tag == 3", {i for i in range(N) if i % 10 == 3})):
            it = c.search_iterator(
                data[:1], "v", {"metric_type": "L2"}, batch_size=1000, expr=expr, output_fields=["tag"]
            )
            ids, sizes, distances = drain(it)
            assert len(ids) == len(set(ids)), f"{index} {expr}: a row came twice"
            assert set(ids) <= want, f"{index} {expr}: rows outside the filter"
            if every_row:
                assert set(ids) == want, f"{index} {expr}: {len(ids)} of {len(want)} rows"
                assert all(s == 1000 for s in sizes[:-1]), sizes
                # Pages come nearest first, and the query's own row first of all.
                assert distances == sorted(distances)
                if expr is None:
                    assert ids[0] == 0
        c.drop()


def test_search_iterator_with_a_limit_and_through_milvus_client(server):
    data = vectors()
    collection(server, "iter_client", "IVF_FLAT", data)
    mc = MilvusClient(uri=f"http://127.0.0.1:{server.port}")
    # MilvusClient tries the iterator v2 first (annlab answers it) and falls
    # back to v1 against Milvus 2.3, which answers without the v2 token.
    it = mc.search_iterator(
        "iter_client", data[:1], batch_size=300, limit=1234, filter="tag in [1, 2]",
        search_params={"metric_type": "L2", "params": {"nprobe": 8}},
    )
    ids, sizes, _ = drain(it)
    assert all(i % 10 in (1, 2) for i in ids) and len(set(ids)) == len(ids)
    if not server.real:  # Milvus 2.3.5 stops after the first page's 82 rows
        assert len(ids) == 1234, len(ids)
        assert sizes == [300, 300, 300, 300, 34], sizes


@contextmanager
def pymilvus_warnings():
    """The warnings pymilvus logs inside the block (the harness silences them)."""
    records = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = records.append
    logger = logging.getLogger("pymilvus")
    level = logger.level
    logger.setLevel(logging.WARNING)
    logger.addHandler(handler)
    try:
        yield records
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def drain_v2(it):
    """Every page of a search iterator v2: ids and distances in order, sizes."""
    ids, distances, sizes = [], [], []
    while True:
        page = it.next()
        if page is None or len(page) == 0:  # None: the limit was reached
            return ids, distances, sizes
        sizes.append(len(page))
        ids.extend(hit["id"] for hit in page)
        distances.extend(hit["distance"] for hit in page)


@annlab_only
def test_search_iterator_v2_returns_every_row(server):
    """Milvus 2.5's search iterator v2 (Milvus 2.3.5 has none): MilvusClient
    takes the v2 path (no fallback warning, pages carry the token), pages of
    `batch_size` continue after the last bound with the server's session
    timestamp as their guarantee, and together hold every matching row once,
    over FLAT, HNSW and IVF_FLAT, with and without a filter."""
    data = vectors()
    mc = MilvusClient(uri=f"http://127.0.0.1:{server.port}")
    for index in INDEXES:
        name = f"iter2_{index.lower()}"
        collection(server, name, index, data)
        for expr, want in ((None, set(range(N))), ("tag == 3", {i for i in range(N) if i % 10 == 3})):
            with pymilvus_warnings() as warned:
                it = mc.search_iterator(
                    name, data[:1], batch_size=1000, filter=expr, output_fields=["tag"],
                    search_params={"metric_type": "L2"},
                )
                assert isinstance(it, SearchIteratorV2), type(it)
                ids, distances, sizes = drain_v2(it)
            assert not warned, [r.getMessage() for r in warned]
            assert it._params["guarantee_timestamp"] > 0
            token = it._params["search_iter_id"]
            assert len(token) == 36 and token.count("-") == 4, token
            what = f"{index} {expr}"
            assert len(ids) == len(set(ids)), f"{what}: a row came twice"
            assert set(ids) == want, f"{what}: {len(ids)} of {len(want)} rows"
            assert all(s == 1000 for s in sizes[:-1]), sizes
            assert distances == sorted(distances), what
            if expr is None:
                assert ids[0] == 0
        mc.drop_collection(name)


@annlab_only
def test_search_iterator_v2_through_ties(server):
    """Rows at the same distance as a page's last hit come on the next page:
    40 distinct vectors, 25 rows each, pages of 7 (Milvus 2.5 keeps only the
    rows strictly past the last bound and loses those)."""
    connect(server)
    distinct = vectors(n=40, seed=3)
    schema = CollectionSchema(
        [FieldSchema("id", DataType.INT64, is_primary=True), FieldSchema("v", DataType.FLOAT_VECTOR, dim=DIM)]
    )
    c = Collection("ties", schema)
    c.insert([list(range(1000)), [distinct[i % 40] for i in range(1000)]])
    c.flush()
    c.create_index("v", {"index_type": "HNSW", "metric_type": "IP", "params": {"M": 8, "efConstruction": 64}})
    c.load()
    mc = MilvusClient(uri=f"http://127.0.0.1:{server.port}")
    it = mc.search_iterator("ties", distinct[:1], batch_size=7, limit=700, search_params={"metric_type": "IP"})
    ids, distances, sizes = drain_v2(it)
    assert len(ids) == 700 == len(set(ids)), len(ids)
    assert distances == sorted(distances, reverse=True)
    assert sizes == [7] * 100, sizes
    ids, _, _ = drain_v2(mc.search_iterator("ties", distinct[:1], batch_size=7, search_params={"metric_type": "IP"}))
    assert sorted(ids) == list(range(1000))


@annlab_only
def test_iterators_get_a_session_timestamp(server):
    """session_ts: an iterator's first page carries the server's timestamp,
    which the iterator sends back as its guarantee (pymilvus warns and uses its
    own clock when it is 0); other reads carry none, as in Milvus."""
    data = vectors(n=500)
    c = collection(server, "sessions", "FLAT", data)
    with pymilvus_warnings() as warned:
        it = c.query_iterator(batch_size=100, expr="tag == 1", output_fields=["id"])
        ids, _, _ = drain(it)
        it = c.search_iterator(data[:1], "v", {"metric_type": "L2"}, batch_size=100)
        drain(it)
    assert sorted(ids) == [i for i in range(500) if i % 10 == 1]
    # (The v1 search iterator also logs, once past the last row, that its
    # range probes found nothing more.)
    mvcc = [r.getMessage() for r in warned if "mvccTs" in r.getMessage()]
    assert not mvcc, mvcc
    mc = MilvusClient(uri=f"http://127.0.0.1:{server.port}")
    res = mc.query("sessions", filter="id < 3")
    assert res.extra.get("iterator_session_ts", 0) == 0, res.extra


def test_query_iterator_returns_every_row(server):
    data = vectors(n=3000)
    c = collection(server, "iter_query", "HNSW", data)
    for expr, want in ((None, set(range(3000))), ("tag >= 5", {i for i in range(3000) if i % 10 >= 5})):
        it = c.query_iterator(batch_size=700, expr=expr, output_fields=["id", "tag"])
        ids, sizes, _ = drain(it)
        assert len(ids) == len(set(ids))
        assert set(ids) == want, f"{expr}: {len(ids)} of {len(want)}"
        assert ids == sorted(ids), "pages in primary-key order"
        assert all(s == 700 for s in sizes[:-1]), sizes
    # With a limit and an offset.
    it = c.query_iterator(batch_size=100, limit=250, offset=10, expr="tag == 0", output_fields=["id"])
    ids, sizes, _ = drain(it)
    assert ids == [i for i in range(3000) if i % 10 == 0][10:260], ids[:5]
    assert sizes == [100, 100, 50], sizes


@annlab_only
def test_group_by_field(server):
    """Milvus 2.5's grouping search (2.3.5 has none): `limit` groups of up to
    `group_size` rows sharing `doc`, in the order of their best hit; the
    group values ride along as `group_by_field_value` (pymilvus 2.5.18 reads
    the field through `output_fields`)."""
    connect(server)
    schema = CollectionSchema(
        [
            FieldSchema("id", DataType.INT64, is_primary=True),
            FieldSchema("doc", DataType.VARCHAR, max_length=16),
            FieldSchema("price", DataType.DOUBLE),
            FieldSchema("v", DataType.FLOAT_VECTOR, dim=DIM),
        ]
    )
    c = Collection("grouped", schema)
    data = vectors(n=700)
    c.insert([list(range(700)), [f"doc_{i % 7}" for i in range(700)], [i / 2 for i in range(700)], data])
    c.flush()
    c.create_index("v", {"index_type": "FLAT", "metric_type": "L2", "params": {}})
    c.load()
    mc = MilvusClient(uri=f"http://127.0.0.1:{server.port}")
    ranked = mc.search("grouped", data[:1], limit=700, output_fields=["doc"])[0]
    groups = {}
    for hit in ranked:
        rows = groups.setdefault(hit["entity"]["doc"], [])
        if len(rows) < 2:
            rows.append(hit["id"])
    want = [i for rows in list(groups.values())[1:4] for i in rows]
    got = mc.search(
        "grouped", data[:1], limit=3, offset=1, output_fields=["doc"],
        group_by_field="doc", group_size=2, strict_group_size=True,
    )[0]
    assert [h["id"] for h in got] == want, ([h["id"] for h in got], want)
    docs = [h["entity"]["doc"] for h in got]
    assert docs[0] == docs[1] and docs[2] == docs[3] and len(set(docs)) == 3, docs
    # One row per group by default; the ORM takes the same keyword.
    one = c.search(data[:1], "v", {"metric_type": "L2"}, limit=5, group_by_field="doc", output_fields=["doc"])[0]
    assert len({h.entity.get("doc") for h in one}) == 5 and len(one) == 5

    def refused(**kw):
        try:
            mc.search("grouped", data[:1], limit=3, **kw)
        except Exception as e:  # noqa: BLE001
            return str(e)
        raise AssertionError(f"{kw} was accepted")

    assert "unsupported data type VECTOR_FLOAT for group by operator" in refused(group_by_field="v")
    assert "unsupported data type DOUBLE for group by operator" in refused(group_by_field="price")
    assert "groupBy field not found in schema: field not found[field=nope]" in refused(group_by_field="nope")
    assert "input group size:11 exceeds configured max group size:10" in refused(
        group_by_field="doc", group_size=11)
    assert "Not allowed to do range-search when doing search-group-by" in refused(
        group_by_field="doc", search_params={"params": {"radius": 1000.0}})


LEVELS = ["Strong", "Bounded", "Session", "Eventually"]


def test_consistency_levels(server):
    """Every consistency level is accepted by create_collection, search and
    query (Customized too, with a guarantee timestamp); describe_collection
    reports the level the collection was created with (as Milvus does, and as
    pymilvus's ORM checks when a collection is opened again). annlab serves
    every level strongly: a read sees every write before it."""
    connect(server)
    data = vectors(n=50)
    for level in LEVELS:
        schema = CollectionSchema(
            [FieldSchema("id", DataType.INT64, is_primary=True), FieldSchema("v", DataType.FLOAT_VECTOR, dim=DIM)]
        )
        name = f"level_{level.lower()}"
        c = Collection(name, schema, consistency_level=level)
        c.insert([list(range(50)), data])
        c.create_index("v", {"index_type": "FLAT", "metric_type": "L2", "params": {}})
        c.load()
        again = Collection(name, consistency_level=level)  # Milvus's ORM compares levels
        assert again.name == name
        mc = MilvusClient(uri=f"http://127.0.0.1:{server.port}")
        code = {"Strong": 0, "Session": 1, "Bounded": 2, "Eventually": 3}[level]
        assert mc.describe_collection(name)["consistency_level"] == code, mc.describe_collection(name)
        for read in LEVELS:
            hits = c.search(data[:1], "v", {"metric_type": "L2"}, limit=3, consistency_level=read)
            assert len(hits[0]) == 3
            got = c.query("id < 5", output_fields=["id"], consistency_level=read)
            if level == "Strong" or read == "Strong" or not server.real:
                assert sorted(g["id"] for g in got) == [0, 1, 2, 3, 4]
        got = c.query("id < 5", output_fields=["id"], consistency_level="Customized", guarantee_timestamp=1)
        assert len(got) <= 5
        c.drop()


@annlab_only
def test_alter_database_and_drop_by_alias(server):
    """AlterDatabase (Milvus 2.4+): properties set, replaced, removed, kept;
    DropCollection through an alias refused with Milvus 2.5's words."""
    mc = MilvusClient(uri=f"http://127.0.0.1:{server.port}")
    mc.create_database("shop", properties={"database.replica.number": "1"})
    mc.alter_database_properties("shop", {"database.max.collections": "8", "database.replica.number": "2"})
    props = mc.describe_database("shop")
    assert props["database.max.collections"] == "8" and props["database.replica.number"] == "2", props
    mc.drop_database_properties("shop", ["database.replica.number"])
    props = mc.describe_database("shop")
    assert "database.replica.number" not in props and props["database.max.collections"] == "8", props
    try:
        mc.alter_database_properties("nowhere", {"a": "1"})
        raise AssertionError("a missing database was altered")
    except Exception as e:  # noqa: BLE001
        assert "database not found[database=nowhere]" in str(e), e

    connect(server)
    schema = CollectionSchema(
        [FieldSchema("id", DataType.INT64, is_primary=True), FieldSchema("v", DataType.FLOAT_VECTOR, dim=4)]
    )
    Collection("aliased", schema)
    mc.create_alias("aliased", "nick")
    try:
        mc.drop_collection("nick")
        raise AssertionError("dropped through an alias")
    except Exception as e:  # noqa: BLE001
        assert "cannot drop the collection via alias = nick" in str(e), e
    assert mc.has_collection("aliased")
    mc.drop_alias("nick")
    mc.drop_collection("aliased")
    assert not mc.has_collection("aliased")
