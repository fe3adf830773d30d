"""Vector types and several vector fields through pymilvus 2.5 (ORM and
MilvusClient): BINARY_VECTOR with HAMMING and JACCARD (BIN_FLAT, BIN_IVF_FLAT),
FLOAT16_VECTOR and BFLOAT16_VECTOR, and collections with several vector fields
(an index each, load needing all, searches naming their field).

`test_binary_vectors` keeps to what the real Milvus 2.3.5 also serves, so
tests/milvus runs it there too and the results must be the same; float16 and
several vector fields are Milvus 2.4+ and run against annlab only. Exact
answers are compared with brute force (numpy)."""

import numpy as np
from pymilvus import (
    Collection,
    CollectionSchema,
    DataType,
    FieldSchema,
    MilvusClient,
    MilvusException,
    utility,
)

from harness import annlab_only, connect
from test_errors import raises

ROWS = 1500  # above real Milvus's minSegmentSizeToEnableIndex
BITS = 64


def bit_rows(n=ROWS, seed=3):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, size=(n, BITS // 8), dtype=np.uint8)


def hamming(q, rows):
    return np.unpackbits(np.bitwise_xor(rows, q), axis=1).sum(axis=1).astype(np.float64)


def jaccard(q, rows):
    inter = np.unpackbits(np.bitwise_and(rows, q), axis=1).sum(axis=1)
    union = np.unpackbits(np.bitwise_or(rows, q), axis=1).sum(axis=1)
    return np.where(union == 0, 0.0, 1.0 - inter / np.maximum(union, 1))


def binary_collection(server, name="probe_bin"):
    connect(server)
    schema = CollectionSchema(
        [
            FieldSchema("id", DataType.INT64, is_primary=True),
            FieldSchema("bv", DataType.BINARY_VECTOR, dim=BITS),
        ]
    )
    c = Collection(name, schema)
    data = bit_rows()
    c.insert([list(range(ROWS)), [bytes(r) for r in data]])
    c.flush()
    return c, data


def check_exact(hits, data, q, dist):
    """The hits' distances are the brute force's best ones, and each is the
    distance of its own row (binary distances tie often: ids may differ)."""
    want = np.sort(dist(q, data))[: len(hits)]
    got = np.array([h.distance for h in hits])
    assert np.allclose(got, want, atol=1e-5), (got, want)
    own = dist(q, data[[h.id for h in hits]])
    assert np.allclose(got, own, atol=1e-5), (got, own)


def test_binary_vectors(server):
    c, data = binary_collection(server)
    n = c.num_entities
    # Index type and metric must fit the binary field.
    if not server.real:
        # Milvus 2.3.5 accepts it (and its build fails later); annlab refuses a
        # float index on a binary field at once, in its checker's words.
        raises(
            lambda: c.create_index("bv", {"index_type": "HNSW", "metric_type": "L2", "params": {"M": 8, "efConstruction": 64}}),
            MilvusException,
            65535,
            "float or float16 vector are only supported",
        )
    raises(
        lambda: c.create_index("bv", {"index_type": "BIN_FLAT", "metric_type": "L2", "params": {}}),
        MilvusException,
        65535,
        "metric type not found or not supported, supported: [HAMMING JACCARD SUBSTRUCTURE SUPERSTRUCTURE]",
    )
    raises(
        lambda: c.create_index("bv", {"index_type": "BIN_IVF_FLAT", "metric_type": "COSINE", "params": {"nlist": 16}}),
        MilvusException,
        65535,
        "metric type not found or not supported, supported: [HAMMING JACCARD SUBSTRUCTURE SUPERSTRUCTURE]",
    )
    raises(
        lambda: c.create_index("bv", {"index_type": "BIN_IVF_FLAT", "metric_type": "HAMMING", "params": {"nlist": 0}}),
        MilvusException,
        65535,
        "nlist out of range: [1, 65536]",
    )
    # Wrong number of bytes for the dimension: refused, nothing inserted.
    raises(
        lambda: c.insert([[ROWS], [bytes(7)]]),
        MilvusException,
        65535,
        "the num(56) of all bits should divide the dim(64)",
    )
    c.flush()
    assert c.num_entities == n

    q = bit_rows(3, seed=11)
    for index, metric, dist, search_params in [
        ("BIN_FLAT", "HAMMING", hamming, {}),
        ("BIN_IVF_FLAT", "JACCARD", jaccard, {"nprobe": 16}),
        ("BIN_IVF_FLAT", "HAMMING", hamming, {"nprobe": 16}),
    ]:
        c.release()
        c.drop_index()
        params = {"nlist": 16} if index == "BIN_IVF_FLAT" else {}
        c.create_index("bv", {"index_type": index, "metric_type": metric, "params": params})
        utility.wait_for_index_building_complete("probe_bin")
        c.load()
        res = c.search(
            [bytes(r) for r in q],
            "bv",
            {"metric_type": metric, "params": search_params},
            limit=10,
            output_fields=["bv"],
        )
        assert len(res) == 3
        for i, hits in enumerate(res):
            assert len(hits) == 10
            check_exact(hits, data, q[i], dist)
            for h in hits:
                got = h.entity.get("bv")
                got = got[0] if isinstance(got, list) else got
                assert bytes(got) == bytes(data[h.id]), (h.id, got)
        # A row finds itself at distance 0.
        own = c.search([bytes(data[42])], "bv", {"metric_type": metric, "params": search_params}, limit=1)
        assert own[0][0].distance == 0.0
        # A float metric on a binary index.
        raises(
            lambda: c.search([bytes(q[0])], "bv", {"metric_type": "L2", "params": search_params}, limit=3),
            MilvusException,
            65535,
            f"metric type not match: invalid parameter[expected={metric}][actual=L2]",
        )
        # Filtered search: only odd ids.
        res = c.search([bytes(q[0])], "bv", {"metric_type": metric, "params": search_params}, limit=5, expr="id % 2 == 1")
        assert all(h.id % 2 == 1 for h in res[0]) and len(res[0]) == 5
    got = c.query("id in [5, 6]", output_fields=["bv"])
    for row in got:
        v = row["bv"]
        v = v[0] if isinstance(v, list) else v
        assert bytes(v) == bytes(data[row["id"]])


def test_binary_dimension_rules(server):
    connect(server)
    schema = CollectionSchema(
        [
            FieldSchema("id", DataType.INT64, is_primary=True),
            FieldSchema("bv", DataType.BINARY_VECTOR, dim=12),
        ]
    )
    raises(
        lambda: Collection("probe_bin_dim", schema),
        MilvusException,
        65535,
        "invalid dimension: 12. should be multiple of 8. ",
    )
    assert not utility.has_collection("probe_bin_dim")


def half_rows(kind, n=600, dim=16, seed=5):
    """(the rows as pymilvus takes them, the same rows widened to float32).
    bfloat16 goes as bytes (numpy has no bfloat16 without ml_dtypes): the top
    half of each float32, rounded to nearest even."""
    rng = np.random.default_rng(seed)
    v = rng.standard_normal((n, dim)).astype(np.float32)
    if kind == DataType.FLOAT16_VECTOR:
        h = v.astype(np.float16)
        return list(h), h.astype(np.float32)
    u = v.view(np.uint32)
    b = ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(np.uint16)
    wide = (b.astype(np.uint32) << 16).view(np.float32)
    return [r.tobytes() for r in b], wide


@annlab_only
def test_float16_and_bfloat16_vectors(server):
    mc = MilvusClient(uri=f"http://127.0.0.1:{server.port}")
    for kind, name in [(DataType.FLOAT16_VECTOR, "f16"), (DataType.BFLOAT16_VECTOR, "bf16")]:
        schema = mc.create_schema(auto_id=False)
        schema.add_field("id", DataType.INT64, is_primary=True)
        schema.add_field("v", kind, dim=16)
        mc.create_collection(name, schema=schema)
        vecs, wide = half_rows(kind)
        mc.insert(name, [{"id": i, "v": vecs[i]} for i in range(len(vecs))])
        mc.flush(name)
        # Wrong number of bytes for the dimension: refused, nothing inserted.
        with_bad = lambda: mc.insert(name, [{"id": 10_000, "v": vecs[0][:15]}])  # noqa: E731
        if kind == DataType.BFLOAT16_VECTOR:
            with_bad = lambda: mc.insert(name, [{"id": 10_000, "v": vecs[0][:30]}])  # noqa: E731
        try:
            with_bad()
            raise AssertionError("a 15-component vector was accepted")
        except MilvusException as e:
            assert "dim" in str(e) or "length" in str(e), e
        mc.flush(name)
        assert mc.get_collection_stats(name)["row_count"] == len(vecs)
        q = wide[:2] * 0.7 + wide[2:4] * 0.3
        as_sent = [x.astype(np.float16) for x in q] if kind == DataType.FLOAT16_VECTOR else [x.tolist() for x in q]
        for index, metric, params in [
            ("FLAT", "L2", {}),
            ("IVF_FLAT", "IP", {"nlist": 8}),
            ("HNSW", "COSINE", {"M": 8, "efConstruction": 64}),
        ]:
            mc.release_collection(name)
            for idx in mc.list_indexes(name):
                mc.drop_index(name, idx)
            ip = mc.prepare_index_params()
            ip.add_index("v", index_type=index, metric_type=metric, params=params)
            mc.create_index(name, ip)
            mc.load_collection(name)
            sp = {"metric_type": metric, "params": {"nprobe": 8} if index == "IVF_FLAT" else {"ef": 600}}
            res = mc.search(name, as_sent, anns_field="v", limit=5, search_params=sp, output_fields=["v"])
            if kind == DataType.FLOAT16_VECTOR:
                q_used = np.array(as_sent, dtype=np.float32)
            else:
                q_used = q
            for i, hits in enumerate(res):
                qi = q_used[i]
                if metric == "L2":
                    d = ((wide - qi) ** 2).sum(axis=1)
                elif metric == "IP":
                    d = -(wide @ qi)
                else:
                    d = -(wide @ qi) / (np.linalg.norm(wide, axis=1) * np.linalg.norm(qi))
                want = list(np.argsort(d, kind="stable")[:5])
                assert [h["id"] for h in hits] == want, (name, index, [h["id"] for h in hits], want)
                # Returned as the stored bytes.
                got = hits[0]["entity"]["v"]
                got = got[0] if isinstance(got, list) else got
                stored = vecs[hits[0]["id"]]
                assert bytes(got) == (stored if isinstance(stored, bytes) else stored.tobytes())
            # Float32 queries are accepted too (widened the same way).
            res = mc.search(name, [list(map(float, x)) for x in q], anns_field="v", limit=5, search_params=sp)
            assert len(res[0]) == 5
        # A binary metric on a float16 field.
        mc.release_collection(name)
        mc.drop_index(name, mc.list_indexes(name)[0])
        ip = mc.prepare_index_params()
        ip.add_index("v", index_type="FLAT", metric_type="HAMMING")
        raises(lambda: mc.create_index(name, ip), MilvusException, 65535, "metric type not found or not supported, supported: [L2 IP COSINE]")
        ip = mc.prepare_index_params()
        ip.add_index("v", index_type="BIN_FLAT", metric_type="HAMMING")
        raises(lambda: mc.create_index(name, ip), MilvusException, 65535, "binary vector is only supported")
        assert mc.list_indexes(name) == []


@annlab_only
def test_several_vector_fields(server):
    mc = MilvusClient(uri=f"http://127.0.0.1:{server.port}")
    schema = mc.create_schema(auto_id=False)
    schema.add_field("id", DataType.INT64, is_primary=True)
    schema.add_field("dense", DataType.FLOAT_VECTOR, dim=8)
    schema.add_field("bits", DataType.BINARY_VECTOR, dim=32)
    schema.add_field("tag", DataType.VARCHAR, max_length=10)
    mc.create_collection("multi", schema=schema)
    rng = np.random.default_rng(9)
    dense = rng.standard_normal((300, 8)).astype(np.float32)
    bits = rng.integers(0, 256, size=(300, 4), dtype=np.uint8)
    mc.insert("multi", [{"id": i, "dense": dense[i].tolist(), "bits": bytes(bits[i]), "tag": f"t{i % 3}"} for i in range(300)])
    mc.flush("multi")

    ip = mc.prepare_index_params()
    ip.add_index("dense", index_type="HNSW", metric_type="L2", params={"M": 8, "efConstruction": 64})
    mc.create_index("multi", ip)
    raises(
        lambda: mc.load_collection("multi"),
        MilvusException,
        1100,
        "there is no vector index on field: [bits], please create index firstly",
    )
    ip = mc.prepare_index_params()
    ip.add_index("bits", index_type="BIN_FLAT", metric_type="HAMMING", index_name="bits_idx")
    mc.create_index("multi", ip)
    assert sorted(mc.list_indexes("multi")) == ["bits_idx", "dense"]
    assert mc.describe_index("multi", "bits_idx")["metric_type"] == "HAMMING"
    assert mc.describe_index("multi", "dense")["index_type"] == "HNSW"
    mc.load_collection("multi")

    raises(
        lambda: mc.search("multi", [dense[0].tolist()], limit=3),
        MilvusException,
        1100,
        "multiple anns_fields exist, please specify a anns_field in search_params",
    )
    raises(
        lambda: mc.search("multi", [dense[0].tolist()], anns_field="nope", limit=3),
        MilvusException,
        65535,
        "fieldName(nope) not found",
    )
    q = dense[7] + 0.01
    res = mc.search("multi", [q.tolist()], anns_field="dense", limit=5, search_params={"params": {"ef": 300}})
    want = list(np.argsort(((dense - q) ** 2).sum(axis=1), kind="stable")[:5])
    assert [h["id"] for h in res[0]] == want
    res = mc.search("multi", [bytes(bits[11])], anns_field="bits", limit=5, output_fields=["tag"])
    assert res[0][0]["id"] == 11 and res[0][0]["distance"] == 0.0
    assert res[0][0]["entity"]["tag"] == "t2"
    check = hamming(bits[11], bits)
    assert [h["distance"] for h in res[0]] == sorted(check)[:5]

    # Indexes are dropped one by one, and only when released.
    raises(lambda: mc.drop_index("multi", "bits_idx"), MilvusException, 65535, "index cannot be dropped, collection is loaded")
    mc.release_collection("multi")
    mc.drop_index("multi", "bits_idx")
    assert mc.list_indexes("multi") == ["dense"]
    raises(
        lambda: mc.load_collection("multi"),
        MilvusException,
        1100,
        "there is no vector index on field: [bits]",
    )
