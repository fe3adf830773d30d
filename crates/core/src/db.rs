//! A database: the named collections of one Milvus instance.

use std::collections::BTreeMap;

use crate::collection::Collection;
use crate::error::{Error, Result};
use crate::schema::CollectionSchema;

/// The database every Milvus instance has, and the one a request without a
/// database name means.
pub const DEFAULT_DATABASE: &str = "default";

#[derive(Debug, Default)]
pub struct Database {
    collections: BTreeMap<String, Collection>,
    next_id: i64,
}

impl Database {
    pub fn new() -> Self {
        Self::default()
    }

    /// Creates a collection; `seed` drives its index builds.
    pub fn create_collection(
        &mut self,
        name: &str,
        schema: CollectionSchema,
        seed: u64,
    ) -> Result<&mut Collection> {
        if self.collections.contains_key(name) {
            return Err(Error::CollectionAlreadyExists {
                name: name.to_owned(),
            });
        }
        self.next_id += 1;
        let c = Collection::new(name, self.next_id, schema, seed)?;
        Ok(self.collections.entry(name.to_owned()).or_insert(c))
    }

    /// Adds an existing collection (one read back by `persist::from_bytes`) under
    /// its own name; later collections get ids above it.
    pub fn insert_collection(&mut self, collection: Collection) -> Result<&mut Collection> {
        let name = collection.name().to_owned();
        if self.collections.contains_key(&name) {
            return Err(Error::CollectionAlreadyExists { name });
        }
        self.next_id = self.next_id.max(collection.id());
        Ok(self.collections.entry(name).or_insert(collection))
    }

    /// Every collection, by name.
    pub fn collections(&self) -> impl Iterator<Item = &Collection> {
        self.collections.values()
    }

    /// Every collection, by name, taken out of the database (a server that locks
    /// each collection on its own).
    pub fn into_collections(self) -> Vec<Collection> {
        self.collections.into_values().collect()
    }

    pub fn has_collection(&self, name: &str) -> bool {
        self.collections.contains_key(name)
    }

    /// Drops a collection; dropping a missing one succeeds, as in Milvus.
    pub fn drop_collection(&mut self, name: &str) -> bool {
        self.collections.remove(name).is_some()
    }

    pub fn list_collections(&self) -> Vec<&str> {
        self.collections.keys().map(String::as_str).collect()
    }

    pub fn collection(&self, name: &str) -> Result<&Collection> {
        self.collections
            .get(name)
            .ok_or_else(|| Error::CollectionNotFound {
                database: crate::db::DEFAULT_DATABASE.to_owned(),
                name: name.to_owned(),
            })
    }

    pub fn collection_mut(&mut self, name: &str) -> Result<&mut Collection> {
        self.collections
            .get_mut(name)
            .ok_or_else(|| Error::CollectionNotFound {
                database: crate::db::DEFAULT_DATABASE.to_owned(),
                name: name.to_owned(),
            })
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn inserted_collections_keep_their_ids_and_new_ones_come_after() {
        let mut db = Database::new();
        let c = Collection::new("restored", 7, CollectionSchema::tutorial(8), 1).unwrap();
        db.insert_collection(c).unwrap();
        let again = Collection::new("restored", 8, CollectionSchema::tutorial(8), 1).unwrap();
        assert!(matches!(
            db.insert_collection(again),
            Err(Error::CollectionAlreadyExists { .. })
        ));
        let id = db
            .create_collection("fresh", CollectionSchema::tutorial(8), 1)
            .unwrap()
            .id();
        assert_eq!(id, 8);
        let names: Vec<&str> = db.collections().map(Collection::name).collect();
        assert_eq!(names, ["fresh", "restored"]);
        let ids: Vec<i64> = db.into_collections().iter().map(Collection::id).collect();
        assert_eq!(ids, [8, 7]);
    }
}
