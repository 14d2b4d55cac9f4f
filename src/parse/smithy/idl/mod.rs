//! Smithy IDL models (`.smithy`, IDL 1.0 and 2.0): bytes in, the same resolved
//! [`Model`](super::Model) the JSON AST reader builds.
//!
//! Three steps: [`lexer`] cuts tokens as Smithy's tokenizer does, [`parser`] reads the grammar
//! into file-local statements (ids as written), and this module resolves every relative shape id
//! the way Smithy does (`use` statements, then a shape of the file's namespace defined in this
//! file or in the other files it is assembled with, then the prelude, else the file's namespace),
//! fills elided member targets from `for` resources and mixins, checks what Smithy's loader
//! rejects (version-specific syntax, conflicting members, empty enums, ...), and emits a JSON AST
//! document whose entries carry the IDL file's byte offsets. The JSON AST builder then applies
//! `apply` statements and mixins exactly as for a `.json` file, so the diff engine never knows
//! which syntax a shape came from, and lines point into the `.smithy` file.
//!
//! Invariants: never panics on any input (fuzzed, see `fuzz/`); nesting is bounded (64 levels,
//! as in Smithy); errors carry the file, line and column, and say what was expected.
pub mod lexer;
pub mod parser;

use super::node::{Entry, Node};
use super::{Model, ModelFile, Shape, ShapeType, SmithyError, bundled};
use parser::{File, RawShape, RawTrait, TraitKind, Val};
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

/// Parses one `.smithy` file on its own (relative ids resolve against this file and the prelude).
pub fn parse(path: &str, bytes: &[u8]) -> Result<Model, SmithyError> {
    parse_with(path, bytes, &Model::default())
}

/// Parses one `.smithy` file assembled with `others` (the shapes of the snapshot's other model
/// files): relative ids and elided targets may name shapes defined there.
pub fn parse_with(path: &str, bytes: &[u8], others: &Model) -> Result<Model, SmithyError> {
    let mut model = parse_against(path, bytes, others, bundled::model())?;
    super::drop_mistyped_traits(&mut model);
    bundled::fold_copies(&mut model);
    Ok(model)
}

/// Parses one `.smithy` file against `others` and the trait `library` (the prelude and the
/// bundled trait libraries; while those are being built from their own IDL, the part built so
/// far).
pub fn parse_against(path: &str, bytes: &[u8], others: &Model, library: &Model) -> Result<Model, SmithyError> {
    super::resolve(read_against(path, bytes, others, library)?, bytes)
}

/// Reads one `.smithy` file as written (ids resolved against `others` and the bundled
/// libraries; `apply` and mixins left for [`super::resolve`] or [`super::assemble::assemble`]).
pub fn read(path: &str, bytes: &[u8], others: &Model) -> Result<ModelFile, SmithyError> {
    read_against(path, bytes, others, bundled::model())
}

fn read_against(path: &str, bytes: &[u8], others: &Model, library: &Model) -> Result<ModelFile, SmithyError> {
    let file = parser::parse(bytes).map_err(|e| error(path, bytes, e.offset, &e.message))?;
    let root =
        Resolver::new(&file, others, library).document(&file).map_err(|e| error(path, bytes, e.offset, &e.message))?;
    super::build(path, bytes, root, true)
}

/// The namespace a `.smithy` file declares, from its syntax alone (`None` when it declares
/// none or does not parse).
pub fn namespace_of(bytes: &[u8]) -> Option<String> {
    parser::parse(bytes).ok()?.namespace
}

pub(super) fn error(path: &str, bytes: &[u8], offset: usize, message: &str) -> SmithyError {
    let (line, column) = crate::text::line_col(bytes, offset);
    SmithyError::Idl {
        message: format!("{path}: {message}"),
        src: super::named_source(path, bytes),
        span: (offset.min(bytes.len()), 0).into(),
        line: line as usize,
        column: column as usize,
    }
}

struct Fail {
    offset: usize,
    message: String,
}

type Res<T> = Result<T, Fail>;

fn fail(offset: u32, message: impl Into<String>) -> Fail {
    Fail { offset: offset as usize, message: message.into() }
}

/// Resolves a file's ids against itself, the other files and the prelude.
struct Resolver<'a> {
    ns: String,
    uses: HashMap<&'a str, &'a str>,
    /// Shapes defined in this file, by absolute id.
    local: HashMap<String, &'a RawShape>,
    others: &'a Model,
    /// The prelude and trait libraries.
    library: &'a Model,
    members_memo: RefCell<HashMap<String, Rc<Members>>>,
    visiting: RefCell<HashSet<String>>,
}

/// Members of a shape with its mixins': (name, target, the member id it comes from).
type Members = Vec<(String, String, String)>;

/// Deepest chain of mixins followed (the JSON AST builder allows the same).
const MAX_MIXIN_DEPTH: usize = 256;

impl<'a> Resolver<'a> {
    fn new(file: &'a File, others: &'a Model, library: &'a Model) -> Resolver<'a> {
        let ns = file.namespace.clone().unwrap_or_default();
        let uses = file.uses.iter().map(|(n, id, _)| (n.as_str(), id.as_str())).collect();
        let local = file.shapes.iter().map(|s| (format!("{ns}#{}", s.name), s)).collect();
        Resolver { ns, uses, local, others, library, members_memo: RefCell::default(), visiting: RefCell::default() }
    }

    fn known(&self, id: &str) -> Option<ShapeType> {
        if let Some(s) = self.local.get(id) {
            return Some(s.kind);
        }
        if let Some(s) = self.others.shapes.get(id) {
            return Some(s.kind);
        }
        self.library.shapes.get(id).map(|s| s.kind)
    }

    fn external(&self, id: &str) -> Option<&'a Shape> {
        match self.others.shapes.get(id) {
            Some(s) => Some(s),
            None => self.library.shapes.get(id),
        }
    }

    /// Smithy's relative shape id resolution; `$member` kept.
    fn resolve(&self, raw: &str) -> String {
        let (root, member) = match raw.split_once('$') {
            Some((r, m)) => (r, Some(m)),
            None => (raw, None),
        };
        let abs = if root.contains('#') {
            root.to_string()
        } else if let Some(u) = self.uses.get(root) {
            (*u).to_string()
        } else {
            let candidate = format!("{}#{root}", self.ns);
            let prelude = format!("smithy.api#{root}");
            if self.known(&candidate).is_some() || !self.library.shapes.contains_key(&prelude) {
                candidate
            } else {
                prelude
            }
        };
        match member {
            Some(m) => format!("{abs}${m}"),
            None => abs,
        }
    }

    fn value(&self, v: &Val) -> Res<Node> {
        self.node_value(v, true)
    }

    /// A trait value, moved into a node (no copies of its strings).
    fn owned_value(&self, v: Val) -> Res<Node> {
        Ok(match v {
            Val::Str(s) => Node::String(s),
            Val::Number(n) => Node::Number(n.into()),
            Val::Array(items) => Node::Array(items.into_iter().map(|i| self.owned_value(i)).collect::<Res<_>>()?),
            Val::Object(entries) => Node::Object(
                entries
                    .into_iter()
                    .map(|(key, offset, v)| Ok(Entry { key, offset, value: self.owned_value(v)? }))
                    .collect::<Res<_>>()?,
            ),
            other => self.node_value(&other, true)?,
        })
    }

    /// A node value; `in_namespace` is false for metadata, written before the namespace.
    fn node_value(&self, v: &Val, in_namespace: bool) -> Res<Node> {
        Ok(match v {
            Val::Null => Node::Null,
            Val::Bool(b) => Node::Bool(*b),
            Val::Number(n) => Node::Number(n.as_str().into()),
            Val::Str(s) => Node::String(s.clone()),
            Val::Id(raw, o) => {
                // Smithy reports an unquoted string that names no shape. Inside a namespace the
                // shape may come from a file or trait library not read here, so it is kept as
                // resolved; before the namespace (metadata) nothing else can define it.
                let prelude = format!("smithy.api#{raw}");
                if in_namespace {
                    Node::String(self.resolve(raw))
                } else if raw.contains('#') {
                    Node::String(raw.clone())
                } else if self.library.shapes.contains_key(&prelude) {
                    Node::String(prelude)
                } else {
                    return Err(fail(
                        *o,
                        format!(
                            "Syntactic shape ID `{raw}` does not resolve to a valid shape ID: `{prelude}`. Did you mean to quote this string?"
                        ),
                    ));
                }
            }
            Val::Array(items) => {
                Node::Array(items.iter().map(|i| self.node_value(i, in_namespace)).collect::<Res<_>>()?)
            }
            Val::Object(entries) => Node::Object(
                entries
                    .iter()
                    .map(|(k, o, v)| Ok(Entry { key: k.clone(), offset: *o, value: self.node_value(v, in_namespace)? }))
                    .collect::<Res<_>>()?,
            ),
        })
    }

    /// A string-valued id as written in a service or resource body (quoted or not).
    fn id_value(&self, v: &Val, offset: u32, what: &str) -> Res<String> {
        match v {
            Val::Str(s) | Val::Id(s, _) => Ok(self.resolve(s)),
            other => Err(fail(offset, format!("{what} must be a shape id, found {}", other.type_name()))),
        }
    }

    fn traits(&self, traits: &[RawTrait], owner: &str) -> Res<Vec<Entry>> {
        let mut out: Vec<Entry> = Vec::new();
        for t in traits {
            let id = self.resolve(&t.name);
            let mut value = self.owned_value(t.value.take())?;
            if t.kind == TraitKind::Annotation && value.is_null() {
                value = match self.known(&id) {
                    Some(ShapeType::List | ShapeType::Set) => Node::Array(Vec::new()),
                    None | Some(ShapeType::Structure | ShapeType::Map) => Node::Object(Vec::new()),
                    Some(_) => Node::Null,
                };
            }
            if let Some(existing) = out.iter_mut().find(|e| e.key == id) {
                match (&mut existing.value, value) {
                    (Node::Array(a), Node::Array(b)) => a.extend(b),
                    (a, b) if *a == b => {}
                    _ => return Err(fail(t.offset, format!("Conflicting `{id}` trait found on shape `{owner}`"))),
                }
                continue;
            }
            out.push(Entry { key: id, offset: t.offset, value });
        }
        Ok(out)
    }

    /// The target of an elided member `$name` of `shape`: from its `for` resource's identifiers
    /// or properties, else from a mixin's member of that name.
    fn elided_target(&self, shape: &RawShape, name: &str, depth: usize) -> Res<Option<String>> {
        if let Some((r, _)) = &shape.for_resource {
            let rid = self.resolve(r);
            if let Some(res) = self.local.get(&rid) {
                if let Some((body, _)) = &res.body {
                    for key in ["identifiers", "properties"] {
                        if let Some(Val::Str(t) | Val::Id(t, _)) = body.get(key).and_then(|m| m.get(name)) {
                            return Ok(Some(self.resolve(t)));
                        }
                    }
                }
            } else if let Some(res) = self.external(&rid)
                && let Some(t) = res.identifiers.get(name).or_else(|| res.properties.get(name))
            {
                return Ok(Some(t.clone()));
            }
        }
        for (m, _) in &shape.mixins {
            if let Some((_, t, _)) = self.all_members(&self.resolve(m), depth + 1)?.iter().find(|(n, _, _)| n == name) {
                return Ok(Some(t.clone()));
            }
        }
        Ok(None)
    }

    /// Every member (name, target, where it was defined) of shape `id` with its mixins',
    /// checking that members inherited under one name agree on their target. Memoized, so
    /// mixin graphs of any shape cost one visit per shape; cycles and deep chains are errors.
    fn all_members(&self, id: &str, depth: usize) -> Res<Rc<Members>> {
        if let Some(m) = self.members_memo.borrow().get(id) {
            return Ok(m.clone());
        }
        let Some(raw) = self.local.get(id) else {
            return Ok(Rc::new(
                self.external(id)
                    .map(|s| {
                        s.members
                            .iter()
                            .map(|m| (m.name.clone(), m.target.clone(), format!("{id}${}", m.name)))
                            .collect()
                    })
                    .unwrap_or_default(),
            ));
        };
        if depth > MAX_MIXIN_DEPTH {
            return Err(fail(raw.offset, format!("mixins nested too deeply at `{id}`")));
        }
        if !self.visiting.borrow_mut().insert(id.to_string()) {
            return Err(fail(raw.offset, format!("mixin cycle through `{id}`")));
        }
        let mut out: Members = Vec::new();
        for (m, _) in &raw.mixins {
            let mid = self.resolve(m);
            for (name, target, from) in self.all_members(&mid, depth + 1)?.iter() {
                match out.iter().find(|(n, _, _)| n == name) {
                    Some((_, t, _)) if t != target => {
                        return Err(fail(
                            raw.offset,
                            format!("{id}${name}: Member conflicts with an inherited mixin member: `{from}`"),
                        ));
                    }
                    Some(_) => {}
                    None => out.push((name.clone(), target.clone(), from.clone())),
                }
            }
        }
        for m in &raw.members {
            let target = match &m.target {
                Some((t, _)) => self.resolve(t),
                None => match self.elided_target(raw, &m.name, depth)? {
                    Some(t) => t,
                    None => continue,
                },
            };
            if let Some((_, t, from)) = out.iter().find(|(n, _, _)| *n == m.name) {
                if *t != target {
                    return Err(fail(
                        m.offset,
                        format!("{id}${}: Member conflicts with an inherited mixin member: `{from}`", m.name),
                    ));
                }
                continue;
            }
            out.push((m.name.clone(), target, format!("{id}${}", m.name)));
        }
        self.visiting.borrow_mut().remove(id);
        let out = Rc::new(out);
        self.members_memo.borrow_mut().insert(id.to_string(), out.clone());
        Ok(out)
    }

    fn document(&self, file: &'a File) -> Res<Node> {
        let mut shapes: Vec<Entry> = Vec::with_capacity(file.shapes.len() + file.applies.len());
        let mut seen: HashMap<&str, u32> = HashMap::with_capacity(file.shapes.len());
        for s in &file.shapes {
            if seen.insert(s.name.as_str(), s.offset).is_some() {
                return Err(fail(s.offset, format!("Conflicting shape definition for `{}#{}`", self.ns, s.name)));
            }
            shapes.push(Entry {
                key: format!("{}#{}", self.ns, s.name),
                offset: s.offset,
                value: self.shape(file, s)?,
            });
        }
        for a in &file.applies {
            let target = self.resolve(&a.target);
            let traits = self.traits(&a.traits, &target)?;
            shapes.push(Entry {
                key: target,
                offset: a.offset,
                value: Node::Object(vec![
                    entry("type", a.offset, Node::String("apply".into())),
                    entry("traits", a.offset, Node::Object(traits)),
                ]),
            });
        }
        let metadata = file
            .metadata
            .iter()
            .map(|(k, o, v)| Ok(Entry { key: k.clone(), offset: *o, value: self.node_value(v, false)? }))
            .collect::<Res<Vec<_>>>()?;
        Ok(Node::Object(vec![
            entry("smithy", 0, Node::String(file.version.clone())),
            entry("metadata", 0, Node::Object(metadata)),
            entry("shapes", 0, Node::Object(shapes)),
        ]))
    }

    fn shape(&self, file: &File, s: &RawShape) -> Res<Node> {
        let id = format!("{}#{}", self.ns, s.name);
        let o = s.offset;
        self.check(file, s, &id)?;
        let mut body = vec![entry("type", o, Node::String(s.kind.as_str().into()))];
        let traits = self.traits(&s.traits, &id)?;
        if !file.v2 && traits.iter().any(|t| t.key == "smithy.api#mixin") {
            return Err(fail(
                o,
                format!(
                    "Mixins can only be used in Smithy 2.0 or later. Attempted to apply a @mixin trait to `{id}` in a model file using version `1.0`."
                ),
            ));
        }
        body.push(entry("traits", o, Node::Object(traits)));
        if !s.mixins.is_empty() {
            let targets = s.mixins.iter().map(|(m, mo)| reference(self.resolve(m), *mo)).collect();
            body.push(entry("mixins", o, Node::Array(targets)));
        }
        let mut members = Vec::with_capacity(s.members.len());
        for m in &s.members {
            let target = match &m.target {
                Some((t, _)) => self.resolve(t),
                None => self.elided_target(s, &m.name, 0)?.ok_or_else(|| {
                    fail(
                        m.offset,
                        format!(
                            "{id}${}: Member target was elided, but no bound resource or mixin contained a matching identifier or member name.",
                            m.name
                        ),
                    )
                })?,
            };
            let mtraits = self.traits(&m.traits, &format!("{id}${}", m.name))?;
            let value = Node::Object(vec![
                entry("target", m.offset, Node::String(target)),
                entry("traits", m.offset, Node::Object(mtraits)),
            ]);
            members.push(Entry { key: m.name.clone(), offset: m.offset, value });
        }
        match s.kind {
            ShapeType::List | ShapeType::Set | ShapeType::Map => {
                let allowed: &[&str] = if s.kind == ShapeType::Map { &["key", "value"] } else { &["member"] };
                for m in &members {
                    if !allowed.contains(&m.key.as_str()) {
                        return Err(fail(m.offset, format!("{id}: `{}` is not a member of a {} shape", m.key, s.kind)));
                    }
                }
                body.extend(members);
            }
            ShapeType::Structure | ShapeType::Union | ShapeType::Enum | ShapeType::IntEnum => {
                body.push(entry("members", o, Node::Object(members)));
            }
            ShapeType::Service | ShapeType::Resource => self.entity(s, &id, &mut body)?,
            ShapeType::Operation => {
                if let Some((t, to)) = &s.input {
                    body.push(entry("input", *to, reference(self.resolve(t), *to)));
                }
                if let Some((t, to)) = &s.output {
                    body.push(entry("output", *to, reference(self.resolve(t), *to)));
                }
                if !s.errors.is_empty() {
                    let errors = s.errors.iter().map(|(e, eo)| reference(self.resolve(e), *eo)).collect();
                    body.push(entry("errors", o, Node::Array(errors)));
                }
            }
            _ => {}
        }
        Ok(Node::Object(body))
    }

    fn entity(&self, s: &RawShape, id: &str, body: &mut Vec<Entry>) -> Res<()> {
        let Some((Val::Object(props), _)) = &s.body else {
            return Ok(());
        };
        let is_service = s.kind == ShapeType::Service;
        for (k, ko, v) in props {
            let (k, ko) = (k.as_str(), *ko);
            match (is_service, k) {
                (true, "version") => match v {
                    Val::Str(x) | Val::Id(x, _) => body.push(entry(k, ko, Node::String(x.clone()))),
                    other => return Err(fail(ko, format!("`version` must be a string, found {}", other.type_name()))),
                },
                (_, "operations" | "resources" | "errors" | "collectionOperations") => {
                    let Val::Array(items) = v else {
                        return Err(fail(ko, format!("`{k}` of `{id}` must be a list of shape ids")));
                    };
                    let refs = items.iter().map(|i| Ok(reference(self.id_value(i, ko, k)?, ko))).collect::<Res<_>>()?;
                    body.push(entry(k, ko, Node::Array(refs)));
                }
                (true, "rename") => body.push(entry(k, ko, self.value(v)?)),
                (false, "identifiers" | "properties") => {
                    let Val::Object(map) = v else {
                        return Err(fail(ko, format!("`{k}` of `{id}` must be an object")));
                    };
                    let refs = map
                        .iter()
                        .map(|(n, no, t)| {
                            Ok(Entry { key: n.clone(), offset: *no, value: reference(self.id_value(t, *no, k)?, *no) })
                        })
                        .collect::<Res<_>>()?;
                    body.push(entry(k, ko, Node::Object(refs)));
                }
                (false, "create" | "put" | "read" | "update" | "delete" | "list") => {
                    body.push(entry(k, ko, reference(self.id_value(v, ko, k)?, ko)));
                }
                // Smithy warns about other properties and ignores them.
                _ => {}
            }
        }
        Ok(())
    }

    /// What Smithy's loader and its always-on validators reject in a shape statement.
    fn check(&self, file: &File, s: &RawShape, id: &str) -> Res<()> {
        let o = s.offset;
        match s.kind {
            ShapeType::Enum | ShapeType::IntEnum if !file.v2 => {
                return Err(fail(o, format!("{} shapes cannot be used in Smithy version 1.0", s.kind)));
            }
            ShapeType::Set if file.v2 => return Err(fail(o, "set shapes cannot be used in Smithy version 2.0")),
            _ => {}
        }
        if matches!(s.kind, ShapeType::Enum | ShapeType::IntEnum) {
            if s.members.is_empty() && s.mixins.is_empty() {
                return Err(fail(o, format!("{id}: {} must have at least one entry", s.kind)));
            }
            for m in &s.members {
                let Some(v) = m.traits.iter().find(|t| self.resolve(&t.name) == "smithy.api#enumValue") else {
                    if s.kind == ShapeType::IntEnum && s.mixins.is_empty() {
                        return Err(fail(m.offset, format!("{id}${}: intEnum members require integer values", m.name)));
                    }
                    continue;
                };
                let value = v.value.borrow();
                let bad = match (&*value, s.kind) {
                    (Val::Str(_), ShapeType::Enum) => None,
                    (other, ShapeType::Enum) => Some(format!(
                        "enum members can only be assigned string values, but found: {}",
                        parser::json_of(other)
                    )),
                    (Val::Number(n), _) if n.contains(['.', 'e', 'E']) => {
                        Some("intEnum members do not support floating point values".into())
                    }
                    (Val::Number(n), _) if n.parse::<i32>().is_err() => {
                        Some(format!("intEnum members must fit within an integer, but found: {n}"))
                    }
                    (Val::Number(_), _) => None,
                    (other, _) => {
                        Some(format!("intEnum members require integer values, but found: {}", parser::json_of(other)))
                    }
                };
                if let Some(msg) = bad {
                    return Err(fail(v.offset, format!("{id}${}: {msg}", m.name)));
                }
            }
        }
        let has_mixin_trait = s.traits.iter().any(|t| self.resolve(&t.name) == "smithy.api#mixin");
        if s.mixins.is_empty() && !has_mixin_trait {
            let missing: Vec<&str> = match s.kind {
                ShapeType::List | ShapeType::Set => vec!["member"],
                ShapeType::Map => vec!["key", "value"],
                _ => vec![],
            }
            .into_iter()
            .filter(|n| !s.members.iter().any(|m| m.name == *n))
            .collect();
            if !missing.is_empty() {
                let plural = if missing.len() > 1 { "members" } else { "member" };
                return Err(fail(o, format!("Missing required {plural} of shape `{id}`: {}", missing.join(", "))));
            }
        }
        if let Some((r, ro)) = &s.for_resource {
            let rid = self.resolve(r);
            if let Some(kind) = self.known(&rid)
                && kind != ShapeType::Resource
            {
                return Err(fail(
                    *ro,
                    format!(
                        "The target of the `for` production must be a resource shape, but found a {kind} shape: {rid}"
                    ),
                ));
            }
        }
        let mut wrong: Vec<String> = Vec::new();
        for (m, _) in &s.mixins {
            let mid = self.resolve(m);
            if let Some(kind) = self.known(&mid)
                && kind != s.kind
            {
                wrong.push(format!("`{mid}`"));
            }
        }
        if !wrong.is_empty() {
            return Err(fail(
                o,
                format!(
                    "Mixins may only be mixed into shapes of the same type. The following mixins were applied to the {} shape `{id}` which are not {} shapes: [{}]",
                    s.kind,
                    s.kind,
                    wrong.join(", ")
                ),
            ));
        }
        if has_mixin_trait {
            if s.kind == ShapeType::Operation && (s.input.is_some() || s.output.is_some()) {
                return Err(fail(
                    o,
                    format!(
                        "Operation shapes with the mixin trait MUST target `smithy.api#Unit` for their input and output. Operation mixin shape `{id}` defines one or both of these properties."
                    ),
                ));
            }
            let defines = |key: &str| {
                s.body
                    .as_ref()
                    .and_then(|(b, _)| b.get(key))
                    .is_some_and(|v| !matches!(v, Val::Object(o) if o.is_empty()))
            };
            if s.kind == ShapeType::Resource && (defines("properties") || defines("identifiers")) {
                return Err(fail(
                    o,
                    format!(
                        "Resource shapes with the mixin trait may not define any properties. Resource mixin shape `{id}` defines one or more properties."
                    ),
                ));
            }
        }
        if !s.mixins.is_empty() || s.for_resource.is_some() {
            self.all_members(id, 0)?;
        }
        Ok(())
    }
}

fn entry(key: &str, offset: u32, value: Node) -> Entry {
    Entry { key: key.to_string(), offset, value }
}

fn reference(target: String, offset: u32) -> Node {
    Node::Object(vec![entry("target", offset, Node::String(target))])
}

#[cfg(test)]
mod tests;
