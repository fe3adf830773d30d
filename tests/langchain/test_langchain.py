"""langchain-milvus (pinned in requirements.txt, run from target/langchain-venv)
against `annlab serve`, as its own documentation uses it: the quickstart of the
`Milvus` class's docstring (AUTOINDEX by default, metadata as scalar columns),
LangChain's Milvus page (FLAT, `expr=` filters, delete by ids), metadata in
dynamic fields, `from_texts`, the async API and `upsert`.

Embeddings come from langchain_core's DeterministicFakeEmbedding (a seeded
random vector per text), so every expected hit below is computed here by exact
search over the same vectors: the server must return exactly those documents in
that order, with those distances. Also run against the real Milvus 2.3.5
(tests/milvus/run.py), asserting the same results.
"""

import asyncio
import uuid

import numpy as np
from langchain_core.documents import Document
from langchain_core.embeddings import DeterministicFakeEmbedding
from langchain_milvus import Milvus

DIM = 16
EMBEDDING = DeterministicFakeEmbedding(size=DIM)

# LangChain's Milvus page (docs/integrations/vectorstores/milvus): ten documents
# from three sources.
DOCS = [
    ("I had chocolate chip pancakes and scrambled eggs for breakfast this morning.", "tweet"),
    ("The weather forecast for tomorrow is cloudy and overcast, with a high of 62 degrees.", "news"),
    ("Building an exciting new project with LangChain - come check it out!", "tweet"),
    ("Robbers broke into the city bank and stole $1 million in cash.", "news"),
    ("Wow! That was an amazing movie. I can't wait to see it again.", "tweet"),
    ("Is the new iPhone worth the price? Read this review to find out.", "website"),
    ("The top 10 soccer players in the world right now.", "website"),
    ("LangGraph is the best framework for building stateful, agentic applications!", "tweet"),
    ("The stock market is down 500 points today due to fears of a recession.", "news"),
    ("I have a bad feeling I am going to get deleted :(", "tweet"),
]


def conn(server):
    return {"uri": f"http://127.0.0.1:{server.port}"}


# The real Milvus 2.3.5 shows a delete to later reads only at Strong consistency
# (annlab is always strongly consistent): every store here reads at Strong.
STRONG = "Strong"


def exact(texts, query, k, keep=lambda i: True):
    """The k nearest of `texts` to `query` by squared L2 (Milvus's L2), as
    (index, distance) pairs: what a correct server returns."""
    vecs = np.array(EMBEDDING.embed_documents(texts), dtype=np.float32)
    q = np.array(EMBEDDING.embed_query(query), dtype=np.float32)
    d = ((vecs - q) ** 2).sum(axis=1)
    order = [i for i in np.argsort(d, kind="stable") if keep(i)]
    return [(int(i), float(d[i])) for i in order[:k]]


def assert_hits(got, texts, want):
    """`got` (documents with scores) are `want`'s documents in order, with its distances."""
    assert [doc.page_content for doc, _ in got] == [texts[i] for i, _ in want], (got, want)
    for (_, score), (_, d) in zip(got, want):
        assert abs(score - d) <= 1e-4 * max(1.0, d), (score, d)


def test_docstring_quickstart(server):
    """The Milvus class's docstring, step by step: the default index (AUTOINDEX,
    L2), metadata inferred as a VARCHAR column, search, search with score,
    delete, MMR retriever."""
    store = Milvus(embedding_function=EMBEDDING, connection_args=conn(server), consistency_level=STRONG)
    docs = [
        Document(page_content="foo", metadata={"baz": "bar"}),
        Document(page_content="thud", metadata={"baz": "baz"}),
        Document(page_content="i will be deleted :(", metadata={"baz": "qux"}),
    ]
    assert store.add_documents(documents=docs, ids=["1", "2", "3"]) == ["1", "2", "3"]
    assert store.col.index().params["metric_type"] == "L2"

    hits = store.similarity_search(query="thud", k=1)
    assert [(d.page_content, d.metadata) for d in hits] == [("thud", {"baz": "baz", "pk": "2"})]

    assert store.delete(ids=["3"]) is True
    texts = ["foo", "thud"]
    got = store.similarity_search_with_score(query="qux", k=3)
    assert_hits(got, texts, exact(texts, "qux", 3))
    assert [d.metadata["pk"] for d, _ in got] == [["1", "2"][i] for i, _ in exact(texts, "qux", 3)]

    got = store.similarity_search_with_score(query="i will be deleted :(", k=3, expr='baz == "bar"')
    assert [(d.page_content, d.metadata) for d, _ in got] == [("foo", {"baz": "bar", "pk": "1"})]

    retriever = store.as_retriever(search_type="mmr", search_kwargs={"k": 1, "fetch_k": 2, "lambda_mult": 0.5})
    assert [d.page_content for d in retriever.invoke("thud")] == ["thud"]
    assert store.get_pks('baz in ["bar", "baz", "qux"]') == ["1", "2"]


def test_docs_page_quickstart_with_expr(server):
    """LangChain's Milvus page: FLAT/L2, ten documents with uuid ids, delete the
    last, similarity search with and without `expr`, with score."""
    store = Milvus(
        embedding_function=EMBEDDING,
        connection_args=conn(server),
        consistency_level=STRONG,
        index_params={"index_type": "FLAT", "metric_type": "L2"},
    )
    texts = [t for t, _ in DOCS]
    sources = [s for _, s in DOCS]
    documents = [Document(page_content=t, metadata={"source": s}) for t, s in DOCS]
    uuids = [str(uuid.uuid5(uuid.NAMESPACE_URL, t)) for t in texts]
    assert store.add_documents(documents=documents, ids=uuids) == uuids
    assert store.col.index().params["index_type"] == "FLAT"
    assert store.delete(ids=[uuids[-1]]) is True
    live = lambda i: i < len(texts) - 1  # noqa: E731

    query = "LangChain provides abstractions to make working with LLMs easy"
    got = store.similarity_search_with_score(query, k=4)
    assert_hits(got, texts, exact(texts, query, 4, live))

    got = store.similarity_search(query, k=2, expr='source == "tweet"')
    want = exact(texts, query, 2, lambda i: live(i) and sources[i] == "tweet")
    assert [d.page_content for d in got] == [texts[i] for i, _ in want]
    assert all(d.metadata["source"] == "tweet" for d in got)
    assert {d.metadata["pk"] for d in got} == {uuids[i] for i, _ in want}

    got = store.similarity_search_with_score("Will it be hot tomorrow?", k=1, expr='source == "news"')
    assert_hits(got, texts, exact(texts, "Will it be hot tomorrow?", 1, lambda i: sources[i] == "news"))

    # The deleted tweet is gone, even searched by its own text under a filter it passes.
    got = store.similarity_search(texts[-1], k=10, expr='source == "tweet"')
    assert len(got) == 4 and texts[-1] not in [d.page_content for d in got], got
    # A filter no row passes, and one on a missing column (refused by the server).
    assert store.similarity_search(query, k=3, expr='source == "radio"') == []
    try:
        store.similarity_search(query, k=3, expr='colour == "red"')
        raise AssertionError("a filter on a column the collection lacks should fail")
    except Exception as e:  # noqa: BLE001
        assert "colour" in str(e), e


def test_dynamic_field_metadata(server):
    """enable_dynamic_field=True: each document's metadata keys (different per
    document) are stored in the dynamic field, filtered on and returned."""
    store = Milvus(
        embedding_function=EMBEDDING,
        connection_args=conn(server),
        consistency_level=STRONG,
        collection_name="dynamic_docs",
        enable_dynamic_field=True,
        index_params={"index_type": "HNSW", "metric_type": "L2", "params": {"M": 8, "efConstruction": 64}},
        search_params={"metric_type": "L2", "params": {"ef": 64}},
    )
    docs = [
        Document(page_content="red apple", metadata={"colour": "red", "stock": 12}),
        Document(page_content="green pear", metadata={"colour": "green", "stock": 0}),
        Document(page_content="yellow lemon", metadata={"colour": "yellow", "origin": {"country": "es"}}),
        Document(page_content="red cherry", metadata={"colour": "red", "stock": 40, "tags": ["small", "sweet"]}),
        Document(page_content="plain text", metadata={}),
    ]
    ids = ["a", "b", "c", "d", "e"]
    assert store.add_documents(documents=docs, ids=ids) == ids
    texts = [d.page_content for d in docs]

    got = store.similarity_search_with_score("red apple", k=5)
    assert_hits(got, texts, exact(texts, "red apple", 5))
    meta = {d.page_content: d.metadata for d, _ in got}
    assert meta["red cherry"] == {"pk": "d", "colour": "red", "stock": 40, "tags": ["small", "sweet"]}, meta
    assert meta["yellow lemon"] == {"pk": "c", "colour": "yellow", "origin": {"country": "es"}}, meta
    assert meta["plain text"] == {"pk": "e"}, meta

    got = store.similarity_search("red apple", k=5, expr='colour == "red" and stock > 20')
    assert [d.page_content for d in got] == ["red cherry"], got
    got = store.similarity_search("red apple", k=5, expr='origin["country"] == "es"')
    assert [d.page_content for d in got] == ["yellow lemon"], got
    got = store.similarity_search_with_score("plain text", k=5, expr="stock >= 0")
    assert_hits(got, texts, exact(texts, "plain text", 5, lambda i: "stock" in docs[i].metadata))
    assert store.delete(expr='colour == "red"') is True
    got = store.similarity_search("red apple", k=5)
    assert sorted(d.page_content for d in got) == ["green pear", "plain text", "yellow lemon"], got


def test_from_texts_and_reopen(server):
    """Milvus.from_texts (auto ids when none are given, drop_old), then a second
    store on the same collection that finds the rows already there."""
    texts = [t for t, _ in DOCS]
    metadatas = [{"source": s, "n": i} for i, (_, s) in enumerate(DOCS)]
    store = Milvus.from_texts(
        texts,
        EMBEDDING,
        metadatas=metadatas,
        collection_name="from_texts",
        connection_args=conn(server),
        consistency_level=STRONG,
        drop_old=True,
    )
    query = "The stock market"
    got = store.similarity_search_with_score(query, k=3, expr="n >= 5")
    assert_hits(got, texts, exact(texts, query, 3, lambda i: i >= 5))
    pks = [d.metadata["pk"] for d, _ in got]
    assert all(isinstance(pk, int) for pk in pks), pks  # auto_id: INT64 keys

    again = Milvus(EMBEDDING, collection_name="from_texts", connection_args=conn(server),
                   consistency_level=STRONG)
    got = again.similarity_search_with_score(query, k=3)
    assert_hits(got, texts, exact(texts, query, 3))
    assert again.delete(ids=pks) is True
    got = again.similarity_search(query, k=10)
    assert len(got) == 7 and not {d.metadata["pk"] for d in got} & set(pks), (got, pks)

    # drop_old=True starts over (with the same schema: pymilvus caches a
    # collection's schema by name and checks inserts against it client-side).
    fresh = Milvus.from_texts(["only"], EMBEDDING, metadatas=[{"source": "memo", "n": 0}],
                              collection_name="from_texts", connection_args=conn(server),
                              consistency_level=STRONG, drop_old=True)
    got = fresh.similarity_search("anything", k=5)
    assert [(d.page_content, d.metadata["source"]) for d in got] == [("only", "memo")], got
    assert isinstance(got[0].metadata["pk"], int), got


def test_async_api_and_upsert(server):
    """The docstring's async calls (through pymilvus's AsyncMilvusClient, which
    needs the store made inside the event loop) and upsert."""
    texts = ["alpha", "beta", "gamma", "delta"]
    docs = [Document(page_content=t, metadata={"rank": i}) for i, t in enumerate(texts)]

    async def run():
        store = Milvus(
            embedding_function=EMBEDDING,
            connection_args=conn(server),
            consistency_level=STRONG,
            collection_name="async_docs",
            index_params={"index_type": "IVF_FLAT", "metric_type": "L2", "params": {"nlist": 4}},
            search_params={"metric_type": "L2", "params": {"nprobe": 4}},
        )
        assert await store.aadd_documents(documents=docs, ids=texts) == texts
        got = await store.asimilarity_search_with_score(query="gamma", k=2)
        assert_hits(got, texts, exact(texts, "gamma", 2))
        assert await store.adelete(ids=["beta"]) is True
        got = await store.asimilarity_search(query="beta", k=4)
        assert sorted(d.page_content for d in got) == ["alpha", "delta", "gamma"], got
        store.upsert(ids=["alpha"], documents=[Document(page_content="omega", metadata={"rank": 9})])
        got = store.similarity_search("omega", k=1)
        assert [(d.page_content, d.metadata) for d in got] == [("omega", {"rank": 9, "pk": "alpha"})]
        assert sorted(d.page_content for d in store.similarity_search("x", k=10)) == ["delta", "gamma", "omega"]
        await store.aclient.close()

    asyncio.run(run())
