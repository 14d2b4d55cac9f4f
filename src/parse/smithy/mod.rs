//! Smithy JSON AST models: bytes in, a resolved [`Model`] out.
//!
//! The model is what smithy-diff compares: every shape with its members in order, its traits,
//! the model metadata, `apply` statements merged into their targets and mixins resolved (members
//! copied in mixin order, non-local traits inherited, service/resource/operation properties
//! merged). Each shape and member remembers the 1-based line of its key in the file.
//!
//! Invariants: parsing never panics on any input (it is fuzzed, see `fuzz/`); errors carry the
//! file name and a span so they render with line and column; shape ids are absolute.
pub mod assemble;
pub mod bundled;
pub mod idl;
/// The JSON reader moved to [`crate::parse::json`] (the package parsers use it too); this name
/// stays for the Smithy code that still says `node`.
pub use crate::parse::json as node;
pub mod prune;
pub mod scan;

use miette::{Diagnostic, NamedSource, SourceSpan};
use node::{Entry, Node};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;
use thiserror::Error;

/// Why a file could not be read as a Smithy model.
#[derive(Debug, Error, Diagnostic)]
pub enum SmithyError {
    /// `message` starts with the file path.
    #[error("{message}")]
    #[diagnostic(code(shipgate::smithy::json), help("fix the JSON syntax at the marked position"))]
    Json {
        message: String,
        #[source_code]
        src: NamedSource<String>,
        #[label("here")]
        span: SourceSpan,
    },
    /// `message` starts with the file path.
    #[error("{message}")]
    #[diagnostic(
        code(shipgate::smithy::model),
        help("see https://smithy.io/2.0/spec/json-ast.html for the expected structure")
    )]
    Model {
        message: String,
        #[source_code]
        src: NamedSource<String>,
        #[label("here")]
        span: SourceSpan,
    },
    /// A `.smithy` file that does not parse or that Smithy's loader rejects. `message` starts
    /// with the file path and names the line and column.
    #[error("{message}")]
    #[diagnostic(
        code(shipgate::smithy::idl),
        help("fix the model at the marked position; the grammar is https://smithy.io/2.0/spec/idl.html")
    )]
    Idl {
        message: String,
        #[source_code]
        src: NamedSource<String>,
        #[label("here")]
        span: SourceSpan,
        line: usize,
        column: usize,
    },
}

impl SmithyError {
    /// Byte offset of the problem in the file.
    pub fn offset(&self) -> usize {
        match self {
            SmithyError::Json { span, .. } | SmithyError::Model { span, .. } | SmithyError::Idl { span, .. } => {
                span.offset()
            }
        }
    }

    pub fn message(&self) -> &str {
        match self {
            SmithyError::Json { message, .. }
            | SmithyError::Model { message, .. }
            | SmithyError::Idl { message, .. } => message,
        }
    }
}

/// The type of a shape, named as in the JSON AST.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ShapeType {
    Blob,
    Boolean,
    String,
    Enum,
    Byte,
    Short,
    Integer,
    IntEnum,
    Long,
    Float,
    Double,
    BigInteger,
    BigDecimal,
    Timestamp,
    Document,
    List,
    Set,
    Map,
    Structure,
    Union,
    Service,
    Resource,
    Operation,
    /// A member of an aggregate shape (never a top-level shape).
    Member,
}

impl ShapeType {
    pub fn parse(s: &str) -> Option<ShapeType> {
        use ShapeType::*;
        Some(match s {
            "blob" => Blob,
            "boolean" => Boolean,
            "string" => String,
            "enum" => Enum,
            "byte" => Byte,
            "short" => Short,
            "integer" => Integer,
            "intEnum" => IntEnum,
            "long" => Long,
            "float" => Float,
            "double" => Double,
            "bigInteger" => BigInteger,
            "bigDecimal" => BigDecimal,
            "timestamp" => Timestamp,
            "document" => Document,
            "list" => List,
            "set" => Set,
            "map" => Map,
            "structure" => Structure,
            "union" => Union,
            "service" => Service,
            "resource" => Resource,
            "operation" => Operation,
            _ => return None,
        })
    }

    /// The name smithy-diff prints (`ShapeType.toString()`).
    pub fn as_str(self) -> &'static str {
        use ShapeType::*;
        match self {
            Blob => "blob",
            Boolean => "boolean",
            String => "string",
            Enum => "enum",
            Byte => "byte",
            Short => "short",
            Integer => "integer",
            IntEnum => "intEnum",
            Long => "long",
            Float => "float",
            Double => "double",
            BigInteger => "bigInteger",
            BigDecimal => "bigDecimal",
            Timestamp => "timestamp",
            Document => "document",
            List => "list",
            Set => "set",
            Map => "map",
            Structure => "structure",
            Union => "union",
            Service => "service",
            Resource => "resource",
            Operation => "operation",
            Member => "member",
        }
    }

    /// Simple types (scalars, enums, documents).
    pub fn is_simple(self) -> bool {
        !matches!(
            self,
            ShapeType::List
                | ShapeType::Set
                | ShapeType::Map
                | ShapeType::Structure
                | ShapeType::Union
                | ShapeType::Service
                | ShapeType::Resource
                | ShapeType::Operation
                | ShapeType::Member
        )
    }

    pub fn is_collection(self) -> bool {
        matches!(self, ShapeType::List | ShapeType::Set)
    }

    pub fn has_members(self) -> bool {
        matches!(
            self,
            ShapeType::List
                | ShapeType::Set
                | ShapeType::Map
                | ShapeType::Structure
                | ShapeType::Union
                | ShapeType::Enum
                | ShapeType::IntEnum
        )
    }
}

impl std::fmt::Display for ShapeType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Traits applied to a shape or member, in file order. Equality ignores order.
#[derive(Debug, Clone, Default)]
pub struct Traits(pub Vec<(String, Node)>);

impl Traits {
    pub fn get(&self, id: &str) -> Option<&Node> {
        self.0.iter().find(|(k, _)| k == id).map(|(_, v)| v)
    }
    pub fn has(&self, id: &str) -> bool {
        self.0.iter().any(|(k, _)| k == id)
    }
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Node)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// Sets a trait, replacing an existing value (Smithy merges list-valued `apply`s; a later
    /// value wins for everything else).
    pub fn set(&mut self, id: &str, value: Node) {
        if let Some(slot) = self.0.iter_mut().find(|(k, _)| k == id) {
            slot.1 = value;
        } else {
            self.0.push((id.to_string(), value));
        }
    }
}

impl PartialEq for Traits {
    fn eq(&self, other: &Traits) -> bool {
        self.0.len() == other.0.len()
            && self.0.iter().all(|(k, v)| other.get(k).is_some_and(|o| trait_values_equal(k, v, o)))
    }
}

/// Whether two values of trait `id` are equal as Smithy's trait classes compare them: node
/// equality (object member order does not count), except for the traits whose Java class
/// defines its own `equals`: `@examples` is a set of examples (order does not count), `@http`
/// defaults `code` to 200, `@retryable` defaults `throttling` to false.
pub fn trait_values_equal(id: &str, a: &Node, b: &Node) -> bool {
    if a == b {
        return true;
    }
    match id {
        "smithy.api#examples" => match (a.as_array(), b.as_array()) {
            // `ExamplesTrait.equals`: same size, and one contains all of the other's examples.
            (Some(x), Some(y)) => x.len() == y.len() && y.iter().all(|e| x.iter().any(|f| examples_equal(e, f))),
            _ => false,
        },
        "smithy.api#http" => {
            let code = |n: &Node| n.get("code").cloned().unwrap_or(Node::Number("200".into()));
            a.get("method") == b.get("method") && a.get("uri") == b.get("uri") && code(a) == code(b)
        }
        "smithy.api#retryable" => {
            let throttling = |n: &Node| n.get("throttling").and_then(Node::as_bool).unwrap_or(false);
            throttling(a) == throttling(b)
        }
        _ => false,
    }
}

/// `ExamplesTrait.Example.equals`: the fields it reads, with its defaults (`input` `{}`,
/// `allowConstraintErrors` false); other keys do not count.
fn examples_equal(a: &Node, b: &Node) -> bool {
    let empty = Node::Object(Vec::new());
    let field = |n: &Node, k: &str| n.get(k).cloned();
    ["title", "documentation", "output", "error"].iter().all(|k| field(a, k) == field(b, k))
        && a.get("input").unwrap_or(&empty) == b.get("input").unwrap_or(&empty)
        && a.get("allowConstraintErrors").and_then(Node::as_bool).unwrap_or(false)
            == b.get("allowConstraintErrors").and_then(Node::as_bool).unwrap_or(false)
}

/// A member of a structure, union, list, set, map, enum or intEnum. Equality is semantic: the
/// line a member sits on is not part of it.
#[derive(Debug, Clone)]
pub struct Member {
    pub name: String,
    pub target: String,
    pub traits: Traits,
    /// 1-based line of the member's key (of the shape for members copied from a mixin).
    pub line: u32,
}

impl PartialEq for Member {
    fn eq(&self, other: &Member) -> bool {
        self.name == other.name && self.target == other.target && self.traits == other.traits
    }
}

/// A top-level shape. Fields that do not apply to its type are empty.
#[derive(Debug, Clone)]
pub struct Shape {
    pub id: String,
    pub kind: ShapeType,
    pub traits: Traits,
    pub members: Vec<Member>,
    pub mixins: Vec<String>,
    pub line: u32,
    /// The model file that defines the shape (where its `line` is).
    pub file: Arc<str>,
    // service
    pub version: Option<String>,
    pub operations: Vec<String>,
    pub resources: Vec<String>,
    pub errors: Vec<String>,
    pub rename: BTreeMap<String, String>,
    // resource
    pub identifiers: BTreeMap<String, String>,
    pub properties: BTreeMap<String, String>,
    pub lifecycle: BTreeMap<String, String>,
    pub collection_operations: Vec<String>,
    // operation
    pub input: String,
    pub output: String,
}

/// `smithy.api#Unit`: the implicit input and output of an operation.
pub const UNIT: &str = "smithy.api#Unit";

impl Shape {
    fn new(id: String, kind: ShapeType, line: u32, file: Arc<str>) -> Shape {
        Shape {
            id,
            kind,
            traits: Traits::default(),
            members: Vec::new(),
            mixins: Vec::new(),
            line,
            file,
            version: None,
            operations: Vec::new(),
            resources: Vec::new(),
            errors: Vec::new(),
            rename: BTreeMap::new(),
            identifiers: BTreeMap::new(),
            properties: BTreeMap::new(),
            lifecycle: BTreeMap::new(),
            collection_operations: Vec::new(),
            input: UNIT.to_string(),
            output: UNIT.to_string(),
        }
    }

    pub fn member(&self, name: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.name == name)
    }

    /// All operations bound directly (service/resource `operations`, resource lifecycle and
    /// collection operations), like Smithy's `EntityShape.getAllOperations`.
    pub fn all_operations(&self) -> Vec<&str> {
        let mut out: Vec<&str> = self.operations.iter().map(String::as_str).collect();
        out.extend(self.collection_operations.iter().map(String::as_str));
        out.extend(self.lifecycle.values().map(String::as_str));
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Whether two versions of a shape are equal in everything smithy-diff compares.
    pub fn same_as(&self, other: &Shape) -> bool {
        fn set_eq(a: &[String], b: &[String]) -> bool {
            let x: HashSet<&String> = a.iter().collect();
            let y: HashSet<&String> = b.iter().collect();
            x == y
        }
        self.kind == other.kind
            && self.traits == other.traits
            && self.mixins == other.mixins
            // Member lines are where they are written, not what they are: a shape whose members
            // only moved in the file (an insertion above it) is not changed.
            && self.members.len() == other.members.len()
            && self
                .members
                .iter()
                .zip(&other.members)
                .all(|(a, b)| a.name == b.name && a.target == b.target && a.traits == b.traits)
            && self.version == other.version
            && set_eq(&self.operations, &other.operations)
            && set_eq(&self.resources, &other.resources)
            && self.errors == other.errors
            && self.rename == other.rename
            && self.identifiers == other.identifiers
            && self.properties == other.properties
            && self.lifecycle == other.lifecycle
            && set_eq(&self.collection_operations, &other.collection_operations)
            && self.input == other.input
            && self.output == other.output
    }
}

/// A parsed and resolved Smithy model.
#[derive(Debug, Clone, Default)]
pub struct Model {
    /// `"smithy"` version string as written ("1.0", "2.0", ...).
    pub version: String,
    pub metadata: BTreeMap<String, Node>,
    /// Every shape defined in the file (or in the files assembled together), by absolute id.
    pub shapes: BTreeMap<String, Shape>,
    /// The file and line that define each metadata key (the first one, when files merge a key).
    pub metadata_at: BTreeMap<String, (Arc<str>, u32)>,
    /// The shapes a span-indexed read left unread (see [`prune`]); `None` for a full read.
    pub unread: Option<Arc<Unread>>,
}

/// The shapes a span-indexed read left out of a model, and whether anything asked for one: the
/// caller then reads the models in full, so leaving shapes out never changes an answer.
/// Each unread shape's type is kept: walking bindings (which operations a service contains) needs
/// only that.
#[derive(Debug, Default)]
pub struct Unread {
    ids: Arc<Kinds>,
    /// Of `ids`, those that were read after all, by their positions in it (sorted): a batch of a
    /// diff in batches shares its side's list of every id ([`prune::Batches`]) instead of
    /// copying what it leaves out.
    read: Option<Arc<Vec<u32>>>,
    /// The unread ids something asked for.
    asked: std::sync::Mutex<BTreeSet<String>>,
}

impl Unread {
    pub fn new(ids: Kinds) -> Unread {
        Unread { ids: Arc::new(ids), read: None, asked: Default::default() }
    }

    /// The ids of `all` that are not at the positions `read` (sorted, each a position of `all`).
    pub fn except(all: Arc<Kinds>, read: Arc<Vec<u32>>) -> Unread {
        Unread { ids: all, read: Some(read), asked: Default::default() }
    }

    /// The type of an unread shape.
    pub fn get(&self, id: &str) -> Option<ShapeType> {
        let at = self.ids.index_of(id)?;
        if self.read.as_ref().is_some_and(|r| r.binary_search(&(at as u32)).is_ok()) {
            return None;
        }
        Some(self.ids.ids[at].2)
    }

    pub fn contains(&self, id: &str) -> bool {
        self.get(id).is_some()
    }

    /// How many shapes are unread.
    pub fn len(&self) -> usize {
        match &self.read {
            None => self.ids.len(),
            Some(read) => self.ids.len().saturating_sub(read.len()),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn asked(&self) -> std::sync::MutexGuard<'_, BTreeSet<String>> {
        self.asked.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Shape ids and their types, sorted by id, the ids in one string: what a span-indexed read of a
/// 100 MB model leaves unread is a few hundred thousand ids, one allocation instead of one each.
#[derive(Debug, Default)]
pub struct Kinds {
    text: String,
    /// (start in `text`, length, type), in id order.
    ids: Vec<(u32, u32, ShapeType)>,
}

impl Kinds {
    /// Adds an id after every id added so far (in sorted order; one out of order, or past 4 GiB
    /// of ids, is ignored).
    pub fn push(&mut self, id: &str, kind: ShapeType) {
        let (Ok(start), Ok(len)) = (u32::try_from(self.text.len()), u32::try_from(id.len())) else { return };
        if self.ids.last().is_some_and(|&l| self.id(l) >= id) {
            debug_assert!(false, "Kinds::push out of order: {id}");
            return;
        }
        self.ids.push((start, len, kind));
        self.text.push_str(id);
    }

    /// Gives back what growing left unused (a list kept for a whole diff).
    pub fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
        self.ids.shrink_to_fit();
    }

    fn id(&self, (start, len, _): (u32, u32, ShapeType)) -> &str {
        self.text.get(start as usize..start as usize + len as usize).unwrap_or("")
    }

    pub fn get(&self, id: &str) -> Option<ShapeType> {
        Some(self.ids[self.index_of(id)?].2)
    }

    /// Where `id` is in the id order.
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.ids.binary_search_by(|&e| self.id(e).cmp(id)).ok()
    }

    pub fn contains(&self, id: &str) -> bool {
        self.get(id).is_some()
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Every id with its type, in id order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, ShapeType)> {
        self.ids.iter().map(|&e| (self.id(e), e.2))
    }
}

/// One model file as written: its shapes with mixins not yet resolved, and its `apply`
/// statements not yet applied. [`resolve`] makes a [`Model`] of one file;
/// [`assemble::assemble`] makes one of many.
#[derive(Debug, Clone)]
pub struct ModelFile {
    pub path: Arc<str>,
    pub model: Model,
    pub applies: Vec<Apply>,
    /// Byte offset of each shape's key, for errors.
    offsets: HashMap<String, u32>,
}

/// An `apply` statement (or a JSON AST `"type": "apply"` entry).
#[derive(Debug, Clone)]
pub struct Apply {
    /// `ns#Shape` or `ns#Shape$member`.
    pub target: String,
    pub traits: Traits,
    pub line: u32,
    offset: u32,
}

impl ModelFile {
    /// Namespaces this file defines shapes in, and namespaces it points at outside itself
    /// (targets, mixins, bindings, `apply` targets), the bundled trait libraries left out: what
    /// links files into one assembly.
    pub fn namespaces(&self) -> (BTreeSet<String>, BTreeSet<String>) {
        let ns = |id: &str| id.split_once('#').map(|(n, _)| n.to_string());
        // Copies of bundled shapes link nothing: every side has the bundled libraries.
        let defined: BTreeSet<String> =
            self.model.shapes.keys().filter(|id| bundled::shape(id).is_none()).filter_map(|id| ns(id)).collect();
        let mut referenced = BTreeSet::new();
        let mut refer = |id: &str| {
            let root = id.split_once('$').map_or(id, |(r, _)| r);
            if !self.model.shapes.contains_key(root)
                && bundled::shape(root).is_none()
                && let Some(n) = ns(root)
                && !defined.contains(&n)
            {
                referenced.insert(n);
            }
        };
        for s in self.model.shapes.values() {
            for m in &s.members {
                refer(&m.target);
            }
            for id in s
                .mixins
                .iter()
                .chain(&s.operations)
                .chain(&s.resources)
                .chain(&s.errors)
                .chain(&s.collection_operations)
                .chain(s.lifecycle.values())
                .chain(s.identifiers.values())
                .chain(s.properties.values())
                .chain([&s.input, &s.output])
            {
                refer(id);
            }
        }
        for a in &self.applies {
            refer(&a.target);
        }
        (defined, referenced)
    }
}

impl Model {
    /// Service shape ids, sorted.
    pub fn services(&self) -> Vec<String> {
        self.shapes.values().filter(|s| s.kind == ShapeType::Service).map(|s| s.id.clone()).collect()
    }

    /// 1-based line of a shape's key in the file; for `ns#Shape$member` the member's line.
    pub fn line_of(&self, shape_id: &str) -> Option<u32> {
        match shape_id.split_once('$') {
            Some((container, member)) => {
                let shape = self.shapes.get(container)?;
                Some(shape.member(member).map_or(shape.line, |m| m.line))
            }
            None => self.shapes.get(shape_id).map(|s| s.line),
        }
    }

    /// A shape by id. Asking for one a span-indexed read left unread is remembered (see
    /// [`Model::asked_unread`]): read access outside `parse` goes through here or [`Model::has`].
    pub fn shape(&self, id: &str) -> Option<&Shape> {
        let found = self.shapes.get(id);
        if found.is_none() {
            self.note_unread(id);
        }
        found
    }

    /// Whether the model defines a shape (remembered as [`Model::shape`] remembers).
    pub fn has(&self, id: &str) -> bool {
        self.shape(id).is_some()
    }

    /// The type of a shape the model defines, read or not (asking for it is not asking for the
    /// shape).
    pub fn kind_of(&self, id: &str) -> Option<ShapeType> {
        match self.shapes.get(id) {
            Some(s) => Some(s.kind),
            None => self.unread.as_ref().and_then(|u| u.get(id)),
        }
    }

    fn note_unread(&self, id: &str) {
        if let Some(u) = &self.unread
            && u.contains(id)
        {
            u.asked().insert(id.to_string());
        }
    }

    /// Whether something asked for a shape this model left unread: its answers may be wrong, and
    /// the models must be read in full (or with those shapes, see [`prune::Batches`]).
    pub fn asked_unread(&self) -> bool {
        self.unread.as_ref().is_some_and(|u| !u.asked().is_empty())
    }

    /// The unread shapes something asked for, sorted.
    pub fn asked_ids(&self) -> Vec<String> {
        self.unread.as_ref().map(|u| u.asked().iter().cloned().collect()).unwrap_or_default()
    }
}

/// Cheap check used for auto-detection (the pipeline's classifier and `init`): a JSON document
/// is a Smithy JSON AST when it is a top-level object with both a `"smithy"` and a `"shapes"`
/// key. Scans top-level keys only, without building a value, and stops as soon as both are seen.
pub fn looks_like_smithy(bytes: &[u8]) -> bool {
    let (mut smithy, mut shapes) = (false, false);
    let mut depth = 0usize;
    let mut i = 0;
    let n = bytes.len();
    // Skip BOM and leading whitespace; must open an object.
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        i = 3;
    }
    while i < n && bytes[i].is_ascii_whitespace() {
        i += 1;
    }
    if i >= n || bytes[i] != b'{' {
        return false;
    }
    let mut expect_key = false;
    while i < n {
        match bytes[i] {
            b'{' | b'[' => {
                depth += 1;
                expect_key = bytes[i] == b'{' && depth == 1;
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            b',' if depth == 1 => expect_key = true,
            b'"' => {
                let start = i + 1;
                i += 1;
                while i < n && bytes[i] != b'"' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                if depth == 1 && expect_key {
                    match bytes.get(start..i.min(n)) {
                        Some(b"smithy") => smithy = true,
                        Some(b"shapes") => shapes = true,
                        _ => {}
                    }
                    if smithy && shapes {
                        return true;
                    }
                    expect_key = false;
                }
            }
            _ => {}
        }
        i += 1;
    }
    false
}

/// Whether a path names a Smithy IDL file (`*.smithy`): every one is a model file.
pub fn is_idl_path(path: &str) -> bool {
    path.ends_with(".smithy")
}

/// Parses a model file in the syntax its name says: Smithy IDL for `*.smithy`, JSON AST
/// otherwise.
pub fn parse_file(path: &str, bytes: &[u8]) -> Result<Model, SmithyError> {
    if is_idl_path(path) { idl::parse(path, bytes) } else { parse(path, bytes) }
}

/// Parses a Smithy JSON AST document. `path` is only used in error messages.
pub fn parse(path: &str, bytes: &[u8]) -> Result<Model, SmithyError> {
    let mut model = resolve(read_json(path, bytes)?, bytes)?;
    drop_mistyped_traits(&mut model);
    bundled::fold_copies(&mut model);
    Ok(model)
}

/// Reads a JSON AST document as written (nothing applied or resolved): one file of an assembly.
pub fn read_json(path: &str, bytes: &[u8]) -> Result<ModelFile, SmithyError> {
    let root = node::parse(bytes).map_err(|e| json_error(path, bytes, e))?;
    build(path, bytes, root, false)
}

/// Reads a JSON AST document as [`read_json`] does, building only the `shapes` entries whose key
/// is `wanted` (the others are skipped unread: see [`prune`]). Errors only describe what was
/// read; the caller reads the whole file when it needs the full answer.
///
/// Each wanted shape is built as soon as it is parsed and its value dropped, so no more than one
/// shape's value is held at a time (a batch of a rewritten 100 MB model held 50 MB of them).
pub fn read_json_wanted(path: &str, bytes: &[u8], wanted: &dyn Fn(&str) -> bool) -> Result<ModelFile, SmithyError> {
    let lines = crate::text::LineIndex::new(bytes);
    let mut b = Builder { path, file: Arc::from(path), bytes, lines: &lines, idl: false };
    let mut reads = Vec::new();
    let mut failed = None;
    let root = node::parse_shapes_apart(bytes, wanted, &mut |e| match b.entry(e) {
        Ok(read) => {
            reads.push(read);
            true
        }
        Err(e) => {
            failed = Some(e);
            false
        }
    });
    if let Some(e) = failed {
        return Err(e);
    }
    let root = root.map_err(|e| json_error(path, bytes, e))?;
    // The rest of the document (version, metadata) with its `shapes` left empty, then the
    // shapes in the order they were read.
    let mut file = b.model(root)?;
    for read in reads {
        file.add(read);
    }
    Ok(file)
}

/// Where one `shapes` entry is in its file: its key's offset and (1-based) line, and its
/// value's byte range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub key_at: u32,
    pub line: u32,
    pub value: std::ops::Range<u32>,
}

/// [`read_json_wanted`] of the `shapes` entries at these places (in file order), given the rest
/// of the file as [`read_json_wanted`] read it with nothing wanted (`root`): each entry parsed
/// from its own bytes, read from the packed file, without walking the file. `None` when an
/// entry does not read as the scan said (the caller reads the file in full, which says why).
pub fn read_json_at<'p>(
    path: &str,
    root: &ModelFile,
    places: impl IntoIterator<Item = &'p Place>,
    bytes: &mut crate::packed::Reader<'_>,
) -> Option<ModelFile> {
    let mut file = root.clone();
    for p in places {
        let (key_at, start, end) = (p.key_at as usize, p.value.start as usize, p.value.end as usize);
        let part = bytes.get(key_at..end)?;
        let lines = crate::text::LineIndex::part(part, key_at, p.line);
        let b = Builder { path, file: root.path.clone(), bytes: part, lines: &lines, idl: false };
        let (Node::String(key), _) = node::parse_value_in(part, 0, 2, key_at).ok()? else { return None };
        let (value, at) = node::parse_value_in(part, start.checked_sub(key_at)?, 2, key_at).ok()?;
        if at != part.len() {
            return None;
        }
        // An error here is dropped, never shown: its offsets are the file's, its text the part.
        file.add(b.entry(Entry { key, offset: p.key_at, value }).ok()?);
    }
    Some(file)
}

/// Whether [`read_json`] accepts the document, one shape at a time: each shape is built and
/// dropped, so a large model is checked in a fraction of the memory reading it takes.
pub fn validates(path: &str, bytes: &[u8]) -> bool {
    // Lines only go into what is built, and nothing built is kept.
    let lines = crate::text::LineIndex::new(b"");
    let b = Builder { path, file: Arc::from(path), bytes, lines: &lines, idl: false };
    if let Some(index) = scan::index(bytes) {
        // The document with every shape skipped (its structure, the `shapes` keys unique), and
        // each shape's bytes read on their own, on every core: when every span the scan found
        // is a strict JSON value, the reader's skips end where the scan's spans do.
        use rayon::prelude::*;
        if read_json_wanted(path, bytes, &|_| false).is_err() {
            return false;
        }
        return index.entries.par_chunks(64).all(|chunk| {
            chunk.iter().all(|e| {
                let Some(raw) = bytes.get(e.span.clone()) else { return false };
                let Ok(value) = node::parse_at_depth(raw, 2) else { return false };
                let offset = u32::try_from(e.span.start).unwrap_or(u32::MAX);
                b.entry(Entry { key: e.id.to_string(), offset, value }).is_ok()
            })
        });
    }
    let mut ok = true;
    let root = node::parse_shapes_apart(bytes, &|_| true, &mut |e| {
        ok = b.entry(e).is_ok();
        ok
    });
    let Ok(root) = root else { return false };
    // The rest of the document: version, metadata, `shapes` being an object.
    let mut b = b;
    ok && b.model(root).is_ok()
}

fn json_error(path: &str, bytes: &[u8], e: node::SyntaxError) -> SmithyError {
    SmithyError::Json {
        message: format!("{path}: invalid JSON: {}", e.message),
        src: named_source(path, bytes),
        span: (e.offset, 0).into(),
    }
}

/// Builds the file from a JSON AST document whose entry offsets point into `bytes` (the JSON
/// file itself, or the `.smithy` file the IDL reader translated).
fn build(path: &str, bytes: &[u8], root: Node, idl: bool) -> Result<ModelFile, SmithyError> {
    let lines = crate::text::LineIndex::new(bytes);
    let mut b = Builder { path, file: Arc::from(path), bytes, lines: &lines, idl };
    b.model(root)
}

/// Resolves one file on its own: `apply` statements, then mixins, then `apply` to members that
/// only exist after mixins. An `apply` to a shape another file defines (smithy-rs keeps
/// `s3-tests.smithy` next to `s3.json`) is left out, as Smithy loading the file alone leaves it
/// ("applied to unknown shape"); a member missing from a shape this file defines, or a mixin
/// this file does not define, is an error. [`assemble::assemble`] resolves across files.
pub fn resolve(file: ModelFile, bytes: &[u8]) -> Result<Model, SmithyError> {
    let ModelFile { path, mut model, applies, offsets } = file;
    let lines = crate::text::LineIndex::new(b"");
    let b = Builder { path: &path, file: path.clone(), bytes, lines: &lines, idl: is_idl_path(&path) };
    let mut pending = Vec::new();
    for a in applies {
        if !apply(&mut model, &a.target, &a.traits) {
            pending.push(a);
        }
    }
    resolve_mixins(&mut model).map_err(|(id, msg)| b.err(offsets.get(&id).copied().unwrap_or(0), msg))?;
    for a in pending {
        let container = a.target.split_once('$').map_or(a.target.as_str(), |(c, _)| c);
        if !apply(&mut model, &a.target, &a.traits) && model.shapes.contains_key(container) {
            return Err(b.err(a.offset, format!("`apply` targets `{}`, which is not defined in this file", a.target)));
        }
    }
    if model.version.starts_with('1') {
        upgrade_v1(&mut model, |_| true);
    }
    Ok(model)
}

/// Upgrades the shapes of Smithy 1.0 files (`is_v1`) to 2.0 as Smithy's loader does
/// (`ModelInteropTransformer`), so a 1.0 model and its 2.0 rewrite diff as equal:
///
/// * a byte, short, integer, long, float, double or boolean shape that is not `@box` gets
///   `@default` of its zero value (0 or false): in 1.0 such shapes were non-nullable;
/// * a structure member that targets such a shape, or a streaming blob and is not `@required`,
///   gets `@default` of the zero value unless the member or its target is boxed (a 2.0 shape
///   such as the prelude's `Integer` is boxed when it has no zero default); a `@box` member gets
///   `@default(null)`;
/// * then `@box` is dropped: the defaults now say what it said, and Smithy puts a synthetic
///   `@box` on the 2.0 shapes that match, which smithy-diff never reports.
pub(crate) fn upgrade_v1(model: &mut Model, is_v1: impl Fn(&Shape) -> bool) {
    const BOX: &str = "smithy.api#box";
    const DEFAULT: &str = "smithy.api#default";
    fn zero(kind: ShapeType) -> Option<Node> {
        use ShapeType::*;
        match kind {
            Boolean => Some(Node::Bool(false)),
            Byte | Short | Integer | IntEnum | Long | Float | Double => Some(Node::Number("0".into())),
            _ => None,
        }
    }
    fn is_zero(value: Option<&Node>, kind: ShapeType) -> bool {
        match (value, kind) {
            (Some(Node::Bool(b)), ShapeType::Boolean) => !*b,
            (Some(Node::Number(n)), _) if kind != ShapeType::Boolean && zero(kind).is_some() => {
                n.parse::<f64>().is_ok_and(|v| v == 0.0)
            }
            _ => false,
        }
    }
    let v1: Vec<String> = model.shapes.values().filter(|s| is_v1(s)).map(|s| s.id.clone()).collect();
    if v1.is_empty() {
        return;
    }
    let v1_set: HashSet<&str> = v1.iter().map(String::as_str).collect();
    // Whether a member's target is boxed, after the root shapes' own upgrade.
    let boxed = |model: &Model, id: &str| -> Option<(ShapeType, bool, bool)> {
        let t = model.shapes.get(id).or_else(|| bundled::shape(id))?;
        let streaming = t.traits.has("smithy.api#streaming");
        let boxed = if v1_set.contains(id) {
            t.traits.has(BOX)
        } else {
            t.traits.has(BOX) || !is_zero(t.traits.get(DEFAULT), t.kind)
        };
        Some((t.kind, boxed, streaming))
    };
    let mut member_defaults: Vec<(String, usize, Node)> = Vec::new();
    for id in &v1 {
        let s = &model.shapes[id];
        if s.kind != ShapeType::Structure {
            continue;
        }
        for (i, m) in s.members.iter().enumerate() {
            let Some((kind, target_boxed, streaming)) = boxed(model, &m.target) else { continue };
            let blob_default = kind == ShapeType::Blob && streaming && !m.traits.has("smithy.api#required");
            let value = if blob_default { Some(Node::String(String::new())) } else { zero(kind) };
            match value {
                Some(v) if !m.traits.has(DEFAULT) && !m.traits.has(BOX) && !target_boxed => {
                    member_defaults.push((id.clone(), i, v));
                }
                _ if m.traits.has(BOX) => member_defaults.push((id.clone(), i, Node::Null)),
                _ => {}
            }
        }
    }
    for (id, i, v) in member_defaults {
        if let Some(s) = model.shapes.get_mut(&id) {
            s.members[i].traits.set(DEFAULT, v);
        }
    }
    for id in &v1 {
        let s = model.shapes.get_mut(id).expect("ids come from the model");
        if let Some(v) = zero(s.kind)
            && !s.traits.has(BOX)
            && !s.traits.has(DEFAULT)
        {
            s.traits.set(DEFAULT, v);
        }
        s.traits.0.retain(|(k, _)| k != BOX);
        for m in &mut s.members {
            m.traits.0.retain(|(k, _)| k != BOX);
        }
    }
}

/// Drops every trait whose value is not the kind of node its definition's shape type takes (a
/// list trait given a string, a structure trait given a number, ...). Smithy cannot create such
/// a trait: it reports a validation error and the shape has no such trait, so smithy-diff sees
/// the trait removed (`smithy.api#enum` replaced by `"x"` is `TraitBreakingChange.Remove`).
pub(crate) fn drop_mistyped_traits(model: &mut Model) {
    fn fits(kind: ShapeType, value: &Node) -> bool {
        use ShapeType::*;
        match value {
            Node::Null => true,
            Node::Bool(_) => matches!(kind, Boolean | Document),
            Node::Number(_) => {
                matches!(
                    kind,
                    Byte | Short
                        | Integer
                        | IntEnum
                        | Long
                        | Float
                        | Double
                        | BigInteger
                        | BigDecimal
                        | Timestamp
                        | Document
                )
            }
            Node::String(_) => matches!(kind, String | Enum | Blob | Timestamp | Document | BigInteger | BigDecimal),
            Node::Array(_) => matches!(kind, List | Set | Document),
            Node::Object(_) => matches!(kind, Structure | Union | Map | Document),
        }
    }
    let kind_of = |model: &Model, id: &str| -> Option<ShapeType> {
        let def = model.shapes.get(id).or_else(|| bundled::shape(id))?;
        def.traits.has("smithy.api#trait").then_some(def.kind)
    };
    let mut drops: Vec<(String, Option<String>, String)> = Vec::new();
    for shape in model.shapes.values() {
        let mut check = |member: Option<&str>, traits: &Traits| {
            for (id, value) in traits.iter() {
                if kind_of(model, id).is_some_and(|k| !fits(k, value)) {
                    drops.push((shape.id.clone(), member.map(str::to_string), id.to_string()));
                }
            }
        };
        check(None, &shape.traits);
        for m in &shape.members {
            check(Some(&m.name), &m.traits);
        }
    }
    for (shape, member, id) in drops {
        let Some(s) = model.shapes.get_mut(&shape) else { continue };
        let traits = match &member {
            Some(name) => match s.members.iter_mut().find(|m| &m.name == name) {
                Some(m) => &mut m.traits,
                None => continue,
            },
            None => &mut s.traits,
        };
        traits.0.retain(|(k, _)| *k != id);
    }
}

fn named_source(path: &str, bytes: &[u8]) -> NamedSource<String> {
    NamedSource::new(path, String::from_utf8_lossy(bytes).into_owned())
}

struct Builder<'a> {
    path: &'a str,
    file: Arc<str>,
    bytes: &'a [u8],
    lines: &'a crate::text::LineIndex<'a>,
    /// The document was translated from the IDL: errors name the IDL position.
    idl: bool,
}

type Res<T> = Result<T, SmithyError>;

/// What one entry of `shapes` is. Moved out as soon as it is made, never stored.
#[allow(clippy::large_enum_variant)]
enum Read {
    Apply(Apply),
    /// The shape and the byte offset of its key.
    Shape(Shape, u32),
}

impl ModelFile {
    /// Adds one `shapes` entry as read: an `apply` after those before it, a shape by its id.
    fn add(&mut self, read: Read) {
        match read {
            Read::Apply(a) => self.applies.push(a),
            Read::Shape(shape, offset) => {
                self.offsets.insert(shape.id.clone(), offset);
                self.model.shapes.insert(shape.id.clone(), shape);
            }
        }
    }
}

impl Builder<'_> {
    fn err(&self, offset: u32, message: impl Into<String>) -> SmithyError {
        if self.idl {
            return idl::error(self.path, self.bytes, offset as usize, &message.into());
        }
        SmithyError::Model {
            message: format!("{}: not a valid Smithy JSON AST model: {}", self.path, message.into()),
            src: named_source(self.path, self.bytes),
            span: (offset as usize, 0).into(),
        }
    }

    fn object<'n>(&self, node: &'n Node, offset: u32, what: &str) -> Res<&'n [Entry]> {
        node.as_object()
            .ok_or_else(|| self.err(offset, format!("{what} must be an object, found {}", node.type_name())))
    }

    /// An object's entries, taken: the model keeps the document's values instead of copies.
    fn entries(&self, node: Node, offset: u32, what: &str) -> Res<Vec<Entry>> {
        match node {
            Node::Object(entries) => Ok(entries),
            other => Err(self.err(offset, format!("{what} must be an object, found {}", other.type_name()))),
        }
    }

    fn string<'n>(&self, node: &'n Node, offset: u32, what: &str) -> Res<&'n str> {
        node.as_str().ok_or_else(|| self.err(offset, format!("{what} must be a string, found {}", node.type_name())))
    }

    /// An absolute root shape id (`ns#Name`): what shapes are defined as and what targets,
    /// mixins, bindings and trait ids name.
    fn shape_id(&self, s: &str, offset: u32, what: &str) -> Res<String> {
        self.checked_id(s, offset, what, false)
    }

    /// `ns#Name`, or with `allow_member` also `ns#Name$member` (only `apply` names members).
    fn checked_id(&self, s: &str, offset: u32, what: &str, allow_member: bool) -> Res<String> {
        self.check_id(s, offset, what, allow_member)?;
        Ok(s.to_string())
    }

    /// [`Builder::checked_id`] without the copy.
    fn check_id(&self, s: &str, offset: u32, what: &str, allow_member: bool) -> Res<()> {
        let valid = match s.split_once('#') {
            Some((ns, rest)) => {
                let (name, member) = match rest.split_once('$') {
                    Some((n, m)) => (n, Some(m)),
                    None => (rest, None),
                };
                ns.split('.').all(is_identifier)
                    && is_identifier(name)
                    && member.is_none_or(|m| allow_member && is_identifier(m))
            }
            None => false,
        };
        if valid {
            Ok(())
        } else {
            Err(self.err(offset, format!("{what} `{s}` is not an absolute shape id (namespace#Name)")))
        }
    }

    /// `{"target": "ns#X"}`
    fn reference(&self, node: &Node, offset: u32, what: &str) -> Res<String> {
        let entries = self.object(node, offset, what)?;
        let target = entries
            .iter()
            .find(|e| e.key == "target")
            .ok_or_else(|| self.err(offset, format!("{what} is missing `target`")))?;
        let s = self.string(&target.value, target.offset, what)?;
        self.shape_id(s, target.offset, what)
    }

    fn references(&self, node: &Node, offset: u32, what: &str) -> Res<Vec<String>> {
        let items = node
            .as_array()
            .ok_or_else(|| self.err(offset, format!("{what} must be an array, found {}", node.type_name())))?;
        items.iter().map(|n| self.reference(n, offset, what)).collect()
    }

    fn reference_map(&self, node: &Node, offset: u32, what: &str) -> Res<BTreeMap<String, String>> {
        let mut out = BTreeMap::new();
        for e in self.object(node, offset, what)? {
            out.insert(e.key.clone(), self.reference(&e.value, e.offset, what)?);
        }
        Ok(out)
    }

    fn traits(&self, node: Node, offset: u32) -> Res<Traits> {
        let mut t = Traits::default();
        for e in self.entries(node, offset, "traits")? {
            self.check_id(&e.key, e.offset, "trait id", false)?;
            // As `Traits::set`: a repeated id (only the IDL can write one) keeps the last value.
            match t.0.iter_mut().find(|(k, _)| *k == e.key) {
                Some(slot) => slot.1 = e.value,
                None => t.0.push((e.key, e.value)),
            }
        }
        Ok(t)
    }

    fn model(&mut self, root: Node) -> Res<ModelFile> {
        let entries = self.entries(root, 0, "the top level of a Smithy model")?;
        let mut model = Model::default();
        let mut shapes_node = None;
        for e in entries {
            match e.key.as_str() {
                "smithy" => {
                    let v = self.string(&e.value, e.offset, "`smithy` (the model version)")?;
                    if !(v == "1" || v == "2" || v.starts_with("1.") || v.starts_with("2.")) {
                        return Err(
                            self.err(e.offset, format!("unsupported Smithy version `{v}` (expected 1.0 or 2.0)"))
                        );
                    }
                    model.version = v.to_string();
                }
                "metadata" => {
                    for m in self.entries(e.value, e.offset, "`metadata`")? {
                        model
                            .metadata_at
                            .insert(m.key.clone(), (self.file.clone(), self.lines.line(m.offset as usize)));
                        model.metadata.insert(m.key, m.value);
                    }
                }
                "shapes" => shapes_node = Some(e),
                _ => {}
            }
        }
        if model.version.is_empty() {
            return Err(self.err(0, "missing the `smithy` version key"));
        }
        let mut file = ModelFile { path: self.file.clone(), model, applies: Vec::new(), offsets: HashMap::new() };
        if let Some(e) = shapes_node {
            for s in self.entries(e.value, e.offset, "`shapes`")? {
                file.add(self.entry(s)?);
            }
        }
        Ok(file)
    }

    /// One entry of `shapes`: a shape, or an `apply` statement.
    fn entry(&self, s: Entry) -> Res<Read> {
        self.check_id(&s.key, s.offset, "shape id", true)?;
        let id = s.key;
        let body = self.entries(s.value, s.offset, "a shape")?;
        let ty = body
            .iter()
            .find(|f| f.key == "type")
            .ok_or_else(|| self.err(s.offset, format!("shape `{id}` has no `type`")))?;
        let ty_name = self.string(&ty.value, ty.offset, "`type`")?;
        if ty_name == "apply" {
            let traits = match body.into_iter().find(|f| f.key == "traits") {
                Some(t) => self.traits(t.value, t.offset)?,
                None => Traits::default(),
            };
            return Ok(Read::Apply(Apply {
                target: id,
                traits,
                line: self.lines.line(s.offset as usize),
                offset: s.offset,
            }));
        }
        // Only `apply` may name a member; a shape is defined by its root id.
        if id.contains('$') {
            return Err(self.err(s.offset, format!("shape id `{id}` is not an absolute shape id (namespace#Name)")));
        }
        let kind = ShapeType::parse(ty_name)
            .ok_or_else(|| self.err(ty.offset, format!("unknown shape type `{ty_name}` for `{id}`")))?;
        Ok(Read::Shape(self.shape(id, kind, body, s.offset)?, s.offset))
    }

    fn shape(&self, id: String, kind: ShapeType, body: Vec<Entry>, offset: u32) -> Res<Shape> {
        let mut shape = Shape::new(id, kind, self.lines.line(offset as usize), self.file.clone());
        for f in body {
            let v = &f.value;
            let o = f.offset;
            match f.key.as_str() {
                "traits" => shape.traits = self.traits(f.value, o)?,
                "mixins" => shape.mixins = self.references(v, o, "`mixins`")?,
                "members"
                    if matches!(
                        kind,
                        ShapeType::Structure | ShapeType::Union | ShapeType::Enum | ShapeType::IntEnum
                    ) =>
                {
                    for m in self.entries(f.value, o, "`members`")? {
                        shape.members.push(self.member(&shape.id, m.key, m.value, m.offset)?);
                    }
                }
                "member" if kind.is_collection() => {
                    shape.members.push(self.member(&shape.id, "member".into(), f.value, o)?)
                }
                "key" | "value" if kind == ShapeType::Map => {
                    shape.members.push(self.member(&shape.id, f.key.clone(), f.value, o)?)
                }
                "version" => shape.version = Some(self.string(v, o, "`version`")?.to_string()),
                "operations" => shape.operations = self.references(v, o, "`operations`")?,
                "resources" => shape.resources = self.references(v, o, "`resources`")?,
                "errors" => shape.errors = self.references(v, o, "`errors`")?,
                "collectionOperations" => {
                    shape.collection_operations = self.references(v, o, "`collectionOperations`")?
                }
                "rename" => {
                    for r in self.object(v, o, "`rename`")? {
                        let to = self.string(&r.value, r.offset, "a rename value")?;
                        shape.rename.insert(r.key.clone(), to.to_string());
                    }
                }
                "identifiers" => shape.identifiers = self.reference_map(v, o, "`identifiers`")?,
                "properties" => shape.properties = self.reference_map(v, o, "`properties`")?,
                "create" | "put" | "read" | "update" | "delete" | "list" => {
                    let target = self.reference(v, o, "a lifecycle operation")?;
                    shape.lifecycle.insert(f.key.clone(), target);
                }
                "input" => shape.input = self.reference(v, o, "`input`")?,
                "output" => shape.output = self.reference(v, o, "`output`")?,
                _ => {}
            }
        }
        if kind == ShapeType::Map {
            // Members in a stable order: key, then value.
            shape.members.sort_by_key(|m| m.name != "key");
        }
        if kind == ShapeType::Enum {
            for m in &mut shape.members {
                if !m.traits.has("smithy.api#enumValue") {
                    m.traits.0.push(("smithy.api#enumValue".to_string(), Node::String(m.name.clone())));
                }
            }
        }
        Ok(shape)
    }

    fn member(&self, container: &str, name: String, node: Node, offset: u32) -> Res<Member> {
        let entries = self.entries(node, offset, "a member")?;
        let mut target = None;
        let mut traits = Traits::default();
        for e in entries {
            match e.key.as_str() {
                "target" => {
                    target = Some(self.shape_id(
                        self.string(&e.value, e.offset, "member target")?,
                        e.offset,
                        "member target",
                    )?)
                }
                "traits" => traits = self.traits(e.value, e.offset)?,
                _ => {}
            }
        }
        let target = target.ok_or_else(|| self.err(offset, format!("member `{container}${name}` has no `target`")))?;
        Ok(Member { name, target, traits, line: self.lines.line(offset as usize) })
    }
}

/// Applies traits to a shape or member; false when the target does not exist (yet).
pub(crate) fn apply(model: &mut Model, target: &str, traits: &Traits) -> bool {
    let (container, member) = match target.split_once('$') {
        Some((c, m)) => (c, Some(m)),
        None => (target, None),
    };
    let Some(shape) = model.shapes.get_mut(container) else {
        return false;
    };
    let slot = match member {
        Some(m) => match shape.members.iter_mut().find(|x| x.name == m) {
            Some(x) => &mut x.traits,
            None => return false,
        },
        None => &mut shape.traits,
    };
    for (k, v) in traits.iter() {
        slot.set(k, v.clone());
    }
    true
}

/// Resolves mixins in dependency order. Errors name a shape that is part of a cycle or uses a
/// mixin that does not exist.
pub(crate) fn resolve_mixins(model: &mut Model) -> Result<(), (String, String)> {
    let with_mixins: Vec<String> =
        model.shapes.values().filter(|s| !s.mixins.is_empty()).map(|s| s.id.clone()).collect();
    if with_mixins.is_empty() {
        return Ok(());
    }
    let mut state: HashMap<String, u8> = HashMap::new(); // 1 = in progress, 2 = done
    for id in with_mixins {
        resolve_one(model, &id, &mut state, 0)?;
    }
    Ok(())
}

fn resolve_one(
    model: &mut Model,
    id: &str,
    state: &mut HashMap<String, u8>,
    depth: usize,
) -> Result<(), (String, String)> {
    match state.get(id) {
        Some(2) => return Ok(()),
        Some(_) => return Err((id.to_string(), format!("mixin cycle through `{id}`"))),
        None => {}
    }
    if depth > 256 {
        return Err((id.to_string(), format!("mixins nested too deeply at `{id}`")));
    }
    state.insert(id.to_string(), 1);
    let mixins = model.shapes.get(id).map(|s| s.mixins.clone()).unwrap_or_default();
    for m in &mixins {
        if !model.shapes.contains_key(m) {
            return Err((id.to_string(), format!("`{id}` uses mixin `{m}`, which is not defined in this file")));
        }
        resolve_one(model, m, state, depth + 1)?;
    }
    let mut shape = model.shapes.remove(id).expect("shape ids come from the model");
    let mut members: Vec<Member> = Vec::new();
    let mut traits = Traits::default();
    for m in &mixins {
        let mixin = model.shapes.get(m).expect("checked above");
        for mm in &mixin.members {
            if let Some(existing) = members.iter_mut().find(|x| x.name == mm.name) {
                *existing = mm.clone();
            } else {
                members.push(Member { line: shape.line, ..mm.clone() });
            }
        }
        let local: Vec<String> = mixin
            .traits
            .get("smithy.api#mixin")
            .and_then(|n| n.get("localTraits"))
            .and_then(Node::as_array)
            .map(|a| a.iter().filter_map(Node::as_str).map(str::to_string).collect())
            .unwrap_or_default();
        for (k, v) in mixin.traits.iter() {
            if k != "smithy.api#mixin" && !local.iter().any(|l| l == k) {
                traits.set(k, v.clone());
            }
        }
        merge_entity(&mut shape, mixin);
    }
    // Local members: a redeclared mixin member keeps its position and gains the local traits.
    for local in std::mem::take(&mut shape.members) {
        if let Some(existing) = members.iter_mut().find(|x| x.name == local.name) {
            for (k, v) in local.traits.iter() {
                existing.traits.set(k, v.clone());
            }
            existing.line = local.line;
        } else {
            members.push(local);
        }
    }
    for (k, v) in shape.traits.iter() {
        traits.set(k, v.clone());
    }
    shape.members = members;
    shape.traits = traits;
    model.shapes.insert(id.to_string(), shape);
    state.insert(id.to_string(), 2);
    Ok(())
}

fn merge_entity(shape: &mut Shape, mixin: &Shape) {
    fn union(into: &mut Vec<String>, from: &[String]) {
        let mut merged: Vec<String> = from.to_vec();
        for x in into.drain(..) {
            if !merged.contains(&x) {
                merged.push(x);
            }
        }
        *into = merged;
    }
    union(&mut shape.operations, &mixin.operations);
    union(&mut shape.resources, &mixin.resources);
    union(&mut shape.errors, &mixin.errors);
    union(&mut shape.collection_operations, &mixin.collection_operations);
    for (k, v) in &mixin.rename {
        shape.rename.entry(k.clone()).or_insert_with(|| v.clone());
    }
    for (k, v) in &mixin.identifiers {
        shape.identifiers.entry(k.clone()).or_insert_with(|| v.clone());
    }
    for (k, v) in &mixin.properties {
        shape.properties.entry(k.clone()).or_insert_with(|| v.clone());
    }
    for (k, v) in &mixin.lifecycle {
        shape.lifecycle.entry(k.clone()).or_insert_with(|| v.clone());
    }
    if shape.version.is_none() {
        shape.version.clone_from(&mixin.version);
    }
    if shape.input == UNIT {
        shape.input.clone_from(&mixin.input);
    }
    if shape.output == UNIT {
        shape.output.clone_from(&mixin.output);
    }
}

#[cfg(test)]
mod tests;

/// Smithy's `identifier`: `((1*"_" (ALPHA / DIGIT)) / ALPHA) *(ALPHA / DIGIT / "_")` (ASCII).
fn is_identifier(s: &str) -> bool {
    let rest = s.trim_start_matches('_');
    let underscored = rest.len() < s.len();
    let mut chars = rest.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || (underscored && c.is_ascii_digit()))
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}
