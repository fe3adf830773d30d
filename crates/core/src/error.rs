//! The one error type of the engine. Variants carry the numbers that were wrong and
//! their messages say what to change, in the spirit of Milvus's own messages.

/// Result of every fallible engine operation.
pub type Result<T, E = Error> = std::result::Result<T, E>;

use crate::metric::Metric;

/// Everything the engine can refuse.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// A vector dimension outside Milvus's range.
    #[error("invalid dimension: {dim}. should be in range 1 ~ {max}")]
    InvalidDimension { dim: usize, max: usize },

    /// A number of rows or queries that cannot be used.
    #[error("invalid {what}: {value}; should be in range [{min}, {max}]")]
    OutOfRange {
        what: &'static str,
        value: i64,
        min: i64,
        max: i64,
    },

    /// A vector that contains NaN or ±inf.
    #[error(
        "vector {row} has a non-finite value at position {position}: replace NaN/inf before inserting"
    )]
    NonFiniteValue { row: usize, position: usize },

    /// A zero vector cannot be normalised for COSINE.
    #[error("vector {row} is all zeros: COSINE similarity is undefined for it")]
    ZeroVector { row: usize },

    /// A metric name Milvus does not know for float vectors. `supported` is the
    /// list Milvus 2.3.5 names, which depends on the index type (HNSW also lists
    /// its binary metrics).
    #[error("metric type not found or not supported, supported: [{supported}] (got '{name}')")]
    UnknownMetric {
        name: String,
        supported: &'static str,
    },

    // --- schema -------------------------------------------------------------
    /// A collection, field or partition name that breaks Milvus's naming rule.
    #[error("Invalid {kind} name: {name}. {reason}: invalid parameter")]
    InvalidName {
        kind: &'static str,
        name: String,
        reason: String,
    },

    /// Two fields with one name.
    #[error("duplicated field name: {name}; give every field its own name")]
    DuplicateField { name: String },

    /// A VarChar without max_length or a vector without dim.
    #[error("type param({param}) should be specified for {} field of collection {collection}", match *param { "dim" => "vector", "max_capacity" => "array", _ => "varChar" })]
    MissingTypeParam {
        param: &'static str,
        field: String,
        collection: String,
    },

    /// max_length outside (0, 65535].
    #[error(
        "the maximum length specified for a VarChar should be in (0, {max}]: invalid parameter"
    )]
    InvalidMaxLength { max_length: usize, max: usize },

    #[error("Schema must have a primary key field.")]
    NoPrimaryKey,

    #[error(
        "there are more than one primary key, field names: only one field may be the primary key"
    )]
    MultiplePrimaryKeys,

    #[error(
        "the data type of primary key should be Int64 or VarChar, not {data_type} (field {field})"
    )]
    InvalidPrimaryKeyType {
        field: String,
        data_type: &'static str,
    },

    #[error("auto_id can only be set on the primary key field, not on {field}")]
    AutoIdOnNonPrimary { field: String },

    #[error("No vector field is found.")]
    NoVectorField,

    // --- filter expressions (crate::expr) -------------------------------------
    // Every variant carries the expression and the character offset (0-based, in
    // chars, not bytes) where the problem is; the text after "error: " is Milvus
    // 2.3.5's own where Milvus has one.
    /// A syntax error in ANTLR's words, as Milvus reports it: `line` is 1-based,
    /// `column` 0-based within the line, `position` 0-based in the whole expression.
    #[error("cannot parse expression: {expr}, error: line {line}:{column} {message}")]
    FilterSyntax {
        expr: String,
        position: usize,
        line: usize,
        column: usize,
        message: String,
    },

    /// A complete expression followed by more input (e.g. upper-case `AND`, an
    /// unknown function, a bitwise operator).
    #[error("cannot parse expression: {expr}, error: invalid expression: {expr}")]
    FilterTrailingInput { expr: String, position: usize },

    /// A name that is not a field of the collection.
    #[error("cannot parse expression: {expr}, error: field {field} not exist")]
    FilterUnknownField {
        expr: String,
        position: usize,
        field: String,
    },

    /// A comparison (or arithmetic) between operands of incompatible types; the
    /// types are Milvus's names (`VarChar`, `Int64`, `Double`, `Bool`, …).
    #[error(
        "cannot parse expression: {expr}, error: comparisons between {left}, element_type: None and {right} elementType: None are not supported"
    )]
    FilterTypeMismatch {
        expr: String,
        position: usize,
        left: &'static str,
        right: &'static str,
    },

    /// A constant that cannot become the type it is compared with (`id == 1.5`);
    /// `value` is Milvus's rendering, e.g. `float_val:1.5`. The trailing space is
    /// Milvus's too.
    #[error(
        "cannot parse expression: {expr}, error: cannot cast value to {target}, value: {value} "
    )]
    FilterCannotCast {
        expr: String,
        position: usize,
        target: &'static str,
        value: String,
    },

    /// Any other expression Milvus (or annlab) refuses; `message` says what to change.
    #[error("cannot parse expression: {expr}, error: {message}")]
    FilterInvalid {
        expr: String,
        position: usize,
        message: String,
    },

    /// An empty or blank filter: the caller should run without a filter instead
    /// (`expr::parse_optional` returns `None` for it).
    #[error("empty filter expression: omit the filter, or write a condition such as id > 0")]
    FilterEmpty,

    // --- indexes (crate::index) -----------------------------------------------
    /// An index type Milvus does not have (or annlab does not implement).
    #[error("invalid index type: {index_type}")]
    UnknownIndexType { index_type: String },

    /// A build parameter outside Milvus's range (missing counts as out of range,
    /// as in Milvus).
    #[error("{param} out of range: [{min}, {max}]")]
    IndexParamOutOfRange {
        param: &'static str,
        min: i64,
        max: i64,
    },

    /// IVF_PQ's `m` must divide the dimension.
    #[error("dimension must be able to be divided by `m`, dimension: {dim}, m: {m}")]
    PqSubspaceMismatch { dim: usize, m: usize },

    /// A search parameter outside Milvus's range.
    #[error("param {param} out of range [ {min},{max} ]")]
    SearchParamOutOfRange {
        param: &'static str,
        min: i64,
        max: i64,
    },

    /// A search parameter that is not a number.
    #[error("invalid value in json: stoi (param {param} must be an integer)")]
    SearchParamNotANumber { param: &'static str },

    /// A typed search parameter of another kind of index (`nprobe` for HNSW).
    #[error("search param {param} is not a parameter of {index_type}")]
    SearchParamForOtherIndex {
        param: &'static str,
        index_type: &'static str,
    },

    /// HNSW's `ef` must be at least the number of results asked for.
    #[error("ef({ef}) should be larger than k({k})")]
    EfSmallerThanK { ef: usize, k: usize },

    /// Long work stopped because the caller asked.
    #[error("{what} was cancelled after {done} of {total}")]
    Cancelled {
        what: &'static str,
        done: usize,
        total: usize,
    },
    // --- collections, insert, search ------------------------------------------
    /// An fvecs/ivecs file that does not follow the format.
    #[error("malformed vecs file at byte {offset}: {reason}")]
    MalformedVecs { offset: usize, reason: String },

    /// Stored bytes of another format version (an older annlab's layout, or a
    /// newer one's).
    #[error(
        "format version {version}, but this annlab reads version {supported}{}",
        if version < supported { " (written by an older annlab, in a layout this one no longer reads: re-create the collection and insert its data again)" } else { "" }
    )]
    UnsupportedFormat { version: u32, supported: u32 },

    /// Stored bytes that cannot be read back.
    #[error("corrupt collection data: {reason}")]
    CorruptData { reason: String },

    #[error("maximum vector field's number should be limited to {max}")]
    TooManyVectorFields { max: usize },

    #[error("cannot create index on non-exist field: {field}")]
    IndexOnMissingField { field: String },

    #[error(
        "index type not match: invalid parameter[expected={expected}][actual={actual}] (field {field} is not a vector field)"
    )]
    IndexTypeMismatch {
        field: String,
        expected: &'static str,
        actual: String,
    },

    #[error(
        "CreateIndex failed: at most one distinct index is allowed per field (field {field}); drop the index first"
    )]
    IndexAlreadyExists { field: String },

    #[error("index cannot be dropped, collection is loaded, please release it first")]
    DropIndexWhileLoaded,

    /// A scalar index on a field type it does not take: `reason` is Milvus
    /// 2.5's checker's words (`STL_SORT are only supported on numeric field`).
    #[error(
        "{reason}: invalid parameter[expected=valid index params][actual=invalid index params]"
    )]
    ScalarIndexFieldType {
        index_type: &'static str,
        field: String,
        reason: String,
    },

    /// AUTOINDEX (or no index type) on a field Milvus 2.5 has no scalar
    /// auto-index for (JSON).
    #[error(
        "invalid parameter[expected=supported field][actual=create auto index on type:{data_type} is not supported]"
    )]
    AutoIndexOnType { data_type: &'static str },

    /// AlterIndex of a parameter Milvus does not let change.
    #[error("{key} is not configable index param: invalid parameter")]
    IndexParamNotConfigurable { key: String },

    #[error("index name is empty: invalid parameter")]
    IndexNameEmpty,

    #[error(
        "can't alter index on loaded collection, please release the collection first: collection already loaded[collection={collection}]"
    )]
    AlterIndexWhileLoaded { collection: String },

    #[error("index not found[collection={collection}]: create an index before load")]
    IndexNotFound { collection: String },

    #[error("failed to {operation}: collection not loaded[collection={collection}]")]
    CollectionNotLoaded {
        operation: &'static str,
        collection: i64,
    },

    /// Milvus 2.3.5's words; pymilvus's `has_collection` keys off its code (100).
    #[error("can't find collection collection not found[database={database}][collection={name}]")]
    CollectionNotFound { database: String, name: String },

    #[error("collection {name} already exists")]
    CollectionAlreadyExists { name: String },

    /// Insert: wrong number of columns.
    #[error("The data don't match with schema fields, expect {expected} list, got {got}")]
    ColumnCountMismatch { expected: usize, got: usize },

    /// Insert: a column of the wrong type.
    #[error(
        "The Input data type is inconsistent with defined schema, please check it. (field {field}: expected {expected}, got {got})"
    )]
    ColumnTypeMismatch {
        field: String,
        expected: &'static str,
        got: &'static str,
    },

    /// Insert: columns of different lengths.
    #[error(
        "column {field} has {got} rows but the first column has {expected}: every column needs one value per row"
    )]
    ColumnLengthMismatch {
        field: String,
        expected: usize,
        got: usize,
    },

    /// Insert: vectors of the wrong dimension.
    #[error("Collection field dim is {expected}, but entities field dim is {got}")]
    VectorDimMismatch { expected: usize, got: usize },

    /// Insert: a string longer than the field's max_length.
    #[error(
        "invalid input, length of string exceeds max length. length: {length}, max length: {max_length}"
    )]
    VarCharTooLong { length: usize, max_length: usize },

    /// An insert lacks a column of the schema.
    #[error(
        "Insert missed an field `{field}` to collection without set nullable==true or set default_value"
    )]
    MissingField { field: String },

    #[error("field {field} not exist")]
    UnknownField { field: String },

    #[error("topk [{k}] is invalid, top k should be in range [1, 16384], but got {k}")]
    TopKOutOfRange { k: usize },

    #[error(
        "invalid max query result window, (offset+limit) should be in range [1, 16384], but got {window}"
    )]
    QueryWindowOutOfRange { window: usize },

    #[error("empty expression should be used with limit")]
    EmptyExpressionWithoutLimit,

    #[error("metric type not match: invalid parameter[expected={expected}][actual={actual}]")]
    MetricMismatch { expected: Metric, actual: Metric },

    #[error(
        "failed to create query plan: failed to get field schema by name: fieldName({field}) not found"
    )]
    UnknownAnnsField { field: String },

    #[error("the dim ({got}) of query vector {query} doesn't match the field's dim ({expected})")]
    QueryDimMismatch {
        query: usize,
        expected: usize,
        got: usize,
    },

    #[error(
        "range search needs radius {expected} range_filter for {metric} (got radius={radius}, range_filter={range_filter})"
    )]
    BadRange {
        metric: Metric,
        expected: &'static str,
        radius: f32,
        range_filter: f32,
    },

    // --- partitions (collection::partition) -----------------------------------
    /// A partition name that breaks Milvus's rule (its proxy's words).
    #[error("Invalid partition name: {name}. {reason}")]
    InvalidPartitionName { name: String, reason: String },

    /// Search or query in a partition that does not exist (Milvus's proxy).
    #[error("partition name {name} not found")]
    PartitionNameNotFound { name: String },

    /// Insert, delete, load or release of a partition that does not exist
    /// (Milvus's `merr.ErrPartitionNotFound`, code 200).
    #[error("partition not found[partition={name}]")]
    PartitionNotFound { name: String },

    /// Search or query naming a partition that is not loaded while others are.
    /// `name` is the first such partition; `requested` the ids of every named
    /// partition in the request's order, which real Milvus 2.3.5 lists in its
    /// query node's answer (code 65535, see `annlab serve`'s status module).
    #[error("failed to {operation}: partition not loaded[partition={name}]")]
    PartitionNotLoaded {
        operation: &'static str,
        name: String,
        requested: Vec<i64>,
    },

    #[error("partition cannot be dropped, partition is loaded, please release it first")]
    DropLoadedPartition,

    #[error("default partition cannot be deleted")]
    DropDefaultPartition,

    #[error("partition number ({max}) exceeds max configuration ({max}), collection: {collection}")]
    TooManyPartitions { max: usize, collection: String },

    /// Upsert on a collection whose primary key the engine assigns.
    #[error("upsert can not assign primary field data when auto id enabled")]
    UpsertAutoId,

    // Databases and aliases (Milvus 2.5's rootcoord and `merr` words).
    #[error("database not found[database={name}]")]
    DatabaseNotFound { name: String },

    #[error("database already exist: {name}")]
    DatabaseAlreadyExists { name: String },

    #[error("can not drop default database")]
    DropDefaultDatabase,

    #[error("database:{name} not empty, must drop all collections before drop database")]
    DatabaseNotEmpty { name: String },

    #[error("database number ({max}) exceeds max configuration ({max})")]
    TooManyDatabases { max: usize },

    #[error("alias not found[database={database}][alias={alias}]")]
    AliasNotFound { database: String, alias: String },

    /// An alias named like a collection of its database.
    #[error("alias and collection name conflict[database={database}][alias={alias}]")]
    AliasCollectionNameConflict { database: String, alias: String },

    #[error(
        "{alias} is alias to another collection: {collection}: alias already exist[database={database}][alias={alias}]"
    )]
    AliasAlreadyExists {
        database: String,
        alias: String,
        collection: String,
    },

    /// A new collection named like an alias of its database.
    #[error(
        "collection name [{name}] conflicts with an existing alias, please choose a unique name"
    )]
    CollectionNameIsAlias { name: String },

    /// `aliases`: Go's `%v` of a string slice, `[a b]`.
    #[error(
        "unable to drop the collection [{name}] because it has associated aliases [{}], please remove all aliases before dropping the collection",
        aliases.join(" ")
    )]
    CollectionHasAliases { name: String, aliases: Vec<String> },

    #[error("target database:{name} not found")]
    RenameTargetDatabaseNotFound { name: String },

    #[error("duplicated new collection name {database}:{name} with other collection name or alias")]
    RenameTargetExists { database: String, name: String },

    /// Load with some vector fields not indexed (Milvus 2.5). `fields`: Go's
    /// `%v` of a string slice, `[a b]`.
    #[error(
        "there is no vector index on field: [{}], please create index firstly: invalid parameter",
        fields.join(" ")
    )]
    VectorFieldsNotIndexed { fields: Vec<String> },

    /// A search without `anns_field` in a collection of several vector fields.
    #[error(
        "multiple anns_fields exist, please specify a anns_field in search_params: invalid parameter"
    )]
    AnnsFieldAmbiguous,

    /// An index name already used by another field's index.
    #[error(
        "CreateIndex failed: index already exist, but parameters are inconsistent (index name {index_name} is used by another field)"
    )]
    IndexNameTaken { index_name: String },

    /// DropIndex (or DescribeIndex) without a name in a collection of several indexes.
    #[error("there are multiple indexes, please specify the index_name")]
    AmbiguousIndex,

    // Dynamic fields and JSON (Milvus 2.5's proxy words).
    /// A schema whose `enable_dynamic_field` and hidden `$meta` field disagree
    /// (only a persisted form or a hand-built schema can have this).
    #[error(
        "a schema with dynamic fields has exactly one hidden $meta JSON field, last, and only then"
    )]
    DynamicFieldMismatch,

    /// A row's dynamic keys name a field of the schema.
    #[error("dynamic field name cannot include the static field name: {field}")]
    DynamicKeyShadowsField { field: String },

    /// A row's dynamic keys include `$meta` itself.
    #[error("cannot set json key to: $meta")]
    DynamicKeyIsMeta,

    /// A row's dynamic data that is not a JSON object (Go's json error text).
    #[error("json: cannot unmarshal {kind} into Go value of type map[string]interface {{}}")]
    DynamicDataNotObject { kind: &'static str },

    /// Rows with dynamic data for a collection without dynamic fields.
    #[error("without dynamic schema enabled, the field name cannot be set to $meta")]
    DynamicFieldDisabled,

    // Arrays (Milvus 2.5's words).
    #[error("element data type {element} is not valid for array field {field}")]
    ArrayElementTypeInvalid {
        field: String,
        element: &'static str,
    },

    #[error(
        "the maximum capacity specified for a Array should be in (0, {max}], but got {max_capacity}: invalid parameter"
    )]
    ArrayCapacityOutOfRange { max_capacity: usize, max: usize },

    /// A row with more elements than the field's max_capacity.
    #[error(
        "the length ({length}) of {row}th array exceeds max capacity ({max_capacity}): invalid parameter[expected=valid length array][actual=array length exceeds max capacity]"
    )]
    ArrayOverCapacity {
        length: usize,
        row: usize,
        max_capacity: usize,
    },

    /// A row that is not an array of the field's element type.
    #[error(
        "insert data does not match: invalid parameter[expected={expected} array][actual={actual} array]"
    )]
    ArrayElementMismatch {
        expected: &'static str,
        actual: String,
    },

    /// Milvus 2.3.5's words (2.5 adds the field's name).
    #[error("invalid dimension: {dim}. should be multiple of 8. ")]
    BinaryDimNotMultipleOf8 { dim: usize, field: String },

    #[error(
        "invalid dimension: {dim} of field {field}. binary vector dimension should be in range 2 ~ {max}"
    )]
    InvalidBinaryDimension {
        dim: usize,
        field: String,
        max: usize,
    },

    /// A float index on a binary field (Milvus 2.3.5's checker).
    #[error("float or float16 vector are only supported")]
    FloatIndexOnBinaryField,

    /// A binary index on a float field (Milvus 2.3.5's checker).
    #[error("binary vector is only supported")]
    BinaryIndexOnFloatField,

    /// Insert: binary vectors whose bytes do not make `dim / 8` a row.
    #[error("the num({}) of all bits should divide the dim({dim})", len * 8)]
    BinaryDataLength { len: usize, dim: usize },

    /// A binary index asked to search float vectors (or the reverse): a typed
    /// request that does not match its field.
    #[error("a {field_type} field is searched with {query_type} query vectors")]
    QueryTypeMismatch {
        field_type: &'static str,
        query_type: &'static str,
    },

    /// A default value that is not a value of its field's type.
    #[error("type of default value does not match the type of field {field} ({data_type})")]
    DefaultValueMismatch {
        field: String,
        data_type: &'static str,
    },
    /// Grouping search (Milvus 2.5's proxy and segcore words).
    #[error("groupBy field not found in schema: field not found[field={field}]")]
    GroupByFieldNotFound { field: String },

    #[error("input group size:0 is negative, failed to do search_groupby: invalid parameter")]
    GroupSizeNotPositive,

    #[error("input group size:{size} exceeds configured max group size:{max}: invalid parameter")]
    GroupSizeTooLarge { size: usize, max: usize },

    #[error(
        "Not allowed to do range-search when doing search-group-by: invalid parameter[expected=][actual=]"
    )]
    GroupByWithRangeSearch,

    #[error(
        "Not allowed to do groupBy when doing iteration: invalid parameter[expected=][actual=]"
    )]
    GroupByWithIterator,

    /// `data_type` as segcore prints it (`VECTOR_FLOAT`, `DOUBLE`).
    #[error("unsupported data type {data_type} for group by operator")]
    GroupByUnsupportedType { data_type: String },

    /// Milvus 2.5 refuses DropCollection through an alias.
    #[error("cannot drop the collection via alias = {alias}")]
    DropCollectionByAlias { alias: String },
    /// Hybrid search: a WeightedRanker with another number of weights than
    /// sub-requests (Milvus 2.5's words).
    #[error(
        "the length of weights param mismatch with ann search requests: invalid parameter[expected={expected}][actual={actual}]"
    )]
    RankWeightsCountMismatch { expected: usize, actual: usize },

    #[error("rank param weight should be in range [0, 1]: invalid parameter")]
    RankWeightOutOfRange,

    #[error("The rank params k should be in range (0, 16384), but got {k}: invalid parameter")]
    RrfKOutOfRange { k: f32 },

    /// Hybrid search: sub-requests with different numbers of query vectors
    /// (Milvus 2.5's proxy, `checkNq`: the first sub-request's nq is expected).
    #[error(
        "sub search request nq should be the same: invalid parameter[expected={first}][actual={other}]"
    )]
    HybridNqMismatch { first: usize, other: usize },

    #[error(
        "the number of ann search requests should be in range [1, {max}], got {count}: invalid parameter"
    )]
    HybridRequestCount { count: usize, max: usize },
    /// An `sq_type` Milvus 2.5 does not have (knowhere's words).
    #[error("invalid scalar quantizer type")]
    InvalidSqType { name: String },

    /// A `refine_type` Milvus 2.5 does not have (knowhere's words, doubled word
    /// included).
    #[error("invalid refine type type")]
    InvalidRefineType { name: String },

    /// A quantiser Milvus 2.5 has and annlab does not (SQ6).
    #[error("{param} {name} is not supported by annlab: use SQ8, FP16 or BF16")]
    UnsupportedSqType { param: &'static str, name: String },

    /// `refine_k` below 1 (knowhere's range for the float parameter).
    #[error("param refine_k ({value}) out of range [ 1,3.40282e+38 ]")]
    RefineKOutOfRange { value: f32 },

    /// A boolean build parameter given as something else (knowhere's words).
    #[error("Type conflict in json: param '{param}' ({value}) should be a boolean")]
    ParamNotABoolean { param: &'static str, value: String },
}
