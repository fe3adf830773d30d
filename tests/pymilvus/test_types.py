"""ARRAY fields (element type, max_capacity) through pymilvus 2.5: insert,
`array_contains*`, `array_length`, `a[0]`, `a == [..]`, output, and Milvus's
refusals (over max_capacity, a wrong element type), each changing nothing.
tests/milvus runs it against the real Milvus 2.3.5 too (`server.real`)."""

from pymilvus import Collection, CollectionSchema, DataType, FieldSchema, MilvusException
from pymilvus.grpc_gen import milvus_pb2, schema_pb2
from pymilvus import connections

from harness import annlab_only, connect
from test_errors import raises

DIM = 4


def vec(i):
    return [1.0, float(i), 0.5, -float(i) / 10]


def array_collection():
    schema = CollectionSchema(
        [
            FieldSchema("id", DataType.INT64, is_primary=True),
            FieldSchema("vector", DataType.FLOAT_VECTOR, dim=DIM),
            FieldSchema("nums", DataType.ARRAY, element_type=DataType.INT64, max_capacity=4),
            FieldSchema("words", DataType.ARRAY, element_type=DataType.VARCHAR, max_capacity=3, max_length=10),
        ]
    )
    c = Collection("arrays", schema, consistency_level="Strong")
    c.insert(
        [
            [0, 1, 2, 3],
            [vec(i) for i in range(4)],
            [[1, 2, 3], [4], [], [6, 1]],
            [["a", "b"], ["c"], ["a"], []],
        ]
    )
    c.flush()
    c.create_index("vector", {"index_type": "FLAT", "metric_type": "L2", "params": {}})
    c.load()
    return c


def test_array_fields(server):
    connect(server)
    c = array_collection()

    def qids(expr):
        return sorted(r["id"] for r in c.query(expr, output_fields=["id"]))

    assert qids("array_contains(nums, 1)") == [0, 3]
    assert qids("array_contains_all(nums, [1, 2])") == [0]
    assert qids("array_contains_any(nums, [4, 6])") == [1, 3]
    assert qids("array_length(nums) == 1") == [1]
    assert qids("nums[0] == 6") == [3]
    assert qids("nums[1] > 1") == [0]
    assert qids('words[0] == "a"') == [0, 2]
    assert qids('array_contains(words, "c")') == [1]
    got = c.query("id == 0", output_fields=["nums", "words"])
    assert list(got[0]["nums"]) == [1, 2, 3] and list(got[0]["words"]) == ["a", "b"], got

    def contains(fn, message):
        try:
            fn()
        except MilvusException as e:
            assert message in e.message, e.message
            return
        raise AssertionError("nothing raised")

    # Over max_capacity: Milvus's words and code; nothing inserted.
    raises(
        lambda: c.insert([[9], [vec(9)], [[1, 2, 3, 4, 5]], [[]]]),
        MilvusException,
        1100,
        "the length (5) of 0th array exceeds max capacity (4)",
    )
    # A key path into an array, a path into a scalar field.
    contains(lambda: c.query('nums["a"] == 1'), "can only access array field with integer index")
    contains(lambda: c.query('id[0] == 1'), "data type not supported accessed with []")
    # A wrong element type, sent as another client would.
    handler = connections._fetch_handler("default")
    req = milvus_pb2.InsertRequest(collection_name="arrays", num_rows=1)
    req.fields_data.append(schema_pb2.FieldData(field_name="id", type=DataType.INT64, scalars=schema_pb2.ScalarField(long_data=schema_pb2.LongArray(data=[9]))))
    req.fields_data.append(schema_pb2.FieldData(field_name="vector", type=DataType.FLOAT_VECTOR, vectors=schema_pb2.VectorField(dim=DIM, float_vector=schema_pb2.FloatArray(data=vec(9)))))
    bad = schema_pb2.ScalarField(string_data=schema_pb2.StringArray(data=["x"]))
    req.fields_data.append(schema_pb2.FieldData(field_name="nums", type=DataType.ARRAY, scalars=schema_pb2.ScalarField(array_data=schema_pb2.ArrayArray(data=[bad], element_type=DataType.INT64))))
    ok = schema_pb2.ScalarField(string_data=schema_pb2.StringArray(data=["y"]))
    req.fields_data.append(schema_pb2.FieldData(field_name="words", type=DataType.ARRAY, scalars=schema_pb2.ScalarField(array_data=schema_pb2.ArrayArray(data=[ok], element_type=DataType.VARCHAR))))
    status = handler._stub.Insert(req).status
    assert status.code != 0, status
    assert "insert data does not match" in status.reason, status
    if not server.real:
        assert status.reason == (
            "insert data does not match: invalid parameter[expected=long array]"
            "[actual=*schemapb.ScalarField_StringData array]"
        ), status
    assert qids("id >= 0") == [0, 1, 2, 3]


@annlab_only
def test_nullable_fields_and_default_values(server):
    """Milvus 2.5's nullable fields and default values (2.3.5 has neither): an
    insert may leave them out; `is null` / `is not null`; a field with neither
    cannot be left out, and nothing changes."""
    from pymilvus import MilvusClient
    from pymilvus.exceptions import DataNotMatchException

    mc = MilvusClient(uri=f"http://127.0.0.1:{server.port}")
    schema = mc.create_schema()
    schema.add_field("id", DataType.INT64, is_primary=True)
    schema.add_field("vector", DataType.FLOAT_VECTOR, dim=DIM)
    schema.add_field("age", DataType.INT32, nullable=True)
    schema.add_field("tag", DataType.VARCHAR, max_length=16, default_value="none")
    schema.add_field("score", DataType.DOUBLE, nullable=True, default_value=0.5)
    index = mc.prepare_index_params()
    index.add_index("vector", index_type="FLAT", metric_type="L2")
    mc.create_collection("nulls", schema=schema, index_params=index)
    fields = {f["name"]: f for f in mc.describe_collection("nulls")["fields"]}
    assert fields["age"].get("nullable") is True, fields["age"]
    assert fields["tag"]["default_value"].string_data == "none", fields["tag"]
    mc.insert(
        "nulls",
        [
            {"id": 1, "vector": vec(1), "age": 30, "tag": "a", "score": 2.0},
            {"id": 2, "vector": vec(2), "age": None},
            {"id": 3, "vector": vec(3), "age": 40, "tag": "c", "score": None},
        ],
    )

    def qids(expr):
        return sorted(r["id"] for r in mc.query("nulls", filter=expr, output_fields=["id"]))

    assert qids("age is null") == [2]
    assert qids("age is not null") == [1, 3]
    assert qids("age > 0") == [1, 3]
    # Milvus 2.5's segcore: `not` keeps only the rows where its operand is
    # defined, so the null age is in neither `age > 35` nor `not (age > 35)`.
    assert qids("age > 35") == [3]
    assert qids("not (age > 35)") == [1]
    assert qids("not (age > 35 and id > 0)") == [1, 2]
    assert qids("tag == 'none'") == [2]
    assert qids("score == 0.5") == [2, 3]
    rows = {r["id"]: r for r in mc.query("nulls", filter="id > 0", output_fields=["age", "tag", "score"])}
    assert rows[2]["age"] is None and rows[2]["tag"] == "none" and rows[2]["score"] == 0.5, rows
    assert rows[1]["age"] == 30 and rows[3]["tag"] == "c", rows
    try:
        mc.insert("nulls", [{"id": 4, "age": 1}])
        raise AssertionError("a vector left out was accepted")
    except DataNotMatchException as e:
        assert "vector" in str(e), e
    assert qids("id > 0") == [1, 2, 3]
