"""HybridSearch (Milvus 2.4+) through pymilvus 2.5: AnnSearchRequests over
different vector fields fused by RRFRanker(k) and WeightedRanker(weights...),
with limit, offset and output_fields, checked against the fusion computed by
hand from each sub-search's own results; and Milvus's refusals. The real Milvus
2.3.5 has no hybrid search: annlab only."""

import math

import numpy as np
from pymilvus import (
    AnnSearchRequest,
    Collection,
    DataType,
    MilvusClient,
    MilvusException,
    RRFRanker,
    WeightedRanker,
)

from harness import annlab_only, connect
from test_errors import raises

N = 400


def setup(server):
    mc = MilvusClient(uri=f"http://127.0.0.1:{server.port}")
    schema = mc.create_schema(auto_id=False)
    schema.add_field("id", DataType.INT64, is_primary=True)
    schema.add_field("dense", DataType.FLOAT_VECTOR, dim=8)
    schema.add_field("title", DataType.FLOAT_VECTOR, dim=4)
    schema.add_field("tag", DataType.VARCHAR, max_length=10)
    mc.create_collection("hyb", schema=schema)
    rng = np.random.default_rng(21)
    dense = rng.standard_normal((N, 8)).astype(np.float32)
    title = rng.standard_normal((N, 4)).astype(np.float32)
    mc.insert(
        "hyb",
        [{"id": i, "dense": dense[i].tolist(), "title": title[i].tolist(), "tag": f"t{i % 4}"} for i in range(N)],
    )
    mc.flush("hyb")
    ip = mc.prepare_index_params()
    ip.add_index("dense", index_type="FLAT", metric_type="COSINE")
    ip.add_index("title", index_type="FLAT", metric_type="L2")
    mc.create_index("hyb", ip)
    mc.load_collection("hyb")
    return mc, dense, title


def normalise(metric, s):
    if metric == "COSINE":
        return (1 + s) * 0.5
    if metric == "IP":
        return 0.5 + math.atan(s) / math.pi
    return 1 - 2 * math.atan(s) / math.pi


def by_hand(mc, reqs, metrics, ranker, limit, offset=0):
    fused = {}
    for i, r in enumerate(reqs):
        hits = mc.search("hyb", r.data, anns_field=r.anns_field, limit=r.limit, filter=r.expr or "")[0]
        for rank, h in enumerate(hits):
            if ranker[0] == "rrf":
                add = 1.0 / (ranker[1] + rank + 1)
            else:
                add = ranker[1][i] * normalise(metrics[i], h["distance"])
            fused[h["id"]] = fused.get(h["id"], 0.0) + add
    ordered = sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))
    return ordered[offset : offset + limit]


@annlab_only
def test_hybrid_search_fuses_as_milvus(server):
    mc, dense, title = setup(server)
    q1 = (dense[3] + 0.1).tolist()
    q2 = (title[3] - 0.1).tolist()
    reqs = [
        AnnSearchRequest([q1], "dense", {"metric_type": "COSINE"}, limit=20),
        AnnSearchRequest([q2], "title", {"metric_type": "L2"}, limit=20, expr="id > 10"),
    ]
    for ranker, spec in [
        (RRFRanker(60), ("rrf", 60)),
        (RRFRanker(5), ("rrf", 5)),
        (WeightedRanker(0.8, 0.2), ("weighted", [0.8, 0.2])),
    ]:
        res = mc.hybrid_search("hyb", reqs, ranker, limit=7, output_fields=["tag"])
        want = by_hand(mc, reqs, ["COSINE", "L2"], spec, 7)
        got = [(h["id"], h["distance"]) for h in res[0]]
        assert [g[0] for g in got] == [w[0] for w in want], (spec, got, want)
        for (_, gs), (_, ws) in zip(got, want):
            assert abs(gs - ws) < 1e-5, (spec, gs, ws)
        for h in res[0]:
            assert h["entity"]["tag"] == f"t{h['id'] % 4}"
    # offset pages through the fused list (the ORM's Collection.hybrid_search).
    connect(server)
    c = Collection("hyb")
    page = c.hybrid_search(reqs, RRFRanker(60), limit=3, offset=2)
    want = by_hand(mc, reqs, ["COSINE", "L2"], ("rrf", 60), 3, offset=2)
    assert [h.id for h in page[0]] == [w[0] for w in want]
    # Several queries: one fused list each.
    two = [
        AnnSearchRequest([q1, dense[9].tolist()], "dense", {}, limit=10),
        AnnSearchRequest([q2, title[9].tolist()], "title", {}, limit=10),
    ]
    res = mc.hybrid_search("hyb", two, RRFRanker(), limit=4)
    assert len(res) == 2 and res[1][0]["id"] == 9


@annlab_only
def test_hybrid_search_refusals(server):
    mc, dense, title = setup(server)
    reqs = [
        AnnSearchRequest([dense[0].tolist()], "dense", {}, limit=5),
        AnnSearchRequest([title[0].tolist()], "title", {}, limit=5),
    ]
    raises(
        lambda: mc.hybrid_search("hyb", reqs, WeightedRanker(0.5), limit=5),
        MilvusException,
        1100,
        "the length of weights param mismatch with ann search requests: invalid parameter[expected=2][actual=1]",
    )
    raises(
        lambda: mc.hybrid_search("hyb", reqs, WeightedRanker(0.5, 1.5), limit=5),
        MilvusException,
        1100,
        "rank param weight should be in range [0, 1]",
    )
    wrong_metric = [reqs[0], AnnSearchRequest([title[0].tolist()], "title", {"metric_type": "IP"}, limit=5)]
    raises(
        lambda: mc.hybrid_search("hyb", wrong_metric, RRFRanker(), limit=5),
        MilvusException,
        65535,
        "metric type not match: invalid parameter[expected=L2][actual=IP]",
    )
    missing = [reqs[0], AnnSearchRequest([title[0].tolist()], "nope", {}, limit=5)]
    raises(
        lambda: mc.hybrid_search("hyb", missing, RRFRanker(), limit=5),
        MilvusException,
        65535,
        "fieldName(nope) not found",
    )
    wrong_dim = [reqs[0], AnnSearchRequest([dense[0].tolist()], "title", {}, limit=5)]
    raises(lambda: mc.hybrid_search("hyb", wrong_dim, RRFRanker(), limit=5), MilvusException, 65535, "dimension")
    two_queries = [reqs[0], AnnSearchRequest([title[0].tolist(), title[1].tolist()], "title", {}, limit=5)]
    raises(
        lambda: mc.hybrid_search("hyb", two_queries, RRFRanker(), limit=5),
        MilvusException,
        1100,
        "sub search request nq should be the same: invalid parameter[expected=1][actual=2]",
    )
    # The collection still answers.
    assert len(mc.hybrid_search("hyb", reqs, RRFRanker(), limit=5)[0]) == 5
