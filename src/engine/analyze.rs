//! The model and package stage of one comparison: an [`Analyzer`] takes a base and a head
//! snapshot of one repository under one config and returns the findings before policy
//! ([`Analysis`]), or after it ([`Evaluation`]), caching results by blob id so that history
//! searches pay for distinct blobs, not commits × files. `engine` turns a request into
//! snapshots and an [`Analyzer`]'s results into an `Outcome`.
//!
//! May depend on what `engine` may (`source`, `config`, `parse`, `diff`, `rules`, `history`,
//! `outcome`); nothing outside `engine` names it except through `engine`'s re-exports.
use super::*;
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
    /// Whether a base model blob reads in full ([`smithy::validates`]): what lets a diff skip
    /// the shapes it did not change (see [`Analyzer::diff_unit_pruned`]).
    validated: Memo<Oid, bool>,
    manifests: Memo<Oid, Arc<Vec<u8>>>,
    /// Each `Cargo.toml` as parsed, by path and blob (see [`Analyzer::package_tree`]).
    cargo_manifests: Memo<(String, Oid), crate::parse::packages::cargo::Parsed>,
    package_trees: Memo<Vec<FileEntry>, Arc<PackageTree>>,
    /// The manifests of a commit's tree, by tree id.
    manifest_lists: Memo<Oid, Arc<Vec<FileEntry>>>,
    /// [`release::head_only`]'s findings per package tree, by the tree's address; each entry
    /// holds its tree, so no other tree can take that address while the entry exists.
    head_rules: Memo<usize, (Arc<PackageTree>, Arc<Vec<Finding>>)>,
    /// The files of a commit's tree that are models or may be (see [`Analyzer::model_files`]).
    model_lists: Memo<Oid, Arc<Vec<FileEntry>>>,
    /// Every file of a commit's tree (path → blob), by tree id: base's, for [`Analyzer::state`].
    file_index: Memo<Oid, Arc<HashMap<String, Oid>>>,
    /// The release-rule findings that hold at a commit alone, per (commit, mainline commit).
    states: Memo<(Oid, Option<Oid>), Arc<Vec<Finding>>>,
    /// The size of the diff between two release commits, for the release-size baseline.
    sizes: Memo<(Oid, Oid), crate::history::DiffSize>,
    /// The release as the publish workflow selected it (`--candidate-manifest`), if given.
    candidate: Option<Vec<CandidateEntry>>,
    /// See [`Analyzer::once`].
    once: bool,
}

/// Package trees an [`Analyzer`] keeps (each can be large; candidates next to each other in a
/// history search share theirs, so a small table serves them).
const PACKAGE_TREES_KEPT: usize = 64;

/// Parsed `Cargo.toml` files kept: a few thousand manifests' worth (the table starts over when
/// full, as [`Memo`] does).
const MANIFESTS_PARSED_KEPT: usize = 4096;

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
    *CAP.get_or_init(|| env_or("SHIPGATE_MAX_MODEL_BYTES", MODEL_CAP))
}

/// The number an environment variable sets, or `default` when it is unset or not a number.
fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok()).unwrap_or(default)
}

/// A unit whose files (both sides together) are this large is diffed in batches when one plan
/// would leave too little unread (see [`Analyzer::diff_batches`]); a smaller one is read in full.
/// `SHIPGATE_BATCHED_FROM` sets another size (0: every unit, however small, as the tests do).
const BATCHED_FROM: usize = 16 * 1024 * 1024;

/// About how many bytes of changed shapes (both sides together) one batch builds: 6 MiB keeps
/// a rewritten 100 MB model's diff under 3x its size. `SHIPGATE_BATCH_BYTES` sets another.
const BATCH_BYTES: usize = 6 * 1024 * 1024;

/// [`BATCHED_FROM`] and [`BATCH_BYTES`], or what the environment sets.
fn batching() -> (usize, usize) {
    static SET: std::sync::OnceLock<(usize, usize)> = std::sync::OnceLock::new();
    *SET.get_or_init(|| (env_or("SHIPGATE_BATCHED_FROM", BATCHED_FROM), env_or("SHIPGATE_BATCH_BYTES", BATCH_BYTES)))
}

/// Whether diffs may read only the shapes they need ([`Analyzer::diff_unit_pruned`]):
/// `SHIPGATE_PRUNE=off` reads every model in full (the same findings, more slowly: for
/// comparing the two, or ruling the span-indexed read out).
fn pruning() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var("SHIPGATE_PRUNE").map_or(true, |v| v.trim() != "off"))
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

/// An analysis as [`Analyzer::analyze_parts`] leaves it: the model stages shared with the memo,
/// and the findings of the package stage (and of the candidate manifest).
struct Parts {
    units: Vec<UnitKey>,
    stages: Vec<Arc<ModelStage>>,
    findings: Vec<Finding>,
    files: Vec<FileChange>,
    packages: Vec<PackageSummary>,
    notes: Vec<String>,
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
            validated: Memo::default(),
            manifests: Memo::default(),
            cargo_manifests: Memo::bounded(MANIFESTS_PARSED_KEPT),
            package_trees: Memo::bounded(PACKAGE_TREES_KEPT),
            manifest_lists: Memo::bounded(PACKAGE_TREES_KEPT),
            head_rules: Memo::bounded(PACKAGE_TREES_KEPT),
            model_lists: Memo::bounded(PACKAGE_TREES_KEPT),
            file_index: Memo::bounded(FILE_INDEXES_KEPT),
            states: Memo::default(),
            sizes: Memo::default(),
            candidate: None,
            once: false,
        }
    }

    /// Evaluates the release rules against a candidate manifest instead of head's own versions.
    pub fn with_candidate(mut self, entries: Vec<CandidateEntry>) -> Self {
        self.candidate = Some(entries);
        self
    }

    /// An analyzer asked once (`diff`, `check`): each model diff's results are handed over
    /// instead of kept for another question.
    pub fn once(mut self) -> Self {
        self.once = true;
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
            // Each Cargo.toml blob is parsed once per path (its path dependencies resolve
            // against it): most of a history's snapshots share most of their manifests.
            let oids: HashMap<&str, Oid> = entries.iter().map(|e| (e.path.as_str(), e.oid)).collect();
            let parse = |path: &str, text: &str| -> crate::parse::packages::cargo::Parsed {
                use crate::parse::packages::cargo::parsed;
                match (snap, oids.get(path)) {
                    (Snapshot::Commit(_), Some(oid)) => {
                        self.cargo_manifests.get_or((path.to_string(), *oid), || parsed(path, text))
                    }
                    _ => parsed(path, text),
                }
            };
            let mut tree = load_tree_with(&files, &self.config.policy.selection, &parse);
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
        let bytes = self.repo.read_shared(snap, &FileEntry { path: path.to_string(), oid })?;
        if self.repo.is_link(snap, path)? {
            // Its blob is the link's target path, not a model (see `symlinked_model`).
            let json = Some(Err(symlinked_model(snap, path, &bytes)));
            return Ok(ReadModel { bytes, json, links: Some(Arc::default()) });
        }
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
        Ok(ReadModel { bytes, json, links })
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
            let bytes = self.repo.read_shared(snap, &FileEntry { path: path.to_string(), oid })?;
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
        let problems = problem_findings(assembled.problems);
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

    /// The files of `snap` whose path makes them models or may (a `.json` file the content
    /// check decides on), sorted by path: what [`Analyzer::units`] groups from. A history
    /// search asks for base's and each candidate's on every comparison: each tree is walked
    /// once. The work tree is walked for each question, and without `all` for its IDL model
    /// files only (listing a work-tree file reads it).
    fn model_files(&self, snap: &Snapshot, all: bool) -> Result<Arc<Vec<FileEntry>>, EngineError> {
        let is_model = |p: &str| self.classifier.by_path(p) == Some(Kind::Model);
        let list = |keep: &dyn Fn(&str) -> bool| self.repo.files(snap, keep).map(Arc::new);
        let maybe = |p: &str| is_model(p) || self.classifier.needs_sniff(p);
        Ok(match snap {
            Snapshot::Commit(c) => self.model_lists.get_or_try(c.tree, || list(&maybe))?,
            Snapshot::Worktree(_) if all => list(&maybe)?,
            Snapshot::Worktree(_) => list(&|p| smithy::is_idl_path(p) && is_model(p))?,
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
        let used: std::sync::Mutex<Vec<UsedLinks>> = Default::default();
        let links_of = |snap: &Snapshot, path: &str, oid: Oid| -> Result<Arc<Links>, EngineError> {
            let links = self.links_of(snap, path, oid)?;
            used.lock().expect("no panics").push(((path.to_string(), oid), links.clone()));
            Ok(links)
        };
        let mut files: BTreeMap<String, (Option<Oid>, Option<Oid>)> =
            changes.iter().map(|c| (c.path.clone(), (c.old, c.new))).collect();
        let is_model = |p: &str| self.classifier.by_path(p) == Some(Kind::Model);
        // Every IDL model file joins the grouping (a namespace is often spread over several).
        for e in self.model_files(head, false)?.iter().filter(|e| smithy::is_idl_path(&e.path) && is_model(&e.path)) {
            if !files.contains_key(&e.path) {
                files.insert(e.path.clone(), (Some(e.oid), Some(e.oid)));
            }
        }
        // Each file's links, in parallel (in path order: the grouping is by index).
        let links = |files: &BTreeMap<String, (Option<Oid>, Option<Oid>)>| -> Result<Vec<Links>, EngineError> {
            let files: Vec<_> = files.iter().collect();
            files
                .par_iter()
                .map(|(path, (old, new))| {
                    let mut both: Links = Default::default();
                    for (snap, oid) in [(base, old), (head, new)] {
                        if let Some(oid) = oid {
                            let links = links_of(snap, path, *oid)?;
                            both.0.extend(links.0.iter().cloned());
                            both.1.extend(links.1.iter().cloned());
                        }
                    }
                    Ok(both)
                })
                .collect()
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
            // In parallel; each model's links are read right after its content check read it.
            let listed = self.model_files(head, true)?;
            let candidates: Vec<&FileEntry> = listed.iter().filter(|e| !files.contains_key(&e.path)).collect();
            let more: Vec<Option<&FileEntry>> = candidates
                .into_par_iter()
                .map(|e| {
                    let kind = self.classifier.classify(&e.path, e.oid, || self.repo.read_shared(head, e))?;
                    if kind != Some(Kind::Model) {
                        return Ok(None);
                    }
                    self.links_of(head, &e.path, e.oid)?;
                    Ok(Some(e))
                })
                .collect::<Result<_, EngineError>>()?;
            for e in more.into_iter().flatten() {
                files.insert(e.path.clone(), (Some(e.oid), Some(e.oid)));
            }
            linked = links(&files)?;
        }
        let paths: Vec<UnitFile> = files.iter().map(|(p, (o, n))| (p.clone(), *o, *n)).collect();
        let units = smithy::assemble::group(&linked)
            .into_iter()
            .filter(|g| g.iter().any(|&i| paths[i].1 != paths[i].2))
            .map(|g| g.into_iter().map(|i| paths[i].clone()).collect())
            .collect();
        Ok((units, used.into_inner().expect("no panics")))
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
        if let Some(stage) = self.diff_unit_pruned(base, head, unit, files)? {
            return Ok(Arc::new(stage));
        }
        let side = |snap: &Snapshot, pick: fn(&UnitFile) -> Option<Oid>, keep: bool| {
            let entries: Vec<(String, Oid)> = unit.iter().filter_map(|u| pick(u).map(|o| (u.0.clone(), o))).collect();
            self.side_model(snap, &entries, keep)
        };
        let old = side(base, |u| u.1, true)?;
        let new = side(head, |u| u.2, false)?;
        Ok(Arc::new(stage_of(unit, files, &old, &new)))
    }

    /// [`Analyzer::diff_unit`] from span-indexed reads ([`smithy::prune`]): both sides' files
    /// scanned, only the shapes the plan names built. `None` where that does not apply (an IDL
    /// file, a file past the cap or that the scan cannot walk, a base file that does not read in
    /// full, a plan not worth it, a read that fails) or when an evaluator asked for a shape left
    /// unread: the caller diffs the unit from full reads, which give the same answer.
    fn diff_unit_pruned(
        &self,
        base: &Snapshot,
        head: &Snapshot,
        unit: &UnitKey,
        files: &HashMap<&str, &FileChange>,
    ) -> Result<Option<ModelStage>, EngineError> {
        if !pruning() || unit.iter().any(|u| smithy::is_idl_path(&u.0)) {
            return Ok(None);
        }
        let read = |snap: &Snapshot, path: &str, oid: Oid| -> Result<Option<Arc<Vec<u8>>>, EngineError> {
            if self.model_size(snap, path, oid)? > model_cap() {
                return Ok(None);
            }
            Ok(Some(self.repo.read_shared(snap, &FileEntry { path: path.to_string(), oid })?))
        };
        let wanted: Vec<(usize, &Snapshot, &str, Oid)> = unit
            .iter()
            .flat_map(|u| {
                [(0, base, u.1), (1, head, u.2)].map(|(i, snap, oid)| oid.map(|o| (i, snap, u.0.as_str(), o)))
            })
            .flatten()
            .collect();
        let read: Vec<Option<(usize, ReadFile)>> = wanted
            .par_iter()
            .map(|(i, snap, path, oid)| Ok(read(snap, path, *oid)?.map(|b| (*i, (path.to_string(), *oid, b)))))
            .collect::<Result<_, EngineError>>()?;
        let mut sides: [ReadSide; 2] = [Vec::new(), Vec::new()];
        for r in read {
            let Some((i, file)) = r else { return Ok(None) };
            sides[i].push(file);
        }
        let [old_files, new_files] = sides;
        let (old_list, new_list) = (listed(&old_files), listed(&new_files));
        // Skipped bytes are the same on both sides; base's must read in full, so that nothing
        // the full read would reject hides in them. Checked while the sides are read.
        let validate = || {
            old_files.par_iter().all(|(path, oid, bytes)| {
                matches!(
                    self.validated.get_or_try(*oid, || Ok::<_, EngineError>(smithy::validates(path, bytes))),
                    Ok(true)
                )
            })
        };
        // Batches where one plan would leave too little unread; `SHIPGATE_BATCHED_FROM=0`:
        // every unit in batches, however small (the tests compare the answers).
        let (from, budget) = batching();
        let plan = match smithy::prune::plan_read(&old_list, &new_list, from, budget) {
            None => return Ok(None),
            Some(smithy::prune::PlannedRead::One(plan)) => plan,
            Some(smithy::prune::PlannedRead::Batches(batches)) => {
                if !validate() {
                    return Ok(None);
                }
                return self.diff_batches(unit, files, old_files, new_files, batches);
            }
        };
        let (valid, read) = rayon::join(validate, || smithy::prune::read_planned(&old_list, &new_list, plan));
        let (true, Some((old, new))) = (valid, read) else { return Ok(None) };
        drop((old_list, new_list));
        // Kept (paths and shared bytes) in case an evaluator asks for a shape the plan left out.
        let again = (old_files.clone(), new_files.clone());
        let side = |files: ReadSide, assembled: smithy::assemble::Assembled| -> (Vec<(String, Oid)>, SideModel) {
            let entries = files.iter().map(|(p, o, _)| (p.clone(), *o)).collect();
            let bytes = files.into_iter().map(|(p, _, b)| (p, b)).collect();
            let problems = problem_findings(assembled.problems);
            (entries, SideModel { model: assembled.model, broken: Vec::new(), problems, bytes })
        };
        let ((old_entries, old), (new_entries, new)) = (side(old_files, old), side(new_files, new));
        let stage = stage_of(unit, files, &old, &new);
        if old.model.asked_unread() || new.model.asked_unread() {
            // The same plan as one batch, read again with what was asked for, rather than two
            // full reads (ten times a large model's size).
            drop((old, new));
            let (old_files, new_files) = again;
            let (old_list, new_list) = (listed(&old_files), listed(&new_files));
            let Some(batches) = smithy::prune::batch_pair(&old_list, &new_list, usize::MAX, true) else {
                return Ok(None);
            };
            drop((old_list, new_list));
            return self.diff_batches(unit, files, old_files, new_files, batches);
        }
        // What each side gets wrong is what a full read finds: base reads in full, head's
        // unread bytes are base's, and every shape the assembly checks across files was read.
        for (entries, side) in [(old_entries, &old), (new_entries, &new)] {
            self.side_faults.get_or_try(entries, || Ok::<_, EngineError>(Arc::new(side.problems.clone())))?;
        }
        Ok(Some(stage))
    }

    /// [`Analyzer::diff_unit_pruned`] for a pair too rewritten for one plan: the model diffed a
    /// batch of changed shapes at a time ([`smithy::prune::Batches`]), each batch's models
    /// dropped before the next is read, and the files' bytes packed ([`smithy::prune::pack`])
    /// for the batches to read their entries from, so memory follows the batch, not the model.
    fn diff_batches(
        &self,
        unit: &UnitKey,
        files: &HashMap<&str, &FileChange>,
        old_files: ReadSide,
        new_files: ReadSide,
        batches: smithy::prune::Batches,
    ) -> Result<Option<ModelStage>, EngineError> {
        // What the summaries need of the whole bytes is worked out while they are packed.
        let (packed_old, packed_new, facts) = {
            let (old_list, new_list) = (listed(&old_files), listed(&new_files));
            let ((old, new), facts) = rayon::join(
                || rayon::join(|| smithy::prune::pack(&old_list), || smithy::prune::pack(&new_list)),
                || file_facts(unit, [&old_list, &new_list]),
            );
            let (Some(old), Some(new)) = (old, new) else { return Ok(None) };
            (old, new, facts)
        };
        let entries = |files: &ReadSide| files.iter().map(|(p, o, _)| (p.clone(), *o)).collect::<Vec<_>>();
        let (old_entries, new_entries) = (entries(&old_files), entries(&new_files));
        // The whole bytes go: the batches read the packed ones. A one-off analysis also drops
        // them from the repository's memory of recent reads; a history search reads them again.
        drop((old_files, new_files));
        if self.once {
            for (_, oid) in old_entries.iter().chain(&new_entries) {
                self.repo.forget(*oid);
            }
        }
        let mut diff = crate::rules::model::ModelDiff::default();
        let mut located = Located::default();
        let mut problems: [Vec<Finding>; 2] = Default::default();
        let done = batches.each(
            &packed_old,
            &packed_new,
            |old, new, focus| crate::rules::model::diff_in(&old.model, &new.model, focus),
            |old, new, batch| {
                located.add(&old.model, &new.model, &batch);
                diff.merge(batch);
                for (into, side) in problems.iter_mut().zip([old.problems, new.problems]) {
                    into.extend(problem_findings(side));
                }
            },
        );
        if done.is_none() {
            return Ok(None);
        }
        drop((packed_old, packed_new));
        for p in &mut problems {
            sort_findings(p);
        }
        let [old_problems, new_problems] = problems;
        let stage = stage_from(unit, files, new_problems.clone(), diff, &located, &facts);
        for (entries, problems) in [(old_entries, old_problems), (new_entries, new_problems)] {
            self.side_faults.get_or_try(entries, || Ok::<_, EngineError>(Arc::new(problems)))?;
        }
        Ok(Some(stage))
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
        let parts = self.analyze_parts(base, head, mainline)?;
        let mut findings = Vec::new();
        let mut models = Vec::new();
        for (unit, stage) in parts.units.iter().zip(parts.stages) {
            // Moved out when nothing will ask for it again (a rewritten model's stage holds
            // 100,000 findings), else copied.
            if self.once {
                self.model_diffs.take(unit);
            }
            match Arc::try_unwrap(stage) {
                Ok(stage) => {
                    findings.extend(stage.findings);
                    models.extend(stage.summaries);
                }
                Err(stage) => {
                    findings.extend(stage.findings.iter().cloned());
                    models.extend(stage.summaries.iter().cloned());
                }
            }
        }
        models.sort_by(|a, b| a.path.cmp(&b.path));
        findings.extend(parts.findings);
        let Parts { files, packages, notes, .. } = parts;
        Ok(Analysis { findings, files, models, packages, notes })
    }

    /// [`Analyzer::analyze`] with the model stages as the memo holds them, not copied: their
    /// findings come first, then `findings`.
    fn analyze_parts(
        &self,
        base: &Snapshot,
        head: &Snapshot,
        mainline: Option<&Snapshot>,
    ) -> Result<Parts, EngineError> {
        let changes = self.repo.diff(base, head)?;
        // Each model blob's links are read as soon as its file is classified (see `changed_files`).
        let prefetch = |snap: &Snapshot, path: &str, oid: Oid| self.links_of(snap, path, oid).map(|_| ());
        let files = changed_files(self.repo, base, head, &self.classifier, &changes, &prefetch)?;
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
        let (units, stages): (Vec<UnitKey>, Vec<Arc<ModelStage>>) = loop {
            if model_changes.is_empty() {
                break (Vec::new(), Vec::new());
            }
            let (units, used) = self.units(base, head, &model_changes)?;
            let stages: Vec<Arc<ModelStage>> =
                units.par_iter().map(|u| self.model_stage(base, head, u, &model_files)).collect::<Result<_, _>>()?;
            if self.still_linked(&used) {
                break (units, stages);
            }
        };
        drop(model_files);
        // Packages: base, head and mainline trees; the release rules see every changed path.
        let mut findings = Vec::new();
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
        let breaking: BTreeSet<String> = stages
            .iter()
            .flat_map(|s| s.findings.iter())
            .chain(findings.iter())
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
        // A candidate manifest makes a tree of its own: its head-only rules are not kept.
        let head_rules = self.candidate.is_none().then(|| {
            let policy = &self.config.policy.release;
            let found = || (head_tree.clone(), Arc::new(release::head_only(&head_tree, policy)));
            self.head_rules.get_or(Arc::as_ptr(&head_tree) as usize, found).1
        });
        let (mut release_findings, packages) = release::evaluate_with(&input, head_rules.as_deref().map(Vec::as_slice));
        findings.append(&mut release_findings);
        Ok(Parts { units, stages, findings, files, packages, notes })
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

    /// What a history search keeps of one candidate that is not its tip: the findings that
    /// block (at `fail_on`, under `pre_existing`), as [`Analyzer::evaluate`] would report them,
    /// and every finding's fingerprint as a key ([`crate::history::fingerprint_key`]), sorted.
    /// Exactly what `evaluate` (no mainline, no history) finds, filtered; but it reads the
    /// memoised model findings in place and copies only the blocking ones: a candidate of a
    /// real SDK history has a thousand model findings and a handful of blockers.
    pub fn verdict(
        &self,
        base: &Snapshot,
        head: &Snapshot,
        today: crate::date::Date,
        fail_on: Severity,
        pre_existing: crate::finding::PreExisting,
    ) -> Result<crate::history::Found, EngineError> {
        let parts = self.analyze_parts(base, head, None)?;
        let at_base: std::collections::HashSet<u128> = self
            .state(base, None, &parts.files)?
            .iter()
            .map(|f| crate::history::fingerprint_key(&f.fingerprint))
            .collect();
        let policy = &self.config.policy.findings;
        let mut matcher = crate::rules::policy::Matcher::new(policy, today);
        let mut holds = Vec::new();
        let mut blocking = Vec::new();
        let mut keep = |f: &Finding, severity: Severity, excepted: bool| {
            let key = crate::history::fingerprint_key(&f.fingerprint);
            holds.push(key);
            let baseline = if at_base.contains(&key) { Baseline::PreExisting } else { Baseline::New };
            if crate::finding::would_block(severity, excepted, baseline, fail_on, pre_existing) {
                blocking.push(Finding { severity, baseline, ..f.clone() });
            }
        };
        for f in parts.stages.iter().flat_map(|s| s.findings.iter()).chain(parts.findings.iter()) {
            // `[rules]` levels as `apply_levels` sets them, then exceptions as `apply_exceptions`.
            let severity = match policy.levels.level_for(&f.id) {
                None => f.severity,
                Some(None) => continue,
                Some(Some(_)) if f.severity == Severity::Suppressed => f.severity,
                Some(Some(level)) => level,
            };
            let excepted =
                f.exception.is_some() || matcher.first(&f.id, &f.subject, &f.fingerprint, severity).is_some();
            keep(f, severity, excepted);
        }
        // The findings about the exceptions themselves, levelled already.
        for f in matcher.findings() {
            keep(&f, f.severity, f.exception.is_some());
        }
        sort_findings(&mut blocking);
        holds.sort_unstable();
        holds.dedup();
        Ok(crate::history::Found { findings: blocking, resolved: Vec::new(), holds })
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

/// One side's files of a span-indexed read: path, blob, bytes.
type ReadSide = Vec<ReadFile>;

/// One file of a side: path, blob, bytes.
type ReadFile = (String, Oid, Arc<Vec<u8>>);

fn listed(side: &ReadSide) -> Vec<(&str, &[u8])> {
    side.iter().map(|(p, _, b)| (p.as_str(), b.as_slice())).collect()
}

/// What one assembly's diff contributes, from its two sides.
fn stage_of(unit: &UnitKey, files: &HashMap<&str, &FileChange>, old: &SideModel, new: &SideModel) -> ModelStage {
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
    let mut located = Located::default();
    located.add(&old.model, &new.model, &diff);
    fn list(side: &SideModel) -> Vec<(&str, &[u8])> {
        side.bytes.iter().map(|(p, b)| (p.as_str(), b.as_slice())).collect()
    }
    let (old_list, new_list) = (list(old), list(new));
    stage_from(unit, files, findings, diff, &located, &file_facts(unit, [&old_list, &new_list]))
}

/// What a stage's summaries say of each changed file of a unit that the models do not: whether
/// head has it, and how many of its lines changed.
fn file_facts(unit: &UnitKey, [old, new]: [&[(&str, &[u8])]; 2]) -> BTreeMap<String, (bool, u64)> {
    fn bytes<'b>(side: &[(&str, &'b [u8])], path: &str) -> Option<&'b [u8]> {
        side.iter().find(|(p, _)| *p == path).map(|(_, b)| *b)
    }
    unit.iter()
        .filter(|u| u.1 != u.2)
        .map(|u| {
            let (old, new) = (bytes(old, &u.0), bytes(new, &u.0));
            (u.0.clone(), (new.is_some(), lines_changed(old, new)))
        })
        .collect()
}

/// Where each shape a diff names is defined on each side (base, head), and each side's
/// services: what a stage's summaries need of the models, gathered batch by batch when a model
/// is diffed in batches.
#[derive(Default)]
struct Located {
    files: [HashMap<String, Arc<str>>; 2],
    services: Option<[Services; 2]>,
}

/// A side's services, each with the file that defines it.
type Services = Vec<(String, Arc<str>)>;

impl Located {
    fn add(&mut self, old: &smithy::Model, new: &smithy::Model, diff: &crate::rules::model::ModelDiff) {
        let lists = [
            &diff.shapes_added,
            &diff.shapes_removed,
            &diff.shapes_changed,
            &diff.operations_added,
            &diff.operations_removed,
            &diff.operations_changed,
        ];
        for (files, model) in self.files.iter_mut().zip([old, new]) {
            for id in lists.iter().flat_map(|l| l.iter()) {
                if let Some(s) = model.shape(id) {
                    files.entry(id.clone()).or_insert_with(|| s.file.clone());
                }
            }
        }
        // Services and resources are in every batch, so the first batch has them all.
        self.services.get_or_insert_with(|| {
            [old, new].map(|m| {
                m.services()
                    .into_iter()
                    .filter_map(|id| m.shape(&id).map(|s| s.file.clone()).map(|f| (id, f)))
                    .collect()
            })
        });
    }

    fn file(&self, side: usize, id: &str) -> Option<&str> {
        self.files[side].get(id).map(|f| &**f)
    }
}

/// A stage from its side findings (`findings`), its model diff and where the diff's shapes
/// are (see [`Located`]): the diff's findings and one summary per changed file.
fn stage_from(
    unit: &UnitKey,
    files: &HashMap<&str, &FileChange>,
    mut findings: Vec<Finding>,
    diff: crate::rules::model::ModelDiff,
    at: &Located,
    facts: &BTreeMap<String, (bool, u64)>,
) -> ModelStage {
    let changed: Vec<&str> = unit.iter().filter(|u| u.1 != u.2).map(|u| u.0.as_str()).collect();
    for mut f in diff.findings {
        if f.path.is_none() {
            f.path = changed.first().map(|p| p.to_string());
        }
        findings.push(f);
    }
    // One summary per changed file: what is in it now (or was, for what was removed).
    let located = |ids: &[String], side: usize, path: &str| -> Vec<String> {
        ids.iter().filter(|id| at.file(side, id) == Some(path)).cloned().collect()
    };
    let mut summaries = Vec::new();
    for path in changed {
        let Some(file) = files.get(path) else { continue };
        let (in_head, lines_changed) = facts.get(path).copied().unwrap_or_default();
        let services: Vec<String> = at
            .services
            .as_ref()
            .map(|s| &s[usize::from(in_head)])
            .into_iter()
            .flatten()
            .filter(|(_, f)| &**f == path)
            .map(|(id, _)| id.clone())
            .collect();
        let changed_here: Vec<String> = diff
            .shapes_changed
            .iter()
            .filter(|id| at.file(1, id).or_else(|| at.file(0, id)) == Some(path))
            .cloned()
            .collect();
        summaries.push(ModelSummary {
            path: path.to_string(),
            status: file.status,
            services,
            shapes: ShapeCounts {
                added: located(&diff.shapes_added, 1, path).len(),
                removed: located(&diff.shapes_removed, 0, path).len(),
                changed: changed_here.len(),
            },
            operations_added: located(&diff.operations_added, 1, path),
            operations_removed: located(&diff.operations_removed, 0, path),
            operations_changed: located(&diff.operations_changed, 1, path),
            base_size: file.base_size,
            head_size: file.head_size,
            lines_changed: Some(lines_changed),
        });
    }
    ModelStage { findings, summaries }
}

/// The `InvalidModel` findings for what Smithy rejects about files together.
fn problem_findings(problems: Vec<smithy::assemble::Problem>) -> Vec<Finding> {
    problems
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
        .collect()
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

/// The finding for a model path that is a symlink (a tree entry of mode 120000, or a link in the
/// work tree): its blob is the path it points to, which shipgate never follows (a committed link
/// may lead out of the repository), so nothing in it can be diffed.
fn symlinked_model(snap: &Snapshot, path: &str, target: &[u8]) -> Finding {
    let mut target = crate::source::path_text(target);
    if target.chars().count() > 200 {
        target = target.chars().take(200).collect::<String>() + "…";
    }
    let place = if matches!(snap, Snapshot::Worktree(_)) { "in the work tree" } else { "in the commit" };
    Finding::new(
        "InvalidModel",
        catalog::severity("InvalidModel"),
        path,
        format!(
            "{path}: the file is a symlink {place} (to `{target}`), and shipgate does not follow symlinks in the repository, so nothing in it was diffed; commit the model itself at this path instead of a link to it"
        ),
    )
    .at(path, None)
}

/// Lines added plus lines removed, counted as multisets of lines (moves are not changes):
/// deterministic and linear, where a full diff of a multi-megabyte model would not be. The lines
/// both sides start and end with cancel out, so only the part between is counted line by line.
pub fn lines_changed(old: Option<&[u8]>, new: Option<&[u8]>) -> u64 {
    let (old, new) = (old.unwrap_or_default(), new.unwrap_or_default());
    let (old_mid, new_mid, whole) = differing_lines(old, new);
    if old_mid.len() + new_mid.len() > i32::MAX as usize {
        // Past 2 GiB (models are capped far below) a line's offset or count may not fit the
        // compact table: count with a map of slices.
        let mut counts: HashMap<&[u8], i64> = HashMap::new();
        for_each_line(old_mid, whole, |_, line| *counts.entry(line).or_default() += 1);
        for_each_line(new_mid, whole, |_, line| *counts.entry(line).or_default() -= 1);
        return counts.values().map(|v| v.unsigned_abs()).sum();
    }
    // Each distinct line once, as where it first occurs in `old_mid ++ new_mid` and how many
    // more times old has it than new: 12 bytes a line where a map of slices to counts took 24,
    // and a reformatted 100 MB model has some 800,000 distinct lines.
    struct Line {
        start: u32,
        len: u32,
        count: i32,
    }
    let text = |l: &Line| -> &[u8] {
        let (start, len) = (l.start as usize, l.len as usize);
        match start.checked_sub(old_mid.len()) {
            _ if len == 0 => &[],
            Some(at) => &new_mid[at..at + len],
            None => &old_mid[start..start + len],
        }
    };
    use std::hash::BuildHasher;
    let hasher = foldhash::fast::FixedState::default();
    let mut table: hashbrown::HashTable<Line> = hashbrown::HashTable::new();
    for (part, offset, sign) in [(old_mid, 0, 1), (new_mid, old_mid.len(), -1)] {
        for_each_line(part, whole, |at, line| {
            let hash = hasher.hash_one(line);
            match table.find_mut(hash, |l| text(l) == line) {
                Some(l) => l.count += sign,
                None => {
                    // Offsets and lengths fit: both parts together are under 2 GiB.
                    let start = (offset + at) as u32;
                    let entry = Line { start, len: line.len() as u32, count: sign };
                    table.insert_unique(hash, entry, |l| hasher.hash_one(text(l)));
                }
            }
        });
    }
    table.iter().map(|l| u64::from(l.count.unsigned_abs())).sum()
}

/// Calls `f` with the offset and text of each line of a middle part of [`differing_lines`]:
/// split at line breaks, the empty rest after the last break left out unless the part runs to
/// the end of its file.
fn for_each_line<'a>(part: &'a [u8], whole: bool, mut f: impl FnMut(usize, &'a [u8])) {
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', part) {
        f(start, &part[start..end]);
        start = end + 1;
    }
    if whole {
        f(start, &part[start..]);
    }
}

/// How many leading bytes two sequences of blocks have in common: equal blocks compared whole
/// (a `memcmp`), the first unequal pair with `within`.
fn common_len<'a>(
    a: impl Iterator<Item = &'a [u8]>,
    b: impl Iterator<Item = &'a [u8]>,
    within: impl Fn(&[u8], &[u8]) -> usize,
) -> usize {
    let mut n = 0;
    for (x, y) in a.zip(b) {
        if x == y {
            n += x.len();
        } else {
            return n + within(x, y);
        }
    }
    n
}

/// The parts of `old` and `new` between the whole lines they start and end with in common, and
/// whether those parts run to the end of the files (no common last lines were cut off).
fn differing_lines<'a>(old: &'a [u8], new: &'a [u8]) -> (&'a [u8], &'a [u8], bool) {
    let prefix =
        common_len(old.chunks(4096), new.chunks(4096), |a, b| a.iter().zip(b).take_while(|(x, y)| x == y).count());
    // Cut after the last line break of the common prefix: whole lines only.
    let start = old[..prefix].iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
    let (old, new) = (&old[start..], &new[start..]);
    let suffix = common_len(old.rchunks(4096), new.rchunks(4096), |a, b| {
        a.iter().rev().zip(b.iter().rev()).take_while(|(x, y)| x == y).count()
    });
    // Cut after the first line break inside the common suffix: what follows is whole lines
    // on both sides (the break itself ends the last differing line).
    let (old_from, new_from) = (old.len() - suffix, new.len() - suffix);
    match old[old_from..].iter().position(|b| *b == b'\n') {
        Some(i) => (&old[..old_from + i + 1], &new[..new_from + i + 1], false),
        None => (old, new, true),
    }
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

    // Regression: a committed model that is a symlink (mode 120000) read as "invalid JSON:
    // unexpected character '/'": its blob is the target path, which shipgate never follows.
    #[test]
    fn a_symlinked_model_is_an_invalid_model_that_says_it_is_a_symlink() {
        use crate::source::fixture::FixtureRepo;
        let dir = tempfile::tempdir().expect("tempdir");
        let mut r = FixtureRepo::init(dir.path()).expect("init");
        r.write("models/a.json", r#"{"smithy":"2.0","shapes":{"ex#A":{"type":"string"}}}"#);
        r.write("models/b.smithy", "$version: \"2\"\nnamespace ex.b\n\nstring B\n");
        let base = r.commit("base").expect("commit");
        r.tag("base", base).expect("tag");
        r.link("models/a.json", "/etc/passwd");
        r.link("models/b.smithy", "../elsewhere/b.smithy");
        r.commit("head").expect("commit");
        let repo = crate::source::Repo::open(dir.path()).expect("open");
        let config = crate::config::LoadedConfig::builtin();
        let analyzer = super::Analyzer::new(&repo, &config);
        let (base, head) = (repo.snapshot("base").expect("base"), repo.snapshot("HEAD").expect("head"));
        let links = [("models/a.json", "/etc/passwd"), ("models/b.smithy", "../elsewhere/b.smithy")];
        let says_symlink = |findings: &[crate::finding::Finding], links: &[(&str, &str)], base_side: bool| {
            let invalid: Vec<&crate::finding::Finding> = findings.iter().filter(|f| f.rule == "InvalidModel").collect();
            assert_eq!(invalid.len(), links.len(), "{invalid:#?}");
            for (f, (path, target)) in invalid.iter().zip(links) {
                assert_eq!(f.path.as_deref(), Some(*path));
                let what = format!("{path}: the file is a symlink in the commit (to `{target}`)");
                assert!(f.message.contains(&what), "{}", f.message);
                assert!(f.message.contains("does not follow symlinks") && f.message.contains("instead of a link"));
                assert!(!f.message.contains("invalid JSON"), "{}", f.message);
                assert_eq!(f.severity == crate::finding::Severity::Note, base_side, "{f:?}");
            }
        };
        let forward = analyzer.analyze(&base, &head, None).expect("analyze");
        says_symlink(&forward.findings, &links, false);
        // The other way round the links are at base: the `.smithy` one is a note ("the base
        // version could not be parsed"); the `.json` one is no model at base (its content, a
        // path, does not look like one), so the file is an added model.
        let back = analyzer.analyze(&head, &base, None).expect("analyze");
        says_symlink(&back.findings, &links[1..], true);
    }

    // What a history search keeps of a candidate (`verdict`: memoised findings judged in place)
    // is exactly what the full evaluation reports, filtered to the blockers, with the same
    // fingerprints: over every pair of the demo's commits, with levels (re-levelled, off),
    // exceptions (used, unused, expired, without a reason, by glob), both pre-existing modes and
    // two gate levels.
    #[test]
    fn a_verdict_is_the_evaluation_filtered_to_its_blockers() {
        use crate::finding::{Finding, PreExisting, Severity};
        use crate::source::Snapshot;
        let dir = tempfile::tempdir().expect("tempdir");
        let revs = crate::source::fixture::sdk_demo(dir.path()).expect("demo");
        let repo = crate::source::Repo::open(dir.path()).expect("open");
        let mut commits =
            repo.first_parent_chain(repo.resolve(&revs.mainline).expect("main").id, None, None).expect("chain");
        commits.push(repo.resolve(&revs.head).expect("head"));
        let demo = "release_tags = \"release-*\"\n[models]\nsmithy = [\"models/*.json\"]\n[packages]\ncargo = [\"runtime/*\", \"sdk/*\"]\n\
                    [[packages.generated_from]]\npackage = \"weather-sdk\"\nmodel = \"models/weather.json\"\n";
        let policy = "[rules]\nRemovedShape = \"warning\"\nChangedWithoutVersionBump = \"off\"\nUnusedException = \"error\"\n\
                      [[exceptions]]\nrule = \"RemovedOperationBinding\"\nsubject = \"example.weather#*\"\nreason = \"agreed\"\nexpires = \"2027-01-31\"\n\
                      [[exceptions]]\nrule = \"UnsatisfiedInternalDependency\"\nsubject = \"smithy-runtime\"\nreason = \"agreed\"\nexpires = \"2027-01-31\"\n\
                      [[exceptions]]\nrule = \"RemovedShape\"\nsubject = \"example.nothing#*\"\nreason = \"never matches\"\nexpires = \"2027-01-31\"\n\
                      [[exceptions]]\nrule = \"BreakingChangeWithoutMajorBump\"\nsubject = \"weather-sdk\"\nreason = \"too late\"\nexpires = \"2026-01-31\"\n\
                      [[exceptions]]\nrule = \"RemovedShape\"\nsubject = \"example.weather#ListCities\"\n";
        let today = crate::date::parse("2026-12-01").expect("date");
        for text in [demo.to_string(), format!("{demo}{policy}")] {
            let config = crate::config::LoadedConfig::parse("shipgate.toml", &text).expect("config");
            let analyzer = super::Analyzer::new(&repo, &config);
            let mut blocked = 0;
            for base in &commits {
                for head in &commits {
                    let (b, h) = (Snapshot::Commit(base.clone()), Snapshot::Commit(head.clone()));
                    let full = analyzer.evaluate(&b, &h, None, today, None).expect("evaluate").analysis.findings;
                    let mut all: Vec<u128> =
                        full.iter().map(|f| crate::history::fingerprint_key(&f.fingerprint)).collect();
                    all.sort_unstable();
                    all.dedup();
                    for fail_on in [Severity::Warning, Severity::Danger] {
                        for pre in [PreExisting::Report, PreExisting::Block] {
                            let found = analyzer.verdict(&b, &h, today, fail_on, pre).expect("verdict");
                            let blocking: Vec<&Finding> = full.iter().filter(|f| f.blocks(fail_on, pre)).collect();
                            assert_eq!(
                                found.findings.iter().collect::<Vec<_>>(),
                                blocking,
                                "{} → {}",
                                base.hex(),
                                head.hex()
                            );
                            assert_eq!(found.holds, all);
                            blocked += blocking.len();
                        }
                    }
                }
            }
            assert!(blocked > 0, "the pairs have blockers to compare");
        }
    }

    // The prefix and suffix cut is exact: the count equals the plain multiset count of every
    // line, on edits at the start, middle and end, with and without final line breaks.
    #[test]
    fn lines_changed_equals_the_plain_count() {
        fn plain(old: &[u8], new: &[u8]) -> u64 {
            let mut counts: HashMap<&[u8], i64> = HashMap::new();
            for line in old.split(|b| *b == b'\n') {
                *counts.entry(line).or_default() += 1;
            }
            for line in new.split(|b| *b == b'\n') {
                *counts.entry(line).or_default() -= 1;
            }
            counts.values().map(|v| v.unsigned_abs()).sum()
        }
        use std::collections::HashMap;
        let texts = [
            "",
            "\n",
            "a",
            "a\n",
            "a\nb",
            "a\nb\n",
            "a\nb\nc\n",
            "a\nx\nc\n",
            "a\nb\nc",
            "x\nb\nc\n",
            "a\nb\nx",
            "b\na\n",
            "a\n\nb\n",
            "aa\nb\n",
            "a\nbb\n",
            "a\nb\nc\nd\n",
            "a\nc\n",
            "ab",
            "a\nb\nb\nc\n",
        ];
        for old in texts {
            for new in texts {
                let (o, n) = (old.as_bytes(), new.as_bytes());
                assert_eq!(super::lines_changed(Some(o), Some(n)), plain(o, n), "{old:?} -> {new:?}");
            }
            assert_eq!(super::lines_changed(Some(old.as_bytes()), None), plain(old.as_bytes(), b""));
        }
        // Past one 4 KiB block: edits before, at and after block boundaries.
        let big: String = (0..3000).map(|i| format!("line {}\n", i % 700)).collect();
        for at in [0, 1, 4095, 4096, 4097, 9000, big.len() - 2, big.len() - 1] {
            let mut edited = big.clone().into_bytes();
            edited[at] = b'#';
            let mut longer = big.clone().into_bytes();
            longer.insert(at, b'\n');
            for new in [&edited, &longer] {
                assert_eq!(
                    super::lines_changed(Some(big.as_bytes()), Some(new)),
                    plain(big.as_bytes(), new),
                    "at {at}"
                );
            }
        }
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
