//! Runs the pipeline for one command: resolve revisions (source), load config, diff files, and
//! hand the result over as an [`Outcome`]. Nothing here prints.
//!
//! May depend on every stage below `cli`: `source`, `config`, `parse`, `diff`, `rules`, `history`,
//! `outcome`. Nothing below it depends on the engine.
pub mod replay;

use crate::config::{ConfigError, LoadedConfig};
use crate::diff::files::{Classifier, Kind, changed_files};
use crate::finding::{Baseline, Finding, Severity, sort_findings};
use crate::memo::Memo;
use crate::outcome::ShapeCounts;
use crate::outcome::{Command, FileChange, ModelSummary, Outcome, PackageSummary, RevInfo, Verdict};
use crate::parse::packages::model::PackageTree;
use crate::parse::packages::tree::load_tree;
use crate::parse::smithy;
use crate::rules::catalog;
use crate::rules::release::{self, CandidateEntry, ReleaseInput, apply_candidate};
use crate::source::{Commit, FileEntry, Oid, PathChange};
use crate::source::{Repo, SMALL_FILE_CAP, Snapshot, SourceError, WORKTREE, read_local_file};
use miette::Diagnostic;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::collections::BTreeSet;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use thiserror::Error;

#[derive(Debug, Error, Diagnostic)]
pub enum EngineError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Source(#[from] SourceError),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Config(Box<ConfigError>),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Manifest(Box<crate::parse::packages::model::ManifestError>),

    #[error("{message}")]
    #[diagnostic(code(shipgate::usage), help("{help}"))]
    Usage { message: String, help: String },
}

impl From<crate::parse::packages::model::ManifestError> for EngineError {
    fn from(e: crate::parse::packages::model::ManifestError) -> Self {
        EngineError::Manifest(Box::new(e))
    }
}

impl From<ConfigError> for EngineError {
    fn from(e: ConfigError) -> Self {
        EngineError::Config(Box::new(e))
    }
}

/// Everything one command needs, as plain values (built from the command line).
#[derive(Debug, Clone)]
pub struct Request {
    pub command: Command,
    pub repo: PathBuf,
    pub config: Option<PathBuf>,
    pub base: Option<String>,
    pub head: String,
    pub mainline: Option<String>,
    pub fail_on: Severity,
    /// `--date` as given (`YYYY-MM-DD`): the only date a report shows.
    pub date: Option<String>,
    /// "Today" for exception expiry: `--date`, else the clock's (resolved by `cli`).
    pub today: crate::date::Date,
    pub max_commits: Option<usize>,
    /// `--candidate-manifest`: the release as the publish workflow selected it.
    pub candidate_manifest: Option<PathBuf>,
    /// The exact command line, for the report's reproduction section.
    pub command_line: String,
    /// `--except-blocking`: an approval of every blocking finding given outside the config.
    pub approval: Option<crate::rules::policy::Approval>,
}

/// The config that applies: `--config`, else `shipgate.toml` in the work tree, else in the head
/// commit, else built-in detection.
pub fn load_config(repo: &Repo, explicit: Option<&PathBuf>, head: &Snapshot) -> Result<LoadedConfig, EngineError> {
    let in_repo = |mut config: LoadedConfig| {
        config.repo_path = Some("shipgate.toml".into());
        config
    };
    if let Some(path) = explicit {
        // `--config` is the user's own choice, so a symlink there is followed; it must still be a
        // regular file of bounded size.
        let text = read_config_file(path, true)?;
        let config = LoadedConfig::parse(&path.display().to_string(), &text)?;
        let is_the_repos = repo.workdir().is_some_and(|d| d.join("shipgate.toml") == *path);
        return Ok(if is_the_repos { in_repo(config) } else { config });
    }
    if let Some(dir) = repo.workdir() {
        let path = dir.join("shipgate.toml");
        // The work tree is the pull request's content: never follow a symlink out of it.
        if std::fs::symlink_metadata(&path).is_ok() {
            let text = read_config_file(&path, false)?;
            return Ok(in_repo(LoadedConfig::parse(&path.display().to_string(), &text)?));
        }
    }
    if let Snapshot::Commit(c) = head {
        let entries = repo.files(head, &|p| p == "shipgate.toml")?;
        if let Some(entry) = entries.first() {
            let origin = format!("{}:shipgate.toml", &c.hex()[..12]);
            if repo.is_link(head, &entry.path)? {
                // Its blob is a target path, not a config: refused as the work tree's symlink is.
                return Err(ConfigError::Unreadable { path: origin, detail: "it is a symlink in the commit (shipgate does not follow symlinks in the repository), not a regular file".into() }.into());
            }
            if repo.blob_size(entry.oid, &entry.path)? > SMALL_FILE_CAP {
                return Err(ConfigError::Unreadable {
                    path: origin,
                    detail: format!("it is larger than {SMALL_FILE_CAP} bytes"),
                }
                .into());
            }
            let bytes = repo.read(head, entry)?;
            let text = String::from_utf8(bytes)
                .map_err(|_| ConfigError::Unreadable { path: origin.clone(), detail: "it is not UTF-8 text".into() })?;
            return Ok(in_repo(LoadedConfig::parse(&origin, &text)?));
        }
    }
    Ok(LoadedConfig::builtin())
}

/// Reads a config file from disk: a regular file (a symlink only when `follow`), at most
/// [`SMALL_FILE_CAP`] bytes, UTF-8.
fn read_config_file(path: &std::path::Path, follow: bool) -> Result<String, ConfigError> {
    let unreadable = |detail: String| ConfigError::Unreadable { path: path.display().to_string(), detail };
    let bytes = read_local_file(path, SMALL_FILE_CAP, follow).map_err(|e| unreadable(e.to_string()))?;
    // A NUL byte means this is not a text file at all: say so rather than quote it.
    if bytes.contains(&0) {
        return Err(unreadable("it contains NUL bytes, so it is not a text file".into()));
    }
    String::from_utf8(bytes).map_err(|_| unreadable("it is not UTF-8 text".into()))
}

fn rev_info(rev: &str, snap: &Snapshot) -> RevInfo {
    RevInfo {
        rev: rev.to_string(),
        commit: snap.label(),
        date: snap.commit().map(|c| c.date()),
        summary: snap.commit().map(|c| c.summary.clone()),
    }
}

/// The newest tag matching `release_tags` (default `*`) that is a strict ancestor of a commit
/// `head` (for the work tree: HEAD or an ancestor of it).
pub fn default_base(repo: &Repo, config: &LoadedConfig, head: &Snapshot) -> Result<String, EngineError> {
    let any = globset::Glob::new("*").expect("`*` is a glob").compile_matcher();
    let (pattern, glob) = match &config.policy.release_tags {
        Some(t) => (t.pattern.as_str(), &t.matcher),
        None => ("*", &any),
    };
    // A commit head is never its own base (tag-push CI: head = the tag just pushed), so the base
    // is a strict ancestor; the work tree compares against HEAD itself.
    let (head_id, strict) = match head {
        Snapshot::Commit(c) => (c.id, true),
        Snapshot::Worktree(_) => (repo.resolve("HEAD")?.id, false),
    };
    let mut best: Option<(i64, String)> = None;
    for (name, id) in repo.tags_matching(glob) {
        if !(strict && id == head_id) && repo.is_ancestor(id, head_id).unwrap_or(false) {
            let time = repo.commit(id).map(|c| c.time).unwrap_or(0);
            if best.as_ref().is_none_or(|(t, n)| (time, &name) > (*t, n)) {
                best = Some((time, name));
            }
        }
    }
    best.map(|(_, n)| n).ok_or_else(|| EngineError::Usage {
        message: format!("no --base given, and no tag matching `{pattern}` is an ancestor of the head"),
        help: "pass --base REV (the last release), or set `release_tags` in shipgate.toml to the glob your release tags follow"
            .into(),
    })
}

/// What one base → head comparison found, before policy (levels, exceptions) is applied.
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    pub findings: Vec<Finding>,
    pub files: Vec<FileChange>,
    pub models: Vec<ModelSummary>,
    pub packages: Vec<PackageSummary>,
    pub notes: Vec<String>,
}

/// What [`Analyzer::evaluate`] found: the analysis with its findings as every report shows them
/// (levels, exceptions, baseline), the findings resolved since base, and the release sizes.
#[derive(Debug, Clone, Default)]
pub struct Evaluation {
    pub analysis: Analysis,
    pub resolved: Vec<Finding>,
    pub history: Vec<crate::outcome::ReleaseSize>,
}

/// Compares snapshots of one repository under one config. Shared by `check` and the history
/// searches, so it is `Sync` and caches results by blob id: evaluating many candidates costs what
/// their distinct blobs cost, not commits × files. It keeps results (a model pair's findings and
/// summary, whether a blob parses), never the parsed models or their bytes: a model is 2–3× its
/// JSON in memory, and a history search meets hundreds of them.
pub struct Analyzer<'a> {
    pub repo: &'a Repo,
    pub config: &'a LoadedConfig,
    classifier: Classifier,
    /// What links each model blob to other files (see [`Links`]), without a bound: a few
    /// namespace names per blob, where a read model is megabytes. The grouping into assemblies
    /// needs every file's links before any side is built.
    links: Memo<(String, Oid), Arc<Links>>,
    sides: Memo<Vec<(String, Oid)>, Arc<SideModel>>,
    /// What each assembled side gets wrong (its `broken` and `problems` findings), without a
    /// bound: the baseline asks for base's sides again after the diff, and a side's findings are
    /// a few lines where its model is megabytes.
    side_faults: Memo<Vec<(String, Oid)>, Arc<Vec<Finding>>>,
    model_diffs: Memo<UnitKey, Arc<ModelStage>>,
    manifests: Memo<Oid, Arc<Vec<u8>>>,
    package_trees: Memo<Vec<FileEntry>, Arc<PackageTree>>,
    /// The manifests of a commit's tree, by tree id.
    manifest_lists: Memo<Oid, Arc<Vec<FileEntry>>>,
    /// Every file of a commit's tree (path → blob), by tree id: base's, for [`Analyzer::state`].
    file_index: Memo<Oid, Arc<HashMap<String, Oid>>>,
    /// The release-rule findings that hold at a commit alone, per (commit, mainline commit).
    states: Memo<(Oid, Option<Oid>), Arc<Vec<Finding>>>,
    /// The size of the diff between two release commits, for the release-size baseline.
    sizes: Memo<(Oid, Oid), crate::history::DiffSize>,
    /// The release as the publish workflow selected it (`--candidate-manifest`), if given.
    candidate: Option<Vec<CandidateEntry>>,
}

/// Package trees an [`Analyzer`] keeps (each can be large; candidates next to each other in a
/// history search share theirs, so a small table serves them).
const PACKAGE_TREES_KEPT: usize = 64;

/// Assembled sides an [`Analyzer`] keeps (each is several times its JSON in memory; a diff of
/// 402 models kept all of them until exit, 970 MB). Their results, the per-assembly findings and
/// summaries, are kept without a bound; a history search re-reads a side (base's) only when the
/// table has started over. Read files are not kept: each is read once, for the side it is in
/// (its links come from a scan, see [`Analyzer::links_of`]), and assembled without a copy.
const MODELS_KEPT: usize = 32;

/// File indexes an [`Analyzer`] keeps: base's is the one asked for again and again.
const FILE_INDEXES_KEPT: usize = 4;

/// The model files that assemble together in one comparison: each file's path and its blob on
/// each side (`None` where the file does not exist), sorted by path.
type UnitKey = Vec<UnitFile>;

/// One file of an assembly: its path and its blob in base and in head.
type UnitFile = (String, Option<Oid>, Option<Oid>);

/// A (path, blob) and the links a grouping read for it.
type UsedLinks = ((String, Oid), Arc<Links>);

/// Largest model file shipgate parses by default (parsing needs several times the file's size in
/// memory); a larger one is an `InvalidModel` finding, so the gate fails plainly rather than by
/// the runner's memory limit. `SHIPGATE_MAX_MODEL_BYTES` sets another limit.
pub const MODEL_CAP: u64 = 256 * 1024 * 1024;

fn model_cap() -> u64 {
    static CAP: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *CAP.get_or_init(|| {
        std::env::var("SHIPGATE_MAX_MODEL_BYTES").ok().and_then(|v| v.trim().parse().ok()).unwrap_or(MODEL_CAP)
    })
}

/// A model blob, read for the side it is in: a JSON AST file as written, or an IDL file's bytes
/// (its relative ids resolve against the files it is assembled with).
struct ReadModel {
    bytes: Arc<Vec<u8>>,
    /// JSON AST: the file as written, or the finding that says why it is not a model.
    json: Option<Result<smithy::ModelFile, Finding>>,
    /// A JSON AST file's links as the full read finds them (an IDL file's come from
    /// [`Analyzer::links_of`] alone).
    links: Option<Arc<Links>>,
}

/// Namespaces a model file defines shapes in, and namespaces it points at outside itself (see
/// [`smithy::ModelFile::namespaces`]): none for a file that cannot be read.
type Links = (BTreeSet<String>, BTreeSet<String>);

/// One side of an assembly: the assembled model, the files that could not be read (each an
/// `InvalidModel` finding) and what the files together get wrong (conflicts, dangling `apply`).
struct SideModel {
    model: smithy::Model,
    broken: Vec<Finding>,
    problems: Vec<Finding>,
    bytes: BTreeMap<String, Arc<Vec<u8>>>,
}

/// What one assembly's diff contributes: its findings and one summary per changed file.
#[derive(Debug, Clone)]
struct ModelStage {
    findings: Vec<Finding>,
    summaries: Vec<ModelSummary>,
}

impl<'a> Analyzer<'a> {
    pub fn new(repo: &'a Repo, config: &'a LoadedConfig) -> Analyzer<'a> {
        Analyzer {
            repo,
            config,
            classifier: Classifier::new(config.policy.smithy.clone(), config.policy.cargo_on, config.policy.npm_on),
            links: Memo::default(),
            sides: Memo::bounded(MODELS_KEPT),
            side_faults: Memo::default(),
            model_diffs: Memo::default(),
            manifests: Memo::default(),
            package_trees: Memo::bounded(PACKAGE_TREES_KEPT),
            manifest_lists: Memo::bounded(PACKAGE_TREES_KEPT),
            file_index: Memo::bounded(FILE_INDEXES_KEPT),
            states: Memo::default(),
            sizes: Memo::default(),
            candidate: None,
        }
    }

    /// Evaluates the release rules against a candidate manifest instead of head's own versions.
    pub fn with_candidate(mut self, entries: Vec<CandidateEntry>) -> Self {
        self.candidate = Some(entries);
        self
    }

    /// Whether releases rules read a candidate manifest instead of head's versions.
    pub fn has_candidate(&self) -> bool {
        self.candidate.is_some()
    }

    /// The package tree of a snapshot: every Cargo.toml and package.json, each blob read once,
    /// and loaded once per distinct set of manifests (paths and blob ids), so history
    /// candidates that change no manifest share one tree.
    pub fn package_tree(&self, snap: &Snapshot) -> Result<Arc<PackageTree>, EngineError> {
        let list = || {
            self.repo
                .files(snap, &|p| {
                    let name = p.rsplit('/').next().unwrap_or(p);
                    (name == "Cargo.toml" || name == "package.json") && !p.contains("node_modules/")
                })
                .map(Arc::new)
        };
        // A history search asks for base's (and mainline's) tree once per candidate: walk each
        // tree once.
        let entries = match snap {
            Snapshot::Commit(c) => self.manifest_lists.get_or_try(c.tree, list)?,
            Snapshot::Worktree(_) => list()?,
        };
        let entries = entries.as_ref();
        self.package_trees.get_or_try(entries.clone(), || {
            let mut files = Vec::with_capacity(entries.len());
            for e in entries {
                let bytes = self.manifests.get_or_try(e.oid, || self.repo.read(snap, e).map(Arc::new))?;
                files.push((e.path.clone(), bytes.as_ref().clone()));
            }
            let mut tree = load_tree(&files, &self.config.policy.selection);
            release::internal_dependency_cycle::check_tree(&mut tree);
            Ok(Arc::new(tree))
        })
    }

    /// Reads a model blob.
    fn read_model(&self, snap: &Snapshot, path: &str, oid: Oid) -> Result<ReadModel, EngineError> {
        let size = self.model_size(snap, path, oid)?;
        let cap = model_cap();
        if size > cap {
            // Parsing takes several times the file's size in memory: past the cap, a clear
            // finding instead of a run that a CI runner kills for its memory.
            let finding = Finding::new(
                "InvalidModel",
                catalog::severity("InvalidModel"),
                path,
                format!(
                    "{path}: the model file is {size} bytes, more than the {cap} bytes shipgate parses, so nothing in it was diffed; split the model into smaller files, or raise the limit with SHIPGATE_MAX_MODEL_BYTES if the machine has memory for it (parsing takes several times the file's size)"
                ),
            )
            .at(path, None);
            return Ok(ReadModel { bytes: Arc::default(), json: Some(Err(finding)), links: Some(Arc::default()) });
        }
        let bytes = self.repo.read(snap, &FileEntry { path: path.to_string(), oid })?;
        let (json, links) = if smithy::is_idl_path(path) {
            (None, None)
        } else {
            match smithy::read_json(path, &bytes) {
                Ok(file) => {
                    let links = Arc::new(file.namespaces());
                    (Some(Ok(file)), Some(links))
                }
                Err(e) => (Some(Err(invalid_model(path, &bytes, &e))), Some(Arc::default())),
            }
        };
        Ok(ReadModel { bytes: Arc::new(bytes), json, links })
    }

    /// What links a model blob to other files, once per (path, blob): for a JSON AST file a
    /// scan of its bytes ([`smithy::scan`], exact for every file that reads as a model; the
    /// full read in [`Analyzer::assemble_side`] corrects it for one that does not), else the links
    /// of the full read.
    fn links_of(&self, snap: &Snapshot, path: &str, oid: Oid) -> Result<Arc<Links>, EngineError> {
        self.links.get_or_try((path.to_string(), oid), || {
            if self.model_size(snap, path, oid)? > model_cap() {
                // Never read (see `read_model`): it links nothing.
                return Ok(Arc::default());
            }
            let bytes = self.repo.read(snap, &FileEntry { path: path.to_string(), oid })?;
            if smithy::is_idl_path(path) {
                // Alone, an IDL file resolves its ids as well as it can; what it defines and
                // points at is what links it to the files it needs.
                let links = match smithy::idl::read(path, &bytes, &smithy::Model::default()) {
                    Ok(file) => file.namespaces(),
                    Err(_) => (smithy::idl::namespace_of(&bytes).into_iter().collect(), BTreeSet::new()),
                };
                return Ok(Arc::new(links));
            }
            let links = smithy::scan::links(&bytes)
                .unwrap_or_else(|| smithy::read_json(path, &bytes).map(|f| f.namespaces()).unwrap_or_default());
            Ok(Arc::new(links))
        })
    }

    /// Whether the links a grouping was made with still stand: a full read replaces a scan's
    /// guess for a file that is not a model (see [`Analyzer::links_of`]), and then the files
    /// are grouped again.
    fn still_linked(&self, used: &[UsedLinks]) -> bool {
        used.iter().all(|(key, links)| self.links.peek(key).is_none_or(|now| Arc::ptr_eq(&now, links)))
    }

    /// The size of a model blob (of the file, in the work tree).
    fn model_size(&self, snap: &Snapshot, path: &str, oid: Oid) -> Result<u64, EngineError> {
        Ok(match snap {
            Snapshot::Commit(_) => self.repo.blob_size(oid, path)?,
            Snapshot::Worktree(dir) => {
                std::fs::symlink_metadata(dir.join(crate::source::fs_path(path))).map_or(0, |m| m.len())
            }
        })
    }

    /// One side's files assembled ([`Analyzer::assemble_side`]), kept by set of (path, blob)
    /// when `keep`: a base side is, since every candidate of a history search is diffed against
    /// the same base (and the baseline asks again); a head's side is rarely met again (a later
    /// candidate with the same blobs hits the per-assembly results instead).
    fn side_model(
        &self,
        snap: &Snapshot,
        entries: &[(String, Oid)],
        keep: bool,
    ) -> Result<Arc<SideModel>, EngineError> {
        if !keep {
            return match self.sides.peek(&entries.to_vec()) {
                Some(side) => Ok(side),
                None => self.assemble_side(snap, entries),
            };
        }
        self.sides.get_or_try(entries.to_vec(), || self.assemble_side(snap, entries))
    }

    /// Assembles one side's files (see [`smithy::assemble`]). `.smithy` files resolve their
    /// relative ids against the others: read once against the JSON AST files, then again against
    /// everything read so far, until nothing more resolves.
    fn assemble_side(&self, snap: &Snapshot, entries: &[(String, Oid)]) -> Result<Arc<SideModel>, EngineError> {
        let mut files = Vec::new();
        let mut broken = Vec::new();
        let mut bytes = BTreeMap::new();
        let mut idl: Vec<(String, Arc<Vec<u8>>)> = Vec::new();
        for (path, oid) in entries {
            let read = self.read_model(snap, path, *oid)?;
            if let Some(links) = &read.links {
                self.links.correct(&(path.clone(), *oid), links);
            }
            bytes.insert(path.clone(), read.bytes.clone());
            match read.json {
                Some(Ok(file)) => files.push(file),
                Some(Err(f)) => broken.push(f),
                None => idl.push((path.clone(), read.bytes)),
            }
        }
        if !idl.is_empty() {
            let mut others = smithy::Model::default();
            for f in &files {
                others.shapes.extend(f.model.shapes.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
            let mut results: Vec<Result<smithy::ModelFile, smithy::SmithyError>> = Vec::new();
            let mut resolved = usize::MAX;
            for _round in 0..4 {
                results = idl.iter().map(|(path, b)| smithy::idl::read(path, b, &others)).collect();
                let now = results.iter().filter(|r| r.is_ok()).count();
                if now == resolved || now == idl.len() {
                    break;
                }
                resolved = now;
                for f in results.iter().flatten() {
                    others.shapes.extend(f.model.shapes.iter().map(|(k, v)| (k.clone(), v.clone())));
                }
            }
            for ((path, b), r) in idl.iter().zip(results) {
                match r {
                    Ok(file) => files.push(file),
                    Err(e) => broken.push(invalid_model(path, b, &e)),
                }
            }
        }
        let assembled = smithy::assemble::assemble(files);
        let problems = assembled
            .problems
            .into_iter()
            .map(|p| {
                Finding::new(
                    "InvalidModel",
                    catalog::severity("InvalidModel"),
                    p.path.to_string(),
                    format!("{}:{}: {}; Smithy rejects the model files together", p.path, p.line, p.message),
                )
                .keyed(&p.message)
                .at(p.path.to_string(), Some(p.line))
            })
            .collect();
        let faults = || Ok::<_, EngineError>(Arc::new(broken.iter().chain(&problems).cloned().collect()));
        self.side_faults.get_or_try(entries.to_vec(), faults)?;
        Ok(Arc::new(SideModel { model: assembled.model, broken, problems, bytes }))
    }

    /// What one side's files get wrong, alone and together ([`SideModel::broken`] and
    /// [`SideModel::problems`]), assembling the side only when it was not assembled before.
    fn side_faults(&self, snap: &Snapshot, entries: &[(String, Oid)]) -> Result<Arc<Vec<Finding>>, EngineError> {
        self.side_faults.get_or_try(entries.to_vec(), || {
            let side = self.side_model(snap, entries, true)?;
            Ok(Arc::new(side.broken.iter().chain(&side.problems).cloned().collect()))
        })
    }

    /// The model files of a comparison, grouped into assemblies (see [`smithy::assemble::group`]):
    /// the changed files of both sides, the unchanged `.smithy` files (IDL models are the ones
    /// written across files), and, when some file points at a namespace none of those define,
    /// every model file of the snapshots. Only assemblies with a changed file are returned, with
    /// the links they were grouped by (see [`Analyzer::still_linked`]).
    fn units(
        &self,
        base: &Snapshot,
        head: &Snapshot,
        changes: &[&PathChange],
    ) -> Result<(Vec<UnitKey>, Vec<UsedLinks>), EngineError> {
        let used: std::cell::RefCell<Vec<UsedLinks>> = Default::default();
        let links_of = |snap: &Snapshot, path: &str, oid: Oid| -> Result<Arc<Links>, EngineError> {
            let links = self.links_of(snap, path, oid)?;
            used.borrow_mut().push(((path.to_string(), oid), links.clone()));
            Ok(links)
        };
        let mut files: BTreeMap<String, (Option<Oid>, Option<Oid>)> =
            changes.iter().map(|c| (c.path.clone(), (c.old, c.new))).collect();
        let is_model = |p: &str| self.classifier.by_path(p) == Some(Kind::Model);
        let unchanged = |files: &BTreeMap<String, (Option<Oid>, Option<Oid>)>,
                         keep: &dyn Fn(&str) -> bool|
         -> Result<Vec<(String, Oid)>, EngineError> {
            let mut out = Vec::new();
            for e in self.repo.files(head, &|p| keep(p) && !files.contains_key(p))? {
                out.push((e.path, e.oid));
            }
            Ok(out)
        };
        for (path, oid) in unchanged(&files, &|p| smithy::is_idl_path(p) && is_model(p))? {
            files.insert(path, (Some(oid), Some(oid)));
        }
        let links = |files: &BTreeMap<String, (Option<Oid>, Option<Oid>)>| -> Result<_, EngineError> {
            let mut out = Vec::with_capacity(files.len());
            for (path, (old, new)) in files {
                let mut both: (BTreeSet<String>, BTreeSet<String>) = Default::default();
                for (snap, oid) in [(base, old), (head, new)] {
                    if let Some(oid) = oid {
                        let links = links_of(snap, path, *oid)?;
                        both.0.extend(links.0.iter().cloned());
                        both.1.extend(links.1.iter().cloned());
                    }
                }
                out.push(both);
            }
            Ok(out)
        };
        let mut linked = links(&files)?;
        let defined: BTreeSet<&String> = linked.iter().flat_map(|(d, _)| d).collect();
        let dangling = linked.iter().any(|(_, r)| r.iter().any(|n| !defined.contains(n)));
        // A file that starts defining a namespace (an added, renamed or split file) may meet
        // an unchanged file that defines it too.
        let mut new_namespace = false;
        for c in changes {
            let Some(new) = c.new else { continue };
            let now = links_of(head, &c.path, new)?;
            let before = match c.old {
                Some(old) => links_of(base, &c.path, old)?,
                None => Arc::default(),
            };
            new_namespace |= !now.0.is_subset(&before.0);
        }
        if dangling || new_namespace {
            // Some file needs a namespace no file read so far defines, or starts defining one
            // another file may define: read every model file.
            let mut more = Vec::new();
            for e in
                self.repo.files(head, &|p| !files.contains_key(p) && (is_model(p) || self.classifier.needs_sniff(p)))?
            {
                let entry = e.clone();
                let kind = self.classifier.classify(&e.path, e.oid, || self.repo.read(head, &entry))?;
                if kind == Some(Kind::Model) {
                    more.push((e.path, e.oid));
                }
            }
            for (path, oid) in more {
                files.insert(path, (Some(oid), Some(oid)));
            }
            linked = links(&files)?;
        }
        let paths: Vec<UnitFile> = files.iter().map(|(p, (o, n))| (p.clone(), *o, *n)).collect();
        let units = smithy::assemble::group(&linked)
            .into_iter()
            .filter(|g| g.iter().any(|&i| paths[i].1 != paths[i].2))
            .map(|g| g.into_iter().map(|i| paths[i].clone()).collect())
            .collect();
        Ok((units, used.into_inner()))
    }

    /// Diffs one assembly between two snapshots, once per set of files and blobs.
    fn model_stage(
        &self,
        base: &Snapshot,
        head: &Snapshot,
        unit: &UnitKey,
        files: &HashMap<&str, &FileChange>,
    ) -> Result<Arc<ModelStage>, EngineError> {
        self.model_diffs.get_or_try(unit.clone(), || self.diff_unit(base, head, unit, files))
    }

    fn diff_unit(
        &self,
        base: &Snapshot,
        head: &Snapshot,
        unit: &UnitKey,
        files: &HashMap<&str, &FileChange>,
    ) -> Result<Arc<ModelStage>, EngineError> {
        let side = |snap: &Snapshot, pick: fn(&UnitFile) -> Option<Oid>, keep: bool| {
            let entries: Vec<(String, Oid)> = unit.iter().filter_map(|u| pick(u).map(|o| (u.0.clone(), o))).collect();
            self.side_model(snap, &entries, keep)
        };
        let old = side(base, |u| u.1, true)?;
        let new = side(head, |u| u.2, false)?;
        let mut findings = Vec::new();
        for f in &old.broken {
            // A broken base model is worth saying, but only the head's blocks.
            let mut f = f.clone().on_base();
            f.severity = Severity::Note;
            f.message = format!("the base version could not be parsed, so it was diffed as empty: {}", f.message);
            findings.push(f);
        }
        findings.extend(new.broken.iter().cloned());
        findings.extend(new.problems.iter().cloned());
        let head_broken = !new.broken.is_empty();
        let diff = if head_broken {
            crate::rules::model::ModelDiff::default()
        } else {
            crate::rules::model::diff(&old.model, &new.model)
        };
        let changed: Vec<&str> = unit.iter().filter(|u| u.1 != u.2).map(|u| u.0.as_str()).collect();
        for mut f in diff.findings {
            if f.path.is_none() {
                f.path = changed.first().map(|p| p.to_string());
            }
            findings.push(f);
        }
        // One summary per changed file: what is in it now (or was, for what was removed).
        let file_of = |m: &smithy::Model, id: &str| m.shapes.get(id).map(|s| s.file.to_string());
        let located = |ids: &[String], m: &smithy::Model, path: &str| -> Vec<String> {
            ids.iter().filter(|id| file_of(m, id).as_deref() == Some(path)).cloned().collect()
        };
        let mut summaries = Vec::new();
        for path in changed {
            let Some(file) = files.get(path) else { continue };
            let in_head = new.bytes.contains_key(path);
            let services: Vec<String> = {
                let m = if in_head { &new.model } else { &old.model };
                m.services().into_iter().filter(|s| file_of(m, s).as_deref() == Some(path)).collect()
            };
            let changed_here: Vec<String> = diff
                .shapes_changed
                .iter()
                .filter(|id| file_of(&new.model, id).or_else(|| file_of(&old.model, id)).as_deref() == Some(path))
                .cloned()
                .collect();
            summaries.push(ModelSummary {
                path: path.to_string(),
                status: file.status,
                services,
                shapes: ShapeCounts {
                    added: located(&diff.shapes_added, &new.model, path).len(),
                    removed: located(&diff.shapes_removed, &old.model, path).len(),
                    changed: changed_here.len(),
                },
                operations_added: located(&diff.operations_added, &new.model, path),
                operations_removed: located(&diff.operations_removed, &old.model, path),
                operations_changed: located(&diff.operations_changed, &new.model, path),
                base_size: file.base_size,
                head_size: file.head_size,
                lines_changed: Some(lines_changed(
                    old.bytes.get(path).map(|b| b.as_slice()),
                    new.bytes.get(path).map(|b| b.as_slice()),
                )),
            });
        }
        Ok(Arc::new(ModelStage { findings, summaries }))
    }

    /// The files of `base` at `paths`. Every candidate of a history search asks about the same
    /// base, so a commit's tree is indexed once (path → blob) instead of walked per candidate.
    fn base_entries(&self, base: &Snapshot, paths: &BTreeSet<&str>) -> Result<Vec<FileEntry>, EngineError> {
        match base {
            Snapshot::Commit(c) => {
                let index = self.file_index.get_or_try(c.tree, || {
                    let all = self.repo.files(base, &|_| true)?;
                    Ok::<_, EngineError>(Arc::new(all.into_iter().map(|e| (e.path, e.oid)).collect()))
                })?;
                Ok(paths
                    .iter()
                    .filter_map(|p| index.get(*p).map(|oid| FileEntry { path: p.to_string(), oid: *oid }))
                    .collect())
            }
            Snapshot::Worktree(_) => Ok(self.repo.files(base, &|p| paths.contains(p))?),
        }
    }

    /// Everything every evaluator finds between `base` and `head` (and `mainline`, when given).
    pub fn analyze(
        &self,
        base: &Snapshot,
        head: &Snapshot,
        mainline: Option<&Snapshot>,
    ) -> Result<Analysis, EngineError> {
        let _ = mainline;
        let changes = self.repo.diff(base, head)?;
        let files = changed_files(self.repo, base, head, &self.classifier, &changes)?;
        let model_files: HashMap<&str, &FileChange> =
            files.iter().filter(|f| f.kind == Kind::Model.name()).map(|f| (f.path.as_str(), f)).collect();
        // A file that is a model only at head is an added model (see `changed_files`).
        let model_changes: Vec<PathChange> = changes
            .iter()
            .filter_map(|c| {
                let f = model_files.get(c.path.as_str())?;
                Some(PathChange { old: c.old.filter(|_| f.status != crate::outcome::FileStatus::Added), ..c.clone() })
            })
            .collect();
        let model_changes: Vec<&PathChange> = model_changes.iter().collect();
        let stages: Vec<Arc<ModelStage>> = loop {
            if model_changes.is_empty() {
                break Vec::new();
            }
            let (units, used) = self.units(base, head, &model_changes)?;
            let stages: Vec<Arc<ModelStage>> =
                units.par_iter().map(|u| self.model_stage(base, head, u, &model_files)).collect::<Result<_, _>>()?;
            if self.still_linked(&used) {
                break stages;
            }
        };
        let mut findings = Vec::new();
        let mut models = Vec::new();
        for stage in stages {
            findings.extend(stage.findings.iter().cloned());
            models.extend(stage.summaries.iter().cloned());
        }
        models.sort_by(|a, b| a.path.cmp(&b.path));
        // Packages: base, head and mainline trees; the release rules see every changed path.
        let mut notes = Vec::new();
        let base_tree = self.package_tree(base)?;
        let mut head_tree = self.package_tree(head)?;
        if let Some(entries) = &self.candidate {
            let (tree, mut extra) = apply_candidate(&head_tree, entries);
            head_tree = Arc::new(tree);
            findings.append(&mut extra);
            notes.push("packages and versions come from the candidate manifest, not from head's manifests".into());
        }
        let mainline_tree = mainline.map(|m| self.package_tree(m)).transpose()?;
        let changed: Vec<String> = changes.iter().map(|c| c.path.clone()).collect();
        let breaking: BTreeSet<String> = findings
            .iter()
            .filter(|f| f.severity.is_breaking() && f.rule != "InvalidModel")
            .filter_map(|f| f.path.clone())
            .collect();
        let input = ReleaseInput {
            base: &base_tree,
            head: &head_tree,
            mainline: mainline_tree.as_deref(),
            changed_files: &changed,
            breaking_models: &breaking,
            policy: &self.config.policy.release,
            base_label: None,
        };
        let (mut release_findings, packages) = release::evaluate(&input);
        findings.append(&mut release_findings);
        Ok(Analysis { findings, files, models, packages, notes })
    }

    /// The findings that hold at `base` alone, for the baseline (see [`crate::rules::baseline`]):
    /// the release rules with base in head's place (so no change, only state), against the same
    /// `mainline` the head was checked against; and `InvalidModel` for every model of `files`
    /// (the base → head file changes) that base has and cannot parse. `[rules]` levels applied,
    /// never the head's candidate manifest.
    pub fn state(
        &self,
        base: &Snapshot,
        mainline: Option<&Snapshot>,
        files: &[FileChange],
    ) -> Result<Vec<Finding>, EngineError> {
        let release = || -> Result<Arc<Vec<Finding>>, EngineError> {
            let tree = self.package_tree(base)?;
            let mainline_tree = mainline.map(|m| self.package_tree(m)).transpose()?;
            let input = ReleaseInput {
                base: &tree,
                head: &tree,
                mainline: mainline_tree.as_deref(),
                changed_files: &[],
                breaking_models: &BTreeSet::new(),
                policy: &self.config.policy.release,
                base_label: None,
            };
            Ok(Arc::new(release::evaluate(&input).0))
        };
        let mut findings = match (base, mainline) {
            (Snapshot::Commit(b), None) => self.states.get_or_try((b.id, None), release)?,
            (Snapshot::Commit(b), Some(Snapshot::Commit(m))) => self.states.get_or_try((b.id, Some(m.id)), release)?,
            _ => release()?,
        }
        .as_ref()
        .clone();
        let at_base: BTreeSet<&str> = files
            .iter()
            .filter(|f| f.kind == Kind::Model.name() && f.base_size.is_some())
            .map(|f| f.path.as_str())
            .collect();
        if !at_base.is_empty() {
            // The base side of the same assemblies the diff makes: what base cannot read, and
            // what its files get wrong together.
            let changes: Vec<PathChange> = self
                .base_entries(base, &at_base)?
                .into_iter()
                .map(|e| PathChange {
                    path: e.path,
                    kind: crate::source::ChangeKind::Removed,
                    old: Some(e.oid),
                    new: None,
                })
                .collect();
            let refs: Vec<&PathChange> = changes.iter().collect();
            loop {
                let (units, used) = self.units(base, base, &refs)?;
                let mut found = Vec::new();
                for unit in units {
                    let entries: Vec<(String, Oid)> =
                        unit.iter().filter_map(|u| u.1.map(|o| (u.0.clone(), o))).collect();
                    found.extend(self.side_faults(base, &entries)?.iter().map(|f| f.clone().on_base()));
                }
                if self.still_linked(&used) {
                    findings.extend(found);
                    break;
                }
            }
        }
        crate::rules::policy::apply_levels(&mut findings, &self.config.policy.findings.levels);
        Ok(findings)
    }

    /// Everything `check` decides on for base → head: [`Analyzer::analyze`]; with `history`
    /// (how the report names base and head), the release-size baseline and its
    /// `UnusuallyLargeDiff`; levels and exceptions ([`Analyzer::finish`]); and every finding
    /// classified against what holds at base.
    pub fn evaluate(
        &self,
        base: &Snapshot,
        head: &Snapshot,
        mainline: Option<&Snapshot>,
        today: crate::date::Date,
        history: Option<(&str, &str)>,
    ) -> Result<Evaluation, EngineError> {
        let mut analysis = self.analyze(base, head, mainline)?;
        let mut sizes = Vec::new();
        if let Some((base_rev, head_label)) = history {
            let current = crate::history::DiffSize::of(&analysis.models, &analysis.packages, &analysis.files);
            let measure = |a: &Commit, b: &Commit| self.release_size(a, b);
            let pattern = self.config.policy.release_tags.as_ref().map(|t| &t.matcher);
            match crate::history::release_sizes(
                self.repo,
                pattern,
                (base_rev, base),
                (head_label, head),
                &current,
                &measure,
            ) {
                Ok((measured, finding)) => {
                    sizes = measured;
                    analysis.findings.extend(finding);
                }
                Err(e) => analysis.notes.push(format!("release history was not measured: {e}")),
            }
        }
        let at_base = self.state(base, mainline, &analysis.files)?;
        analysis.findings = self.finish(std::mem::take(&mut analysis.findings), today);
        let resolved = crate::rules::baseline::classify(&mut analysis.findings, &at_base);
        Ok(Evaluation { analysis, resolved, history: sizes })
    }

    /// The size of the diff between two commits (no mainline), once per
    /// pair: the release-size baseline measures the same past releases for every check.
    pub fn release_size(&self, from: &Commit, to: &Commit) -> Result<crate::history::DiffSize, EngineError> {
        self.sizes.get_or_try((from.id, to.id), || {
            let (a, b) = (Snapshot::Commit(from.clone()), Snapshot::Commit(to.clone()));
            let analysis = self.analyze(&a, &b, None)?;
            Ok(crate::history::DiffSize::of(&analysis.models, &analysis.packages, &analysis.files))
        })
    }

    /// Records the size of a diff measured elsewhere (replay measures every release pair itself).
    pub fn remember_release_size(&self, from: &Commit, to: &Commit, size: crate::history::DiffSize) {
        let _ = self.sizes.get_or_try((from.id, to.id), || Ok::<_, EngineError>(size));
    }

    /// Applies `[rules]` levels and exceptions, and sorts: the findings as every report shows them.
    pub fn finish(&self, mut findings: Vec<Finding>, today: crate::date::Date) -> Vec<Finding> {
        crate::rules::policy::apply_levels(&mut findings, &self.config.policy.findings.levels);
        crate::rules::policy::apply_exceptions(&mut findings, &self.config.policy.findings, today);
        sort_findings(&mut findings);
        findings
    }
}

/// Repository, config, and the three snapshots a command compares.
pub struct Context {
    pub repo: Repo,
    pub config: LoadedConfig,
    pub base_rev: String,
    pub base: Snapshot,
    pub head: Snapshot,
    pub mainline: Option<(String, Snapshot)>,
    pub notes: Vec<String>,
}

impl Context {
    /// How the head is named in history rows.
    pub fn head_rev_label(&self) -> String {
        match &self.head {
            Snapshot::Commit(c) => c.hex()[..12].to_string(),
            Snapshot::Worktree(_) => crate::source::WORKTREE.to_string(),
        }
    }
}

/// Opens the repository, resolves the revisions and loads the config.
pub fn context(req: &Request) -> Result<Context, EngineError> {
    let repo = Repo::open(&req.repo)?;
    let head = repo.snapshot(&req.head)?;
    let config = load_config(&repo, req.config.as_ref(), &head)?;
    let base_rev = match &req.base {
        Some(b) => b.clone(),
        None => default_base(&repo, &config, &head)?,
    };
    if base_rev == WORKTREE {
        return Err(EngineError::Usage {
            message: "--base cannot be the work tree".into(),
            help: "the base is the last release: pass a tag or commit".into(),
        });
    }
    let base = repo.snapshot(&base_rev)?;
    let mut notes = Vec::new();
    let mainline = match resolve_mainline(&repo, req, &config) {
        Ok(m) => m,
        Err(note) if req.mainline.is_none() => {
            notes.push(note);
            None
        }
        Err(_) => {
            let rev = req.mainline.as_deref().expect("checked above");
            return Err(repo.snapshot(rev).expect_err("it failed a moment ago").into());
        }
    };
    Ok(Context { repo, config, base_rev, base, head, mainline, notes })
}

/// The outcome shell every command fills: revisions, digests, reproduction.
pub fn outcome(req: &Request, ctx: &Context, head_rev: &str, head: &Snapshot) -> Outcome {
    let mut digests = BTreeMap::new();
    digests.insert("base".to_string(), ctx.base.label());
    digests.insert("head".to_string(), head.label());
    if let Some((_, snap)) = &ctx.mainline {
        digests.insert("mainline".to_string(), snap.label());
    }
    digests.insert("config".to_string(), format!("{} ({})", ctx.config.digest(), ctx.config.origin));
    digests.insert("rules".to_string(), crate::rules::catalog::digest());
    Outcome {
        command: req.command,
        repo: req.repo.display().to_string(),
        repo_name: ctx.repo.name(),
        base: rev_info(&ctx.base_rev, &ctx.base),
        head: rev_info(head_rev, head),
        mainline: ctx.mainline.as_ref().map(|(rev, snap)| rev_info(rev, snap)),
        fail_on: req.fail_on,
        pre_existing: ctx.config.policy.pre_existing,
        verdict: Verdict::Pass,
        findings: Vec::new(),
        resolved: Vec::new(),
        files: Vec::new(),
        models: Vec::new(),
        packages: Vec::new(),
        closest_safe: None,
        history: Vec::new(),
        config_origin: ctx.config.origin.clone(),
        config_path: config_path(ctx),
        config_in_repo: ctx.config.repo_path.is_some(),
        origin_url: ctx.repo.origin_url(),
        digests,
        command_line: reproduce_command(req, ctx, head),
        date: req.date.clone(),
        notes: ctx.notes.clone(),
    }
}

/// A word for a POSIX shell: as is when it is plain, else single-quoted.
pub fn shell_word(a: &str) -> String {
    if a.is_empty() || a.contains(|c: char| c.is_whitespace() || "'\"$`\\;&|<>()*?#~{}[]!".contains(c)) {
        format!("'{}'", a.replace('\'', r"'\''"))
    } else {
        a.to_string()
    }
}

/// The command that reproduces this verdict, built from resolved values (commit ids rather than
/// the moving names given), then a comment line with the command as typed (names as given).
fn reproduce_command(req: &Request, ctx: &Context, head: &Snapshot) -> String {
    let mut parts = vec!["shipgate".to_string(), req.command.name().to_string()];
    let mut arg = |flag: &str, value: &str| {
        parts.push(flag.to_string());
        parts.push(shell_word(value));
    };
    arg("--repo", &req.repo.display().to_string());
    arg("--base", &ctx.base.label());
    if req.command != Command::ClosestSafe {
        arg("--head", &head.label());
    }
    if let Some((_, snap)) = &ctx.mainline {
        arg("--mainline", &snap.label());
    }
    if req.command != Command::Diff {
        arg("--fail-on", &req.fail_on.to_string());
    }
    if let Some(d) = &req.date {
        arg("--date", d);
    }
    if let Some(c) = &req.config {
        arg("--config", &c.display().to_string());
    }
    if req.command != Command::ClosestSafe
        && let Some(m) = &req.candidate_manifest
    {
        arg("--candidate-manifest", &m.display().to_string());
    }
    if matches!(req.command, Command::Report | Command::ClosestSafe)
        && let Some(n) = req.max_commits
    {
        arg("--max-commits", &n.to_string());
    }
    let mut out = parts.join(" ");
    let typed = req.command_line.replace(['\n', '\r'], " ");
    if !typed.trim().is_empty() {
        out.push_str("\n# as typed: ");
        out.push_str(typed.trim());
    }
    out
}

/// The config file as a reader of a report finds it (see [`Outcome::config_path`]).
fn config_path(ctx: &Context) -> Option<String> {
    let c = &ctx.config;
    if c.repo_path.is_some() {
        return c.repo_path.clone();
    }
    (c.origin != "built-in" || !c.text.is_empty()).then(|| c.origin.clone())
}

/// Runs `diff`, `check` or `report`.
pub fn run(req: &Request) -> Result<Outcome, EngineError> {
    let ctx = context(req)?;
    let mut analyzer = Analyzer::new(&ctx.repo, &ctx.config);
    if let Some(path) = &req.candidate_manifest {
        let text = read_local_file(path, SMALL_FILE_CAP, true)
            .map_err(|e| e.to_string())
            .and_then(|b| String::from_utf8(b).map_err(|_| "it is not UTF-8 text".to_string()))
            .map_err(|e| EngineError::Usage {
                message: format!("could not read the candidate manifest {}: {e}", path.display()),
                help: "pass the file the publish workflow wrote (TOML [[package]] entries or JSON)".into(),
            })?;
        analyzer = analyzer.with_candidate(release::parse_candidate_manifest(&path.display().to_string(), &text)?);
    }
    let head_label = ctx.head_rev_label();
    let history = (req.command != Command::Diff).then_some((ctx.base_rev.as_str(), head_label.as_str()));
    let mainline = ctx.mainline.as_ref().map(|(_, s)| s);
    let evaluation = analyzer.evaluate(&ctx.base, &ctx.head, mainline, req.today, history)?;
    let mut out = outcome(req, &ctx, &req.head, &ctx.head);
    let analysis = evaluation.analysis;
    out.findings = analysis.findings;
    out.resolved = evaluation.resolved;
    out.history = evaluation.history;
    out.files = analysis.files;
    out.models = analysis.models;
    out.packages = analysis.packages;
    out.notes.extend(analysis.notes);
    if req.command == Command::Report {
        // The search compares base with mainline's commits: head's candidate manifest, if
        // any, does not apply to them.
        if analyzer.has_candidate() {
            attach_closest_safe(req, &ctx, &Analyzer::new(&ctx.repo, &ctx.config), &mut out);
        } else {
            attach_closest_safe(req, &ctx, &analyzer, &mut out);
        }
    }
    if let Some(a) = &req.approval {
        let n = crate::rules::policy::apply_approval(&mut out.findings, req.fail_on, a, req.today);
        sort_findings(&mut out.findings);
        out.notes.push(format!(
            "{n} blocking finding(s) excepted by {}, approved by {}, until {}",
            a.source, a.approved_by, a.expires
        ));
    }
    out.decide();
    Ok(out)
}

/// `closest-safe`: the outcome for mainline's tip with `closest_safe` and every blocking
/// finding's `introduced_by` filled in (see [`crate::history::closest_safe`]).
pub fn closest_safe(req: &Request, progress: &(dyn Fn(usize, usize) + Sync)) -> Result<Outcome, EngineError> {
    let ctx = context(req)?;
    let analyzer = Analyzer::new(&ctx.repo, &ctx.config);
    closest_safe_with(&analyzer, &ctx, req, progress)
}

/// [`closest_safe`] with an analyzer (and its parse caches) the caller already has: `report`
/// reuses the one its own base → head analysis filled.
pub fn closest_safe_with(
    analyzer: &Analyzer<'_>,
    ctx: &Context,
    req: &Request,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Outcome, EngineError> {
    let Some((mainline_rev, Snapshot::Commit(tip))) = ctx.mainline.clone() else {
        return Err(EngineError::Usage {
            message: "closest-safe needs a mainline commit".into(),
            help: "pass --mainline REV (e.g. origin/main), or set `mainline` in shipgate.toml".into(),
        });
    };
    let base_commit = ctx.base.commit().expect("the base is always a commit").clone();
    let pre_existing = ctx.config.policy.pre_existing;
    // Mainline rules are off here: every candidate is on mainline by construction.
    let evaluate = |c: &Commit| -> Result<(Vec<Finding>, Vec<Finding>), EngineError> {
        let e = analyzer.evaluate(&ctx.base, &Snapshot::Commit(c.clone()), None, req.today, None)?;
        Ok((e.analysis.findings, e.resolved))
    };
    let blocks = |f: &Finding| f.blocks(req.fail_on, pre_existing);
    let candidates = crate::history::Candidates { base: &base_commit, tip: &tip, max_commits: req.max_commits };
    let search = crate::history::closest_safe(&ctx.repo, &candidates, &evaluate, &blocks, progress)?;
    let safe = search.closest_safe.commit.is_some();
    let mut out = outcome(req, ctx, &mainline_rev, &Snapshot::Commit(tip));
    out.findings = search.findings;
    out.resolved = search.resolved;
    out.closest_safe = Some(search.closest_safe);
    out.notes.extend(search.fixed_later);
    out.notes
        .push("closest-safe evaluates candidates without the mainline rules (every candidate is on mainline)".into());
    out.verdict = if safe { Verdict::Pass } else { Verdict::Fail };
    Ok(out)
}

/// `report` answers the closest-safe question too: the same search as `shipgate closest-safe`
/// (mainline's first-parent candidates, evaluated in parallel), whose answer fills
/// `closest_safe` and the `introduced_by` of every blocking finding mainline's tip also has.
/// The search shares the analysis' parse caches, so a report costs a `check` plus what the
/// candidates' distinct blobs add. Where it cannot run, a note says why instead.
fn attach_closest_safe(req: &Request, ctx: &Context, analyzer: &Analyzer<'_>, out: &mut Outcome) {
    if !matches!(ctx.mainline, Some((_, Snapshot::Commit(_)))) {
        out.notes.push(
            "the closest safe commit and the commits that introduced each blocking finding were not computed: there is no mainline commit (pass --mainline REV)"
                .into(),
        );
        return;
    }
    let search = Request { command: Command::ClosestSafe, candidate_manifest: None, approval: None, ..req.clone() };
    let found = match closest_safe_with(analyzer, ctx, &search, &|_, _| {}) {
        Ok(found) => found,
        Err(e) => {
            out.notes.push(format!("the closest safe commit was not computed: {e}"));
            return;
        }
    };
    let introduced: HashMap<&str, &str> =
        found.findings.iter().filter_map(|f| f.introduced_by.as_deref().map(|c| (f.fingerprint.as_str(), c))).collect();
    let mut unattributed = 0;
    let (fail_on, pre_existing) = (out.fail_on, out.pre_existing);
    for f in out.findings.iter_mut().filter(|f| f.blocks(fail_on, pre_existing)) {
        if f.baseline != Baseline::New {
            // It holds at base: no mainline commit introduced it since.
            continue;
        }
        match introduced.get(f.fingerprint.as_str()) {
            Some(c) => f.introduced_by = Some(c.to_string()),
            None => unattributed += 1,
        }
    }
    if unattributed > 0 {
        out.notes.push(format!(
            "{unattributed} blocking finding(s) have no introducing commit: mainline's tip does not have them, so they come from the head's own history, not from mainline"
        ));
    }
    out.notes.extend(found.notes.into_iter().filter(|n| n.contains("fixed before the tip")));
    out.closest_safe = found.closest_safe;
}

/// `--mainline`, else the config's `mainline`, else `origin/main`, else `main`. An explicit
/// revision that does not resolve is an error; a default that does not is a note.
fn resolve_mainline(repo: &Repo, req: &Request, config: &LoadedConfig) -> Result<Option<(String, Snapshot)>, String> {
    if let Some(rev) = req.mainline.as_ref().or(config.policy.mainline.as_ref()) {
        return match repo.snapshot(rev) {
            Ok(s) => Ok(Some((rev.clone(), s))),
            Err(e) => Err(format!("mainline `{rev}` could not be resolved ({e}); mainline rules were skipped")),
        };
    }
    if req.command == Command::Diff {
        return Ok(None);
    }
    for rev in ["origin/main", "main"] {
        if let Ok(s) = repo.snapshot(rev) {
            return Ok(Some((rev.to_string(), s)));
        }
    }
    Err("no mainline found (tried origin/main and main); pass --mainline REV to enable the mainline rules".into())
}

/// The finding for a model blob that does not parse: where and why.
fn invalid_model(path: &str, bytes: &[u8], e: &smithy::SmithyError) -> Finding {
    let (message, offset) = (e.message().to_string(), e.offset());
    let (line, column) = crate::text::line_col(bytes, offset);
    let message = message.strip_prefix(path).map(|m| m.trim_start_matches([':', ' '])).unwrap_or(&message).to_string();
    Finding::new(
        "InvalidModel",
        catalog::severity("InvalidModel"),
        path,
        format!("{path}:{line}:{column}: {message}; fix the model before it ships (nothing in it could be diffed)"),
    )
    .at(path, Some(line))
}

/// Lines added plus lines removed, counted as multisets of lines (moves are not changes):
/// deterministic and linear, where a full diff of a multi-megabyte model would not be.
pub fn lines_changed(old: Option<&[u8]>, new: Option<&[u8]>) -> u64 {
    let mut counts: HashMap<&[u8], i64> = HashMap::new();
    for line in old.unwrap_or_default().split(|b| *b == b'\n') {
        *counts.entry(line).or_default() += 1;
    }
    for line in new.unwrap_or_default().split(|b| *b == b'\n') {
        *counts.entry(line).or_default() -= 1;
    }
    counts.values().map(|v| v.unsigned_abs()).sum()
}

#[cfg(test)]
mod tests {
    // Regression guard for the links scan: a base file that is JSON but not a model (an unknown
    // shape type) has no links in the full read, so its head version starts a namespace and
    // assembles with the unchanged file defining it (a conflict); grouped by the scan's guess
    // alone it would be diffed on its own and the conflict missed.
    #[test]
    fn a_file_the_scan_misjudges_is_grouped_as_the_full_read_groups_it() {
        use crate::source::fixture::FixtureRepo;
        let dir = tempfile::tempdir().expect("tempdir");
        let mut r = FixtureRepo::init(dir.path()).expect("init");
        r.write("a.json", r#"{"smithy":"2.0","shapes":{"ex#A":{"type":"string"}}}"#);
        r.write("b.json", r#"{"smithy":"2.0","shapes":{"ex#B":{"type":"nonsense"}}}"#);
        let base = r.commit("base").expect("commit");
        r.tag("base", base).expect("tag");
        r.write("b.json", r#"{"smithy":"2.0","shapes":{"ex#A":{"type":"integer"}}}"#);
        r.commit("head").expect("commit");
        let repo = crate::source::Repo::open(dir.path()).expect("open");
        let config = crate::config::LoadedConfig::builtin();
        let analyzer = super::Analyzer::new(&repo, &config);
        let (base, head) = (repo.snapshot("base").expect("base"), repo.snapshot("HEAD").expect("head"));
        let analysis = analyzer.analyze(&base, &head, None).expect("analyze");
        let messages: Vec<&str> = analysis.findings.iter().map(|f| f.message.as_str()).collect();
        assert!(messages.iter().any(|m| m.contains("conflicting definitions of `ex#A`")), "{messages:#?}");
    }

    // Regression: the column of an InvalidModel finding counted bytes, so a line with `é` before
    // the error pointed one column too far right.
    #[test]
    fn invalid_model_columns_count_characters() {
        let bytes = "{\"smithy\": \"2.0\", \"é\": ]}".as_bytes();
        let e = crate::parse::smithy::parse("m.json", bytes).expect_err("not JSON");
        let f = super::invalid_model("m.json", bytes, &e);
        let (line, column) = crate::text::line_col(bytes, e.offset());
        assert!(f.message.starts_with(&format!("m.json:{line}:{column}: ")), "{}", f.message);
        // Counting bytes gives offset + 1; `é` is two bytes but one column.
        assert_eq!(column as usize, e.offset(), "{}", f.message);
    }
}
