//! A call's view of the server: the database it names (`db_name` in the request,
//! else pymilvus's `dbname` metadata header, else `default`). Collection names
//! are looked up in that database, an alias standing for its collection wherever
//! a collection name is accepted.

use std::ops::Deref;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use annlab_core::Error;
use annlab_core::collection::Collection;
use annlab_core::schema::CollectionSchema;

use super::state::{Entry, State};
use super::status::Failure;

pub struct Scope {
    pub state: Arc<State>,
    pub db: String,
    /// Whether the call named its database (FlushAll without one flushes all).
    pub named: bool,
}

impl Deref for Scope {
    type Target = Arc<State>;

    fn deref(&self) -> &Arc<State> {
        &self.state
    }
}

impl Scope {
    pub fn not_found(&self, name: &str) -> Failure {
        Error::CollectionNotFound {
            database: self.db.clone(),
            name: name.to_owned(),
        }
        .into()
    }

    /// The collection `name` (or the one alias `name` stands for) and its name.
    pub fn resolve(&self, name: &str) -> Result<(String, Arc<Entry>), Failure> {
        self.with_db(&self.db, |d| {
            d.resolve_name(name).ok_or_else(|| self.not_found(name))
        })
    }

    pub fn get(&self, name: &str) -> Result<Arc<Entry>, Failure> {
        self.resolve(name).map(|(_, e)| e)
    }

    /// The database's collections, by name.
    pub fn names(&self) -> Result<Vec<(String, Arc<Entry>)>, Failure> {
        self.with_db(&self.db, |d| {
            Ok(d.collections
                .iter()
                .map(|(n, e)| (n.clone(), e.clone()))
                .collect())
        })
    }

    /// Creates a collection; Milvus refuses a name taken by a collection or an
    /// alias of the database.
    pub fn create(&self, name: &str, schema: CollectionSchema) -> Result<(), Failure> {
        let db = self.db.clone();
        self.change(|dbs| {
            let d = dbs
                .get_mut(&db)
                .ok_or_else(|| Failure::from(Error::DatabaseNotFound { name: db.clone() }))?;
            if d.collections.contains_key(name) {
                return Err(Error::CollectionAlreadyExists {
                    name: name.to_owned(),
                }
                .into());
            }
            if d.aliases.contains_key(name) {
                return Err(Error::CollectionNameIsAlias {
                    name: name.to_owned(),
                }
                .into());
            }
            let c = self.new_collection(name, schema)?;
            d.collections.insert(name.to_owned(), c);
            Ok(((), vec![(db.clone(), name.to_owned())]))
        })
    }

    fn new_collection(&self, name: &str, schema: CollectionSchema) -> Result<Arc<Entry>, Failure> {
        self.state.new_entry(name, schema)
    }

    /// Drops a collection (a missing one is fine, as in Milvus) and removes it
    /// from the data directory. Milvus refuses to drop one that has aliases,
    /// and (2.5) to drop one through an alias.
    pub fn drop_collection(&self, name: &str) -> Result<(), Failure> {
        let db = self.db.clone();
        self.change(|dbs| {
            let Some(d) = dbs.get_mut(&db) else {
                return Ok(((), Vec::new()));
            };
            if d.aliases.contains_key(name) {
                return Err(Error::DropCollectionByAlias {
                    alias: name.to_owned(),
                }
                .into());
            }
            if !d.collections.contains_key(name) {
                return Ok(((), Vec::new()));
            }
            let aliases = d.aliases_of(name);
            if !aliases.is_empty() {
                return Err(Error::CollectionHasAliases {
                    name: name.to_owned(),
                    aliases,
                }
                .into());
            }
            let entry = d.collections.remove(name).expect("checked");
            entry.dropped.store(true, Ordering::SeqCst);
            Ok(((), vec![(db.clone(), name.to_owned())]))
        })
    }

    /// Makes the current state of collection `name` durable.
    pub fn persist(&self, name: &str) -> Result<(), Failure> {
        let entry = self.get(name)?;
        self.persist_entry(&entry)
    }

    /// Builds the missing indexes of collection `name` in the background.
    pub fn spawn_index_build(&self, name: &str) {
        if let Ok((real, entry)) = self.resolve(name) {
            self.state.spawn_index_build(entry, real);
        }
    }
}

impl State {
    /// A new collection's entry, with the next id.
    pub fn new_entry(&self, name: &str, schema: CollectionSchema) -> Result<Arc<Entry>, Failure> {
        let id = self.allocate_collection_id();
        let seed = self.seed() ^ (id as u64).wrapping_mul(0xA076_1D64_78BD_642F);
        let c = Collection::new(name, id, schema, seed)?;
        self.commit_collection_id(id);
        Ok(self.entry_for(c))
    }
}
