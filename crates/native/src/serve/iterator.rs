//! Milvus's search iterator v2 (pymilvus 2.5's `MilvusClient.search_iterator`
//! asks for it first, and falls back to v1 when a page carries no token): the
//! search params `search_iter_v2`, `search_iter_batch_size`, `search_iter_id`
//! (the token) and `search_iter_last_bound`, read as Milvus 2.5's proxy reads
//! them (`parseSearchIteratorV2Info`); the token and the page's last score
//! answered in `search_iterator_v2_results` (`getLastBound`); and, per token,
//! the keys an iterator returned at its bound, so that a page starts exactly
//! after the rows returned before it (core's `SearchAfter`).
//!
//! A deliberate difference: Milvus 2.5's segments keep only rows strictly past
//! the bound, so a row at the same distance as a page's last hit that did not
//! fit in that page is never returned; annlab returns it on the next page
//! (unless it no longer knows the token: then it answers as Milvus).

use std::collections::{HashMap, VecDeque};

use annlab_core::collection::{SearchAfter, SearchResult};
use annlab_core::metric::Metric;
use milvus::proto::common::KeyValuePair;
use milvus::proto::schema::SearchIteratorV2Results;
use parking_lot::Mutex;

use super::codes::{PARAMETER_INVALID, UNEXPECTED};
use super::convert::kv;
use super::params::is_iterator_page;
use super::status::Failure;

/// Milvus's `quotaAndLimits.limits.topK`: the largest batch.
const MAX_BATCH: i64 = 16_384;
/// Iterators whose bound the server keeps (the oldest is forgotten first).
const KEPT: usize = 4096;

/// A page of a search iterator v2, as its request asks for it.
#[derive(Debug, Clone, PartialEq)]
pub struct PageRequest {
    /// The request's token, or a new one.
    pub token: String,
    pub batch_size: usize,
    /// The score of the previous page's last hit; None on the first page.
    pub last_bound: Option<f32>,
}

/// The search iterator v2 a Search request's params ask for, if any. `offset`
/// and `group_by` are the request's; `new_token` makes a token when it has
/// none. Milvus's checks, in its order, with its words.
pub fn page_request(
    pairs: &[KeyValuePair],
    group_by: bool,
    offset: usize,
    new_token: impl FnOnce() -> String,
) -> Result<Option<PageRequest>, Failure> {
    let v2 = kv(pairs, "search_iter_v2").is_some_and(|v| parse_bool(v) == Some(true));
    if !v2 {
        return Ok(None);
    }
    let failed = |reason: String| {
        Failure::new(
            UNEXPECTED,
            format!("parse iterator v2 info failed: {reason}"),
        )
    };
    // merr.WrapErrParameterInvalid("", "", reason), wrapped by the proxy.
    let invalid = |reason: &str| {
        Failure::new(
            PARAMETER_INVALID,
            format!(
                "parse iterator v2 info failed: {reason}: invalid parameter[expected=][actual=]"
            ),
        )
    };
    if !is_iterator_page(pairs) {
        return Err(failed(
            "both iterator and search_iter_v2 must be set in the SDK".into(),
        ));
    }
    if group_by {
        return Err(invalid(
            "GroupBy is not permitted when using a search iterator",
        ));
    }
    if offset > 0 {
        return Err(invalid(
            "Setting an offset is not permitted when using a search iterator v2",
        ));
    }
    let token = match kv(pairs, "search_iter_id").unwrap_or("") {
        "" => new_token(),
        t if is_uuid(t) => t.to_owned(),
        _ => return Err(failed("invalid token format".into())),
    };
    let batch = kv(pairs, "search_iter_batch_size").unwrap_or("");
    if batch.is_empty() {
        return Err(failed("batch size is required".into()));
    }
    let batch_size: i64 = batch.parse().map_err(|_| {
        failed(format!(
            "batch size is invalid, strconv.ParseInt: parsing {batch:?}: invalid syntax"
        ))
    })?;
    if !(1..=MAX_BATCH).contains(&batch_size) {
        return Err(failed(format!(
            "batch size is invalid, it should be in range [1, {MAX_BATCH}], but got {batch_size}"
        )));
    }
    let last_bound = match kv(pairs, "search_iter_last_bound").unwrap_or("") {
        "" => None,
        b => Some(b.trim().parse::<f32>().map_err(|_| {
            failed(format!(
                "failed to parse input last bound, strconv.ParseFloat: parsing {b:?}: invalid syntax"
            ))
        })?),
    };
    Ok(Some(PageRequest {
        token,
        batch_size: batch_size as usize,
        last_bound,
    }))
}

/// Go's `strconv.ParseBool`.
fn parse_bool(v: &str) -> Option<bool> {
    match v {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// Whether `t` is a UUID in one of the forms Go's `uuid.Parse` reads:
/// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, with `urn:uuid:` before it or in
/// braces, or 32 hex digits.
fn is_uuid(t: &str) -> bool {
    let hex = |s: &str| s.bytes().all(|b| b.is_ascii_hexdigit());
    let dashed = |s: &str| {
        let b = s.as_bytes();
        s.len() == 36 && [8, 13, 18, 23].iter().all(|&i| b[i] == b'-') && hex(&s.replace('-', ""))
    };
    match t.len() {
        32 => hex(t),
        36 => dashed(t),
        38 => t.starts_with('{') && t.ends_with('}') && dashed(&t[1..37]),
        45 => {
            t.get(..9)
                .is_some_and(|p| p.eq_ignore_ascii_case("urn:uuid:"))
                && dashed(&t[9..])
        }
        _ => false,
    }
}

/// A token in a UUID's form, from a number the server never gives twice (its
/// hybrid timestamps).
pub fn token_from(unique: u64) -> String {
    format!(
        "{:08x}-{:04x}-4000-8000-{:012x}",
        unique >> 32,
        (unique >> 16) & 0xffff,
        unique & 0xffff
    )
}

/// The bounds of the iterators the server knows, by token.
#[derive(Default)]
pub struct Bounds {
    kept: Mutex<(HashMap<String, SearchAfter>, VecDeque<String>)>,
}

impl Bounds {
    /// Where `page` starts: after the keys returned at its bound when the
    /// server kept them for its token at that same bound, else strictly past
    /// the bound (Milvus's rule); None on the first page.
    pub fn after(&self, page: &PageRequest) -> Option<SearchAfter> {
        let last_bound = page.last_bound?;
        let kept = self.kept.lock();
        match kept.0.get(&page.token) {
            Some(a) if a.last_bound == last_bound => Some(a.clone()),
            _ => Some(SearchAfter {
                last_bound,
                returned_at_bound: None,
            }),
        }
    }

    /// Records where the page after `result` starts, for `page`'s token, and
    /// answers the page's `search_iterator_v2_results`: the token and the last
    /// hit's score (with no hit, the bound it was given, or on the first page
    /// the farthest score of `metric`, as Milvus's `getLastBound`).
    pub fn record(
        &self,
        page: &PageRequest,
        after: Option<&SearchAfter>,
        result: &SearchResult,
        metric: Metric,
    ) -> SearchIteratorV2Results {
        let next = SearchAfter::after_page(after, result);
        let last_bound = match &next {
            Some(n) => n.last_bound,
            None => page.last_bound.unwrap_or(if metric.higher_is_closer() {
                f32::MAX
            } else {
                -f32::MAX
            }),
        };
        if let Some(next) = next {
            let mut kept = self.kept.lock();
            let (map, order) = &mut *kept;
            if map.insert(page.token.clone(), next).is_none() {
                order.push_back(page.token.clone());
                if order.len() > KEPT
                    && let Some(oldest) = order.pop_front()
                {
                    map.remove(&oldest);
                }
            }
        }
        SearchIteratorV2Results {
            token: page.token.clone(),
            last_bound,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::serve::convert::pair;

    fn read(
        pairs: &[(&str, &str)],
        group_by: bool,
        offset: usize,
    ) -> Result<Option<PageRequest>, Failure> {
        let pairs: Vec<KeyValuePair> = pairs.iter().map(|(k, v)| pair(k, v)).collect();
        page_request(&pairs, group_by, offset, || token_from(7))
    }

    #[test]
    fn params_are_read_as_milvus_reads_them() {
        let v2 = [
            ("iterator", "True"),
            ("search_iter_v2", "True"),
            ("search_iter_batch_size", "1000"),
        ];
        let first = read(&v2, false, 0).unwrap().unwrap();
        assert_eq!(first.token, "00000000-0000-4000-8000-000000000007");
        assert!(is_uuid(&first.token));
        assert_eq!((first.batch_size, first.last_bound), (1000, None));
        let mut next = v2.to_vec();
        let token = "6c4a7a53-6d8f-4b9e-9c55-3a0a5c1f2b10";
        next.extend([
            ("search_iter_id", token),
            ("search_iter_last_bound", "0.4321"),
        ]);
        let p = read(&next, false, 0).unwrap().unwrap();
        assert_eq!((p.token.as_str(), p.last_bound), (token, Some(0.4321)));
        assert_eq!(
            read(&v2[..1], false, 0).unwrap(),
            None,
            "v1 pages are not v2"
        );
        let err = |pairs: &[(&str, &str)], group_by, offset| {
            read(pairs, group_by, offset).unwrap_err().reason
        };
        assert_eq!(
            err(&v2[1..], false, 0),
            "parse iterator v2 info failed: both iterator and search_iter_v2 must be set in the SDK"
        );
        assert_eq!(
            err(&v2, false, 3),
            "parse iterator v2 info failed: Setting an offset is not permitted when using a search \
             iterator v2: invalid parameter[expected=][actual=]"
        );
        assert_eq!(read(&v2, false, 3).unwrap_err().code, PARAMETER_INVALID);
        assert_eq!(
            err(&[("iterator", "true"), ("search_iter_v2", "1")], false, 0),
            "parse iterator v2 info failed: batch size is required"
        );
        assert_eq!(
            err(
                &[
                    ("iterator", "true"),
                    ("search_iter_v2", "1"),
                    ("search_iter_batch_size", "0")
                ],
                false,
                0
            ),
            "parse iterator v2 info failed: batch size is invalid, it should be in range [1, 16384], but got 0"
        );
        let mut bad = v2.to_vec();
        bad.push(("search_iter_id", "not-a-token"));
        assert_eq!(
            err(&bad, false, 0),
            "parse iterator v2 info failed: invalid token format"
        );
        assert!(is_uuid("{6c4a7a53-6d8f-4b9e-9c55-3a0a5c1f2b10}"));
        assert!(is_uuid("urn:uuid:6c4a7a53-6d8f-4b9e-9c55-3a0a5c1f2b10"));
        assert!(is_uuid("6c4a7a536d8f4b9e9c553a0a5c1f2b10"));
        assert!(!is_uuid("6c4a7a53-6d8f-4b9e-9c55-3a0a5c1f2b1g"));
    }
}
