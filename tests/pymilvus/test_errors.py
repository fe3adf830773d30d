"""Milvus's error catalogue through pymilvus: each case raises the exception type,
code and message real Milvus 2.3.5 raised (`../shared/milvus/REFERENCE.md`,
`probe*_output_milvus235.txt`). tests/milvus runs this file against the real
Milvus 2.3.5 too (`server.real`), so every expectation here is checked against
both servers; the few places where annlab differs on purpose say so.

ROWS is above Milvus's minSegmentSizeToEnableIndex (1024): real Milvus builds no
index on a smaller segment and then ignores every index search parameter (ef=0
is accepted), where annlab indexes any sealed segment.
"""

import re

import grpc
import numpy as np
from pymilvus import (
    Collection,
    CollectionSchema,
    DataType,
    FieldSchema,
    MilvusException,
    utility,
)
from pymilvus.exceptions import DataNotMatchException, ParamError, SchemaNotReadyException

from harness import connect

DIM = 8
ROWS = 1500


def schema(auto_id=False, dim=DIM, text_len=20):
    return CollectionSchema(
        [
            FieldSchema("id", DataType.INT64, is_primary=True, auto_id=auto_id),
            FieldSchema("embedding", DataType.FLOAT_VECTOR, dim=dim),
            FieldSchema("text", DataType.VARCHAR, max_length=text_len),
            FieldSchema("source", DataType.VARCHAR, max_length=200),
            FieldSchema("timestamp", DataType.INT64),
        ],
        description="probe",
    )


def rows(n=ROWS, dim=DIM, seed=1):
    rng = np.random.default_rng(seed)
    v = rng.standard_normal((n, dim)).astype("float32")
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    return [
        list(range(n)),
        v.tolist(),
        [f"doc {i}" for i in range(n)],
        [f"source_{i % 10}.txt" for i in range(n)],
        [1_700_000_000 + i for i in range(n)],
    ]


def raises(fn, exc_type, code, message):
    """Calls fn; asserts it raised `exc_type` with `code` and a message that
    contains `message`."""
    try:
        fn()
    except exc_type as e:
        assert e.code == code, f"code {e.code} != {code}: {e}"
        assert message in e.message, f"{message!r} not in {e.message!r}"
        return
    except Exception as e:  # noqa: BLE001
        raise AssertionError(f"expected {exc_type.__name__}, got {type(e).__name__}: {e}") from e
    raise AssertionError(f"expected {exc_type.__name__}({code}, {message!r}), nothing raised")


def hnsw(m=16, ef_construction=64, metric="COSINE"):
    return {"index_type": "HNSW", "metric_type": metric, "params": {"M": m, "efConstruction": ef_construction}}


def loaded(server, name="probe_main"):
    connect(server)
    c = Collection(name, schema())
    c.insert(rows())
    c.flush()
    c.create_index("embedding", hnsw())
    utility.wait_for_index_building_complete(name)
    c.load()
    return c


def query_vec(dim=DIM):
    return [[0.1 * (i + 1) for i in range(dim)]]


def test_not_loaded_and_no_index(server):
    connect(server)
    c = Collection("probe_main", schema())
    c.insert(rows())
    c.flush()
    raises(c.load, MilvusException, 700, "index not found[collection=probe_main]")
    c.create_index("embedding", hnsw())
    search = lambda: c.search(query_vec(), "embedding", {"params": {"ef": 64}}, limit=3)  # noqa: E731
    raises(search, MilvusException, 101, "failed to search: collection not loaded[collection=")
    raises(lambda: c.query("id < 3"), MilvusException, 101, "failed to query: collection not loaded")
    c.load()
    assert len(search()[0]) == 3
    c.release()
    raises(search, MilvusException, 101, "collection not loaded")


def test_index_build_params(server):
    connect(server)
    c = Collection("probe_main", schema())
    cases = [
        (hnsw(m=0), 65535, "M out of range: [1, 2048]"),
        (hnsw(m=2049), 65535, "M out of range: [1, 2048]"),
        (hnsw(ef_construction=0), 65535, "efConstruction out of range: [1, 2147483647]"),
        ({"index_type": "HNSW", "metric_type": "L2", "params": {}}, 65535, "efConstruction out of range"),
        ({"index_type": "IVF_FLAT", "metric_type": "L2", "params": {"nlist": 0}}, 65535, "nlist out of range: [1, 65536]"),
        (
            {"index_type": "IVF_FLAT", "metric_type": "L2", "params": {"nlist": 65537}},
            65535,
            "nlist out of range: [1, 65536]",
        ),
        (
            {"index_type": "IVF_PQ", "metric_type": "L2", "params": {"nlist": 16, "m": 3, "nbits": 8}},
            65535,
            "dimension must be able to be divided by `m`, dimension: 8, m: 3",
        ),
        ({"index_type": "FOO", "metric_type": "L2", "params": {}}, 65535, "invalid index type: FOO"),
        (hnsw(metric="XX"), 65535, "metric type not found or not supported, supported: [L2 IP COSINE HAMMING JACCARD]"),
        (
            {"index_type": "IVF_FLAT", "metric_type": "XX", "params": {"nlist": 4}},
            65535,
            "metric type not found or not supported, supported: [L2 IP COSINE]",
        ),
    ]
    for params, code, message in cases:
        raises(lambda: c.create_index("embedding", params), MilvusException, code, message)
    raises(
        lambda: c.create_index("source", hnsw()),
        MilvusException,
        1100,
        "index type not match: invalid parameter[expected=Trie][actual=HNSW]",
    )
    raises(
        lambda: c.create_index("nope", hnsw()), MilvusException, 65535, "cannot create index on non-exist field: nope"
    )
    # A scalar index on a field it does not take: Milvus 2.5's checker's words
    # (annlab's; test_scalar_index.py has the rest), Milvus 2.3.5's type match.
    raises(
        lambda: c.create_index("source", {"index_type": "STL_SORT"}),
        MilvusException,
        1100,
        "index type not match: invalid parameter[expected=Trie][actual=STL_SORT]"
        if server.real
        else "STL_SORT are only supported on numeric field: invalid parameter",
    )
    c.create_index("embedding", hnsw())
    raises(
        lambda: c.create_index("embedding", hnsw(m=8)),
        MilvusException,
        65535,
        "CreateIndex failed: at most one distinct index is allowed per field",
    )
    c.load()
    raises(
        c.drop_index, MilvusException, 65535, "index cannot be dropped, collection is loaded, please release it first"
    )
    c.release()
    c.drop_index()
    assert not c.has_index()


def query_node(server, c):
    """The words real Milvus puts before its query node's refusals. The channel's
    name ends in the collection's id; its start is the server's own
    (by-dev-rootcoord-dml_N_ in real Milvus, annlab-dml_ in annlab)."""
    cid = c.describe()["collection_id"]
    channel = "" if server.real else "failed to search/query delegator 1 for channel annlab-dml"
    return f"{channel}_{cid}v0: fail to Search, QueryNode ID=1, reason="


def test_search_params_and_limits(server):
    c = loaded(server)
    s = lambda params, limit=3, **kw: c.search(query_vec(), "embedding", params, limit=limit, **kw)  # noqa: E731
    node = query_node(server, c)
    worker = node + "worker(1) query failed:  => failed to search: "
    internal = ": service internal error: UnknownError"
    raises(
        lambda: s({"params": {"ef": 2}}),
        MilvusException,
        65535,
        worker + "out of range in json: ef(2) should be larger than k(3)" + internal,
    )
    raises(lambda: s({"params": {"ef": 0}}), MilvusException, 65535, "param ef out of range [ 1,2147483647 ]")
    raises(lambda: s({"params": {"ef": "abc"}}), MilvusException, 65535, worker + "invalid value in json: stoi")
    assert len(s({"params": {"ef": 40000}})[0]) == 3, "ef=40000 is accepted"
    cid = c.describe()["collection_id"]
    raises(
        lambda: s({"metric_type": "L2", "params": {"ef": 64}}),
        MilvusException,
        65535,
        f"{node}collection:{cid}, metric type not match: invalid parameter[expected=COSINE][actual=L2]",
    )
    raises(
        lambda: s({"params": {"radius": 0.9, "range_filter": 0.5}}),
        MilvusException,
        65535,
        node + 'worker(1) query failed: Assert "range_filter > radius" at ',
    )
    raises(
        lambda: s({"params": {"radius": 0.9, "range_filter": 0.5}}),
        MilvusException,
        65535,
        "RangeSearchHelper.cpp:122\n => range_filter must be greater than radius for IP/COSINE" + internal,
    )
    raises(
        lambda: s({"params": {}}, limit=16385),
        MilvusException,
        65535,
        "topk [16385] is invalid, top k should be in range [1, 16384], but got 16385",
    )
    raises(
        lambda: s({"params": {}}, limit=16000, offset=1000),
        MilvusException,
        65535,
        "[17000] is invalid, top k should be in range [1, 16384], but got 17000",
    )
    raises(
        lambda: c.search(query_vec(), "nope", {"params": {}}, limit=3),
        MilvusException,
        65535,
        "failed to create query plan: failed to get field schema by name: fieldName(nope) not found",
    )
    raises(lambda: s({"params": {}}, output_fields=["nope"]), MilvusException, 65535, "field nope not exist")
    # A query vector of the wrong dimension is refused by the server (pymilvus
    # 2.5.18 does not check it), with the C++ assert real Milvus answered.
    raises(
        lambda: c.search(query_vec(7), "embedding", {}, limit=3),
        MilvusException,
        65535,
        node + 'worker(1) query failed: Assert "field_meta.get_sizeof() == element.line_sizeof_" at /__w/milvus-lite/'
        "milvus-lite/milvus_binary/milvus/internal/core/src/query/Plan.cpp:52\n => vector dimension mismatch" + internal,
    )
    hits = s({"params": {"ef": 64}}, limit=3, offset=2, output_fields=["text"], round_decimal=2)[0]
    assert len(hits) == 3 and all(h.entity.get("text").startswith("doc ") for h in hits)
    assert all(round(h.distance, 2) == h.distance for h in hits)


def test_ivf_search_params(server):
    connect(server)
    c = Collection("probe_ivf", schema())
    c.insert(rows())
    c.flush()
    c.create_index("embedding", {"index_type": "IVF_FLAT", "metric_type": "L2", "params": {"nlist": 16}})
    utility.wait_for_index_building_complete("probe_ivf")
    c.load()
    s = lambda p: c.search(query_vec(), "embedding", {"params": p}, limit=3)  # noqa: E731
    for nprobe in (0, 65537):
        raises(lambda: s({"nprobe": nprobe}), MilvusException, 65535, "param nprobe out of range [ 1,65536 ]")
    hits = s({"nprobe": 65})[0]  # nprobe > nlist is accepted
    distances = [h.distance for h in hits]
    assert distances == sorted(distances), "L2 distances ascend"


# annlab deliberately accepts infix/suffix `like` (as Milvus 2.4+ does), so the
# 2.3.5 refusal of `source like '%_1.txt'` is not in this list.
EXPRESSIONS = [
    ("id between 1 and 5", "invalid expression: id between 1 and 5"),
    ("id == 1 AND id == 1", "invalid expression: id == 1 AND id == 1"),
    ("source == 'a' || true", "'or' can only be used between boolean expressions"),
    ("source = 'source_0.txt'", "line 1:7 token recognition error at: '= '"),
    (
        "source == 1",
        "comparisons between VarChar, element_type: None and Int64 elementType: None are not supported",
    ),
    ("id in 1", "line 1:6 no viable alternative at input 'in1'"),
    ("id <", "line 1:4 no viable alternative at input '<'"),
    ("source like 1", "line 1:12 mismatched input '1' expecting StringLiteral"),
    ("(id > 5", "line 1:7 missing ')' at '<EOF>'"),
    ("source_0.txt", "line 1:8 token recognition error at: '.t'"),
    ("id == 1.5", "cannot cast value to Int64, value: float_val:1.5"),
]


def test_bad_expressions(server):
    c = loaded(server)
    for expr, error in EXPRESSIONS:
        raises(lambda: c.query(expr), MilvusException, 65535, f"cannot parse expression: {expr}, error: {error}")
    raises(
        lambda: c.query("nonexist > 1"),
        MilvusException,
        65535,
        "cannot parse expression: nonexist > 1, error: field nonexist not exist",
    )
    raises(lambda: c.query(""), MilvusException, 65535, "empty expression should be used with limit")
    raises(
        lambda: c.query("", limit=16385),
        MilvusException,
        65535,
        "invalid max query result window, (offset+limit) should be in range [1, 16384], but got 16385",
    )
    assert [r["id"] for r in c.query("1 < id < 4")] == [2, 3]
    assert len(c.query("source like 'source_1%' and timestamp % 2 == 1")) == ROWS // 10
    filtered = c.search(query_vec(), "embedding", {"params": {"ef": 64}}, limit=5, expr="source == 'source_0.txt'")
    assert len(filtered[0]) == 5 and all(h.id % 10 == 0 for h in filtered[0])


def test_count_delete_upsert(server):
    c = loaded(server)
    assert c.query("", output_fields=["count(*)"]) == [{"count(*)": ROWS}]
    assert c.num_entities == ROWS
    assert c.delete("id in [0, 1, 2]").delete_count == 3
    # annlab is always strongly consistent; real Milvus's default (Bounded) may
    # not see the delete yet, so these reads ask for Strong.
    count = lambda: c.query("", output_fields=["count(*)"], consistency_level="Strong")[0]["count(*)"]  # noqa: E731
    assert count() == ROWS - 3
    assert c.num_entities == ROWS, "num_entities counts flushed rows, deleted ones included"
    r = c.upsert([[5], [[0.5] * DIM], ["upserted"], ["s"], [7]])
    assert (r.insert_count, r.delete_count, r.upsert_count) == (1, 1, 1)
    got = c.query("id == 5", output_fields=["text"], consistency_level="Strong")
    assert got == [{"id": 5, "text": "upserted"}], got
    assert count() == ROWS - 3
    # pymilvus 2.3 refused this client-side (UpsertAutoIDTrueException); 2.5 asks
    # the server, which refuses it.
    auto = Collection("probe_auto", schema(auto_id=True))
    raises(
        lambda: auto.upsert([[1], [[0.5] * DIM], ["t"], ["s"], [7]]),
        MilvusException,
        1100,
        "the number of fields is less than needed: invalid parameter[expected=4][actual=5]",
    )


def test_insert_errors(server):
    connect(server)
    c = Collection("probe_main", schema())
    data = rows(3)
    short = [data[0], [v[:7] for v in data[1]], *data[2:]]
    # pymilvus 2.3.7 checked the dimension client-side (ParamError); 2.5.18 leaves
    # it to the server, which cuts the floats by the schema's dimension. The
    # other three are still pymilvus's own checks, as with real Milvus.
    raises(lambda: c.insert(short), MilvusException, 65535, "the length(21) of float data should divide the dim(8)")
    four = rows(4)
    raises(
        lambda: c.insert([four[0], [v[:6] for v in four[1]], *four[2:]]),
        MilvusException,
        1100,
        "the num_rows (3) of field (embedding) is not equal to passed num_rows (4): invalid parameter",
    )
    raises(
        lambda: c.insert([*data[:2], ["x" * 21] * 3, *data[3:]]),
        ParamError,
        1,
        "length of string exceeds max length. length: 21, max length: 20",
    )
    raises(
        lambda: c.insert([*data[:4], ["abc"] * 3]),
        DataNotMatchException,
        1,
        "The Input data type is inconsistent with defined schema",
    )
    raises(lambda: c.insert(data[:4]), DataNotMatchException, 1, "expect 5 list, got 4")
    assert c.insert(data).insert_count == 3


def test_schema_errors(server):
    connect(server)
    assert not utility.has_collection("does_not_exist")
    utility.drop_collection("does_not_exist")  # silently succeeds
    try:
        Collection("does_not_exist")
        raise AssertionError("Collection() without schema should fail")
    except SchemaNotReadyException as e:
        assert "not exist, or you can pass in schema to create one" in e.message
    raises(
        lambda: Collection("probe_dim", schema(dim=0)),
        MilvusException,
        65535,
        "invalid dimension: 0. should be in range 1 ~ 32768",
    )
    raises(
        lambda: Collection("probe_dim", schema(dim=32769)),
        MilvusException,
        65535,
        "invalid dimension: 32769. should be in range 1 ~ 32768",
    )
    raises(
        lambda: Collection("probe_vc", schema(text_len=65536)),
        MilvusException,
        1100,
        "the maximum length specified for a VarChar should be in (0, 65535]: invalid parameter",
    )
    raises(
        lambda: Collection("1abc", schema()),
        MilvusException,
        1100,
        "Invalid collection name: 1abc. the first character of a collection name must be an underscore or letter",
    )
    Collection("probe_main", schema())
    try:
        Collection("probe_main", schema(text_len=30))
        raise AssertionError("a different schema for an existing collection should fail")
    except SchemaNotReadyException as e:
        assert "the schema is not the same" in e.message
    assert utility.list_collections() == ["probe_main"]


def test_oversized_request(server):
    """A request over Milvus's 64 MiB message limit is refused by gRPC itself,
    with RESOURCE_EXHAUSTED (pymilvus raises grpc's RpcError), and nothing of it
    is inserted; the server goes on serving."""
    connect(server)
    c = Collection("probe_big", schema(dim=1536, text_len=200))
    n = 12_000  # 12,000 × 1536 floats: about 74 MB
    v = np.random.default_rng(1).standard_normal((n, 1536)).astype("float32")
    try:
        c.insert([list(range(n)), v, ["d"] * n, ["s"] * n, list(range(n))])
        raise AssertionError("a 74 MB insert should be refused")
    except grpc.RpcError as e:
        assert e.code() == grpc.StatusCode.RESOURCE_EXHAUSTED, e
        m = re.fullmatch(r"grpc: received message larger than max \((\d+) vs\. 67108864\)", e.details())
        assert m and int(m.group(1)) > 67108864, e.details()
    assert c.insert([list(range(10)), v[:10], ["d"] * 10, ["s"] * 10, list(range(10))]).insert_count == 10
    c.flush()
    assert c.num_entities == 10
