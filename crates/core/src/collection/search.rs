//! Vector search over every segment: the index of a sealed segment, an exact scan
//! of growing rows, filters checked inside the index or by an exact scan of the
//! matching rows (never after the search), results merged across segments.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{Collection, Segment};
use crate::error::{Error, Result};
use crate::expr;
use crate::index::flat::{exact_search, exact_search_batch};
use crate::index::spec::{IndexParams, search_params};
use crate::index::{AnnParams, IndexType};
use crate::metric::Metric;
use crate::quickstart::MAX_TOPK;
use crate::topk::Neighbour;
use crate::value::{FieldValue, PrimaryKey};

/// A search, in pymilvus's terms.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchRequest {
    pub anns_field: String,
    /// `nq` query vectors.
    pub data: Vec<Vec<f32>>,
    /// If given, must equal the index's metric.
    pub metric_type: Option<Metric>,
    /// `ef`, `nprobe`, `radius`, `range_filter`.
    pub params: Map<String, Value>,
    pub limit: usize,
    pub offset: usize,
    /// Boolean filter expression (empty = none).
    pub expr: String,
    pub output_fields: Vec<String>,
    /// Round scores to this many decimals.
    pub round_decimal: Option<u32>,
    /// Partitions to search (empty = every loaded partition).
    pub partition_names: Vec<String>,
}

/// One result row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchHit {
    pub id: PrimaryKey,
    /// Milvus's `distance`: similarity for COSINE/IP (descending), squared distance
    /// for L2 (ascending).
    pub score: f32,
    pub fields: Vec<(String, FieldValue)>,
}

/// How one segment was searched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Strategy {
    /// The segment's index, no filter.
    Index(IndexType),
    /// The segment's index, with the filter checked during traversal/probing.
    IndexFiltered(IndexType),
    /// Scan of the rows that pass the filter: cheaper than the index for them.
    ExactFiltered,
    /// Scan of every row: the segment has no index (growing, or not built yet).
    ExactUnindexed,
}

/// The plan of one segment, for teaching and for the CLI's report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentPlan {
    pub segment_id: i64,
    pub rows: usize,
    /// Rows that may be returned (filter and deletions), when restricted.
    pub allowed_rows: Option<usize>,
    pub strategy: Strategy,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchPlan {
    pub segments: Vec<SegmentPlan>,
}

impl SearchPlan {
    /// Rows the filter let through, over all segments (None without a filter).
    pub fn allowed_rows(&self) -> Option<usize> {
        self.segments
            .iter()
            .try_fold(0usize, |acc, s| s.allowed_rows.map(|a| acc + a))
    }

    pub fn total_rows(&self) -> usize {
        self.segments.iter().map(|s| s.rows).sum()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchResult {
    /// One list per query, best first.
    pub hits: Vec<Vec<SearchHit>>,
    pub plan: SearchPlan,
}

/// Whether an exact scan of `allowed` rows is expected to cost less than a
/// filtered index search. The estimates count distance computations: a filtered
/// HNSW search visits about `32·ef / selectivity` nodes (the graph must be walked
/// through rows that fail the filter); an IVF search scans `nprobe/nlist` of the
/// allowed rows after `nlist` centroid distances.
fn prefer_exact(
    params: &IndexParams,
    ann: &AnnParams,
    allowed: usize,
    rows: usize,
    k: usize,
) -> bool {
    if allowed <= k {
        return true;
    }
    let selectivity = allowed as f64 / rows.max(1) as f64;
    let index_cost = match *params {
        IndexParams::Flat => return true,
        IndexParams::Hnsw { .. } => 32.0 * ann.ef.unwrap_or(k).max(k) as f64 / selectivity,
        IndexParams::IvfFlat { nlist } | IndexParams::IvfPq { nlist, .. } => {
            let nprobe = ann.nprobe.unwrap_or(8).min(nlist) as f64;
            nlist as f64 + allowed as f64 * nprobe / nlist as f64
        }
    };
    (allowed as f64) <= index_cost
}

impl Collection {
    /// Milvus's `search`.
    pub fn search(&self, req: &SearchRequest) -> Result<SearchResult> {
        let scope = self.read_scope(&req.partition_names, "search")?;
        let def = self
            .index
            .as_ref()
            .expect("a loaded collection has an index");
        if req.anns_field != self.schema.fields[self.vector_field].name {
            return Err(Error::UnknownAnnsField {
                field: req.anns_field.clone(),
            });
        }
        if req.limit == 0 || req.limit > MAX_TOPK {
            return Err(Error::TopKOutOfRange { k: req.limit });
        }
        let k = req.limit + req.offset;
        if k > MAX_TOPK {
            return Err(Error::TopKOutOfRange { k });
        }
        let metric = def.spec.metric;
        if let Some(m) = req.metric_type
            && m != metric
        {
            return Err(Error::MetricMismatch {
                expected: metric,
                actual: m,
            });
        }
        let ann = search_params(Some(&def.spec), &req.params, k)?;
        let range = self.range(metric, &req.params)?;
        let output = self.output_fields(&req.output_fields)?;
        let filter = if req.expr.trim().is_empty() {
            None
        } else {
            Some(expr::parse(&req.expr, &self.schema)?)
        };
        let dim = self.schema.fields[self.vector_field]
            .dim
            .expect("a vector field has a dim");

        // The allowed rows of each segment, computed once for all queries.
        let segments: Vec<&Segment> = self
            .segments()
            .filter(|s| scope.contains(&s.partition))
            .collect();
        let allowed: Vec<_> = segments
            .iter()
            .map(|s| s.allowed(filter.as_ref().map(|f| f.evaluate(&self.columns_of(s)))))
            .collect();
        let plan = SearchPlan {
            segments: segments
                .iter()
                .zip(&allowed)
                .map(|(s, a)| {
                    let allowed_rows = a.as_ref().map(|b| b.count());
                    let strategy = match (&s.index, allowed_rows) {
                        (None, _) => Strategy::ExactUnindexed,
                        (Some(i), None) => Strategy::Index(i.as_dyn().index_type()),
                        (Some(i), Some(n)) => {
                            if prefer_exact(&def.spec.params, &ann, n, s.num_rows(), k) {
                                Strategy::ExactFiltered
                            } else {
                                Strategy::IndexFiltered(i.as_dyn().index_type())
                            }
                        }
                    };
                    SegmentPlan {
                        segment_id: s.id,
                        rows: s.num_rows(),
                        allowed_rows,
                        strategy,
                    }
                })
                .collect(),
        };

        let mut prepared = Vec::with_capacity(req.data.len());
        for (qi, raw) in req.data.iter().enumerate() {
            if raw.len() != dim {
                return Err(Error::QueryDimMismatch {
                    query: qi,
                    expected: dim,
                    got: raw.len(),
                });
            }
            let mut query = raw.clone();
            metric.prepare(qi, &mut query)?;
            prepared.push(query);
        }
        let merged_all = match range {
            None => self.search_many(&segments, &allowed, &plan, &prepared, k, &ann, metric)?,
            Some(_) => prepared
                .iter()
                .map(|q| self.search_one(&segments, &allowed, &plan, q, k, &ann, range, metric))
                .collect::<Result<Vec<_>>>()?,
        };
        let mut hits = Vec::with_capacity(req.data.len());
        for merged in merged_all {
            hits.push(
                merged
                    .into_iter()
                    .skip(req.offset)
                    .take(req.limit)
                    .map(|(seg, n)| {
                        let s = segments[seg];
                        let row = n.row as usize;
                        let mut score = metric.score(n.distance);
                        if let Some(d) = req.round_decimal {
                            let p = 10f32.powi(d as i32);
                            score = (score * p).round() / p;
                        }
                        SearchHit {
                            id: s.columns[self.primary_field()].primary_key(row),
                            score,
                            fields: output
                                .iter()
                                .map(|&f| {
                                    (self.schema.fields[f].name.clone(), s.columns[f].value(row))
                                })
                                .collect(),
                        }
                    })
                    .collect(),
            );
        }
        Ok(SearchResult { hits, plan })
    }

    /// The `k` best (segment, neighbour) pairs of each prepared query. Segments
    /// scanned exactly (no index, FLAT, or a filter that leaves few rows) are
    /// scanned once for all queries ([`exact_search_batch`]).
    #[allow(clippy::too_many_arguments)]
    fn search_many(
        &self,
        segments: &[&Segment],
        allowed: &[Option<crate::bitset::Bitset>],
        plan: &SearchPlan,
        queries: &[Vec<f32>],
        k: usize,
        ann: &AnnParams,
        metric: Metric,
    ) -> Result<Vec<Vec<(usize, Neighbour)>>> {
        let refs: Vec<&[f32]> = queries.iter().map(Vec::as_slice).collect();
        let mut per_query: Vec<Vec<(usize, Neighbour)>> = vec![Vec::new(); queries.len()];
        for (si, s) in segments.iter().enumerate() {
            let vectors = s.vectors(self.vector_field);
            let a = allowed[si].as_ref();
            let found: Vec<Vec<Neighbour>> = match (plan.segments[si].strategy, &s.index) {
                (Strategy::Index(t) | Strategy::IndexFiltered(t), Some(index))
                    if t != IndexType::Flat =>
                {
                    refs.iter()
                        .map(|q| index.as_dyn().search(vectors, q, k, ann, a))
                        .collect::<Result<_>>()?
                }
                _ => exact_search_batch(vectors, metric, &refs, k, a),
            };
            for (all, f) in per_query.iter_mut().zip(found) {
                all.extend(f.into_iter().map(|n| (si, n)));
            }
        }
        for all in &mut per_query {
            all.sort_by(|x, y| x.1.cmp_closeness(&y.1).then(x.0.cmp(&y.0)));
            all.truncate(k);
        }
        Ok(per_query)
    }

    /// The `k` best (segment, neighbour) pairs for one prepared query, widened
    /// until a range search's bounds are covered.
    #[allow(clippy::too_many_arguments)]
    fn search_one(
        &self,
        segments: &[&Segment],
        allowed: &[Option<crate::bitset::Bitset>],
        plan: &SearchPlan,
        query: &[f32],
        k: usize,
        ann: &AnnParams,
        range: Option<(f32, f32)>,
        metric: Metric,
    ) -> Result<Vec<(usize, Neighbour)>> {
        let live: usize = segments.iter().map(|s| s.live_rows()).sum();
        // Range search: widen k until the worst result leaves the range (or all rows
        // were returned), then keep the results inside it.
        let mut want = k;
        loop {
            let mut all: Vec<(usize, Neighbour)> = Vec::new();
            for (si, s) in segments.iter().enumerate() {
                let vectors = s.vectors(self.vector_field);
                let a = allowed[si].as_ref();
                let found = match (plan.segments[si].strategy, &s.index) {
                    (Strategy::Index(_) | Strategy::IndexFiltered(_), Some(index)) => {
                        index.as_dyn().search(vectors, query, want, ann, a)?
                    }
                    _ => exact_search(vectors, metric, query, want, a),
                };
                all.extend(found.into_iter().map(|n| (si, n)));
            }
            all.sort_by(|x, y| x.1.cmp_closeness(&y.1).then(x.0.cmp(&y.0)));
            all.truncate(want);
            let Some((near, far)) = range else {
                return Ok(all);
            };
            // Internal distances: `near` is the range's closer bound, `far` its farther.
            let exhausted = all.len() < want || want >= live;
            let worst_inside = all.last().is_some_and(|(_, n)| n.distance < far);
            if exhausted || !worst_inside || want >= 4 * MAX_TOPK {
                all.retain(|(_, n)| n.distance >= near && n.distance < far);
                all.truncate(k);
                return Ok(all);
            }
            want *= 2;
        }
    }

    /// Range search bounds as internal distances `(closer bound, farther bound)`.
    fn range(&self, metric: Metric, params: &Map<String, Value>) -> Result<Option<(f32, f32)>> {
        let get = |name| params.get(name).and_then(Value::as_f64).map(|v| v as f32);
        let Some(radius) = get("radius") else {
            return Ok(None);
        };
        let range_filter = get("range_filter");
        if metric.higher_is_closer() {
            // Similarity: keep radius < score <= range_filter.
            let upper = range_filter.unwrap_or(f32::INFINITY);
            if let Some(rf) = range_filter
                && rf <= radius
            {
                return Err(Error::BadRange {
                    metric,
                    expected: "<",
                    radius,
                    range_filter: rf,
                });
            }
            Ok(Some((-upper, -radius)))
        } else {
            // L2: keep range_filter <= distance < radius.
            let lower = range_filter.unwrap_or(f32::NEG_INFINITY);
            if let Some(rf) = range_filter
                && rf >= radius
            {
                return Err(Error::BadRange {
                    metric,
                    expected: ">",
                    radius,
                    range_filter: rf,
                });
            }
            Ok(Some((lower, radius)))
        }
    }

    pub(super) fn primary_field(&self) -> usize {
        self.schema
            .fields
            .iter()
            .position(|f| f.is_primary)
            .expect("validated")
    }

    /// Positions of the requested output fields (`*` = every field).
    pub(super) fn output_fields(&self, names: &[String]) -> Result<Vec<usize>> {
        let mut out = Vec::new();
        for name in names {
            if name == "*" {
                out = (0..self.schema.fields.len())
                    .filter(|&i| i != self.primary_field())
                    .collect();
                continue;
            }
            let i = self
                .schema
                .field_index(name)
                .ok_or_else(|| Error::UnknownField {
                    field: name.clone(),
                })?;
            if i != self.primary_field() && !out.contains(&i) {
                out.push(i);
            }
        }
        Ok(out)
    }
}
