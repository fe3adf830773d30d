//! Each typed line and correction of a report, in words: the lines in the
//! tutorial script's own format (Chinese as it prints them, or English), with the
//! measured numbers.

use super::{Lang, title};
use crate::scenario::report::Line;

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
