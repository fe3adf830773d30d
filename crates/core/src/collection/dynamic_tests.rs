//! Dynamic fields (`enable_dynamic_field`, the hidden `$meta` column) and the
//! JSON and small-integer types, through insert, query, get, search, upsert,
//! delete and the persisted form.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use serde_json::{Value, json};

use super::*;
use crate::index::spec::{IndexParams, IndexSpec};
use crate::index::{AnnParams, NoProgress};
use crate::metric::Metric;
use crate::schema::{Column, DataType, FieldSchema};
use crate::value::PrimaryKey;

fn schema() -> CollectionSchema {
    CollectionSchema::new(
        vec![
            FieldSchema::int64_primary("id", false),
            FieldSchema::float_vector("vector", 2),
            FieldSchema::scalar("m", DataType::Json),
            FieldSchema::scalar("tiny", DataType::Int8),
            FieldSchema::scalar("small", DataType::Int16),
        ],
        "",
    )
    .with_dynamic_field()
}

fn rows(ids: &[i64], metas: Vec<Value>) -> Vec<Column> {
    let n = ids.len();
    vec![
        Column::Int64(ids.to_vec()),
        Column::FloatVector {
            dim: 2,
            data: ids.iter().flat_map(|&i| [1.0, i as f32]).collect(),
        },
        Column::Json(ids.iter().map(|&i| json!({"i": i})).collect()),
        Column::Int8(ids.iter().map(|&i| i as i8).collect()),
        Column::Int16(ids.iter().map(|&i| (i * 1000) as i16).collect()),
        Column::Json(metas.into_iter().take(n).collect()),
    ]
}

fn collection() -> Collection {
    let mut c = Collection::new("dyn", 3, schema(), 1).unwrap();
    c.insert(rows(
        &[1, 2, 3],
        vec![
            json!({"color": "red", "size": 1}),
            json!({"color": "blue"}),
            json!({"size": 3, "tags": ["x"]}),
        ],
    ))
    .unwrap();
    c.create_index(
        "vector",
        "",
        IndexSpec::new(IndexParams::Flat, Metric::L2),
        &mut NoProgress,
    )
    .unwrap();
    c.flush(&mut NoProgress).unwrap();
    c.load().unwrap();
    c
}

fn query(c: &Collection, expr: &str, output: &[&str]) -> OutputColumns {
    let req = QueryRequest {
        expr: expr.into(),
        output_fields: output.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    };
    match c.query(&req).unwrap() {
        QueryResult::Rows(r) => r,
        QueryResult::Count(_) => unreachable!(),
    }
}

fn ids(out: &OutputColumns) -> Vec<i64> {
    match out.get("id") {
        Some(Column::Int64(v)) => v.clone(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_meta_field_is_hidden_last_and_validated() {
    let s = schema();
    s.validate("dyn").unwrap();
    assert_eq!(s.fields.last().unwrap().name, "$meta");
    assert_eq!(s.user_fields().count(), 5);
    let mut bad = s.clone();
    bad.enable_dynamic_field = false;
    assert_eq!(bad.validate("dyn"), Err(Error::DynamicFieldMismatch));
}

#[test]
fn dynamic_keys_filter_and_come_back_by_name_and_with_star() {
    let c = collection();
    assert_eq!(ids(&query(&c, "color == 'red'", &[])), [1]);
    assert_eq!(ids(&query(&c, r#"$meta["size"] >= 1"#, &[])), [1, 3]);
    assert_eq!(ids(&query(&c, r#"m["i"] > 1 and tiny < 3"#, &[])), [2]);
    assert_eq!(ids(&query(&c, "small == 3000", &[])), [3]);
    let out = query(&c, "id > 0", &["color"]);
    assert_eq!(out.names, ["id", "$meta"]);
    assert_eq!(
        out.get("$meta"),
        Some(&Column::Json(vec![
            json!({"color": "red"}),
            json!({"color": "blue"}),
            json!({})
        ]))
    );
    let star = query(&c, "id == 3", &["*"]);
    assert_eq!(star.names, ["id", "vector", "m", "tiny", "small", "$meta"]);
    assert_eq!(
        star.get("$meta"),
        Some(&Column::Json(vec![json!({"size": 3, "tags": ["x"]})]))
    );
    // get and search return them too.
    let QueryResult::Rows(got) = c
        .get(&[PrimaryKey::Int64(2)], &["size".into(), "color".into()])
        .unwrap()
    else {
        unreachable!()
    };
    assert_eq!(
        got.get("$meta"),
        Some(&Column::Json(vec![json!({"color": "blue"})]))
    );
    let res = c
        .search(&SearchRequest {
            anns_field: "vector".into(),
            data: vec![vec![1.0, 1.0]],
            ann: AnnParams::default(),
            limit: 2,
            filter: "exists size".into(),
            output_fields: vec!["size".into()],
            ..Default::default()
        })
        .unwrap();
    assert_eq!(res.ids, Column::Int64(vec![1, 3]));
    assert_eq!(
        res.fields.get("$meta"),
        Some(&Column::Json(vec![json!({"size": 1}), json!({"size": 3})]))
    );
}

#[test]
fn upsert_and_delete_by_dynamic_keys() {
    let mut c = collection();
    c.upsert(rows(&[2], vec![json!({"color": "red"})])).unwrap();
    assert_eq!(ids(&query(&c, "color == 'red'", &[])), [1, 2]);
    assert_eq!(c.delete("color == 'red'").unwrap(), 2);
    assert_eq!(ids(&query(&c, "id > 0", &[])), [3]);
    // Rows without dynamic data get `{}`.
    let mut cols = rows(&[9], vec![]);
    cols.pop();
    c.insert(cols).unwrap();
    assert_eq!(
        query(&c, "id == 9", &["*"]).get("$meta"),
        Some(&Column::Json(vec![json!({})]))
    );
}

#[test]
fn bad_dynamic_data_is_refused_and_changes_nothing() {
    let mut c = collection();
    let before = c.count();
    let cases = [
        (
            json!({"m": 1}),
            "dynamic field name cannot include the static field name: m",
        ),
        (json!({"$meta": 1}), "cannot set json key to: $meta"),
        (
            json!([1]),
            "json: cannot unmarshal array into Go value of type map[string]interface {}",
        ),
    ];
    for (meta, message) in cases {
        let err = c.insert(rows(&[7], vec![meta])).unwrap_err();
        assert_eq!(err.to_string(), message);
    }
    assert_eq!(c.count(), before);
}

#[test]
fn dynamic_collections_persist() {
    let c = collection();
    let back = crate::persist::from_bytes(&crate::persist::to_bytes(&c).unwrap()).unwrap();
    assert_eq!(back.schema(), c.schema());
    let mut back = back;
    back.load().unwrap();
    assert_eq!(ids(&query(&back, "color == 'blue'", &[])), [2]);
    assert_eq!(
        query(&back, "id == 1", &["m", "tiny", "small"]).columns[1..],
        [
            Column::Json(vec![json!({"i": 1})]),
            Column::Int8(vec![1]),
            Column::Int16(vec![1000])
        ]
    );
}

#[test]
fn array_fields_check_capacity_and_element_type() {
    let schema = CollectionSchema::new(
        vec![
            FieldSchema::int64_primary("id", false),
            FieldSchema::float_vector("vector", 2),
            FieldSchema::array("nums", DataType::Int8, 3),
        ],
        "",
    );
    let mut c = Collection::new("arr", 4, schema.clone(), 1).unwrap();
    let cols = |nums: Value| {
        vec![
            Column::Int64(vec![1]),
            Column::FloatVector {
                dim: 2,
                data: vec![1.0, 0.0],
            },
            Column::Array(vec![nums]),
        ]
    };
    c.insert(cols(json!([1, 2, 3]))).unwrap();
    let cases = [
        (
            json!([1, 2, 3, 4]),
            "the length (4) of 0th array exceeds max capacity (3): invalid parameter[expected=valid length array][actual=array length exceeds max capacity]",
        ),
        (
            json!(["x"]),
            "insert data does not match: invalid parameter[expected=int array][actual=string array]",
        ),
        (
            json!([300]),
            "insert data does not match: invalid parameter[expected=int array][actual=number array]",
        ),
    ];
    for (nums, message) in cases {
        assert_eq!(c.insert(cols(nums)).unwrap_err().to_string(), message);
    }
    assert_eq!(c.count(), 1);
    let mut bad = schema.clone();
    bad.fields[2].max_capacity = Some(5000);
    assert_eq!(
        bad.validate("arr").unwrap_err().to_string(),
        "the maximum capacity specified for a Array should be in (0, 4096], but got 5000: invalid parameter"
    );
    bad.fields[2].max_capacity = None;
    assert_eq!(
        bad.validate("arr").unwrap_err().to_string(),
        "type param(max_capacity) should be specified for array field of collection arr"
    );
    bad.fields[2].element_type = Some(DataType::Json);
    assert!(bad.validate("arr").is_err());
}

#[test]
fn nullable_fields_and_default_values() {
    let mut age = FieldSchema::scalar("age", DataType::Int32);
    age.nullable = true;
    let mut tag = FieldSchema::varchar("tag", 8);
    tag.default_value = Some(json!("none"));
    let mut score = FieldSchema::scalar("score", DataType::Double);
    score.nullable = true;
    score.default_value = Some(json!(0.5));
    let schema = CollectionSchema::new(
        vec![
            FieldSchema::int64_primary("id", false),
            FieldSchema::float_vector("vector", 2),
            age,
            tag,
            score,
        ],
        "",
    );
    schema.validate("n").unwrap();
    let nullable = |values: Column, valid: Vec<bool>| Column::Nullable {
        values: Box::new(values),
        valid,
    };
    let mut c = Collection::new("n", 5, schema, 1).unwrap();
    c.insert(vec![
        Column::Int64(vec![1, 2, 3]),
        Column::FloatVector {
            dim: 2,
            data: vec![1.0, 0.0, 0.0, 1.0, 1.0, 1.0],
        },
        nullable(Column::Int32(vec![30, 0, 40]), vec![true, false, true]),
        nullable(
            Column::VarChar(vec!["a".into(), String::new(), "c".into()]),
            vec![true, false, true],
        ),
        nullable(
            Column::Double(vec![0.0, 0.0, 2.0]),
            vec![false, false, true],
        ),
    ])
    .unwrap();
    c.create_index(
        "vector",
        "",
        IndexSpec::new(IndexParams::Flat, Metric::L2),
        &mut NoProgress,
    )
    .unwrap();
    c.load().unwrap();
    assert_eq!(ids(&query(&c, "age is null", &[])), [2]);
    assert_eq!(ids(&query(&c, "age IS NOT NULL", &[])), [1, 3]);
    assert_eq!(ids(&query(&c, "age > 0", &[])), [1, 3]);
    assert_eq!(ids(&query(&c, "age >= 0 or id == 2", &[])), [1, 2, 3]);
    // Milvus 2.5's segcore: `not` keeps only the rows where its operand is
    // defined, so a null is in neither `age > 35` nor `not (age > 35)`;
    // `and`/`or` are defined where either side is.
    assert_eq!(ids(&query(&c, "age > 35", &[])), [3]);
    assert_eq!(ids(&query(&c, "not (age > 35)", &[])), [1]);
    assert_eq!(ids(&query(&c, "not (not (age > 35))", &[])), [3]);
    assert_eq!(ids(&query(&c, "not (age in [30])", &[])), [3]);
    assert_eq!(ids(&query(&c, "not (age > 35 and id > 0)", &[])), [1, 2]);
    assert_eq!(ids(&query(&c, "not (age > 35 or score > 1)", &[])), [1, 2]);
    assert_eq!(ids(&query(&c, "not (age is null)", &[])), [1, 3]);
    assert_eq!(ids(&query(&c, "not (age < 35) and id > 0", &[])), [3]);
    assert_eq!(ids(&query(&c, "tag == 'none'", &[])), [2]);
    assert_eq!(ids(&query(&c, "score == 0.5", &[])), [1, 2]);
    let out = query(&c, "id > 0", &["age", "tag"]);
    assert_eq!(
        out.get("age").unwrap().value(1),
        crate::value::FieldValue::Null
    );
    assert_eq!(
        out.get("tag"),
        Some(&Column::VarChar(vec![
            "a".into(),
            "none".into(),
            "c".into()
        ]))
    );
    // A field neither nullable nor with a default cannot be left out.
    let err = c
        .insert(vec![
            Column::Int64(vec![4]),
            nullable(
                Column::FloatVector {
                    dim: 2,
                    data: vec![0.0, 0.0],
                },
                vec![false],
            ),
            Column::Int32(vec![1]),
            Column::VarChar(vec!["x".into()]),
            Column::Double(vec![1.0]),
        ])
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Insert missed an field `vector` to collection without set nullable==true or set default_value"
    );
    assert_eq!(c.count(), 3);
    // Nulls survive the persisted form.
    c.flush(&mut NoProgress).unwrap();
    let mut back = crate::persist::from_bytes(&crate::persist::to_bytes(&c).unwrap()).unwrap();
    back.load().unwrap();
    assert_eq!(ids(&query(&back, "age is null", &[])), [2]);
}
