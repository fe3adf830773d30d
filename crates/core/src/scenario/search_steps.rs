//! Steps 7–13: single, batch and filtered search, the ef sweep, statistics, the
//! IVF comparison, clean-up. Every search figure comes with recall@10 against
//! exact search.

use super::report::{HitRow, StepReport, SweepPoint};
use super::{COLLECTION, IVF_COLLECTION, MainIndex, Scenario, StepId};
use crate::clock::{Clock, timed};
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
    ) -> Result<(SearchResult, f64)> {
        let c = self.db.collection(name)?;
        let (res, ms) = timed(clock, || c.search(req));
        let res = res?;
        let index = c
            .index()
            .map_or("FLAT", |d| d.spec.params.index_type().name());
        self.metrics.observe_search(name, index, req.data.len(), ms);
        Ok((res, ms))
    }

    /// recall@10 of the ids `found` for query `q`.
    pub(super) fn recall_of(&mut self, q: usize, found: &[i64]) -> f64 {
        recall_at_k(found, &self.truth(q), K)
    }

    pub(super) fn single_search(&mut self, r: &mut StepReport, clock: &dyn Clock) -> Result<()> {
        r.header();
        let value = match self.params.index {
            MainIndex::Hnsw => self.params.ef,
            MainIndex::IvfFlat => self.params.nprobe,
        };
        let req = self.request(&[0], self.main_param(value), true);
        let (res, ms) = self.search_timed(COLLECTION, &req, clock)?;
        self.single_search_ms = Some(ms);
        let truth = self.truth(0);
        let zh = self.zh();
        r.line(format!(
            "{}: {ms:.2}ms",
            if zh { "查询延迟" } else { "Search latency" }
        ));
        r.line("");
        r.line(if zh {
            "Top-10结果:"
        } else {
            "Top-10 results:"
        });
        for (i, h) in res.hits(0).enumerate() {
            let text = field_str(&h, "text");
            r.line(format!(
                "{}. {}={:.4}, {}={text}",
                i + 1,
                if zh { "距离" } else { "distance" },
                h.score(),
                if zh { "文本" } else { "text" }
            ));
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
        r.line(format!("recall@10: {rec:.2}"));
        r.figure("latency_ms", ms, "ms");
        r.figure("recall", rec, "");
        r.figure("top_score", top as f64, "");
        r.correct(
            "1. 距离=0.9234 (top COSINE similarity of random vectors)",
            format!(
                "top score {top:.4}: random {}-d unit vectors are nearly orthogonal (expected best of {} ≈ √(2·ln n / dim) = {:.3})",
                self.params.data.dim,
                self.params.data.n,
                (2.0 * (self.params.data.n.max(2) as f64).ln() / self.params.data.dim as f64).sqrt()
            ),
        );
        r.correct(
            "HNSW: 召回率高（96-98%）",
            format!(
                "recall@10 {rec:.2} at {} on this random data",
                describe_param(self.params.index, value)
            ),
        );
        Ok(())
    }

    pub(super) fn batch_search(&mut self, r: &mut StepReport, clock: &dyn Clock) -> Result<()> {
        r.header();
        let nq = self.params.n_queries;
        let value = match self.params.index {
            MainIndex::Hnsw => self.params.ef,
            MainIndex::IvfFlat => self.params.nprobe,
        };
        let queries: Vec<usize> = (1..=nq).collect();
        let req = self.request(&queries, self.main_param(value), false);
        let (res, ms) = self.search_timed(COLLECTION, &req, clock)?;
        let mut total_recall = 0.0;
        for i in 0..res.nq() {
            total_recall += self.recall_of(i + 1, &res.int_ids(i));
        }
        // Each query on its own, for the latency distribution.
        for q in 1..=nq {
            let req = self.request(&[q], self.main_param(value), false);
            let (_, one) = self.search_timed(COLLECTION, &req, clock)?;
            r.latencies_ms.push(one);
        }
        let zh = self.zh();
        let secs = ms / 1000.0;
        let qps = nq as f64 / secs.max(1e-9);
        let rec = total_recall / nq as f64;
        r.line(format!(
            "{} {nq} {}",
            if zh { "批量查询" } else { "Batch of" },
            if zh { "次" } else { "queries" }
        ));
        r.line(format!(
            "{}: {secs:.2}{}",
            if zh { "总耗时" } else { "Total" },
            if zh { "秒" } else { " s" }
        ));
        r.line(format!(
            "{}: {:.2}ms",
            if zh { "平均延迟" } else { "Mean latency" },
            ms / nq as f64
        ));
        r.line(format!("QPS: {qps:.0}"));
        r.line(format!("recall@10: {rec:.3}"));
        r.figure("total_ms", ms, "ms");
        r.figure("mean_latency_ms", ms / nq as f64, "ms");
        r.figure("qps", qps, "queries/s");
        r.figure("recall", rec, "");
        r.figure("p50_ms", percentile(&r.latencies_ms, 50.0), "ms");
        r.figure("p99_ms", percentile(&r.latencies_ms, 99.0), "ms");
        Ok(())
    }

    pub(super) fn filtered_search(&mut self, r: &mut StepReport, clock: &dyn Clock) -> Result<()> {
        r.header();
        let value = match self.params.index {
            MainIndex::Hnsw => self.params.ef,
            MainIndex::IvfFlat => self.params.nprobe,
        };
        let mut req = self.request(&[0], self.main_param(value), true);
        req.filter = self.params.filter.clone();
        // The request prepared once (the filter parsed once): searched, timed,
        // then scanned exactly for the truth.
        let c = self.db.collection(COLLECTION)?;
        let (searched, ms) = timed(clock, || {
            let prepared = c.prepare_search(&req)?;
            let res = prepared.run()?;
            Ok::<_, crate::Error>((prepared, res))
        });
        let (prepared, res) = searched?;
        let index = self.main_index().index_type().name();
        self.metrics.observe_search(COLLECTION, index, 1, ms);
        let allowed = res.plan.allowed_rows().unwrap_or(c.count());
        let truth_ids = prepared.run_exact()?.int_ids(0);
        let rec = recall_at_k(&res.int_ids(0), &truth_ids, K);
        let zh = self.zh();
        r.line(format!(
            "{}: {}",
            if zh { "过滤条件" } else { "Filter" },
            self.params.filter
        ));
        r.line(format!(
            "{}: {ms:.2}ms",
            if zh { "查询延迟" } else { "Search latency" }
        ));
        r.line(format!(
            "{}: {}",
            if zh { "结果数量" } else { "Results" },
            res.topks[0]
        ));
        let total = res.plan.total_rows().max(1);
        r.line(format!(
            "{}: {allowed}/{total} ({:.1}%), recall@10: {rec:.2}",
            if zh { "匹配行数" } else { "Matching rows" },
            100.0 * allowed as f64 / total as f64
        ));
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
        r.figure("latency_ms", ms, "ms");
        r.figure("selectivity", allowed as f64 / total as f64, "");
        r.figure("allowed_rows", allowed as f64, "rows");
        r.figure("recall", rec, "");
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
            let mut times = Vec::new();
            for _ in 0..self.params.sweep_repeats {
                let req = self.request(&[0], self.main_param(v), false);
                times.push(self.search_timed(COLLECTION, &req, clock)?.1);
            }
            let avg = mean(&times);
            // Recall over the batch's queries (one query's recall is too noisy).
            let queries: Vec<usize> = (1..=nq).collect();
            let req = self.request(&queries, self.main_param(v), false);
            let (res, batch_ms) = self.search_timed(COLLECTION, &req, clock)?;
            let mut rec = 0.0;
            for i in 0..res.nq() {
                rec += self.recall_of(i + 1, &res.int_ids(i));
            }
            rec /= nq as f64;
            let zh = self.zh();
            r.line(format!(
                "{param}={v:3}: {}={avg:.2}ms, recall@10={rec:.3}",
                if zh { "平均延迟" } else { "mean latency" }
            ));
            r.sweep.push(SweepPoint {
                index: index_name.into(),
                param: param.into(),
                value: v,
                latency_ms: avg,
                qps: nq as f64 / (batch_ms / 1000.0).max(1e-9),
                recall: rec,
                memory_bytes: memory,
            });
        }
        r.correct(
            "ef= 16: 4.23ms … ef=128: 12.34ms (measured while the index was still being built: every search was brute force)",
            "measured after the index was built; recall@10 beside each latency".to_string(),
        );
        Ok(())
    }

    pub(super) fn stats(&mut self, r: &mut StepReport) -> Result<()> {
        r.header();
        let c = self.db.collection(COLLECTION)?;
        let index_type = self.main_index().index_type().name();
        let zh = self.zh();
        let index_bytes: usize = c
            .sealed_segments()
            .iter()
            .filter_map(|s| s.index.as_ref())
            .map(|i| i.as_dyn().memory_bytes())
            .sum();
        r.line(format!(
            "{}: {}",
            if zh { "向量数量" } else { "Entities" },
            c.num_entities()
        ));
        r.line(format!(
            "{}: {index_type}",
            if zh { "索引类型" } else { "Index type" }
        ));
        r.line(format!(
            "{}: COSINE",
            if zh { "距离度量" } else { "Metric" }
        ));
        r.line(format!(
            "{}: {}",
            if zh { "段数量" } else { "Segments" },
            c.sealed_segments().len()
        ));
        r.line(format!(
            "{}: {:.1} MB",
            if zh {
                "内存（数据+索引）"
            } else {
                "Memory (data + index)"
            },
            c.memory_bytes() as f64 / 1e6
        ));
        r.line(format!(
            "{}: {:.1} MB",
            if zh { "索引大小" } else { "Index size" },
            index_bytes as f64 / 1e6
        ));
        r.figure("num_entities", c.num_entities() as f64, "rows");
        r.figure("memory_bytes", c.memory_bytes() as f64, "B");
        r.figure("index_bytes", index_bytes as f64, "B");
        r.correct(
            "stats = collection.get_stats()",
            "AttributeError: 'Collection' object has no attribute 'get_stats' (pymilvus has no such method; use num_entities or utility.get_collection_stats)",
        );
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
        let zh = self.zh();
        r.line("");
        r.line(if zh {
            "插入数据到IVF集合..."
        } else {
            "Inserting into the IVF collection..."
        });
        let (_, _, build_ms) = self.fill(IVF_COLLECTION, clock, progress)?;
        self.db.collection_mut(IVF_COLLECTION)?.load()?;
        let nprobe = AnnParams::Ivf {
            nprobe: self.params.nprobe,
        };
        let req = self.request(&[0], nprobe, false);
        let (res, ivf_ms) = self.search_timed(IVF_COLLECTION, &req, clock)?;
        let ivf_recall = self.recall_of(0, &res.int_ids(0));
        let hnsw_ms = self.single_search_ms.unwrap_or(f64::NAN);
        let ratio = ivf_ms / hnsw_ms;
        r.line("");
        r.line(format!(
            "{}: {ivf_ms:.2}ms (recall@10 {ivf_recall:.2})",
            if zh {
                "IVF查询延迟"
            } else {
                "IVF search latency"
            }
        ));
        r.line(format!(
            "{}: {hnsw_ms:.2}ms",
            if zh {
                "HNSW查询延迟"
            } else {
                "HNSW search latency"
            }
        ));
        r.line(format!(
            "{}: {ratio:.1}{}",
            if zh {
                "对比: IVF比HNSW慢"
            } else {
                "Ratio IVF / HNSW"
            },
            if zh { "倍" } else { "×" }
        ));
        r.figure("ivf_latency_ms", ivf_ms, "ms");
        r.figure("ivf_recall", ivf_recall, "");
        r.figure("ivf_build_ms", build_ms, "ms");
        r.figure("hnsw_latency_ms", hnsw_ms, "ms");
        // Every index's recall against QPS over the batch's queries (ann-benchmarks).
        let curves = self.main_curves(clock)?;
        for pt in &curves {
            r.line(format!(
                "{:<8} {:>6}={:<4} recall@10={:.3}  {:.0} QPS",
                pt.index, pt.param, pt.value, pt.recall, pt.qps
            ));
        }
        r.sweep = curves;
        r.correct(
            "对比: IVF比HNSW慢 {ratio}倍 (printed as 'slower' whatever the ratio)",
            if ratio < 1.0 {
                format!("IVF_FLAT (nprobe={}) was {:.1}× faster than HNSW here, at recall@10 {ivf_recall:.2}", self.params.nprobe, 1.0 / ratio)
            } else {
                format!("IVF_FLAT (nprobe={}) was {ratio:.1}× slower than HNSW here, at recall@10 {ivf_recall:.2}", self.params.nprobe)
            },
        );
        Ok(())
    }

    pub(super) fn cleanup(&mut self, r: &mut StepReport) -> Result<()> {
        r.header();
        for name in [COLLECTION, IVF_COLLECTION] {
            if let Ok(c) = self.db.collection_mut(name) {
                c.release();
            }
        }
        let zh = self.zh();
        r.line(if zh {
            "Collection已释放"
        } else {
            "Collections released"
        });
        r.line(if zh {
            "连接已断开"
        } else {
            "Disconnected"
        });
        let probe = self.request(&[0], AnnParams::Default, false);
        if let Err(e) = self.db.collection(COLLECTION)?.search(&probe) {
            r.text = Some(format!("search after release: {e}"));
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

fn describe_param(index: MainIndex, value: usize) -> String {
    match index {
        MainIndex::Hnsw => format!("ef={value}"),
        MainIndex::IvfFlat => format!("nprobe={value}"),
    }
}
