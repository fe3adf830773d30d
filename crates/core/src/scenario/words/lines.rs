//! Each typed line and correction of a report, in words: the lines in the
//! tutorial script's own format (Chinese as it prints them, or English), with the
//! measured numbers.

use super::{Lang, ShownCorrection, title};
use crate::dataset::DataKind;
use crate::scenario::MainIndex;
use crate::scenario::report::{Correction, Line};

/// `{secs:.2}` followed by the language's seconds.
fn seconds(s: f64, lang: Lang) -> String {
    format!("{s:.2}{}", lang.pick("秒", " s"))
}

/// Microseconds with the digits that matter.
fn micros(us: f64) -> String {
    if us >= 10.0 {
        format!("{us:.0} µs")
    } else if us >= 1.0 {
        format!("{us:.1} µs")
    } else {
        format!("{us:.3} µs")
    }
}

/// A whole number as Python's `{:.0f}` prints it.
fn whole(x: f64) -> String {
    format!("{x:.0}")
}

/// "on random data" or "on embedding-like data".
fn on(data: DataKind) -> &'static str {
    match data {
        DataKind::Random => "on the tutorial's random data",
        DataKind::Embeddings => "on embedding-like data",
    }
}

/// What a correction says when the other data's figure is not at hand: never a
/// number that was not measured.
fn compare_with(other: DataKind) -> String {
    format!("; run with data={} to compare", other.name())
}

/// `2.0× faster` or `1.5× slower` for a time ratio (IVF over HNSW).
fn faster_or_slower(ratio: f64) -> String {
    if ratio < 1.0 {
        format!("{:.1}× faster", 1.0 / ratio)
    } else {
        format!("{ratio:.1}× slower")
    }
}

/// One printed line.
pub fn line(l: &Line, lang: Lang) -> String {
    let w = |zh, en| lang.pick(zh, en);
    match l {
        Line::Blank => String::new(),
        Line::Rule => "=".repeat(60),
        Line::Title(step) => title(*step, lang).to_owned(),
        Line::Banner => w("Milvus生产级部署", "Milvus production deployment").into(),
        Line::Connected => w("连接成功", "Connected").into(),
        Line::ServerVersion { version } => {
            format!("{}: {version}", w("Milvus版本", "Milvus version"))
        }
        Line::DroppedCollection { name } => format!(
            "{}: {name}",
            w("删除已存在的集合", "Dropped existing collection")
        ),
        Line::CreatedCollection { name } => {
            format!("{}: {name}", w("创建集合", "Created collection"))
        }
        Line::Fields { names } => {
            let quoted: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
            format!("{}: [{}]", w("字段", "Fields"), quoted.join(", "))
        }
        Line::IndexType { index_type } => {
            format!("{}: {index_type}", w("索引类型", "Index type"))
        }
        Line::Metric { metric } => format!("{}: {metric}", w("距离度量", "Metric")),
        Line::IndexParams { params } => format!("{}: {params}", w("参数", "Params")),
        Line::Generated { n } => match lang {
            Lang::Zh => format!("生成了 {n} 个向量"),
            Lang::En => format!("Generated {n} vectors"),
        },
        Line::Dimension { dim } => format!("{}: {dim}", w("向量维度", "Dimension")),
        Line::Inserted { done, total } => format!(
            "  {} {done}/{total} {}",
            w("已插入", "Inserted"),
            w("个向量", "vectors")
        ),
        Line::InsertTook { seconds: s } => format!(
            "{}: {}",
            w("插入完成，耗时", "Insert took"),
            seconds(*s, lang)
        ),
        Line::Throughput { vectors_per_s } => format!(
            "{}: {} {}",
            w("吞吐量", "Throughput"),
            whole(*vectors_per_s),
            w("向量/秒", "vectors/s")
        ),
        Line::Flushed => w("数据已刷新到磁盘", "Data flushed").into(),
        Line::IndexBuilt {
            index_type,
            seconds: s,
        } => format!(
            "{} {index_type}: {}",
            w("索引构建完成", "Index built:"),
            seconds(*s, lang)
        ),
        Line::LoadTook { seconds: s } => {
            format!(
                "{}: {}",
                w("加载完成，耗时", "Load took"),
                seconds(*s, lang)
            )
        }
        Line::Entities { n } => format!("{}: {n}", w("向量数量", "Entities")),
        Line::SearchLatency { ms } => {
            format!("{}: {ms:.2}ms", w("查询延迟", "Search latency"))
        }
        Line::TopResults => w("Top-10结果:", "Top-10 results:").into(),
        Line::Hit { rank, score, text } => format!(
            "{rank}. {}={score:.4}, {}={text}",
            w("距离", "distance"),
            w("文本", "text")
        ),
        Line::Recall { recall, decimals } => format!("recall@10: {recall:.decimals$}"),
        Line::BatchOf { queries } => format!(
            "{} {queries} {}",
            w("批量查询", "Batch of"),
            w("次", "queries")
        ),
        Line::Total { seconds: s } => format!("{}: {}", w("总耗时", "Total"), seconds(*s, lang)),
        Line::MeanLatency { ms } => format!("{}: {ms:.2}ms", w("平均延迟", "Mean latency")),
        Line::Qps { qps } => format!("QPS: {qps:.0}"),
        Line::Filter { expr } => format!("{}: {expr}", w("过滤条件", "Filter")),
        Line::Results { count } => format!("{}: {count}", w("结果数量", "Results")),
        Line::MatchingRows {
            allowed,
            total,
            recall,
        } => format!(
            "{}: {allowed}/{total} ({:.1}%), recall@10: {recall:.2}",
            w("匹配行数", "Matching rows"),
            100.0 * *allowed as f64 / (*total).max(1) as f64
        ),
        Line::Sweep {
            param,
            value,
            mean_ms,
            recall,
        } => format!(
            "{param}={value:3}: {}={mean_ms:.2}ms, recall@10={recall:.3}",
            w("平均延迟", "mean latency")
        ),
        Line::Segments { n } => format!("{}: {n}", w("段数量", "Segments")),
        Line::Memory { bytes } => format!(
            "{}: {:.1} MB",
            w("内存（数据+索引）", "Memory (data + index)"),
            *bytes as f64 / 1e6
        ),
        Line::IndexSize { bytes } => format!(
            "{}: {:.1} MB",
            w("索引大小", "Index size"),
            *bytes as f64 / 1e6
        ),
        Line::InsertingIvf => w(
            "插入数据到IVF集合...",
            "Inserting into the IVF collection...",
        )
        .into(),
        Line::IvfLatency { ms, recall } => format!(
            "{}: {ms:.2}ms (recall@10 {recall:.2})",
            w("IVF查询延迟", "IVF search latency")
        ),
        Line::HnswLatency { ms } => {
            format!("{}: {ms:.2}ms", w("HNSW查询延迟", "HNSW search latency"))
        }
        Line::IvfRatio { ratio } => format!(
            "{}: {ratio:.1}{}",
            w("对比: IVF比HNSW慢", "Ratio IVF / HNSW"),
            w("倍", "×")
        ),
        Line::Contrast {
            data,
            mean,
            best,
            contrast,
        } => match lang {
            Lang::Zh => format!(
                "{}: 查询 0 的平均相似度 {mean:.3}，最佳 {best:.3}，相对对比度 (1−平均)/(1−最佳) = {contrast:.2}",
                data.name()
            ),
            Lang::En => format!(
                "{}: query 0's mean similarity {mean:.3}, best {best:.3}, relative contrast (1−mean)/(1−best) = {contrast:.2}",
                data.name()
            ),
        },
        Line::CurveQps(p) => format!(
            "{:<8} {:>6}={:<4} recall@10={:.3}  {:.0} QPS{}",
            p.index,
            p.param,
            p.value,
            p.recall,
            p.qps,
            if p.unresolved {
                w("（低于时钟精度）", " (below the clock's resolution)")
            } else {
                ""
            }
        ),
        Line::Timing {
            reps_min,
            reps_max,
            resolution_us,
        } => {
            let reps = match (reps_min, reps_max) {
                (_, 1) => w("每个时间只计时一次", "each time measured once").to_owned(),
                (lo, hi) if lo == hi => {
                    format!(
                        "{} {hi} {}",
                        w("重复", "timed over"),
                        w("次计时取平均", "repetitions")
                    )
                }
                (lo, hi) => format!(
                    "{} {lo}–{hi} {}",
                    w("重复", "timed over"),
                    w("次计时取平均", "repetitions")
                ),
            };
            let clock = if *resolution_us > 0.0 {
                format!(
                    "{} {}",
                    w("时钟精度", "clock resolution"),
                    micros(*resolution_us)
                )
            } else {
                w("时钟精度未知", "clock resolution not known").to_owned()
            };
            format!("({reps}; {clock})")
        }
        Line::PqCode {
            nlist,
            m,
            nbits,
            code_bytes,
            raw_bytes,
        } => format!(
            "IVF_PQ (nlist={nlist}, m={m}, nbits={nbits}): {} {code_bytes} {} ({} {raw_bytes} B)",
            w("每个向量编码", "code per vector"),
            w("字节", "bytes"),
            w("原始向量", "raw vector"),
        ),
        Line::BuildTime { seconds: s } => {
            format!("{}: {}", w("构建耗时", "Build time"), seconds(*s, lang))
        }
        Line::CurveMemory(p) => format!(
            "{:<8} {:>6}={:<4} recall@10={:.3}  {:.3}ms  {:.1} MB",
            p.index,
            p.param,
            p.value,
            p.recall,
            p.latency_ms,
            p.memory_bytes as f64 / 1e6
        ),
        Line::Shards {
            shards,
            rows_per_shard,
        } => format!("{}: {shards} × {rows_per_shard}", w("分片", "Shards")),
        Line::Shard {
            shard,
            build_seconds,
            search_ms,
        } => format!(
            "  shard{shard}: {} {build_seconds:.2}s, {} {search_ms:.3}ms",
            w("构建", "build"),
            w("检索", "search")
        ),
        Line::Gather { ms } => format!("gather: {ms:.4}ms"),
        Line::Sequential {
            sequential_ms,
            slowest_ms,
        } => format!(
            "{}: {sequential_ms:.3}ms, {}: {slowest_ms:.3}ms",
            w("顺序执行", "one after another"),
            w("最慢分片", "slowest shard")
        ),
        Line::SearchRequests { n } => format!("{}: {n}", w("检索请求数", "Search requests")),
        Line::SearchTime { seconds: s } => {
            format!("{}: {s:.3}s", w("检索总耗时", "Total search time"))
        }
        Line::Released => w("Collection已释放", "Collections released").into(),
        Line::Disconnected => w("连接已断开", "Disconnected").into(),
    }
}

/// A correction: what the tutorial says (quoted as it is) and what was measured.
pub fn correction(c: &Correction, _lang: Lang) -> ShownCorrection {
    let (tutorial, measured): (&str, String) = match c {
        Correction::ServerVersion { version } => (
            "Milvus版本: v2.5.0 (a server reached over gRPC on localhost:19530)",
            format!("{version}: the engine runs in this process; no server, no network round trip"),
        ),
        Correction::FlushBuildsIndex {
            index_type,
            seconds,
        } => (
            "数据已刷新到磁盘 (then searches start while Milvus is still building the index in the background)",
            format!(
                "flush sealed the segment and built its {index_type} index in {seconds:.2} s before any search"
            ),
        ),
        Correction::TopScore {
            top,
            n,
            dim,
            expected,
            data,
            other_best,
        } => (
            "1. 距离=0.9234 (top COSINE similarity of random vectors)",
            match data {
                DataKind::Random => format!(
                    "top score {top:.4}: random {dim}-d unit vectors are nearly orthogonal (expected best of {n} ≈ √(2·ln n / dim) = {expected:.3}){}",
                    other_best.map_or_else(
                        || compare_with(DataKind::Embeddings),
                        |b| format!("; on embedding-like data of the same n, dim and seed the exact best was {b:.4} (step 4)")
                    )
                ),
                DataKind::Embeddings => format!(
                    "top score {top:.4} on embedding-like data: a query's neighbours share its topic and the embeddings' common direction{}",
                    other_best.map_or_else(
                        || compare_with(DataKind::Random),
                        |b| format!("; on the tutorial's random data of the same n, dim and seed the exact best was {b:.4} (step 4)")
                    )
                ),
            },
        ),
        Correction::Recall {
            recall,
            index,
            value,
            data,
            other,
        } => {
            let param = match index {
                MainIndex::Hnsw => "ef",
                MainIndex::IvfFlat => "nprobe",
            };
            let why = match (data, index) {
                (DataKind::Random, MainIndex::Hnsw) => "on random i.i.d. high-dimensional data, neighbours are barely closer than any other point, so a graph's greedy walk has no gradient to follow",
                (DataKind::Random, MainIndex::IvfFlat) => "on random i.i.d. high-dimensional data, neighbours are barely closer than any other point, so the nearest lists hold few of them",
                (DataKind::Embeddings, _) => "on embeddings the top-10 stands apart from the bulk (step 4's histogram), so the search finds it",
            };
            (
                "HNSW: 召回率高（96-98%）",
                format!(
                    "recall@10 {recall:.2} at {param}={value} {}: {why}{}",
                    on(*data),
                    other.map_or_else(
                        || compare_with(data.other()),
                        |o| format!("; {} the same search measured recall@10 {o:.2}", on(data.other()))
                    )
                ),
            )
        }
        Correction::SweepAfterBuild => (
            "ef= 16: 4.23ms … ef=128: 12.34ms (measured while the index was still being built: every search was brute force)",
            "measured after the index was built; recall@10 beside each latency".into(),
        ),
        Correction::GetStats => (
            "stats = collection.get_stats()",
            "AttributeError: 'Collection' object has no attribute 'get_stats' (pymilvus has no such method; use num_entities or utility.get_collection_stats)".into(),
        ),
        Correction::IvfRatio {
            ratio,
            nprobe,
            recall,
            data,
            other,
        } => (
            "对比: IVF比HNSW慢 {ratio}倍 (printed as 'slower' whatever the ratio)",
            format!(
                "IVF_FLAT (nprobe={nprobe}) was {} than HNSW here, at recall@10 {recall:.2} ({}){}",
                faster_or_slower(*ratio),
                on(*data),
                other.map_or_else(
                    || compare_with(data.other()),
                    |o| format!("; {} it was {}", on(data.other()), faster_or_slower(o))
                )
            ),
        ),
    };
    ShownCorrection {
        tutorial: tutorial.to_owned(),
        measured,
    }
}
