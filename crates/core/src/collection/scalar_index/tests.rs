//! Indexed evaluation equals the scan: random columns (duplicates, nulls, NaN,
//! -0.0, prefixes of each other) and random expressions, evaluated with and
//! without every index type that takes each field; and the rules of defining,
//! building, compacting, persisting, dropping and altering them in a collection.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

use super::{ScalarIndex, ScalarIndexType};
use crate::bitset::Bitset;
use crate::expr::{Columns, IndexQuery, parse};
use crate::schema::{CollectionSchema, Column, DataType, FieldSchema};

/// Columns by name (expr's test table), with optional scalar indexes over them.
struct Table {
    base: crate::expr::tests::Table,
    indexes: Vec<(String, ScalarIndex)>,
}

impl Columns for Table {
    fn num_rows(&self) -> usize {
        self.base.num_rows()
    }

    fn column(&self, field: &str) -> Option<&Column> {
        self.base.column(field)
    }

    fn index_rows(&self, field: &str, query: &IndexQuery<'_>) -> Option<Bitset> {
        let (_, i) = self.indexes.iter().find(|(f, _)| f == field)?;
        i.rows(query)
    }

    fn has_index(&self, field: &str) -> bool {
        self.indexes.iter().any(|(f, i)| f == field && i.answers())
    }
}

const STRINGS: [&str; 8] = ["", "a", "ab", "abc", "b", "ba", "é", "a%"];
const FLOATS: [f64; 8] = [-1.5, -0.0, 0.0, 0.5, 1.5, 2.0, f64::NAN, f64::INFINITY];

fn schema() -> CollectionSchema {
    let mut nullable = FieldSchema::scalar("n", DataType::Int32);
    nullable.nullable = true;
    let mut nullable_ints = FieldSchema::array("a", DataType::Int64, 4);
    nullable_ints.nullable = true;
    let mut strings = FieldSchema::array("t", DataType::VarChar, 4);
    strings.max_length = Some(20);
    CollectionSchema::new(
        vec![
            FieldSchema::int64_primary("id", false),
            FieldSchema::scalar("i", DataType::Int8),
            nullable,
            FieldSchema::scalar("f", DataType::Float),
            FieldSchema::scalar("d", DataType::Double),
            FieldSchema::varchar("s", 20),
            FieldSchema::scalar("b", DataType::Bool),
            FieldSchema::float_vector("v", 2),
            nullable_ints,
            strings,
            FieldSchema::array("x", DataType::Double, 4),
            FieldSchema::array("q", DataType::Bool, 4),
        ],
        "",
    )
}

/// A random array of up to four elements, drawn from `pick` (repeats likely).
fn array(rng: &mut ChaCha8Rng, pick: impl Fn(&mut ChaCha8Rng) -> Value) -> Value {
    let len = rng.random_range(0..5);
    Value::Array((0..len).map(|_| pick(rng)).collect())
}

fn table(rng: &mut ChaCha8Rng, rows: usize) -> Table {
    let int = |rng: &mut ChaCha8Rng| rng.random_range(-4i64..5);
    let float = |rng: &mut ChaCha8Rng| FLOATS[rng.random_range(0..FLOATS.len())];
    let columns = vec![
        ("id".into(), Column::Int64((0..rows as i64).collect())),
        (
            "i".into(),
            Column::Int8((0..rows).map(|_| int(rng) as i8).collect()),
        ),
        (
            "n".into(),
            Column::Nullable {
                values: Box::new(Column::Int32((0..rows).map(|_| int(rng) as i32).collect())),
                valid: (0..rows).map(|_| rng.random_bool(0.7)).collect(),
            },
        ),
        (
            "f".into(),
            Column::Float((0..rows).map(|_| float(rng) as f32).collect()),
        ),
        (
            "d".into(),
            Column::Double((0..rows).map(|_| float(rng)).collect()),
        ),
        (
            "s".into(),
            Column::VarChar(
                (0..rows)
                    .map(|_| STRINGS[rng.random_range(0..STRINGS.len())].to_owned())
                    .collect(),
            ),
        ),
        (
            "b".into(),
            Column::Bool((0..rows).map(|_| rng.random_bool(0.5)).collect()),
        ),
        (
            "a".into(),
            Column::Nullable {
                values: Box::new(Column::Array(
                    (0..rows)
                        .map(|_| array(rng, |r| json!(r.random_range(-3i64..4))))
                        .collect(),
                )),
                valid: (0..rows).map(|_| rng.random_bool(0.8)).collect(),
            },
        ),
        (
            "t".into(),
            Column::Array(
                (0..rows)
                    .map(|_| array(rng, |r| json!(STRINGS[r.random_range(0..STRINGS.len())])))
                    .collect(),
            ),
        ),
        (
            "x".into(),
            Column::Array(
                (0..rows)
                    .map(|_| {
                        // Doubles, some stored as JSON integers (as an insert of `2` keeps them).
                        array(rng, |r| match r.random_range(0..6) {
                            0 => json!(2),
                            1 => json!(-1),
                            2 => json!(-0.0),
                            3 => json!(0.5),
                            4 => json!(2.0),
                            _ => json!(1e300),
                        })
                    })
                    .collect(),
            ),
        ),
        (
            "q".into(),
            Column::Array(
                (0..rows)
                    .map(|_| array(rng, |r| json!(r.random_bool(0.3))))
                    .collect(),
            ),
        ),
    ];
    Table {
        base: crate::expr::tests::Table { rows, columns },
        indexes: Vec::new(),
    }
}

fn leaf(rng: &mut ChaCha8Rng) -> String {
    const OPS: [&str; 6] = ["==", "!=", "<", "<=", ">", ">="];
    let op = OPS[rng.random_range(0..OPS.len())];
    let int = rng.random_range(-5i64..6);
    let float = ["-1.5", "0.0", "-0.0", "0.5", "2.0", "1e300", "2"][rng.random_range(0..7)];
    let s = STRINGS[rng.random_range(0..STRINGS.len())].replace('%', "\\\\%");
    let t = STRINGS[rng.random_range(0..STRINGS.len())].replace('%', "\\\\%");
    let not = if rng.random_bool(0.3) { "not " } else { "" };
    let (i2, float2) = (
        rng.random_range(-4i64..5),
        ["0", "0.5", "2", "-1.0"][rng.random_range(0..4)],
    );
    match rng.random_range(0..20) {
        14 => format!("array_contains(a, {int})"),
        15 => format!("array_contains_any(a, [{int}, {i2}, {float}])"),
        16 => format!("array_contains_all(a, [{int}, {i2}])"),
        17 => format!("array_contains(t, \"{s}\") or array_contains_all(t, [\"{t}\", \"{s}\"])"),
        18 => format!(
            "array_contains_any(x, [{float}, {float2}]) or array_contains_all(x, [{int}, {float2}])"
        ),
        19 => [
            "array_contains(q, true)",
            "array_contains_all(q, [true, false])",
            "array_contains_any(t, [])",
            "array_contains_all(a, [])",
            "array_length(a) == 2",
            "a is null",
        ][rng.random_range(0..6)]
        .to_owned(),
        0 => format!("i {op} {int}"),
        1 => format!("n {op} {int}"),
        2 => format!("{int} {op} i"),
        3 => format!("f {op} {float}"),
        4 => format!("d {op} {float}"),
        5 => format!("d {op} {int}"),
        6 => format!("s {op} \"{s}\""),
        7 => format!("s {not}in [\"{s}\", \"{t}\"]"),
        8 => format!("s like \"{s}%\""),
        9 => format!("s like \"%{s}\""),
        10 => format!("i {not}in [{int}, {}, 7]", int + 2),
        11 => format!("f {not}in [{float}, 1.5]"),
        12 => ["b", "not b", "n is null", "n is not null"][rng.random_range(0..4)].to_owned(),
        _ => format!("n {not}in [{int}, 0]"),
    }
}

fn expr(rng: &mut ChaCha8Rng, depth: u32) -> String {
    if depth == 0 || rng.random_bool(0.4) {
        return leaf(rng);
    }
    let (a, b) = (expr(rng, depth - 1), expr(rng, depth - 1));
    match rng.random_range(0..3) {
        0 => format!("({a}) and ({b})"),
        1 => format!("({a}) or ({b})"),
        _ => format!("not ({a})"),
    }
}

#[test]
fn indexed_evaluation_equals_the_scan() {
    let schema = schema();
    let mut rng = ChaCha8Rng::seed_from_u64(14);
    for round in 0..12 {
        let mut t = table(&mut rng, 1 + round * 23);
        let exprs: Vec<_> = (0..60).map(|_| expr(&mut rng, 3)).collect();
        let scans: Vec<Bitset> = exprs
            .iter()
            .map(|e| parse(e, &schema).unwrap_or_else(|err| panic!("{e}: {err}")))
            .map(|e| e.evaluate(&t))
            .collect();
        for kind in ScalarIndexType::ALL {
            t.indexes = t
                .base
                .columns
                .iter()
                .filter(|(f, _)| kind.check_field(schema.field(f).unwrap()).is_ok())
                .map(|(f, c)| (f.clone(), ScalarIndex::build(kind, c)))
                .collect();
            assert!(!t.indexes.is_empty());
            for (e, scan) in exprs.iter().zip(&scans) {
                let parsed = parse(e, &schema).unwrap();
                assert_eq!(&parsed.evaluate(&t), scan, "{kind:?}: {e}");
                let exact = scan.count() as f64 / t.base.rows as f64;
                let estimate = parsed.estimate_selectivity(&t, 4);
                if parsed.answered_by_indexes(&t) {
                    assert_eq!(estimate, exact, "{kind:?}: {e}");
                }
            }
        }
    }
}

#[test]
fn every_leaf_kind_is_answered_by_the_index() {
    let schema = schema();
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let mut t = table(&mut rng, 50);
    t.indexes = t
        .base
        .columns
        .iter()
        .filter(|(f, _)| f != "id")
        .map(|(f, c)| (f.clone(), ScalarIndex::build(ScalarIndexType::Inverted, c)))
        .collect();
    for e in [
        "i > 1",
        "2 <= i",
        "n != 3",
        "f == 0.0",
        "d < 2",
        "s >= \"ab\"",
        "s in [\"a\", \"b\"]",
        "s like \"ab%\"",
        "s like \"ab\"",
        "i in [1, 2]",
        "f not in [1.5]",
        "b",
        "(i > 1 and s == \"a\") or not b",
        "array_contains(a, 1)",
        "array_contains_all(t, [\"a\", \"b\"])",
        "array_contains_any(x, [0.5, 2])",
        "not array_contains(q, true)",
    ] {
        let parsed = parse(e, &schema).unwrap();
        assert!(parsed.answered_by_indexes(&t), "{e}");
    }
    // With the columns gone (but the nullable one), only the indexes can answer.
    let scan = |e: &str| {
        parse(e, &schema)
            .unwrap()
            .evaluate(&table(&mut ChaCha8Rng::seed_from_u64(3), 50))
    };
    let answered = [
        "i > 1",
        "f == 0.0",
        "s like \"ab%\"",
        "b",
        "d in [2.0, 1]",
        "array_contains_all(t, [\"a\", \"b\"])",
        "array_contains_any(x, [0.5, 2])",
        "not array_contains(q, true)",
    ];
    let expected: Vec<Bitset> = answered.iter().map(|e| scan(e)).collect();
    t.base.columns.retain(|(f, _)| f == "n");
    for (e, want) in answered.iter().zip(&expected) {
        assert_eq!(&parse(e, &schema).unwrap().evaluate(&t), want, "{e}");
    }
    for e in [
        "s like \"%b\"",
        "i + 1 > 2",
        "id > 3",
        "array_length(t) == 2",
        "t[0] == \"a\"",
    ] {
        let parsed = parse(e, &schema).unwrap();
        assert!(!parsed.answered_by_indexes(&t), "{e}");
    }
}

#[test]
fn autoindex_chooses_by_type_and_hybrid_by_cardinality() {
    use super::{Body, HYBRID_BITMAP_CARDINALITY};
    let schema = schema();
    let auto = |f: &str| ScalarIndexType::auto_for(schema.field(f).unwrap()).unwrap();
    assert_eq!(auto("b"), ScalarIndexType::Bitmap);
    assert_eq!(auto("q"), ScalarIndexType::Bitmap);
    assert_eq!(auto("f"), ScalarIndexType::Inverted);
    assert_eq!(auto("x"), ScalarIndexType::Inverted);
    for f in ["i", "n", "s", "a", "t", "id"] {
        assert_eq!(auto(f), ScalarIndexType::Hybrid, "{f}");
    }
    let ints = |distinct: i64| Column::Int64((0..2000).map(|i| i % distinct).collect());
    let few = ScalarIndex::build(
        ScalarIndexType::Hybrid,
        &ints(HYBRID_BITMAP_CARDINALITY as i64 - 1),
    );
    let many = ScalarIndex::build(
        ScalarIndexType::Hybrid,
        &ints(HYBRID_BITMAP_CARDINALITY as i64),
    );
    assert!(matches!(few.body, Body::Bitmap(_)));
    assert!(matches!(many.body, Body::Inverted(_)));
    let arrays = |distinct: i64| {
        Column::Array(
            (0..1000)
                .map(|i| json!([i % distinct, (i + 1) % distinct]))
                .collect(),
        )
    };
    let few = ScalarIndex::build(ScalarIndexType::Hybrid, &arrays(10));
    let many = ScalarIndex::build(ScalarIndexType::Hybrid, &arrays(900));
    assert!(matches!(few.body, Body::ElementsBitmap(_)));
    assert!(matches!(many.body, Body::ElementsInverted(_)));
    let q = IndexQuery::Contains {
        all: false,
        values: &[json!(3)],
    };
    assert_eq!(few.rows(&q).unwrap().count(), 200);
    assert_eq!(many.rows(&q).unwrap().count(), 4);
}

mod collection {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use crate::collection::{Collection, IndexState, QueryRequest, QueryResult, ScalarIndexType};
    use crate::dataset::{DataSpec, TutorialData};
    use crate::error::Error;
    use crate::index::NoProgress;
    use crate::index::spec::{IndexParams, IndexSpec};
    use crate::metric::Metric;
    use crate::schema::CollectionSchema;

    const FILTERS: [&str; 8] = [
        "timestamp > 1700000100 and source == \"source_3.txt\"",
        "source like \"source_1%\"",
        "source in [\"source_2.txt\", \"source_9.txt\"] or timestamp <= 1700000020",
        "timestamp not in [1700000001, 1700000400]",
        "not (source != \"source_0.txt\")",
        "timestamp >= 1700000590 and timestamp < 1700000650",
        "source > \"source_7\"",
        "text like \"%5\" and timestamp != 1700000005",
    ];

    /// The tutorial's collection: three flushed segments of 200 rows and 100
    /// growing rows, some of each deleted.
    fn collection(scalar: &[(&str, ScalarIndexType)]) -> Collection {
        let data = TutorialData::generate(
            DataSpec {
                n: 700,
                dim: 4,
                seed: 9,
                kind: Default::default(),
            },
            1_700_000_000,
        )
        .unwrap();
        let mut c = Collection::new("c", 1, CollectionSchema::tutorial(4), 5).unwrap();
        let flat = IndexSpec::new(IndexParams::Flat, Metric::L2);
        c.create_index("embedding", "", flat, &mut NoProgress)
            .unwrap();
        for &(field, t) in scalar {
            c.create_scalar_index(field, "", Some(t)).unwrap();
        }
        for start in (0..600).step_by(200) {
            c.insert(data.columns(start, start + 200)).unwrap();
            c.flush(&mut NoProgress).unwrap();
        }
        c.insert(data.columns(600, 700)).unwrap();
        c.delete("timestamp in [1700000003, 1700000350, 1700000650] or source == \"source_4.txt\" and timestamp < 1700000100").unwrap();
        c.load().unwrap();
        c
    }

    fn ids(c: &Collection, expr: &str) -> QueryResult {
        c.query(&QueryRequest {
            expr: expr.into(),
            output_fields: vec!["id".into()],
            ..Default::default()
        })
        .unwrap()
    }

    fn same_answers(a: &Collection, b: &Collection) {
        for f in FILTERS {
            assert_eq!(ids(a, f), ids(b, f), "{f}");
        }
    }

    #[test]
    fn indexed_queries_equal_unindexed_ones_through_compaction_and_persistence() {
        let mut plain = collection(&[]);
        let mut c = collection(&[
            ("timestamp", ScalarIndexType::StlSort),
            ("source", ScalarIndexType::Trie),
        ]);
        assert!(
            c.sealed_segments()
                .iter()
                .all(|s| s.scalar_indexes.len() == 2)
        );
        assert!(
            c.growing_segments()
                .iter()
                .all(|s| s.scalar_indexes.is_empty())
        );
        assert_eq!(c.index_state_of("source"), IndexState::Finished);
        same_answers(&c, &plain);

        c.compact(&mut NoProgress).unwrap();
        assert_eq!(c.sealed_segments().len(), 1);
        assert_eq!(c.sealed_segments()[0].scalar_indexes.len(), 2, "rebuilt");
        same_answers(&c, &plain);

        // Growing rows are not persisted: flush them (sealing builds their index).
        c.flush(&mut NoProgress).unwrap();
        plain.flush(&mut NoProgress).unwrap();
        assert!(
            c.sealed_segments()
                .iter()
                .all(|s| s.scalar_indexes.len() == 2)
        );
        let again = crate::persist::from_bytes(&crate::persist::to_bytes(&c).unwrap()).unwrap();
        assert_eq!(again.scalar_indexes(), c.scalar_indexes());
        assert_eq!(
            again.sealed_segments()[0].scalar_indexes,
            c.sealed_segments()[0].scalar_indexes
        );
        let mut again = again;
        again.load().unwrap();
        same_answers(&again, &plain);

        for t in [ScalarIndexType::Inverted, ScalarIndexType::Bitmap] {
            let other = collection(&[("timestamp", ScalarIndexType::Inverted), ("source", t)]);
            same_answers(&other, &plain);
        }
    }

    #[test]
    fn milvus_rules_for_defining_dropping_and_altering() {
        let mut c = collection(&[("timestamp", ScalarIndexType::StlSort)]);
        let refuse = |c: &mut Collection, field: &str, t: Option<ScalarIndexType>| {
            c.create_scalar_index(field, "", t).unwrap_err().to_string()
        };
        let suffix =
            ": invalid parameter[expected=valid index params][actual=invalid index params]";
        assert_eq!(
            refuse(&mut c, "source", Some(ScalarIndexType::StlSort)),
            format!("STL_SORT are only supported on numeric field{suffix}")
        );
        assert_eq!(
            refuse(&mut c, "timestamp", Some(ScalarIndexType::Trie)),
            format!("TRIE are only supported on varchar field{suffix}")
        );
        assert_eq!(
            refuse(&mut c, "id", Some(ScalarIndexType::Bitmap)),
            format!("create bitmap index on primary key not supported{suffix}")
        );
        assert_eq!(
            refuse(&mut c, "embedding", Some(ScalarIndexType::Inverted)),
            format!("INVERTED are not supported on FloatVector field{suffix}")
        );
        assert!(matches!(
            c.create_scalar_index("timestamp", "", Some(ScalarIndexType::Inverted)),
            Err(Error::IndexAlreadyExists { .. })
        ));
        c.create_scalar_index("timestamp", "", Some(ScalarIndexType::StlSort))
            .expect("the same index again is a no-op");
        assert!(matches!(
            c.create_scalar_index("source", "timestamp", None),
            Err(Error::IndexNameTaken { .. })
        ));
        c.create_scalar_index("source", "by_source", None).unwrap();
        assert_eq!(
            c.scalar_index_on("source").unwrap().index_type,
            ScalarIndexType::Hybrid
        );
        assert!(c.scalar_index_on("source").unwrap().autoindex);

        // AlterIndex: only configurable params, never while loaded.
        let set = |k: &str| vec![(k.to_owned(), "true".to_owned())];
        assert_eq!(
            c.alter_index("by_source", &set("nope"), &[])
                .unwrap_err()
                .to_string(),
            "nope is not configable index param: invalid parameter"
        );
        assert_eq!(
            c.alter_index("by_source", &set("mmap.enabled"), &[])
                .unwrap_err()
                .to_string(),
            "can't alter index on loaded collection, please release the collection first: collection already loaded[collection=c]"
        );
        assert_eq!(
            c.drop_index_named("", "by_source"),
            Err(Error::DropIndexWhileLoaded)
        );
        c.release();
        assert_eq!(
            c.alter_index("by_source", &set("mmap.enabled"), &[]),
            Ok(true)
        );
        assert_eq!(
            c.alter_index("missing", &set("mmap.enabled"), &[]),
            Ok(false)
        );
        assert_eq!(
            c.index_properties("by_source")
                .unwrap()
                .get("mmap.enabled")
                .map(String::as_str),
            Some("true")
        );
        assert_eq!(c.drop_index_named("", ""), Err(Error::AmbiguousIndex));
        c.drop_index_named("source", "").unwrap();
        assert!(c.scalar_index_on("source").is_none());
        assert!(c.index_properties("by_source").is_none());
        let f = c.schema().field_index("source").unwrap();
        assert!(
            c.sealed_segments()
                .iter()
                .all(|s| !s.scalar_indexes.contains_key(&f))
        );
        c.drop_index_named("", "timestamp").unwrap();
        assert!(c.scalar_indexes().is_empty());
        assert!(
            c.sealed_segments()
                .iter()
                .all(|s| s.scalar_indexes.is_empty())
        );
    }
}
