//! Milvus's parameters as text ↔ the engine's typed requests. The one place that
//! reads what clients send (index and search `params` as a JSON string or as
//! separate pairs, numbers as strings as pymilvus sends them, keys of other
//! index types ignored) and writes what Milvus shows (`describe_index`) or
//! expects (`annlab scenario --milvus` talking to a Milvus server).
//!
//! Milvus checks an index's field before its metric, type and parameters, and
//! its proxy's search checks before its query node reads the search
//! parameters; the callers keep that order (`Collection::index_field`,
//! `Collection::check_search_target`), so the same error wins.

use annlab_core::collection::{
    GroupBy, RangeSearch, ScalarIndexDef, ScalarIndexType, SearchRequest,
};
use annlab_core::index::spec::{DEFAULT_NBITS, DEFAULT_NLIST, IndexParams, IndexSpec};
use annlab_core::index::{AnnParams, IndexType, RefineK};
use annlab_core::schema::CollectionSchema;
use annlab_core::{Error, Metric};
use milvus::proto::common::KeyValuePair;
use milvus::proto::milvus::search_request::SearchInput;
use serde_json::{Map, Value};

use super::convert::{QueryVectors, kv, query_vectors};
use super::status::Failure;

/// A JSON object given as a string (`params` of create_index and search); empty
/// means none.
pub fn json_object(text: Option<&str>, what: &str) -> Result<Map<String, Value>, Failure> {
    let Some(text) = text.filter(|t| !t.trim().is_empty()) else {
        return Ok(Map::new());
    };
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) | Err(_) => Err(Failure::invalid(format!(
            "{what} should be a JSON object, got '{text}'"
        ))),
    }
}

/// An integer as a JSON number or a numeric string; None if it is neither.
fn integer(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A word as given (a JSON string's content, anything else as JSON text).
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        v => v.to_string(),
    }
}

/// A boolean as a JSON boolean or the strings `true`/`false` (any case), as
/// knowhere reads Milvus's string-valued params.
fn boolean(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// `v` as a count: negative values become 0 (which the engine's ranges refuse
/// in the same words, since Milvus's messages name the range, not the value).
fn count(v: i64) -> usize {
    usize::try_from(v.max(0)).unwrap_or(usize::MAX)
}

// --- create_index ---------------------------------------------------------------

/// The index type a CreateIndex request names, as written.
pub fn index_type_name(pairs: &[KeyValuePair]) -> &str {
    kv(pairs, "index_type").unwrap_or("")
}

/// The `params` of a CreateIndex request's `extra_params` in one object: a JSON
/// string (pymilvus's ORM) or separate pairs (MilvusClient's IndexParams).
pub fn index_params_map(pairs: &[KeyValuePair]) -> Result<Map<String, Value>, Failure> {
    let mut params = json_object(kv(pairs, "params"), "params")?;
    for p in pairs {
        if !matches!(p.key.as_str(), "params" | "index_type" | "metric_type") {
            params.insert(p.key.clone(), p.value.clone().into());
        }
    }
    Ok(params)
}

/// A CreateIndex request as a typed spec (`params`: [`index_params_map`]), read
/// in Milvus's order: the metric (whose supported list depends on the type),
/// the type, the params. A missing `nlist` or `nbits` takes Milvus's default; a
/// missing or unreadable required parameter becomes 0, which
/// [`IndexSpec::validate`] refuses as out of range, as Milvus refuses it.
pub fn index_spec(pairs: &[KeyValuePair], params: &Map<String, Value>) -> Result<IndexSpec, Error> {
    let index_type = index_type_name(pairs);
    if is_autoindex(index_type) {
        // Milvus 2.5 standalone's choice for float vectors; its own build
        // params replace the request's, the request's metric is kept.
        let metric = match kv(pairs, "metric_type").filter(|m| !m.trim().is_empty()) {
            None => None,
            Some(name) => Some(metric_for(index_type, name)?),
        };
        return Ok(IndexSpec::auto(metric));
    }
    let metric = metric_for(index_type, kv(pairs, "metric_type").unwrap_or(""))?;
    let get = |name: &str, default: Option<usize>| match params.get(name) {
        None => default.unwrap_or(0),
        Some(v) => integer(v).map_or(0, count),
    };
    let params = match index_type.parse::<IndexType>()? {
        IndexType::Flat => IndexParams::Flat,
        IndexType::Hnsw => IndexParams::Hnsw {
            m: get("M", None),
            ef_construction: get("efConstruction", None),
        },
        IndexType::IvfFlat => IndexParams::IvfFlat {
            nlist: get("nlist", Some(DEFAULT_NLIST)),
        },
        IndexType::IvfPq => IndexParams::IvfPq {
            nlist: get("nlist", Some(DEFAULT_NLIST)),
            m: get("m", None),
            nbits: get("nbits", Some(DEFAULT_NBITS)),
        },
        IndexType::BinFlat => IndexParams::BinFlat,
        IndexType::BinIvfFlat => IndexParams::BinIvfFlat {
            nlist: get("nlist", Some(DEFAULT_NLIST)),
        },
        IndexType::HnswSq => {
            let word = |name: &str| params.get(name).map(text);
            let refine = match params.get("refine") {
                None => false,
                Some(v) => boolean(v).ok_or_else(|| Error::ParamNotABoolean {
                    param: "refine",
                    value: v.to_string(),
                })?,
            };
            IndexParams::HnswSq {
                m: get("M", None),
                ef_construction: get("efConstruction", None),
                sq_type: word("sq_type").as_deref().unwrap_or("SQ8").parse()?,
                refine,
                refine_type: word("refine_type").map(|t| t.parse()).transpose()?,
            }
        }
        IndexType::IvfSq8 => IndexParams::IvfSq8 {
            nlist: get("nlist", Some(DEFAULT_NLIST)),
        },
    };
    Ok(IndexSpec::new(params, metric))
}

/// Whether the CreateIndex request asks Milvus to choose: `AUTOINDEX`, or no
/// index type at all (Milvus 2.5 builds AUTOINDEX for a vector field then).
/// The scalar index a CreateIndex of `index_type` on field `field` asks for:
/// `Some(None)` for AUTOINDEX (or no type) on a scalar field, `Some(Some(t))`
/// for a scalar index type on a scalar field; None for a vector field, a
/// missing one or another index type (the vector path says why).
pub fn scalar_index_type(
    schema: &CollectionSchema,
    field: &str,
    index_type: &str,
) -> Option<Option<ScalarIndexType>> {
    let field = schema.field(field)?;
    if field.data_type.is_vector() {
        return None;
    }
    if is_autoindex(index_type) {
        return Some(None);
    }
    ScalarIndexType::from_name(index_type).map(Some)
}

/// A scalar index's `index_type` as DescribeIndex shows it (what was asked).
pub fn scalar_index_type_name(def: &ScalarIndexDef) -> &'static str {
    if def.autoindex {
        "AUTOINDEX"
    } else {
        def.index_type.name()
    }
}

pub fn is_autoindex(index_type: &str) -> bool {
    index_type.trim().is_empty() || index_type.eq_ignore_ascii_case("AUTOINDEX")
}

/// The metric of an index of type `index_type`, refused with the list of the
/// metrics that type takes. Milvus 2.3.5's HNSW also lists the binary metrics;
/// annlab's HNSW is for float vectors, so those stay refused.
fn metric_for(index_type: &str, name: &str) -> Result<Metric, Error> {
    let metric = name.parse::<Metric>();
    if let (Ok(m), Ok(t)) = (&metric, index_type.parse::<IndexType>()) {
        t.check_metric(*m)?;
    }
    metric.map_err(|e| match e {
        Error::UnknownMetric { name, .. }
            if index_type == "HNSW"
                && !matches!(name.to_ascii_uppercase().as_str(), "HAMMING" | "JACCARD") =>
        {
            Error::UnknownMetric {
                name,
                supported: "L2 IP COSINE HAMMING JACCARD",
            }
        }
        e => e,
    })
}

/// The params as Milvus shows them in `describe_index` (`{"M": 16, …}`).
pub fn index_params_json(p: &IndexParams) -> Map<String, Value> {
    let numbers = p.named().into_iter().map(|(k, v)| (k.to_owned(), v.into()));
    let words = p
        .named_words()
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.into()));
    numbers.chain(words).collect()
}

/// The params as the JSON text a CreateIndex request carries
/// (`{"M": 16, "efConstruction": 200}`).
pub fn index_params_text(p: &IndexParams) -> String {
    let mut items: Vec<(&str, String)> = p
        .named()
        .into_iter()
        .map(|(k, v)| (k, v.to_string()))
        .collect();
    items.extend(
        p.named_words()
            .into_iter()
            .map(|(k, v)| (k, format!("\"{v}\""))),
    );
    json_items(items)
}

// --- search -----------------------------------------------------------------------

/// A Search request as the engine's, and its `params` object, read by
/// [`ann_params`] once the index it runs on is known. Malformed numbers of the
/// request itself (`topk`, `offset`, `round_decimal`) and unknown metrics are
/// refused here, as pymilvus and Milvus's proxy refuse them first.
pub fn search_request(
    req: &milvus::proto::milvus::SearchRequest,
) -> Result<(SearchRequest, Map<String, Value>), Failure> {
    let p = &req.search_params;
    let int = |key: &str| -> Result<Option<i64>, Failure> {
        kv(p, key)
            .map(|v| {
                v.trim()
                    .parse::<i64>()
                    .map_err(|_| Failure::invalid(format!("{key} should be an integer, got '{v}'")))
            })
            .transpose()
    };
    let limit = int("topk")?.or(int("limit")?).unwrap_or(0);
    let offset = int("offset")?.unwrap_or(0);
    if limit < 0 || offset < 0 {
        return Err(Error::TopKOutOfRange {
            k: limit.max(offset).unsigned_abs() as usize,
        }
        .into());
    }
    let round = int("round_decimal")?.unwrap_or(-1);
    let metric_type = match kv(p, "metric_type").filter(|m| !m.is_empty()) {
        Some(m) => Some(m.parse::<Metric>()?),
        None => None,
    };
    let (data, binary_data) = match &req.search_input {
        Some(SearchInput::PlaceholderGroup(bytes)) => match query_vectors(bytes)? {
            QueryVectors::Float(v) => (v, Vec::new()),
            QueryVectors::Binary(v) => (Vec::new(), v),
        },
        _ => return Err(Failure::unsupported("search by primary keys")),
    };
    let params = json_object(kv(p, "params"), "params")?;
    let number = |name| params.get(name).and_then(Value::as_f64).map(|v| v as f32);
    let range = number("radius").map(|radius| RangeSearch {
        radius,
        range_filter: number("range_filter"),
        max_empty_result_buckets: params
            .get("max_empty_result_buckets")
            .and_then(integer)
            .map(count),
    });
    let request = SearchRequest {
        anns_field: kv(p, "anns_field").unwrap_or("").to_owned(),
        data,
        binary_data,
        metric_type,
        ann: AnnParams::Default,
        range,
        limit: limit as usize,
        offset: offset as usize,
        filter: req.dsl.clone(),
        output_fields: req.output_fields.clone(),
        round_decimal: u32::try_from(round).ok(),
        partition_names: req.partition_names.clone(),
        group_by: group_by(p)?,
        after: None,
    };
    if request.group_by.is_some() && is_iterator_page(p) {
        return Err(Error::GroupByWithIterator.into());
    }
    Ok((request, params))
}

/// A grouping search's `group_by_field`, `group_size` (default 1) and
/// `strict_group_size` (default false; unreadable counts as false), read as
/// Milvus 2.5's proxy reads them.
fn group_by(pairs: &[KeyValuePair]) -> Result<Option<GroupBy>, Failure> {
    let Some(field) = kv(pairs, "group_by_field").filter(|f| !f.is_empty()) else {
        return Ok(None);
    };
    let group_size = match kv(pairs, "group_size") {
        None => 1,
        Some(v) => {
            let size: i64 = v.trim().parse().map_err(|_| {
                Failure::invalid(format!(
                    "failed to parse input group size:{v}: invalid parameter"
                ))
            })?;
            if size <= 0 {
                return Err(Failure::invalid(format!(
                    "input group size:{size} is negative, failed to do search_groupby: invalid parameter"
                )));
            }
            count(size)
        }
    };
    let strict_group_size = kv(pairs, "strict_group_size")
        .is_some_and(|v| matches!(v.trim(), "1" | "t" | "T" | "true" | "TRUE" | "True"));
    Ok(Some(GroupBy {
        field: field.to_owned(),
        group_size,
        strict_group_size,
    }))
}

/// Whether a Search request is a page of pymilvus's search iterator (its
/// `iterator` key, which pymilvus sets to `True`).
pub fn is_iterator_page(pairs: &[KeyValuePair]) -> bool {
    kv(pairs, "iterator").is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

/// The search parameter of an index of type `index` (None: no index) in a
/// search's `params`: `ef` for HNSW, `nprobe` for IVF; other keys are ignored,
/// as Milvus ignores them. A value that is not a number is Milvus's query
/// node's error (`stoi`); a negative or fractional one is out of range.
pub fn ann_params(
    params: &Map<String, Value>,
    index: Option<IndexType>,
) -> Result<AnnParams, Error> {
    let read = |param: &'static str| -> Result<Option<usize>, Error> {
        match params.get(param) {
            None => Ok(None),
            Some(Value::Number(n)) => Ok(Some(n.as_i64().map_or(0, count))),
            Some(v @ Value::String(_)) => integer(v)
                .map(|i| Some(count(i)))
                .ok_or(Error::SearchParamNotANumber { param }),
            Some(_) => Err(Error::SearchParamNotANumber { param }),
        }
    };
    Ok(match index {
        Some(IndexType::Hnsw) => {
            read("ef")?.map_or(AnnParams::Default, |ef| AnnParams::Hnsw { ef })
        }
        Some(IndexType::IvfFlat | IndexType::IvfPq | IndexType::IvfSq8) => {
            read("nprobe")?.map_or(AnnParams::Default, |nprobe| AnnParams::Ivf { nprobe })
        }
        Some(IndexType::HnswSq) => {
            let refine_k = match params.get("refine_k") {
                None => None,
                Some(Value::Number(n)) => n.as_f64(),
                Some(Value::String(s)) => Some(
                    s.trim()
                        .parse::<f64>()
                        .map_err(|_| Error::SearchParamNotANumber { param: "refine_k" })?,
                ),
                Some(_) => return Err(Error::SearchParamNotANumber { param: "refine_k" }),
            };
            match (read("ef")?, refine_k) {
                (None, None) => AnnParams::Default,
                (ef, refine_k) => AnnParams::HnswSq {
                    ef,
                    refine_k: refine_k.map(|r| RefineK(r as f32)),
                },
            }
        }
        Some(IndexType::Flat) | None => AnnParams::Default,
        Some(IndexType::BinIvfFlat) => {
            read("nprobe")?.map_or(AnnParams::Default, |nprobe| AnnParams::Ivf { nprobe })
        }
        Some(IndexType::BinFlat) => AnnParams::Default,
    })
}

/// The search parameter as the JSON text of a Search request's `params`
/// (`{"ef": 64}`).
pub fn search_params_text(ann: &AnnParams) -> String {
    let mut items: Vec<(&str, String)> = ann
        .knob()
        .into_iter()
        .map(|(k, v)| (k, v.to_string()))
        .collect();
    if let Some(r) = ann.refine_k() {
        items.push(("refine_k", r.to_string()));
    }
    json_items(items)
}

/// `{"a": 1, "b": "w"}`: JSON as Python's `json.dumps` writes it, from values
/// already written as JSON.
fn json_items(items: Vec<(&str, String)>) -> String {
    let items: Vec<String> = items.iter().map(|(k, v)| format!("\"{k}\": {v}")).collect();
    format!("{{{}}}", items.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::serve::convert::pair;
    use serde_json::json;

    fn pairs(index_type: &str, metric: &str, params: Value) -> Vec<KeyValuePair> {
        vec![
            pair("index_type", index_type),
            pair("metric_type", metric),
            pair("params", params),
        ]
    }

    fn read(pairs: &[KeyValuePair]) -> Result<IndexSpec, Failure> {
        Ok(index_spec(pairs, &index_params_map(pairs)?)?)
    }

    fn spec(index_type: &str, metric: &str, params: Value) -> Result<IndexSpec, Failure> {
        read(&pairs(index_type, metric, params))
    }

    /// What the engine says of a spec read from text for a field of 8 dimensions.
    fn refusal(index_type: &str, metric: &str, params: Value) -> String {
        match spec(index_type, metric, params) {
            Ok(s) => s.validate(8).unwrap_err().to_string(),
            Err(f) => f.reason,
        }
    }

    #[test]
    fn autoindex_and_no_index_type_build_what_milvus_chooses() {
        let auto = spec("AUTOINDEX", "L2", json!({})).unwrap();
        assert_eq!(auto, IndexSpec::auto(Some(Metric::L2)));
        assert_eq!(auto.type_name(), "AUTOINDEX");
        assert_eq!(
            auto.params,
            IndexParams::Hnsw {
                m: 18,
                ef_construction: 240
            }
        );
        let bare = read(&[pair("index_type", "")]).unwrap();
        assert_eq!(bare, IndexSpec::auto(None));
        assert_eq!(bare.metric, Metric::Cosine);
        let bare = read(&[pair("metric_type", "IP")]).unwrap();
        assert_eq!(bare.metric, Metric::Ip);
        assert!(spec("autoindex", "NOPE", json!({})).is_err());
    }

    #[test]
    fn the_tutorials_indexes_are_read_with_numbers_as_strings_too() {
        let hnsw = spec("HNSW", "COSINE", json!({"M": 16, "efConstruction": "200"})).unwrap();
        assert_eq!(
            hnsw,
            IndexSpec::new(
                IndexParams::Hnsw {
                    m: 16,
                    ef_construction: 200
                },
                Metric::Cosine
            )
        );
        let ivf = spec("IVF_FLAT", "COSINE", json!({"nlist": "1024"})).unwrap();
        assert_eq!(ivf.params, IndexParams::IvfFlat { nlist: 1024 });
        assert_eq!(
            spec("IVF_FLAT", "L2", json!({})).unwrap().params,
            IndexParams::IvfFlat { nlist: 128 },
            "Milvus's default nlist"
        );
        // MilvusClient sends the params as separate pairs.
        let loose = vec![
            pair("index_type", "IVF_PQ"),
            pair("metric_type", "L2"),
            pair("nlist", 1024),
            pair("m", 8),
        ];
        let pq = read(&loose).unwrap();
        assert_eq!(
            pq.params,
            IndexParams::IvfPq {
                nlist: 1024,
                m: 8,
                nbits: 8
            }
        );
        assert_eq!(
            index_params_json(&pq.params),
            json!({"nlist": 1024, "m": 8, "nbits": 8})
                .as_object()
                .unwrap()
                .clone()
        );
        assert_eq!(
            index_params_text(&hnsw.params),
            r#"{"M": 16, "efConstruction": 200}"#
        );
    }

    #[test]
    fn milvus_messages_for_bad_build_params() {
        assert_eq!(
            refusal("HNSW", "L2", json!({"M": 0, "efConstruction": 8})),
            "M out of range: [1, 2048]"
        );
        assert_eq!(
            refusal("HNSW", "L2", json!({"M": "abc", "efConstruction": 8})),
            "M out of range: [1, 2048]"
        );
        assert_eq!(
            refusal("HNSW", "L2", json!({"M": 4})),
            "efConstruction out of range: [1, 2147483647]"
        );
        assert_eq!(
            refusal("HNSW", "L2", json!({"M": "x"})),
            "efConstruction out of range: [1, 2147483647]",
            "efConstruction is checked first"
        );
        assert_eq!(
            refusal("IVF_FLAT", "L2", json!({"nlist": 70000})),
            "nlist out of range: [1, 65536]"
        );
        assert_eq!(
            refusal("IVF_FLAT", "L2", json!({"nlist": -3})),
            "nlist out of range: [1, 65536]"
        );
        assert_eq!(
            refusal("IVF_PQ", "L2", json!({"nlist": 4, "m": 3, "nbits": 8})),
            "dimension must be able to be divided by `m`, dimension: 8, m: 3"
        );
        assert_eq!(refusal("FOO", "L2", json!({})), "invalid index type: FOO");
        assert!(
            refusal("FLAT", "HAMMING", json!({}))
                .starts_with("metric type not found or not supported")
        );
        assert_eq!(
            refusal("HNSW", "XX", json!({"M": 8, "efConstruction": 8})),
            "metric type not found or not supported, supported: [L2 IP COSINE HAMMING JACCARD] (got 'XX')"
        );
        assert!(
            refusal("HNSW", "HAMMING", json!({"M": 8, "efConstruction": 8}))
                .contains("supported: [L2 IP COSINE] (got 'HAMMING')")
        );
        assert!(
            refusal("FOO", "XX", json!({})).starts_with("metric type not found"),
            "the metric is read before the type"
        );
        let bad = read(&[pair("index_type", "HNSW"), pair("params", "[1]")]);
        assert_eq!(
            bad.unwrap_err().reason,
            "params should be a JSON object, got '[1]': invalid parameter"
        );
    }

    #[test]
    fn search_params_follow_the_index_kind() {
        let obj = |v: Value| v.as_object().unwrap().clone();
        let both = obj(json!({"ef": "64", "nprobe": 16, "radius": 0.5}));
        let hnsw = Some(IndexType::Hnsw);
        assert_eq!(ann_params(&both, hnsw), Ok(AnnParams::Hnsw { ef: 64 }));
        assert_eq!(
            ann_params(&both, Some(IndexType::IvfPq)),
            Ok(AnnParams::Ivf { nprobe: 16 })
        );
        assert_eq!(
            ann_params(&both, Some(IndexType::Flat)),
            Ok(AnnParams::Default)
        );
        assert_eq!(ann_params(&obj(json!({})), hnsw), Ok(AnnParams::Default));
        let err = ann_params(&obj(json!({"ef": "abc"})), hnsw).unwrap_err();
        assert!(
            err.to_string().starts_with("invalid value in json: stoi"),
            "{err}"
        );
        assert!(ann_params(&obj(json!({"ef": true})), hnsw).is_err());
        let hnsw_index = IndexParams::Hnsw {
            m: 16,
            ef_construction: 200,
        };
        for v in [json!(-1), json!(1.5), json!(0)] {
            let ann = ann_params(&obj(json!({ "ef": v })), hnsw).unwrap();
            assert_eq!(
                ann.check(&hnsw_index, 3).unwrap_err().to_string(),
                "param ef out of range [ 1,2147483647 ]",
                "{v}"
            );
        }
        assert_eq!(
            search_params_text(&AnnParams::Hnsw { ef: 64 }),
            r#"{"ef": 64}"#
        );
        assert_eq!(search_params_text(&AnnParams::Default), "{}");
    }

    #[test]
    fn hnsw_sq_and_ivf_sq8_are_read_as_milvus_25_sends_them() {
        use annlab_core::index::quant::{RefineType, SqType};
        // ORM: JSON params with a boolean; MilvusClient: pairs of strings.
        let orm = json!({"M": 16, "efConstruction": 200, "sq_type": "FP16", "refine": true, "refine_type": "FLAT"});
        let s = spec("HNSW_SQ", "L2", orm).unwrap();
        assert_eq!(
            s.params,
            IndexParams::HnswSq {
                m: 16,
                ef_construction: 200,
                sq_type: SqType::Fp16,
                refine: true,
                refine_type: Some(RefineType::Fp32),
            }
        );
        let pairs = vec![
            pair("index_type", "HNSW_SQ"),
            pair("metric_type", "IP"),
            pair("M", "8"),
            pair("efConstruction", "64"),
            pair("refine", "True"),
        ];
        let s = read(&pairs).unwrap();
        assert_eq!(s.params.refinement(), Some(RefineType::Fp32));
        assert_eq!(
            index_params_json(&s.params),
            json!({"M": 8, "efConstruction": 64, "sq_type": "SQ8", "refine": "true"})
                .as_object()
                .unwrap()
                .clone()
        );
        assert_eq!(
            index_params_text(&s.params),
            r#"{"M": 8, "efConstruction": 64, "sq_type": "SQ8", "refine": "true"}"#
        );
        assert_eq!(
            refusal(
                "HNSW_SQ",
                "L2",
                json!({"M": 8, "efConstruction": 8, "sq_type": "SQ4"})
            ),
            "invalid scalar quantizer type"
        );
        assert_eq!(
            refusal(
                "HNSW_SQ",
                "L2",
                json!({"M": 8, "efConstruction": 8, "refine": "yes"})
            ),
            r#"Type conflict in json: param 'refine' ("yes") should be a boolean"#
        );
        let ivf = spec("IVF_SQ8", "L2", json!({})).unwrap();
        assert_eq!(
            ivf.params,
            IndexParams::IvfSq8 {
                nlist: DEFAULT_NLIST
            }
        );
        // Search: ef and refine_k (a float, as a number or a string).
        let obj = |v: Value| v.as_object().unwrap().clone();
        let hnsw_sq = Some(IndexType::HnswSq);
        assert_eq!(
            ann_params(&obj(json!({"ef": 64, "refine_k": "2.5"})), hnsw_sq),
            Ok(AnnParams::HnswSq {
                ef: Some(64),
                refine_k: Some(RefineK(2.5))
            })
        );
        assert_eq!(
            ann_params(&obj(json!({"nprobe": 4})), hnsw_sq),
            Ok(AnnParams::Default)
        );
        assert!(ann_params(&obj(json!({"refine_k": "x"})), hnsw_sq).is_err());
        assert_eq!(
            search_params_text(&AnnParams::HnswSq {
                ef: Some(64),
                refine_k: Some(RefineK(2.0))
            }),
            r#"{"ef": 64, "refine_k": 2}"#
        );
    }
}
