//! What a search or a query returns besides its hits: named columns of the
//! requested output fields, one value per row returned.

use serde::{Deserialize, Serialize};

use super::Collection;
use crate::error::{Error, Result};
use crate::schema::Column;

/// Named columns of equal length, in the order the request asked for them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OutputColumns {
    pub names: Vec<String>,
    pub columns: Vec<Column>,
}

impl OutputColumns {
    /// The column of field `name`.
    pub fn get(&self, name: &str) -> Option<&Column> {
        self.names
            .iter()
            .position(|n| n == name)
            .map(|i| &self.columns[i])
    }

    /// `(name, column)` pairs.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Column)> {
        self.names.iter().map(String::as_str).zip(&self.columns)
    }

    /// Rows (0 without columns).
    pub fn num_rows(&self) -> usize {
        self.columns.first().map_or(0, Column::len)
    }

    /// Empty columns for the schema's fields at `fields`.
    pub(super) fn empty(c: &Collection, fields: &[usize]) -> Self {
        Self {
            names: fields
                .iter()
                .map(|&f| c.schema.fields[f].name.clone())
                .collect(),
            columns: fields
                .iter()
                .map(|&f| Column::empty_for(&c.schema.fields[f]))
                .collect(),
        }
    }
}

impl Collection {
    pub(super) fn primary_field(&self) -> usize {
        self.schema
            .fields
            .iter()
            .position(|f| f.is_primary)
            .expect("validated")
    }

    /// Positions of the requested output fields (`*` = every field). With
    /// dynamic fields, a name the schema lacks is a dynamic key: it asks for the
    /// hidden `$meta` field (see [`Collection::dynamic_keys`]).
    pub(super) fn output_fields(&self, names: &[String]) -> Result<Vec<usize>> {
        let mut out = Vec::new();
        let dynamic = self.schema.fields.iter().position(|f| f.is_dynamic);
        for name in names {
            if name == "*" {
                out = (0..self.schema.fields.len())
                    .filter(|&i| i != self.primary_field())
                    .collect();
                continue;
            }
            let i = match (self.schema.field_index(name), dynamic) {
                (Some(i), _) | (None, Some(i)) => i,
                (None, None) => {
                    return Err(Error::UnknownField {
                        field: name.clone(),
                    });
                }
            };
            if i != self.primary_field() && !out.contains(&i) {
                out.push(i);
            }
        }
        Ok(out)
    }

    /// The dynamic keys the requested output fields name: None for all of them
    /// (`*` or `$meta` asked for, or no dynamic fields).
    pub(super) fn dynamic_keys(&self, names: &[String]) -> Option<Vec<String>> {
        let meta = self.schema.dynamic_field()?;
        if names.iter().any(|n| n == "*" || *n == meta.name) {
            return None;
        }
        Some(
            names
                .iter()
                .filter(|n| self.schema.field(n).is_none())
                .cloned()
                .collect(),
        )
    }

    /// Keeps only the requested dynamic keys in `out`'s `$meta` column.
    pub(super) fn restrict_dynamic(&self, out: &mut OutputColumns, names: &[String]) {
        let Some(keys) = self.dynamic_keys(names) else {
            return;
        };
        let Some(meta) = self.schema.dynamic_field() else {
            return;
        };
        let Some(i) = out.names.iter().position(|n| *n == meta.name) else {
            return;
        };
        if let Column::Json(values) = &mut out.columns[i] {
            for v in values {
                if let serde_json::Value::Object(m) = v {
                    m.retain(|k, _| keys.contains(k));
                }
            }
        }
    }
}
