//! Steps 7–13: single, batch and filtered search, the ef sweep, statistics, the
//! IVF comparison, clean-up. Every search figure comes with recall@10 against
//! exact search.

use super::report::{Correction, FigureId, HitRow, Line, StepReport, SweepPoint};
use super::{COLLECTION, IVF_COLLECTION, MainIndex, SQ_COLLECTION, Scenario, StepId};
use crate::clock::{Clock, Timing, timed_repeated};
use crate::collection::{SearchHit, SearchRequest, SearchResult};
use crate::error::Result;
use crate::index::flat::exact_search_batch;
use crate::index::spec::{IndexParams, IndexSpec};
use crate::index::{AnnParams, Progress, VectorView};
use crate::metric::Metric;
use crate::schema::CollectionSchema;
use crate::stats::{mean, percentile, recall_at_k};
use crate::value::{FieldValue, PrimaryKey};

pub(super) const K: usize = 10;

impl Scenario {
    /// The exact top-10 ids of query `q`, over all rows. The first call computes
    /// every query's in one blocked pass over the rows ([`exact_search_batch`]).
    pub(super) fn truth(&mut self, q: usize) -> Vec<i64> {
        if self.truth[q].is_none() {
            let d = self.data.as_ref().expect("data");
            let v = VectorView::new(d.spec.dim, &d.embeddings);
            let missing: Vec<usize> = (0..self.truth.len())
                .filter(|&i| self.truth[i].is_none())
                .collect();
            let queries: Vec<&[f32]> = missing.iter().map(|&i| &self.queries[i][..]).collect();
            let found = exact_search_batch(v, Metric::Cosine, &queries, K, None);
            for (i, hits) in missing.into_iter().zip(found) {
                self.truth[i] = Some(hits.iter().map(|n| n.row as i64).collect());
            }
        }
        self.truth[q].clone().expect("just computed")
    }

    /// The search param of the main index at its tutorial value.
    pub(super) fn main_param(&self, value: usize) -> AnnParams {
        super::run::main_param_of(&self.params, value)
    }

    /// The main index's search parameter at the value steps 7–9 use.
    pub(super) fn step_param(&self) -> AnnParams {
        super::shard::step_param(&self.params)
    }

    /// The exact top-10 ids of each query number in `qs` (generating the data
    /// first if the data step has not run): the truth a sharded search's recall is
    /// measured against.
    pub fn truth_for(
        &mut self,
        qs: &[usize],
        clock: &dyn Clock,
        progress: &mut dyn Progress,
    ) -> Result<Vec<Vec<i64>>> {
        if !self.has_run(StepId::Data) {
            self.run(StepId::Data, clock, progress)?;
        }
        let n = self.queries.len();
        if let Some(&q) = qs.iter().find(|&&q| q >= n) {
            return Err(crate::Error::OutOfRange {
                what: "query number",
                value: q as i64,
                min: 0,
                max: n as i64 - 1,
            });
        }
        Ok(qs.iter().map(|&q| self.truth(q)).collect())
    }

    pub(super) fn request(&self, queries: &[usize], ann: AnnParams, output: bool) -> SearchRequest {
        SearchRequest {
            anns_field: "embedding".into(),
            data: queries.iter().map(|&q| self.queries[q].clone()).collect(),
            metric_type: Some(Metric::Cosine),
            ann,
            limit: K,
            output_fields: if output {
                vec!["text".into(), "source".into()]
            } else {
                Vec::new()
            },
            ..Default::default()
        }
    }

    pub(super) fn search_timed(
        &mut self,
        name: &str,
        req: &SearchRequest,
        clock: &dyn Clock,
    ) -> Result<(SearchResult, Timing)> {
        let c = self.db.collection(name)?;
        let (res, t) = timed_repeated(clock, || c.search(req));
        let res = res?;
        let index = c
            .index()
            .map_or("FLAT", |d| d.spec.params.index_type().name());
        // One request observed, however often it was repeated to be timed.
        self.metrics
            .observe_search(name, index, req.data.len(), t.ms);
        Ok((res, t))
    }

    /// recall@10 of the ids `found` for query `q`.
    pub(super) fn recall_of(&mut self, q: usize, found: &[i64]) -> f64 {
        recall_at_k(found, &self.truth(q), K)
    }

    pub(super) fn single_search(&mut self, r: &mut StepReport, clock: &dyn Clock) -> Result<()> {
        r.header();
        let req = self.request(&[0], self.step_param(), true);
        let (res, t) = self.search_timed(COLLECTION, &req, clock)?;
        r.timed(&t);
        let ms = t.ms;
        self.single_search_ms = Some(ms);
        let truth = self.truth(0);
        r.line(Line::SearchLatency { ms });
        r.line(Line::Blank);
        r.line(Line::TopResults);
        for (i, h) in res.hits(0).enumerate() {
            let text = field_str(&h, "text");
            r.line(Line::Hit {
                rank: i + 1,
                score: h.score(),
                text: text.clone(),
            });
            r.hits.push(HitRow {
                rank: i + 1,
                id: h.id().to_string(),
                score: h.score(),
                text,
                source: field_str(&h, "source"),
                in_exact_top_k: matches!(h.id(), PrimaryKey::Int64(id) if truth.contains(&id)),
            });
        }
        let rec = self.recall_of(0, &res.int_ids(0));
        let top = res.hits(0).next().map_or(0.0, |h| h.score());
        r.line(Line::Recall {
            recall: rec,
            decimals: 2,
        });
        r.figure(FigureId::LatencyMs, ms);
        r.figure(FigureId::Recall, rec);
        r.figure(FigureId::TopScore, top as f64);
        let (n, dim) = (self.params.data.n, self.params.data.dim);
        r.correct(Correction::TopScore {
            top,
            n,
            dim,
            expected: (2.0 * (n.max(2) as f64).ln() / dim as f64).sqrt(),
            data: self.params.data.kind,
            other_best: self.contrast.as_ref().map(|c| c[1].best()),
        });
        r.correct(Correction::Recall {
            recall: rec,
            index: self.params.index,
            value: self.params.step_value(),
            data: self.params.data.kind,
            other: None,
        });
        Ok(())
    }

    pub(super) fn batch_search(&mut self, r: &mut StepReport, clock: &dyn Clock) -> Result<()> {
        r.header();
        let nq = self.params.n_queries;
        let queries: Vec<usize> = (1..=nq).collect();
        let req = self.request(&queries, self.step_param(), false);
        let (res, t) = self.search_timed(COLLECTION, &req, clock)?;
        r.timed(&t);
        let ms = t.ms;
        let mut total_recall = 0.0;
        for i in 0..res.nq() {
            total_recall += self.recall_of(i + 1, &res.int_ids(i));
        }
        // Each query on its own, for the latency distribution.
        for q in 1..=nq {
            let req = self.request(&[q], self.step_param(), false);
            let (_, one) = self.search_timed(COLLECTION, &req, clock)?;
            r.timed(&one);
            r.latencies_ms.push(one.ms);
        }
        let secs = ms / 1000.0;
        let qps = nq as f64 / secs.max(1e-9);
        let rec = total_recall / nq as f64;
        r.line(Line::BatchOf { queries: nq });
        r.line(Line::Total { seconds: secs });
        r.line(Line::MeanLatency { ms: ms / nq as f64 });
        r.line(Line::Qps { qps });
        r.line(Line::Recall {
            recall: rec,
            decimals: 3,
        });
        r.figure(FigureId::TotalMs, ms);
        r.figure(FigureId::MeanLatencyMs, ms / nq as f64);
        r.figure(FigureId::Qps, qps);
        r.figure(FigureId::Recall, rec);
        r.figure(FigureId::P50Ms, percentile(&r.latencies_ms, 50.0));
        r.figure(FigureId::P99Ms, percentile(&r.latencies_ms, 99.0));
        Ok(())
    }

    pub(super) fn filtered_search(&mut self, r: &mut StepReport, clock: &dyn Clock) -> Result<()> {
        r.header();
        let mut req = self.request(&[0], self.step_param(), true);
        req.filter = self.params.filter.clone();
        // The request prepared once (the filter parsed once): searched, timed,
        // then scanned exactly for the truth.
        let c = self.db.collection(COLLECTION)?;
        let prepared = c.prepare_search(&req)?;
        let (res, t) = timed_repeated(clock, || prepared.run());
        let res = res?;
        r.timed(&t);
        let ms = t.ms;
        let index = self.main_index().index_type().name();
        self.metrics.observe_search(COLLECTION, index, 1, ms);
        let allowed = res.plan.allowed_rows().unwrap_or(c.count());
        let truth_ids = prepared.run_exact()?.int_ids(0);
        let rec = recall_at_k(&res.int_ids(0), &truth_ids, K);
        r.line(Line::Filter {
            expr: self.params.filter.clone(),
        });
        r.line(Line::SearchLatency { ms });
        r.line(Line::Results {
            count: res.topks[0],
        });
        let total = res.plan.total_rows().max(1);
        r.line(Line::MatchingRows {
            allowed,
            total,
            recall: rec,
        });
        for h in res.hits(0) {
            r.hits.push(HitRow {
                rank: r.hits.len() + 1,
                id: h.id().to_string(),
                score: h.score(),
                text: field_str(&h, "text"),
                source: field_str(&h, "source"),
                in_exact_top_k: matches!(h.id(), PrimaryKey::Int64(id) if truth_ids.contains(&id)),
            });
        }
        r.figure(FigureId::LatencyMs, ms);
        r.figure(FigureId::Selectivity, allowed as f64 / total as f64);
        r.figure(FigureId::AllowedRows, allowed as f64);
        r.figure(FigureId::Recall, rec);
        r.plan = Some(res.plan);
        Ok(())
    }

    pub(super) fn ef_sweep(&mut self, r: &mut StepReport, clock: &dyn Clock) -> Result<()> {
        r.header();
        let (param, values) = match self.params.index {
            MainIndex::Hnsw => ("ef", self.params.ef_sweep.clone()),
            MainIndex::IvfFlat => ("nprobe", vec![1, 5, 10, 20, 50]),
        };
        let nq = self.params.n_queries;
        let index_name = self.main_index().index_type().name();
        let memory = self.db.collection(COLLECTION)?.search_memory_bytes();
        for &v in &values {
            // One search first, untimed: the first after a build or a change of
            // `ef` pays for cold caches and the search's scratch memory (in the
            // browser, growing the wasm memory), which is not what `ef` costs.
            let c = self.db.collection(COLLECTION)?;
            c.search(&self.request(&[0], self.main_param(v), false))?;
            let mut times = Vec::new();
            for _ in 0..self.params.sweep_repeats {
                let req = self.request(&[0], self.main_param(v), false);
                let (_, t) = self.search_timed(COLLECTION, &req, clock)?;
                r.timed(&t);
                times.push(t.ms);
            }
            let avg = mean(&times);
            // Recall over the batch's queries (one query's recall is too noisy).
            let queries: Vec<usize> = (1..=nq).collect();
            let req = self.request(&queries, self.main_param(v), false);
            let (res, batch) = self.search_timed(COLLECTION, &req, clock)?;
            r.timed(&batch);
            let mut rec = 0.0;
            for i in 0..res.nq() {
                rec += self.recall_of(i + 1, &res.int_ids(i));
            }
            rec /= nq as f64;
            r.line(Line::Sweep {
                param: param.into(),
                value: v,
                mean_ms: avg,
                recall: rec,
            });
            r.sweep.push(SweepPoint {
                index: index_name.into(),
                param: param.into(),
                value: v,
                latency_ms: avg,
                qps: nq as f64 / (batch.ms / 1000.0).max(1e-9),
                recall: rec,
                memory_bytes: memory,
                reps: batch.reps,
                unresolved: !batch.resolved,
            });
        }
        r.correct(Correction::SweepAfterBuild);
        Ok(())
    }

    pub(super) fn stats(&mut self, r: &mut StepReport) -> Result<()> {
        r.header();
        let c = self.db.collection(COLLECTION)?;
        let index_type = self.main_index().index_type().name();
        let index_bytes: usize = c
            .sealed_segments()
            .iter()
            .flat_map(|s| s.indexes.values())
            .map(|i| i.as_dyn().memory_bytes())
            .sum();
        r.line(Line::Entities {
            n: c.num_entities(),
        });
        r.line(Line::IndexType {
            index_type: index_type.into(),
        });
        r.line(Line::Metric {
            metric: "COSINE".into(),
        });
        r.line(Line::Segments {
            n: c.sealed_segments().len(),
        });
        r.line(Line::Memory {
            bytes: c.memory_bytes(),
        });
        r.line(Line::IndexSize { bytes: index_bytes });
        r.figure(FigureId::NumEntities, c.num_entities() as f64);
        r.figure(FigureId::MemoryBytes, c.memory_bytes() as f64);
        r.figure(FigureId::IndexBytes, index_bytes as f64);
        r.correct(Correction::GetStats);
        Ok(())
    }

    pub(super) fn ivf_compare(
        &mut self,
        r: &mut StepReport,
        clock: &dyn Clock,
        progress: &mut dyn Progress,
    ) -> Result<()> {
        r.header();
        self.db.drop_collection(IVF_COLLECTION);
        self.db.create_collection(
            IVF_COLLECTION,
            CollectionSchema::tutorial(self.params.data.dim),
            self.params.data.seed,
        )?;
        let nlist = self.params.nlist;
        self.db.collection_mut(IVF_COLLECTION)?.create_index(
            "embedding",
            "",
            IndexSpec::new(IndexParams::IvfFlat { nlist }, Metric::Cosine),
            progress,
        )?;
        r.line(Line::Blank);
        r.line(Line::InsertingIvf);
        let (_, _, build_ms) = self.fill(IVF_COLLECTION, clock, progress)?;
        self.db.collection_mut(IVF_COLLECTION)?.load()?;
        let nprobe = AnnParams::Ivf {
            nprobe: self.params.nprobe,
        };
        let req = self.request(&[0], nprobe, false);
        let (res, ivf) = self.search_timed(IVF_COLLECTION, &req, clock)?;
        r.timed(&ivf);
        let ivf_ms = ivf.ms;
        let ivf_recall = self.recall_of(0, &res.int_ids(0));
        // Step 7's latency; when step 7 did not run, the same search timed now.
        let hnsw_ms = match self.single_search_ms {
            Some(ms) => ms,
            None => {
                let req = self.request(&[0], self.step_param(), true);
                let (_, t) = self.search_timed(COLLECTION, &req, clock)?;
                self.single_search_ms = Some(t.ms);
                t.ms
            }
        };
        let ratio = ivf_ms / hnsw_ms;
        r.line(Line::Blank);
        r.line(Line::IvfLatency {
            ms: ivf_ms,
            recall: ivf_recall,
        });
        r.line(Line::HnswLatency { ms: hnsw_ms });
        r.line(Line::IvfRatio { ratio });
        r.figure(FigureId::IvfLatencyMs, ivf_ms);
        r.figure(FigureId::IvfRecall, ivf_recall);
        r.figure(FigureId::IvfBuildMs, build_ms);
        r.figure(FigureId::HnswLatencyMs, hnsw_ms);
        self.build_sq(clock, progress)?;
        // Every index's recall against QPS over the batch's queries (ann-benchmarks).
        let curves = self.main_curves(clock)?;
        r.timed_sweep(&curves);
        for pt in &curves {
            r.line(Line::CurveQps(pt.clone()));
        }
        r.sweep = curves;
        r.correct(Correction::IvfRatio {
            ratio,
            nprobe: self.params.nprobe,
            recall: ivf_recall,
            data: self.params.data.kind,
            other: None,
        });
        Ok(())
    }

    pub(super) fn cleanup(&mut self, r: &mut StepReport) -> Result<()> {
        r.header();
        for name in [COLLECTION, IVF_COLLECTION, SQ_COLLECTION] {
            if let Ok(c) = self.db.collection_mut(name) {
                c.release();
            }
        }
        r.line(Line::Released);
        r.line(Line::Disconnected);
        let probe = self.request(&[0], AnnParams::Default, false);
        if let Err(e) = self.db.collection(COLLECTION)?.search(&probe) {
            r.text = Some(e.to_string());
        }
        Ok(())
    }
}

fn field_str(hit: &SearchHit<'_>, name: &str) -> String {
    hit.value(name)
        .map(|v| match v {
            FieldValue::VarChar(s) => s,
            other => format!("{other:?}"),
        })
        .unwrap_or_default()
}
