//! Runs the pipeline for one command: resolve revisions (source), load config, diff files, and
//! hand the result over as an [`Outcome`]. Nothing here prints. The comparison of one snapshot
//! pair (models and packages → findings) is [`Analyzer`], in `analyze.rs`.
//!
//! May depend on every stage below `cli`: `source`, `config`, `parse`, `diff`, `rules`, `history`,
//! `outcome`. Nothing below it depends on the engine.
mod analyze;
pub mod replay;

pub use analyze::{Analysis, Analyzer, Evaluation, MODEL_CAP, lines_changed};

use crate::config::{ConfigError, LoadedConfig};
use crate::diff::files::{Classifier, Kind, changed_files};
use crate::finding::{Baseline, Finding, Severity, sort_findings};
use crate::memo::Memo;
use crate::outcome::ShapeCounts;
use crate::outcome::{Command, FileChange, ModelSummary, Outcome, PackageSummary, RevInfo, Verdict};
use crate::parse::packages::model::PackageTree;
use crate::parse::packages::tree::load_tree_with;
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
    if req.command != Command::Report {
        // `report` asks again (its closest-safe search); `diff` and `check` ask once.
        analyzer = analyzer.once();
    }
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
    let evaluate = |c: &Commit, tip: bool| -> Result<crate::history::Found, EngineError> {
        let head = Snapshot::Commit(c.clone());
        if !tip {
            return analyzer.verdict(&ctx.base, &head, req.today, req.fail_on, pre_existing);
        }
        let e = analyzer.evaluate(&ctx.base, &head, None, req.today, None)?;
        Ok(crate::history::Found::all(e.analysis.findings, e.resolved))
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
