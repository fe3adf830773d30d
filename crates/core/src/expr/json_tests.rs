//! Filters on JSON fields and on dynamic keys (`$meta`).

use serde_json::json;

use super::tests::Table;
use super::*;
use crate::schema::{DataType, FieldSchema};
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

fn schema() -> CollectionSchema {
    CollectionSchema::new(
        vec![
            FieldSchema::int64_primary("id", false),
            FieldSchema::float_vector("v", 2),
            FieldSchema::scalar("m", DataType::Json),
            FieldSchema::scalar("small", DataType::Int8),
        ],
        "",
    )
    .with_dynamic_field()
}

fn table() -> Table {
    let m = vec![
        json!({"a": {"b": 1}, "arr": [1, 2, 3], "s": "apple"}),
        json!({"a": {"b": 5}, "arr": [4], "s": "banana"}),
        json!({"a": {"b": 4.5}, "arr": [], "s": 7}),
        json!({"a": 3, "arr": [1, "x"]}),
        json!([1, 2]),
    ];
    let meta = vec![
        json!({"color": "red", "n": 1}),
        json!({"color": "blue", "n": 2, "tags": ["a", "b"]}),
        json!({"color": "red", "n": 3.5}),
        json!({}),
        json!({"color": "green", "flag": true}),
    ];
    Table {
        rows: 5,
        columns: vec![
            ("id".into(), Column::Int64((0..5).collect())),
            ("m".into(), Column::Json(m)),
            ("small".into(), Column::Int8(vec![-3, 0, 7, 100, -128])),
            ("$meta".into(), Column::Json(meta)),
        ],
    }
}

#[test]
fn json_paths_functions_and_dynamic_keys() {
    let cases: &[(&str, &[usize])] = &[
        (r#"m["a"]["b"] > 3"#, &[1, 2]),
        (r#"m['a']['b'] == 1"#, &[0]),
        (r#"m["a"]["b"] <= 4.5"#, &[0, 2]),
        (r#"3 < m["a"]["b"]"#, &[1, 2]),
        (r#"m["a"]["b"] != 5"#, &[0, 2, 3, 4]),
        (r#"m["a"] == 3"#, &[3]),
        (r#"m["s"] == "apple""#, &[0]),
        (r#"m["s"] like "b%""#, &[1]),
        (r#"m["s"] in ["apple", 7]"#, &[0, 2]),
        (r#"m["s"] not in ["apple", 7]"#, &[1, 3, 4]),
        (r#"m["arr"][0] == 1"#, &[0, 3]),
        (r#"m[0] == 1"#, &[4]),
        (r#"exists m["s"]"#, &[0, 1, 2]),
        (r#"json_contains(m["arr"], 1)"#, &[0, 3]),
        (r#"JSON_CONTAINS(m["arr"], "x")"#, &[3]),
        (r#"json_contains_all(m["arr"], [1, 3])"#, &[0]),
        (r#"json_contains_any(m["arr"], [4, "x"])"#, &[1, 3]),
        (r#"array_contains(m["arr"], 2)"#, &[0]),
        (r#"array_length(m["arr"]) == 0"#, &[2]),
        (r#"array_length(m["arr"]) >= 2"#, &[0, 3]),
        // Dynamic keys: bare names the schema lacks, and $meta paths.
        (r#"color == "red""#, &[0, 2]),
        (r#"$meta["color"] == 'red'"#, &[0, 2]),
        (r#"color in ["red", "green"] and id > 0"#, &[2, 4]),
        (r#"n >= 2"#, &[1, 2]),
        (r#"n + 1 == 2 or color == "blue""#, &[1]),
        (r#"tags[1] == "b""#, &[1]),
        (r#"json_contains(tags, "a")"#, &[1]),
        (r#"flag == true"#, &[4]),
        (r#"exists color"#, &[0, 1, 2, 4]),
        (r#"nope > 1"#, &[]),
        (r#"not (color == "red")"#, &[1, 3, 4]),
        (r#"small < 0"#, &[0, 4]),
        (r#"small in [7, 100]"#, &[2, 3]),
    ];
    let (schema, table) = (schema(), table());
    for (expr, want) in cases {
        let parsed = match parse(expr, &schema) {
            Ok(p) => p,
            Err(e) if *expr == r#"n + 1 == 2 or color == "blue""# => {
                // Arithmetic on JSON is refused (see below).
                assert!(e.to_string().contains("'add'"), "{e}");
                continue;
            }
            Err(e) => panic!("{expr}: {e}"),
        };
        let got: Vec<usize> = parsed.evaluate(&table).iter().collect();
        assert_eq!(&got, want, "{expr}");
    }
    let e = parse(r#"color == "red" and m["a"] == 3"#, &schema).unwrap();
    assert_eq!(e.fields(), ["$meta", "m"]);
}

#[test]
fn json_errors_follow_milvus() {
    let schema = schema();
    let cases: &[(&str, &str)] = &[
        (
            r#"id["a"] > 1"#,
            "Int64 data type not supported accessed with []",
        ),
        (
            r#"v[0] > 1"#,
            "FloatVector data type not supported accessed with []",
        ),
        ("m > 1", "can not comparisons jsonField directly"),
        (
            "json_contains_all(m[\"arr\"], 1)",
            "contains_all operation element must be an array",
        ),
        (
            "json_contains_any(m[\"arr\"], 1)",
            "contains_any operation element must be an array",
        ),
        (
            "json_contains(id, 1)",
            "contains operation are only supported on json or array fields now, got: Int64",
        ),
        (
            "exists id",
            "exists operations are only supported on single json field, got:Int64",
        ),
        (
            "m[\"a\"] + 1 > 2",
            "'add' can only be used between integer or floating expressions",
        ),
    ];
    for (expr, message) in cases {
        let err = parse(expr, &schema).expect_err(expr);
        assert_eq!(
            err.to_string(),
            format!("cannot parse expression: {expr}, error: {message}"),
            "{expr}"
        );
    }
    // Without dynamic fields an unknown name is still unknown.
    let plain = CollectionSchema::new(schema.user_fields().cloned().collect(), "");
    let err = parse("color == 'red'", &plain).unwrap_err();
    assert!(err.to_string().ends_with("field color not exist"), "{err}");
    let err = parse("$meta['color'] == 'red'", &plain).unwrap_err();
    assert!(err.to_string().ends_with("field $meta not exist"), "{err}");
}

#[test]
fn array_fields_filter_like_milvus() {
    let schema = CollectionSchema::new(
        vec![
            FieldSchema::int64_primary("id", false),
            FieldSchema::float_vector("v", 2),
            FieldSchema::array("nums", DataType::Int64, 4),
        ],
        "",
    );
    let table = Table {
        rows: 4,
        columns: vec![
            ("id".into(), Column::Int64((0..4).collect())),
            (
                "nums".into(),
                Column::Array(vec![json!([1, 2, 3]), json!([4]), json!([]), json!([6, 1])]),
            ),
        ],
    };
    let cases: &[(&str, &[usize])] = &[
        ("array_contains(nums, 1)", &[0, 3]),
        ("array_contains_all(nums, [1, 2])", &[0]),
        ("ARRAY_CONTAINS_ANY(nums, [4, 6])", &[1, 3]),
        ("array_length(nums) == 1", &[1]),
        ("nums[0] == 6", &[3]),
        ("nums[1] > 1", &[0]),
        ("nums == [4]", &[1]),
        ("nums != [4]", &[0, 2, 3]),
    ];
    for (expr, want) in cases {
        let parsed = parse(expr, &schema).unwrap_or_else(|e| panic!("{expr}: {e}"));
        let got: Vec<usize> = parsed.evaluate(&table).iter().collect();
        assert_eq!(&got, want, "{expr}");
    }
    let err = parse(r#"nums["a"] == 1"#, &schema).unwrap_err();
    assert!(
        err.to_string()
            .ends_with("can only access array field with integer index"),
        "{err}"
    );
}
