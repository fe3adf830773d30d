//! A collection as bytes: its persisted form ([`form`]: schema, partitions, index
//! definition, sealed segments with their columns, deletions and built indexes),
//! so that a reopened collection searches without rebuilding anything. Load state
//! and growing rows are not stored: a reopened collection is released, and holds
//! the rows of its last flush. The native crate writes these bytes to disk; the
//! engine itself does no I/O.
//!
//! Layout (little-endian):
//!
//! ```text
//! magic   8 bytes  "ANNLAB\0C"
//! version u32      FORMAT_VERSION
//! length  u64      payload bytes
//! crc32   u32      CRC-32 (IEEE) of the payload
//! payload          postcard encoding of the persisted form
//! ```

pub mod form;

use crate::collection::Collection;
use crate::error::{Error, Result};
use form::StoredCollection;

const MAGIC: &[u8; 8] = b"ANNLAB\0C";
/// Bumped whenever the payload's layout changes. Version 4: the explicit
/// persisted form ([`form`]; versions up to 3 stored the in-memory collection,
/// load state and growing rows included). Version 5: the collection's
/// properties (AlterCollection). Version 6: an index definition per vector
/// field and a built index per vector field in each segment.
/// Version 7: dynamic fields (the schema's `enable_dynamic_field`, a field's
/// `is_dynamic`), the Int8, Int16, JSON and Array types (JSON and arrays as
/// text), AUTOINDEX in the index definition. Version 8: scalar index
/// definitions and their builds per segment, AlterIndex's properties. Older versions are refused with a
/// message saying so: postcard is not self-describing, and annlab keeps no
/// reader per old layout.
pub const FORMAT_VERSION: u32 = 8;
const HEADER: usize = 8 + 4 + 8 + 4;

/// Encodes a collection.
pub fn to_bytes(collection: &Collection) -> Result<Vec<u8>> {
    let payload =
        postcard::to_stdvec(&collection.persisted_form()).map_err(|e| Error::CorruptData {
            reason: format!("cannot encode the collection: {e}"),
        })?;
    let mut out = Vec::with_capacity(HEADER + payload.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
    out.extend_from_slice(&payload);
    Ok(out)
}

/// Decodes bytes made by [`to_bytes`], checking magic, version, length and
/// checksum first.
pub fn from_bytes(bytes: &[u8]) -> Result<Collection> {
    let corrupt = |reason: String| Error::CorruptData { reason };
    if bytes.len() < HEADER {
        return Err(corrupt(format!(
            "{} bytes is shorter than the {HEADER}-byte header",
            bytes.len()
        )));
    }
    if &bytes[..8] != MAGIC {
        return Err(corrupt("not an annlab collection (bad magic bytes)".into()));
    }
    let version = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
    if version != FORMAT_VERSION {
        return Err(Error::UnsupportedFormat {
            version,
            supported: FORMAT_VERSION,
        });
    }
    let length = u64::from_le_bytes(bytes[12..20].try_into().expect("8 bytes")) as usize;
    let crc = u32::from_le_bytes(bytes[20..24].try_into().expect("4 bytes"));
    let payload = &bytes[HEADER..];
    if payload.len() != length {
        return Err(corrupt(format!(
            "payload is {} bytes, the header says {length} (truncated or appended to)",
            payload.len()
        )));
    }
    let actual = crc32fast::hash(payload);
    if actual != crc {
        return Err(corrupt(format!(
            "checksum mismatch: stored {crc:08x}, computed {actual:08x}"
        )));
    }
    let form: StoredCollection = postcard::from_bytes(payload)
        .map_err(|e| corrupt(format!("cannot decode the collection: {e}")))?;
    Collection::from_persisted(form)
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::collection::SearchRequest;
    use crate::dataset::{DataSpec, TutorialData};
    use crate::index::NoProgress;
    use crate::index::spec::{IndexParams, IndexSpec};
    use crate::metric::Metric;
    use crate::schema::CollectionSchema;

    fn built(params: IndexParams) -> (Collection, Vec<f32>) {
        let d = TutorialData::generate(
            DataSpec {
                n: 400,
                dim: 16,
                seed: 3,
                kind: Default::default(),
            },
            0,
        )
        .unwrap();
        let mut c = Collection::new("docs", 1, CollectionSchema::tutorial(16), 9).unwrap();
        let spec = IndexSpec::new(params, Metric::Cosine);
        c.create_index("embedding", "", spec, &mut NoProgress)
            .unwrap();
        c.insert(d.columns(0, 400)).unwrap();
        c.flush(&mut NoProgress).unwrap();
        c.delete("id in [1, 2]").unwrap();
        c.load().unwrap();
        (c, d.queries(1))
    }

    #[test]
    fn every_index_round_trips_and_searches_the_same() {
        for p in [
            IndexParams::Flat,
            IndexParams::Hnsw {
                m: 8,
                ef_construction: 40,
            },
            IndexParams::IvfFlat { nlist: 8 },
            IndexParams::IvfPq {
                nlist: 8,
                m: 4,
                nbits: 4,
            },
        ] {
            let t = p.index_type().name();
            let (c, q) = built(p);
            let bytes = to_bytes(&c).unwrap();
            let mut back = from_bytes(&bytes).unwrap();
            assert_eq!(back.count(), 398, "{t}");
            assert!(!back.is_loaded(), "{t}: reopened released");
            back.load().unwrap();
            let req = SearchRequest {
                anns_field: "embedding".into(),
                data: vec![q],
                limit: 10,
                filter: "timestamp >= 0".into(),
                ..Default::default()
            };
            assert_eq!(c.search(&req).unwrap(), back.search(&req).unwrap(), "{t}");
            assert_eq!(
                to_bytes(&back).unwrap(),
                bytes,
                "{t}: re-encoding is identical"
            );
        }
    }

    #[test]
    fn damage_is_detected() {
        let (c, _) = built(IndexParams::Flat);
        let bytes = to_bytes(&c).unwrap();
        let msg = |b: &[u8]| from_bytes(b).unwrap_err().to_string();
        assert!(msg(&bytes[..10]).contains("shorter than the 24-byte header"));
        assert!(msg(&bytes[..bytes.len() - 1]).contains("truncated"));
        let mut flipped = bytes.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 1;
        assert!(msg(&flipped).contains("checksum mismatch"));
        let mut other = bytes.clone();
        other[8] = 99;
        assert!(msg(&other).contains("format version 99"));
        other[8] = 3;
        assert!(
            msg(&other)
                .contains("version 3, but this annlab reads version 8 (written by an older annlab")
        );
        assert!(msg(b"hello world, this is not a collection").contains("bad magic"));
    }

    #[test]
    fn load_state_and_growing_rows_are_not_stored() {
        let (mut c, _) = built(IndexParams::Hnsw {
            m: 8,
            ef_construction: 40,
        });
        let flushed = to_bytes(&c).unwrap();
        c.release();
        assert_eq!(to_bytes(&c).unwrap(), flushed, "load state is not stored");

        let d = TutorialData::generate(
            DataSpec {
                n: 10,
                dim: 16,
                seed: 4,
                kind: Default::default(),
            },
            0,
        )
        .unwrap();
        let lost = c.insert(d.columns(0, 10)).unwrap().ids;
        assert_eq!(c.growing_rows(), 10);
        let mut back = from_bytes(&to_bytes(&c).unwrap()).unwrap();
        assert_eq!((back.growing_rows(), back.num_entities()), (0, 400));
        assert_eq!(back.growing_segments().len(), 1, "one per partition");
        assert_eq!(back.growing_segments()[0].id, c.growing_segments()[0].id);
        // Ids handed out before the restart are not handed out again.
        let again = back.insert(d.columns(0, 10)).unwrap().ids;
        assert!(again.iter().all(|id| !lost.contains(id)), "{again:?}");
        back.flush(&mut NoProgress).unwrap();
        back.load().unwrap();
        assert_eq!(back.count(), 408);
        let ids: Vec<i64> = back.sealed_segments().iter().map(|s| s.id).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    }

    #[test]
    fn an_inconsistent_form_is_corrupt_data() {
        let (c, _) = built(IndexParams::Flat);
        let mut form = c.persisted_form();
        form.segments[0].partition = 12345;
        let payload = postcard::to_stdvec(&form).unwrap();
        let stored: StoredCollection = postcard::from_bytes(&payload).unwrap();
        let err = Collection::from_persisted(stored).unwrap_err().to_string();
        assert!(err.contains("partition 12345 does not exist"), "{err}");

        let mut form = c.persisted_form();
        form.indexes.clear();
        let payload = postcard::to_stdvec(&form).unwrap();
        let stored: StoredCollection = postcard::from_bytes(&payload).unwrap();
        let err = Collection::from_persisted(stored).unwrap_err().to_string();
        assert!(
            err.contains("an index without an index definition"),
            "{err}"
        );
    }
}
