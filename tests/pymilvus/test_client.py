"""pymilvus's MilvusClient (the 2.4+ API) against `annlab serve`: schema and index
in one call, rows as dicts, search, query, get, count(*), delete, upsert, drop."""

from pymilvus import DataType, MilvusClient, MilvusException


def client(server):
    return MilvusClient(uri=f"http://127.0.0.1:{server.port}")


def test_milvus_client_round_trip(server):
    c = client(server)
    s = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
    s.add_field("id", DataType.INT64, is_primary=True)
    s.add_field("vec", DataType.FLOAT_VECTOR, dim=4)
    s.add_field("tag", DataType.VARCHAR, max_length=20)
    ip = c.prepare_index_params()
    ip.add_index(field_name="vec", index_type="HNSW", metric_type="L2", params={"M": 8, "efConstruction": 32})
    c.create_collection("mc", schema=s, index_params=ip)
    assert c.list_collections() == ["mc"]
    assert str(c.get_load_state("mc")["state"]) == "Loaded"
    r = c.insert("mc", [{"id": i, "vec": [i, 0, 0, 1.0], "tag": f"t{i % 3}"} for i in range(20)])
    assert r["insert_count"] == 20
    hits = c.search("mc", [[3, 0, 0, 1.0]], limit=3, output_fields=["tag"], search_params={"params": {"ef": 16}})
    assert hits[0][0]["id"] == 3 and hits[0][0]["distance"] == 0.0
    assert hits[0][0]["entity"] == {"tag": "t0"}
    assert [h["distance"] for h in hits[0]] == [0.0, 1.0, 1.0], "squared L2, ascending"
    assert [r["id"] for r in c.query("mc", filter="tag == 't1'", output_fields=["tag"], limit=3)] == [1, 4, 7]
    got = c.get("mc", ids=[1, 2])
    assert [g["vec"] for g in got] == [[1.0, 0.0, 0.0, 1.0], [2.0, 0.0, 0.0, 1.0]]
    assert c.query("mc", output_fields=["count(*)"])[0]["count(*)"] == 20
    idx = c.describe_index("mc", "vec")
    assert (idx["index_type"], idx["params"]) == ("HNSW", {"M": 8, "efConstruction": 32})
    assert c.delete("mc", ids=[1])["delete_count"] == 1
    assert c.upsert("mc", [{"id": 2, "vec": [9, 9, 9, 9.0], "tag": "up"}])["upsert_count"] == 1
    assert c.get("mc", ids=[2])[0]["tag"] == "up"
    assert c.query("mc", output_fields=["count(*)"])[0]["count(*)"] == 19
    c.release_collection("mc")
    c.drop_index("mc", "vec")
    c.drop_collection("mc")
    assert c.list_collections() == []


def test_quick_setup_makes_a_dynamic_collection(server):
    # It was refused before annlab had dynamic fields; test_dynamic.py has the rest.
    c = client(server)
    c.create_collection("quick", dimension=8)
    assert c.describe_collection("quick")["enable_dynamic_field"] is True
    assert c.list_collections() == ["quick"]
