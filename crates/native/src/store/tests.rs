use annlab_core::schema::CollectionSchema;

use super::*;

fn dir(test: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("annlab-store-{test}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&d);
    d
}

#[test]
fn a_second_open_of_the_same_directory_is_refused_until_the_first_closes() {
    let d = dir("lock");
    let (first, _) = Store::open(&d.join("nested")).unwrap();
    let err = Store::open(&d.join("nested")).err().unwrap().to_string();
    assert!(err.contains("in use by another annlab process"), "{err}");
    drop(first);
    Store::open(&d.join("nested")).unwrap();
    fs::remove_dir_all(&d).unwrap();
}

#[test]
fn persist_writes_one_generation_and_reopens_the_same_collections() {
    let d = dir("persist");
    let (mut store, mut db) = Store::open(&d).unwrap();
    assert_eq!(store.manifest().generation, 0);
    db.create_collection("a", CollectionSchema::tutorial(8), 1)
        .unwrap();
    db.create_collection("b", CollectionSchema::tutorial(8), 1)
        .unwrap();
    store.persist(&db, &["a", "b"]).unwrap();
    db.drop_collection("a");
    store.persist(&db, &["a"]).unwrap();
    assert_eq!(store.manifest().generation, 2);
    let names: Vec<&str> = store
        .manifest()
        .collections
        .iter()
        .map(|e| e.file.as_str())
        .collect();
    assert_eq!(names, ["b.1.annlab"]);
    drop(store);
    let (_, back) = Store::open(&d).unwrap();
    assert_eq!(back.list_collections(), ["b"]);
    assert_eq!(
        back.collection("b").unwrap().id(),
        db.collection("b").unwrap().id()
    );
    fs::remove_dir_all(&d).unwrap();
}

#[test]
fn names_that_are_not_file_names_are_refused() {
    let d = dir("names");
    let (mut store, db) = Store::open(&d).unwrap();
    let err = format!("{:#}", store.persist(&db, &["../x"]).unwrap_err());
    assert!(err.contains("cannot be stored as a file name"), "{err}");
    assert_eq!(store.manifest().generation, 0);
    fs::remove_dir_all(&d).unwrap();
}
