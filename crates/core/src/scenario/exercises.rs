//! The exercises: IVF_PQ (memory against recall, and every index's recall-vs-QPS
//! curve), a sharded "cluster" (scatter/gather), Prometheus monitoring.

use super::gather::merge_top_k;
use super::report::{FigureId, Line, StepReport, SweepPoint};
use super::search_steps::K;
use super::shard::ShardNode;
use super::{COLLECTION, IVF_COLLECTION, PQ_COLLECTION, SQ_COLLECTION, Scenario};
use crate::clock::{Clock, timed, timed_repeated};
use crate::error::Result;
use crate::index::flat::exact_search;
use crate::index::quant::SqType;
use crate::index::spec::{IndexParams, IndexSpec};
use crate::index::{AnnParams, Progress, VectorView};
use crate::metric::Metric;
use crate::schema::CollectionSchema;
use crate::stats::recall_at_k;

impl Scenario {
    /// Loads a collection if it was released (the exercises run after clean-up).
    pub(super) fn ensure_loaded(&mut self, name: &str) -> Result<()> {
        let c = self.db.collection_mut(name)?;
        if !c.is_loaded() {
            c.load()?;
        }
        Ok(())
    }

    /// One curve: for each search parameter in `values`, mean single-query
    /// latency over the batch's queries (the query set searched one query at a
    /// time, repeated as a whole while it is too fast for the clock), QPS from
    /// it, recall@10.
    pub(super) fn curve(
        &mut self,
        name: &str,
        index: &str,
        values: &[AnnParams],
        clock: &dyn Clock,
    ) -> Result<Vec<SweepPoint>> {
        self.ensure_loaded(name)?;
        let nq = self.params.n_queries;
        let memory = self.db.collection(name)?.search_memory_bytes();
        let mut out = Vec::new();
        for &params in values {
            let (param, v) = params.knob().unwrap_or(("-", 0));
            let reqs: Vec<_> = (1..=nq)
                .map(|q| self.request(&[q], params, false))
                .collect();
            let c = self.db.collection(name)?;
            let (found, t) = timed_repeated(clock, || {
                reqs.iter()
                    .map(|req| c.search(req))
                    .collect::<Result<Vec<_>>>()
            });
            let found = found?;
            let latency_ms = t.ms / nq as f64;
            let mut rec = 0.0;
            for (q, res) in (1..=nq).zip(&found) {
                self.metrics.observe_search(name, index, 1, latency_ms);
                rec += self.recall_of(q, &res.int_ids(0));
            }
            out.push(SweepPoint {
                index: index.into(),
                param: param.into(),
                value: v,
                latency_ms,
                qps: 1000.0 / latency_ms.max(1e-9),
                recall: rec / nq as f64,
                memory_bytes: memory,
                reps: t.reps,
                unresolved: !t.resolved,
            });
        }
        Ok(out)
    }

    /// Exact search (FLAT) over the raw data: the reference point.
    pub(super) fn flat_point(&mut self, clock: &dyn Clock) -> SweepPoint {
        let nq = self.params.n_queries;
        let d = self.data.as_ref().expect("data");
        let v = VectorView::new(d.spec.dim, &d.embeddings);
        let queries = &self.queries[1..=nq];
        let (_, t) = timed_repeated(clock, || {
            for q in queries {
                std::hint::black_box(exact_search(v, Metric::Cosine, q, K, None));
            }
        });
        let latency_ms = t.ms / nq as f64;
        SweepPoint {
            index: "FLAT".into(),
            param: "-".into(),
            value: 0,
            latency_ms,
            qps: 1000.0 / latency_ms.max(1e-9),
            recall: 1.0,
            memory_bytes: d.embeddings.len() * 4,
            reps: t.reps,
            unresolved: !t.resolved,
        }
    }

    /// The nprobe values of every IVF curve (those ≤ nlist).
    pub(super) fn nprobe_curve(&self) -> Vec<AnnParams> {
        [1, 4, 10, 32, 128]
            .into_iter()
            .filter(|&x| x <= self.params.nlist)
            .map(|nprobe| AnnParams::Ivf { nprobe })
            .collect()
    }

    /// FLAT's point, the main index's curve and, when step 12 built them,
    /// IVF_FLAT's and HNSW_SQ's (the same ef values as HNSW).
    pub(super) fn main_curves(&mut self, clock: &dyn Clock) -> Result<Vec<SweepPoint>> {
        let nprobes = self.nprobe_curve();
        let mut points = vec![self.flat_point(clock)];
        let main = self.main_index();
        let efs: Vec<AnnParams> = self
            .params
            .ef_sweep
            .iter()
            .map(|&ef| AnnParams::Hnsw { ef })
            .collect();
        let values = match main {
            IndexParams::Hnsw { .. } => efs.clone(),
            _ => nprobes.clone(),
        };
        points.extend(self.curve(COLLECTION, main.index_type().name(), &values, clock)?);
        if self.db.has_collection(IVF_COLLECTION) {
            points.extend(self.curve(IVF_COLLECTION, "IVF_FLAT", &nprobes, clock)?);
        }
        if self.db.has_collection(SQ_COLLECTION) {
            points.extend(self.curve(SQ_COLLECTION, "HNSW_SQ", &efs, clock)?);
        }
        Ok(points)
    }

    /// Step 12's HNSW_SQ beside the main HNSW: the same graph parameters on SQ8
    /// codes, without refinement, so that its memory is the graph and the codes
    /// (a quarter of the float vectors) and its recall is what the codes give.
    pub(super) fn build_sq(
        &mut self,
        clock: &dyn Clock,
        progress: &mut dyn Progress,
    ) -> Result<()> {
        self.db.drop_collection(SQ_COLLECTION);
        let IndexParams::Hnsw { m, ef_construction } = self.main_index() else {
            return Ok(());
        };
        self.db.create_collection(
            SQ_COLLECTION,
            CollectionSchema::tutorial(self.params.data.dim),
            self.params.data.seed,
        )?;
        let params = IndexParams::HnswSq {
            m: m.max(2),
            ef_construction,
            sq_type: SqType::Sq8,
            refine: false,
            refine_type: None,
        };
        self.db.collection_mut(SQ_COLLECTION)?.create_index(
            "embedding",
            "",
            IndexSpec::new(params, Metric::Cosine),
            progress,
        )?;
        self.fill(SQ_COLLECTION, clock, progress)?;
        self.db.collection_mut(SQ_COLLECTION)?.load()
    }

    pub(super) fn ivf_pq(
        &mut self,
        r: &mut StepReport,
        clock: &dyn Clock,
        progress: &mut dyn Progress,
    ) -> Result<()> {
        r.header();
        let p = self.params.clone();
        self.db.drop_collection(PQ_COLLECTION);
        self.db.create_collection(
            PQ_COLLECTION,
            CollectionSchema::tutorial(p.data.dim),
            p.data.seed,
        )?;
        let params = IndexParams::IvfPq {
            nlist: p.nlist,
            m: p.pq_m,
            nbits: p.pq_nbits,
        };
        self.db.collection_mut(PQ_COLLECTION)?.create_index(
            "embedding",
            "",
            IndexSpec::new(params, Metric::Cosine),
            progress,
        )?;
        let (_, _, build_ms) = self.fill(PQ_COLLECTION, clock, progress)?;
        let nprobes = self.nprobe_curve();
        let mut points = self.main_curves(clock)?;
        points.extend(self.curve(PQ_COLLECTION, "IVF_PQ", &nprobes, clock)?);
        let code_bytes = (p.pq_m * p.pq_nbits).div_ceil(8);
        r.line(Line::PqCode {
            nlist: p.nlist,
            m: p.pq_m,
            nbits: p.pq_nbits,
            code_bytes,
            raw_bytes: p.data.dim * 4,
        });
        r.line(Line::BuildTime {
            seconds: build_ms / 1000.0,
        });
        for pt in &points {
            r.line(Line::CurveMemory(pt.clone()));
        }
        r.figure(FigureId::PqBuildMs, build_ms);
        r.figure(FigureId::PqCodeBytes, code_bytes as f64);
        r.timed_sweep(&points);
        r.sweep = points;
        Ok(())
    }

    pub(super) fn cluster(
        &mut self,
        r: &mut StepReport,
        clock: &dyn Clock,
        progress: &mut dyn Progress,
    ) -> Result<()> {
        r.header();
        let shards = self.params.shards.min(self.params.data.n);
        let n = self.params.data.n;
        // Rows go to shard `id % shards`, as Milvus hashes primary keys to shards;
        // each shard is what one query node of the browser's cluster builds.
        let mut nodes = Vec::with_capacity(shards);
        for s in 0..shards {
            let queries = self.queries.clone();
            let node = ShardNode::build(
                &self.params,
                self.data(),
                queries,
                s,
                shards,
                clock,
                progress,
            )?;
            nodes.push(node);
        }
        let build_ms: Vec<f64> = nodes.iter().map(|n| n.build_ms).collect();
        let nq = self.params.n_queries;
        let mut shard_ms = vec![0.0; shards];
        let (mut gather_ms, mut rec) = (0.0, 0.0);
        for q in 1..=nq {
            let mut parts: Vec<Vec<(f32, i64)>> = Vec::with_capacity(shards);
            for (s, node) in nodes.iter().enumerate() {
                let (hits, ms) = node.search_timed(q, clock)?;
                shard_ms[s] += ms;
                parts.push(hits);
            }
            let (ids, ms) = timed(clock, || {
                merge_top_k(&parts, K)
                    .into_iter()
                    .map(|x| x.1)
                    .collect::<Vec<i64>>()
            });
            gather_ms += ms;
            rec += recall_at_k(&ids, &self.truth(q), K);
        }
        let per_shard: Vec<f64> = shard_ms.iter().map(|t| t / nq as f64).collect();
        let sequential = per_shard.iter().sum::<f64>() + gather_ms / nq as f64;
        let slowest = per_shard.iter().copied().fold(0.0, f64::max);
        r.line(Line::Shards {
            shards,
            rows_per_shard: n / shards,
        });
        for (s, t) in per_shard.iter().enumerate() {
            r.line(Line::Shard {
                shard: s,
                build_seconds: build_ms[s] / 1000.0,
                search_ms: *t,
            });
            r.figure(FigureId::ShardSearchMs(s), *t);
        }
        r.line(Line::Gather {
            ms: gather_ms / nq as f64,
        });
        r.line(Line::Sequential {
            sequential_ms: sequential,
            slowest_ms: slowest,
        });
        r.line(Line::Recall {
            recall: rec / nq as f64,
            decimals: 3,
        });
        r.figure(FigureId::SequentialMs, sequential);
        r.figure(FigureId::SlowestShardMs, slowest);
        r.figure(FigureId::GatherMs, gather_ms / nq as f64);
        r.figure(FigureId::Recall, rec / nq as f64);
        Ok(())
    }

    pub(super) fn monitoring(&mut self, r: &mut StepReport) {
        r.header();
        let h = self.metrics.search_latency();
        r.line(Line::SearchRequests {
            n: self.metrics.search_requests_total(),
        });
        r.line(Line::SearchTime {
            seconds: h.sum_seconds(),
        });
        r.figure(
            FigureId::SearchRequests,
            self.metrics.search_requests_total() as f64,
        );
        r.figure(FigureId::SearchSeconds, h.sum_seconds());
        r.text = Some(self.metrics.render_prometheus());
    }
}
