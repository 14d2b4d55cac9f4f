//! Source: the only module that uses gix. Resolves revisions, lists and reads the files of a
//! commit's tree, diffs two trees by object id, walks first-parent history; and reads the work
//! tree for `--head worktree`.
//!
//! Invariants: nothing here writes to the repository (no checkout, no index, no refs, no object
//! writes) and nothing touches the network. Everything past this module sees [`Oid`]s, repo-relative
//! `/`-separated paths and bytes. [`fixture`] builds repositories for the demo and the tests.
//!
//! May depend on: `memo`, `date`.
pub mod fixture;

use crate::memo::Memo;
use miette::Diagnostic;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use thiserror::Error;

pub use gix::ObjectId as Oid;

/// The revision name that means "the files on disk" instead of a commit.
pub const WORKTREE: &str = "worktree";

#[derive(Debug, Error, Diagnostic)]
pub enum SourceError {
    #[error("{path} is not a git repository")]
    #[diagnostic(
        code(shipgate::git::not_a_repository),
        help("run shipgate inside a git repository, or pass --repo PATH (bare repositories work too)")
    )]
    NotARepository { path: String },

    #[error("{path} is a git repository, but it could not be opened: {detail}")]
    #[diagnostic(
        code(shipgate::git::broken_repository),
        help(
            "check .git/config and every file it includes (`git config --list --show-origin` names each file, and fails on the broken one), fix it, then run again"
        )
    )]
    Broken { path: String, detail: String },

    #[error("two files are both named {path} here: one name is not UTF-8 and its escaped form is the other's name")]
    #[diagnostic(
        code(shipgate::source::ambiguous_path),
        help(
            "shipgate shows bytes that are not UTF-8 as `\\xNN`; rename one of the two files (`git ls-files -z` lists both)"
        )
    )]
    AmbiguousPath { path: String },

    #[error("unknown revision `{rev}`")]
    #[diagnostic(code(shipgate::git::unknown_revision), help("{help}"))]
    UnknownRevision { rev: String, help: String },

    #[error("this is a shallow clone and it does not contain {what}")]
    #[diagnostic(code(shipgate::git::shallow), help("{help}"))]
    Shallow { what: String, help: String },

    #[error("object {oid} ({path}) is missing from the object database")]
    #[diagnostic(
        code(shipgate::git::missing_object),
        help(
            "this looks like a partial clone (--filter) that never fetched this blob; shipgate does not use \
             the network. Fetch it first: `git fetch --refetch origin` (or clone without --filter), then run again"
        )
    )]
    MissingObject { oid: String, path: String },

    #[error("`{rev}` is a {kind}, not a commit")]
    #[diagnostic(
        code(shipgate::git::not_a_commit),
        help("name a commit, a branch, or a tag that points to a commit (`git log --oneline` lists commits)")
    )]
    NotACommit { rev: String, kind: String },

    #[error("`{rev}` is a tag that points to a {kind}, not to a commit")]
    #[diagnostic(
        code(shipgate::git::not_a_commit),
        help(
            "a tag on a {kind} names no commit to compare (`{rev}^{{commit}}` fails too): pass the release's commit instead, or re-tag it with `git tag -f {rev} COMMIT`"
        )
    )]
    TagOnNonCommit { rev: String, kind: String },

    #[error("--head worktree needs a repository with a work tree, and {path} is bare")]
    #[diagnostic(code(shipgate::git::bare_worktree), help("pass a commit as --head, or point --repo at a checkout"))]
    BareWorktree { path: String },

    #[error("could not read {what}: {detail}")]
    #[diagnostic(code(shipgate::git::read), help("check that the repository is intact: `git fsck`"))]
    Read { what: String, detail: String },

    #[error("refused to read {path}: {detail}")]
    #[diagnostic(
        code(shipgate::source::refused),
        help(
            "shipgate reads only regular files inside the repository, never through a symlink, and at most {cap} bytes each; replace it with a regular file"
        )
    )]
    Refused { path: String, detail: String, cap: u64 },
}

type Result<T, E = SourceError> = std::result::Result<T, E>;

/// Errors and their causes on one line, each once. A config parse error quotes the text it
/// stopped at (`... a section header: ':*:20228:0'`), which may come from an included file
/// outside the repository (`/etc/shadow`): the quote is cut, the line number kept.
fn error_chain<'e>(errors: impl Iterator<Item = &'e (dyn std::error::Error + 'static)>) -> String {
    let mut parts: Vec<String> = Vec::new();
    for e in errors {
        let mut text = e.to_string();
        if let Some(i) = text.find(": '") {
            text.truncate(i);
        }
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
    }
    parts.join(": ")
}

fn read_err(what: impl Into<String>, e: impl std::fmt::Display) -> SourceError {
    SourceError::Read { what: what.into(), detail: e.to_string() }
}

/// Largest config file or candidate manifest shipgate reads from disk.
pub const SMALL_FILE_CAP: u64 = 16 * 1024 * 1024;
/// Largest work-tree file (a model or manifest) shipgate reads.
pub const WORKTREE_FILE_CAP: u64 = 1024 * 1024 * 1024;

/// Why [`read_local_file`] did not read a file.
#[derive(Debug)]
pub enum LocalReadError {
    /// Not a regular file (FIFO, device, directory) or a symlink where none is followed.
    NotRegular(String),
    TooLarge(u64),
    Io(std::io::Error),
}

impl std::fmt::Display for LocalReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LocalReadError::NotRegular(what) => write!(f, "it is {what}, not a regular file"),
            LocalReadError::TooLarge(cap) => write!(f, "it is larger than {cap} bytes"),
            LocalReadError::Io(e) => write!(f, "{e}"),
        }
    }
}

/// Reads a file from disk with a size cap, only when it is a regular file. With `follow` false a
/// symlink is refused rather than followed (work-tree files: a committed symlink must never lead
/// out of the repository, e.g. to `/proc/self/environ`). FIFOs and devices are refused before
/// they are opened, so a read never blocks and never grows without bound.
pub fn read_local_file(path: &Path, cap: u64, follow: bool) -> Result<Vec<u8>, LocalReadError> {
    use std::io::Read;
    let meta = if follow { std::fs::metadata(path) } else { std::fs::symlink_metadata(path) };
    let meta = meta.map_err(LocalReadError::Io)?;
    let kind = |t: std::fs::FileType| -> Option<&'static str> {
        if t.is_file() {
            None
        } else if t.is_symlink() {
            Some("a symlink (shipgate does not follow symlinks in the repository)")
        } else if t.is_dir() {
            Some("a directory")
        } else {
            Some("a FIFO, socket or device")
        }
    };
    if let Some(what) = kind(meta.file_type()) {
        return Err(LocalReadError::NotRegular(what.into()));
    }
    // `/proc/self/environ` looks like an empty regular file and holds the environment (a CI
    // runner's tokens): kernel pseudo-files are never read, whatever link leads there.
    let real = std::fs::canonicalize(path).map_err(LocalReadError::Io)?;
    if ["/proc", "/sys", "/dev"].iter().any(|p| real.starts_with(p)) {
        return Err(LocalReadError::NotRegular("a kernel pseudo-file (under /proc, /sys or /dev)".into()));
    }
    if meta.len() > cap {
        return Err(LocalReadError::TooLarge(cap));
    }
    let file = std::fs::File::open(path).map_err(LocalReadError::Io)?;
    // The path may have been swapped between the check and the open: check the open file too.
    let opened = file.metadata().map_err(LocalReadError::Io)?;
    if let Some(what) = kind(opened.file_type()) {
        return Err(LocalReadError::NotRegular(what.into()));
    }
    let mut data = Vec::with_capacity(opened.len().min(cap) as usize);
    file.take(cap + 1).read_to_end(&mut data).map_err(LocalReadError::Io)?;
    if data.len() as u64 > cap {
        return Err(LocalReadError::TooLarge(cap));
    }
    Ok(data)
}

/// Reads a work-tree file the way git stores it: a symlink is its target path (never followed),
/// a regular file its bytes (capped); anything else is refused.
fn read_worktree_file(full: &Path, rel: &str) -> Result<Vec<u8>> {
    let meta = std::fs::symlink_metadata(full).map_err(|e| read_err(format!("{rel} in the work tree"), e))?;
    if meta.file_type().is_symlink() {
        let target = std::fs::read_link(full).map_err(|e| read_err(format!("{rel} in the work tree"), e))?;
        return Ok(target.as_os_str().as_encoded_bytes().to_vec());
    }
    read_local_file(full, WORKTREE_FILE_CAP, false).map_err(|e| match e {
        LocalReadError::Io(e) => read_err(format!("{rel} in the work tree"), e),
        other => SourceError::Refused {
            path: format!("{rel} in the work tree"),
            detail: other.to_string(),
            cap: WORKTREE_FILE_CAP,
        },
    })
}

/// A resolved commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    pub id: Oid,
    pub tree: Oid,
    pub parents: Vec<Oid>,
    /// Committer time, seconds since the epoch.
    pub time: i64,
    /// First line of the message.
    pub summary: String,
}

impl Commit {
    pub fn hex(&self) -> String {
        self.id.to_string()
    }

    /// Committer date as `YYYY-MM-DD` (UTC).
    pub fn date(&self) -> String {
        crate::date::of_unix(self.time).to_string()
    }
}

/// What a snapshot's files come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Snapshot {
    Commit(Commit),
    /// The work tree at this absolute path, `.gitignore` honoured.
    Worktree(PathBuf),
}

impl Snapshot {
    /// Full commit id, or `worktree`.
    pub fn label(&self) -> String {
        match self {
            Snapshot::Commit(c) => c.hex(),
            Snapshot::Worktree(_) => WORKTREE.to_string(),
        }
    }

    pub fn commit(&self) -> Option<&Commit> {
        match self {
            Snapshot::Commit(c) => Some(c),
            Snapshot::Worktree(_) => None,
        }
    }
}

/// One file of a snapshot: its path and the id of its content (a git blob id; for the work tree,
/// computed the way git would).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileEntry {
    pub path: String,
    pub oid: Oid,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChangeKind {
    Added,
    Removed,
    Modified,
}

/// One path that differs between two snapshots.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct PathChange {
    pub path: String,
    pub kind: ChangeKind,
    pub old: Option<Oid>,
    pub new: Option<Oid>,
}

/// A repository opened read-only. Cheap to clone; `Sync`, so rayon workers can share it.
#[derive(Clone)]
pub struct Repo {
    inner: gix::ThreadSafeRepository,
    /// The path the user gave.
    display: String,
    /// Tree entries by tree id: history searches walk many commits that share almost every
    /// subtree, so each tree object is inflated once.
    trees: Memo<Oid, TreeEntries>,
    /// Blob sizes by id, for the same reason: adjacent candidates list the same changed files.
    sizes: Memo<Oid, u64>,
    /// Blobs read lately (see [`Recent`]).
    recent: std::sync::Arc<std::sync::Mutex<Recent>>,
    /// git's clean conversion for work-tree files, built on the first work-tree read.
    clean: std::sync::Arc<std::sync::Mutex<Option<CleanFilter>>>,
    /// Delta bases resolved lately, shared by every handle (see [`DeltaBases`]).
    delta_bases: DeltaBases,
}

/// The decompressed delta bases of recent blob reads, one table for every thread's handle (git's
/// `core.deltaBaseCacheLimit`; the repository's own setting is not read, as it is input from
/// whoever wrote the repository). A packed blob is a chain of deltas on older versions of the
/// file: without this, each read rebuilds its chain from the start, and a history search reads
/// the versions of the same files over and over, each sharing its chain with the next. One
/// table, not one per handle, so its bound is the whole cost in memory.
#[derive(Clone)]
struct DeltaBases(std::sync::Arc<std::sync::Mutex<gix::odb::pack::cache::lru::MemoryCappedHashmap>>);

/// Bytes of delta bases [`DeltaBases`] keeps.
const DELTA_BASES_KEPT: usize = 8 * 1024 * 1024;

impl Default for DeltaBases {
    fn default() -> Self {
        DeltaBases(std::sync::Arc::new(std::sync::Mutex::new(gix::odb::pack::cache::lru::MemoryCappedHashmap::new(
            DELTA_BASES_KEPT,
        ))))
    }
}

impl gix::odb::pack::cache::DecodeEntry for DeltaBases {
    fn put(&mut self, pack_id: u32, offset: u64, data: &[u8], kind: gix::objs::Kind, compressed_size: usize) {
        // A base larger than the whole table is not copied only to be turned away.
        if data.len() < DELTA_BASES_KEPT {
            let mut table = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            table.put(pack_id, offset, data, kind, compressed_size);
        }
    }

    fn get(&mut self, pack_id: u32, offset: u64, out: &mut Vec<u8>) -> Option<(gix::objs::Kind, usize)> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(pack_id, offset, out)
    }
}

/// git's "clean" conversion of a work-tree file into the blob `git add` would store:
/// `core.autocrlf`, `core.eol` and the `text`, `eol`, `working-tree-encoding` and `ident`
/// attributes (from `.gitattributes` and `.git/info/attributes`), so a CRLF checkout hashes to
/// the blobs git has and shows the changes `git status` shows. Filter drivers (`filter=lfs`) are
/// never run: they are commands, and shipgate runs none.
struct CleanFilter {
    pipeline: gix::filter::plumbing::Pipeline,
    attributes: gix::worktree::Stack,
    index: gix::worktree::IndexPersistedOrInMemory,
    /// Directories whose `.gitattributes` was checked to be a regular file (or absent).
    checked: std::collections::HashSet<PathBuf>,
}

impl CleanFilter {
    fn new(repo: &gix::Repository) -> Result<CleanFilter> {
        let what = "the work tree's .gitattributes and git config (core.autocrlf, core.eol)";
        let (pipeline, index) = repo.filter_pipeline(None).map_err(|e| read_err(what, error_chain(e.iter_errors())))?;
        let (mut pipeline, attributes) = pipeline.into_parts();
        let options = pipeline.options_mut();
        options.drivers.clear();
        options.crlf_roundtrip_check = gix::filter::plumbing::pipeline::CrlfRoundTripCheck::Skip;
        Ok(CleanFilter { pipeline, attributes, index, checked: Default::default() })
    }

    fn apply(&mut self, repo: &gix::Repository, rel_path: &str, data: Vec<u8>) -> Result<Vec<u8>> {
        use gix::filter::plumbing::pipeline::convert::ToGitOutcome;
        let fail = |e: String| read_err(format!("{rel_path} in the work tree (line-ending conversion)"), e);
        let rel = Path::new(rel_path);
        let CleanFilter { pipeline, attributes, index, checked } = self;
        // The attribute files on the way are read by gix: each must be a regular file of bounded
        // size, so a FIFO never blocks and a symlink never leads out of the repository.
        let workdir = repo.workdir().unwrap_or(Path::new("."));
        for dir in rel.ancestors().skip(1) {
            if !checked.insert(dir.to_path_buf()) {
                continue;
            }
            let attrs = workdir.join(dir).join(".gitattributes");
            let Ok(meta) = std::fs::symlink_metadata(&attrs) else { continue };
            let shown = dir.join(".gitattributes").display().to_string();
            if !meta.file_type().is_file() {
                let detail = LocalReadError::NotRegular(if meta.file_type().is_symlink() {
                    "a symlink (shipgate does not follow symlinks in the repository)".into()
                } else {
                    "a FIFO, socket, device or directory".into()
                });
                return Err(SourceError::Refused { path: shown, detail: detail.to_string(), cap: SMALL_FILE_CAP });
            }
            if meta.len() > SMALL_FILE_CAP {
                let detail = LocalReadError::TooLarge(SMALL_FILE_CAP).to_string();
                return Err(SourceError::Refused { path: shown, detail, cap: SMALL_FILE_CAP });
            }
        }
        let entry = attributes
            .at_path(rel, Some(gix::index::entry::Mode::FILE), &repo.objects)
            .map_err(|e| fail(e.to_string()))?;
        let git_path = gix::bstr::BStr::new(rel_path);
        let out = pipeline
            .convert_to_git(
                &data[..],
                rel,
                &mut |_, attrs| {
                    entry.matching_attributes(attrs);
                },
                // `text=auto` leaves a file alone whose indexed version has CRLF (git's safer autocrlf).
                &mut |buf| {
                    let Some(e) = index.entry_by_path(git_path) else { return Ok(None) };
                    let found = gix::prelude::Find::try_find(&repo.objects, &e.id, buf)?;
                    Ok(found.filter(|o| o.kind == gix::object::Kind::Blob).map(|_| ()))
                },
            )
            .map_err(|e| fail(error_chain(e.iter_errors())))?;
        Ok(match out {
            ToGitOutcome::Unchanged(_) => data,
            ToGitOutcome::Buffer(converted) => converted.to_vec(),
            ToGitOutcome::Process(_) => {
                return Err(fail("a filter driver was asked to run; shipgate runs none".into()));
            }
        })
    }
}

type TreeEntries = std::sync::Arc<[(String, gix::objs::tree::EntryKind, Oid)]>;

/// Bytes of blobs [`Recent`] keeps at most. A model blob is read up to three times (its content
/// decides whether it is a model, then its links, then the model), and each read of a packed
/// blob inflates it and resolves its delta chain again. The first two reads happen in one task,
/// so a few blobs per core would do; this holds a 20-model diff (23 MB of AWS models, the largest
/// 3.3 MB) until its model stage too, and adds little to what a model stage holds.
const RECENT_BYTES: usize = 24 * 1024 * 1024;

/// A blob larger than this is a large one to [`Recent`] (kept apart, see [`RECENT_LARGE`]).
pub const LARGE_BLOB: u64 = (RECENT_BYTES / 4) as u64;

/// Blobs larger than a quarter of [`RECENT_BYTES`] that [`Recent`] keeps beside the others: the
/// last two read. A huge model's two sides are each read for the content check, the links and
/// the model stage; holding them costs nothing the model stage would not hold anyway (the same
/// bytes are shared, not copied), and saves inflating 100 MB four more times.
const RECENT_LARGE: usize = 2;

/// The blobs read most recently, by id, at most [`RECENT_BYTES`] in all (least recently used
/// dropped first); a blob larger than a quarter of that goes to a separate slot of the last
/// [`RECENT_LARGE`] such blobs, so one huge model does not push out everything else.
#[derive(Default)]
struct Recent {
    blobs: std::collections::HashMap<Oid, (std::sync::Arc<Vec<u8>>, u64)>,
    /// Last use → blob: the oldest first.
    order: BTreeMap<u64, Oid>,
    bytes: usize,
    clock: u64,
    /// The large blobs, the most recently read last.
    large: std::collections::VecDeque<(Oid, std::sync::Arc<Vec<u8>>)>,
}

impl Recent {
    fn get(&mut self, oid: &Oid) -> Option<std::sync::Arc<Vec<u8>>> {
        if let Some((_, data)) = self.large.iter().find(|(id, _)| id == oid) {
            return Some(data.clone());
        }
        self.clock += 1;
        let (data, used) = self.blobs.get_mut(oid)?;
        self.order.remove(used);
        *used = self.clock;
        self.order.insert(self.clock, *oid);
        Some(data.clone())
    }

    fn forget(&mut self, oid: &Oid) {
        self.large.retain(|(id, _)| id != oid);
        if let Some((gone, used)) = self.blobs.remove(oid) {
            self.bytes -= gone.len();
            self.order.remove(&used);
        }
    }

    fn put(&mut self, oid: Oid, data: std::sync::Arc<Vec<u8>>) {
        if self.blobs.contains_key(&oid) || self.large.iter().any(|(id, _)| *id == oid) {
            return;
        }
        if data.len() as u64 > LARGE_BLOB {
            if self.large.len() == RECENT_LARGE {
                self.large.pop_front();
            }
            self.large.push_back((oid, data));
            return;
        }
        self.bytes += data.len();
        while self.bytes > RECENT_BYTES {
            let Some((_, old)) = self.order.pop_first() else { break };
            if let Some((gone, _)) = self.blobs.remove(&old) {
                self.bytes -= gone.len();
            }
        }
        self.clock += 1;
        self.order.insert(self.clock, oid);
        self.blobs.insert(oid, (data, self.clock));
    }
}

/// Entries kept by each of [`Repo`]'s memo tables before it starts over (a bound on memory for
/// huge histories).
const MEMO_CAP: usize = 200_000;

impl std::fmt::Debug for Repo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Repo({})", self.display)
    }
}

impl Repo {
    /// Opens the repository at or above `path` (work tree or bare).
    pub fn open(path: &Path) -> Result<Repo> {
        let display = path.display().to_string();
        if !path.exists() {
            return Err(SourceError::NotARepository { path: display });
        }
        let repo = gix::discover(path).map_err(|e| {
            // A repository was found but could not be opened (a broken `.git/config`, an include
            // that cannot be read): say so, not "is not a git repository".
            if gix::discover::upwards(path).is_ok() {
                SourceError::Broken { path: display.clone(), detail: error_chain(e.iter_errors()) }
            } else {
                SourceError::NotARepository { path: display.clone() }
            }
        })?;
        Ok(Repo {
            inner: repo.into_sync(),
            display,
            trees: Memo::bounded(MEMO_CAP),
            sizes: Memo::bounded(MEMO_CAP),
            recent: Default::default(),
            clean: Default::default(),
            delta_bases: Default::default(),
        })
    }

    /// A thread-local handle. gix's object cache is off: it copies every object it is offered,
    /// and the trees and blobs worth keeping are kept here already ([`Repo::trees`], [`Recent`]).
    fn local(&self) -> gix::Repository {
        let mut repo = self.inner.to_thread_local();
        repo.object_cache_size(0);
        let bases = self.delta_bases.clone();
        repo.objects.set_pack_cache(move || Box::new(bases.clone()));
        repo
    }

    /// The git directory (`.git`, or the bare repository itself).
    pub fn git_dir(&self) -> PathBuf {
        self.inner.git_dir().to_path_buf()
    }

    /// The work tree, when the repository has one.
    pub fn workdir(&self) -> Option<PathBuf> {
        self.inner.work_dir().map(Path::to_path_buf)
    }

    /// `remote.origin.url` as a URI without credentials: scp-style `git@host:path` becomes
    /// `ssh://git@host/path`, and a `user:secret@` in an http(s) URL is dropped, so the URL can be
    /// written into a report. `None` without an origin.
    pub fn origin_url(&self) -> Option<String> {
        let url = self.local().config_snapshot().string("remote.origin.url")?.to_string();
        public_url(url.trim())
    }

    /// What a reader calls this repository: `remote.origin.url` when it has one (credentials in
    /// the URL removed), else the name of its directory (the work tree's, or the bare
    /// repository's without `.git`).
    pub fn name(&self) -> String {
        let repo = self.local();
        if let Some(url) = repo.config_snapshot().string("remote.origin.url") {
            let url = url.to_string();
            // `https://user:token@host/x` must never reach a report.
            let clean = match url.split_once("://") {
                Some((scheme, rest)) => match rest.split_once('/') {
                    Some((auth, path)) if auth.contains('@') => {
                        format!("{scheme}://{}/{path}", auth.rsplit_once('@').map_or(auth, |(_, h)| h))
                    }
                    _ => url.clone(),
                },
                None => url.clone(),
            };
            if !clean.trim().is_empty() {
                return clean;
            }
        }
        let dir = self.workdir().unwrap_or_else(|| repo.path().to_path_buf());
        let dir = dir.canonicalize().unwrap_or(dir);
        let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| self.display.clone());
        name.strip_suffix(".git").filter(|n| !n.is_empty()).map_or(name.clone(), str::to_string)
    }

    pub fn is_shallow(&self) -> bool {
        self.local().is_shallow().unwrap_or(false)
    }

    /// Resolves `rev` (`worktree`, or anything git accepts) to a snapshot.
    pub fn snapshot(&self, rev: &str) -> Result<Snapshot> {
        if rev == WORKTREE {
            let dir = self.workdir().ok_or_else(|| SourceError::BareWorktree { path: self.display.clone() })?;
            return Ok(Snapshot::Worktree(dir));
        }
        self.resolve(rev).map(Snapshot::Commit)
    }

    /// Resolves `rev` to a commit, peeling annotated tags.
    pub fn resolve(&self, rev: &str) -> Result<Commit> {
        let repo = self.local();
        let id = match repo.rev_parse_single(rev) {
            Ok(id) => id.detach(),
            Err(_) => return Err(self.unknown_revision(&repo, rev)),
        };
        let object = repo.find_object(id).map_err(|e| read_err(format!("object {id}"), e))?;
        let kind = object.kind;
        let Ok(commit) = object.clone().peel_to_commit() else {
            // Name what the revision finally is: `TAG^{commit}` cannot help a tag on a tree.
            let target = object.peel_tags_to_end().map(|o| o.kind).unwrap_or(kind);
            return Err(if kind == gix::object::Kind::Tag {
                SourceError::TagOnNonCommit { rev: rev.to_string(), kind: target.to_string() }
            } else {
                SourceError::NotACommit { rev: rev.to_string(), kind: kind.to_string() }
            });
        };
        self.commit(commit.id)
    }

    /// Reads one commit by id.
    pub fn commit(&self, id: Oid) -> Result<Commit> {
        let repo = self.local();
        let commit = match repo.try_find_object(id) {
            Ok(Some(obj)) => obj.try_into_commit().map_err(|e| read_err(format!("commit {id}"), e))?,
            Ok(None) => {
                if repo.is_shallow().unwrap_or(false) {
                    return Err(shallow(format!("commit {id}")));
                }
                return Err(SourceError::MissingObject { oid: id.to_string(), path: "commit".into() });
            }
            Err(e) => return Err(read_err(format!("commit {id}"), e)),
        };
        let decoded = commit.decode().map_err(|e| read_err(format!("commit {id}"), e))?;
        let summary = decoded.message_summary().to_string();
        Ok(Commit {
            id,
            tree: decoded.tree(),
            parents: decoded.parents().collect(),
            time: decoded.committer().map(|c| c.seconds()).unwrap_or(0),
            summary,
        })
    }

    fn unknown_revision(&self, repo: &gix::Repository, rev: &str) -> SourceError {
        if repo.is_shallow().unwrap_or(false) && (rev.contains('~') || rev.contains('^') || looks_like_hex(rev)) {
            return shallow(format!("revision `{rev}`"));
        }
        let names = self.ref_names();
        let mut scored: Vec<(usize, &String)> = names
            .iter()
            .map(|n| (strsim::levenshtein(&n.to_lowercase(), &rev.to_lowercase()), n))
            .filter(|(d, n)| *d <= (rev.len().max(3) / 2).max(2) || n.contains(rev))
            .collect();
        scored.sort();
        let close: Vec<String> = scored.into_iter().take(5).map(|(_, n)| format!("`{n}`")).collect();
        let help = if close.is_empty() {
            let mut help =
                "name a tag, branch, remote branch or commit id that exists here (`git tag`, `git branch -a`)"
                    .to_string();
            if names.is_empty() {
                help.push_str("; this repository has no branches or tags yet");
            } else if repo.is_shallow().unwrap_or(false) {
                help.push_str(SHALLOW_HINT);
            }
            help
        } else if repo.is_shallow().unwrap_or(false) {
            // A shallow clone usually lacks the tag rather than the user mistyping it.
            format!("did you mean {}? Or the revision was not fetched{SHALLOW_HINT}", close.join(", "))
        } else {
            format!("did you mean {}?", close.join(", "))
        };
        SourceError::UnknownRevision { rev: rev.to_string(), help }
    }

    /// Short names of every branch, remote branch and tag.
    pub fn ref_names(&self) -> Vec<String> {
        let repo = self.local();
        let Ok(platform) = repo.references() else {
            return Vec::new();
        };
        let Ok(all) = platform.all() else {
            return Vec::new();
        };
        let mut names: Vec<String> = all.filter_map(|r| r.ok()).map(|r| r.name().shorten().to_string()).collect();
        names.sort();
        names.dedup();
        names
    }

    /// The commit a full reference name (`refs/remotes/origin/main`) points to, peeled; `None`
    /// when there is no such reference or it does not lead to a commit.
    pub fn reference_commit(&self, full_name: &str) -> Option<Oid> {
        let repo = self.local();
        let mut r = repo.try_find_reference(full_name).ok()??;
        r.peel_to_commit().ok().map(|c| c.id)
    }

    /// The full name a symbolic reference points to (`refs/remotes/origin/HEAD` →
    /// `refs/remotes/origin/main`; `HEAD` → `refs/heads/main`), when it is symbolic.
    pub fn symbolic_target(&self, full_name: &str) -> Option<String> {
        let repo = self.local();
        if full_name == "HEAD" {
            return repo.head_name().ok()?.map(|n| n.as_bstr().to_string());
        }
        let r = repo.try_find_reference(full_name).ok()??;
        match r.target() {
            gix::refs::TargetRef::Symbolic(name) => Some(name.as_bstr().to_string()),
            gix::refs::TargetRef::Object(_) => None,
        }
    }

    /// Tags whose short name matches `glob`, with the commit each points to (annotated tags peeled).
    pub fn tags_matching(&self, glob: &globset::GlobMatcher) -> Vec<(String, Oid)> {
        let repo = self.local();
        let Ok(platform) = repo.references() else {
            return Vec::new();
        };
        let Ok(tags) = platform.tags() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for mut r in tags.filter_map(|r| r.ok()) {
            let name = r.name().shorten().to_string();
            if !glob.is_match(&name) {
                continue;
            }
            if let Ok(commit) = r.peel_to_commit() {
                out.push((name, commit.id));
            }
        }
        out.sort();
        out
    }

    /// The best common ancestor of two commits.
    pub fn merge_base(&self, a: Oid, b: Oid) -> Result<Option<Oid>> {
        let repo = self.local();
        match repo.merge_base(a, b) {
            Ok(id) => Ok(id.map(|id| id.detach())),
            Err(e) => {
                if repo.is_shallow().unwrap_or(false) {
                    Err(shallow(format!("the history that connects {a} and {b}")))
                } else {
                    Err(read_err(format!("merge base of {a} and {b}"), e))
                }
            }
        }
    }

    /// Whether `ancestor` is reachable from `descendant` (or equal).
    pub fn is_ancestor(&self, ancestor: Oid, descendant: Oid) -> Result<bool> {
        Ok(ancestor == descendant || self.merge_base(ancestor, descendant)? == Some(ancestor))
    }

    /// First-parent history from `tip` (inclusive) back to `stop` (exclusive), at most `limit`
    /// commits. Returns the commits newest first. A shallow boundary ends the walk with an error
    /// only when `stop` was not reached and no limit cut it.
    pub fn first_parent_chain(&self, tip: Oid, stop: Option<Oid>, limit: Option<usize>) -> Result<Vec<Commit>> {
        let mut out = Vec::new();
        let mut next = Some(tip);
        while let Some(id) = next {
            if Some(id) == stop || limit.is_some_and(|l| out.len() >= l) {
                break;
            }
            let commit = match self.commit(id) {
                Ok(c) => c,
                Err(SourceError::Shallow { .. }) | Err(SourceError::MissingObject { .. }) if self.is_shallow() => {
                    return Err(shallow(format!(
                        "the mainline history back to {}",
                        stop.map_or("the root".into(), |s| s.to_string())
                    )));
                }
                Err(e) => return Err(e),
            };
            next = commit.parents.first().copied();
            out.push(commit);
        }
        Ok(out)
    }

    /// Every file (blob or symlink; no submodules) of a snapshot whose path `keep` accepts, sorted by path.
    pub fn files(&self, snapshot: &Snapshot, keep: &dyn Fn(&str) -> bool) -> Result<Vec<FileEntry>> {
        let mut out = match snapshot {
            Snapshot::Commit(c) => {
                let repo = self.local();
                let mut out = Vec::new();
                walk_tree(&repo, &self.trees, c.tree, &mut String::new(), keep, &mut out)?;
                out
            }
            Snapshot::Worktree(dir) => self.worktree_files(dir, keep)?,
        };
        out.sort();
        Ok(out)
    }

    /// Reads a blob (or, for the work tree, the file as git would store it) by entry.
    pub fn read(&self, snapshot: &Snapshot, entry: &FileEntry) -> Result<Vec<u8>> {
        self.read_shared(snapshot, entry).map(|data| std::sync::Arc::try_unwrap(data).unwrap_or_else(|d| d.to_vec()))
    }

    /// [`Repo::read`] without a copy: a blob read lately is shared with [`Recent`], not cloned
    /// (a model's bytes are read by the content check, the links scan and the model stage).
    pub fn read_shared(&self, snapshot: &Snapshot, entry: &FileEntry) -> Result<std::sync::Arc<Vec<u8>>> {
        match snapshot {
            Snapshot::Worktree(dir) => self.read_worktree(dir, &entry.path).map(std::sync::Arc::new),
            Snapshot::Commit(_) => self.read_blob(entry.oid, &entry.path),
        }
    }

    /// A work-tree file as git would store it: a symlink is its target path, a regular file its
    /// bytes after git's clean conversion (see [`CleanFilter`]).
    fn read_worktree(&self, dir: &Path, rel: &str) -> Result<Vec<u8>> {
        let full = dir.join(fs_path(rel));
        let data = read_worktree_file(&full, rel)?;
        if std::fs::symlink_metadata(&full).is_ok_and(|m| m.file_type().is_symlink()) {
            return Ok(data);
        }
        let repo = self.local();
        let mut clean = self.clean.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if clean.is_none() {
            *clean = Some(CleanFilter::new(&repo)?);
        }
        clean.as_mut().expect("set just above").apply(&repo, rel, data)
    }

    /// Whether `path` is a symlink in `snapshot`: in a commit, a tree entry of mode 120000 (its
    /// blob is the target path, not content); in the work tree, a symlink on disk.
    pub fn is_link(&self, snapshot: &Snapshot, path: &str) -> Result<bool> {
        use gix::objs::tree::EntryKind;
        let c = match snapshot {
            Snapshot::Worktree(dir) => {
                return Ok(std::fs::symlink_metadata(dir.join(fs_path(path))).is_ok_and(|m| m.file_type().is_symlink()));
            }
            Snapshot::Commit(c) => c,
        };
        let repo = self.local();
        let (mut tree, mut prefix) = (c.tree, String::new());
        let mut names = path.split('/').peekable();
        while let Some(name) = names.next() {
            let entries = self.trees.get_or_try(tree, || tree_entries(&repo, tree, &prefix).map(TreeEntries::from))?;
            // Entries are sorted by name (see `tree_entries`).
            let Ok(at) = entries.binary_search_by(|(n, ..)| n.as_str().cmp(name)) else { return Ok(false) };
            let (_, kind, oid) = &entries[at];
            match (names.peek(), kind) {
                (None, kind) => return Ok(*kind == EntryKind::Link),
                (Some(_), EntryKind::Tree) => (tree, prefix) = (*oid, join(&prefix, name)),
                (Some(_), _) => return Ok(false),
            }
        }
        Ok(false)
    }

    /// Reads a blob by id; `path` only names it in errors. A blob read lately comes from memory
    /// (see [`Recent`]).
    pub fn read_blob(&self, oid: Oid, path: &str) -> Result<std::sync::Arc<Vec<u8>>> {
        let recent = || self.recent.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(hit) = recent().get(&oid) {
            return Ok(hit);
        }
        let mut data = match self.local().try_find_object(oid) {
            Ok(Some(obj)) => obj.detach().data,
            Ok(None) => return Err(SourceError::MissingObject { oid: oid.to_string(), path: path.to_string() }),
            Err(e) => return Err(read_err(format!("{path} ({oid})"), e)),
        };
        // A delta resolves in one buffer that holds its base and the result side by side: the
        // blob's capacity can be twice its length (250 MB held for a 125 MB model). A large one
        // is shrunk in place; a small one copied, which measured cheaper than shrinking each
        // blob of a 402-model diff (1.5 s of system time) and than keeping the slack (4x RSS).
        if data.len() as u64 > LARGE_BLOB {
            data.shrink_to_fit();
        } else if data.capacity() > data.len() + data.len() / 8 {
            data = data.as_slice().to_vec();
        }
        let data = std::sync::Arc::new(data);
        recent().put(oid, data.clone());
        Ok(data)
    }

    /// Drops a blob from the memory of recent reads (a large model's bytes, once what needs them
    /// holds them packed): a later read inflates it again.
    pub fn forget(&self, oid: Oid) {
        self.recent.lock().unwrap_or_else(std::sync::PoisonError::into_inner).forget(&oid);
    }

    /// How many deltas reading a blob resolves (0: stored whole, loose, or not found). Resolving
    /// a delta holds its base and the result side by side for a moment: of two large blobs, the
    /// one with more deltas is better read first, before the other is held (see `diff::files`).
    pub fn blob_deltas(&self, oid: Oid) -> u32 {
        self.local().try_find_header(oid).ok().flatten().and_then(|h| h.num_deltas()).unwrap_or(0)
    }

    /// The size of a blob without reading it.
    pub fn blob_size(&self, oid: Oid, path: &str) -> Result<u64> {
        self.sizes.get_or_try(oid, || match self.local().try_find_header(oid) {
            Ok(Some(h)) => Ok(h.size()),
            Ok(None) => Err(SourceError::MissingObject { oid: oid.to_string(), path: path.to_string() }),
            Err(e) => Err(read_err(format!("{path} ({oid})"), e)),
        })
    }

    /// Paths that differ between two snapshots, sorted. Between commits, subtrees with equal ids
    /// are skipped without being read, so the cost follows the size of the change.
    pub fn diff(&self, old: &Snapshot, new: &Snapshot) -> Result<Vec<PathChange>> {
        let mut out = Vec::new();
        match (old, new) {
            (Snapshot::Commit(a), Snapshot::Commit(b)) => {
                let repo = self.local();
                diff_trees(&repo, &self.trees, Some(a.tree), Some(b.tree), "", &mut out)?;
            }
            _ => {
                let all = |_: &str| true;
                let a: BTreeMap<String, Oid> = self.files(old, &all)?.into_iter().map(|e| (e.path, e.oid)).collect();
                let b: BTreeMap<String, Oid> = self.files(new, &all)?.into_iter().map(|e| (e.path, e.oid)).collect();
                for (path, oid) in &a {
                    match b.get(path) {
                        None => out.push(PathChange {
                            path: path.clone(),
                            kind: ChangeKind::Removed,
                            old: Some(*oid),
                            new: None,
                        }),
                        Some(n) if n != oid => out.push(PathChange {
                            path: path.clone(),
                            kind: ChangeKind::Modified,
                            old: Some(*oid),
                            new: Some(*n),
                        }),
                        Some(_) => {}
                    }
                }
                for (path, oid) in &b {
                    if !a.contains_key(path) {
                        out.push(PathChange {
                            path: path.clone(),
                            kind: ChangeKind::Added,
                            old: None,
                            new: Some(*oid),
                        });
                    }
                }
            }
        }
        out.sort();
        Ok(out)
    }
}

const SHALLOW_HINT: &str = "; this is a shallow clone, so older commits may simply be missing: run `git fetch --unshallow` \
     (or `git fetch --deepen=N`), or in GitHub Actions set `fetch-depth: 0` on actions/checkout";

fn shallow(what: String) -> SourceError {
    SourceError::Shallow {
        what,
        help: "fetch the full history: `git fetch --unshallow --tags` (in GitHub Actions: `fetch-depth: 0` on \
               actions/checkout), then run again"
            .to_string(),
    }
}

fn looks_like_hex(s: &str) -> bool {
    s.len() >= 4 && s.len() <= 40 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() { name.to_string() } else { format!("{prefix}/{name}") }
}

fn tree_entries(
    repo: &gix::Repository,
    id: Oid,
    prefix: &str,
) -> Result<Vec<(String, gix::objs::tree::EntryKind, Oid)>> {
    let tree = match repo.try_find_object(id) {
        Ok(Some(obj)) => obj.try_into_tree().map_err(|e| read_err(format!("tree {id}"), e))?,
        Ok(None) => {
            let path = if prefix.is_empty() { "<root>" } else { prefix };
            return Err(SourceError::MissingObject { oid: id.to_string(), path: path.to_string() });
        }
        Err(e) => return Err(read_err(format!("tree {id}"), e)),
    };
    let mut out = Vec::new();
    for entry in tree.iter() {
        let entry = entry.map_err(|e| read_err(format!("tree {id}"), e))?;
        out.push((path_text(entry.filename()), entry.mode().kind(), entry.object_id()));
    }
    refuse_lookalikes(out.iter().map(|(name, ..)| name.as_str()), prefix)?;
    // By name (git orders a tree's `a` as `a/`): `diff_trees` walks two lists side by side.
    out.sort_unstable_by(|x, y| x.0.cmp(&y.0));
    Ok(out)
}

/// A git path (bytes) as text: UTF-8 as it is, except that every byte that is not UTF-8 and
/// every ASCII control character (`\n`, `\r`, `\t`, DEL, …) is escaped as `\xNN`. So
/// `models/\xff.json` and `models/\xfe.json` stay two files (a lossy conversion made both
/// `models/�.json` and let a change in one pass), and no file name can break a report's line
/// into a GitHub workflow command (`x\n::warning::…` on a step's stdout). Reports show the
/// escaped form.
pub fn path_text(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        let valid = chunk.valid();
        if !valid.bytes().any(|b| b.is_ascii_control()) {
            out.push_str(valid); // every name of a sane tree: no per-character work
        } else {
            for c in valid.chars() {
                if c.is_ascii_control() {
                    out.push_str(&format!("\\x{:02x}", c as u32));
                } else {
                    out.push(c);
                }
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

/// The bytes a [`path_text`] names: its `\xNN` escapes of bytes it escapes (`NN` ≥ 80, never
/// valid UTF-8 on its own, or an ASCII control character) turned back into bytes.
pub fn path_bytes(text: &str) -> Vec<u8> {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\'
            && b.get(i + 1) == Some(&b'x')
            && let Some(v) = b
                .get(i + 2..i + 4)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            && (v >= 0x80 || v.is_ascii_control())
        {
            out.push(v);
            i += 4;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

/// Two entries of one directory whose names read the same (a name that spells an escape, `\xff`,
/// beside the byte it escapes) cannot be told apart downstream: refuse rather than merge them.
fn refuse_lookalikes<'n>(names: impl Iterator<Item = &'n str>, prefix: &str) -> Result<()> {
    let mut seen = std::collections::HashSet::new();
    for name in names {
        if !seen.insert(name) {
            return Err(SourceError::AmbiguousPath { path: join(prefix, name) });
        }
    }
    Ok(())
}

/// Every file under tree `id` that `keep` takes, with its path: `path` is the tree's own path on
/// entry and again on return; each entry's path is built in it, and a `String` allocated only
/// for the entries kept (a history search walks every candidate's whole tree and keeps few).
fn walk_tree(
    repo: &gix::Repository,
    trees: &Memo<Oid, TreeEntries>,
    id: Oid,
    path: &mut String,
    keep: &dyn Fn(&str) -> bool,
    out: &mut Vec<FileEntry>,
) -> Result<()> {
    use gix::objs::tree::EntryKind;
    let entries = trees.get_or_try(id, || tree_entries(repo, id, path).map(TreeEntries::from))?;
    let len = path.len();
    for (name, kind, oid) in entries.iter() {
        let (kind, oid) = (*kind, *oid);
        if len > 0 {
            path.push('/');
        }
        path.push_str(name);
        match kind {
            EntryKind::Tree => walk_tree(repo, trees, oid, path, keep, out)?,
            EntryKind::Blob | EntryKind::BlobExecutable | EntryKind::Link => {
                if keep(path) {
                    out.push(FileEntry { path: path.clone(), oid });
                }
            }
            EntryKind::Commit => {}
        }
        path.truncate(len);
    }
    Ok(())
}

fn is_file(kind: gix::objs::tree::EntryKind) -> bool {
    use gix::objs::tree::EntryKind;
    matches!(kind, EntryKind::Blob | EntryKind::BlobExecutable | EntryKind::Link)
}

fn diff_trees(
    repo: &gix::Repository,
    trees: &Memo<Oid, TreeEntries>,
    a: Option<Oid>,
    b: Option<Oid>,
    prefix: &str,
    out: &mut Vec<PathChange>,
) -> Result<()> {
    use gix::objs::tree::EntryKind;
    use std::cmp::Ordering;
    if a == b {
        return Ok(());
    }
    let list = |id: Option<Oid>| -> Result<Option<TreeEntries>> {
        id.map(|id| trees.get_or_try(id, || tree_entries(repo, id, prefix).map(TreeEntries::from))).transpose()
    };
    let (old, new) = (list(a)?, list(b)?);
    let (old, new) = (old.as_deref().unwrap_or_default(), new.as_deref().unwrap_or_default());
    // Both lists are sorted by name (`tree_entries`): one pass over the two, in name order, and
    // a path built only for a name whose entries differ (a history search diffs every
    // candidate's tree against base's, and most subtrees are the same).
    let (mut i, mut j) = (0, 0);
    loop {
        let (o, n) = match (old.get(i), new.get(j)) {
            (None, None) => break,
            (Some(x), Some(y)) => match x.0.cmp(&y.0) {
                Ordering::Less => (Some(x), None),
                Ordering::Greater => (None, Some(y)),
                Ordering::Equal => (Some(x), Some(y)),
            },
            (x, y) => (x, y),
        };
        i += usize::from(o.is_some());
        j += usize::from(n.is_some());
        let name = &o.or(n).expect("one side has the name").0;
        let (o, n) = (o.map(|e| (e.1, e.2)), n.map(|e| (e.1, e.2)));
        if o == n {
            continue;
        }
        let path = join(prefix, name);
        let sub = |e: Option<(EntryKind, Oid)>| e.filter(|(k, _)| *k == EntryKind::Tree).map(|(_, id)| id);
        let file = |e: Option<(EntryKind, Oid)>| e.filter(|(k, _)| is_file(*k)).map(|(_, id)| id);
        let (os, ns) = (sub(o), sub(n));
        if os.is_some() || ns.is_some() {
            diff_trees(repo, trees, os, ns, &path, out)?;
        }
        match (file(o), file(n)) {
            (Some(x), Some(y)) if x != y => {
                out.push(PathChange { path, kind: ChangeKind::Modified, old: Some(x), new: Some(y) })
            }
            (Some(x), None) => out.push(PathChange { path, kind: ChangeKind::Removed, old: Some(x), new: None }),
            (None, Some(y)) => out.push(PathChange { path, kind: ChangeKind::Added, old: None, new: Some(y) }),
            _ => {}
        }
    }
    Ok(())
}

impl Repo {
    fn worktree_files(&self, dir: &Path, keep: &dyn Fn(&str) -> bool) -> Result<Vec<FileEntry>> {
        let mut out = Vec::new();
        let walker = ignore::WalkBuilder::new(dir)
            .hidden(false)
            .parents(false)
            .git_global(false)
            .require_git(false)
            .filter_entry(|e| e.file_name() != ".git")
            .build();
        for entry in walker {
            let entry = entry.map_err(|e| read_err(format!("the work tree at {}", dir.display()), e))?;
            // Regular files and symlinks, as git records them; FIFOs, sockets and devices are skipped.
            if !entry.file_type().is_some_and(|t| t.is_file() || t.is_symlink()) {
                continue;
            }
            let rel = entry.path().strip_prefix(dir).expect("walk stays below its root");
            let path = path_text(rel.as_os_str().as_encoded_bytes());
            let path = if cfg!(windows) { path.replace('\\', "/") } else { path };
            if !keep(&path) {
                continue;
            }
            let data = self.read_worktree(dir, &path)?;
            let oid = gix::objs::compute_hash(gix::hash::Kind::Sha1, gix::objs::Kind::Blob, &data)
                .map_err(|e| read_err(&path, e))?;
            out.push(FileEntry { path, oid });
        }
        out.sort();
        refuse_lookalikes(out.iter().map(|e| e.path.as_str()), "")?;
        Ok(out)
    }
}

/// The file-system path a [`path_text`] names (its bytes, on Unix).
pub fn fs_path(text: &str) -> PathBuf {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        PathBuf::from(std::ffi::OsStr::from_bytes(&path_bytes(text)))
    }
    #[cfg(not(unix))]
    {
        PathBuf::from(text)
    }
}

/// See [`Repo::origin_url`].
pub fn public_url(url: &str) -> Option<String> {
    if url.is_empty() {
        return None;
    }
    if let Some((scheme, rest)) = url.split_once("://") {
        let rest = match rest.split_once('/') {
            Some((authority, path)) => match authority.rsplit_once('@') {
                Some((_, host)) if scheme.starts_with("http") => format!("{host}/{path}"),
                _ => rest.to_string(),
            },
            None => rest.to_string(),
        };
        return Some(format!("{scheme}://{rest}"));
    }
    // scp-like syntax: [user@]host:path (a path with a `:` before any `/`).
    if let Some((host, path)) = url.split_once(':')
        && !host.contains('/')
        && !host.is_empty()
    {
        return Some(format!("ssh://{host}/{}", path.trim_start_matches('/')));
    }
    Some(format!("file://{url}"))
}

#[cfg(test)]
mod recent_tests {
    use super::{Oid, RECENT_BYTES, Recent};
    use std::sync::Arc;

    #[test]
    fn keeps_at_most_its_bytes_dropping_the_least_recently_used() {
        let id = |n: u8| Oid::from_bytes_or_panic(&[n; 20]);
        let blob = || Arc::new(vec![0u8; RECENT_BYTES / 4]);
        let mut r = Recent::default();
        for n in 0..4 {
            r.put(id(n), blob());
        }
        assert!(r.get(&id(0)).is_some(), "four quarters fit");
        r.put(id(4), blob());
        assert!(r.bytes <= RECENT_BYTES);
        assert!(r.get(&id(1)).is_none(), "the least recently used went first");
        assert!(r.get(&id(0)).is_some() && r.get(&id(4)).is_some(), "the one used since stays");
        let large = |n: u8| (id(n), Arc::new(vec![n; RECENT_BYTES / 4 + 1]));
        for n in 10..13 {
            let (oid, data) = large(n);
            r.put(oid, data);
        }
        assert!(r.get(&id(10)).is_none(), "only the last two large blobs are kept");
        assert!(r.get(&id(11)).is_some() && r.get(&id(12)).is_some());
        assert!(r.bytes <= RECENT_BYTES, "large blobs do not count against the others' bound");
        assert!(r.get(&id(0)).is_some() && r.get(&id(4)).is_some(), "nor push them out");
    }
}

#[cfg(test)]
mod url_tests {
    use super::public_url;

    #[test]
    fn urls_lose_credentials_and_become_uris() {
        assert_eq!(
            public_url("https://x:ghp_secret@github.com/o/r.git").as_deref(),
            Some("https://github.com/o/r.git")
        );
        assert_eq!(public_url("git@github.com:o/r.git").as_deref(), Some("ssh://git@github.com/o/r.git"));
        assert_eq!(public_url("/srv/git/r.git").as_deref(), Some("file:///srv/git/r.git"));
        assert_eq!(public_url(""), None);
    }
}

#[cfg(test)]
mod tree_diff_tests {
    use super::{Oid, Repo, Snapshot};
    use std::collections::BTreeMap;

    // The tree diff walks two name-sorted entry lists side by side; git orders a tree `a` as
    // `a/`, after `a-c` and `a.b`, so the names here sort differently in the two orders. Its
    // answer equals comparing the two commits' full file lists, in path order.
    #[test]
    fn tree_diffs_equal_comparing_every_file() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let mut f = crate::source::fixture::FixtureRepo::init(tmp.path()).expect("init");
        for p in ["a/x", "a/y/z", "a-c", "a.b", "b", "c/d/e", "c/f"] {
            f.write(p, p);
        }
        let one = f.commit("one").expect("commit");
        f.write("a/x", "changed").remove("a.b").write("a/y/w", "new").remove("c/d/e").write("c/d", "now a file");
        f.write("a-c/inner", "a file became a directory").remove("a-c");
        let two = f.commit("two").expect("commit");
        let repo = Repo::open(tmp.path()).expect("open");
        let (a, b) = (repo.snapshot(&one.to_string()).expect("one"), repo.snapshot(&two.to_string()).expect("two"));
        let changes = repo.diff(&a, &b).expect("diff");
        let all = |_: &str| true;
        let list = |s: &Snapshot| -> BTreeMap<String, Oid> {
            repo.files(s, &all).expect("files").into_iter().map(|e| (e.path, e.oid)).collect()
        };
        let (old, new) = (list(&a), list(&b));
        let mut expected: Vec<(String, Option<Oid>, Option<Oid>)> = old
            .keys()
            .chain(new.keys())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .map(|p| (p.clone(), old.get(p).copied(), new.get(p).copied()))
            .filter(|(_, o, n)| o != n)
            .collect();
        let mut got: Vec<(String, Option<Oid>, Option<Oid>)> =
            changes.iter().map(|c| (c.path.clone(), c.old, c.new)).collect();
        assert_eq!(got.len(), 7, "{got:?}");
        got.sort();
        expected.sort();
        assert_eq!(got, expected);
    }
}
