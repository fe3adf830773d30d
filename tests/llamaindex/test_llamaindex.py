"""llama-index-vector-stores-milvus (pinned in requirements.txt, run from
target/llamaindex-venv) against `annlab serve`, as its quickstart uses it:
`MilvusVectorStore(uri=..., dim=..., overwrite=True)` (a collection with a
dynamic field: every node's metadata goes there), `VectorStoreIndex.from_documents`,
retrieval with and without `MetadataFilters`, `delete_ref_doc`, reopening the
collection, `get_nodes`/`delete_nodes`/`clear`, and the async API.

Embeddings come from a hashing embedding model (a seeded random unit vector per
text), and every retrieval is compared with the same index built on LlamaIndex's
own in-memory SimpleVectorStore (exact cosine search, its own filters): the
server must return the same documents in the same order with the same scores.
Also run against the real Milvus 2.3.5 (tests/milvus/run.py), with the same results.
"""

import asyncio
import hashlib

import numpy as np
from llama_index.core import Document, StorageContext, VectorStoreIndex
from llama_index.core.embeddings import BaseEmbedding
from llama_index.core.vector_stores import (
    ExactMatchFilter,
    FilterCondition,
    FilterOperator,
    MetadataFilter,
    MetadataFilters,
)
from llama_index.vector_stores.milvus import MilvusVectorStore

DIM = 16


class HashEmbedding(BaseEmbedding):
    """A deterministic embedding model: a unit vector seeded by the text's SHA-256
    (unit length, so Milvus's IP equals the in-memory store's cosine)."""

    dim: int = DIM

    def _vec(self, text):
        seed = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "little")
        v = np.random.default_rng(seed).standard_normal(self.dim)
        return (v / np.linalg.norm(v)).tolist()

    def _get_text_embedding(self, text):
        return self._vec(text)

    def _get_query_embedding(self, query):
        return self._vec(query)

    async def _aget_query_embedding(self, query):
        return self._vec(query)


EMBED = HashEmbedding()

DOCUMENTS = [
    ("What I worked on: before college the two main things I worked on were writing and programming.",
     {"file_name": "essay.txt", "year": 1998, "topic": "writing"}),
    ("The first programs I tried writing were on the IBM 1401 that our school district used.",
     {"file_name": "essay.txt", "year": 1974, "topic": "programming"}),
    ("Uber's revenue grew 57% in 2021 to 17.5 billion dollars.",
     {"file_name": "uber_2021.pdf", "year": 2021, "topic": "finance"}),
    ("Lyft's revenue grew 36% in 2021 and it had 18.7 million active riders.",
     {"file_name": "lyft_2021.pdf", "year": 2021, "topic": "finance"}),
    ("Microcomputers changed everything: a computer sat on your desk and answered keystrokes.",
     {"file_name": "essay.txt", "year": 1980, "topic": "programming"}),
    ("Uber's mobility segment recovered as cities reopened after the pandemic.",
     {"file_name": "uber_2021.pdf", "year": 2021, "topic": "mobility"}),
    ("Viaweb was one of the first web applications: online stores built in a browser.",
     {"file_name": "essay.txt", "year": 1995, "topic": "startups"}),
    ("Y Combinator funded its first batch of startups in the summer of 2005.",
     {"file_name": "essay.txt", "year": 2005, "topic": "startups"}),
]


def documents():
    return [Document(text=t, metadata=m, id_=f"doc{i}") for i, (t, m) in enumerate(DOCUMENTS)]


def event_loop():
    """MilvusVectorStore makes an AsyncMilvusClient, which needs an event loop in
    the thread even for sync use; asyncio.run (test_async_retrieval) leaves none."""
    try:
        asyncio.get_event_loop()
    except RuntimeError:
        asyncio.set_event_loop(asyncio.new_event_loop())


def milvus_index(server, **kw):
    event_loop()
    store = MilvusVectorStore(uri=f"http://127.0.0.1:{server.port}", dim=DIM, overwrite=True,
                              consistency_level="Strong", **kw)
    ctx = StorageContext.from_defaults(vector_store=store)
    return store, VectorStoreIndex.from_documents(documents(), storage_context=ctx, embed_model=EMBED)


def reference_index():
    """The same documents in LlamaIndex's in-memory vector store."""
    return VectorStoreIndex.from_documents(documents(), embed_model=EMBED)


def hits(index, query, k, filters=None):
    found = index.as_retriever(similarity_top_k=k, filters=filters).retrieve(query)
    return [(n.node.ref_doc_id, n.node.text, n.node.metadata, n.score) for n in found]


def assert_same(got, want):
    assert [g[:3] for g in got] == [w[:3] for w in want], (got, want)
    for g, w in zip(got, want):
        assert abs(g[3] - w[3]) <= 1e-4, (g, w)


FILTERS = [
    MetadataFilters(filters=[ExactMatchFilter(key="file_name", value="uber_2021.pdf")]),
    MetadataFilters(filters=[MetadataFilter(key="year", value=2000, operator=FilterOperator.LT)]),
    MetadataFilters(filters=[
        MetadataFilter(key="topic", value="finance"),
        MetadataFilter(key="year", value=2000, operator=FilterOperator.GTE),
    ], condition=FilterCondition.AND),
    MetadataFilters(filters=[
        MetadataFilter(key="topic", value=["startups", "mobility"], operator=FilterOperator.IN),
        MetadataFilter(key="year", value=1974, operator=FilterOperator.EQ),
    ], condition=FilterCondition.OR),
    MetadataFilters(filters=[MetadataFilter(key="file_name", value="essay.txt", operator=FilterOperator.NE)]),
]


def test_quickstart_with_and_without_filters(server):
    store, index = milvus_index(server)
    ref = reference_index()
    assert store.client.describe_collection(store.collection_name)["enable_dynamic_field"] is True
    for query in ("What did the author work on?", "How did Uber do in 2021?", "startups"):
        assert_same(hits(index, query, 3), hits(ref, query, 3))
        for f in FILTERS:
            assert_same(hits(index, query, 4, f), hits(ref, query, 4, f))
    # A filter no document passes.
    none = MetadataFilters(filters=[ExactMatchFilter(key="file_name", value="missing.txt")])
    assert hits(index, "anything", 3, none) == []


def test_delete_ref_doc_and_reopen(server):
    store, index = milvus_index(server)
    ref = reference_index()
    for i in (index, ref):
        i.delete_ref_doc("doc2")
        i.delete_ref_doc("doc7")
    query = "Uber's revenue in 2021"
    assert_same(hits(index, query, 8), hits(ref, query, 8))
    assert len(hits(index, query, 8)) == 6
    assert not {"doc2", "doc7"} & {h[0] for h in hits(index, query, 8)}

    # A second store on the existing collection (no overwrite) sees the same rows.
    again = MilvusVectorStore(uri=f"http://127.0.0.1:{server.port}", dim=DIM, consistency_level="Strong")
    reopened = VectorStoreIndex.from_vector_store(again, embed_model=EMBED)
    assert_same(hits(reopened, query, 8), hits(ref, query, 8))
    # overwrite=True starts from an empty collection.
    fresh = MilvusVectorStore(uri=f"http://127.0.0.1:{server.port}", dim=DIM, overwrite=True,
                              consistency_level="Strong")
    assert hits(VectorStoreIndex.from_vector_store(fresh, embed_model=EMBED), query, 8) == []


def test_nodes_api_and_index_config(server):
    """get_nodes by ids and by filters, delete_nodes, clear; an HNSW index with
    search parameters and the L2 metric."""
    store, index = milvus_index(
        server,
        collection_name="hnsw_docs",
        index_config={"index_type": "HNSW", "M": 8, "efConstruction": 64},
        search_config={"ef": 32},
        similarity_metric="L2",
    )
    desc = store.client.describe_index("hnsw_docs", "embedding")
    assert (desc["index_type"], desc["metric_type"]) == ("HNSW", "L2"), desc
    ref = reference_index()
    query = "programming on early computers"
    got = hits(index, query, 3)
    # L2 on unit vectors orders as cosine does: distance = 2 - 2 cos.
    want = hits(ref, query, 3)
    assert [g[:3] for g in got] == [w[:3] for w in want], (got, want)
    for g, w in zip(got, want):
        assert abs(g[3] - (2 - 2 * w[3])) <= 1e-4, (g, w)

    by_filter = store.get_nodes(filters=MetadataFilters(filters=[ExactMatchFilter(key="topic", value="startups")]))
    assert sorted(n.ref_doc_id for n in by_filter) == ["doc6", "doc7"]
    ids = [n.node_id for n in sorted(by_filter, key=lambda n: n.ref_doc_id)]  # doc6's, doc7's
    by_id = store.get_nodes(node_ids=ids)
    assert sorted(n.text for n in by_id) == sorted(n.text for n in by_filter)
    assert all(len(n.embedding) == DIM for n in by_id)
    store.delete_nodes(node_ids=ids[:1])
    assert [n.node_id for n in store.get_nodes(node_ids=ids)] == ids[1:]
    store.delete_nodes(filters=MetadataFilters(filters=[MetadataFilter(key="year", value=2000, operator=FilterOperator.LT)]))
    left = store.get_nodes(filters=MetadataFilters(filters=[MetadataFilter(key="year", value=0, operator=FilterOperator.GT)]))
    assert sorted(n.ref_doc_id for n in left) == ["doc2", "doc3", "doc5", "doc7"], left
    store.clear()
    assert "hnsw_docs" not in store.client.list_collections()


def test_async_retrieval(server):
    """aretrieve and adelete through pymilvus's AsyncMilvusClient (made inside the loop)."""
    ref = reference_index()

    async def run():
        store, index = milvus_index(server, collection_name="async_docs")
        query = "revenue growth"
        f = FILTERS[0]
        got = [(n.node.ref_doc_id, n.node.text, n.node.metadata, n.score)
               for n in await index.as_retriever(similarity_top_k=3, filters=f).aretrieve(query)]
        assert_same(got, hits(ref, query, 3, f))
        await index.adelete_ref_doc("doc2")
        ref.delete_ref_doc("doc2")
        got = [(n.node.ref_doc_id, n.node.text, n.node.metadata, n.score)
               for n in await index.as_retriever(similarity_top_k=3).aretrieve(query)]
        assert_same(got, hits(ref, query, 3))
        await store.aclient.close()

    asyncio.run(run())
