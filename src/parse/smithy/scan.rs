//! What links a JSON AST file to other files, read straight from its bytes: the namespaces it
//! defines shapes in and the namespaces it points at, as [`super::ModelFile::namespaces`] gives
//! them, without building a value. Grouping model files into assemblies needs every file's links
//! before any model is built; parsing every file for them parsed it twice.
//!
//! Invariant: for a file [`super::read_json`] accepts, [`links`] equals its `namespaces()`
//! exactly (pinned by the test below on every fixture and a generated model). For a file it
//! rejects the answer is a guess (the full read finds no links in it): the caller checks what it
//! grouped by against the full read and regroups (see `engine`). `None` means the bytes are not
//! JSON the scan can walk, and the caller reads the file in full. Never recurses deeper than a
//! shape's member, so hostile nesting costs nothing.
use super::bundled;
use std::borrow::Cow;
use std::collections::BTreeSet;

/// The (defined, referenced) namespaces of a JSON AST file (see the module docs).
pub fn links(bytes: &[u8]) -> Option<(BTreeSet<String>, BTreeSet<String>)> {
    Some(index(bytes)?.links())
}

/// Every entry of a JSON AST file's `shapes` object, read from its bytes without building a
/// value: what [`links`] and the span-indexed read ([`super::prune`]) need. `None` when the bytes
/// are not JSON the scan can walk (or are past 4 GiB, which no model cap allows).
///
/// Compact, since a plan holds the index of both sides of a 100 MB model beside their bytes:
/// the names an entry uses are byte ranges of the file (a decoded copy only where a name has
/// escapes), kept in three tables for the whole file instead of two lists per entry.
pub fn index(bytes: &[u8]) -> Option<Index<'_>> {
    u32::try_from(bytes.len()).ok()?;
    // Checked once for the whole file, so that no string of it is checked again (JSON is UTF-8;
    // a file that is not, the full read reports).
    let text = std::str::from_utf8(bytes).ok()?;
    let mut s = Scan { b: bytes, text, i: 0, key_at: 0 };
    let mut t = Tables::default();
    s.ws();
    let mut entries: Vec<Entry<'_>> = Vec::new();
    let mut version = None;
    s.object(|s, key| match key.as_ref() {
        "shapes" => s.object(|s, id| {
            let (key_at, start) = (u32::try_from(s.key_at).ok()?, s.i);
            let (kind, refs, traits) = s.body(&mut t)?;
            entries.push(Entry { id, key_at, span: start..s.i, kind, refs, traits });
            Some(())
        }),
        "smithy" if s.peek()? == b'"' => {
            version = Some(s.string()?);
            Some(())
        }
        _ => s.skip(),
    })?;
    s.ws();
    if s.i != bytes.len() {
        return None;
    }
    entries.shrink_to_fit();
    t.refs.shrink_to_fit();
    t.traits.shrink_to_fit();
    Some(Index { version, entries, text, refs: t.refs, traits: t.traits, owned: t.owned })
}

/// A file's `shapes` entries as [`index`] finds them, in file order, and its `smithy` version.
pub struct Index<'a> {
    pub version: Option<Cow<'a, str>>,
    pub entries: Vec<Entry<'a>>,
    text: &'a str,
    /// Every entry's references, entry after entry.
    refs: Vec<(Field, Name)>,
    /// Every entry's trait ids (of the shape and its members), entry after entry.
    traits: Vec<Name>,
    /// Names with escapes, decoded.
    owned: Vec<String>,
}

/// One entry of `shapes`: a shape (or an `apply`, whose key is its target), where its value is
/// in the file, and what it names (read through its [`Index`]).
pub struct Entry<'a> {
    pub id: Cow<'a, str>,
    /// Where the entry's key starts (the offset a full read gives the shape).
    pub key_at: u32,
    /// The byte range of the entry's value (`{...}`).
    pub span: std::ops::Range<usize>,
    kind: Option<Name>,
    refs: std::ops::Range<u32>,
    traits: std::ops::Range<u32>,
}

/// A string of the file: its bytes' range, or (`start` = `u32::MAX`) the position of its decoded
/// copy in [`Index::owned`].
#[derive(Debug, Clone, Copy)]
struct Name {
    start: u32,
    len: u32,
}

/// What [`Index`] collects while the scan walks the entries.
#[derive(Default)]
struct Tables {
    refs: Vec<(Field, Name)>,
    traits: Vec<Name>,
    owned: Vec<String>,
}

impl<'a> Index<'a> {
    fn name(&self, n: Name) -> &str {
        if n.start == u32::MAX {
            return self.owned.get(n.len as usize).map_or("", String::as_str);
        }
        let (start, end) = (n.start as usize, n.start as usize + n.len as usize);
        self.text.get(start..end).unwrap_or("")
    }

    /// The entry's `type` (empty when it has none).
    pub fn kind(&self, e: &Entry<'_>) -> &str {
        e.kind.map_or("", |k| self.name(k))
    }

    /// The shapes the entry names, as the full read takes them: for each, whether it is a
    /// member target, a mixin, or a binding (members count only for the shape types the full
    /// reader takes them from).
    pub fn references(&self, e: &Entry<'_>) -> impl Iterator<Item = (Field, &str)> {
        let kind = self.kind(e);
        let refs = self.refs.get(e.refs.start as usize..e.refs.end as usize).unwrap_or_default();
        refs.iter()
            .filter(move |(field, _)| match field {
                Field::Members => matches!(kind, "structure" | "union" | "enum" | "intEnum"),
                Field::Member => matches!(kind, "list" | "set"),
                Field::KeyValue => kind == "map",
                Field::Mixin | Field::Other => true,
            })
            .map(|(f, t)| (*f, self.name(*t)))
    }

    /// The trait ids the entry applies, to the shape and to its members.
    pub fn trait_ids(&self, e: &Entry<'_>) -> impl Iterator<Item = &str> {
        let traits = self.traits.get(e.traits.start as usize..e.traits.end as usize).unwrap_or_default();
        traits.iter().map(|t| self.name(*t))
    }

    /// The (defined, referenced) namespaces (see the module docs).
    pub fn links(&self) -> (BTreeSet<String>, BTreeSet<String>) {
        let ns = |id: &str| id.split_once('#').map(|(n, _)| n.to_string());
        let defined_ids: BTreeSet<&str> =
            self.entries.iter().filter(|e| self.kind(e) != "apply").map(|e| e.id.as_ref()).collect();
        let defined: BTreeSet<String> =
            defined_ids.iter().filter(|id| bundled::shape(id).is_none()).filter_map(|id| ns(id)).collect();
        let mut referenced = BTreeSet::new();
        let mut refer = |id: &str| {
            let root = id.split_once('$').map_or(id, |(r, _)| r);
            if !defined_ids.contains(root)
                && bundled::shape(root).is_none()
                && let Some(n) = ns(root)
                && !defined.contains(&n)
            {
                referenced.insert(n);
            }
        };
        for e in &self.entries {
            if self.kind(e) == "apply" {
                refer(&e.id);
                continue;
            }
            for (_, target) in self.references(e) {
                refer(target);
            }
        }
        (defined, referenced)
    }
}

/// Which part of a shape a reference sits in: members count only for the shape types the full
/// reader takes them from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// `members` (structure, union, enum, intEnum).
    Members,
    /// `member` (list, set).
    Member,
    /// `key`, `value` (map).
    KeyValue,
    /// `mixins`: any shape type.
    Mixin,
    /// Bindings, identifiers, properties, lifecycle, input, output: any shape type.
    Other,
}

struct Scan<'a> {
    b: &'a [u8],
    /// `b` as text.
    text: &'a str,
    i: usize,
    /// Where the key of the object entry being walked starts (its opening quote).
    key_at: usize,
}

impl<'a> Scan<'a> {
    fn ws(&mut self) {
        while matches!(self.b.get(self.i), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            self.i += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    /// A string at the cursor, decoded (escapes through the full reader, which is rare).
    fn string(&mut self) -> Option<Cow<'a, str>> {
        if self.peek()? != b'"' {
            return None;
        }
        let start = self.i;
        let (close, escaped) = crate::parse::json::string_end(self.b, start)?;
        self.i = close + 1;
        let raw = &self.b[start..self.i];
        if escaped {
            match crate::parse::json::parse(raw).ok()? {
                crate::parse::json::Node::String(s) => Some(Cow::Owned(s)),
                _ => None,
            }
        } else {
            // Quotes are ASCII: both ends are character boundaries.
            self.text.get(start + 1..close).map(Cow::Borrowed)
        }
    }

    /// Skips one value of any depth, without recursion.
    fn skip(&mut self) -> Option<()> {
        let mut depth = 0usize;
        loop {
            self.ws();
            match self.peek()? {
                b'"' => self.i = crate::parse::json::string_end(self.b, self.i)?.0 + 1,
                b'{' | b'[' => {
                    depth += 1;
                    self.i += 1;
                    continue;
                }
                b'}' | b']' => {
                    depth = depth.checked_sub(1)?;
                    self.i += 1;
                }
                b',' | b':' if depth > 0 => {
                    self.i += 1;
                    continue;
                }
                b'-' | b'+' | b'.' | b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z' => {
                    while matches!(self.peek(), Some(b'-' | b'+' | b'.' | b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z')) {
                        self.i += 1;
                    }
                }
                _ => return None,
            }
            if depth == 0 {
                return Some(());
            }
        }
    }

    /// Walks an object, handing each key to `entry`, which consumes its value.
    fn object(&mut self, mut entry: impl FnMut(&mut Self, Cow<'a, str>) -> Option<()>) -> Option<()> {
        self.ws();
        if self.peek()? != b'{' {
            return None;
        }
        self.i += 1;
        self.ws();
        if self.peek()? == b'}' {
            self.i += 1;
            return Some(());
        }
        loop {
            self.ws();
            self.key_at = self.i;
            let key = self.string()?;
            self.ws();
            if self.peek()? != b':' {
                return None;
            }
            self.i += 1;
            self.ws();
            entry(self, key)?;
            self.ws();
            match self.peek()? {
                b',' => self.i += 1,
                b'}' => {
                    self.i += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// Walks an array, handing each item to `item`, which consumes it.
    fn array(&mut self, mut item: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.ws();
        if self.peek()? != b'[' {
            return None;
        }
        self.i += 1;
        self.ws();
        if self.peek()? == b']' {
            self.i += 1;
            return Some(());
        }
        loop {
            self.ws();
            item(self)?;
            self.ws();
            match self.peek()? {
                b',' => self.i += 1,
                b']' => {
                    self.i += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// A string at the cursor as a [`Name`] of the file.
    fn name(&mut self, t: &mut Tables) -> Option<Name> {
        let s = self.string()?;
        self.name_of(t, s)
    }

    /// A string [`Scan::string`] read (a key [`Scan::object`] handed over) as a [`Name`]: a
    /// borrowed one is a slice of `text`, so its place is its address's distance from `text`'s.
    fn name_of(&self, t: &mut Tables, s: Cow<'a, str>) -> Option<Name> {
        match s {
            Cow::Borrowed(s) => {
                let start = (s.as_ptr() as usize).checked_sub(self.text.as_ptr() as usize)?;
                Some(Name { start: u32::try_from(start).ok()?, len: u32::try_from(s.len()).ok()? })
            }
            Cow::Owned(s) => {
                t.owned.push(s);
                Some(Name { start: u32::MAX, len: u32::try_from(t.owned.len() - 1).ok()? })
            }
        }
    }

    /// `{"target": "ns#X", ...}`: the target, if the object has one; with `traits`, the trait
    /// ids of a member.
    fn reference(&mut self, t: &mut Tables, field: Field, traits: bool) -> Option<()> {
        if self.peek()? != b'{' {
            return self.skip();
        }
        self.object(|s, key| {
            if key == "target" && s.peek()? == b'"' {
                let name = s.name(t)?;
                t.refs.push((field, name));
                return Some(());
            }
            if key == "traits" && traits {
                return s.keys(t);
            }
            s.skip()
        })
    }

    /// An object's keys (its values skipped), as trait ids; anything else is skipped.
    fn keys(&mut self, t: &mut Tables) -> Option<()> {
        if self.peek()? != b'{' {
            return self.skip();
        }
        self.object(|s, key| {
            let name = s.name_of(t, key)?;
            t.traits.push(name);
            s.skip()
        })
    }

    /// One shape's body: its `type`, and the ranges of [`Tables`] its references and trait ids
    /// went to.
    #[allow(clippy::type_complexity)]
    fn body(&mut self, t: &mut Tables) -> Option<(Option<Name>, std::ops::Range<u32>, std::ops::Range<u32>)> {
        let at = |len: usize| u32::try_from(len).ok();
        let (refs, traits) = (at(t.refs.len())?, at(t.traits.len())?);
        let mut kind = None;
        if self.peek()? != b'{' {
            self.skip()?;
            return Some((None, refs..refs, traits..traits));
        }
        self.object(|s, key| match key.as_ref() {
            "type" if s.peek()? == b'"' => {
                kind = Some(s.name(t)?);
                Some(())
            }
            "traits" => s.keys(t),
            "members" if s.peek()? == b'{' => s.object(|s, _| s.reference(t, Field::Members, true)),
            "member" => s.reference(t, Field::Member, true),
            "key" | "value" => s.reference(t, Field::KeyValue, true),
            "mixins" if s.peek()? == b'[' => s.array(|s| s.reference(t, Field::Mixin, false)),
            "operations" | "resources" | "errors" | "collectionOperations" if s.peek()? == b'[' => {
                s.array(|s| s.reference(t, Field::Other, false))
            }
            "identifiers" | "properties" if s.peek()? == b'{' => s.object(|s, _| s.reference(t, Field::Other, false)),
            "create" | "put" | "read" | "update" | "delete" | "list" | "input" | "output" => {
                s.reference(t, Field::Other, false)
            }
            _ => s.skip(),
        })?;
        Some((kind, refs..at(t.refs.len())?, traits..at(t.traits.len())?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exact(path: &str, bytes: &[u8]) -> Option<(BTreeSet<String>, BTreeSet<String>)> {
        super::super::read_json(path, bytes).ok().map(|f| f.namespaces())
    }

    // The scan must give what the full read gives for every file the full read accepts: a file
    // grouped by too few links would miss the files it assembles with.
    #[test]
    fn equals_the_full_read_on_every_fixture() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let mut checked = 0;
        for e in walkdir::WalkDir::new(&root).into_iter().filter_map(Result::ok) {
            if e.path().extension().is_none_or(|x| x != "json") {
                continue;
            }
            let bytes = std::fs::read(e.path()).expect("read fixture");
            let path = e.path().display().to_string();
            if let Some(want) = exact(&path, &bytes) {
                assert_eq!(links(&bytes), Some(want), "{path}");
                checked += 1;
            }
        }
        assert!(checked > 20, "only {checked} fixture models found");
    }

    #[test]
    fn follows_the_shape_types_and_escapes() {
        let text = r#"{"smithy": "2.0", "metadata": {"x": {"shapes": {"a.b#C": {}}}}, "shapes": {
            "ex#S": {"type": "structure", "members": {"a": {"target": "other#A", "traits": {"t#x": {"target": "no#No"}}}}},
            "ex#L": {"members": {"a": {"target": "notlist#A"}}, "type": "list", "member": {"target": "li\u0073t#M"}},
            "ex#M": {"type": "map", "key": {"target": "smithy.api#String"}, "value": {"target": "ex#S"}},
            "ex#O": {"type": "operation", "input": {"target": "in#I"}, "errors": [{"target": "err#E"}]},
            "ex#R": {"type": "resource", "identifiers": {"id": {"target": "id#Id"}}, "read": {"target": "ex#O"}},
            "far#X$m": {"type": "apply", "traits": {"smithy.api#documentation": "d"}},
            "ex#E": {"type": "enum", "members": {"A": {"target": "smithy.api#Unit"}}}
        }}"#;
        let got = links(text.as_bytes()).expect("walkable");
        assert_eq!(got, exact("m.json", text.as_bytes()).expect("valid"));
        fn names(s: &BTreeSet<String>) -> Vec<&str> {
            s.iter().map(String::as_str).collect()
        }
        assert_eq!(names(&got.0), ["ex"]);
        assert_eq!(names(&got.1), ["err", "far", "id", "in", "list", "other"]);
    }

    #[test]
    fn a_generated_model_matches_and_broken_bytes_do_not_panic() {
        let mut text = String::from("{\"smithy\":\"2.0\",\"shapes\":{");
        for i in 0..200 {
            if i > 0 {
                text.push(',');
            }
            text.push_str(&format!(
                "\"n{m}.x#S{i}\":{{\"type\":\"structure\",\"mixins\":[{{\"target\":\"n{k}.x#S{j}\"}}],\"members\":{{\"a\":{{\"target\":\"q{i}#T\"}}}},\"traits\":{{\"smithy.api#documentation\":\"\\\"{i}\\\" [x]\"}}}}",
                m = i % 7,
                k = i % 5,
                j = (i * 3) % 200,
            ));
        }
        text.push_str("}}");
        assert_eq!(links(text.as_bytes()), exact("g.json", text.as_bytes()));
        for cut in (0..text.len()).step_by(97) {
            let _ = links(&text.as_bytes()[..cut]);
        }
        assert_eq!(links(b"[1,2]"), None);
        assert!(links(&b"{\"shapes\":".repeat(1000)).is_none());
    }
}
