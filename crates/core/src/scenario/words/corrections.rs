//! Each correction in words: what the tutorial says (quoted as it is, with a note
//! on what the quote means) and what was measured, in either language.

use super::{Lang, ShownCorrection};
use crate::dataset::DataKind;
use crate::scenario::MainIndex;
use crate::scenario::report::Correction;

fn on(data: DataKind, lang: Lang) -> &'static str {
    match data {
        DataKind::Random => lang.pick("在教程的随机数据上", "on the tutorial's random data"),
        DataKind::Embeddings => lang.pick("在类嵌入数据上", "on embedding-like data"),
    }
}

/// What a correction says when the other data's figure is not at hand: never a
/// number that was not measured.
fn compare_with(other: DataKind, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("；改用 data={} 运行即可对比", other.name()),
        Lang::En => format!("; run with data={} to compare", other.name()),
    }
}

/// `2.0× faster` or `1.5× slower` for a time ratio (IVF over HNSW).
fn faster_or_slower(ratio: f64, lang: Lang) -> String {
    match (ratio < 1.0, lang) {
        (true, Lang::Zh) => format!("快 {:.1} 倍", 1.0 / ratio),
        (true, Lang::En) => format!("{:.1}× faster", 1.0 / ratio),
        (false, Lang::Zh) => format!("慢 {ratio:.1} 倍"),
        (false, Lang::En) => format!("{ratio:.1}× slower"),
    }
}

/// A correction: what the tutorial says and what was measured, in `lang`.
pub fn correction(c: &Correction, lang: Lang) -> ShownCorrection {
    let zh = lang == Lang::Zh;
    let (tutorial, measured): (String, String) = match c {
        Correction::ServerVersion { version } => (
            format!(
                "Milvus版本: v2.5.0 {}",
                lang.pick(
                    "（经 gRPC 连接 localhost:19530 上的服务器）",
                    "(a server reached over gRPC on localhost:19530)"
                )
            ),
            if zh {
                format!("{version}：引擎就在本进程中运行，没有服务器，也没有网络往返")
            } else {
                format!("{version}: the engine runs in this process; no server, no network round trip")
            },
        ),
        Correction::FlushBuildsIndex {
            index_type,
            seconds,
        } => (
            format!(
                "数据已刷新到磁盘 {}",
                lang.pick(
                    "（随后的搜索开始时，Milvus 仍在后台构建索引）",
                    "(then searches start while Milvus is still building the index in the background)"
                )
            ),
            if zh {
                format!("flush 封存了段，并在任何搜索之前用 {seconds:.2} 秒建好了它的 {index_type} 索引")
            } else {
                format!(
                    "flush sealed the segment and built its {index_type} index in {seconds:.2} s before any search"
                )
            },
        ),
        Correction::TopScore {
            top,
            n,
            dim,
            expected,
            data,
            other_best,
        } => (
            format!(
                "1. 距离=0.9234 {}",
                lang.pick("（随机向量的最高 COSINE 相似度）", "(top COSINE similarity of random vectors)")
            ),
            match (data, zh) {
                (DataKind::Random, true) => format!(
                    "最高分 {top:.4}：随机的 {dim} 维单位向量几乎两两正交（{n} 个中最好的期望值 ≈ √(2·ln n / dim) = {expected:.3}）{}",
                    other_best.map_or_else(
                        || compare_with(DataKind::Embeddings, lang),
                        |b| format!("；在 n、dim、种子相同的类嵌入数据上，精确的最高分为 {b:.4}（第 4 步）")
                    )
                ),
                (DataKind::Random, false) => format!(
                    "top score {top:.4}: random {dim}-d unit vectors are nearly orthogonal (expected best of {n} ≈ √(2·ln n / dim) = {expected:.3}){}",
                    other_best.map_or_else(
                        || compare_with(DataKind::Embeddings, lang),
                        |b| format!("; on embedding-like data of the same n, dim and seed the exact best was {b:.4} (step 4)")
                    )
                ),
                (DataKind::Embeddings, true) => format!(
                    "类嵌入数据上的最高分 {top:.4}：查询的近邻与它同一主题，也共享嵌入的公共方向{}",
                    other_best.map_or_else(
                        || compare_with(DataKind::Random, lang),
                        |b| format!("；在 n、dim、种子相同的教程随机数据上，精确的最高分为 {b:.4}（第 4 步）")
                    )
                ),
                (DataKind::Embeddings, false) => format!(
                    "top score {top:.4} on embedding-like data: a query's neighbours share its topic and the embeddings' common direction{}",
                    other_best.map_or_else(
                        || compare_with(DataKind::Random, lang),
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
                (DataKind::Random, MainIndex::Hnsw) => lang.pick(
                    "在随机独立同分布的高维数据上，近邻几乎不比其他点更近，图的贪心游走没有梯度可循",
                    "on random i.i.d. high-dimensional data, neighbours are barely closer than any other point, so a graph's greedy walk has no gradient to follow",
                ),
                (DataKind::Random, MainIndex::IvfFlat) => lang.pick(
                    "在随机独立同分布的高维数据上，近邻几乎不比其他点更近，最近的几个列表里很少有它们",
                    "on random i.i.d. high-dimensional data, neighbours are barely closer than any other point, so the nearest lists hold few of them",
                ),
                (DataKind::Embeddings, _) => lang.pick(
                    "在嵌入上，top-10 与大多数点明显分开（第 4 步的直方图），搜索能找到它们",
                    "on embeddings the top-10 stands apart from the bulk (step 4's histogram), so the search finds it",
                ),
            };
            let other = other.map_or_else(
                || compare_with(data.other(), lang),
                |o| {
                    if zh {
                        format!("；{}，同样的搜索测得 recall@10 {o:.2}", on(data.other(), lang))
                    } else {
                        format!("; {} the same search measured recall@10 {o:.2}", on(data.other(), lang))
                    }
                },
            );
            (
                "HNSW: 召回率高（96-98%）".to_owned(),
                if zh {
                    format!("{}，{param}={value} 时 recall@10 为 {recall:.2}：{why}{other}", on(*data, lang))
                } else {
                    format!("recall@10 {recall:.2} at {param}={value} {}: {why}{other}", on(*data, lang))
                },
            )
        }
        Correction::SweepAfterBuild => (
            format!(
                "ef= 16: 4.23ms … ef=128: 12.34ms {}",
                lang.pick(
                    "（在索引仍在构建时测得：每次搜索都是暴力搜索）",
                    "(measured while the index was still being built: every search was brute force)"
                )
            ),
            lang.pick(
                "在索引建好之后测量；每个延迟旁边是 recall@10",
                "measured after the index was built; recall@10 beside each latency",
            )
            .to_owned(),
        ),
        Correction::GetStats => (
            "stats = collection.get_stats()".to_owned(),
            format!(
                "AttributeError: 'Collection' object has no attribute 'get_stats' {}",
                lang.pick(
                    "（pymilvus 没有这个方法；请用 num_entities 或 utility.get_collection_stats）",
                    "(pymilvus has no such method; use num_entities or utility.get_collection_stats)"
                )
            ),
        ),
        Correction::IvfRatio {
            ratio,
            nprobe,
            recall,
            data,
            other,
        } => (
            format!(
                "对比: IVF比HNSW慢 {{ratio}}倍 {}",
                lang.pick("（不论比值多少都印作“慢”）", "(printed as 'slower' whatever the ratio)")
            ),
            {
                let other = other.map_or_else(
                    || compare_with(data.other(), lang),
                    |o| {
                        if zh {
                            format!("；{}，它{}", on(data.other(), lang), faster_or_slower(o, lang))
                        } else {
                            format!("; {} it was {}", on(data.other(), lang), faster_or_slower(o, lang))
                        }
                    },
                );
                if zh {
                    format!(
                        "这里 IVF_FLAT（nprobe={nprobe}）比 HNSW {}，recall@10 为 {recall:.2}（{}）{other}",
                        faster_or_slower(*ratio, lang),
                        on(*data, lang)
                    )
                } else {
                    format!(
                        "IVF_FLAT (nprobe={nprobe}) was {} than HNSW here, at recall@10 {recall:.2} ({}){other}",
                        faster_or_slower(*ratio, lang),
                        on(*data, lang)
                    )
                }
            },
        ),
    };
    ShownCorrection { tutorial, measured }
}
