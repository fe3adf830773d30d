//! `MANIFEST`: the list of committed collection files, and the server's
//! catalogue (databases and aliases). Its rename is the store's commit point, so
//! it alone says which files hold the data and which names exist.
//!
//! Format: pretty JSON, then one line `crc32 <8 hex digits>` with the CRC-32 of
//! the JSON bytes before it:
//!
//! ```text
//! {
//!   "format": 2,
//!   "generation": 12,
//!   "collections": [
//!     { "name": "docs", "file": "docs.12.annlab", "bytes": 81234, "crc32": 305419896 },
//!     { "database": "shop", "name": "items", "file": "shop-items.9.annlab", … }
//!   ],
//!   "databases": [ { "name": "shop", "id": 2, "created_ts": …, "properties": [] } ],
//!   "aliases": [ { "database": "default", "alias": "live", "collection": "docs" } ]
//! }
//! crc32 1a2b3c4d
//! ```

use serde::{Deserialize, Serialize};

/// The manifest's file name.
pub const MANIFEST: &str = "MANIFEST";
/// Bumped whenever the manifest's or the directory's layout changes. Format 2:
/// collections per database, the databases and the aliases. A format-1
/// manifest (every collection in `default`, no catalogue) is read as such.
pub const FORMAT: u32 = 2;
/// The oldest format this annlab reads.
const OLDEST_FORMAT: u32 = 1;
/// The database of collections listed without one.
pub const DEFAULT_DATABASE: &str = annlab_core::db::DEFAULT_DATABASE;
/// Extension of committed collection files, `<name>.<generation>.annlab`.
pub const EXTENSION: &str = "annlab";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    /// Incremented by every commit; names the files that commit wrote.
    pub generation: u64,
    /// Sorted by database, then name.
    pub collections: Vec<Entry>,
    /// The databases besides `default` (which always exists), by name.
    #[serde(default)]
    pub databases: Vec<DatabaseEntry>,
    /// Sorted by database, then alias.
    #[serde(default)]
    pub aliases: Vec<AliasEntry>,
}

/// A database other than `default`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatabaseEntry {
    pub name: String,
    pub id: i64,
    pub created_ts: u64,
    pub properties: Vec<(String, String)>,
}

/// An alias of a collection of the same database.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct AliasEntry {
    pub database: String,
    pub alias: String,
    pub collection: String,
}

fn default_database() -> String {
    DEFAULT_DATABASE.to_owned()
}

fn is_default_database(db: &str) -> bool {
    db == DEFAULT_DATABASE
}

/// One committed collection file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    #[serde(
        default = "default_database",
        skip_serializing_if = "is_default_database"
    )]
    pub database: String,
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
            databases: Vec::new(),
            aliases: Vec::new(),
        }
    }

    /// Collection `name` of database `database`.
    pub fn entry(&self, database: &str, name: &str) -> Option<&Entry> {
        self.collections
            .iter()
            .find(|e| e.database == database && e.name == name)
    }

    /// Whether `file` is one this manifest references.
    pub fn references(&self, file: &str) -> bool {
        self.collections.iter().any(|e| e.file == file)
    }

    /// Replaces (or adds) `entry`'s collection, keeping the list sorted.
    pub fn upsert(&mut self, entry: Entry) {
        self.remove(&entry.database, &entry.name);
        self.collections.push(entry);
        self.collections
            .sort_by(|a, b| (&a.database, &a.name).cmp(&(&b.database, &b.name)));
    }

    pub fn remove(&mut self, database: &str, name: &str) -> Option<Entry> {
        let i = self
            .collections
            .iter()
            .position(|e| e.database == database && e.name == name)?;
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
        let mut m: Manifest =
            serde_json::from_str(json).map_err(|e| format!("cannot parse its JSON: {e}"))?;
        if !(OLDEST_FORMAT..=FORMAT).contains(&m.format) {
            return Err(format!(
                "format {}, but this annlab reads formats {OLDEST_FORMAT} to {FORMAT} (written by a newer annlab?)",
                m.format
            ));
        }
        // Format 1 is format 2 without databases and aliases; the next commit
        // writes format 2.
        m.format = FORMAT;
        for e in &m.collections {
            if !is_plain_file_name(&e.file) {
                return Err(format!("bad file name '{}'", e.file));
            }
        }
        Ok(m)
    }
}

/// The file a commit of `generation` writes for collection `name` of
/// `database` (names hold neither `-` nor `.`, so the file names differ).
pub fn file_name(database: &str, name: &str, generation: u64) -> String {
    if is_default_database(database) {
        format!("{name}.{generation}.{EXTENSION}")
    } else {
        format!("{database}-{name}.{generation}.{EXTENSION}")
    }
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
                database: DEFAULT_DATABASE.into(),
                name: name.into(),
                file: file_name(DEFAULT_DATABASE, name, 3),
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
    fn format_1_is_read_and_the_catalogue_round_trips() {
        let v1 = r#"{"format": 1, "generation": 2, "collections": [{"name": "a", "file": "a.2.annlab", "bytes": 1, "crc32": 2}]}"#;
        let crc = crc32fast::hash(v1.as_bytes());
        let m = Manifest::decode(format!("{v1}\ncrc32 {crc:08x}\n").as_bytes()).unwrap();
        assert_eq!(m.format, FORMAT);
        assert_eq!(m.collections[0].database, DEFAULT_DATABASE);
        let mut m = sample();
        m.databases.push(DatabaseEntry {
            name: "shop".into(),
            id: 2,
            created_ts: 5,
            properties: vec![("k".into(), "v".into())],
        });
        m.aliases.push(AliasEntry {
            database: "shop".into(),
            alias: "live".into(),
            collection: "items".into(),
        });
        m.upsert(Entry {
            database: "shop".into(),
            name: "items".into(),
            file: file_name("shop", "items", 3),
            bytes: 1,
            crc32: 1,
        });
        assert_eq!(m.collections[2].file, "shop-items.3.annlab");
        assert_eq!(Manifest::decode(&m.encode()).unwrap(), m);
        let mut future = m.clone();
        future.format = FORMAT + 1;
        assert!(
            Manifest::decode(&future.encode())
                .unwrap_err()
                .contains("newer annlab")
        );
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
