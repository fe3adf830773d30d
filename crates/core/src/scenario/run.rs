//! Steps 1–6: connect, schema, index, data, insert, load.

use super::{COLLECTION, MainIndex, Scenario, ScenarioParams};
use crate::clock::{Clock, timed};
use crate::collection::Collection;
use crate::dataset::{Stream, TutorialData, unit_gaussian};
use crate::error::Result;
use crate::index::spec::{IndexParams, IndexSpec};
use crate::index::{AnnParams, Progress};
use crate::metric::Metric;
use crate::report_fmt::{fmt_params, thousands};
use crate::scenario::report::{BatchTiming, StepReport};
use crate::schema::CollectionSchema;

/// The version string `utility.get_server_version()` returns.
pub const SERVER_VERSION: &str = concat!("annlab-", env!("CARGO_PKG_VERSION"), " (Milvus 2.3 API)");

impl Scenario {
    pub(super) fn connect(&mut self, r: &mut StepReport) {
        let rule = "=".repeat(60);
        r.line(rule.clone());
        r.line(if self.zh() {
            "Milvus生产级部署"
        } else {
            "Milvus production deployment"
        });
        r.line(rule);
        r.line("");
        r.line(if self.zh() {
            "连接成功"
        } else {
            "Connected"
        });
        r.line(format!(
            "{}: {SERVER_VERSION}",
            if self.zh() {
                "Milvus版本"
            } else {
                "Milvus version"
            }
        ));
        r.correct(
            "Milvus版本: v2.5.0 (a server reached over gRPC on localhost:19530)",
            format!("{SERVER_VERSION}: the engine runs in this process; no server, no network round trip"),
        );
    }

    pub(super) fn schema(&mut self, r: &mut StepReport) -> Result<()> {
        r.line("");
        if self.db.drop_collection(COLLECTION) {
            r.line(format!(
                "{}: {COLLECTION}",
                if self.zh() {
                    "删除已存在的集合"
                } else {
                    "Dropped existing collection"
                }
            ));
            r.line("");
        }
        let schema = CollectionSchema::tutorial(self.params.data.dim);
        let names: Vec<String> = schema
            .fields
            .iter()
            .map(|f| format!("'{}'", f.name))
            .collect();
        self.db
            .create_collection(COLLECTION, schema, self.params.data.seed)?;
        r.line(format!(
            "{}: {COLLECTION}",
            if self.zh() {
                "创建集合"
            } else {
                "Created collection"
            }
        ));
        r.line(format!(
            "{}: [{}]",
            if self.zh() { "字段" } else { "Fields" },
            names.join(", ")
        ));
        Ok(())
    }

    /// The index of the tutorial's step 3.
    pub(super) fn main_index(&self) -> IndexParams {
        main_index_of(&self.params)
    }

    pub(super) fn index(&mut self, r: &mut StepReport, progress: &mut dyn Progress) -> Result<()> {
        r.header();
        let params = self.main_index();
        let index_type = params.index_type().name();
        self.db.collection_mut(COLLECTION)?.create_index(
            "embedding",
            "",
            IndexSpec::new(params, Metric::Cosine),
            progress,
        )?;
        let zh = self.zh();
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
            if zh { "参数" } else { "Params" },
            fmt_params(&params)
        ));
        Ok(())
    }

    pub(super) fn generate(&mut self, r: &mut StepReport, clock: &dyn Clock) -> Result<()> {
        r.header();
        let p = &self.params;
        let (data, ms) = timed(clock, || TutorialData::generate(p.data, p.base_timestamp));
        let data = data?;
        // Query 0 is the single query of steps 7, 9, 10, 12; 1..=n the batch of step 8.
        self.queries = query_vectors(p);
        self.truth = vec![None; self.queries.len()];
        let zh = self.zh();
        r.line(format!(
            "{} {} {}",
            if zh { "生成了" } else { "Generated" },
            p.data.n,
            if zh { "个向量" } else { "vectors" }
        ));
        r.line(format!(
            "{}: {}",
            if zh { "向量维度" } else { "Dimension" },
            p.data.dim
        ));
        r.figure("generate_ms", ms, "ms");
        r.figure("data_bytes", (data.embeddings.len() * 4) as f64, "B");
        self.data = Some(data);
        Ok(())
    }

    /// Inserts all data in batches, then flushes (which builds the index). Returns
    /// (insert ms, per-batch ms, flush+build ms).
    pub(super) fn fill(
        &mut self,
        name: &str,
        clock: &dyn Clock,
        progress: &mut dyn Progress,
    ) -> Result<(f64, Vec<f64>, f64)> {
        let n = self.params.data.n;
        let batch = self.params.batch_size;
        let mut batches = Vec::new();
        let start = clock.now_ms();
        for i in (0..n).step_by(batch) {
            let end = (i + batch).min(n);
            let cols = self.data().columns(i, end);
            let t0 = clock.now_ms();
            self.db.collection_mut(name)?.insert(cols)?;
            batches.push(clock.now_ms() - t0);
            self.metrics.observe_insert(name, end - i);
            progress.report(end, n);
            if progress.cancelled() {
                return Err(crate::Error::Cancelled {
                    what: "insert",
                    done: end,
                    total: n,
                });
            }
        }
        let insert_ms = clock.now_ms() - start;
        let c: &mut Collection = self.db.collection_mut(name)?;
        let (flushed, flush_ms) = timed(clock, || c.flush(progress));
        flushed?;
        if let Some(def) = c.index() {
            let index_type = def.spec.params.index_type().name();
            self.metrics.observe_index_build(name, index_type, flush_ms);
        }
        Ok((insert_ms, batches, flush_ms))
    }

    pub(super) fn insert(
        &mut self,
        r: &mut StepReport,
        clock: &dyn Clock,
        progress: &mut dyn Progress,
    ) -> Result<()> {
        r.header();
        let n = self.params.data.n;
        let batch = self.params.batch_size;
        let (insert_ms, batches, flush_ms) = self.fill(COLLECTION, clock, progress)?;
        let zh = self.zh();
        for (b, _) in batches.iter().enumerate() {
            let end = ((b + 1) * batch).min(n);
            r.line(format!(
                "  {} {end}/{n} {}",
                if zh { "已插入" } else { "Inserted" },
                if zh { "个向量" } else { "vectors" }
            ));
        }
        let secs = insert_ms / 1000.0;
        let rate = n as f64 / secs.max(1e-9);
        r.line("");
        r.line(format!(
            "{}: {secs:.2}{}",
            if zh {
                "插入完成，耗时"
            } else {
                "Insert took"
            },
            if zh { "秒" } else { " s" }
        ));
        r.line(format!(
            "{}: {} {}",
            if zh { "吞吐量" } else { "Throughput" },
            thousands(rate),
            if zh { "向量/秒" } else { "vectors/s" }
        ));
        r.line(if zh {
            "数据已刷新到磁盘"
        } else {
            "Data flushed"
        });
        let index_type = self.main_index().index_type().name();
        r.line(format!(
            "{} {index_type}: {:.2}{}",
            if zh {
                "索引构建完成"
            } else {
                "Index built:"
            },
            flush_ms / 1000.0,
            if zh { "秒" } else { " s" }
        ));
        r.figure("insert_ms", insert_ms, "ms");
        r.figure("insert_rate", rate, "vectors/s");
        r.figure("flush_build_ms", flush_ms, "ms");
        r.batches = batches
            .iter()
            .enumerate()
            .map(|(b, &ms)| BatchTiming {
                rows: ((b + 1) * batch).min(n) - b * batch,
                ms,
            })
            .collect();
        r.latencies_ms = batches;
        r.correct(
            "数据已刷新到磁盘 (then searches start while Milvus is still building the index in the background)",
            format!("flush sealed the segment and built its {index_type} index in {:.2} s before any search", flush_ms / 1000.0),
        );
        Ok(())
    }

    pub(super) fn load(&mut self, r: &mut StepReport, clock: &dyn Clock) -> Result<()> {
        r.header();
        let zh = self.zh();
        let c = self.db.collection_mut(COLLECTION)?;
        let (loaded, ms) = timed(clock, || c.load());
        loaded?;
        r.line(format!(
            "{}: {:.2}{}",
            if zh {
                "加载完成，耗时"
            } else {
                "Load took"
            },
            ms / 1000.0,
            if zh { "秒" } else { " s" }
        ));
        r.line(format!(
            "{}: {}",
            if zh { "向量数量" } else { "Entities" },
            c.num_entities()
        ));
        r.figure("load_ms", ms, "ms");
        r.figure("num_entities", c.num_entities() as f64, "rows");
        Ok(())
    }
}

/// The index of the tutorial's step 3.
pub(super) fn main_index_of(p: &ScenarioParams) -> IndexParams {
    match p.index {
        MainIndex::Hnsw => IndexParams::Hnsw {
            m: p.m,
            ef_construction: p.ef_construction,
        },
        MainIndex::IvfFlat => IndexParams::IvfFlat { nlist: p.nlist },
    }
}

/// The search param of the main index (`ef` or `nprobe`) at `value`.
pub(super) fn main_param_of(p: &ScenarioParams, value: usize) -> AnnParams {
    match p.index {
        MainIndex::Hnsw => AnnParams::Hnsw { ef: value },
        MainIndex::IvfFlat => AnnParams::Ivf { nprobe: value },
    }
}

/// The scenario's queries: 0 is the single query of steps 7, 9, 10, 12;
/// 1..=n_queries the batch of step 8.
pub(super) fn query_vectors(p: &ScenarioParams) -> Vec<Vec<f32>> {
    let q = unit_gaussian(p.n_queries + 1, p.data.dim, p.data.seed, Stream::Queries);
    q.chunks_exact(p.data.dim).map(<[f32]>::to_vec).collect()
}
