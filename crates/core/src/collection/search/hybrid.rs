//! Hybrid search (Milvus 2.4+): several searches of one collection, usually
//! over different vector fields, each with its own query vectors, filter,
//! parameters and limit, fused per query by a ranker into one list:
//! reciprocal rank fusion (`RRFRanker(k)`: `Σ 1 / (k + rank)`, ranks from 1) or
//! a weighted sum (`WeightedRanker(w…)`: `Σ wᵢ · scoreᵢ`, each score first
//! mapped into [0, 1] by its metric when `norm_score`, as Milvus's
//! rescorers do). Then `offset` and `limit` apply to the fused list.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::plan::SearchPlan;
use super::request::SearchRequest;
use super::result::SearchResult;
use crate::collection::{Collection, OutputColumns};
use crate::error::{Error, Result};
use crate::metric::Metric;
use crate::quickstart::MAX_TOPK;
use crate::schema::Column;
use crate::value::PrimaryKey;

/// Milvus's bound of RRF's `k`: (0, 16384).
pub const RRF_K_MAX: f32 = 16_384.0;
/// Milvus's most sub-requests of one hybrid search.
pub const MAX_SUB_REQUESTS: usize = 1024;

/// How the sub-searches' results are fused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Ranker {
    /// Reciprocal rank fusion: a hit ranked `r` (from 1) in a sub-result adds
    /// `1 / (k + r)`.
    Rrf { k: f32 },
    /// Weighted sum: sub-result `i`'s score times `weights[i]`, normalised by
    /// its metric first when `norm_score`.
    Weighted { weights: Vec<f32>, norm_score: bool },
}

/// A hybrid search, in pymilvus's terms (`hybrid_search(reqs, ranker, limit)`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HybridSearchRequest {
    /// The sub-searches (`AnnSearchRequest`s): their own `limit`, filter and
    /// parameters; their `offset` and `output_fields` are ignored.
    pub requests: Vec<SearchRequest>,
    pub ranker: Ranker,
    pub limit: usize,
    pub offset: usize,
    pub output_fields: Vec<String>,
    pub round_decimal: Option<u32>,
}

/// Milvus's rescorers' maps of a score into [0, 1], larger closer.
fn normalise(metric: Metric, score: f32) -> f32 {
    use std::f32::consts::PI;
    match metric {
        Metric::Cosine => (1.0 + score) * 0.5,
        Metric::Ip => 0.5 + score.atan() / PI,
        Metric::L2 | Metric::Hamming | Metric::Jaccard => 1.0 - 2.0 * score.atan() / PI,
    }
}

impl Ranker {
    /// Milvus's checks of the ranker's parameters against `n` sub-requests.
    fn check(&self, n: usize) -> Result<()> {
        match self {
            Ranker::Rrf { k } => {
                if !(*k > 0.0 && *k < RRF_K_MAX) {
                    return Err(Error::RrfKOutOfRange { k: *k });
                }
            }
            Ranker::Weighted { weights, .. } => {
                if weights.iter().any(|w| !(0.0..=1.0).contains(w)) {
                    return Err(Error::RankWeightOutOfRange);
                }
                if weights.len() != n {
                    return Err(Error::RankWeightsCountMismatch {
                        expected: n,
                        actual: weights.len(),
                    });
                }
            }
        }
        Ok(())
    }

    /// What the hit at `rank` (from 0) of sub-result `i` with `score` adds.
    fn contribution(&self, i: usize, rank: usize, score: f32, metric: Metric) -> f32 {
        match self {
            Ranker::Rrf { k } => 1.0 / (k + (rank + 1) as f32),
            Ranker::Weighted {
                weights,
                norm_score,
            } => {
                let s = if *norm_score {
                    normalise(metric, score)
                } else {
                    score
                };
                weights[i] * s
            }
        }
    }
}

impl Collection {
    /// Milvus's HybridSearch: every sub-search run (and checked) as
    /// [`Collection::search`] runs it, the results fused per query by the
    /// ranker, best first (ties by primary key), then `offset`/`limit`.
    pub fn hybrid_search(&self, req: &HybridSearchRequest) -> Result<SearchResult> {
        let n = req.requests.len();
        if n == 0 || n > MAX_SUB_REQUESTS {
            return Err(Error::HybridRequestCount {
                count: n,
                max: MAX_SUB_REQUESTS,
            });
        }
        // Milvus's proxy checks the sub-requests' nq before their limits,
        // ranker and parameters.
        let nq_of = |s: &SearchRequest| s.data.len().max(s.binary_data.len());
        let first = nq_of(&req.requests[0]);
        if let Some(other) = req.requests.iter().map(nq_of).find(|&q| q != first) {
            return Err(Error::HybridNqMismatch { first, other });
        }
        if req.limit == 0 || req.limit > MAX_TOPK {
            return Err(Error::TopKOutOfRange { k: req.limit });
        }
        if req.limit + req.offset > MAX_TOPK {
            return Err(Error::TopKOutOfRange {
                k: req.limit + req.offset,
            });
        }
        req.ranker.check(n)?;
        let output = self.output_fields(&req.output_fields)?;
        let mut subs = Vec::with_capacity(n);
        let mut metrics = Vec::with_capacity(n);
        for sub in &req.requests {
            // Milvus ignores a sub-request's offset (pymilvus sends the hybrid
            // search's in each): the offset applies to the fused list.
            let sub = SearchRequest {
                output_fields: req.output_fields.clone(),
                round_decimal: None,
                offset: 0,
                ..sub.clone()
            };
            let result = self.search(&sub)?;
            metrics.push(
                self.search_index(&sub.anns_field)
                    .expect("the search succeeded")
                    .spec
                    .metric,
            );
            subs.push(result);
        }
        let nq = subs[0].nq();

        let pk = self.primary_field();
        let mut ids = Column::empty_for(&self.schema.fields[pk]);
        let mut scores = Vec::new();
        let mut topks = Vec::with_capacity(nq);
        let mut fields = OutputColumns::empty(self, &output);
        for q in 0..nq {
            // Fused score and where each key was first seen (sub-result, position).
            let mut fused: HashMap<PrimaryKey, (f32, usize, usize)> = HashMap::new();
            for (i, sub) in subs.iter().enumerate() {
                for (rank, at) in sub.span(q).enumerate() {
                    let add = req.ranker.contribution(i, rank, sub.scores[at], metrics[i]);
                    fused
                        .entry(sub.ids.primary_key(at))
                        .and_modify(|e| e.0 += add)
                        .or_insert((add, i, at));
                }
            }
            let mut hits: Vec<(PrimaryKey, (f32, usize, usize))> = fused.into_iter().collect();
            hits.sort_by(|a, b| b.1.0.total_cmp(&a.1.0).then_with(|| a.0.cmp(&b.0)));
            let kept: Vec<_> = hits.into_iter().skip(req.offset).take(req.limit).collect();
            topks.push(kept.len());
            for (_, (score, i, at)) in kept {
                ids.push_from(&subs[i].ids, at);
                let score = match req.round_decimal {
                    Some(d) => {
                        let p = 10f32.powi(d as i32);
                        (score * p).round() / p
                    }
                    None => score,
                };
                scores.push(score);
                for (col, from) in fields.columns.iter_mut().zip(&subs[i].fields.columns) {
                    col.push_from(from, at);
                }
            }
        }
        let plan = SearchPlan {
            segments: subs
                .iter()
                .flat_map(|s| s.plan.segments.iter().copied())
                .collect(),
        };
        Ok(SearchResult {
            ids,
            scores,
            topks,
            fields,
            plan,
            group_values: None,
        })
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::index::NoProgress;
    use crate::index::spec::{IndexParams, IndexSpec};

    /// The two-vector collection of the vector tests, indexed (FLAT L2 on `a`,
    /// FLAT IP on `b`) and loaded.
    fn loaded() -> Collection {
        let mut c = crate::collection::vector_tests::two_vectors();
        c.create_index(
            "a",
            "",
            IndexSpec::new(IndexParams::Flat, Metric::L2),
            &mut NoProgress,
        )
        .unwrap();
        c.create_index(
            "b",
            "",
            IndexSpec::new(IndexParams::Flat, Metric::Ip),
            &mut NoProgress,
        )
        .unwrap();
        c.load().unwrap();
        c
    }

    fn sub(field: &str, q: Vec<f32>, limit: usize) -> SearchRequest {
        SearchRequest {
            anns_field: field.into(),
            data: vec![q],
            limit,
            ..Default::default()
        }
    }

    fn hybrid(ranker: Ranker, limit: usize) -> HybridSearchRequest {
        HybridSearchRequest {
            requests: vec![
                sub("a", vec![3.0, 1.0, 3.0, 0.5], 10),
                sub("b", vec![1.0, -0.5, 2.0], 10),
            ],
            ranker,
            limit,
            offset: 0,
            output_fields: vec!["a".into()],
            round_decimal: None,
        }
    }

    /// The fusion by hand from the two sub-searches' own results.
    fn by_hand(c: &Collection, req: &HybridSearchRequest) -> Vec<(i64, f32)> {
        let mut fused: HashMap<i64, f32> = HashMap::new();
        for (i, s) in req.requests.iter().enumerate() {
            let r = c.search(s).unwrap();
            let metric = [Metric::L2, Metric::Ip][i];
            for (rank, (id, score)) in r.int_ids(0).into_iter().zip(&r.scores).enumerate() {
                *fused.entry(id).or_default() += req.ranker.contribution(i, rank, *score, metric);
            }
        }
        let mut all: Vec<(i64, f32)> = fused.into_iter().collect();
        all.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        all.truncate(req.limit);
        all
    }

    #[test]
    fn rrf_and_weighted_fuse_as_milvus() {
        let c = loaded();
        for ranker in [
            Ranker::Rrf { k: 60.0 },
            Ranker::Weighted {
                weights: vec![0.7, 0.3],
                norm_score: true,
            },
            Ranker::Weighted {
                weights: vec![0.5, 1.0],
                norm_score: false,
            },
        ] {
            let req = hybrid(ranker.clone(), 6);
            let got = c.hybrid_search(&req).unwrap();
            let want = by_hand(&c, &req);
            assert_eq!(got.topks, [6]);
            assert_eq!(
                got.int_ids(0),
                want.iter().map(|w| w.0).collect::<Vec<_>>(),
                "{ranker:?}"
            );
            for (g, w) in got.scores.iter().zip(&want) {
                assert!((g - w.1).abs() < 1e-6, "{ranker:?}");
            }
            // Output fields follow the fused hits (row i's `a` starts with i).
            for (hit, id) in got.hits(0).zip(got.int_ids(0)) {
                let Some(crate::value::FieldValue::FloatVector(a)) = hit.value("a") else {
                    panic!("no a");
                };
                assert_eq!(a[0], id as f32);
            }
        }
        // RRF: a row first in both lists scores 2 / (k + 1).
        let same = HybridSearchRequest {
            requests: vec![
                sub("a", vec![3.0, 1.0, 3.0, 0.5], 5),
                sub("a", vec![3.0, 1.0, 3.0, 0.5], 5),
            ],
            ..hybrid(Ranker::Rrf { k: 60.0 }, 3)
        };
        let r = c.hybrid_search(&same).unwrap();
        assert_eq!(r.int_ids(0)[0], 3);
        assert!((r.scores[0] - 2.0 / 61.0).abs() < 1e-7);
        // offset skips fused hits.
        let all = c
            .hybrid_search(&hybrid(Ranker::Rrf { k: 60.0 }, 6))
            .unwrap();
        let mut req = hybrid(Ranker::Rrf { k: 60.0 }, 3);
        req.offset = 2;
        let page = c.hybrid_search(&req).unwrap();
        assert_eq!(page.int_ids(0), all.int_ids(0)[2..5]);
    }

    #[test]
    fn milvus_refusals() {
        let c = loaded();
        let msg = |req: HybridSearchRequest| c.hybrid_search(&req).unwrap_err().to_string();
        assert_eq!(
            msg(hybrid(
                Ranker::Weighted {
                    weights: vec![0.5],
                    norm_score: true
                },
                5
            )),
            "the length of weights param mismatch with ann search requests: invalid parameter[expected=2][actual=1]"
        );
        assert_eq!(
            msg(hybrid(
                Ranker::Weighted {
                    weights: vec![0.5, 1.2],
                    norm_score: true
                },
                5
            )),
            "rank param weight should be in range [0, 1]: invalid parameter"
        );
        assert!(msg(hybrid(Ranker::Rrf { k: 0.0 }, 5)).contains("(0, 16384)"));
        let mut wrong_metric = hybrid(Ranker::Rrf { k: 60.0 }, 5);
        wrong_metric.requests[1].metric_type = Some(Metric::L2);
        assert_eq!(
            msg(wrong_metric),
            "metric type not match: invalid parameter[expected=IP][actual=L2]"
        );
        let mut two = hybrid(Ranker::Rrf { k: 60.0 }, 5);
        two.requests[1].data.push(vec![0.0; 3]);
        assert_eq!(
            msg(two),
            "sub search request nq should be the same: invalid parameter[expected=1][actual=2]"
        );
        let mut none = hybrid(Ranker::Rrf { k: 60.0 }, 5);
        none.requests.clear();
        assert!(matches!(
            c.hybrid_search(&none),
            Err(Error::HybridRequestCount { count: 0, .. })
        ));
        assert!(matches!(
            c.hybrid_search(&hybrid(Ranker::Rrf { k: 60.0 }, 0)),
            Err(Error::TopKOutOfRange { k: 0 })
        ));
    }
}
