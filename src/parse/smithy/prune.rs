//! Span-indexed reading of a model pair: which shapes a diff must build. Most of a large model
//! is the same on both sides of a release, byte for byte; building those shapes twice to find
//! them equal is most of what a diff costs. [`plan`] compares the two sides' [`scan::index`]es
//! (each `shapes` entry's raw bytes) and names the entries to build:
//!
//! - every entry whose bytes (or file) differ between the sides, or that one side lacks, and
//!   every id defined twice on a side (the assembly compares those);
//! - every shape that depends on one of those through what the read resolves (mixins, applied
//!   traits, trait definitions): its resolved form may differ though its bytes do not;
//! - what the evaluators look at around them: services and resources (bindings, auth; of an
//!   operation left unread, its type is kept), shapes with mixins and their mixins (mixin problems), `apply` statements and their
//!   targets, copies of bundled shapes, trait definitions (and their shapes, transitively), and
//!   the member targets of the changed shapes.
//!
//! Everything else is left unread, and the model remembers its ids ([`super::Unread`]): a
//! lookup of one of them marks the model, and the caller diffs the pair again from full reads.
//! So a plan can only make a diff cheaper, never different; `engine::analyze` also requires the
//! base files to read in full ([`super::validates`]) so that no error hides in what was skipped
//! (the skipped bytes are the same on both sides).
//!
//! Only Smithy 2.0 JSON AST files are planned (1.0 files are upgraded using their member
//! targets); a plan that would leave less than a third of the bytes unread is not worth it and
//! [`plan`] returns `None`.
use super::assemble::{Assembled, assemble};
use super::scan::{self, Field};
use super::{Kinds, ModelFile, ShapeType, Unread, bundled};
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use std::sync::Arc;

/// One file of a side: its path, bytes and index.
pub type File<'a> = (&'a str, &'a [u8], &'a scan::Index<'a>);

/// What to build of each side's files.
#[derive(Debug, Default)]
pub struct Plan {
    /// Entry keys (shape ids and `apply` keys) to build.
    keys: HashSet<String>,
    /// Shape ids each side defines and leaves unread: base, head.
    pub unread: (Kinds, Kinds),
}

impl Plan {
    /// Whether the read builds the `shapes` entry with this key.
    pub fn wants(&self, key: &str) -> bool {
        self.keys.contains(key)
    }
}

/// The root shape id of an entry key (`ns#S$m` → `ns#S`).
fn root(key: &str) -> &str {
    key.split_once('$').map_or(key, |(r, _)| r)
}

/// One entry of a side: its root id, file and position in that file's index.
type Def<'f> = (&'f str, u32, u32);

/// One side's entries by root id, sorted (a root's entries in file order): a sorted list instead
/// of a map of lists, since a plan holds one for each side of a 100 MB model.
struct Defs<'f> {
    files: &'f [File<'f>],
    list: Vec<Def<'f>>,
}

impl<'f> Defs<'f> {
    /// `None` when a file is not Smithy 2.0 or an entry's span is not in its file.
    fn new(files: &'f [File<'f>]) -> Option<Defs<'f>> {
        let mut list = Vec::new();
        for (f, (_, bytes, index)) in files.iter().enumerate() {
            if !index.version.as_deref().is_some_and(|v| v == "2" || v.starts_with("2.")) {
                return None;
            }
            for (i, e) in index.entries.iter().enumerate() {
                bytes.get(e.span.clone())?;
                list.push((root(e.id.as_ref()), u32::try_from(f).ok()?, u32::try_from(i).ok()?));
            }
        }
        list.sort_by(|x, y| x.0.cmp(y.0));
        Some(Defs { files, list })
    }

    /// The entries of root id `id`.
    fn get(&self, id: &str) -> &[Def<'f>] {
        let lo = self.list.partition_point(|d| d.0 < id);
        let n = self.list[lo..].partition_point(|d| d.0 == id);
        &self.list[lo..lo + n]
    }

    /// Each root id with its entries, in id order.
    fn groups(&self) -> impl Iterator<Item = (&'f str, &[Def<'f>])> {
        self.list.chunk_by(|x, y| x.0 == y.0).map(|g| (g[0].0, g))
    }

    /// A def's path, raw bytes, index and entry.
    fn at(&self, &(_, f, i): &Def<'f>) -> (&'f str, &'f [u8], &'f scan::Index<'f>, &'f scan::Entry<'f>) {
        let (path, bytes, index) = self.files[f as usize];
        let e = &index.entries[i as usize];
        (path, &bytes[e.span.clone()], index, e)
    }

    /// The entry's `type`.
    fn kind(&self, d: &Def<'f>) -> &'f str {
        let (_, _, index, e) = self.at(d);
        index.kind(e)
    }
}

/// Every root id of either side, in order, with its entries on each (empty where it has none).
fn union<'f>(a: &Defs<'f>, b: &Defs<'f>, mut each: impl FnMut(&'f str, &[Def<'f>], &[Def<'f>])) {
    let (mut x, mut y) = (a.groups().peekable(), b.groups().peekable());
    loop {
        match (x.peek(), y.peek()) {
            (None, None) => return,
            (Some(&(i, l)), Some(&(j, _))) if i < j => {
                each(i, l, &[]);
                x.next();
            }
            (Some(&(i, l)), Some(&(j, m))) if i == j => {
                each(i, l, m);
                x.next();
                y.next();
            }
            (Some(&(i, l)), None) => {
                each(i, l, &[]);
                x.next();
            }
            (_, Some(&(j, m))) => {
                each(j, &[], m);
                y.next();
            }
        }
    }
}

/// Reads and assembles both sides of a diff (each file's path and bytes, sorted by path) as
/// [`plan_pair`] plans them: `None` where no plan applies or a read fails (the full reads say
/// why). With `always`, plans even where little would be left unread (tests compare every case).
pub fn read_pair(old: &[(&str, &[u8])], new: &[(&str, &[u8])], always: bool) -> Option<(Assembled, Assembled)> {
    read_planned(old, new, plan_pair(old, new, always)?)
}

/// [`plan`] for two sides' files, each scanned ([`scan::index`]).
pub fn plan_pair(old: &[(&str, &[u8])], new: &[(&str, &[u8])], always: bool) -> Option<Plan> {
    let (a, b) = rayon::join(|| index(old), || index(new));
    let (a, b) = (a?, b?);
    let old_files: Vec<File<'_>> = old.iter().zip(&a).map(|((p, b), i)| (*p, *b, i)).collect();
    let new_files: Vec<File<'_>> = new.iter().zip(&b).map(|((p, b), i)| (*p, *b, i)).collect();
    plan(&old_files, &new_files, always)
}

/// Both sides read and assembled as `plan` says, each model remembering what it left unread.
pub fn read_planned(old: &[(&str, &[u8])], new: &[(&str, &[u8])], plan: Plan) -> Option<(Assembled, Assembled)> {
    let Plan { keys, unread: (unread_old, unread_new) } = plan;
    let keys = &keys;
    let side = |files: &[(&str, &[u8])], unread: Kinds| -> Option<Assembled> {
        let read: Option<Vec<ModelFile>> =
            files.iter().map(|(p, b)| super::read_json_wanted(p, b, &|k| keys.contains(k)).ok()).collect();
        let mut assembled = assemble(read?);
        assembled.model.unread = Some(Arc::new(Unread::new(unread)));
        Some(assembled)
    };
    let (a, b) = rayon::join(|| side(old, unread_old), || side(new, unread_new));
    Some((a?, b?))
}

fn index<'a>(side: &[(&str, &'a [u8])]) -> Option<Vec<scan::Index<'a>>> {
    side.iter().map(|(_, b)| scan::index(b)).collect()
}

/// Plans the read of a base and a head side (see the module docs); `None`: read both in full.
pub fn plan(old: &[File<'_>], new: &[File<'_>], always: bool) -> Option<Plan> {
    let (a, b) = (Defs::new(old)?, Defs::new(new)?);
    // Every root id of either side, hashed: asked for each reference and trait of every entry.
    let all: HashSet<&str> = a.groups().chain(b.groups()).map(|(id, _)| id).collect();
    let ids = |id: &str| all.contains(id);
    let same = |x: &[Def<'_>], y: &[Def<'_>]| {
        !x.is_empty()
            && x.len() == y.len()
            && x.iter().zip(y).all(|(p, q)| {
                let ((pp, pr, _, pe), (qp, qr, _, qe)) = (a.at(p), b.at(q));
                pp == qp && pr == qr && pe.id == qe.id
            })
    };
    let defined_twice = |d: &Defs<'_>, list: &[Def<'_>]| list.iter().filter(|e| d.kind(e) != "apply").count() > 1;
    let mut dirty: Vec<&str> = Vec::new();
    union(&a, &b, |id, x, y| {
        if !same(x, y) || defined_twice(&a, x) || defined_twice(&b, y) {
            dirty.push(id);
        }
    });

    // What a shape's resolved form depends on besides its own bytes: its mixins, the traits it
    // and its members apply (their definitions decide whether a value is kept), and `apply`
    // statements (keyed at their target, so part of its entry list). Only what the files define
    // can change (a prelude trait cannot), so only those dependencies are kept.
    let mut users: HashMap<&str, Vec<&str>> = HashMap::new();
    for d in [&a, &b] {
        for (id, list) in d.groups() {
            for x in list {
                let (_, _, index, e) = d.at(x);
                let mixins = index.references(e).filter(|(f, _)| *f == Field::Mixin).map(|(_, t)| t);
                for dep in mixins.chain(index.trait_ids(e)).map(root) {
                    if ids(dep) {
                        users.entry(dep).or_default().push(id);
                    }
                }
            }
        }
    }
    let mut keep: HashSet<&str> = HashSet::new();
    let mut queue: Vec<&str> = Vec::new();
    while let Some(id) = dirty.pop() {
        if keep.insert(id) {
            queue.push(id);
            dirty.extend(users.get(id).into_iter().flatten().copied());
        }
    }
    drop(users);
    let changed: HashSet<&str> = keep.clone();

    // What the evaluators and the assembly look at around the changed shapes.
    for d in [&a, &b] {
        for (id, list) in d.groups() {
            let wanted = list.iter().any(|x| {
                let (_, _, index, e) = d.at(x);
                matches!(index.kind(e), "service" | "resource" | "apply")
                    || index.references(e).any(|(f, _)| f == Field::Mixin)
            }) || bundled::shape(id).is_some();
            if wanted && keep.insert(id) {
                queue.push(id);
            }
        }
    }
    // Forward: mixins and trait definitions of everything kept (trait definitions with their
    // whole shape closure: evaluators walk a trait value through its definition's members), and
    // the member targets of the changed shapes.
    let mut deep: HashSet<&str> = HashSet::new();
    while let Some(id) = queue.pop() {
        let follow_members = changed.contains(id) || deep.contains(id);
        for d in [&a, &b] {
            for x in d.get(id) {
                let (_, _, index, e) = d.at(x);
                for (field, target) in index.references(e) {
                    let t = root(target);
                    let wanted = match field {
                        Field::Mixin => true,
                        Field::Members | Field::Member | Field::KeyValue => follow_members,
                        Field::Other => deep.contains(id),
                    };
                    if wanted && ids(t) {
                        if deep.contains(id) {
                            deep.insert(t);
                        }
                        if keep.insert(t) {
                            queue.push(t);
                        }
                    }
                }
                for t in index.trait_ids(e).map(root) {
                    if ids(t) {
                        let new_deep = deep.insert(t);
                        if keep.insert(t) || new_deep {
                            queue.push(t);
                        }
                    }
                }
            }
        }
    }
    let mut keys = HashSet::new();
    let (mut total, mut skipped) = (0usize, 0usize);
    for d in [&a, &b] {
        for (id, list) in d.groups() {
            for x in list {
                let (_, raw, _, e) = d.at(x);
                total += raw.len();
                if keep.contains(id) {
                    keys.insert(e.id.to_string());
                } else {
                    skipped += raw.len();
                }
            }
        }
    }
    if !always && skipped * 3 < total {
        return None;
    }
    let unread = |d: &Defs<'_>| -> Kinds {
        let mut out = Kinds::default();
        for (id, list) in d.groups().filter(|(id, _)| !keep.contains(*id)) {
            if let Some(kind) = list.iter().find_map(|x| ShapeType::parse(d.kind(x))) {
                out.push(id, kind);
            }
        }
        out
    };
    Some(Plan { unread: (unread(&a), unread(&b)), keys })
}
