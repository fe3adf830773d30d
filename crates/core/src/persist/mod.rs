//! A collection as bytes: schema, data, deletions and built indexes, so that a
//! reopened collection searches without rebuilding anything. The native crate
//! writes these bytes to disk; the engine itself does no I/O.
//!
//! Layout (little-endian):
//!
//! ```text
//! magic   8 bytes  "ANNLAB\0C"
//! version u32      FORMAT_VERSION
//! length  u64      payload bytes
//! crc32   u32      CRC-32 (IEEE) of the payload
//! payload          postcard encoding of the collection
//! ```

use crate::collection::Collection;
use crate::error::{Error, Result};

const MAGIC: &[u8; 8] = b"ANNLAB\0C";
/// Bumped whenever the payload's layout changes. Version 3: partitions (each
/// segment's partition, the partition list). Older versions are refused with a
/// message saying so: postcard is not self-describing, and annlab keeps no
/// reader per old layout.
pub const FORMAT_VERSION: u32 = 3;
const HEADER: usize = 8 + 4 + 8 + 4;

/// Encodes a collection.
pub fn to_bytes(collection: &Collection) -> Result<Vec<u8>> {
    let payload = postcard::to_stdvec(collection).map_err(|e| Error::CorruptData {
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
    postcard::from_bytes(payload).map_err(|e| corrupt(format!("cannot decode the collection: {e}")))
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use serde_json::json;

    use super::*;
    use crate::collection::SearchRequest;
    use crate::dataset::{DataSpec, TutorialData};
    use crate::index::NoProgress;
    use crate::schema::CollectionSchema;

    fn built(index_type: &str, params: serde_json::Value) -> (Collection, Vec<f32>) {
        let d = TutorialData::generate(
            DataSpec {
                n: 400,
                dim: 16,
                seed: 3,
            },
            0,
        )
        .unwrap();
        let mut c = Collection::new("docs", 1, CollectionSchema::tutorial(16), 9).unwrap();
        let p = params.as_object().unwrap().clone();
        c.create_index("embedding", "", index_type, "COSINE", &p, &mut NoProgress)
            .unwrap();
        c.insert(d.columns(0, 400)).unwrap();
        c.flush(&mut NoProgress).unwrap();
        c.delete("id in [1, 2]").unwrap();
        c.load().unwrap();
        (c, d.queries(1))
    }

    #[test]
    fn every_index_round_trips_and_searches_the_same() {
        for (t, p) in [
            ("FLAT", json!({})),
            ("HNSW", json!({"M": 8, "efConstruction": 40})),
            ("IVF_FLAT", json!({"nlist": 8})),
            ("IVF_PQ", json!({"nlist": 8, "m": 4, "nbits": 4})),
        ] {
            let (c, q) = built(t, p);
            let bytes = to_bytes(&c).unwrap();
            let back = from_bytes(&bytes).unwrap();
            assert_eq!(back.count(), 398, "{t}");
            let req = SearchRequest {
                anns_field: "embedding".into(),
                data: vec![q],
                limit: 10,
                expr: "timestamp >= 0".into(),
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
        let (c, _) = built("FLAT", json!({}));
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
        other[8] = 2;
        assert!(
            msg(&other)
                .contains("version 2, but this annlab reads version 3 (written before partitions")
        );
        assert!(msg(b"hello world, this is not a collection").contains("bad magic"));
    }
}
