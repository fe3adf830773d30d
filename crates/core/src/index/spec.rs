//! What `create_index` asks for, typed ([`IndexSpec`]: [`IndexParams`] with the
//! papers' names, and the metric), validated with Milvus's ranges and messages,
//! and the search-time parameters ([`AnnParams`]) checked against the index
//! they run on. Milvus validates build parameters when the index is created and
//! search parameters when a search runs (in its query node), so do
//! [`IndexSpec::validate`] and [`AnnParams::check`]. Reading Milvus's JSON
//! parameter maps is the server's business, not the engine's.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::index::quant::{RefineType, SqType};
use crate::index::{AnnParams, IndexType};
use crate::metric::Metric;

/// Milvus's range for HNSW's `M`.
pub const HNSW_M_RANGE: (i64, i64) = (1, 2048);
/// Milvus's range for `efConstruction` and `ef`.
pub const EF_RANGE: (i64, i64) = (1, 2_147_483_647);
/// Milvus's range for `nlist` and `nprobe`.
pub const NLIST_RANGE: (i64, i64) = (1, 65_536);
/// What Milvus 2.5 standalone builds for AUTOINDEX (and for an empty index
/// type) on a float vector field: its `milvus.yaml` `autoIndex.params.build`,
/// `{"M": 18, "efConstruction": 240, "index_type": "HNSW", "metric_type": "COSINE"}`.
pub const AUTOINDEX_PARAMS: IndexParams = IndexParams::Hnsw {
    m: 18,
    ef_construction: 240,
};
/// AUTOINDEX's metric when the request names none.
pub const AUTOINDEX_METRIC: Metric = Metric::Cosine;
/// `nbits` of IVF_PQ's sub-quantisers.
pub const NBITS_RANGE: (i64, i64) = (1, 16);
/// Milvus's `nlist` when `create_index` gives none (IVF_FLAT, IVF_PQ).
pub const DEFAULT_NLIST: usize = 128;
/// Milvus's `nbits` when `create_index` gives none (IVF_PQ).
pub const DEFAULT_NBITS: usize = 8;
/// knowhere's range for HNSW_SQ's `M` (its faiss-based HNSW config).
pub const HNSW_SQ_M_RANGE: (i64, i64) = (2, 2048);

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
    /// Binary vectors, exact.
    #[serde(rename = "BIN_FLAT")]
    BinFlat,
    /// Binary vectors: `nlist` binary k-means cells.
    #[serde(rename = "BIN_IVF_FLAT")]
    BinIvfFlat { nlist: usize },
    /// HNSW over scalar-quantised vectors (Milvus 2.5): `sq_type` codes, and with
    /// `refine` the candidates re-ranked by `refine_type` vectors (FP32 when not
    /// given).
    #[serde(rename = "HNSW_SQ")]
    HnswSq {
        #[serde(rename = "M")]
        m: usize,
        #[serde(rename = "efConstruction")]
        ef_construction: usize,
        sq_type: SqType,
        refine: bool,
        refine_type: Option<RefineType>,
    },
    /// Inverted file with 8-bit scalar quantisation of the residuals (faiss's
    /// `IndexIVFScalarQuantizer` with `QT_8bit`, by residual, as Milvus's IVF_SQ8).
    #[serde(rename = "IVF_SQ8")]
    IvfSq8 { nlist: usize },
}

impl IndexParams {
    pub fn index_type(&self) -> IndexType {
        match self {
            IndexParams::Flat => IndexType::Flat,
            IndexParams::Hnsw { .. } => IndexType::Hnsw,
            IndexParams::IvfFlat { .. } => IndexType::IvfFlat,
            IndexParams::IvfPq { .. } => IndexType::IvfPq,
            IndexParams::BinFlat => IndexType::BinFlat,
            IndexParams::BinIvfFlat { .. } => IndexType::BinIvfFlat,
            IndexParams::HnswSq { .. } => IndexType::HnswSq,
            IndexParams::IvfSq8 { .. } => IndexType::IvfSq8,
        }
    }

    /// HNSW_SQ's refinement: what re-ranks, if anything.
    pub fn refinement(&self) -> Option<RefineType> {
        match *self {
            IndexParams::HnswSq {
                refine: true,
                refine_type,
                ..
            } => Some(refine_type.unwrap_or(RefineType::Fp32)),
            _ => None,
        }
    }

    /// The build parameters that are words, by Milvus's names
    /// (`[("sq_type", "SQ8"), ("refine", "true")]`); numbers are in [`IndexParams::named`].
    pub fn named_words(&self) -> Vec<(&'static str, &'static str)> {
        match *self {
            IndexParams::HnswSq {
                sq_type,
                refine,
                refine_type,
                ..
            } => {
                let mut v = vec![
                    ("sq_type", sq_type.name()),
                    ("refine", if refine { "true" } else { "false" }),
                ];
                if let Some(t) = refine_type {
                    v.push(("refine_type", t.name()));
                }
                v
            }
            _ => Vec::new(),
        }
    }

    /// The build parameters by Milvus's names, in the order Milvus lists them
    /// (`[("M", 16), ("efConstruction", 200)]`).
    pub fn named(&self) -> Vec<(&'static str, usize)> {
        match *self {
            IndexParams::Flat => Vec::new(),
            IndexParams::Hnsw { m, ef_construction } => {
                vec![("M", m), ("efConstruction", ef_construction)]
            }
            IndexParams::IvfFlat { nlist } => vec![("nlist", nlist)],
            IndexParams::IvfPq { nlist, m, nbits } => {
                vec![("nlist", nlist), ("m", m), ("nbits", nbits)]
            }
            IndexParams::BinFlat => Vec::new(),
            IndexParams::BinIvfFlat { nlist } => vec![("nlist", nlist)],
            IndexParams::HnswSq {
                m, ef_construction, ..
            } => vec![("M", m), ("efConstruction", ef_construction)],
            IndexParams::IvfSq8 { nlist } => vec![("nlist", nlist)],
        }
    }

    /// Checks the parameters for a vector field of `dim` dimensions with
    /// Milvus's ranges, in Milvus's order (HNSW: `efConstruction` before `M`, so
    /// that with neither given its error is the one reported).
    pub fn validate(&self, dim: usize) -> Result<()> {
        let range = |param: &'static str, value: usize, (min, max): (i64, i64)| {
            if (min..=max).contains(&(value as i64)) {
                Ok(())
            } else {
                Err(Error::IndexParamOutOfRange { param, min, max })
            }
        };
        match *self {
            IndexParams::Flat => Ok(()),
            IndexParams::Hnsw { m, ef_construction } => {
                range("efConstruction", ef_construction, EF_RANGE)?;
                range("M", m, HNSW_M_RANGE)
            }
            IndexParams::IvfFlat { nlist } => range("nlist", nlist, NLIST_RANGE),
            IndexParams::IvfPq { nlist, m, nbits } => {
                range("nlist", nlist, NLIST_RANGE)?;
                range("m", m, (1, dim.max(1) as i64))?;
                range("nbits", nbits, NBITS_RANGE)?;
                if !dim.is_multiple_of(m) {
                    return Err(Error::PqSubspaceMismatch { dim, m });
                }
                Ok(())
            }
            IndexParams::BinFlat => Ok(()),
            IndexParams::BinIvfFlat { nlist } => range("nlist", nlist, NLIST_RANGE),
            IndexParams::HnswSq {
                m, ef_construction, ..
            } => {
                range("efConstruction", ef_construction, EF_RANGE)?;
                range("M", m, HNSW_SQ_M_RANGE)
            }
            IndexParams::IvfSq8 { nlist } => range("nlist", nlist, NLIST_RANGE),
        }
    }
}

/// A typed index definition: type and params, metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexSpec {
    pub params: IndexParams,
    pub metric: Metric,
    /// Asked for as AUTOINDEX (or with no index type): `params` are what
    /// Milvus chooses for it ([`AUTOINDEX_PARAMS`]), and describe_index says
    /// AUTOINDEX, as Milvus does.
    #[serde(default)]
    pub autoindex: bool,
}

impl IndexSpec {
    pub fn new(params: IndexParams, metric: Metric) -> Self {
        Self {
            params,
            metric,
            autoindex: false,
        }
    }

    /// Milvus's AUTOINDEX on a float vector field: HNSW with `M` 18 and
    /// `efConstruction` 240; `metric` None is COSINE.
    pub fn auto(metric: Option<Metric>) -> Self {
        Self {
            params: AUTOINDEX_PARAMS,
            metric: metric.unwrap_or(AUTOINDEX_METRIC),
            autoindex: true,
        }
    }

    /// The index type as describe_index names it (`AUTOINDEX` or the type's).
    pub fn type_name(&self) -> &'static str {
        if self.autoindex {
            "AUTOINDEX"
        } else {
            self.params.index_type().name()
        }
    }

    /// What Milvus checks when the index is created: the metric for the index
    /// type, then [`IndexParams::validate`].
    pub fn validate(&self, dim: usize) -> Result<()> {
        self.params.index_type().check_metric(self.metric)?;
        self.params.validate(dim)
    }
}

impl AnnParams {
    /// Checks the parameter against the index it runs on, with Milvus's ranges
    /// and messages (its query node's, at search time). `k` is `offset + limit`.
    /// A parameter of another kind of index is refused: a typed request names
    /// the index it was written for.
    pub fn check(&self, index: &IndexParams, k: usize) -> Result<()> {
        let range = |param: &'static str, value: usize, (min, max): (i64, i64)| {
            if (min..=max).contains(&(value as i64)) {
                Ok(())
            } else {
                Err(Error::SearchParamOutOfRange { param, min, max })
            }
        };
        match (*self, index) {
            (AnnParams::Default, _) => Ok(()),
            (AnnParams::Hnsw { ef }, IndexParams::Hnsw { .. } | IndexParams::HnswSq { .. })
            | (AnnParams::HnswSq { ef: Some(ef), .. }, IndexParams::HnswSq { .. }) => {
                range("ef", ef, EF_RANGE)?;
                if ef < k {
                    return Err(Error::EfSmallerThanK { ef, k });
                }
                self.check_refine_k()
            }
            (AnnParams::HnswSq { ef: None, .. }, IndexParams::HnswSq { .. }) => {
                self.check_refine_k()
            }
            (
                AnnParams::Ivf { nprobe },
                IndexParams::IvfFlat { .. }
                | IndexParams::IvfPq { .. }
                | IndexParams::BinIvfFlat { .. }
                | IndexParams::IvfSq8 { .. },
            ) => range("nprobe", nprobe, NLIST_RANGE),
            (given, index) => Err(Error::SearchParamForOtherIndex {
                param: given.knob().map_or("", |k| k.0),
                index_type: index.index_type().name(),
            }),
        }
    }
}

impl AnnParams {
    /// knowhere's range for `refine_k`: at least 1.
    fn check_refine_k(&self) -> Result<()> {
        match self.refine_k() {
            Some(value) if !(value >= 1.0 && value.is_finite()) => {
                Err(Error::RefineKOutOfRange { value })
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn the_tutorials_indexes_are_valid_and_named_as_milvus_names_them() {
        let hnsw = IndexParams::Hnsw {
            m: 16,
            ef_construction: 200,
        };
        assert_eq!(hnsw.validate(1536), Ok(()));
        assert_eq!(hnsw.named(), [("M", 16), ("efConstruction", 200)]);
        assert_eq!(IndexParams::IvfFlat { nlist: 1024 }.validate(1536), Ok(()));
        let pq = IndexParams::IvfPq {
            nlist: 1024,
            m: 8,
            nbits: 8,
        };
        assert_eq!(pq.validate(1536), Ok(()));
        assert_eq!(pq.named(), [("nlist", 1024), ("m", 8), ("nbits", 8)]);
        assert_eq!(pq.index_type().name(), "IVF_PQ");
        assert_eq!("IVF_PQ".parse::<IndexType>(), Ok(IndexType::IvfPq));
        assert_eq!(
            "FOO".parse::<IndexType>().unwrap_err().to_string(),
            "invalid index type: FOO"
        );
    }

    #[test]
    fn milvus_messages_for_bad_build_params() {
        let msg = |p: IndexParams, dim: usize| p.validate(dim).unwrap_err().to_string();
        let hnsw = |m, ef_construction| IndexParams::Hnsw { m, ef_construction };
        assert_eq!(msg(hnsw(0, 8), 8), "M out of range: [1, 2048]");
        assert_eq!(msg(hnsw(2049, 8), 8), "M out of range: [1, 2048]");
        assert_eq!(
            msg(hnsw(0, 0), 8),
            "efConstruction out of range: [1, 2147483647]",
            "efConstruction is checked first"
        );
        assert_eq!(
            msg(IndexParams::IvfFlat { nlist: 70000 }, 8),
            "nlist out of range: [1, 65536]"
        );
        let pq = |m, nbits| IndexParams::IvfPq { nlist: 4, m, nbits };
        assert_eq!(
            msg(pq(3, 8), 8),
            "dimension must be able to be divided by `m`, dimension: 8, m: 3"
        );
        assert_eq!(msg(pq(9, 8), 8), "m out of range: [1, 8]");
        assert_eq!(msg(pq(4, 17), 8), "nbits out of range: [1, 16]");
    }

    #[test]
    fn milvus_messages_for_bad_search_params() {
        let hnsw = IndexParams::Hnsw {
            m: 16,
            ef_construction: 200,
        };
        let msg = |a: AnnParams, i: &IndexParams| a.check(i, 3).unwrap_err().to_string();
        assert_eq!(
            msg(AnnParams::Hnsw { ef: 2 }, &hnsw),
            "ef(2) should be larger than k(3)"
        );
        assert_eq!(
            msg(AnnParams::Hnsw { ef: 0 }, &hnsw),
            "param ef out of range [ 1,2147483647 ]"
        );
        let ivf = IndexParams::IvfFlat { nlist: 8 };
        assert_eq!(
            msg(AnnParams::Ivf { nprobe: 0 }, &ivf),
            "param nprobe out of range [ 1,65536 ]"
        );
        assert_eq!(AnnParams::Ivf { nprobe: 100 }.check(&ivf, 3), Ok(()));
        assert_eq!(AnnParams::Default.check(&hnsw, 3), Ok(()));
        assert_eq!(
            msg(AnnParams::Ivf { nprobe: 8 }, &hnsw),
            "search param nprobe is not a parameter of HNSW"
        );
    }

    #[test]
    fn hnsw_sq_and_ivf_sq8_params_as_milvus_25() {
        let sq = |m, refine, refine_type| IndexParams::HnswSq {
            m,
            ef_construction: 200,
            sq_type: SqType::Sq8,
            refine,
            refine_type,
        };
        assert_eq!(sq(16, true, None).validate(1536), Ok(()));
        assert_eq!(sq(16, true, None).refinement(), Some(RefineType::Fp32));
        assert_eq!(sq(16, false, Some(RefineType::Fp32)).refinement(), None);
        assert_eq!(sq(16, true, None).index_type().name(), "HNSW_SQ");
        assert_eq!(
            sq(16, true, Some(RefineType::Codes(SqType::Fp16))).named_words(),
            [
                ("sq_type", "SQ8"),
                ("refine", "true"),
                ("refine_type", "FP16")
            ]
        );
        assert_eq!(
            sq(1, false, None).validate(8).unwrap_err().to_string(),
            "M out of range: [2, 2048]"
        );
        let ivf = IndexParams::IvfSq8 { nlist: 70000 };
        assert_eq!(
            ivf.validate(8).unwrap_err().to_string(),
            "nlist out of range: [1, 65536]"
        );
        assert_eq!("IVF_SQ8".parse::<IndexType>(), Ok(IndexType::IvfSq8));
        assert_eq!("HNSW_SQ".parse::<IndexType>(), Ok(IndexType::HnswSq));
        // Names as knowhere reads them, with its words.
        let word = |s: &str| s.parse::<SqType>().unwrap_err().to_string();
        assert_eq!("FP16".parse::<SqType>(), Ok(SqType::Fp16));
        assert_eq!(word("sq8"), "invalid scalar quantizer type");
        assert_eq!(
            word("SQ6"),
            "sq_type SQ6 is not supported by annlab: use SQ8, FP16 or BF16"
        );
        assert_eq!("FLAT".parse::<RefineType>(), Ok(RefineType::Fp32));
        assert_eq!(
            "BF16".parse::<RefineType>(),
            Ok(RefineType::Codes(SqType::Bf16))
        );
        assert_eq!(
            "INT8".parse::<RefineType>().unwrap_err().to_string(),
            "invalid refine type type"
        );
        // Search: ef as HNSW's, refine_k at least 1, nprobe for IVF_SQ8.
        let index = sq(16, true, None);
        let ann = |ef, refine_k: Option<f32>| AnnParams::HnswSq {
            ef,
            refine_k: refine_k.map(crate::index::RefineK),
        };
        assert_eq!(ann(Some(64), Some(2.0)).check(&index, 10), Ok(()));
        assert_eq!(ann(None, Some(1.0)).check(&index, 10), Ok(()));
        assert_eq!(AnnParams::Hnsw { ef: 64 }.check(&index, 10), Ok(()));
        assert_eq!(
            ann(Some(5), None)
                .check(&index, 10)
                .unwrap_err()
                .to_string(),
            "ef(5) should be larger than k(10)"
        );
        assert_eq!(
            ann(None, Some(0.5))
                .check(&index, 10)
                .unwrap_err()
                .to_string(),
            "param refine_k (0.5) out of range [ 1,3.40282e+38 ]"
        );
        let ivf = IndexParams::IvfSq8 { nlist: 8 };
        assert_eq!(AnnParams::Ivf { nprobe: 8 }.check(&ivf, 3), Ok(()));
        assert_eq!(
            ann(Some(64), None).check(&ivf, 3).unwrap_err().to_string(),
            "search param ef is not a parameter of IVF_SQ8"
        );
    }
}
