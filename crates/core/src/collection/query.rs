//! Query by expression (with `count(*)`), get by primary key, delete by expression.

use serde::{Deserialize, Serialize};

use std::collections::HashSet;

use super::{Collection, DEFAULT_PARTITION, InsertResult, OutputColumns};
use crate::bitset::Bitset;
use crate::error::{Error, Result};
use crate::expr;
use crate::quickstart::MAX_TOPK;
use crate::schema::Column;
use crate::value::PrimaryKey;

/// Milvus's `query`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryRequest {
    pub expr: String,
    /// Field names, `*`, or `count(*)`.
    pub output_fields: Vec<String>,
    pub limit: Option<usize>,
    pub offset: usize,
    /// Partitions to query (empty = every loaded partition).
    pub partition_names: Vec<String>,
}

/// Columns of the matching rows (the primary key first), or a count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum QueryResult {
    Rows(OutputColumns),
    Count(usize),
}

impl QueryResult {
    pub fn num_rows(&self) -> usize {
        match self {
            QueryResult::Rows(rows) => rows.num_rows(),
            QueryResult::Count(_) => 1,
        }
    }
}

impl Collection {
    /// The live rows matching `expr` in every segment of the partitions `scope`
    /// (none elsewhere), as (segment, row) bitsets.
    fn matching(&self, expr: &str, scope: &[i64]) -> Result<Vec<Bitset>> {
        let parsed = if expr.trim().is_empty() {
            None
        } else {
            Some(expr::parse(expr, &self.schema)?)
        };
        Ok(self
            .segments()
            .map(|s| {
                if !scope.contains(&s.partition) {
                    return Bitset::new(s.num_rows());
                }
                s.allowed(parsed.as_ref().map(|e| e.evaluate(&self.columns_of(s))))
                    .unwrap_or_else(|| Bitset::full(s.num_rows()))
            })
            .collect())
    }

    /// Milvus's `query`.
    pub fn query(&self, req: &QueryRequest) -> Result<QueryResult> {
        let scope = self.read_scope(&req.partition_names, "query")?;
        if req.output_fields.iter().any(|f| f == "count(*)") {
            let n = self
                .matching(&req.expr, &scope)?
                .iter()
                .map(Bitset::count)
                .sum();
            return Ok(QueryResult::Count(n));
        }
        if req.expr.trim().is_empty() && req.limit.is_none() {
            return Err(Error::EmptyExpressionWithoutLimit);
        }
        if let Some(limit) = req.limit {
            let window = limit + req.offset;
            if limit == 0 || window > MAX_TOPK {
                return Err(Error::QueryWindowOutOfRange { window });
            }
        }
        let pk = self.primary_field();
        let mut fields = vec![pk];
        fields.extend(self.output_fields(&req.output_fields)?);
        let mut out = OutputColumns::empty(self, &fields);
        let take = req.limit.unwrap_or(usize::MAX);
        let mut skip = req.offset;
        let mut taken = 0;
        for (segment, bits) in self.segments().zip(self.matching(&req.expr, &scope)?) {
            let rows: Vec<usize> = bits.iter().skip(skip).take(take - taken).collect();
            skip = skip.saturating_sub(bits.count());
            taken += rows.len();
            for (col, &f) in out.columns.iter_mut().zip(&fields) {
                col.extend_from(&segment.columns[f].take(&rows));
            }
            if taken == take {
                break;
            }
        }
        self.restrict_dynamic(&mut out, &req.output_fields);
        Ok(QueryResult::Rows(out))
    }

    /// Rows by primary key (pymilvus `get`/MilvusClient `get`), in key order found.
    pub fn get(&self, ids: &[PrimaryKey], output_fields: &[String]) -> Result<QueryResult> {
        let scope = self.read_scope(&[], "query")?;
        let pk = self.primary_field();
        let mut fields = vec![pk];
        fields.extend(self.output_fields(output_fields)?);
        let mut out = OutputColumns::empty(self, &fields);
        for segment in self.segments().filter(|s| scope.contains(&s.partition)) {
            let rows: Vec<usize> = (0..segment.num_rows())
                .filter(|&r| {
                    !segment.deleted.contains(r)
                        && ids.contains(&segment.columns[pk].primary_key(r))
                })
                .collect();
            for (col, &f) in out.columns.iter_mut().zip(&fields) {
                col.extend_from(&segment.columns[f].take(&rows));
            }
        }
        self.restrict_dynamic(&mut out, output_fields);
        Ok(QueryResult::Rows(out))
    }

    /// Milvus's `upsert`: inserts the rows (their primary keys given), then marks
    /// every older live row with one of those keys deleted. Returns the insert and
    /// the number of rows it replaced. Refused when the engine assigns the keys.
    pub fn upsert(&mut self, columns: Vec<Column>) -> Result<(InsertResult, usize)> {
        self.upsert_into(DEFAULT_PARTITION, columns)
    }

    /// [`Collection::upsert`] into the named partition; the rows it replaces may
    /// be in any partition (a primary key names one entity in the collection).
    pub fn upsert_into(
        &mut self,
        partition: &str,
        columns: Vec<Column>,
    ) -> Result<(InsertResult, usize)> {
        if self.schema.primary().auto_id {
            return Err(Error::UpsertAutoId);
        }
        let part = self.partition_position(partition)?;
        let growing_id = self.growing[part].id;
        let start = self.growing[part].num_rows();
        let inserted = self.insert_into(partition, columns)?;
        let keys: HashSet<&PrimaryKey> = inserted.ids.iter().collect();
        let pk = self.primary_field();
        let mut replaced = 0;
        for s in self.segments_mut() {
            for r in 0..s.num_rows() {
                let new = s.id == growing_id && r >= start;
                if !new && !s.deleted.contains(r) && keys.contains(&s.columns[pk].primary_key(r)) {
                    s.deleted.set(r);
                    replaced += 1;
                }
            }
        }
        Ok((inserted, replaced))
    }

    /// Milvus's `delete`: marks the live rows matching `expr` deleted; returns how
    /// many. Allowed whether or not the collection is loaded.
    pub fn delete(&mut self, expr: &str) -> Result<usize> {
        self.delete_in(None, expr)
    }

    /// [`Collection::delete`] restricted to one partition (None = all).
    pub fn delete_in(&mut self, partition: Option<&str>, expr: &str) -> Result<usize> {
        if expr.trim().is_empty() {
            return Err(Error::EmptyExpressionWithoutLimit);
        }
        let scope = self.write_scope(partition)?;
        let matching = self.matching(expr, &scope)?;
        let mut n = 0;
        for (segment, bits) in self.segments_mut().zip(matching) {
            n += bits.count();
            segment.deleted.or_with(&bits);
        }
        Ok(n)
    }
}
