//! The tutorial's steps and exercises: their order, keys and prerequisites. Their
//! titles and texts are [`super::words`]'s.

use serde::{Deserialize, Serialize};

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
}
