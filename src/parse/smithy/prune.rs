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
use super::{ModelFile, ShapeType, Unread, bundled};
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use std::sync::Arc;

/// One file of a side: its path, bytes and index.
pub type File<'a> = (&'a str, &'a [u8], &'a scan::Index<'a>);

/// Shape ids and their types.
pub type Kinds = std::collections::HashMap<String, ShapeType>;

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

/// One side's entries by root id: (file, entry).
type Defs<'a> = HashMap<&'a str, Vec<(&'a str, &'a [u8], &'a scan::Entry<'a>)>>;

fn defs<'a>(files: &'a [File<'a>]) -> Option<Defs<'a>> {
    let mut out: Defs<'a> = HashMap::new();
    for (path, bytes, index) in files {
        if !index.version.as_deref().is_some_and(|v| v == "2" || v.starts_with("2.")) {
            return None;
        }
        for e in &index.entries {
            let raw = bytes.get(e.span.clone())?;
            out.entry(root(&e.id)).or_default().push((path, raw, e));
        }
    }
    Some(out)
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
    let (a, b) = (defs(old)?, defs(new)?);
    let ids: HashSet<&str> = a.keys().chain(b.keys()).copied().collect();
    let same =
        |x: Option<&Vec<(&str, &[u8], &scan::Entry<'_>)>>, y: Option<&Vec<(&str, &[u8], &scan::Entry<'_>)>>| match (
            x, y,
        ) {
            (Some(x), Some(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|(p, q)| p.0 == q.0 && p.1 == q.1 && p.2.id == q.2.id)
            }
            _ => false,
        };
    let defined_twice =
        |d: &Defs<'_>, id: &str| d.get(id).is_some_and(|v| v.iter().filter(|e| e.2.kind() != "apply").count() > 1);
    let mut dirty: Vec<&str> = ids
        .iter()
        .copied()
        .filter(|id| !same(a.get(id), b.get(id)) || defined_twice(&a, id) || defined_twice(&b, id))
        .collect();

    // What a shape's resolved form depends on besides its own bytes: its mixins, the traits it
    // and its members apply (their definitions decide whether a value is kept), and `apply`
    // statements (keyed at their target, so part of its entry list).
    let mut users: HashMap<&str, Vec<&str>> = HashMap::new();
    for d in [&a, &b] {
        for (id, list) in d {
            for (_, _, e) in list {
                let mixins = e.references().filter(|(f, _)| *f == Field::Mixin).map(|(_, t)| t);
                for dep in mixins.chain(e.trait_ids()) {
                    users.entry(root(dep)).or_default().push(id);
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
    let changed: HashSet<&str> = keep.clone();

    // What the evaluators and the assembly look at around the changed shapes.
    for d in [&a, &b] {
        for (id, list) in d {
            let wanted = list.iter().any(|(_, _, e)| {
                matches!(e.kind(), "service" | "resource" | "apply") || e.references().any(|(f, _)| f == Field::Mixin)
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
            for (_, _, e) in d.get(id).into_iter().flatten() {
                for (field, target) in e.references() {
                    let t = root(target);
                    let wanted = match field {
                        Field::Mixin => true,
                        Field::Members | Field::Member | Field::KeyValue => follow_members,
                        Field::Other => deep.contains(id),
                    };
                    if wanted && ids.contains(t) {
                        if deep.contains(id) {
                            deep.insert(t);
                        }
                        if keep.insert(t) {
                            queue.push(t);
                        }
                    }
                }
                for t in e.trait_ids().map(root) {
                    if ids.contains(t) {
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
        for (id, list) in d {
            for (_, raw, e) in list {
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
        d.iter()
            .filter(|(id, _)| !keep.contains(*id))
            .filter_map(|(id, list)| {
                let kind = list.iter().find_map(|(_, _, e)| ShapeType::parse(e.kind()))?;
                Some((id.to_string(), kind))
            })
            .collect()
    };
    Some(Plan { unread: (unread(&a), unread(&b)), keys })
}
