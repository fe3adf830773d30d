//! `MANIFEST`: the list of committed collection files. Its rename is the store's
//! commit point, so it alone says which files hold the data.
//!
//! Format: pretty JSON, then one line `crc32 <8 hex digits>` with the CRC-32 of
//! the JSON bytes before it:
//!
//! ```text
//! {
//!   "format": 1,
//!   "generation": 12,
//!   "collections": [
//!     { "name": "docs", "file": "docs.12.annlab", "bytes": 81234, "crc32": 305419896 }
//!   ]
//! }
//! crc32 1a2b3c4d
//! ```

use serde::{Deserialize, Serialize};

/// The manifest's file name.
pub const MANIFEST: &str = "MANIFEST";
/// Bumped whenever the manifest's or the directory's layout changes.
pub const FORMAT: u32 = 1;
/// Extension of committed collection files, `<name>.<generation>.annlab`.
pub const EXTENSION: &str = "annlab";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    /// Incremented by every commit; names the files that commit wrote.
    pub generation: u64,
    /// Sorted by name.
    pub collections: Vec<Entry>,
}

/// One committed collection file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub name: String,
    pub file: String,
    /// Length of the whole file.
    pub bytes: u64,
    /// CRC-32 (IEEE) of the whole file (the file's own header also checksums its
    /// payload).
    pub crc32: u32,
}

impl Manifest {
    pub fn empty() -> Self {
        Self {
            format: FORMAT,
            generation: 0,
            collections: Vec::new(),
        }
    }

    pub fn entry(&self, name: &str) -> Option<&Entry> {
        self.collections.iter().find(|e| e.name == name)
    }

    /// Whether `file` is one this manifest references.
    pub fn references(&self, file: &str) -> bool {
        self.collections.iter().any(|e| e.file == file)
    }

    /// Replaces (or adds) `entry`'s collection, keeping the list sorted.
    pub fn upsert(&mut self, entry: Entry) {
        self.remove(&entry.name);
        self.collections.push(entry);
        self.collections.sort_by(|a, b| a.name.cmp(&b.name));
    }

    pub fn remove(&mut self, name: &str) -> Option<Entry> {
        let i = self.collections.iter().position(|e| e.name == name)?;
        Some(self.collections.remove(i))
    }

    pub fn encode(&self) -> Vec<u8> {
        let json = serde_json::to_string_pretty(self).expect("a manifest is plain data");
        let crc = crc32fast::hash(json.as_bytes());
        format!("{json}\ncrc32 {crc:08x}\n").into_bytes()
    }

    /// Parses [`Manifest::encode`]'s output; the error says what is wrong with it.
    pub fn decode(bytes: &[u8]) -> Result<Self, String> {
        let text = std::str::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_owned())?;
        let (json, trailer) = text
            .trim_end_matches('\n')
            .rsplit_once("\ncrc32 ")
            .ok_or("no 'crc32' line at its end (truncated?)")?;
        let stored = u32::from_str_radix(trailer.trim(), 16)
            .map_err(|_| format!("bad crc32 line '{trailer}'"))?;
        let computed = crc32fast::hash(json.as_bytes());
        if stored != computed {
            return Err(format!(
                "checksum mismatch: stored {stored:08x}, computed {computed:08x}"
            ));
        }
        let m: Manifest =
            serde_json::from_str(json).map_err(|e| format!("cannot parse its JSON: {e}"))?;
        if m.format != FORMAT {
            return Err(format!(
                "format {}, but this annlab reads format {FORMAT}",
                m.format
            ));
        }
        for e in &m.collections {
            if !is_plain_file_name(&e.file) {
                return Err(format!("bad file name '{}'", e.file));
            }
        }
        Ok(m)
    }
}

/// The file a commit of `generation` writes for collection `name`.
pub fn file_name(name: &str, generation: u64) -> String {
    format!("{name}.{generation}.{EXTENSION}")
}

/// A name that stays inside the data directory (no separators, not `..`).
pub fn is_plain_file_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && !name.contains(['/', '\\'])
        && !name.contains('\0')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Manifest {
        let mut m = Manifest::empty();
        m.generation = 3;
        for name in ["b", "a"] {
            m.upsert(Entry {
                name: name.into(),
                file: file_name(name, 3),
                bytes: 10,
                crc32: 0xdead_beef,
            });
        }
        m
    }

    #[test]
    fn round_trips_sorted() {
        let m = sample();
        assert_eq!(m.collections[0].name, "a");
        assert_eq!(Manifest::decode(&m.encode()).unwrap(), m);
    }

    #[test]
    fn damage_is_named() {
        let bytes = sample().encode();
        let mut flipped = bytes.clone();
        flipped[20] ^= 1;
        assert!(Manifest::decode(&flipped).unwrap_err().contains("checksum"));
        let cut = &bytes[..bytes.len() / 2];
        assert!(Manifest::decode(cut).unwrap_err().contains("truncated"));
    }
}
