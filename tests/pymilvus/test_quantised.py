"""Quantised indexes through pymilvus 2.5: HNSW_SQ (Milvus 2.5; the real 2.3.5
has no HNSW_SQ, so those tests are annlab's only) and IVF_SQ8 (which the real
Milvus 2.3.5 also has, so `test_ivf_sq8` runs against both)."""

from pymilvus import Collection, DataType, MilvusClient, MilvusException, utility

from harness import annlab_only, connect
from test_errors import ROWS, raises, rows, schema


def build(server, name, index):
    connect(server)
    c = Collection(name, schema())
    data = rows()
    c.insert(data)
    c.flush()
    c.create_index("embedding", index)
    utility.wait_for_index_building_complete(name)
    c.load()
    return c, data[1]


def assert_finds_itself(c, vectors, params):
    """Each of a few stored vectors, as a query, finds itself first."""
    for i in (0, 7, ROWS - 1):
        hits = c.search([vectors[i]], "embedding", {"params": params}, limit=5)
        assert len(hits[0]) == 5
        assert hits[0][0].id == i, (i, [h.id for h in hits[0]])


@annlab_only
def test_hnsw_sq(server):
    params = {"M": 16, "efConstruction": 64, "sq_type": "SQ8", "refine": True, "refine_type": "FP32"}
    c, vectors = build(server, "sq", {"index_type": "HNSW_SQ", "metric_type": "COSINE", "params": params})
    assert_finds_itself(c, vectors, {"ef": 64, "refine_k": 2})
    assert_finds_itself(c, vectors, {"ef": 32})
    # Refined with FP32, the scores are the exact cosines.
    hits = c.search([vectors[3]], "embedding", {"params": {"ef": 64, "refine_k": 2}}, limit=1)
    assert abs(hits[0][0].distance - 1.0) < 1e-5, hits[0][0].distance
    info = c.index().params
    assert info["index_type"] == "HNSW_SQ", info
    raises(
        lambda: c.search([vectors[0]], "embedding", {"params": {"ef": 64, "refine_k": 0.5}}, limit=3),
        MilvusException,
        65535,
        "refine_k",
    )
    raises(
        lambda: c.search([vectors[0]], "embedding", {"params": {"ef": 2}}, limit=3),
        MilvusException,
        65535,
        "ef(2) should be larger than k(3)",
    )


@annlab_only
def test_hnsw_sq_types_and_milvus_client(server):
    mc = MilvusClient(uri=f"http://127.0.0.1:{server.port}")
    vectors = rows()[1]
    for sq_type, refine in (("FP16", None), ("BF16", "FP32"), ("SQ8", "FP16")):
        name = f"sq_{sq_type.lower()}"
        schema = mc.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("id", DataType.INT64, is_primary=True)
        schema.add_field("vector", DataType.FLOAT_VECTOR, dim=len(vectors[0]))
        mc.create_collection(name, schema=schema)
        mc.insert(name, [{"id": i, "vector": v} for i, v in enumerate(vectors)])
        mc.flush(name)
        ip = mc.prepare_index_params()
        extra = {"M": 16, "efConstruction": 64, "sq_type": sq_type}
        if refine:
            extra.update(refine=True, refine_type=refine)
        ip.add_index(field_name="vector", index_type="HNSW_SQ", metric_type="L2", params=extra)
        mc.create_index(name, ip)
        mc.load_collection(name)
        hits = mc.search(name, [vectors[11]], limit=3, search_params={"params": {"ef": 32, "refine_k": 3}})
        assert hits[0][0]["id"] == 11, (sq_type, hits)
        described = mc.describe_index(name, "vector")
        assert described["index_type"] == "HNSW_SQ", described
        assert described["params"]["sq_type"] == sq_type, described


@annlab_only
def test_hnsw_sq_validation(server):
    connect(server)
    c = Collection("bad", schema())
    c.insert(rows())
    c.flush()

    def index(**params):
        base = {"M": 16, "efConstruction": 64}
        base.update(params)
        return lambda: c.create_index("embedding", {"index_type": "HNSW_SQ", "metric_type": "L2", "params": base})

    raises(index(sq_type="SQ4"), MilvusException, 65535, "invalid scalar quantizer type")
    raises(index(sq_type="SQ6"), MilvusException, 65535, "sq_type SQ6 is not supported by annlab")
    raises(index(refine=True, refine_type="INT4"), MilvusException, 65535, "invalid refine type type")
    raises(index(refine="maybe"), MilvusException, 65535, "should be a boolean")
    raises(index(M=1), MilvusException, 65535, "M out of range: [2, 2048]")


def test_ivf_sq8(server):
    index = {"index_type": "IVF_SQ8", "metric_type": "L2", "params": {"nlist": 16}}
    c, vectors = build(server, "ivf_sq8", index)
    assert_finds_itself(c, vectors, {"nprobe": 16})
    info = c.index().params
    assert info["index_type"] == "IVF_SQ8", info
    assert str(info["params"]["nlist"]) == "16", info
    raises(
        lambda: c.search([vectors[0]], "embedding", {"params": {"nprobe": 0}}, limit=3),
        MilvusException,
        65535,
        "nprobe",
    )
