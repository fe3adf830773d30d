//! Durable storage of a [`Database`] in a data directory (`--data-dir`).
//!
//! # Layout
//!
//! ```text
//! DIR/
//!   LOCK                   advisory lock: one annlab process per directory
//!   MANIFEST               the committed state (see `manifest.rs`): format,
//!                          generation, per collection its database, file,
//!                          length, CRC-32; the databases and the aliases
//!   docs.12.annlab         one collection, as `annlab_core::persist::to_bytes`
//!   shop-items.9.annlab    (collection `items` of database `shop`; its persisted form: schema, partitions, index
//!                          definition, sealed segments with their columns,
//!                          deletions and built indexes; its header has its
//!                          own CRC-32)
//!   *.tmp                  only while a write is in flight, or after a crash
//! ```
//!
//! # Commit protocol ([`Store::persist`])
//!
//! 1. Each changed collection is encoded and written as
//!    `<name>.<generation+1>.annlab`: temp file, fsync, rename.
//! 2. fsync the directory: the renamed files are durable.
//! 3. `MANIFEST` is written the same way (temp, fsync, rename) listing the new
//!    files, then the directory is fsynced. **The manifest's rename is the commit
//!    point**: before it the old manifest and its (untouched) files are the state;
//!    after it, the new ones.
//! 4. The superseded files are deleted.
//!
//! A crash at any step therefore leaves the last committed manifest and every file
//! it names intact; what it may leave besides (temp files, files of an uncommitted
//! generation, superseded files) is referenced by no manifest, and the next
//! [`Store::open`] deletes it. A new directory gets an empty manifest before
//! anything else is written, so "collection files but no manifest" only happens
//! when someone deleted the manifest, and opening then fails instead of guessing.
//! Every file is checked against the manifest's length and CRC-32 (and then its own
//! header checksum) when it is read; a mismatch is an error naming the file.
//!
//! # What is durable
//!
//! A collection's persisted form is written whole at each persist, and callers
//! persist right after `flush`. Flush seals the growing segments, so rows inserted
//! before a flush are part of it. The form holds sealed segments only: rows
//! inserted after the last completed flush live only in memory and are gone after
//! any restart, clean or not, as in Milvus without its message queue (no persist,
//! whenever it happens, writes them). Load state is not stored either: a reopened
//! collection is released, as in Milvus after a restart. Indexes are stored built,
//! so reopening loads them without rebuilding. Writing the whole collection costs
//! O(collection size) per flush: simple, and fine for the tutorial's sizes;
//! per-segment files would make it O(new rows).

mod cli;
mod durable;
mod info;
mod ingest;
pub mod manifest;
#[cfg(test)]
mod tests;

use std::fs::{self, File};
use std::path::{Path, PathBuf};

use annlab_core::collection::Collection;
use annlab_core::db::Database;
use annlab_core::persist;
use anyhow::{Context, Result, bail};

use durable::{LOCK, TMP_SUFFIX};
use manifest::{AliasEntry, DatabaseEntry, EXTENSION, Entry, MANIFEST, Manifest};

/// The server's catalogue as stored in the manifest: databases besides
/// `default`, and aliases.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Catalogue {
    pub databases: Vec<DatabaseEntry>,
    pub aliases: Vec<AliasEntry>,
}

pub use cli::{DbCommand, run};

/// An open data directory. Holds its lock until dropped.
pub struct Store {
    dir: PathBuf,
    manifest: Manifest,
    _lock: File,
}

impl Store {
    /// Opens (creating it if needed) the data directory and reads every committed
    /// collection into a database.
    pub fn open(dir: &Path) -> Result<(Store, Database)> {
        let store = Self::open_manifest(dir)?;
        let db = store.load()?;
        Ok((store, db))
    }

    /// Opens the directory and reads its manifest, without reading any collection
    /// (enough to drop one whose file is damaged). Removes what a crash left.
    pub fn open_manifest(dir: &Path) -> Result<Store> {
        fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the data directory {}", dir.display()))?;
        let lock = durable::lock(dir)?;
        let listing = Listing::read(dir)?;
        let manifest_path = dir.join(MANIFEST);
        let manifest = if listing.has_manifest {
            let bytes = fs::read(&manifest_path)
                .with_context(|| format!("cannot read {}", manifest_path.display()))?;
            Manifest::decode(&bytes).map_err(|reason| {
                anyhow::anyhow!(
                    "{} is damaged ({reason}): restore it from a backup",
                    manifest_path.display()
                )
            })?
        } else if let Some(file) = listing.collection_files.first() {
            bail!(
                "{} holds collection files ({file}, …) but no {MANIFEST}: restore {MANIFEST} from a backup, or move the *.{EXTENSION} files elsewhere to start an empty store",
                dir.display()
            );
        } else {
            let m = Manifest::empty();
            durable::replace(dir, MANIFEST, &m.encode())?;
            durable::sync_dir(dir)?;
            m
        };
        let store = Store {
            dir: dir.to_owned(),
            manifest,
            _lock: lock,
        };
        store.remove_strays(&listing);
        Ok(store)
    }

    /// Reads the collections of database `default` (what `annlab db` and the
    /// CLI's `--data-dir` work on), checking lengths and checksums.
    pub fn load(&self) -> Result<Database> {
        let mut db = Database::new();
        for (database, collection) in self.load_all()? {
            if database == manifest::DEFAULT_DATABASE {
                let name = collection.name().to_owned();
                db.insert_collection(collection)
                    .with_context(|| format!("{MANIFEST} lists '{name}' twice"))?;
            }
        }
        Ok(db)
    }

    /// Reads every collection the manifest lists, with its database, checking
    /// lengths and checksums.
    pub fn load_all(&self) -> Result<Vec<(String, Collection)>> {
        let mut all = Vec::new();
        for e in &self.manifest.collections {
            let path = self.dir.join(&e.file);
            let bytes = fs::read(&path).with_context(|| {
                format!(
                    "cannot read {} (collection '{}', listed in {MANIFEST})",
                    path.display(),
                    e.name
                )
            })?;
            let damaged = |reason: String| {
                anyhow::anyhow!(
                    "{} is damaged ({reason}): restore it from a backup, or discard collection '{}' with `annlab db drop --data-dir {} --collection {}`",
                    path.display(),
                    e.name,
                    self.dir.display(),
                    e.name
                )
            };
            if bytes.len() as u64 != e.bytes {
                return Err(damaged(format!(
                    "{} bytes, {MANIFEST} says {}",
                    bytes.len(),
                    e.bytes
                )));
            }
            let crc = crc32fast::hash(&bytes);
            if crc != e.crc32 {
                return Err(damaged(format!(
                    "checksum mismatch: {MANIFEST} says {:08x}, computed {crc:08x}",
                    e.crc32
                )));
            }
            let collection = persist::from_bytes(&bytes).map_err(|err| match err {
                annlab_core::Error::UnsupportedFormat { .. } => anyhow::anyhow!(
                    "{} cannot be read by this annlab: {err}; discard collection '{}' with \
                     `annlab db drop --data-dir {} --collection {}`",
                    path.display(),
                    e.name,
                    self.dir.display(),
                    e.name
                ),
                other => damaged(other.to_string()),
            })?;
            if collection.name() != e.name {
                return Err(damaged(format!(
                    "it holds collection '{}'",
                    collection.name()
                )));
            }
            all.push((e.database.clone(), collection));
        }
        Ok(all)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The committed catalogue (databases and aliases).
    pub fn catalogue(&self) -> Catalogue {
        Catalogue {
            databases: self.manifest.databases.clone(),
            aliases: self.manifest.aliases.clone(),
        }
    }

    /// The committed state.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Makes the current state of collections `names` durable: each one present in
    /// `db` is written; each one absent is removed from the store (a drop). One
    /// commit for all of them (see the module docs).
    pub fn persist(&mut self, db: &Database, names: &[&str]) -> Result<()> {
        let mut items = Vec::with_capacity(names.len());
        for &name in names {
            items.push((name, db.collection(name).ok()));
        }
        self.persist_collections(&items)
    }

    /// Like [`Store::persist`], for collections held outside a [`Database`] (the
    /// server locks each on its own): `Some` is written, `None` removed.
    pub fn persist_collections(&mut self, items: &[(&str, Option<&Collection>)]) -> Result<()> {
        let items: Vec<_> = items
            .iter()
            .map(|&(name, c)| (manifest::DEFAULT_DATABASE, name, c))
            .collect();
        self.commit(&items, None)
    }

    /// One commit (see the module docs): each `(database, name, collection)` of
    /// `items` written (`Some`) or removed (`None`), and, if given, the catalogue
    /// (databases and aliases) replaced, all at the manifest's rename.
    pub fn commit(
        &mut self,
        items: &[(&str, &str, Option<&Collection>)],
        catalogue: Option<Catalogue>,
    ) -> Result<()> {
        let generation = self.manifest.generation + 1;
        let mut next = self.manifest.clone();
        next.generation = generation;
        if let Some(c) = catalogue {
            next.databases = c.databases;
            next.aliases = c.aliases;
        }
        let mut written = Vec::new();
        let result = (|| -> Result<()> {
            for &(database, name, collection) in items {
                for n in [database, name] {
                    if !manifest::is_plain_file_name(n) || n.contains(['.', '-']) {
                        bail!("name '{n}' cannot be stored as a file name");
                    }
                }
                let Some(collection) = collection else {
                    next.remove(database, name);
                    continue;
                };
                let bytes = persist::to_bytes(collection)
                    .with_context(|| format!("cannot encode collection '{name}'"))?;
                let file = manifest::file_name(database, name, generation);
                durable::replace(&self.dir, &file, &bytes)?;
                written.push(file.clone());
                next.upsert(Entry {
                    database: database.to_owned(),
                    name: name.to_owned(),
                    file,
                    bytes: bytes.len() as u64,
                    crc32: crc32fast::hash(&bytes),
                });
            }
            durable::sync_dir(&self.dir)?;
            durable::replace(&self.dir, MANIFEST, &next.encode())?;
            durable::sync_dir(&self.dir)
        })();
        if let Err(e) = result {
            if self.manifest_on_disk_is(&next) {
                // The rename happened, only its fsync failed: the new state is the
                // one on disk now, durable or not.
                self.manifest = next;
                return Err(e).context("the store may not be durable");
            }
            // Not committed: the old manifest and its files stand; ours are strays.
            for f in &written {
                let _ = fs::remove_file(self.dir.join(f));
            }
            return Err(e).context("the store was not updated");
        }
        let old = std::mem::replace(&mut self.manifest, next);
        for e in &old.collections {
            if !self.manifest.references(&e.file) {
                // Best effort: a file left here is a stray the next open removes.
                let _ = fs::remove_file(self.dir.join(&e.file));
            }
        }
        Ok(())
    }

    /// Whether `MANIFEST` on disk currently decodes to `m`.
    fn manifest_on_disk_is(&self, m: &Manifest) -> bool {
        fs::read(self.dir.join(MANIFEST))
            .ok()
            .and_then(|b| Manifest::decode(&b).ok())
            .is_some_and(|on_disk| on_disk == *m)
    }

    /// Deletes temp files and collection files the manifest does not reference
    /// (an interrupted write, or superseded files a crash kept from deletion).
    /// Unreferenced collection files are kept when a referenced one is missing: no
    /// crash does that, so someone is moving files by hand.
    fn remove_strays(&self, listing: &Listing) {
        let intact = self
            .manifest
            .collections
            .iter()
            .all(|e| listing.collection_files.contains(&e.file));
        let strays = listing.temp_files.iter().chain(
            listing
                .collection_files
                .iter()
                .filter(|f| intact && !self.manifest.references(f)),
        );
        for f in strays {
            let _ = fs::remove_file(self.dir.join(f));
        }
    }
}

/// The store's own files in a directory, by kind; other files are left alone.
struct Listing {
    has_manifest: bool,
    collection_files: Vec<String>,
    temp_files: Vec<String>,
}

impl Listing {
    fn read(dir: &Path) -> Result<Self> {
        let mut l = Listing {
            has_manifest: false,
            collection_files: Vec::new(),
            temp_files: Vec::new(),
        };
        let entries =
            fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))?;
        for entry in entries {
            let entry = entry.with_context(|| format!("cannot list {}", dir.display()))?;
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            let collection_ext = format!(".{EXTENSION}");
            if name == MANIFEST {
                l.has_manifest = true;
            } else if name == LOCK {
            } else if let Some(base) = name.strip_suffix(TMP_SUFFIX) {
                if base == MANIFEST || base.ends_with(&collection_ext) {
                    l.temp_files.push(name);
                }
            } else if name.ends_with(&collection_ext) {
                l.collection_files.push(name);
            }
        }
        l.collection_files.sort();
        l.temp_files.sort();
        Ok(l)
    }
}
