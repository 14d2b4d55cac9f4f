//! The Smithy IDL grammar, statement by statement as Smithy's `IdlModelLoader` reads it (the
//! same whitespace rules, the same token expected at the same place), into a file-local
//! [`File`]: shapes, members, traits and `apply` statements whose shape ids are still written
//! as in the file. [`super::resolve`] turns it into a JSON AST document.
use super::lexer::{Lexer, Tok};
use crate::parse::smithy::ShapeType;
use std::cell::RefCell;

/// Nesting accepted in node values and id lists (Smithy's `MAX_NESTING_LEVEL`).
const MAX_NESTING: usize = 64;

/// A syntax error at a byte offset.
#[derive(Debug, Clone)]
pub struct SyntaxError {
    pub offset: usize,
    pub message: String,
}

type Res<T> = Result<T, SyntaxError>;

/// A node value, with syntactic shape ids (unquoted strings) kept for resolution.
#[derive(Debug, Clone, Default)]
pub enum Val {
    #[default]
    Null,
    Bool(bool),
    Number(String),
    Str(String),
    /// An unquoted shape id, resolved later; the offset is where it was written.
    Id(String, u32),
    Array(Vec<Val>),
    Object(Vec<(String, u32, Val)>),
}

impl Val {
    pub fn get(&self, key: &str) -> Option<&Val> {
        match self {
            Val::Object(e) => e.iter().find(|(k, _, _)| k == key).map(|(_, _, v)| v),
            _ => None,
        }
    }
    pub fn type_name(&self) -> &'static str {
        match self {
            Val::Null => "null",
            Val::Bool(_) => "boolean",
            Val::Number(_) => "number",
            Val::Str(_) | Val::Id(..) => "string",
            Val::Array(_) => "array",
            Val::Object(_) => "object",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TraitKind {
    Value,
    Annotation,
    Doc,
}

#[derive(Debug, Clone)]
pub struct RawTrait {
    pub name: String,
    pub offset: u32,
    /// Taken (moved out) once, when the trait is emitted: values are the bulk of a model.
    pub value: RefCell<Val>,
    pub kind: TraitKind,
}

#[derive(Debug, Clone)]
pub struct RawMember {
    pub name: String,
    pub offset: u32,
    /// `None` for an elided target (`$name`).
    pub target: Option<(String, u32)>,
    pub traits: Vec<RawTrait>,
}

#[derive(Debug, Clone)]
pub struct RawShape {
    pub kind: ShapeType,
    pub name: String,
    pub offset: u32,
    pub traits: Vec<RawTrait>,
    pub members: Vec<RawMember>,
    pub mixins: Vec<(String, u32)>,
    pub for_resource: Option<(String, u32)>,
    /// Service and resource properties.
    pub body: Option<(Val, u32)>,
    pub input: Option<(String, u32)>,
    pub output: Option<(String, u32)>,
    pub errors: Vec<(String, u32)>,
}

#[derive(Debug, Clone)]
pub struct RawApply {
    pub target: String,
    pub offset: u32,
    pub traits: Vec<RawTrait>,
}

/// One parsed file, ids as written.
#[derive(Debug, Default)]
pub struct File {
    pub version: String,
    pub v2: bool,
    pub namespace: Option<String>,
    /// `use` statements: local name -> absolute id.
    pub uses: Vec<(String, String, u32)>,
    pub metadata: Vec<(String, u32, Val)>,
    pub shapes: Vec<RawShape>,
    pub applies: Vec<RawApply>,
}

pub fn parse(bytes: &[u8]) -> Res<File> {
    let mut p = Parser {
        t: Lexer::new(bytes),
        file: File { version: "1.0".into(), ..File::default() },
        nesting: 0,
        input_suffix: "Input".into(),
        output_suffix: "Output".into(),
    };
    p.file_body()?;
    Ok(p.file)
}

struct Parser<'a> {
    t: Lexer<'a>,
    file: File,
    nesting: usize,
    input_suffix: String,
    output_suffix: String,
}

fn off(o: usize) -> u32 {
    u32::try_from(o).unwrap_or(u32::MAX)
}

impl Parser<'_> {
    fn tok(&self) -> Tok {
        self.t.kind
    }

    fn err_here(&self, message: impl Into<String>) -> SyntaxError {
        SyntaxError { offset: self.t.start, message: message.into() }
    }

    fn err_at(&self, offset: usize, message: impl Into<String>) -> SyntaxError {
        SyntaxError { offset, message: message.into() }
    }

    fn expect(&self, kinds: &[Tok]) -> Res<Tok> {
        let cur = self.tok();
        if kinds.contains(&cur) {
            return Ok(cur);
        }
        if cur == Tok::Error {
            return Err(SyntaxError { offset: self.t.error_at.unwrap_or(self.t.start), message: self.t.error.clone() });
        }
        let found = cur.debug_with(self.t.lexeme());
        let msg = if kinds.len() == 1 {
            format!("Expected {} but found {found}", kinds[0].debug())
        } else {
            let names: Vec<String> = kinds.iter().map(|k| k.debug()).collect();
            format!("Expected one of {}; but found {found}", names.join(", "))
        };
        Err(self.err_here(msg))
    }

    fn next(&mut self) {
        self.t.advance();
    }

    fn skip_spaces(&mut self) {
        while self.tok() == Tok::Space {
            self.next();
        }
    }

    fn skip_ws(&mut self) {
        while self.tok().is_whitespace() {
            self.next();
        }
    }

    fn skip_ws_and_docs(&mut self) {
        while self.tok().is_whitespace() || self.tok() == Tok::DocComment {
            self.next();
        }
    }

    fn expect_and_skip_spaces(&mut self) -> Res<()> {
        self.expect(&[Tok::Space])?;
        self.skip_spaces();
        Ok(())
    }

    fn expect_and_skip_whitespace(&mut self) -> Res<()> {
        if !self.tok().is_whitespace() {
            if self.tok() == Tok::Error {
                self.expect(&[Tok::Space])?;
            }
            return Err(self.err_here(format!(
                "Expected one or more whitespace characters, but found {}",
                self.tok().debug_with(self.t.lexeme())
            )));
        }
        self.skip_ws_and_docs();
        Ok(())
    }

    fn expect_and_skip_br(&mut self) -> Res<()> {
        self.skip_spaces();
        self.t.docs.clear();
        match self.tok() {
            Tok::Newline | Tok::Comment | Tok::DocComment => {
                self.next();
                self.skip_ws();
                Ok(())
            }
            Tok::Eof => Ok(()),
            Tok::Error => self.expect(&[Tok::Newline]).map(|_| ()),
            other => {
                Err(self.err_here(format!("Expected a line break, but found {}", other.debug_with(self.t.lexeme()))))
            }
        }
    }

    fn is_lexeme(&self, s: &str) -> bool {
        self.tok() == Tok::Identifier && self.t.lexeme() == s
    }

    fn nest(&mut self) -> Res<()> {
        self.nesting += 1;
        if self.nesting > MAX_NESTING {
            return Err(self.err_here(format!("Parser exceeded maximum allowed depth of {MAX_NESTING}")));
        }
        Ok(())
    }

    fn unnest(&mut self) {
        self.nesting -= 1;
    }

    // ---- shape ids ----

    /// `a.b.c`; returns the text.
    fn namespace_id(&mut self) -> Res<String> {
        let start = self.t.start;
        self.expect(&[Tok::Identifier])?;
        self.next();
        let mut end = self.t.start;
        while self.tok() == Tok::Dot {
            self.next();
            self.expect(&[Tok::Identifier])?;
            self.next();
            end = self.t.start;
        }
        Ok(self.slice(start, end))
    }

    fn slice(&self, start: usize, end: usize) -> String {
        String::from_utf8_lossy(&self.t.b[start..end]).into_owned()
    }

    /// `Name` or `Name$member` after a `#` (or at the start of a relative id).
    fn relative_root(&mut self, start: usize) -> Res<String> {
        self.expect(&[Tok::Identifier])?;
        self.next();
        let mut end = self.t.start;
        if self.tok() == Tok::Dollar {
            self.next();
            self.expect(&[Tok::Identifier])?;
            self.next();
            end = self.t.start;
        }
        Ok(self.slice(start, end))
    }

    fn absolute_id(&mut self) -> Res<String> {
        let start = self.t.start;
        self.namespace_id()?;
        self.expect(&[Tok::Pound])?;
        self.next();
        self.relative_root(start)
    }

    /// Any shape id as written: `Name`, `ns#Name`, `Name$m`, `ns#Name$m`.
    fn shape_id(&mut self) -> Res<(String, u32)> {
        let start = self.t.start;
        let ns = self.namespace_id()?;
        if self.tok() != Tok::Dollar && self.tok() != Tok::Pound {
            return Ok((ns, off(start)));
        }
        self.next();
        Ok((self.relative_root(start)?, off(start)))
    }

    // ---- node values ----

    fn node(&mut self) -> Res<Val> {
        let kinds = [Tok::String, Tok::TextBlock, Tok::Number, Tok::Identifier, Tok::LBrace, Tok::LBracket];
        match self.expect(&kinds)? {
            Tok::String | Tok::TextBlock => {
                let v = Val::Str(std::mem::take(&mut self.t.text));
                self.next();
                Ok(v)
            }
            Tok::Number => {
                let v = Val::Number(self.t.lexeme().to_string());
                self.next();
                Ok(v)
            }
            Tok::Identifier => {
                let (id, o) = self.shape_id()?;
                Ok(identifier(id, o))
            }
            Tok::LBrace => self.object_node(),
            _ => self.array_node(),
        }
    }

    fn array_node(&mut self) -> Res<Val> {
        self.nest()?;
        self.expect(&[Tok::LBracket])?;
        self.next();
        self.skip_ws_and_docs();
        let mut items = Vec::new();
        while self.tok() != Tok::RBracket {
            items.push(self.node()?);
            self.skip_ws_and_docs();
        }
        self.next();
        self.unnest();
        Ok(Val::Array(items))
    }

    fn object_node(&mut self) -> Res<Val> {
        self.expect(&[Tok::LBrace])?;
        self.next();
        self.skip_ws_and_docs();
        self.nest()?;
        let mut entries: Vec<(String, u32, Val)> = Vec::new();
        loop {
            if self.expect(&[Tok::RBrace, Tok::String, Tok::Identifier])? == Tok::RBrace {
                break;
            }
            let key = self.key_text();
            let key_at = self.t.start;
            self.next();
            self.skip_ws_and_docs();
            self.expect(&[Tok::Colon])?;
            self.next();
            self.skip_ws_and_docs();
            let value = self.node()?;
            if entries.iter().any(|(k, _, _)| *k == key) {
                return Err(self.err_at(key_at, format!("Duplicate member: '{key}'")));
            }
            entries.push((key, off(key_at), value));
            self.skip_ws_and_docs();
        }
        self.next();
        self.unnest();
        Ok(Val::Object(entries))
    }

    /// The text of the current STRING or IDENTIFIER token.
    fn key_text(&mut self) -> String {
        if self.tok() == Tok::String { std::mem::take(&mut self.t.text) } else { self.t.lexeme().to_string() }
    }

    // ---- traits ----

    fn traits(&mut self) -> Res<Vec<RawTrait>> {
        let mut out = Vec::new();
        while self.tok() == Tok::At {
            out.push(self.one_trait()?);
            self.skip_ws_and_docs();
        }
        Ok(out)
    }

    fn one_trait(&mut self) -> Res<RawTrait> {
        let at = off(self.t.start);
        self.expect(&[Tok::At])?;
        self.next();
        let (name, _) = self.shape_id()?;
        if self.tok() != Tok::LParen {
            return Ok(RawTrait { name, offset: at, value: RefCell::new(Val::Null), kind: TraitKind::Annotation });
        }
        self.next();
        self.skip_ws_and_docs();
        if self.tok() == Tok::RParen {
            self.next();
            return Ok(RawTrait { name, offset: at, value: RefCell::new(Val::Null), kind: TraitKind::Annotation });
        }
        let value = self.trait_body()?;
        self.skip_ws_and_docs();
        self.expect(&[Tok::RParen])?;
        self.next();
        Ok(RawTrait { name, offset: at, value: RefCell::new(value), kind: TraitKind::Value })
    }

    fn trait_body(&mut self) -> Res<Val> {
        let kinds = [Tok::LBrace, Tok::LBracket, Tok::TextBlock, Tok::String, Tok::Number, Tok::Identifier];
        match self.expect(&kinds)? {
            Tok::LBrace | Tok::LBracket => {
                let v = self.node()?;
                self.skip_ws_and_docs();
                Ok(v)
            }
            Tok::TextBlock | Tok::Number => {
                let v = self.node()?;
                self.skip_ws_and_docs();
                Ok(v)
            }
            Tok::String => {
                let s = std::mem::take(&mut self.t.text);
                let at = off(self.t.start);
                self.next();
                self.skip_ws_and_docs();
                if self.tok() == Tok::Colon {
                    self.next();
                    self.skip_ws_and_docs();
                    self.structured_trait(s, at)
                } else {
                    Ok(Val::Str(s))
                }
            }
            _ => {
                let (id, o) = self.shape_id()?;
                self.skip_ws_and_docs();
                if self.tok() == Tok::RParen || id.contains(['.', '$', '#']) {
                    Ok(identifier(id, o))
                } else {
                    self.expect(&[Tok::Colon])?;
                    self.next();
                    self.skip_ws_and_docs();
                    self.structured_trait(id, o)
                }
            }
        }
    }

    fn structured_trait(&mut self, first: String, at: u32) -> Res<Val> {
        self.nest()?;
        let value = self.node()?;
        let mut entries = vec![(first, at, value)];
        self.skip_ws_and_docs();
        while self.tok() != Tok::RParen {
            self.expect(&[Tok::Identifier, Tok::String])?;
            let key = self.key_text();
            let key_at = self.t.start;
            self.next();
            self.skip_ws_and_docs();
            self.expect(&[Tok::Colon])?;
            self.next();
            self.skip_ws_and_docs();
            let v = self.node()?;
            if entries.iter().any(|(k, _, _)| *k == key) {
                return Err(self.err_at(key_at, format!("Duplicate member of trait: '{key}'")));
            }
            entries.push((key, off(key_at), v));
            self.skip_ws_and_docs();
        }
        self.unnest();
        Ok(Val::Object(entries))
    }

    /// Documentation comments and traits before a shape or member.
    fn docs_and_traits(&mut self, member: bool) -> Res<Vec<RawTrait>> {
        self.skip_ws();
        let mut doc = None;
        if self.tok() == Tok::DocComment {
            let at = off(self.t.start);
            self.skip_ws_and_docs();
            doc = self.t.take_docs().map(|d| RawTrait {
                name: "smithy.api#documentation".into(),
                offset: at,
                value: RefCell::new(Val::Str(d)),
                kind: TraitKind::Doc,
            });
        } else {
            self.skip_ws_and_docs();
        }
        self.skip_ws_and_docs();
        let mut traits = self.traits()?;
        traits.extend(doc);
        self.skip_ws_and_docs();
        if member {
            self.t.docs.clear();
        }
        Ok(traits)
    }

    // ---- statements ----

    fn file_body(&mut self) -> Res<()> {
        self.skip_ws_and_docs();
        self.control_section()?;
        self.skip_ws_and_docs();
        self.metadata_section()?;
        self.shape_section()
    }

    fn control_section(&mut self) -> Res<()> {
        let mut seen: Vec<String> = Vec::new();
        while self.tok() == Tok::Dollar {
            self.next();
            self.expect(&[Tok::Identifier, Tok::String])?;
            let key = self.key_text();
            self.next();
            self.skip_spaces();
            self.expect(&[Tok::Colon])?;
            self.next();
            self.skip_spaces();
            if seen.contains(&key) {
                return Err(self.err_here(format!("Duplicate control statement `{key}`")));
            }
            seen.push(key.clone());
            let value_at = self.t.start;
            let value = self.node()?;
            match key.as_str() {
                "version" => {
                    let Val::Str(v) = &value else {
                        return Err(self.err_at(
                            value_at,
                            format!(
                                "The $version control statement must have a string value, but found {}",
                                json_of(&value)
                            ),
                        ));
                    };
                    let v2 = match v.as_str() {
                        "1" | "1.0" => false,
                        "2" | "2.0" => true,
                        _ => return Err(self.err_here(format!("Unsupported Smithy version number: {v}"))),
                    };
                    self.file.version = if v2 { "2.0".into() } else { "1.0".into() };
                    self.file.v2 = v2;
                }
                "operationInputSuffix" | "operationOutputSuffix" => {
                    let Val::Str(s) = value else {
                        return Err(self.err_at(value_at, format!("Expected a string value for `{key}`")));
                    };
                    if key == "operationInputSuffix" {
                        self.input_suffix = s;
                    } else {
                        self.output_suffix = s;
                    }
                }
                // Smithy warns about an unknown control statement and goes on.
                _ => {}
            }
            self.expect_and_skip_br()?;
        }
        Ok(())
    }

    fn metadata_section(&mut self) -> Res<()> {
        while self.is_lexeme("metadata") {
            self.next();
            self.expect_and_skip_spaces()?;
            self.expect(&[Tok::Identifier, Tok::String])?;
            let key = self.key_text();
            let key_at = off(self.t.start);
            self.next();
            self.skip_spaces();
            self.expect(&[Tok::Equal])?;
            self.next();
            self.skip_spaces();
            let value = self.node()?;
            if let Some(slot) = self.file.metadata.iter_mut().find(|(k, _, _)| *k == key) {
                // Smithy concatenates list metadata defined twice and rejects any other conflict.
                match (&mut slot.2, value) {
                    (Val::Array(a), Val::Array(b)) => a.extend(b),
                    _ => return Err(self.err_at(key_at as usize, format!("Metadata conflict for key `{key}`"))),
                }
            } else {
                self.file.metadata.push((key, key_at, value));
            }
            self.expect_and_skip_br()?;
            self.skip_ws_and_docs();
        }
        Ok(())
    }

    fn shape_section(&mut self) -> Res<()> {
        if !self.is_lexeme("namespace") {
            if self.tok() == Tok::Eof {
                return Ok(());
            }
            if self.tok() == Tok::Error {
                self.expect(&[Tok::Identifier])?;
            }
            return Err(self.err_here(format!(
                "Expected a namespace definition but found {}",
                self.tok().debug_with(self.t.lexeme())
            )));
        }
        self.next();
        self.expect_and_skip_spaces()?;
        let ns = self.namespace_id()?;
        self.file.namespace = Some(ns);
        self.expect_and_skip_br()?;
        let doc_at = off(self.t.start);
        self.skip_ws_and_docs();
        self.use_section()?;
        // The first shape statement: documentation before `use` statements is kept for it.
        if self.tok() != Tok::Eof {
            self.skip_ws_and_docs();
            let docs = self.t.take_docs();
            let mut traits = self.docs_and_traits(false)?;
            if let Some(d) = docs {
                traits.push(RawTrait {
                    name: "smithy.api#documentation".into(),
                    offset: doc_at,
                    value: RefCell::new(Val::Str(d)),
                    kind: TraitKind::Doc,
                });
            }
            if self.continues(&traits, traits.iter().any(|t| t.kind == TraitKind::Doc)) {
                self.shape_or_apply(traits)?;
            }
        }
        while self.tok() != Tok::Eof {
            let has_doc = self.tok() == Tok::DocComment;
            let traits = self.docs_and_traits(false)?;
            if self.continues(&traits, has_doc) {
                self.shape_or_apply(traits)?;
            }
        }
        Ok(())
    }

    /// Smithy's `parseShapeDefinition`: whether a shape statement follows.
    fn continues(&self, traits: &[RawTrait], has_doc: bool) -> bool {
        if self.tok() != Tok::Eof {
            true
        } else if has_doc {
            traits.len() != 1
        } else {
            !traits.is_empty()
        }
    }

    fn use_section(&mut self) -> Res<()> {
        while self.is_lexeme("use") {
            self.next();
            self.expect_and_skip_spaces()?;
            let at = self.t.start;
            let id = self.absolute_id()?;
            if id.contains('$') {
                return Err(self.err_at(at, "Use statements cannot use members"));
            }
            let name = id.rsplit('#').next().unwrap_or(&id).to_string();
            if let Some((_, prev, _)) = self.file.uses.iter().find(|(n, _, _)| *n == name) {
                return Err(self.err_at(at, format!("Cannot use name `{id}` because it conflicts with `{prev}`")));
            }
            self.file.uses.push((name, id, off(at)));
            self.expect_and_skip_br()?;
            self.skip_ws_and_docs();
        }
        Ok(())
    }

    fn shape_or_apply(&mut self, traits: Vec<RawTrait>) -> Res<()> {
        let at = self.t.start;
        self.expect(&[Tok::Identifier])?;
        let type_name = self.t.lexeme();
        if type_name == "apply" {
            return self.apply(traits);
        }
        let kind =
            ShapeType::parse(type_name).ok_or_else(|| self.err_here(format!("Unknown shape type: {type_name}")))?;
        self.next();
        self.expect_and_skip_spaces()?;
        let name = self.shape_name()?;
        let mut shape = RawShape {
            kind,
            name,
            offset: off(at),
            traits,
            members: Vec::new(),
            mixins: Vec::new(),
            for_resource: None,
            body: None,
            input: None,
            output: None,
            errors: Vec::new(),
        };
        match kind {
            ShapeType::List | ShapeType::Set | ShapeType::Map | ShapeType::Union | ShapeType::Structure => {
                self.aggregate(&mut shape)?
            }
            ShapeType::Enum | ShapeType::IntEnum => self.enum_shape(&mut shape)?,
            ShapeType::Service | ShapeType::Resource => {
                self.mixins(&mut shape)?;
                self.skip_ws_and_docs();
                self.expect(&[Tok::LBrace])?;
                let body_at = off(self.t.start);
                let body = self.node()?;
                if kind == ShapeType::Resource && body.get("properties").is_some() && !self.file.v2 {
                    return Err(self.err_at(
                        body_at as usize,
                        "Resource properties can only be used with Smithy version 2 or later. Attempted to use resource properties with version `1.0`.",
                    ));
                }
                shape.body = Some((body, body_at));
            }
            ShapeType::Operation => self.operation(&mut shape)?,
            _ => self.mixins(&mut shape)?,
        }
        self.file.shapes.push(shape);
        self.expect_and_skip_br()
    }

    fn shape_name(&mut self) -> Res<String> {
        let at = self.t.start;
        self.expect(&[Tok::Identifier])?;
        let name = self.t.lexeme().to_string();
        if let Some((_, prev, _)) = self.file.uses.iter().find(|(n, _, _)| *n == name) {
            return Err(self.err_at(at, format!("Shape name `{name}` conflicts with imported shape `{prev}`")));
        }
        self.next();
        Ok(name)
    }

    fn apply(&mut self, traits: Vec<RawTrait>) -> Res<()> {
        if traits.iter().any(|t| t.kind != TraitKind::Doc) {
            return Err(self.err_here("Traits applied to apply statement"));
        }
        let at = off(self.t.start);
        self.next();
        self.expect_and_skip_whitespace()?;
        let (target, _) = self.shape_id()?;
        self.expect_and_skip_whitespace()?;
        let traits = if self.expect(&[Tok::At, Tok::LBrace])? == Tok::At {
            vec![self.one_trait()?]
        } else {
            self.next();
            self.skip_ws_and_docs();
            let t = self.traits()?;
            self.skip_ws_and_docs();
            self.expect(&[Tok::RBrace])?;
            self.next();
            t
        };
        self.file.applies.push(RawApply { target, offset: at, traits });
        self.expect_and_skip_br()
    }

    fn mixins(&mut self, shape: &mut RawShape) -> Res<()> {
        self.skip_spaces();
        if !self.is_lexeme("with") {
            return Ok(());
        }
        if !self.file.v2 {
            return Err(self.err_here(
                "Mixins can only be used with Smithy version 2 or later. Attempted to use mixins with version `1.0`.",
            ));
        }
        self.next();
        self.skip_ws_and_docs();
        self.expect(&[Tok::LBracket])?;
        self.next();
        self.skip_ws_and_docs();
        loop {
            shape.mixins.push(self.shape_id()?);
            self.skip_ws_and_docs();
            if self.tok() == Tok::RBracket {
                break;
            }
        }
        self.next();
        Ok(())
    }

    fn for_resource(&mut self, shape: &mut RawShape) -> Res<()> {
        self.skip_spaces();
        if !self.is_lexeme("for") {
            return Ok(());
        }
        if !self.file.v2 {
            return Err(self.err_here(
                "Structures can only be bound to resources with Smithy version 2 or later. Attempted to bind a structure to a resource with version `1.0`.",
            ));
        }
        self.next();
        self.expect_and_skip_spaces()?;
        shape.for_resource = Some(self.shape_id()?);
        Ok(())
    }

    fn aggregate(&mut self, shape: &mut RawShape) -> Res<()> {
        self.for_resource(shape)?;
        self.mixins(shape)?;
        self.skip_ws_and_docs();
        self.t.docs.clear();
        self.expect(&[Tok::LBrace])?;
        self.next();
        self.skip_ws();
        while self.tok() != Tok::Eof && self.tok() != Tok::RBrace {
            self.member(shape)?;
            self.skip_ws();
        }
        self.expect(&[Tok::RBrace])?;
        self.next();
        Ok(())
    }

    fn member(&mut self, shape: &mut RawShape) -> Res<()> {
        let mut traits = self.docs_and_traits(true)?;
        if self.tok() == Tok::RBrace && traits.len() == 1 && traits[0].kind == TraitKind::Doc {
            return Ok(()); // a dangling documentation comment: Smithy warns
        }
        let elided = self.tok() == Tok::Dollar;
        if elided {
            self.next();
        }
        let at = self.t.start;
        self.expect(&[Tok::Identifier])?;
        let name = self.t.lexeme().to_string();
        if shape.members.iter().any(|m| m.name == name) {
            return Err(self.err_here(format!("Duplicate member of `{}`: '{name}'", shape.name)));
        }
        if elided && !self.file.v2 {
            return Err(self.err_here("Members can only elide targets in IDL version 2 or later"));
        }
        self.next();
        let mut target = None;
        if !elided {
            self.skip_spaces();
            self.expect(&[Tok::Colon])?;
            self.next();
            self.skip_spaces();
            target = Some(self.shape_id()?);
        }
        self.skip_spaces();
        if self.tok() == Tok::Equal {
            if !self.file.v2 {
                return Err(self.err_here("@default assignment is only supported in IDL version 2 or later"));
            }
            let eq = off(self.t.start);
            self.next();
            self.skip_spaces();
            let value = self.node()?;
            traits.push(RawTrait {
                name: "smithy.api#default".into(),
                offset: eq,
                value: RefCell::new(value),
                kind: TraitKind::Value,
            });
            self.skip_spaces();
            if self.tok() == Tok::Comma {
                self.next();
            }
            self.expect_and_skip_br()?;
        }
        shape.members.push(RawMember { name, offset: off(at), target, traits });
        Ok(())
    }

    fn enum_shape(&mut self, shape: &mut RawShape) -> Res<()> {
        self.mixins(shape)?;
        self.skip_ws_and_docs();
        self.expect(&[Tok::LBrace])?;
        self.next();
        self.skip_ws();
        while self.tok() != Tok::Eof && self.tok() != Tok::RBrace {
            let mut traits = self.docs_and_traits(true)?;
            let at = self.t.start;
            self.expect(&[Tok::Identifier])?;
            let name = self.t.lexeme().to_string();
            if shape.members.iter().any(|m| m.name == name) {
                return Err(self.err_here(format!("Found conflicting member name, `{name}`")));
            }
            self.next();
            self.skip_spaces();
            if self.tok() == Tok::Equal {
                let eq = off(self.t.start);
                self.next();
                self.skip_spaces();
                let value = self.node()?;
                traits.push(RawTrait {
                    name: "smithy.api#enumValue".into(),
                    offset: eq,
                    value: RefCell::new(value),
                    kind: TraitKind::Value,
                });
                self.skip_spaces();
                if self.tok() == Tok::Comma {
                    self.next();
                }
                self.expect_and_skip_br()?;
            } else {
                self.skip_ws();
            }
            shape.members.push(RawMember {
                name,
                offset: off(at),
                target: Some(("smithy.api#Unit".into(), off(at))),
                traits,
            });
        }
        self.expect(&[Tok::RBrace])?;
        self.next();
        Ok(())
    }

    fn operation(&mut self, shape: &mut RawShape) -> Res<()> {
        self.mixins(shape)?;
        self.skip_ws_and_docs();
        self.expect(&[Tok::LBrace])?;
        self.next();
        self.skip_ws_and_docs();
        let mut seen: Vec<String> = Vec::new();
        while self.tok() != Tok::Eof && self.tok() != Tok::RBrace {
            self.expect(&[Tok::Identifier])?;
            let key = self.t.lexeme().to_string();
            if seen.contains(&key) {
                return Err(self.err_here(format!("Duplicate operation {key} property for `{}`", shape.name)));
            }
            seen.push(key.clone());
            self.next();
            self.skip_ws_and_docs();
            match key.as_str() {
                "input" | "output" => {
                    let t = self.expect(&[Tok::Colon, Tok::Walrus])?;
                    self.next();
                    let id = if t == Tok::Walrus {
                        if !self.file.v2 {
                            return Err(self.err_here(
                                "Inlined operation inputs and outputs can only be used with Smithy version 2 or later. Attempted to use inlined IO with version `1.0`.",
                            ));
                        }
                        self.t.docs.clear();
                        self.skip_ws();
                        let suffix = if key == "input" { &self.input_suffix } else { &self.output_suffix };
                        let name = format!("{}{suffix}", shape.name);
                        let marker = if key == "input" { "smithy.api#input" } else { "smithy.api#output" };
                        self.inline_structure(name, marker)?
                    } else {
                        self.skip_ws_and_docs();
                        self.shape_id()?
                    };
                    if key == "input" {
                        shape.input = Some(id);
                    } else {
                        shape.output = Some(id);
                    }
                }
                "errors" => {
                    self.expect(&[Tok::Colon])?;
                    self.next();
                    shape.errors = self.id_list()?;
                }
                _ => return Err(self.err_here(format!("Unknown property {key} for {}", shape.name))),
            }
            self.expect_and_skip_whitespace()?;
            self.skip_ws_and_docs();
        }
        self.expect(&[Tok::RBrace])?;
        self.next();
        Ok(())
    }

    fn inline_structure(&mut self, name: String, marker: &str) -> Res<(String, u32)> {
        let mut traits = self.docs_and_traits(true)?;
        let at = self.t.start;
        traits.push(RawTrait {
            name: marker.to_string(),
            offset: off(at),
            value: RefCell::new(Val::Object(Vec::new())),
            kind: TraitKind::Annotation,
        });
        let mut shape = RawShape {
            kind: ShapeType::Structure,
            name: name.clone(),
            offset: off(at),
            traits,
            members: Vec::new(),
            mixins: Vec::new(),
            for_resource: None,
            body: None,
            input: None,
            output: None,
            errors: Vec::new(),
        };
        self.aggregate(&mut shape)?;
        self.file.shapes.push(shape);
        Ok((name, off(at)))
    }

    fn id_list(&mut self) -> Res<Vec<(String, u32)>> {
        self.nest()?;
        self.skip_ws_and_docs();
        self.expect(&[Tok::LBracket])?;
        self.next();
        self.skip_ws_and_docs();
        let mut out = Vec::new();
        while self.tok() != Tok::Eof && self.tok() != Tok::RBracket {
            self.expect(&[Tok::Identifier])?;
            out.push(self.shape_id()?);
            self.skip_ws_and_docs();
        }
        self.expect(&[Tok::RBracket])?;
        self.next();
        self.unnest();
        Ok(out)
    }
}

fn identifier(id: String, o: u32) -> Val {
    match id.as_str() {
        "true" => Val::Bool(true),
        "false" => Val::Bool(false),
        "null" => Val::Null,
        _ => Val::Id(id, o),
    }
}

/// Compact JSON of a value, for messages.
pub fn json_of(v: &Val) -> String {
    match v {
        Val::Null => "null".into(),
        Val::Bool(b) => b.to_string(),
        Val::Number(n) => n.clone(),
        Val::Str(s) | Val::Id(s, _) => format!("{s:?}"),
        Val::Array(a) => format!("[{}]", a.iter().map(json_of).collect::<Vec<_>>().join(",")),
        Val::Object(o) => {
            format!("{{{}}}", o.iter().map(|(k, _, v)| format!("{k:?}:{}", json_of(v))).collect::<Vec<_>>().join(","))
        }
    }
}
