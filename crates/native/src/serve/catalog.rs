//! The catalogue: aliases (CreateAlias, AlterAlias, DropAlias, DescribeAlias,
//! ListAliases), databases (CreateDatabase, DropDatabase, ListDatabases,
//! DescribeDatabase) and RenameCollection, with Milvus 2.5's rules and words
//! (its rootcoord's meta table). Every change is committed to the data
//! directory before the call answers.

use annlab_core::Error;
use annlab_core::db::DEFAULT_DATABASE;
use annlab_core::schema::validate_name;
use milvus::proto::common;
use milvus::proto::milvus::{
    AlterAliasRequest, AlterDatabaseRequest, CreateAliasRequest, CreateDatabaseRequest,
    DescribeAliasRequest, DescribeAliasResponse, DescribeDatabaseRequest, DescribeDatabaseResponse,
    DropAliasRequest, DropDatabaseRequest, ListAliasesRequest, ListAliasesResponse,
    ListDatabasesResponse, RenameCollectionRequest,
};

use super::convert::{pairs_from_proto, pairs_to_proto};
use super::scope::Scope;
use super::state::{Db, MAX_DATABASES};
use super::status::Failure;

type Res<T> = Result<T, Failure>;
type Common = common::Status;

fn db_mut<'a>(dbs: &'a mut std::collections::BTreeMap<String, Db>, name: &str) -> Res<&'a mut Db> {
    dbs.get_mut(name).ok_or_else(|| {
        Error::DatabaseNotFound {
            name: name.to_owned(),
        }
        .into()
    })
}

/// The database of a new or moved alias, once Milvus's first two checks pass:
/// the alias is no collection's name, and the collection it points to exists.
fn alias_target<'a>(
    scope: &Scope,
    dbs: &'a mut std::collections::BTreeMap<String, Db>,
    db: &str,
    alias: &str,
    collection: &str,
) -> Res<&'a mut Db> {
    let d = db_mut(dbs, db)?;
    if d.collections.contains_key(alias) {
        return Err(Error::AliasCollectionNameConflict {
            database: db.to_owned(),
            alias: alias.to_owned(),
        }
        .into());
    }
    if !d.collections.contains_key(collection) {
        return Err(scope.not_found(collection));
    }
    Ok(d)
}

/// Milvus's checks of an alias against its database: not a collection's name,
/// and (for a new alias) not an alias of another collection.
pub fn create_alias(scope: &Scope, req: CreateAliasRequest) -> Res<Common> {
    validate_name(&req.alias, "alias")?;
    let db = scope.db.clone();
    scope.change(|dbs| {
        let d = alias_target(scope, dbs, &db, &req.alias, &req.collection_name)?;
        match d.aliases.get(&req.alias) {
            Some(c) if *c == req.collection_name => return Ok(((), Vec::new())),
            Some(c) => {
                return Err(Error::AliasAlreadyExists {
                    database: db.clone(),
                    alias: req.alias.clone(),
                    collection: c.clone(),
                }
                .into());
            }
            None => {}
        }
        d.aliases
            .insert(req.alias.clone(), req.collection_name.clone());
        Ok(((), Vec::new()))
    })?;
    Ok(Common::default())
}

pub fn alter_alias(scope: &Scope, req: AlterAliasRequest) -> Res<Common> {
    validate_name(&req.alias, "alias")?;
    let db = scope.db.clone();
    scope.change(|dbs| {
        let d = alias_target(scope, dbs, &db, &req.alias, &req.collection_name)?;
        if !d.aliases.contains_key(&req.alias) {
            return Err(Error::AliasNotFound {
                database: db.clone(),
                alias: req.alias.clone(),
            }
            .into());
        }
        d.aliases
            .insert(req.alias.clone(), req.collection_name.clone());
        Ok(((), Vec::new()))
    })?;
    Ok(Common::default())
}

/// Dropping a missing alias succeeds, as in Milvus.
pub fn drop_alias(scope: &Scope, req: DropAliasRequest) -> Res<Common> {
    validate_name(&req.alias, "alias")?;
    let db = scope.db.clone();
    scope.change(|dbs| {
        db_mut(dbs, &db)?.aliases.remove(&req.alias);
        Ok(((), Vec::new()))
    })?;
    Ok(Common::default())
}

pub fn describe_alias(scope: &Scope, req: DescribeAliasRequest) -> Res<DescribeAliasResponse> {
    validate_name(&req.alias, "alias")?;
    let collection = scope.with_db(&scope.db, |d| {
        d.aliases.get(&req.alias).cloned().ok_or_else(|| {
            Error::AliasNotFound {
                database: scope.db.clone(),
                alias: req.alias.clone(),
            }
            .into()
        })
    })?;
    Ok(DescribeAliasResponse {
        db_name: scope.db.clone(),
        alias: req.alias,
        collection,
        ..Default::default()
    })
}

/// Every alias of the database, or of one collection.
pub fn list_aliases(scope: &Scope, req: ListAliasesRequest) -> Res<ListAliasesResponse> {
    let aliases = scope.with_db(&scope.db, |d| {
        if req.collection_name.is_empty() {
            return Ok(d.aliases.keys().cloned().collect());
        }
        if !d.collections.contains_key(&req.collection_name) {
            return Err(scope.not_found(&req.collection_name));
        }
        Ok(d.aliases_of(&req.collection_name))
    })?;
    Ok(ListAliasesResponse {
        db_name: scope.db.clone(),
        collection_name: req.collection_name,
        aliases,
        ..Default::default()
    })
}

pub fn create_database(scope: &Scope, req: CreateDatabaseRequest) -> Res<Common> {
    validate_name(&req.db_name, "database")?;
    let ts = scope.timestamp();
    scope.change(|dbs| {
        if dbs.contains_key(&req.db_name) {
            return Err(Error::DatabaseAlreadyExists {
                name: req.db_name.clone(),
            }
            .into());
        }
        if dbs.len() >= MAX_DATABASES {
            return Err(Error::TooManyDatabases { max: MAX_DATABASES }.into());
        }
        let d = Db::new(scope.next_db_id(), ts, pairs_from_proto(&req.properties));
        dbs.insert(req.db_name.clone(), d);
        Ok(((), Vec::new()))
    })?;
    Ok(Common::default())
}

/// Milvus refuses to drop `default` or a database with collections; dropping a
/// missing one succeeds.
pub fn drop_database(scope: &Scope, req: DropDatabaseRequest) -> Res<Common> {
    if req.db_name == DEFAULT_DATABASE {
        return Err(Error::DropDefaultDatabase.into());
    }
    scope.change(|dbs| {
        let Some(d) = dbs.get(&req.db_name) else {
            return Ok(((), Vec::new()));
        };
        if !d.collections.is_empty() {
            return Err(Error::DatabaseNotEmpty {
                name: req.db_name.clone(),
            }
            .into());
        }
        dbs.remove(&req.db_name);
        Ok(((), Vec::new()))
    })?;
    Ok(Common::default())
}

pub fn list_databases(scope: &Scope) -> Res<ListDatabasesResponse> {
    let mut r = ListDatabasesResponse::default();
    scope.with_all(|dbs| {
        for (name, d) in dbs {
            r.db_names.push(name.clone());
            r.db_ids.push(d.id);
            r.created_timestamp.push(d.created_ts);
        }
    });
    Ok(r)
}

/// Milvus's AlterDatabase: properties set (`properties`, a key given again
/// takes the new value) and removed (`delete_keys`), kept (persisted with the
/// catalogue) and returned by DescribeDatabase.
pub fn alter_database(scope: &Scope, req: AlterDatabaseRequest) -> Res<Common> {
    let name = if req.db_name.is_empty() {
        DEFAULT_DATABASE.to_owned()
    } else {
        req.db_name
    };
    scope.change(|dbs| {
        let d = dbs
            .get_mut(&name)
            .ok_or_else(|| Error::DatabaseNotFound { name: name.clone() })?;
        for (k, v) in pairs_from_proto(&req.properties) {
            match d.properties.iter_mut().find(|(key, _)| *key == k) {
                Some(slot) => slot.1 = v,
                None => d.properties.push((k, v)),
            }
        }
        d.properties.retain(|(k, _)| !req.delete_keys.contains(k));
        Ok(((), Vec::new()))
    })?;
    Ok(Common::default())
}

pub fn describe_database(
    scope: &Scope,
    req: DescribeDatabaseRequest,
) -> Res<DescribeDatabaseResponse> {
    let name = if req.db_name.is_empty() {
        DEFAULT_DATABASE.to_owned()
    } else {
        req.db_name
    };
    scope.with_db(&name, |d| {
        Ok(DescribeDatabaseResponse {
            db_name: name.clone(),
            db_id: d.id,
            created_timestamp: d.created_ts,
            properties: pairs_to_proto(&d.properties),
            ..Default::default()
        })
    })
}

/// Renames a collection, possibly into another database (`new_db_name`). Its
/// aliases follow it within its database; Milvus refuses to move a collection
/// that has aliases to another database.
pub fn rename_collection(scope: &Scope, req: RenameCollectionRequest) -> Res<Common> {
    validate_name(&req.new_name, "collection")?;
    let db = scope.db.clone();
    let new_db = if req.new_db_name.is_empty() {
        db.clone()
    } else {
        req.new_db_name.clone()
    };
    scope.change(|dbs| {
        if !dbs.contains_key(&new_db) {
            return Err(Error::RenameTargetDatabaseNotFound {
                name: new_db.clone(),
            }
            .into());
        }
        let target = &dbs[&new_db];
        if target.collections.contains_key(&req.new_name)
            || target.aliases.contains_key(&req.new_name)
        {
            return Err(Error::RenameTargetExists {
                database: new_db.clone(),
                name: req.new_name.clone(),
            }
            .into());
        }
        let d = db_mut(dbs, &db)?;
        if !d.collections.contains_key(&req.old_name) {
            return Err(scope.not_found(&req.old_name));
        }
        let aliases = d.aliases_of(&req.old_name);
        if new_db != db && !aliases.is_empty() {
            return Err(Failure::new(
                super::codes::UNEXPECTED,
                format!(
                    "fail to rename collection to different database, must drop all aliases of collection {} before rename",
                    req.old_name
                ),
            ));
        }
        let entry = d.collections.remove(&req.old_name).expect("checked");
        for a in aliases {
            d.aliases.insert(a, req.new_name.clone());
        }
        entry.collection.write().rename(&req.new_name)?;
        db_mut(dbs, &new_db)?
            .collections
            .insert(req.new_name.clone(), entry);
        Ok((
            (),
            vec![(db.clone(), req.old_name.clone()), (new_db.clone(), req.new_name.clone())],
        ))
    })?;
    Ok(Common::default())
}
