//! `annlab scenario --milvus http://HOST:19530`: the tutorial's steps and its
//! IVF_PQ exercise sent to a Milvus server (real Milvus or `annlab serve`)
//! through milvus-sdk-rust's generated gRPC client, with the same seeded data as
//! the embedded scenario. Every index build is awaited before its searches,
//! recall@10 of every search is measured against exact search computed here, and
//! each section's wall time is reported, so that servers compare side by side.

mod rpc;

use std::time::Instant;

use annlab_core::bitset::Bitset;
use annlab_core::index::flat::exact_search;
use annlab_core::index::spec::IndexParams;
use annlab_core::index::{AnnParams, VectorView};
use annlab_core::stats::{mean, recall_at_k};
use annlab_core::{DataSpec, Metric, TutorialData};
use anyhow::{Context, Result, bail};
use serde_json::{Map, Value, json};

use crate::scenario::{IndexArg, ScenarioArgs};
use crate::serve::params::index_params_text;
use rpc::{Hit, Remote};

const COLLECTION: &str = "production_documents";
const IVF_COLLECTION: &str = "ivf_documents";
const PQ_COLLECTION: &str = "ivf_pq_documents";
/// The tutorial's top-k: recall@10.
const K: usize = 10;

pub fn run(args: &ScenarioArgs, url: &str) -> Result<()> {
    if args.step.is_some() {
        bail!(
            "--step selects a step of the embedded scenario; with --milvus the whole tutorial runs: drop --step"
        );
    }
    if args.data_dir.is_some() {
        bail!(
            "--data-dir stores the embedded engine's collections; with --milvus the server keeps its own data: drop --data-dir"
        );
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(scenario(args, url))
}

/// What the run prints (text, or one JSON object at the end with `--json`).
struct Out {
    json: bool,
    sections: Vec<(&'static str, f64)>,
    figures: Map<String, Value>,
}

impl Out {
    fn line(&self, line: impl std::fmt::Display) {
        if !self.json {
            println!("{line}");
        }
    }

    /// Records the wall time of section `key`, started at `t0`.
    fn section(&mut self, key: &'static str, t0: Instant) {
        self.sections.push((key, t0.elapsed().as_secs_f64()));
    }

    fn figure(&mut self, key: &str, value: f64) {
        self.figures.insert(key.into(), json!(value));
    }
}

/// The exact top-10 rows of each query (within rows `row % 10 == m` if given).
struct Truth<'a> {
    data: &'a TutorialData,
}

impl Truth<'_> {
    /// recall@10 of the rows `found` for `query`.
    fn recall_at_10(&self, query: &[f32], found: &[Hit], filter_mod: Option<usize>) -> f64 {
        let data = self.data;
        let view = VectorView::new(data.spec.dim, &data.embeddings);
        let allowed = filter_mod.map(|m| Bitset::from_fn(data.spec.n, |i| i % 10 == m));
        let exact = exact_search(view, Metric::Cosine, query, K, allowed.as_ref());
        let rows: Vec<usize> = found.iter().map(|(r, _)| *r).collect();
        let truth: Vec<usize> = exact.iter().map(|n| n.row as usize).collect();
        recall_at_k(&rows, &truth, K)
    }

    /// The mean recall@10 of the queries' results.
    fn mean_recall_at_10(&self, queries: &[&[f32]], found: &[Vec<Hit>]) -> f64 {
        let recalls: Vec<f64> = queries
            .iter()
            .zip(found)
            .map(|(q, f)| self.recall_at_10(q, f, None))
            .collect();
        mean(&recalls)
    }
}

async fn scenario(args: &ScenarioArgs, url: &str) -> Result<()> {
    let mut out = Out {
        json: args.json,
        sections: Vec::new(),
        figures: Map::new(),
    };
    let started = Instant::now();

    // 1. Connect.
    let t0 = Instant::now();
    let mut c = Remote::connect(url).await?;
    let version = c.version().await?;
    out.line(format!("connected to {url}: Milvus {version}"));
    out.section("connect", t0);

    // 2. Collection (dropped first if present).
    let t0 = Instant::now();
    if c.recreate(COLLECTION, args.dim).await? {
        out.line(format!("dropped the existing collection {COLLECTION}"));
    }
    out.section("schema", t0);

    // 3. Index.
    let t0 = Instant::now();
    let (params, search_params) = match args.index {
        IndexArg::Hnsw => (
            IndexParams::Hnsw {
                m: args.m,
                ef_construction: args.ef_construction,
            },
            AnnParams::Hnsw { ef: args.ef },
        ),
        IndexArg::IvfFlat => (
            IndexParams::IvfFlat { nlist: args.nlist },
            AnnParams::Ivf {
                nprobe: args.nprobe,
            },
        ),
    };
    let index_type = params.index_type().name();
    c.create_index(COLLECTION, &params).await?;
    out.line(format!(
        "created {COLLECTION}: {index_type} {}, COSINE",
        index_params_text(&params)
    ));
    out.section("index", t0);

    // 4. Data.
    let t0 = Instant::now();
    let spec = DataSpec {
        n: args.n,
        dim: args.dim,
        seed: args.seed,
        kind: args.data,
    };
    let data = TutorialData::generate(spec, 1_700_000_000).context("invalid data size")?;
    let truth = Truth { data: &data };
    let nq = args.queries.max(1);
    let queries = data.queries(nq);
    let q: Vec<&[f32]> = queries.chunks_exact(args.dim).collect();
    out.section("data", t0);

    // 5. Insert, flush, and wait for the index (the tutorial does not; its
    // searches then run on unindexed data).
    let t0 = Instant::now();
    c.insert(COLLECTION, &data, args.batch_size).await?;
    let insert_s = t0.elapsed().as_secs_f64();
    out.line(format!(
        "inserted {} × {}: {insert_s:.2} s, {:.0} vectors/s",
        args.n,
        args.dim,
        args.n as f64 / insert_s
    ));
    out.figure("insert_vectors_per_s", args.n as f64 / insert_s);
    let t1 = Instant::now();
    c.flush_and_await_index(COLLECTION, args.n).await?;
    let index_s = t1.elapsed().as_secs_f64();
    out.line(format!("flushed and indexed: {index_s:.2} s"));
    out.figure("flush_and_index_s", index_s);
    out.section("insert", t0);

    // 6. Load.
    let t0 = Instant::now();
    c.load(COLLECTION).await?;
    let rows = c.row_count(COLLECTION).await?;
    out.line(format!("loaded: num_entities = {rows}"));
    out.section("load", t0);

    // 7–10. Searches, each with recall@10 against exact search.
    let t0 = Instant::now();
    let single = c.search(COLLECTION, &q[..1], &search_params, "").await?;
    let single_ms = t0.elapsed().as_secs_f64() * 1e3;
    let r = truth.recall_at_10(q[0], &single[0], None);
    out.line(format!(
        "single search: {single_ms:.2} ms, top score {:.4}, recall@10 {r:.2}",
        single[0].first().map_or(f32::NAN, |h| h.1),
    ));
    out.figure("single_ms", single_ms);
    out.figure("single_recall", r);
    out.section("search", t0);

    let t0 = Instant::now();
    let batch = c.search(COLLECTION, &q, &search_params, "").await?;
    let s = t0.elapsed().as_secs_f64();
    let batch_recall = truth.mean_recall_at_10(&q, &batch);
    out.line(format!(
        "batch of {nq}: {s:.3} s, QPS {:.0}, mean recall@10 {batch_recall:.3}",
        nq as f64 / s
    ));
    out.figure("batch_qps", nq as f64 / s);
    out.figure("batch_recall", batch_recall);
    out.section("batch_search", t0);

    let t0 = Instant::now();
    let filtered = c
        .search(COLLECTION, &q[..1], &search_params, &args.filter)
        .await?;
    let ms = t0.elapsed().as_secs_f64() * 1e3;
    // The recall and the "only source_0" check know the tutorial's own filter.
    let tutorial_filter = args.filter == "source == 'source_0.txt'";
    let only_source_0 = filtered[0].iter().all(|(r, _)| r % 10 == 0);
    out.line(format!(
        "filtered search ({}): {ms:.2} ms, {} hits{}",
        args.filter,
        filtered[0].len(),
        if tutorial_filter {
            format!(
                ", all source_0: {only_source_0}, recall@10 {:.2}",
                truth.recall_at_10(q[0], &filtered[0], Some(0))
            )
        } else {
            String::new()
        }
    ));
    out.figure("filtered_ms", ms);
    out.section("filtered_search", t0);

    let t0 = Instant::now();
    if args.index == IndexArg::Hnsw {
        for &ef in &args.ef_list {
            let params = AnnParams::Hnsw { ef };
            let (mut ms, mut recalls) = (Vec::new(), Vec::new());
            for query in q.iter().take(10) {
                let t = Instant::now();
                let found = c.search(COLLECTION, &[query], &params, "").await?;
                ms.push(t.elapsed().as_secs_f64() * 1e3);
                recalls.push(truth.recall_at_10(query, &found[0], None));
            }
            let (ms, r) = (mean(&ms), mean(&recalls));
            out.line(format!(
                "ef={ef:3}: mean latency {ms:.2} ms, recall@10 {r:.3}"
            ));
            out.figure(&format!("ef{ef}_ms"), ms);
            out.figure(&format!("ef{ef}_recall"), r);
        }
    }
    out.section("ef_sweep", t0);

    // 11. Statistics: what pymilvus offers instead of the tutorial's get_stats().
    let t0 = Instant::now();
    let rows = c.row_count(COLLECTION).await?;
    let described = c.index_params(COLLECTION).await?;
    let get = |k: &str| {
        described
            .iter()
            .find(|(key, _)| key == k)
            .map_or("?", |(_, v)| v.as_str())
    };
    out.line(format!(
        "stats: num_entities = {rows}, index {} {}, {}",
        get("index_type"),
        get("params"),
        get("metric_type")
    ));
    out.section("stats", t0);

    // 12. IVF_FLAT on a second collection with the same data.
    let t0 = Instant::now();
    let ivf = IndexParams::IvfFlat { nlist: args.nlist };
    let nprobe = AnnParams::Ivf {
        nprobe: args.nprobe,
    };
    let build_s = build(&mut c, IVF_COLLECTION, &ivf, &data, args).await?;
    let t = Instant::now();
    let found = c.search(IVF_COLLECTION, &q[..1], &nprobe, "").await?;
    let ivf_ms = t.elapsed().as_secs_f64() * 1e3;
    let batch = c.search(IVF_COLLECTION, &q, &nprobe, "").await?;
    let ivf_recall = truth.mean_recall_at_10(&q, &batch);
    out.line(format!(
        "IVF_FLAT {}: built in {build_s:.2} s; nprobe={}: {ivf_ms:.2} ms, recall@10 {:.2} (batch of {nq}: {ivf_recall:.3}); {index_type}: {single_ms:.2} ms",
        index_params_text(&ivf),
        args.nprobe,
        truth.recall_at_10(q[0], &found[0], None),
    ));
    out.figure("ivf_flat_build_s", build_s);
    out.figure("ivf_flat_ms", ivf_ms);
    out.figure("ivf_flat_recall", ivf_recall);
    out.section("ivf_compare", t0);

    // 13. Clean-up.
    let t0 = Instant::now();
    c.release(COLLECTION).await?;
    c.release(IVF_COLLECTION).await?;
    out.line(format!("released {COLLECTION} and {IVF_COLLECTION}"));
    out.section("cleanup", t0);

    // Exercise: IVF_PQ.
    let t0 = Instant::now();
    let pq = IndexParams::IvfPq {
        nlist: args.nlist,
        m: args.pq_m,
        nbits: args.nbits,
    };
    let build_s = build(&mut c, PQ_COLLECTION, &pq, &data, args).await?;
    let t = Instant::now();
    let batch = c.search(PQ_COLLECTION, &q, &nprobe, "").await?;
    let s = t.elapsed().as_secs_f64();
    let pq_recall = truth.mean_recall_at_10(&q, &batch);
    out.line(format!(
        "IVF_PQ {}: built in {build_s:.2} s; nprobe={}: batch of {nq} {s:.3} s, mean recall@10 {pq_recall:.3}",
        index_params_text(&pq),
        args.nprobe
    ));
    out.figure("ivf_pq_build_s", build_s);
    out.figure("ivf_pq_recall", pq_recall);
    c.release(PQ_COLLECTION).await?;
    c.drop(PQ_COLLECTION).await?;
    out.section("ivf_pq", t0);

    let total = started.elapsed().as_secs_f64();
    if out.json {
        let sections: Vec<Value> = out
            .sections
            .iter()
            .map(|(k, s)| json!({ "step": k, "seconds": s }))
            .collect();
        let report = json!({
            "server": url,
            "version": version,
            "n": args.n,
            "dim": args.dim,
            "index": index_type,
            "sections": sections,
            "total_seconds": total,
            "figures": out.figures,
        });
        println!("{}", serde_json::to_string(&report)?);
    } else {
        println!("wall time by section (s):");
        for (k, s) in &out.sections {
            println!("  {k:<16} {s:8.3}");
        }
        println!("  {:<16} {total:8.3}", "total");
    }
    Ok(())
}

/// A second collection with the same data and another index: created, filled,
/// flushed, its index awaited and loaded. Returns the wall seconds.
async fn build(
    c: &mut Remote,
    name: &str,
    params: &IndexParams,
    data: &TutorialData,
    args: &ScenarioArgs,
) -> Result<f64> {
    let t0 = Instant::now();
    c.recreate(name, args.dim).await?;
    c.create_index(name, params).await?;
    c.insert(name, data, args.batch_size).await?;
    c.flush_and_await_index(name, args.n).await?;
    c.load(name).await?;
    Ok(t0.elapsed().as_secs_f64())
}
