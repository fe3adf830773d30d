//! A collection's scalar index definitions: create (Milvus 2.5's checks), the
//! builds of sealed segments that lack theirs (after create, seal and
//! compaction), drop, and AlterIndex's properties (of any index).

use std::collections::BTreeMap;

use super::{ScalarIndex, ScalarIndexDef, ScalarIndexType};
use crate::collection::Collection;
use crate::error::{Error, Result};

/// The index params AlterIndex may set (Milvus 2.5's `IsConfigableIndexParam`).
pub const CONFIGURABLE_INDEX_PARAMS: [&str; 2] = ["mmap.enabled", "indexoffsetcache.enabled"];

impl Collection {
    /// Milvus's `create_index` on a scalar field: `index_type` None for
    /// AUTOINDEX (or no type). Creating the same index again is a no-op; a
    /// different one on an indexed field is refused, as Milvus does.
    pub fn create_scalar_index(
        &mut self,
        field_name: &str,
        index_name: &str,
        index_type: Option<ScalarIndexType>,
    ) -> Result<()> {
        let field = self
            .schema
            .field(field_name)
            .ok_or_else(|| Error::IndexOnMissingField {
                field: field_name.to_owned(),
            })?;
        let autoindex = index_type.is_none();
        let index_type = match index_type {
            Some(t) => t,
            None => ScalarIndexType::auto_for(field)?,
        };
        index_type.check_field(field)?;
        if let Some(existing) = self.scalar_index_on(field_name) {
            if existing.index_type == index_type && existing.autoindex == autoindex {
                return Ok(());
            }
            return Err(Error::IndexAlreadyExists {
                field: field_name.to_owned(),
            });
        }
        if self.index_on(field_name).is_some() {
            return Err(Error::IndexAlreadyExists {
                field: field_name.to_owned(),
            });
        }
        let index_name = self.new_index_name(field_name, index_name)?;
        self.scalar_indexes.push(ScalarIndexDef {
            field: field_name.to_owned(),
            index_name,
            index_type,
            autoindex,
        });
        self.build_missing_scalar_indexes();
        Ok(())
    }

    /// Whether an index (vector or scalar) is named `name`.
    /// Whether an index, vector or scalar, is named `name`.
    fn has_index_named(&self, name: &str) -> bool {
        self.indexes.iter().any(|d| d.index_name == name)
            || self.scalar_indexes.iter().any(|d| d.index_name == name)
    }

    /// The name a new index on `field_name` takes: `index_name`, or the
    /// field's name when it is empty (as Milvus names it); refused if another
    /// index, vector or scalar, has it.
    pub(crate) fn new_index_name(&self, field_name: &str, index_name: &str) -> Result<String> {
        let name = if index_name.is_empty() {
            field_name
        } else {
            index_name
        };
        if self.has_index_named(name) {
            return Err(Error::IndexNameTaken {
                index_name: name.to_owned(),
            });
        }
        Ok(name.to_owned())
    }

    /// Every scalar index defined, in the order of their creation.
    pub fn scalar_indexes(&self) -> &[ScalarIndexDef] {
        &self.scalar_indexes
    }

    /// The scalar index on field `field_name`, if it has one.
    pub fn scalar_index_on(&self, field_name: &str) -> Option<&ScalarIndexDef> {
        self.scalar_indexes.iter().find(|d| d.field == field_name)
    }

    /// Builds the scalar index of every sealed segment that lacks one of a
    /// defined field (fast: a sort of the column, done under the collection's
    /// lock).
    pub(crate) fn build_missing_scalar_indexes(&mut self) {
        for d in &self.scalar_indexes {
            let Some(f) = self.schema.field_index(&d.field) else {
                continue;
            };
            for s in &mut self.sealed {
                if !s.scalar_indexes.contains_key(&f) {
                    let index = ScalarIndex::build(d.index_type, &s.columns[f]);
                    s.scalar_indexes.insert(f, index);
                }
            }
        }
    }

    /// Whether every sealed segment has the scalar index of `field_name` (None:
    /// the field has no scalar index).
    pub(crate) fn scalar_index_built(&self, field_name: &str) -> Option<bool> {
        self.scalar_index_on(field_name)?;
        let f = self.schema.field_index(field_name)?;
        Some(
            self.sealed
                .iter()
                .all(|s| s.scalar_indexes.contains_key(&f)),
        )
    }

    /// Drops the scalar index at position `at` of the definitions and every
    /// segment's build of it.
    pub(crate) fn remove_scalar_index(&mut self, at: usize) -> ScalarIndexDef {
        let def = self.scalar_indexes.remove(at);
        if let Some(f) = self.schema.field_index(&def.field) {
            self.sealed.iter_mut().for_each(|s| {
                s.scalar_indexes.remove(&f);
            });
        }
        self.index_properties.remove(&def.index_name);
        def
    }

    /// Milvus's AlterIndex: sets `set` and removes `delete` among the
    /// properties of index `index_name` (vector or scalar). Only
    /// [`CONFIGURABLE_INDEX_PARAMS`] may be set, and not while loaded (Milvus's
    /// order of checks). Returns false if no index has that name.
    pub fn alter_index(
        &mut self,
        index_name: &str,
        set: &[(String, String)],
        delete: &[String],
    ) -> Result<bool> {
        if let Some((key, _)) = set
            .iter()
            .find(|(k, _)| !CONFIGURABLE_INDEX_PARAMS.contains(&k.as_str()))
        {
            return Err(Error::IndexParamNotConfigurable { key: key.clone() });
        }
        if index_name.is_empty() {
            return Err(Error::IndexNameEmpty);
        }
        if self.is_loaded() {
            return Err(Error::AlterIndexWhileLoaded {
                collection: self.name.clone(),
            });
        }
        if !self.has_index_named(index_name) {
            return Ok(false);
        }
        let props = self
            .index_properties
            .entry(index_name.to_owned())
            .or_default();
        for (k, v) in set {
            props.insert(k.clone(), v.clone());
        }
        for k in delete {
            props.remove(k);
        }
        if props.is_empty() {
            self.index_properties.remove(index_name);
        }
        Ok(true)
    }

    /// The properties AlterIndex set on index `index_name`, sorted by key.
    pub fn index_properties(&self, index_name: &str) -> Option<&BTreeMap<String, String>> {
        self.index_properties.get(index_name)
    }
}
