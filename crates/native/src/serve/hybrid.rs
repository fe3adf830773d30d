//! Milvus's HybridSearch (2.4+): each sub-request read as a Search request is
//! read ([`params::search_request`]), the ranker and the final limit, offset
//! and round_decimal from `rank_params` (each value JSON text, as pymilvus
//! sends them: `strategy` "rrf" or "weighted", `params` `{"k": 60}` or
//! `{"weights": [...], "norm_score": true}`), then core's fusion.

use annlab_core::collection::{HybridSearchRequest, Ranker};
use milvus::proto::common::KeyValuePair;
use milvus::proto::milvus::SearchResults;
use serde_json::Value;

use super::dml::results_to_proto;
use super::params;
use super::scope::Scope;
use super::status::{Failure, search_failure};

/// RRF's `k` when `params` gives none (Milvus's default).
const DEFAULT_RRF_K: f64 = 60.0;

/// What `rank_params` says: the ranker, `limit`, `offset`, `round_decimal`.
#[derive(Debug)]
struct RankParams {
    ranker: Ranker,
    limit: usize,
    offset: usize,
    round_decimal: Option<u32>,
}

fn rank_params(pairs: &[KeyValuePair]) -> Result<RankParams, Failure> {
    let json = |key: &str| -> Result<Option<Value>, Failure> {
        match pairs.iter().find(|p| p.key == key) {
            None => Ok(None),
            Some(p) => serde_json::from_str::<Value>(&p.value)
                .map(Some)
                .or_else(|_| Ok(Some(Value::String(p.value.clone())))),
        }
    };
    let int = |key: &str| -> Result<Option<i64>, Failure> {
        Ok(json(key)?.and_then(|v| match v {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }))
    };
    let strategy = match json("strategy")? {
        Some(Value::String(s)) => s.to_ascii_lowercase(),
        None => "rrf".to_owned(),
        Some(other) => other.to_string(),
    };
    let params = match json("params")? {
        Some(Value::Object(m)) => m,
        None => Default::default(),
        Some(other) => {
            return Err(Failure::invalid(format!(
                "rank params should be a JSON object, got '{other}'"
            )));
        }
    };
    let ranker = match strategy.as_str() {
        "rrf" => Ranker::Rrf {
            k: params
                .get("k")
                .and_then(Value::as_f64)
                .unwrap_or(DEFAULT_RRF_K) as f32,
        },
        "weighted" => {
            let weights = match params.get("weights") {
                Some(Value::Array(ws)) => ws
                    .iter()
                    .map(|w| {
                        w.as_f64().map(|w| w as f32).ok_or_else(|| {
                            Failure::invalid(format!(
                                "rank param weight should be a number, got {w}"
                            ))
                        })
                    })
                    .collect::<Result<_, _>>()?,
                _ => {
                    return Err(Failure::invalid(
                        "rank param weights should be a list of numbers",
                    ));
                }
            };
            Ranker::Weighted {
                weights,
                norm_score: params
                    .get("norm_score")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
            }
        }
        other => {
            return Err(Failure::invalid(format!("unsupported rank type {other}")));
        }
    };
    let limit = int("limit")?.unwrap_or(0);
    let offset = int("offset")?.unwrap_or(0);
    if limit < 0 || offset < 0 {
        return Err(annlab_core::Error::TopKOutOfRange {
            k: limit.min(offset).unsigned_abs() as usize,
        }
        .into());
    }
    Ok(RankParams {
        ranker,
        limit: limit as usize,
        offset: offset as usize,
        round_decimal: int("round_decimal")?.and_then(|r| u32::try_from(r).ok()),
    })
}

pub fn hybrid_search(
    state: &Scope,
    req: milvus::proto::milvus::HybridSearchRequest,
) -> Result<SearchResults, Failure> {
    let entry = state.get(&req.collection_name)?;
    let rank = rank_params(&req.rank_params)?;
    let c = entry.collection.read();
    let fail = |e| search_failure(e, c.id());
    let mut requests = Vec::with_capacity(req.requests.len());
    for sub in &req.requests {
        let (mut sreq, raw) = params::search_request(sub)?;
        if sreq.partition_names.is_empty() {
            sreq.partition_names = req.partition_names.clone();
        }
        let index_type = c
            .search_index(&sreq.anns_field)
            .map(|d| d.spec.params.index_type());
        sreq.ann = match params::ann_params(&raw, index_type) {
            Ok(ann) => ann,
            Err(e) => {
                c.check_search_target(&sreq).map_err(fail)?;
                return Err(fail(e));
            }
        };
        requests.push(sreq);
    }
    let hreq = HybridSearchRequest {
        requests,
        ranker: rank.ranker,
        limit: rank.limit,
        offset: rank.offset,
        output_fields: req.output_fields.clone(),
        round_decimal: rank.round_decimal,
    };
    let result = c.hybrid_search(&hreq).map_err(fail)?;
    Ok(results_to_proto(
        &result,
        hreq.limit,
        c.schema(),
        &req.collection_name,
        &req.output_fields,
        None,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::serve::convert::pair;

    #[test]
    fn rank_params_as_pymilvus_sends_them() {
        let p = rank_params(&[
            pair("strategy", "\"weighted\""),
            pair("params", r#"{"weights": [0.2, 0.8], "norm_score": true}"#),
            pair("limit", "5"),
            pair("round_decimal", "-1"),
            pair("offset", "2"),
        ])
        .unwrap();
        assert_eq!(
            p.ranker,
            Ranker::Weighted {
                weights: vec![0.2, 0.8],
                norm_score: true
            }
        );
        assert_eq!((p.limit, p.offset, p.round_decimal), (5, 2, None));
        let p =
            rank_params(&[pair("strategy", "\"rrf\""), pair("params", r#"{"k": 10}"#)]).unwrap();
        assert_eq!(p.ranker, Ranker::Rrf { k: 10.0 });
        let err = rank_params(&[pair("strategy", "\"max\"")]).unwrap_err();
        assert_eq!(err.reason, "unsupported rank type max: invalid parameter");
    }
}
