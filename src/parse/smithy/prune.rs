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
//!
//! A large pair rewritten from end to end is planned in [`Batches`] instead: the changed shapes
//! split into batches of a few megabytes, each read with what its evaluators look at and diffed
//! with only its own shapes in focus (`rules::model::diff_in`), the results merged. A batch that
//! asks for a shape it left unread is read again with it. Once planned, the files are held packed
//! ([`pack`], `crate::packed`) and each batch reads its entries from their places in them, so the
//! whole bytes are not kept from batch to batch. Memory then follows the batch, not the model: a
//! reformatted 100 MB model's diff went from 981 MB to 274 MB, a rewritten one's (a finding per
//! shape) from 428 to 295 MB.
use super::assemble::{Assembled, assemble};
use super::scan::{self, Field};
use super::{Kinds, ModelFile, Place, ShapeType, Unread, bundled};
use crate::packed::{self, Packed};
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use rayon::prelude::*;
use std::sync::Arc;

/// One file of a side: its path, bytes and index.
pub type File<'a> = (&'a str, &'a [u8], &'a scan::Index<'a>);

/// What to build of each side's files.
#[derive(Debug, Default)]
pub struct Plan {
    /// Entry keys (shape ids and `apply` keys) to build.
    keys: Arc<HashSet<String>>,
    /// Shape ids each side defines and leaves unread: base, head.
    pub unread: (Unread, Unread),
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
    scanned(old, new, |a, b| plan(a, b, always))
}

/// How [`plan_read`] reads a pair.
pub enum PlannedRead {
    One(Plan),
    Batches(Batches),
}

/// Plans the read of a pair (each file's path and bytes), each side scanned once: one [`plan`]
/// where it is worth it (never with `batched_from` 0); else, for a pair of `batched_from` bytes
/// or more (both sides), [`batches`] of about `budget` bytes; else `None`: read in full.
pub fn plan_read(
    old: &[(&str, &[u8])],
    new: &[(&str, &[u8])],
    batched_from: usize,
    budget: usize,
) -> Option<PlannedRead> {
    scanned(old, new, |a, b| {
        if batched_from != 0
            && let Some(one) = plan(a, b, false)
        {
            return Some(PlannedRead::One(one));
        }
        let total: usize = old.iter().chain(new).map(|(_, bytes)| bytes.len()).sum();
        if total < batched_from {
            return None;
        }
        batches(a, b, budget, batched_from == 0).map(PlannedRead::Batches)
    })
}

/// `then` of both sides' files with their scans ([`scan::index`], the two in parallel); `None`
/// when a file is not JSON the scan can walk.
fn scanned<T>(
    old: &[(&str, &[u8])],
    new: &[(&str, &[u8])],
    then: impl FnOnce(&[File<'_>], &[File<'_>]) -> Option<T>,
) -> Option<T> {
    let (a, b) = rayon::join(|| index(old), || index(new));
    let (a, b) = (a?, b?);
    let old_files: Vec<File<'_>> = old.iter().zip(&a).map(|((p, b), i)| (*p, *b, i)).collect();
    let new_files: Vec<File<'_>> = new.iter().zip(&b).map(|((p, b), i)| (*p, *b, i)).collect();
    then(&old_files, &new_files)
}

/// Both sides read and assembled as `plan` says, each model remembering what it left unread.
pub fn read_planned(old: &[(&str, &[u8])], new: &[(&str, &[u8])], plan: Plan) -> Option<(Assembled, Assembled)> {
    let Plan { keys, unread: (unread_old, unread_new) } = plan;
    let side = |files: &[(&str, &[u8])], unread: Unread| -> Option<Assembled> {
        let read: Option<Vec<ModelFile>> = files
            .iter()
            .map(|(path, bytes)| super::read_json_wanted(path, bytes, &|k| keys.contains(k)).ok())
            .collect();
        Some(assembled(read?, unread))
    };
    let (a, b) = rayon::join(|| side(old, unread_old), || side(new, unread_new));
    Some((a?, b?))
}

/// One side's files assembled, its model remembering what the read left unread.
fn assembled(files: Vec<ModelFile>, unread: Unread) -> Assembled {
    let mut assembled = assemble(files);
    assembled.model.unread = Some(Arc::new(unread));
    assembled
}

fn index<'a>(side: &[(&str, &'a [u8])]) -> Option<Vec<scan::Index<'a>>> {
    side.iter().map(|(_, b)| scan::index(b)).collect()
}

/// Plans the read of a base and a head side (see the module docs); `None`: read both in full.
pub fn plan(old: &[File<'_>], new: &[File<'_>], always: bool) -> Option<Plan> {
    let (a, b) = (Defs::new(old)?, Defs::new(new)?);
    let p = Pair::new(&a, &b);
    let changed = p.changed();
    let keep = p.keep(&changed);
    let (total, skipped) = p.sizes(&keep);
    if !always && skipped * 3 < total {
        return None;
    }
    let keys = p.keys(&keep);
    Some(Plan { unread: (Unread::new(unread(&a, &keep)), Unread::new(unread(&b, &keep))), keys: Arc::new(keys) })
}

/// A plan in batches, for a pair too rewritten for one [`plan`] to leave much unread: each
/// batch builds some of the changed shapes (its focus) with what the evaluators look at around
/// them, so a large model rewritten from end to end is diffed a few megabytes at a time instead
/// of built whole on both sides. Diffing each batch's focus
/// ([`crate::rules::model::diff_in`]) and merging the results gives the full diff.
#[derive(Debug)]
pub struct Batches {
    /// Every shape id each side defines, with its type: a batch leaves unread what it does not
    /// build.
    every: (Arc<Kinds>, Arc<Kinds>),
    /// Where the entries of each id of `every` are on its side, for a batch that asks for a
    /// shape it left unread.
    defined: [Defined; 2],
    batches: Vec<Batch>,
}

/// The entries of each id of a side's [`Kinds`], in its order: the entries of the `k`th id are
/// `places[ends[k - 1]..ends[k]]` (from 0 for the first).
#[derive(Debug, Default)]
struct Defined {
    ends: Vec<u32>,
    places: Places,
}

impl Defined {
    fn of(&self, k: usize) -> &[(u32, Place)] {
        let start = k.checked_sub(1).map_or(Some(&0), |j| self.ends.get(j));
        match (start, self.ends.get(k)) {
            (Some(&start), Some(&end)) => self.places.get(start as usize..end as usize).unwrap_or(&[]),
            _ => &[],
        }
    }
}

/// One side's files as [`Batches::each`] reads them: each file's path, its document without
/// its shapes (read once, for every batch to add its shapes to) and its bytes, packed: a
/// rewritten 100 MB model's diff held both sides' bytes whole through every batch, half its
/// peak.
pub struct PackedFile {
    path: String,
    rest: ModelFile,
    bytes: Packed,
}

/// Packs one side's files (each path and bytes) for [`Batches::each`]; `None` when a document
/// does not read (its walk checks its structure and that no key repeats): the caller reads in
/// full, which says why.
pub fn pack(files: &[(&str, &[u8])]) -> Option<Vec<PackedFile>> {
    files
        .par_iter()
        .map(|(path, bytes)| {
            let (rest, packed) =
                rayon::join(|| super::read_json_wanted(path, bytes, &|_| false).ok(), || Packed::new(bytes));
            Some(PackedFile { path: path.to_string(), rest: rest?, bytes: packed })
        })
        .collect()
}

/// One batch of [`Batches`]: what it builds and reports of each side, by the positions of ids
/// in the side's list of every id ([`Batches::every`]), 4 bytes an id where a set of strings took
/// some 60 (a 100 MB model's batches hold every id of it twice).
#[derive(Debug)]
struct Batch {
    /// The ids it builds (its focus and their context), sorted.
    read: [Arc<Vec<u32>>; 2],
    /// The ids whose differences it reports, sorted.
    focus: [Vec<u32>; 2],
    /// Where its entries are on each side, in file order, so the batch is read from its own
    /// bytes instead of a walk of the whole file.
    places: [Places; 2],
}

impl Batches {
    pub fn len(&self) -> usize {
        self.batches.len()
    }

    pub fn is_empty(&self) -> bool {
        self.batches.is_empty()
    }

    /// Reads and diffs each batch in order from both sides' packed files ([`pack`]): `diff`
    /// gets a batch's two sides and focus (whether a root shape id is in it); when it asked for
    /// shapes the batch left unread (a nested target, say), the batch is read again with them,
    /// and `done` gets the sides and what `diff` returned for the read that asked for nothing.
    /// `None` when a read fails or a batch keeps asking for more: the caller reads in full.
    pub fn each<T>(
        &self,
        old: &[PackedFile],
        new: &[PackedFile],
        mut diff: impl FnMut(&Assembled, &Assembled, &dyn Fn(&str) -> bool) -> T,
        mut done: impl FnMut(Assembled, Assembled, T),
    ) -> Option<()> {
        let every = [&self.every.0, &self.every.1];
        for batch in &self.batches {
            let focus = |id: &str| {
                (0..2).any(|i| every[i].index_of(id).is_some_and(|k| batch.focus[i].binary_search(&(k as u32)).is_ok()))
            };
            let mut read = batch.read.clone();
            let mut places = std::borrow::Cow::Borrowed(&batch.places);
            let mut rounds = 0;
            loop {
                let side = |i: usize, files: &[PackedFile]| -> Option<Assembled> {
                    let at = &places[i];
                    let mut out = Vec::with_capacity(files.len());
                    for (f, file) in files.iter().enumerate() {
                        let f = f as u32;
                        let mine = &at[at.partition_point(|p| p.0 < f)..at.partition_point(|p| p.0 <= f)];
                        let mut bytes = packed::Reader::new(&file.bytes);
                        out.push(super::read_json_at(&file.path, &file.rest, mine.iter().map(|p| &p.1), &mut bytes)?);
                    }
                    Some(assembled(out, Unread::except(every[i].clone(), read[i].clone())))
                };
                let (a, b) = rayon::join(|| side(0, old), || side(1, new));
                let (a, b) = (a?, b?);
                let t = diff(&a, &b, &focus);
                let mut asked = a.model.asked_ids();
                asked.extend(b.model.asked_ids());
                if asked.is_empty() {
                    done(a, b, t);
                    break;
                }
                // Read again with the entries of what was asked, on each side that defines it.
                rounds += 1;
                let before = read[0].len() + read[1].len();
                let more = places.to_mut();
                for i in 0..2 {
                    let ids = Arc::make_mut(&mut read[i]);
                    for k in asked.iter().filter_map(|id| every[i].index_of(id)) {
                        ids.push(k as u32);
                        more[i].extend(self.defined[i].of(k).iter().cloned());
                    }
                    ids.sort_unstable();
                    ids.dedup();
                    more[i].sort_unstable_by_key(|p| (p.0, p.1.value.start));
                    more[i].dedup();
                }
                if rounds > ROUNDS || read[0].len() + read[1].len() == before {
                    return None;
                }
            }
        }
        Some(())
    }
}

/// Where a batch's entries are in one side's files: each entry's file and place, in file order.
type Places = Vec<(u32, Place)>;

/// How many times one batch is read again with the shapes it asked for.
const ROUNDS: usize = 8;

/// [`batches`] for two sides' files, each scanned ([`scan::index`]).
pub fn batch_pair(old: &[(&str, &[u8])], new: &[(&str, &[u8])], budget: usize, always: bool) -> Option<Batches> {
    scanned(old, new, |a, b| batches(a, b, budget, always))
}

/// Plans the read of a pair in batches of changed shapes of about `budget` bytes (both sides'
/// entries together). `None` where no plan applies (as for [`plan`]) or where what every batch
/// must build anyway (services, resources, shapes with mixins, …) is a third of the bytes or
/// more: batches would then cost more than one full read (with `always`, batches anyway: tests
/// compare every case).
pub fn batches(old: &[File<'_>], new: &[File<'_>], budget: usize, always: bool) -> Option<Batches> {
    let (a, b) = (Defs::new(old)?, Defs::new(new)?);
    let p = Pair::new(&a, &b);
    let mut changed: Vec<&str> = p.changed().into_iter().collect();
    changed.sort_unstable();
    let context = p.always();
    let (total, skipped) = p.sizes(&p.keep_with(&HashSet::new(), &context));
    if !always && (total - skipped) * 3 >= total {
        return None;
    }
    // Each entry's place, with its key's line: a batch reads its entries from packed bytes, a
    // few at a time, so their lines are counted here, while the files are whole.
    let lines: [Vec<Vec<u32>>; 2] =
        [old, new].map(|files| files.iter().map(|(_, bytes, index)| key_lines(bytes, index)).collect());
    let place = |side: usize, d: &Defs<'_>, x: &Def<'_>| -> Option<(u32, Place)> {
        let e = d.at(x).3;
        let value = u32::try_from(e.span.start).ok()?..u32::try_from(e.span.end).ok()?;
        let line = *lines[side].get(x.1 as usize)?.get(x.2 as usize)?;
        Some((x.1, Place { key_at: e.key_at, line, value }))
    };
    // Every id with its type, and where its entries are.
    let mut every: [(Kinds, Defined); 2] = Default::default();
    for (side, (d, (kinds, defined))) in [&a, &b].into_iter().zip(&mut every).enumerate() {
        for (id, list) in d.groups() {
            if let Some(kind) = list.iter().find_map(|x| ShapeType::parse(d.kind(x))) {
                kinds.push(id, kind);
                if kinds.len() != defined.ends.len() + 1 {
                    return None;
                }
                for x in list {
                    defined.places.push(place(side, d, x)?);
                }
                defined.ends.push(u32::try_from(defined.places.len()).ok()?);
            }
        }
        kinds.shrink_to_fit();
        defined.places.shrink_to_fit();
        defined.ends.shrink_to_fit();
    }
    let positions = |ids: &mut dyn Iterator<Item = &str>| -> [Vec<u32>; 2] {
        let mut out: [Vec<u32>; 2] = Default::default();
        for id in ids {
            for (kinds, out) in every.iter().map(|e| &e.0).zip(&mut out) {
                out.extend(kinds.index_of(id).map(|k| k as u32));
            }
        }
        for o in &mut out {
            o.sort_unstable();
            o.dedup();
            o.shrink_to_fit();
        }
        out
    };
    let size =
        |id: &str| -> usize { [&a, &b].iter().map(|d| d.get(id).iter().map(|x| d.at(x).1.len()).sum::<usize>()).sum() };
    let mut out = Vec::new();
    let mut rest = changed.as_slice();
    // At least one batch, with nothing in focus when no shape changed: the metadata is diffed.
    while !rest.is_empty() || out.is_empty() {
        let (mut n, mut bytes) = (0, 0);
        while n < rest.len() && (n == 0 || bytes < budget) {
            bytes += size(rest[n]);
            n += 1;
        }
        let focus: HashSet<&str> = rest[..n].iter().copied().collect();
        rest = &rest[n..];
        let keep = p.keep_with(&focus, &context);
        let mut at: [Places; 2] = Default::default();
        for (side, (d, at)) in [&a, &b].into_iter().zip(&mut at).enumerate() {
            for x in keep.iter().flat_map(|id| d.get(id)) {
                at.push(place(side, d, x)?);
            }
            at.sort_unstable_by_key(|p| (p.0, p.1.value.start));
            at.shrink_to_fit();
        }
        let [read_old, read_new] = positions(&mut keep.iter().copied());
        out.push(Batch {
            read: [Arc::new(read_old), Arc::new(read_new)],
            focus: positions(&mut focus.into_iter()),
            places: at,
        });
    }
    let [(old_kinds, old_defined), (new_kinds, new_defined)] = every;
    Some(Batches {
        every: (Arc::new(old_kinds), Arc::new(new_kinds)),
        defined: [old_defined, new_defined],
        batches: out,
    })
}

/// The (1-based) line of each entry's key, in the index's order (the file's), counted in one
/// walk of the file.
fn key_lines(bytes: &[u8], index: &scan::Index<'_>) -> Vec<u32> {
    let (mut line, mut at) = (1usize, 0usize);
    index
        .entries
        .iter()
        .map(|e| {
            let to = (e.key_at as usize).clamp(at, bytes.len());
            line += memchr::memchr_iter(b'\n', &bytes[at..to]).count();
            at = to;
            u32::try_from(line).unwrap_or(u32::MAX)
        })
        .collect()
}

/// The shape ids a side defines that `keep` leaves out, with their types.
fn unread(d: &Defs<'_>, keep: &HashSet<&str>) -> Kinds {
    let mut out = Kinds::default();
    for (id, list) in d.groups().filter(|(id, _)| !keep.contains(*id)) {
        if let Some(kind) = list.iter().find_map(|x| ShapeType::parse(d.kind(x))) {
            out.push(id, kind);
        }
    }
    out
}

/// Both sides' entries, and what planning a read of them asks again and again.
struct Pair<'p, 'f> {
    a: &'p Defs<'f>,
    b: &'p Defs<'f>,
    /// Every root id of either side, hashed: asked for each reference and trait of every entry.
    all: HashSet<&'f str>,
}

impl<'p, 'f> Pair<'p, 'f> {
    fn new(a: &'p Defs<'f>, b: &'p Defs<'f>) -> Pair<'p, 'f> {
        Pair { a, b, all: a.groups().chain(b.groups()).map(|(id, _)| id).collect() }
    }

    fn defined(&self, id: &str) -> bool {
        self.all.contains(id)
    }

    /// The shapes whose resolved form may differ between the sides: every entry whose bytes
    /// (or file) differ or that one side lacks, every id defined twice on a side, and what
    /// depends on those through what the read resolves.
    fn changed(&self) -> HashSet<&'f str> {
        let (a, b) = (self.a, self.b);
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
        union(a, b, |id, x, y| {
            if !same(x, y) || defined_twice(a, x) || defined_twice(b, y) {
                dirty.push(id);
            }
        });

        // What a shape's resolved form depends on besides its own bytes: its mixins, the
        // traits it and its members apply (their definitions decide whether a value is kept),
        // and `apply` statements (keyed at their target, so part of its entry list). Only what
        // the files define can change (a prelude trait cannot), so only those dependencies are
        // kept.
        let mut users: HashMap<&str, Vec<&str>> = HashMap::new();
        for d in [a, b] {
            for (id, list) in d.groups() {
                for x in list {
                    let (_, _, index, e) = d.at(x);
                    let mixins = index.references(e).filter(|(f, _)| *f == Field::Mixin).map(|(_, t)| t);
                    for dep in mixins.chain(index.trait_ids(e)).map(root) {
                        if self.defined(dep) {
                            users.entry(dep).or_default().push(id);
                        }
                    }
                }
            }
        }
        let mut changed: HashSet<&str> = HashSet::new();
        while let Some(id) = dirty.pop() {
            if changed.insert(id) {
                dirty.extend(users.get(id).into_iter().flatten().copied());
            }
        }
        changed
    }

    /// `changed` and what the evaluators and the assembly look at around it: services and
    /// resources, shapes with mixins, `apply` statements, copies of bundled shapes, and then
    /// forward the mixins and trait definitions of everything kept (trait definitions with
    /// their whole shape closure: evaluators walk a trait value through its definition's
    /// members), and the member targets of the changed shapes.
    fn keep(&self, changed: &HashSet<&'f str>) -> HashSet<&'f str> {
        self.keep_with(changed, &self.always())
    }

    /// What every plan of the pair keeps whatever changed: services, resources, `apply`
    /// statements, shapes with mixins, copies of bundled shapes (see [`Pair::keep`]).
    fn always(&self) -> Vec<&'f str> {
        let mut out = Vec::new();
        for d in [self.a, self.b] {
            for (id, list) in d.groups() {
                let wanted = list.iter().any(|x| {
                    let (_, _, index, e) = d.at(x);
                    matches!(index.kind(e), "service" | "resource" | "apply")
                        || index.references(e).any(|(f, _)| f == Field::Mixin)
                }) || bundled::shape(id).is_some();
                if wanted {
                    out.push(id);
                }
            }
        }
        out
    }

    /// [`Pair::keep`] with [`Pair::always`] computed once (a plan in batches asks for each
    /// batch).
    fn keep_with(&self, changed: &HashSet<&'f str>, always: &[&'f str]) -> HashSet<&'f str> {
        let mut keep: HashSet<&str> = changed.clone();
        let mut queue: Vec<&str> = keep.iter().copied().collect();
        queue.sort_unstable();
        for &id in always {
            if keep.insert(id) {
                queue.push(id);
            }
        }
        let mut deep: HashSet<&str> = HashSet::new();
        while let Some(id) = queue.pop() {
            let follow_members = changed.contains(id) || deep.contains(id);
            for d in [self.a, self.b] {
                for x in d.get(id) {
                    let (_, _, index, e) = d.at(x);
                    for (field, target) in index.references(e) {
                        let t = root(target);
                        let wanted = match field {
                            Field::Mixin => true,
                            Field::Members | Field::Member | Field::KeyValue => follow_members,
                            Field::Other => deep.contains(id),
                        };
                        if wanted && self.defined(t) {
                            // Revisited when it becomes deep, so the closure does not depend on
                            // the order it is walked in.
                            let new_deep = deep.contains(id) && deep.insert(t);
                            if keep.insert(t) || new_deep {
                                queue.push(t);
                            }
                        }
                    }
                    for t in index.trait_ids(e).map(root) {
                        if self.defined(t) {
                            let new_deep = deep.insert(t);
                            if keep.insert(t) || new_deep {
                                queue.push(t);
                            }
                        }
                    }
                }
            }
        }
        keep
    }

    /// The entry keys of what `keep` builds.
    fn keys(&self, keep: &HashSet<&str>) -> HashSet<String> {
        let mut keys = HashSet::new();
        for d in [self.a, self.b] {
            for (_, list) in d.groups().filter(|(id, _)| keep.contains(id)) {
                keys.extend(list.iter().map(|x| d.at(x).3.id.to_string()));
            }
        }
        keys
    }

    /// The bytes of every entry, and of those `keep` leaves out: whether a plan is worth it is
    /// known before its keys are made (a rewritten model's would be every id).
    fn sizes(&self, keep: &HashSet<&str>) -> (usize, usize) {
        let (mut total, mut skipped) = (0usize, 0usize);
        for d in [self.a, self.b] {
            for (id, list) in d.groups() {
                let bytes: usize = list.iter().map(|x| d.at(x).1.len()).sum();
                total += bytes;
                if !keep.contains(id) {
                    skipped += bytes;
                }
            }
        }
        (total, skipped)
    }
}
