//! The tutorial's steps and exercises as data: titles and explanations in Chinese
//! and English, the tutorial's pymilvus code for the step, and the equivalent
//! annlab call.

use serde::{Deserialize, Serialize};

/// Output language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// Picks the text of this language.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

/// Every page of the tutorial: the 13 steps, then the three exercises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepId {
    Connect,
    Schema,
    Index,
    Data,
    Insert,
    Load,
    Search,
    BatchSearch,
    FilteredSearch,
    EfSweep,
    Stats,
    IvfCompare,
    Cleanup,
    IvfPq,
    Cluster,
    Monitoring,
}

impl StepId {
    /// In the tutorial's order.
    pub const ALL: [StepId; 16] = [
        StepId::Connect,
        StepId::Schema,
        StepId::Index,
        StepId::Data,
        StepId::Insert,
        StepId::Load,
        StepId::Search,
        StepId::BatchSearch,
        StepId::FilteredSearch,
        StepId::EfSweep,
        StepId::Stats,
        StepId::IvfCompare,
        StepId::Cleanup,
        StepId::IvfPq,
        StepId::Cluster,
        StepId::Monitoring,
    ];

    /// The tutorial's section number (1–13), or the exercise number after them.
    pub fn number(self) -> usize {
        StepId::ALL.iter().position(|s| *s == self).expect("listed") + 1
    }

    /// A stable short key (URLs, test ids, JSON).
    pub fn key(self) -> &'static str {
        match self {
            StepId::Connect => "connect",
            StepId::Schema => "schema",
            StepId::Index => "index",
            StepId::Data => "data",
            StepId::Insert => "insert",
            StepId::Load => "load",
            StepId::Search => "search",
            StepId::BatchSearch => "batch_search",
            StepId::FilteredSearch => "filtered_search",
            StepId::EfSweep => "ef_sweep",
            StepId::Stats => "stats",
            StepId::IvfCompare => "ivf_compare",
            StepId::Cleanup => "cleanup",
            StepId::IvfPq => "ivf_pq",
            StepId::Cluster => "cluster",
            StepId::Monitoring => "monitoring",
        }
    }

    pub fn from_key(key: &str) -> Option<StepId> {
        StepId::ALL.into_iter().find(|s| s.key() == key)
    }

    pub fn is_exercise(self) -> bool {
        matches!(self, StepId::IvfPq | StepId::Cluster | StepId::Monitoring)
    }

    /// The steps this one needs to have run first (the state carries between steps
    /// as in the tutorial's script).
    pub fn prerequisites(self) -> &'static [StepId] {
        use StepId::*;
        match self {
            Connect => &[],
            Schema => &[Connect],
            Index => &[Schema],
            Data => &[],
            Insert => &[Index, Data],
            Load => &[Insert],
            Search | BatchSearch | FilteredSearch | EfSweep | Stats | IvfCompare | IvfPq
            | Cluster | Monitoring => &[Load],
            Cleanup => &[Load],
        }
    }

    /// The section title, as the tutorial prints it (zh) or translated (en).
    pub fn title(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            StepId::Connect => ("连接Milvus", "Connect to Milvus"),
            StepId::Schema => ("创建Collection", "Create the collection"),
            StepId::Index => ("创建索引", "Create the index"),
            StepId::Data => ("生成测试数据", "Generate test data"),
            StepId::Insert => ("批量插入", "Batch insert"),
            StepId::Load => ("加载Collection", "Load the collection"),
            StepId::Search => ("查询测试", "Single search"),
            StepId::BatchSearch => ("批量查询测试", "Batch search"),
            StepId::FilteredSearch => ("过滤查询测试", "Filtered search"),
            StepId::EfSweep => ("性能对比：不同ef参数", "Latency and recall against ef"),
            StepId::Stats => ("索引统计", "Index statistics"),
            StepId::IvfCompare => ("IVF索引对比", "IVF_FLAT compared with HNSW"),
            StepId::Cleanup => ("清理资源", "Clean up"),
            StepId::IvfPq => ("练习1：IVF_PQ量化", "Exercise 1: IVF_PQ quantisation"),
            StepId::Cluster => ("练习2：分布式集群", "Exercise 2: a distributed cluster"),
            StepId::Monitoring => ("练习3：Prometheus监控", "Exercise 3: Prometheus monitoring"),
        };
        lang.pick(zh, en)
    }
}
