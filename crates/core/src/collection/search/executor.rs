//! The one search executor of a collection: a request checked and prepared once
//! (the filter parsed and evaluated into each segment's allowed rows, the plan
//! chosen, the queries prepared for the metric), then run for every query at
//! once, widened per query for a range search, over the index of each segment
//! (the filter checked inside it) or an exact scan, merged across segments.

use super::group::{self, GroupBy};
use super::plan::{self, SearchPlan, SegmentPlan, Strategy};
use super::request::SearchRequest;
use super::result::SearchResult;
use crate::bitset::Bitset;
use crate::collection::{Collection, OutputColumns, Segment};
use crate::error::{Error, Result};
use crate::expr;
use crate::index::binary::exact_search_binary_from;
use crate::index::flat::{exact_range, exact_search_batch_from};
use crate::index::ivf::DEFAULT_MAX_EMPTY_RESULT_BUCKETS;
use crate::index::spec::IndexSpec;
use crate::index::{AnnParams, Index, RANGE_WIDEN_CAP, Reach, VectorView};
use crate::metric::Metric;
use crate::quickstart::MAX_TOPK;
use crate::schema::{Column, DataType};
use crate::topk::Neighbour;
use crate::value::PrimaryKey;

/// Rows of a two-byte float field widened at a time by an exact scan.
const WIDEN_BLOCK: usize = 4096;

/// What Milvus's proxy checks before its query node reads the search
/// parameters: the partitions, the field, the number of results, the metric.
pub(super) struct Target {
    scope: Vec<i64>,
    /// The position of the searched vector field in the schema.
    field: usize,
    spec: IndexSpec,
    /// `offset + limit`.
    k: usize,
    metric: Metric,
}

/// A search checked and prepared, ready to run ([`Collection::prepare_search`]):
/// as planned ([`PreparedSearch::run`]) or exactly ([`PreparedSearch::run_exact`]),
/// as often as needed, without parsing or evaluating the filter again.
pub struct PreparedSearch<'c> {
    c: &'c Collection,
    /// The position of the searched vector field in the schema.
    field: usize,
    segments: Vec<&'c Segment>,
    /// Rows each segment may return (filter and deletions); None: all.
    allowed: Vec<Option<Bitset>>,
    plan: SearchPlan,
    /// The queries of a float field, prepared for the metric (normalised for
    /// COSINE).
    queries: Vec<Vec<f32>>,
    /// The queries of a binary field.
    binary_queries: Vec<Vec<u8>>,
    k: usize,
    ann: AnnParams,
    /// Range search bounds as internal distances (closer, farther), and IVF's
    /// `max_empty_result_buckets`.
    bounds: Option<(f32, f32)>,
    max_empty_buckets: usize,
    metric: Metric,
    offset: usize,
    limit: usize,
    round_decimal: Option<u32>,
    output: Vec<usize>,
    /// The requested output field names (for the dynamic keys among them).
    output_names: Vec<String>,
    /// A grouping search's request and its field's position.
    group: Option<(GroupBy, usize)>,
    /// A page of a search iterator: where the previous page ended.
    after: Option<After>,
}

/// [`super::SearchAfter`] as the executor uses it.
struct After {
    /// The closest internal distance a row may have.
    floor: f32,
    /// Rows at exactly `floor` with these keys were returned already.
    returned: Vec<PrimaryKey>,
}

impl Collection {
    /// Milvus's proxy's checks of a search, in its order.
    pub(super) fn search_target(&self, req: &SearchRequest) -> Result<Target> {
        let scope = self.read_scope(&req.partition_names, "search")?;
        let (field, def) = self.anns_field(&req.anns_field)?;
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
        Ok(Target {
            scope,
            field,
            spec: def.spec,
            k,
            metric,
        })
    }
}

impl<'c> PreparedSearch<'c> {
    /// Checks `req` in Milvus's order (the proxy's checks, then the index's
    /// parameter, the range, the output fields, the filter, the query vectors)
    /// and prepares it: the filter is parsed once and evaluated once per segment.
    pub(super) fn new(c: &'c Collection, req: &SearchRequest) -> Result<Self> {
        let Target {
            scope,
            field,
            spec,
            k,
            metric,
        } = c.search_target(req)?;
        let group = match &req.group_by {
            Some(g) => Some((g.clone(), g.check(&c.schema, req.range.is_some())?)),
            None => None,
        };
        if group.is_some() && req.after.is_some() {
            return Err(Error::GroupByWithIterator);
        }
        let after = req.after.as_ref().map(|a| After {
            floor: a.floor(metric),
            returned: a.returned_at_bound.clone().unwrap_or_default(),
        });
        req.ann.check(&spec.params, k)?;
        let bounds = req.range.map(|r| r.bounds(metric)).transpose()?;
        let max_empty_buckets = match req.range {
            Some(r) => r.max_empty_buckets()?,
            None => DEFAULT_MAX_EMPTY_RESULT_BUCKETS,
        };
        let mut output = c.output_fields(&req.output_fields)?;
        // Milvus returns the primary key as a field too when it is asked for, by
        // name or with `*` (the Node SDK reads a hit's id only from there).
        let pk = c.primary_field();
        let pk_name = &c.schema.fields[pk].name;
        if req.output_fields.iter().any(|n| n == "*" || n == pk_name) {
            output.insert(0, pk);
        }
        let filter = if req.filter.trim().is_empty() {
            None
        } else {
            Some(expr::parse(&req.filter, &c.schema)?)
        };
        let segments: Vec<&Segment> = c
            .segments()
            .filter(|s| scope.contains(&s.partition))
            .collect();
        let allowed: Vec<Option<Bitset>> = segments
            .iter()
            .map(|s| s.allowed(filter.as_ref().map(|f| f.evaluate(&c.columns_of(s)))))
            .collect();
        let plan = SearchPlan {
            segments: segments
                .iter()
                .zip(&allowed)
                .map(|(s, a)| {
                    let allowed_rows = a.as_ref().map(Bitset::count);
                    let strategy = plan::choose(
                        s.index(field).map(|i| i.as_dyn().index_type()),
                        &spec.params,
                        &req.ann,
                        allowed_rows,
                        s.num_rows(),
                        k,
                    );
                    SegmentPlan {
                        segment_id: s.id,
                        rows: s.num_rows(),
                        allowed_rows,
                        strategy,
                    }
                })
                .collect(),
        };
        let dim = c.schema.fields[field]
            .dim
            .expect("a vector field has a dim");
        let binary = c.schema.fields[field].data_type == DataType::BinaryVector;
        if binary && !req.data.is_empty() || !binary && !req.binary_data.is_empty() {
            return Err(Error::QueryTypeMismatch {
                field_type: c.schema.fields[field].data_type.name(),
                query_type: if binary { "float" } else { "binary" },
            });
        }
        let mut queries = Vec::with_capacity(req.data.len());
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
            queries.push(query);
        }
        for (qi, raw) in req.binary_data.iter().enumerate() {
            if raw.len() * 8 != dim {
                return Err(Error::QueryDimMismatch {
                    query: qi,
                    expected: dim,
                    got: raw.len() * 8,
                });
            }
        }
        Ok(Self {
            c,
            field,
            segments,
            allowed,
            plan,
            queries,
            binary_queries: req.binary_data.clone(),
            k,
            ann: req.ann,
            bounds,
            max_empty_buckets,
            metric,
            offset: req.offset,
            limit: req.limit,
            round_decimal: req.round_decimal,
            output,
            output_names: req.output_fields.clone(),
            group,
            after,
        })
    }

    /// The plan: how each segment is searched by [`PreparedSearch::run`].
    pub fn plan(&self) -> &SearchPlan {
        &self.plan
    }

    /// Runs the search as planned: the `k` best of every query (within the
    /// range, for a range search), then `offset`/`limit`, as columns. A page of
    /// a search iterator is answered exactly ([`PreparedSearch::run_exact`]):
    /// an index cannot start its search past a distance.
    pub fn run(&self) -> Result<SearchResult> {
        if self.after.is_some() {
            return self.run_exact();
        }
        let merged = self.merged(false)?;
        Ok(self.columns(merged, self.plan.clone()))
    }

    /// Runs the same search exactly: every allowed row of every segment scanned,
    /// whatever the plan (the ground truth a search's recall is measured against).
    pub fn run_exact(&self) -> Result<SearchResult> {
        let merged = self.merged(true)?;
        let mut plan = self.plan.clone();
        plan.segments
            .iter_mut()
            .for_each(|s| s.strategy = Strategy::Exact);
        Ok(self.columns(merged, plan))
    }

    /// Number of queries.
    fn nq(&self) -> usize {
        self.queries.len().max(self.binary_queries.len())
    }

    fn merged(&self, exact: bool) -> Result<Vec<Vec<(usize, Neighbour)>>> {
        let all: Vec<usize> = (0..self.nq()).collect();
        if let Some((g, field)) = &self.group {
            return all
                .into_iter()
                .map(|q| self.grouped(q, g, *field, exact))
                .collect();
        }
        let mut merged = match self.bounds {
            None => self.nearest(&all, self.want(), exact)?,
            Some(bounds) => all
                .into_iter()
                .map(|q| self.within(q, bounds, exact))
                .collect::<Result<_>>()?,
        };
        if let Some(after) = self.after.as_ref().filter(|a| !a.returned.is_empty()) {
            let pk = self.c.primary_field();
            for hits in &mut merged {
                hits.retain(|(si, n)| {
                    n.distance != after.floor
                        || !after
                            .returned
                            .contains(&self.segments[*si].columns[pk].primary_key(n.row as usize))
                });
                hits.truncate(self.k);
            }
        }
        Ok(merged)
    }

    /// How many hits a query collects before the rows an iterator's earlier
    /// pages returned at its bound are dropped: `k` and as many as those.
    fn want(&self) -> usize {
        self.k + self.after.as_ref().map_or(0, |a| a.returned.len())
    }

    /// The closest internal distance a hit may have (a search iterator's page).
    fn floor(&self) -> f32 {
        self.after.as_ref().map_or(f32::NEG_INFINITY, |a| a.floor)
    }

    /// The `want` best (segment, neighbour) pairs of queries `which`, closest
    /// first. Segments the plan scans (all of them when `exact`) are scanned
    /// once for all queries ([`exact_search_batch`]); indexed ones answer query
    /// by query.
    fn nearest(
        &self,
        which: &[usize],
        want: usize,
        exact: bool,
    ) -> Result<Vec<Vec<(usize, Neighbour)>>> {
        let mut per_query: Vec<Vec<(usize, Neighbour)>> = vec![Vec::new(); which.len()];
        for (si, s) in self.segments.iter().enumerate() {
            let allowed = self.allowed[si].as_ref();
            let index = s
                .index(self.field)
                .filter(|_| !exact && self.plan.segments[si].strategy.uses_index());
            let found = self.segment_nearest(s, index, which, want, allowed)?;
            for (all, f) in per_query.iter_mut().zip(found) {
                all.extend(f.into_iter().map(|n| (si, n)));
            }
        }
        for all in &mut per_query {
            all.sort_by(|x, y| x.1.cmp_closeness(&y.1).then(x.0.cmp(&y.0)));
            all.truncate(want);
        }
        Ok(per_query)
    }

    /// One segment's `want` best rows for each query of `which`: through
    /// `index` if given, else by an exact scan; binary vectors with the binary
    /// kernels, two-byte floats widened (a block of rows at a time for a scan).
    fn segment_nearest(
        &self,
        s: &Segment,
        index: Option<&Index>,
        which: &[usize],
        want: usize,
        allowed: Option<&Bitset>,
    ) -> Result<Vec<Vec<Neighbour>>> {
        let floats =
            || -> Vec<&[f32]> { which.iter().map(|&q| self.queries[q].as_slice()).collect() };
        match &s.columns[self.field] {
            Column::BinaryVector { .. } => {
                let v = s.binary_vectors(self.field);
                which
                    .iter()
                    .map(|&q| {
                        let q = &self.binary_queries[q];
                        match index {
                            Some(i) => i.search_binary(v, q, want, &self.ann, allowed),
                            None => Ok(exact_search_binary_from(
                                v,
                                self.metric,
                                q,
                                want,
                                allowed,
                                self.floor(),
                            )),
                        }
                    })
                    .collect()
            }
            Column::FloatVector { .. } => {
                let v = s.vectors(self.field);
                let queries = floats();
                match index {
                    Some(i) => queries
                        .iter()
                        .map(|q| i.as_dyn().search(v, q, want, &self.ann, allowed))
                        .collect(),
                    None => Ok(exact_search_batch_from(
                        v,
                        self.metric,
                        &queries,
                        want,
                        allowed,
                        self.floor(),
                    )),
                }
            }
            column => {
                let dim = s.vectors_dim(self.field, column);
                let queries = floats();
                match index {
                    Some(i) => {
                        // A graph or list walk reads rows at random: widen them all
                        // for this search (a transient copy, dropped after it).
                        let rows = s.float_rows(self.field, 0..s.num_rows(), self.metric);
                        let v = VectorView::new(dim, &rows);
                        queries
                            .iter()
                            .map(|q| i.as_dyn().search(v, q, want, &self.ann, allowed))
                            .collect()
                    }
                    None => Ok(self.scan_in_blocks(s, dim, &queries, want, allowed)),
                }
            }
        }
    }

    /// The exact scan of a two-byte float field: [`WIDEN_BLOCK`] rows widened
    /// at a time, each block scanned for every query, the results merged.
    fn scan_in_blocks(
        &self,
        s: &Segment,
        dim: usize,
        queries: &[&[f32]],
        want: usize,
        allowed: Option<&Bitset>,
    ) -> Vec<Vec<Neighbour>> {
        let n = s.num_rows();
        let mut out: Vec<Vec<Neighbour>> = vec![Vec::new(); queries.len()];
        for start in (0..n).step_by(WIDEN_BLOCK) {
            let end = (start + WIDEN_BLOCK).min(n);
            let sub = allowed.map(|a| Bitset::from_fn(end - start, |r| a.contains(start + r)));
            if sub.as_ref().is_some_and(|b| b.count() == 0) {
                continue;
            }
            let rows = s.float_rows(self.field, start..end, self.metric);
            let found = exact_search_batch_from(
                VectorView::new(dim, &rows),
                self.metric,
                queries,
                want,
                sub.as_ref(),
                self.floor(),
            );
            for (o, f) in out.iter_mut().zip(found) {
                o.extend(f.into_iter().map(|nb| Neighbour {
                    row: nb.row + start as u32,
                    ..nb
                }));
            }
        }
        for o in &mut out {
            o.sort_by(|a, b| a.cmp_closeness(b));
            o.truncate(want);
        }
        out
    }

    /// A range search of one query. Float vectors: each segment's hits within
    /// `far` (its index's [`VectorIndex::range_search`], or an exact scan), then
    /// the `k` closest of those not closer than `near`. Other vectors: `k`
    /// widened until the worst result leaves the range (or every row was
    /// returned), then the results inside it.
    ///
    /// [`VectorIndex::range_search`]: crate::index::VectorIndex::range_search
    fn within(
        &self,
        query: usize,
        (near, far): (f32, f32),
        exact: bool,
    ) -> Result<Vec<(usize, Neighbour)>> {
        // A search iterator's page starts at its floor.
        let near = near.max(self.floor());
        if !matches!(
            self.c.schema.fields[self.field].data_type,
            DataType::FloatVector
        ) {
            return self.within_by_widening(query, (near, far), exact);
        }
        let query = self.queries[query].as_slice();
        let reach = Reach {
            radius: far,
            k: self.k,
            max_empty_buckets: self.max_empty_buckets,
        };
        let mut all = Vec::new();
        for (si, s) in self.segments.iter().enumerate() {
            let vectors = s.vectors(self.field);
            let allowed = self.allowed[si].as_ref();
            let found = match s.index(self.field) {
                Some(index) if !exact && self.plan.segments[si].strategy.uses_index() => index
                    .as_dyn()
                    .range_search(vectors, query, &reach, &self.ann, allowed)?,
                _ => exact_range(vectors, self.metric, query, far, allowed),
            };
            all.extend(
                found
                    .into_iter()
                    .filter(|n| n.distance >= near)
                    .map(|n| (si, n)),
            );
        }
        all.sort_by(|x, y| x.1.cmp_closeness(&y.1).then(x.0.cmp(&y.0)));
        all.truncate(self.want());
        Ok(all)
    }

    fn within_by_widening(
        &self,
        query: usize,
        (near, far): (f32, f32),
        exact: bool,
    ) -> Result<Vec<(usize, Neighbour)>> {
        let live: usize = self.segments.iter().map(|s| s.live_rows()).sum();
        let mut want = self.want();
        loop {
            let mut all = self.nearest(&[query], want, exact)?.remove(0);
            let exhausted = all.len() < want || want >= live;
            let worst_inside = all.last().is_some_and(|(_, n)| n.distance < far);
            if exhausted || !worst_inside || want >= 4 * MAX_TOPK {
                all.retain(|(_, n)| n.distance >= near && n.distance < far);
                all.truncate(self.want());
                return Ok(all);
            }
            want *= 2;
        }
    }

    /// A grouping search of one query: the nearest hits, widened (`k` doubled)
    /// until they fill `offset + limit` groups (each full when strict) or the
    /// rows run out, grouped; `offset` skips groups.
    fn grouped(
        &self,
        query: usize,
        g: &GroupBy,
        field: usize,
        exact: bool,
    ) -> Result<Vec<(usize, Neighbour)>> {
        let mut want = self.k * g.group_size;
        loop {
            let hits = self.nearest(&[query], want, exact)?.remove(0);
            let grouped = group::group(&hits, g, self.k, self.offset, |seg, row| {
                self.segments[seg].columns[field].value(row as usize)
            });
            if grouped.enough || hits.len() < want || want >= RANGE_WIDEN_CAP {
                return Ok(grouped.hits);
            }
            want = (want * 2).min(RANGE_WIDEN_CAP);
        }
    }

    /// The hits after `offset`, at most `limit` per query, as columns.
    fn columns(&self, merged: Vec<Vec<(usize, Neighbour)>>, plan: SearchPlan) -> SearchResult {
        let c = self.c;
        let pk = c.primary_field();
        let mut ids = Column::empty_for(&c.schema.fields[pk]);
        let mut scores = Vec::new();
        let mut topks = Vec::with_capacity(merged.len());
        let mut fields = OutputColumns::empty(c, &self.output);
        // A grouping search has applied `offset` and `limit` to its groups.
        let (skip, take) = match self.group {
            Some(_) => (0, usize::MAX),
            None => (self.offset, self.limit),
        };
        let mut group_values = self
            .group
            .as_ref()
            .map(|&(_, f)| Column::empty_for(&c.schema.fields[f]));
        for hits in merged {
            let kept: Vec<_> = hits.into_iter().skip(skip).take(take).collect();
            topks.push(kept.len());
            for (seg, n) in kept {
                let s = self.segments[seg];
                let row = n.row as usize;
                ids.push_from(&s.columns[pk], row);
                let mut score = self.metric.score(n.distance);
                if let Some(d) = self.round_decimal {
                    let p = 10f32.powi(d as i32);
                    score = (score * p).round() / p;
                }
                scores.push(score);
                for (col, &f) in fields.columns.iter_mut().zip(&self.output) {
                    col.push_from(&s.columns[f], row);
                }
                if let (Some(values), Some((_, f))) = (group_values.as_mut(), &self.group) {
                    values.push_from(&s.columns[*f], row);
                }
            }
        }
        c.restrict_dynamic(&mut fields, &self.output_names);
        SearchResult {
            ids,
            scores,
            topks,
            fields,
            plan,
            group_values,
        }
    }
}
