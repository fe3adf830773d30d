"""ARRAY fields (element type, max_capacity) through pymilvus 2.5: insert,
`array_contains*`, `array_length`, `a[0]`, `a == [..]`, output, and Milvus's
refusals (over max_capacity, a wrong element type), each changing nothing.
tests/milvus runs it against the real Milvus 2.3.5 too (`server.real`)."""

from pymilvus import Collection, CollectionSchema, DataType, FieldSchema, MilvusException
from pymilvus.grpc_gen import milvus_pb2, schema_pb2
from pymilvus import connections

from harness import connect
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
