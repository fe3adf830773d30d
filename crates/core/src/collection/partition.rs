//! Partitions, as in Milvus 2.3.5: every collection has `_default`; others are
//! created and dropped by name. Each segment belongs to one partition (each
//! partition has its own growing segment), so a partition's rows are its
//! segments' rows: search, query and delete restricted to some partitions simply
//! skip the other segments, and dropping a partition drops its segments.
//!
//! Loading is per partition: `load` loads every partition (and the ones created
//! later, as Milvus does for a collection loaded whole), `load_partitions` only the
//! named ones. The collection counts as loaded while any partition is.

use serde::{Deserialize, Serialize};

use super::{Collection, Segment};
use crate::error::{Error, Result};
use crate::schema::MAX_NAME_LENGTH;

/// The partition every collection has, and where rows go when none is named.
pub const DEFAULT_PARTITION: &str = "_default";

/// Milvus's `rootCoord.maxPartitionNum` default.
pub const MAX_PARTITIONS: usize = 4096;

/// One partition of a collection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partition {
    pub id: i64,
    pub name: String,
    pub loaded: bool,
}

/// What `show_partitions` / partition statistics report for one partition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionInfo {
    pub id: i64,
    pub name: String,
    pub loaded: bool,
    /// Rows in sealed (flushed) segments, deleted ones included (`row_count`).
    pub num_entities: usize,
}

/// Milvus's partition-name rule (its proxy's `validatePartitionTag`): surrounding
/// spaces are trimmed; letters, digits and underscores only (a digit may come
/// first, unlike collection names); at most 255 characters.
pub fn validate_partition_name(name: &str) -> Result<()> {
    let name = name.trim();
    let reason = if name.is_empty() {
        Some("Partition name should not be empty.".to_owned())
    } else if name.len() > MAX_NAME_LENGTH {
        Some(format!(
            "The length of a partition name must be less than {MAX_NAME_LENGTH} characters."
        ))
    } else if !name.starts_with(|c: char| c == '_' || c.is_ascii_alphanumeric()) {
        Some("The first character of a partition name must be an underscore or letter.".into())
    } else if !name.chars().all(|c| c == '_' || c.is_ascii_alphanumeric()) {
        Some("Partition name can only contain numbers, letters and underscores.".into())
    } else {
        None
    };
    match reason {
        None => Ok(()),
        Some(reason) => Err(Error::InvalidPartitionName {
            name: name.to_owned(),
            reason,
        }),
    }
}

impl Collection {
    /// The partitions, `_default` first, then in creation order.
    pub fn partitions(&self) -> &[Partition] {
        &self.partitions
    }

    pub fn has_partition(&self, name: &str) -> bool {
        self.partitions.iter().any(|p| p.name == name)
    }

    /// Every partition with its statistics.
    pub fn partition_infos(&self) -> Vec<PartitionInfo> {
        self.partitions
            .iter()
            .map(|p| PartitionInfo {
                id: p.id,
                name: p.name.clone(),
                loaded: p.loaded,
                num_entities: self
                    .sealed
                    .iter()
                    .filter(|s| s.partition == p.id)
                    .map(Segment::num_rows)
                    .sum(),
            })
            .collect()
    }

    /// The position of a partition in `partitions` (and of its growing segment in
    /// `growing`); Milvus's "partition not found" otherwise.
    pub(super) fn partition_position(&self, name: &str) -> Result<usize> {
        self.partitions
            .iter()
            .position(|p| p.name == name)
            .ok_or_else(|| Error::PartitionNotFound {
                name: name.to_owned(),
            })
    }

    /// Milvus's `create_partition`. Creating an existing one succeeds (as Milvus's
    /// server does; pymilvus's ORM refuses it client-side). A collection loaded
    /// whole loads its new partitions too.
    pub fn create_partition(&mut self, name: &str) -> Result<()> {
        validate_partition_name(name)?;
        let name = name.trim();
        if self.has_partition(name) {
            return Ok(());
        }
        if self.partitions.len() >= MAX_PARTITIONS {
            return Err(Error::TooManyPartitions {
                max: MAX_PARTITIONS,
                collection: self.name.clone(),
            });
        }
        let id = self.next_partition_id;
        self.next_partition_id += 1;
        let segment_id = self.next_segment_id;
        self.next_segment_id += 1;
        self.partitions.push(Partition {
            id,
            name: name.to_owned(),
            loaded: self.loaded,
        });
        self.growing
            .push(Segment::new(segment_id, id, &self.schema));
        Ok(())
    }

    /// Milvus's `drop_partition`: drops its rows. Refused while the partition is
    /// loaded (`_default` too, with the same words), and for `_default` at all;
    /// dropping a missing partition succeeds, as in Milvus.
    pub fn drop_partition(&mut self, name: &str) -> Result<()> {
        validate_partition_name(name)?;
        let Ok(pos) = self.partition_position(name) else {
            return Ok(());
        };
        if self.partitions[pos].loaded {
            return Err(Error::DropLoadedPartition);
        }
        if name == DEFAULT_PARTITION {
            return Err(Error::DropDefaultPartition);
        }
        let id = self.partitions.remove(pos).id;
        self.growing.remove(pos);
        self.sealed.retain(|s| s.partition != id);
        Ok(())
    }

    /// Milvus's `load_partitions`: needs an index, as `load` does.
    pub fn load_partitions(&mut self, names: &[String]) -> Result<()> {
        let positions = names
            .iter()
            .map(|n| self.partition_position(n))
            .collect::<Result<Vec<_>>>()?;
        self.check_loadable()?;
        for p in positions {
            self.partitions[p].loaded = true;
        }
        Ok(())
    }

    /// Milvus's `release_partitions`; the collection is no longer loaded whole.
    pub fn release_partitions(&mut self, names: &[String]) -> Result<()> {
        let positions = names
            .iter()
            .map(|n| self.partition_position(n))
            .collect::<Result<Vec<_>>>()?;
        for p in positions {
            self.partitions[p].loaded = false;
        }
        self.loaded = false;
        Ok(())
    }

    /// Whether the named partitions are all loaded (no names: whether any
    /// partition is, as Milvus's `load_state` of a collection).
    pub fn partitions_loaded(&self, names: &[String]) -> Result<bool> {
        if names.is_empty() {
            return Ok(self.is_loaded());
        }
        names.iter().try_fold(true, |all, n| {
            Ok(all && self.partitions[self.partition_position(n)?].loaded)
        })
    }

    /// The partition ids a search or query covers: the named ones (each must
    /// exist and be loaded), or every loaded partition when none is named.
    pub(super) fn read_scope(&self, names: &[String], operation: &'static str) -> Result<Vec<i64>> {
        self.require_loaded(operation)?;
        if names.is_empty() {
            return Ok(self
                .partitions
                .iter()
                .filter(|p| p.loaded)
                .map(|p| p.id)
                .collect());
        }
        let mut ids = Vec::with_capacity(names.len());
        let mut not_loaded = None;
        for name in names {
            validate_partition_name(name)?;
            let p = self
                .partitions
                .iter()
                .find(|p| p.name == name.trim())
                .ok_or_else(|| Error::PartitionNameNotFound { name: name.clone() })?;
            if !p.loaded && not_loaded.is_none() {
                not_loaded = Some(p.name.clone());
            }
            if !ids.contains(&p.id) {
                ids.push(p.id);
            }
        }
        match not_loaded {
            Some(name) => Err(Error::PartitionNotLoaded {
                operation,
                name,
                requested: ids,
            }),
            None => Ok(ids),
        }
    }

    /// The partition ids a delete covers: the named one, or every partition.
    pub(super) fn write_scope(&self, partition: Option<&str>) -> Result<Vec<i64>> {
        match partition {
            None => Ok(self.partitions.iter().map(|p| p.id).collect()),
            Some(name) => Ok(vec![self.partitions[self.partition_position(name)?].id]),
        }
    }
}
