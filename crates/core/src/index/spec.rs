//! What `create_index` asks for, in Milvus's form (`index_type`, `metric_type`,
//! `params`), validated with Milvus's ranges and messages, and the search-time
//! parameters checked against the index they run on.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::index::{AnnParams, IndexType};
use crate::metric::Metric;

/// Milvus's range for HNSW's `M`.
pub const HNSW_M_RANGE: (i64, i64) = (1, 2048);
/// Milvus's range for `efConstruction` and `ef`.
pub const EF_RANGE: (i64, i64) = (1, 2_147_483_647);
/// Milvus's range for `nlist` and `nprobe`.
pub const NLIST_RANGE: (i64, i64) = (1, 65_536);
/// `nbits` of IVF_PQ's sub-quantisers.
pub const NBITS_RANGE: (i64, i64) = (1, 16);

/// Build parameters, one variant per index type, with the papers' names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum IndexParams {
    #[serde(rename = "FLAT")]
    Flat,
    /// Malkov & Yashunin: `M` links per node (2·M on layer 0), `efConstruction`
    /// candidates while inserting.
    #[serde(rename = "HNSW")]
    Hnsw {
        #[serde(rename = "M")]
        m: usize,
        #[serde(rename = "efConstruction")]
        ef_construction: usize,
    },
    /// Inverted file: `nlist` k-means cells.
    #[serde(rename = "IVF_FLAT")]
    IvfFlat { nlist: usize },
    /// Inverted file with residual product quantisation (Jégou et al.): `m`
    /// sub-quantisers of `2^nbits` centroids each.
    #[serde(rename = "IVF_PQ")]
    IvfPq {
        nlist: usize,
        m: usize,
        nbits: usize,
    },
}

impl IndexParams {
    pub fn index_type(&self) -> IndexType {
        match self {
            IndexParams::Flat => IndexType::Flat,
            IndexParams::Hnsw { .. } => IndexType::Hnsw,
            IndexParams::IvfFlat { .. } => IndexType::IvfFlat,
            IndexParams::IvfPq { .. } => IndexType::IvfPq,
        }
    }

    /// The params as Milvus shows them in `describe_index` (`{"M": 16, …}`).
    pub fn to_milvus_params(&self) -> Map<String, Value> {
        let mut m = Map::new();
        match *self {
            IndexParams::Flat => {}
            IndexParams::Hnsw {
                m: mm,
                ef_construction,
            } => {
                m.insert("M".into(), mm.into());
                m.insert("efConstruction".into(), ef_construction.into());
            }
            IndexParams::IvfFlat { nlist } => {
                m.insert("nlist".into(), nlist.into());
            }
            IndexParams::IvfPq {
                nlist,
                m: mm,
                nbits,
            } => {
                m.insert("nlist".into(), nlist.into());
                m.insert("m".into(), mm.into());
                m.insert("nbits".into(), nbits.into());
            }
        }
        m
    }
}

/// A validated index definition: type and params, metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexSpec {
    pub params: IndexParams,
    pub metric: Metric,
}

impl IndexSpec {
    /// Parses and validates Milvus's `create_index` form for a vector field of `dim`
    /// dimensions. `params` is the JSON object of the request (numbers may arrive as
    /// strings, as pymilvus sends them).
    pub fn from_milvus(
        index_type: &str,
        metric_type: &str,
        params: &Map<String, Value>,
        dim: usize,
    ) -> Result<Self> {
        let metric = metric_type.parse::<Metric>().map_err(|e| match e {
            // Milvus 2.3.5's HNSW also takes the binary metrics, and says so;
            // annlab's vectors are float, so those stay refused.
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
        })?;
        let params = match index_type {
            "FLAT" => IndexParams::Flat,
            "HNSW" => {
                // Milvus checks efConstruction first: with neither given, its
                // error is the one reported.
                let ef_construction = int_param(params, "efConstruction", EF_RANGE, None)?;
                IndexParams::Hnsw {
                    m: int_param(params, "M", HNSW_M_RANGE, None)?,
                    ef_construction,
                }
            }
            "IVF_FLAT" => IndexParams::IvfFlat {
                nlist: int_param(params, "nlist", NLIST_RANGE, Some(128))?,
            },
            "IVF_PQ" => {
                let nlist = int_param(params, "nlist", NLIST_RANGE, Some(128))?;
                let m = int_param(params, "m", (1, dim.max(1) as i64), None)?;
                let nbits = int_param(params, "nbits", NBITS_RANGE, Some(8))?;
                if !dim.is_multiple_of(m) {
                    return Err(Error::PqSubspaceMismatch { dim, m });
                }
                IndexParams::IvfPq { nlist, m, nbits }
            }
            other => {
                return Err(Error::UnknownIndexType {
                    index_type: other.to_owned(),
                });
            }
        };
        Ok(Self { params, metric })
    }
}

/// Reads an integer param (a JSON number or a numeric string) within `range`.
fn int_param(
    params: &Map<String, Value>,
    name: &'static str,
    range: (i64, i64),
    default: Option<usize>,
) -> Result<usize> {
    let out_of_range = || Error::IndexParamOutOfRange {
        param: name,
        min: range.0,
        max: range.1,
    };
    let value = match params.get(name) {
        None => return default.ok_or_else(out_of_range),
        Some(Value::Number(n)) => n.as_i64().ok_or_else(out_of_range)?,
        Some(Value::String(s)) => s.trim().parse::<i64>().map_err(|_| out_of_range())?,
        Some(_) => return Err(out_of_range()),
    };
    if value < range.0 || value > range.1 {
        return Err(out_of_range());
    }
    Ok(value as usize)
}

/// Checks a search's `params` against the index it runs on, with Milvus's
/// messages, and returns the approximate-search knobs. `k` is `offset + limit`.
pub fn search_params(
    spec: Option<&IndexSpec>,
    params: &Map<String, Value>,
    k: usize,
) -> Result<AnnParams> {
    let mut out = AnnParams::default();
    let read = |name: &'static str, range: (i64, i64)| -> Result<Option<usize>> {
        let bad = || Error::SearchParamOutOfRange {
            param: name,
            min: range.0,
            max: range.1,
        };
        let v = match params.get(name) {
            None => return Ok(None),
            Some(Value::Number(n)) => n.as_i64().ok_or_else(bad)?,
            Some(Value::String(s)) => s
                .trim()
                .parse::<i64>()
                .map_err(|_| Error::SearchParamNotANumber { param: name })?,
            Some(_) => return Err(Error::SearchParamNotANumber { param: name }),
        };
        if v < range.0 || v > range.1 {
            return Err(bad());
        }
        Ok(Some(v as usize))
    };
    match spec.map(|s| s.params) {
        Some(IndexParams::Hnsw { .. }) => {
            out.ef = read("ef", EF_RANGE)?;
            if let Some(ef) = out.ef
                && ef < k
            {
                return Err(Error::EfSmallerThanK { ef, k });
            }
        }
        Some(IndexParams::IvfFlat { .. } | IndexParams::IvfPq { .. }) => {
            out.nprobe = read("nprobe", NLIST_RANGE)?;
        }
        Some(IndexParams::Flat) | None => {}
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn the_tutorials_indexes_parse() {
        let hnsw = IndexSpec::from_milvus(
            "HNSW",
            "COSINE",
            &obj(json!({"M": 16, "efConstruction": 200})),
            1536,
        )
        .unwrap();
        assert_eq!(
            hnsw.params,
            IndexParams::Hnsw {
                m: 16,
                ef_construction: 200
            }
        );
        assert_eq!(hnsw.metric, Metric::Cosine);
        let ivf =
            IndexSpec::from_milvus("IVF_FLAT", "COSINE", &obj(json!({"nlist": "1024"})), 1536)
                .unwrap();
        assert_eq!(ivf.params, IndexParams::IvfFlat { nlist: 1024 });
        let pq = IndexSpec::from_milvus(
            "IVF_PQ",
            "L2",
            &obj(json!({"nlist": 1024, "m": 8, "nbits": 8})),
            1536,
        )
        .unwrap();
        assert_eq!(
            pq.params,
            IndexParams::IvfPq {
                nlist: 1024,
                m: 8,
                nbits: 8
            }
        );
        assert_eq!(
            pq.params.to_milvus_params(),
            obj(json!({"nlist": 1024, "m": 8, "nbits": 8}))
        );
    }

    #[test]
    fn milvus_messages_for_bad_build_params() {
        let msg = |t: &str, m: &str, p: Value, dim: usize| {
            IndexSpec::from_milvus(t, m, &obj(p), dim)
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            msg("HNSW", "L2", json!({"M": 0, "efConstruction": 8}), 8),
            "M out of range: [1, 2048]"
        );
        assert_eq!(
            msg("HNSW", "L2", json!({"M": 4}), 8),
            "efConstruction out of range: [1, 2147483647]"
        );
        assert_eq!(
            msg("HNSW", "L2", json!({}), 8),
            "efConstruction out of range: [1, 2147483647]"
        );
        assert_eq!(
            msg("IVF_FLAT", "L2", json!({"nlist": 70000}), 8),
            "nlist out of range: [1, 65536]"
        );
        assert_eq!(
            msg("IVF_PQ", "L2", json!({"nlist": 4, "m": 3, "nbits": 8}), 8),
            "dimension must be able to be divided by `m`, dimension: 8, m: 3"
        );
        assert_eq!(msg("FOO", "L2", json!({}), 8), "invalid index type: FOO");
        assert!(
            msg("FLAT", "HAMMING", json!({}), 8)
                .starts_with("metric type not found or not supported")
        );
        assert_eq!(
            msg("HNSW", "XX", json!({"M": 8, "efConstruction": 8}), 8),
            "metric type not found or not supported, supported: [L2 IP COSINE HAMMING JACCARD] (got 'XX')"
        );
        assert!(
            msg("HNSW", "HAMMING", json!({"M": 8, "efConstruction": 8}), 8)
                .contains("supported: [L2 IP COSINE] (got 'HAMMING')")
        );
    }

    #[test]
    fn milvus_messages_for_bad_search_params() {
        let hnsw = IndexSpec {
            params: IndexParams::Hnsw {
                m: 16,
                ef_construction: 200,
            },
            metric: Metric::L2,
        };
        let err = search_params(Some(&hnsw), &obj(json!({"ef": 2})), 3).unwrap_err();
        assert_eq!(err.to_string(), "ef(2) should be larger than k(3)");
        let err = search_params(Some(&hnsw), &obj(json!({"ef": 0})), 3).unwrap_err();
        assert_eq!(err.to_string(), "param ef out of range [ 1,2147483647 ]");
        let err = search_params(Some(&hnsw), &obj(json!({"ef": "abc"})), 3).unwrap_err();
        assert!(
            err.to_string().starts_with("invalid value in json: stoi"),
            "{err}"
        );
        let ivf = IndexSpec {
            params: IndexParams::IvfFlat { nlist: 8 },
            metric: Metric::L2,
        };
        let err = search_params(Some(&ivf), &obj(json!({"nprobe": 0})), 3).unwrap_err();
        assert_eq!(err.to_string(), "param nprobe out of range [ 1,65536 ]");
        assert_eq!(
            search_params(Some(&ivf), &obj(json!({"nprobe": 100})), 3)
                .unwrap()
                .nprobe,
            Some(100)
        );
        assert_eq!(
            search_params(Some(&hnsw), &obj(json!({})), 3).unwrap().ef,
            None
        );
    }
}
