//! Milvus's status codes, in one table: the numbers real Milvus 2.3.5 answers
//! in `common.Status.code` (`../shared/milvus/REFERENCE.md`; databases and
//! aliases: Milvus 2.5's `pkg/util/merr`; the rootcoord's plain errors, such as
//! a database that is not empty, are 65535), which engine
//! error gets which, and the legacy `error_code` that goes with each. pymilvus
//! turns a status with a code into `MilvusException(code=…)` (its
//! `has_collection` keys off [`COLLECTION_NOT_FOUND`]).

use annlab_core::Error;
use milvus::proto::common::ErrorCode;

/// The legacy `UnexpectedError` a few checks of Milvus 2.3.5 still answer with
/// (insert data that does not match the schema).
pub const LEGACY_UNEXPECTED: i32 = 1;
pub const COLLECTION_NOT_FOUND: i32 = 100;
pub const COLLECTION_NOT_LOADED: i32 = 101;
/// Milvus 2.5's "collection already loaded" (AlterIndex on a loaded collection).
pub const COLLECTION_LOADED: i32 = 104;
pub const PARTITION_NOT_FOUND: i32 = 200;
pub const INDEX_NOT_FOUND: i32 = 700;
pub const DATABASE_NOT_FOUND: i32 = 800;
pub const ALIAS_NOT_FOUND: i32 = 1600;
pub const ALIAS_COLLECTION_NAME_CONFLICT: i32 = 1601;
pub const ALIAS_ALREADY_EXIST: i32 = 1602;
/// Milvus's "invalid parameter"; its reasons end in `: invalid parameter`.
pub const PARAMETER_INVALID: i32 = 1100;
pub const FIELD_NOT_FOUND: i32 = 1700;
/// Milvus's "unexpected error": everything without a code of its own.
pub const UNEXPECTED: i32 = 65535;

/// The code real Milvus 2.3.5 answers `e` with.
pub fn of(e: &Error) -> i32 {
    match e {
        Error::CollectionNotFound { .. } => COLLECTION_NOT_FOUND,
        Error::CollectionNotLoaded { .. } => COLLECTION_NOT_LOADED,
        Error::AlterIndexWhileLoaded { .. } => COLLECTION_LOADED,
        Error::IndexNotFound { .. } => INDEX_NOT_FOUND,
        Error::DatabaseNotFound { .. } => DATABASE_NOT_FOUND,
        Error::AliasNotFound { .. } => ALIAS_NOT_FOUND,
        Error::AliasCollectionNameConflict { .. } => ALIAS_COLLECTION_NAME_CONFLICT,
        Error::AliasAlreadyExists { .. } => ALIAS_ALREADY_EXIST,
        Error::PartitionNotFound { .. } => PARTITION_NOT_FOUND,
        Error::InvalidName { .. }
        | Error::InvalidMaxLength { .. }
        | Error::IndexTypeMismatch { .. }
        | Error::ScalarIndexFieldType { .. }
        | Error::AutoIndexOnType { .. }
        | Error::IndexParamNotConfigurable { .. }
        | Error::IndexNameEmpty
        | Error::VectorFieldsNotIndexed { .. }
        | Error::AnnsFieldAmbiguous
        | Error::ArrayOverCapacity { .. }
        | Error::ArrayElementMismatch { .. }
        | Error::ArrayCapacityOutOfRange { .. }
        | Error::RankWeightsCountMismatch { .. }
        | Error::RankWeightOutOfRange
        | Error::RrfKOutOfRange { .. }
        | Error::HybridNqMismatch { .. }
        | Error::HybridRequestCount { .. } => PARAMETER_INVALID,
        Error::VectorDimMismatch { .. }
        | Error::VarCharTooLong { .. }
        | Error::ColumnCountMismatch { .. }
        | Error::ColumnTypeMismatch { .. } => LEGACY_UNEXPECTED,
        Error::GroupByFieldNotFound { .. } => FIELD_NOT_FOUND,
        Error::GroupSizeNotPositive
        | Error::GroupSizeTooLarge { .. }
        | Error::GroupByWithRangeSearch
        | Error::GroupByWithIterator => PARAMETER_INVALID,
        _ => UNEXPECTED,
    }
}

/// The legacy `error_code` beside `code` (old clients read it).
pub fn legacy(code: i32) -> ErrorCode {
    match code {
        INDEX_NOT_FOUND => ErrorCode::IndexNotExist,
        _ => ErrorCode::UnexpectedError,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The numbers themselves, as the real server answered each case.
    #[test]
    fn codes_follow_the_real_server() {
        let code = |e: Error| of(&e);
        assert_eq!(
            code(Error::CollectionNotFound {
                database: "default".into(),
                name: "x".into()
            }),
            100
        );
        let not_loaded = Error::CollectionNotLoaded {
            operation: "search",
            collection: 7,
        };
        assert_eq!(code(not_loaded), 101);
        assert_eq!(code(Error::PartitionNotFound { name: "p".into() }), 200);
        assert_eq!(
            code(Error::IndexNotFound {
                collection: "c".into()
            }),
            700
        );
        let name = Error::InvalidName {
            kind: "collection",
            name: "1abc".into(),
            reason: "r".into(),
        };
        assert_eq!(code(name), 1100);
        assert_eq!(
            code(Error::VectorDimMismatch {
                expected: 8,
                got: 7
            }),
            1
        );
        let m = Error::IndexParamOutOfRange {
            param: "M",
            min: 1,
            max: 2048,
        };
        assert_eq!(code(m), 65535);
        assert_eq!(code(Error::EfSmallerThanK { ef: 2, k: 3 }), 65535);
        let missing = Error::IndexOnMissingField {
            field: "nope".into(),
        };
        assert_eq!(code(missing), 65535);
        assert_eq!(code(Error::DatabaseNotFound { name: "d".into() }), 800);
        let alias = |database: &str| Error::AliasNotFound {
            database: database.into(),
            alias: "a".into(),
        };
        assert_eq!(code(alias("default")), 1600);
        let conflict = Error::AliasCollectionNameConflict {
            database: "default".into(),
            alias: "a".into(),
        };
        assert_eq!(code(conflict), 1601);
        assert_eq!(code(Error::DatabaseNotEmpty { name: "d".into() }), 65535);
        assert_eq!(legacy(700), ErrorCode::IndexNotExist);
        assert_eq!(legacy(100), ErrorCode::UnexpectedError);
    }
}
