//! The server's state: the databases with their collections (each behind its own
//! lock: a long search or insert on one never waits for another) and aliases, the
//! data directory, the metrics, and the index builds that run in the background
//! after a flush. `scope.rs` is a call's view of one database.
//!
//! Lock order: the store, then the databases, then a collection. A collection's
//! lock is never held while taking the databases' or the store's.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, AtomicUsize, Ordering};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use annlab_core::collection::{Collection, CompactionPlan};
use annlab_core::db::DEFAULT_DATABASE;
use annlab_core::index::Progress;
use annlab_core::metrics::Metrics;
use annlab_core::{Error, Result as CoreResult};
use parking_lot::{Mutex, RwLock};

use super::iterator::Bounds;
use super::log;
use super::status::Failure;
use crate::store::manifest::{AliasEntry, DatabaseEntry};
use crate::store::{Catalogue, Store};

/// Milvus's hybrid timestamps: physical milliseconds shifted left by 18 bits.
const LOGICAL_BITS: u32 = 18;

/// One collection and what the server keeps beside it.
pub struct Entry {
    pub collection: RwLock<Collection>,
    /// Set when the collection is dropped: its background build stops.
    pub dropped: AtomicBool,
    /// One background build at a time per collection.
    building: Mutex<()>,
    pub created_ts: u64,
}

pub struct State {
    /// The databases by name; `default` always exists.
    dbs: RwLock<BTreeMap<String, Db>>,
    next_id: AtomicI64,
    next_db_id: AtomicI64,
    store: Option<Mutex<Store>>,
    pub metrics: Mutex<Metrics>,
    /// Completed compactions by id: the collection and what each merge did.
    compactions: Mutex<BTreeMap<i64, (i64, Vec<CompactionPlan>)>>,
    seed: u64,
    last_ts: AtomicU64,
    shutting_down: AtomicBool,
    builds_running: AtomicUsize,
    pub started: Instant,
    /// Where each search iterator v2's next page starts, by token.
    pub iterators: Bounds,
}

/// One database: its collections and their aliases.
pub struct Db {
    pub id: i64,
    pub created_ts: u64,
    pub properties: Vec<(String, String)>,
    pub collections: BTreeMap<String, Arc<Entry>>,
    /// Alias → the name of a collection of this database.
    pub aliases: BTreeMap<String, String>,
}

/// Milvus's limit on databases (`rootCoord.maxDatabaseNum`).
pub const MAX_DATABASES: usize = 64;
/// The id of `default`, as in Milvus.
const DEFAULT_DB_ID: i64 = 1;

impl Db {
    pub fn new(id: i64, created_ts: u64, properties: Vec<(String, String)>) -> Self {
        Self {
            id,
            created_ts,
            properties,
            collections: BTreeMap::new(),
            aliases: BTreeMap::new(),
        }
    }

    /// The aliases of collection `name`, sorted.
    pub fn aliases_of(&self, name: &str) -> Vec<String> {
        self.aliases
            .iter()
            .filter(|(_, c)| *c == name)
            .map(|(a, _)| a.clone())
            .collect()
    }

    /// The collection a name or alias means, and its name.
    pub fn resolve_name(&self, name: &str) -> Option<(String, Arc<Entry>)> {
        let real = self.aliases.get(name).map_or(name, String::as_str);
        self.collections
            .get(real)
            .map(|e| (real.to_owned(), e.clone()))
    }
}

fn db_not_found(name: &str) -> Failure {
    Error::DatabaseNotFound {
        name: name.to_owned(),
    }
    .into()
}

impl State {
    /// A server state holding `collections` (each with its database) and the
    /// `catalogue` read from the data directory, persisted to `store` if given.
    pub fn new(
        collections: Vec<(String, Collection)>,
        catalogue: Catalogue,
        store: Option<Store>,
        seed: u64,
    ) -> Arc<Self> {
        let state = Arc::new(Self {
            dbs: RwLock::new(BTreeMap::new()),
            next_id: AtomicI64::new(0),
            next_db_id: AtomicI64::new(DEFAULT_DB_ID),
            store: store.map(Mutex::new),
            metrics: Mutex::new(Metrics::default()),
            compactions: Mutex::new(BTreeMap::new()),
            seed,
            last_ts: AtomicU64::new(0),
            shutting_down: AtomicBool::new(false),
            builds_running: AtomicUsize::new(0),
            started: Instant::now(),
            iterators: Bounds::default(),
        });
        let mut entries = Vec::new();
        {
            let mut dbs = state.dbs.write();
            let now = state.timestamp();
            dbs.insert(
                DEFAULT_DATABASE.to_owned(),
                Db::new(DEFAULT_DB_ID, now, Vec::new()),
            );
            for d in catalogue.databases {
                state.next_db_id.fetch_max(d.id, Ordering::SeqCst);
                dbs.insert(d.name, Db::new(d.id, d.created_ts, d.properties));
            }
            for (db, c) in collections {
                state.next_id.fetch_max(c.id(), Ordering::SeqCst);
                let name = c.name().to_owned();
                let entry = state.entry_for(c);
                entries.push(entry.clone());
                dbs.entry(db)
                    .or_insert_with(|| Db::new(0, now, Vec::new()))
                    .collections
                    .insert(name, entry);
            }
            for a in catalogue.aliases {
                if let Some(db) = dbs.get_mut(&a.database)
                    && db.collections.contains_key(&a.collection)
                {
                    db.aliases.insert(a.alias, a.collection);
                }
            }
        }
        // Collections stored while a build was still running get theirs now.
        for entry in entries {
            state.spawn_index_build(entry, String::new());
        }
        state
    }

    /// The id the next collection gets (taken by [`State::commit_collection_id`]).
    pub fn allocate_collection_id(&self) -> i64 {
        self.next_id.load(Ordering::SeqCst) + 1
    }

    pub fn commit_collection_id(&self, id: i64) {
        self.next_id.fetch_max(id, Ordering::SeqCst);
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    pub fn entry_for(&self, c: Collection) -> Arc<Entry> {
        Arc::new(Entry {
            collection: RwLock::new(c),
            dropped: AtomicBool::new(false),
            building: Mutex::new(()),
            created_ts: self.timestamp(),
        })
    }

    /// A new hybrid timestamp, strictly increasing.
    pub fn timestamp(&self) -> u64 {
        let physical = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        let candidate = physical << LOGICAL_BITS;
        let mut last = self.last_ts.load(Ordering::SeqCst);
        loop {
            let next = candidate.max(last + 1);
            match self
                .last_ts
                .compare_exchange(last, next, Ordering::SeqCst, Ordering::SeqCst)
            {
                Ok(_) => return next,
                Err(seen) => last = seen,
            }
        }
    }

    /// Reads database `db` with `f`; a missing database is Milvus's refusal.
    pub fn with_db<T>(
        &self,
        db: &str,
        f: impl FnOnce(&Db) -> Result<T, Failure>,
    ) -> Result<T, Failure> {
        let dbs = self.dbs.read();
        f(dbs.get(db).ok_or_else(|| db_not_found(db))?)
    }

    /// Reads every database with `f`.
    pub fn with_all<T>(&self, f: impl FnOnce(&BTreeMap<String, Db>) -> T) -> T {
        f(&self.dbs.read())
    }

    /// Changes the catalogue with `f` (which sees every database), then makes it
    /// durable with the collections `f` names (`(database, name)`: written if
    /// present, removed if not).
    pub fn change<T>(
        &self,
        f: impl FnOnce(&mut BTreeMap<String, Db>) -> Result<(T, Vec<(String, String)>), Failure>,
    ) -> Result<T, Failure> {
        let store = self.store.as_ref().map(|s| s.lock());
        let (value, touched) = f(&mut self.dbs.write())?;
        if let Some(mut store) = store {
            self.commit(&mut store, &touched)?;
        }
        Ok(value)
    }

    /// One commit of the catalogue and of collections `touched`. Takes the
    /// databases' lock, then the collections' (the store's is held).
    fn commit(&self, store: &mut Store, touched: &[(String, String)]) -> Result<(), Failure> {
        let dbs = self.dbs.read();
        let mut catalogue = Catalogue::default();
        for (name, db) in dbs.iter() {
            if name != DEFAULT_DATABASE {
                catalogue.databases.push(DatabaseEntry {
                    name: name.clone(),
                    id: db.id,
                    created_ts: db.created_ts,
                    properties: db.properties.clone(),
                });
            }
            for (alias, collection) in &db.aliases {
                catalogue.aliases.push(AliasEntry {
                    database: name.clone(),
                    alias: alias.clone(),
                    collection: collection.clone(),
                });
            }
        }
        let entries: Vec<_> = touched
            .iter()
            .map(|(db, name)| {
                let e = dbs.get(db).and_then(|d| d.collections.get(name)).cloned();
                (db.as_str(), name.as_str(), e)
            })
            .collect();
        let guards: Vec<_> = entries
            .iter()
            .map(|(_, _, e)| e.as_ref().map(|e| e.collection.read()))
            .collect();
        let items: Vec<_> = entries
            .iter()
            .zip(&guards)
            .map(|((db, name, _), g)| (*db, *name, g.as_deref()))
            .collect();
        store
            .commit(&items, Some(catalogue))
            .map_err(|e| Failure::new(super::codes::UNEXPECTED, format!("{e:#}")))
    }

    /// Makes the current state of `entry`'s collection durable (nothing if it
    /// was dropped meanwhile). Without a data directory, nothing to do.
    pub fn persist_entry(&self, entry: &Arc<Entry>) -> Result<(), Failure> {
        let Some(store) = &self.store else {
            return Ok(());
        };
        let mut store = store.lock();
        let key = self.key_of(entry);
        match key {
            Some(key) => self.commit(&mut store, &[key]),
            None => Ok(()),
        }
    }

    /// The database and name `entry` is currently stored under.
    fn key_of(&self, entry: &Arc<Entry>) -> Option<(String, String)> {
        self.dbs.read().iter().find_map(|(db, d)| {
            d.collections
                .iter()
                .find(|(_, e)| Arc::ptr_eq(e, entry))
                .map(|(n, _)| (db.clone(), n.clone()))
        })
    }

    /// Every collection of every database (metrics), by name.
    pub fn all_entries(&self) -> Vec<(String, Arc<Entry>)> {
        self.dbs
            .read()
            .values()
            .flat_map(|d| d.collections.iter().map(|(n, e)| (n.clone(), e.clone())))
            .collect()
    }

    /// The collection with id `id`, in any database: its database, name and entry.
    pub fn by_id(&self, id: i64) -> Option<(String, String, Arc<Entry>)> {
        self.dbs.read().iter().find_map(|(db, d)| {
            d.collections
                .iter()
                .find(|(_, e)| e.collection.read().id() == id)
                .map(|(n, e)| (db.clone(), n.clone(), e.clone()))
        })
    }

    /// A new database id.
    pub fn next_db_id(&self) -> i64 {
        self.next_db_id.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// Records a finished compaction; its id.
    pub fn record_compaction(&self, collection: i64, plans: Vec<CompactionPlan>) -> i64 {
        let id = self.timestamp() as i64;
        self.compactions.lock().insert(id, (collection, plans));
        id
    }

    /// A compaction recorded by [`State::record_compaction`].
    pub fn compaction(&self, id: i64) -> Option<(i64, Vec<CompactionPlan>)> {
        self.compactions.lock().get(&id).cloned()
    }

    /// Builds, in a background thread, the index of every sealed segment of
    /// `entry` that lacks one, installs each as it finishes and persists.
    /// `name` labels the build's metrics.
    pub fn spawn_index_build(self: &Arc<Self>, entry: Arc<Entry>, name: String) {
        if entry.collection.read().index_jobs().is_empty() {
            return;
        }
        let state = self.clone();
        let name = if name.is_empty() {
            entry.collection.read().name().to_owned()
        } else {
            name
        };
        self.builds_running.fetch_add(1, Ordering::SeqCst);
        std::thread::spawn(move || {
            let _building = entry.building.lock();
            if let Err(e) = state.build_indexes(&name, &entry)
                && !matches!(e, Error::Cancelled { .. })
            {
                log::error(format_args!("index build of '{name}' failed: {e}"));
            }
            state.builds_running.fetch_sub(1, Ordering::SeqCst);
        });
    }

    fn build_indexes(&self, name: &str, entry: &Arc<Entry>) -> CoreResult<()> {
        loop {
            let jobs = entry.collection.read().index_jobs();
            let Some(job) = jobs.into_iter().next() else {
                return Ok(());
            };
            let t0 = Instant::now();
            let mut stop = StopFlag {
                dropped: &entry.dropped,
                shutting_down: &self.shutting_down,
            };
            let index = job.run(&mut stop)?;
            let ms = t0.elapsed().as_secs_f64() * 1e3;
            if entry.collection.write().install_index(&job, index) {
                let kind = job.spec.params.index_type().name();
                self.metrics.lock().observe_index_build(name, kind, ms);
                if let Err(f) = self.persist_entry(entry) {
                    log::error(format_args!("cannot persist '{name}': {}", f.reason));
                }
            }
        }
    }

    /// Stops background builds at their next check and waits until none writes.
    pub fn shut_down(&self) {
        self.shutting_down.store(true, Ordering::SeqCst);
        while self.builds_running.load(Ordering::SeqCst) > 0 {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
}

/// Cancels a background build when its collection is dropped or the server stops.
struct StopFlag<'a> {
    dropped: &'a AtomicBool,
    shutting_down: &'a AtomicBool,
}

impl Progress for StopFlag<'_> {
    fn report(&mut self, _done: usize, _total: usize) {}

    fn cancelled(&self) -> bool {
        self.dropped.load(Ordering::Relaxed) || self.shutting_down.load(Ordering::Relaxed)
    }

    /// Builds use every core (the graph is the same whatever the number).
    fn threads(&self) -> usize {
        crate::progress::machine_threads()
    }
}
