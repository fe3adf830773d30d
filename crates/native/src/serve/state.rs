//! The server's state: the collections, each behind its own lock (a long search or
//! insert on one never waits for another), the data directory, the metrics, and
//! the index builds that run in the background after a flush.
//!
//! Lock order: the store, then a collection. A collection's lock is never held
//! while taking the store's.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, AtomicUsize, Ordering};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use annlab_core::collection::Collection;
use annlab_core::db::Database;
use annlab_core::index::Progress;
use annlab_core::metrics::Metrics;
use annlab_core::schema::CollectionSchema;
use annlab_core::{Error, Result as CoreResult};
use parking_lot::{Mutex, RwLock};

use super::status::Failure;
use crate::store::Store;

/// Milvus's hybrid timestamps: physical milliseconds shifted left by 18 bits.
const LOGICAL_BITS: u32 = 18;

/// One collection and what the server keeps beside it.
pub struct Entry {
    pub collection: RwLock<Collection>,
    /// Set when the collection is dropped: its background build stops.
    dropped: AtomicBool,
    /// One background build at a time per collection.
    building: Mutex<()>,
    pub created_ts: u64,
}

pub struct State {
    collections: RwLock<BTreeMap<String, Arc<Entry>>>,
    next_id: AtomicI64,
    store: Option<Mutex<Store>>,
    pub metrics: Mutex<Metrics>,
    seed: u64,
    last_ts: AtomicU64,
    shutting_down: AtomicBool,
    builds_running: AtomicUsize,
    pub started: Instant,
}

impl State {
    /// A server state holding `db`'s collections, persisted to `store` if given.
    pub fn new(db: Database, store: Option<Store>, seed: u64) -> Arc<Self> {
        let state = Arc::new(Self {
            collections: RwLock::new(BTreeMap::new()),
            next_id: AtomicI64::new(0),
            store: store.map(Mutex::new),
            metrics: Mutex::new(Metrics::default()),
            seed,
            last_ts: AtomicU64::new(0),
            shutting_down: AtomicBool::new(false),
            builds_running: AtomicUsize::new(0),
            started: Instant::now(),
        });
        let mut names = Vec::new();
        for c in db.into_collections() {
            state.next_id.fetch_max(c.id(), Ordering::SeqCst);
            names.push(c.name().to_owned());
            let entry = state.entry_for(c);
            state
                .collections
                .write()
                .insert(names.last().unwrap().clone(), entry);
        }
        // Collections stored while a build was still running get theirs now.
        for name in names {
            state.spawn_index_build(&name);
        }
        state
    }

    fn entry_for(&self, c: Collection) -> Arc<Entry> {
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

    pub fn get(&self, name: &str) -> Result<Arc<Entry>, Failure> {
        self.collections.read().get(name).cloned().ok_or_else(|| {
            Failure::from(Error::CollectionNotFound {
                name: name.to_owned(),
            })
        })
    }

    pub fn names(&self) -> Vec<(String, Arc<Entry>)> {
        self.collections
            .read()
            .iter()
            .map(|(n, e)| (n.clone(), e.clone()))
            .collect()
    }

    pub fn create(&self, name: &str, schema: CollectionSchema) -> Result<(), Failure> {
        let mut map = self.collections.write();
        if map.contains_key(name) {
            return Err(Error::CollectionAlreadyExists {
                name: name.to_owned(),
            }
            .into());
        }
        let id = self.next_id.load(Ordering::SeqCst) + 1;
        let seed = self.seed ^ (id as u64).wrapping_mul(0xA076_1D64_78BD_642F);
        let c = Collection::new(name, id, schema, seed)?;
        self.next_id.store(id, Ordering::SeqCst);
        map.insert(name.to_owned(), self.entry_for(c));
        Ok(())
    }

    /// Drops a collection (a missing one is fine, as in Milvus) and removes it
    /// from the data directory.
    pub fn drop_collection(&self, name: &str) -> Result<(), Failure> {
        let removed = self.collections.write().remove(name);
        if let Some(entry) = removed {
            entry.dropped.store(true, Ordering::SeqCst);
            self.persist(name)?;
        }
        Ok(())
    }

    /// Makes the current state of `name` durable (its removal if it is gone).
    /// Without a data directory, nothing to do.
    pub fn persist(&self, name: &str) -> Result<(), Failure> {
        let Some(store) = &self.store else {
            return Ok(());
        };
        let mut store = store.lock();
        let entry = self.collections.read().get(name).cloned();
        let guard = entry.as_ref().map(|e| e.collection.read());
        store
            .persist_collections(&[(name, guard.as_deref())])
            .map_err(|e| Failure::new(super::codes::UNEXPECTED, format!("{e:#}")))
    }

    /// Builds, in a background thread, the index of every sealed segment of
    /// `name` that lacks one, installs each as it finishes and persists.
    pub fn spawn_index_build(self: &Arc<Self>, name: &str) {
        let Ok(entry) = self.get(name) else { return };
        if entry.collection.read().index_jobs().is_empty() {
            return;
        }
        let state = self.clone();
        let name = name.to_owned();
        self.builds_running.fetch_add(1, Ordering::SeqCst);
        std::thread::spawn(move || {
            let _building = entry.building.lock();
            if let Err(e) = state.build_indexes(&name, &entry)
                && !matches!(e, Error::Cancelled { .. })
            {
                eprintln!("annlab serve: index build of '{name}' failed: {e}");
            }
            state.builds_running.fetch_sub(1, Ordering::SeqCst);
        });
    }

    fn build_indexes(&self, name: &str, entry: &Entry) -> CoreResult<()> {
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
                if let Err(f) = self.persist(name) {
                    eprintln!("annlab serve: cannot persist '{name}': {}", f.reason);
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
