//! The outcome of one run: the plain data type handed from the engine to every renderer, and
//! the rows of a `replay` ([`Replay`]), which `report::replay` renders.
//!
//! Renderers (`report/`) read this and build their own views; the JSON contract (`schema_version`
//! 1) is one such view, so internal fields can change without breaking the contract.
//!
//! May depend on: `finding`.
use crate::finding::{Baseline, Finding, PreExisting, Severity};
use serde::Serialize;
use std::collections::BTreeMap;

/// A revision as the user named it and the commit it resolved to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RevInfo {
    pub rev: String,
    /// Full 40-hex commit id, or `"worktree"` for `--head worktree`.
    pub commit: String,
    /// Commit time as `YYYY-MM-DD` (UTC), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// First line of the commit message, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileStatus {
    Added,
    Removed,
    Modified,
    Unchanged,
}

/// Shape counts of one model file's diff.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ShapeCounts {
    pub added: usize,
    pub removed: usize,
    pub changed: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModelSummary {
    pub path: String,
    pub status: FileStatus,
    /// Service shape ids in the model (head, or base when removed).
    pub services: Vec<String>,
    pub shapes: ShapeCounts,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub operations_added: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub operations_removed: Vec<String>,
    /// Operations on both sides whose own definition changed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub operations_changed: Vec<String>,
    /// Blob sizes in bytes (absent on the side where the file does not exist).
    pub base_size: Option<u64>,
    pub head_size: Option<u64>,
    /// Lines added plus lines removed, when computed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lines_changed: Option<u64>,
}

/// One package of the release: the authoritative required-package list is the set of these.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackageSummary {
    pub ecosystem: String,
    pub name: String,
    pub path: String,
    pub base_version: Option<String>,
    pub head_version: Option<String>,
    pub mainline_version: Option<String>,
    /// Any file of the package changed between base and head (ignoring `ignore_files`).
    pub changed: bool,
    /// Publishable (not `publish = false` / `private: true`).
    pub publish: bool,
    /// The release must ship it (head has it, mainline or `required` needs it).
    #[serde(default)]
    pub required: bool,
    /// `ok`, `missing`, `misaligned`, `behind`, `unbumped`, …: the worst problem found.
    pub status: String,
    /// The commit the shipped version comes from (head, or a candidate manifest's source).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_commit: Option<String>,
}

/// A file-level change between base and head (every tracked model or manifest file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileChange {
    pub path: String,
    /// `model` or `manifest`.
    pub kind: String,
    pub status: FileStatus,
    pub base_size: Option<u64>,
    pub head_size: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeftOut {
    pub commit: String,
    pub summary: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClosestSafe {
    /// `None` when no candidate passes.
    pub commit: Option<String>,
    pub distance: Option<usize>,
    pub left_out: Vec<LeftOut>,
    pub candidates_checked: usize,
}

/// The size of one release-to-release diff (for `UnusuallyLargeDiff` and the report's chart).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReleaseSize {
    pub from: String,
    pub to: String,
    pub shapes_changed: u64,
    pub packages_changed: u64,
    pub lines_changed: u64,
    /// This is the diff under review (base → head), not a past release.
    pub current: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    Fail,
}

/// Which command produced the outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Command {
    Diff,
    Check,
    ClosestSafe,
    Report,
}

impl Command {
    /// The subcommand as typed on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Command::Diff => "diff",
            Command::Check => "check",
            Command::ClosestSafe => "closest-safe",
            Command::Report => "report",
        }
    }

    /// Whether the command's verdict is a gate decision (exit 1 on `fail`). `diff` never gates:
    /// its verdict is always `pass`, whatever it counts.
    pub fn gates(self) -> bool {
        matches!(self, Command::Check | Command::Report | Command::ClosestSafe)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub command: Command,
    /// Repository path as given on the command line.
    pub repo: String,
    /// What a reader calls the repository: its origin URL, else its directory name (the header).
    #[serde(default)]
    pub repo_name: String,
    pub base: RevInfo,
    pub head: RevInfo,
    pub mainline: Option<RevInfo>,
    pub fail_on: Severity,
    /// `[gate] pre_existing`: whether findings that also hold at base block.
    pub pre_existing: PreExisting,
    pub verdict: Verdict,
    pub findings: Vec<Finding>,
    /// Findings that held at base and no longer hold at head (baseline `resolved`), sorted.
    pub resolved: Vec<Finding>,
    pub files: Vec<FileChange>,
    pub models: Vec<ModelSummary>,
    pub packages: Vec<PackageSummary>,
    pub closest_safe: Option<ClosestSafe>,
    pub history: Vec<ReleaseSize>,
    /// Where the config came from, as loaded: a path, `<commit>:shipgate.toml`, or `built-in`.
    /// Findings about the config (exceptions) carry this as their path.
    pub config_origin: String,
    /// The config file as a reader finds it: repo-relative (`shipgate.toml`) when it lives in the
    /// repository, else the path given to `--config`; `None` for built-in detection.
    pub config_path: Option<String>,
    /// The config file exists in the repository (work tree or head commit), so a report may point
    /// at it; a `--config` from elsewhere, or built-in detection, is not a repository file.
    #[serde(default)]
    pub config_in_repo: bool,
    /// The repository's `origin` URL without credentials, when it has one (SARIF provenance).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin_url: Option<String>,
    /// Digests of every input: commit ids, config, rule set.
    pub digests: BTreeMap<String, String>,
    /// The command line that reproduces this outcome.
    pub command_line: String,
    /// `--date`, when given (the only clock a report may show).
    pub date: Option<String>,
    /// Parts of the analysis that are not available yet or were skipped, said plainly.
    pub notes: Vec<String>,
}

impl Outcome {
    /// Counts of active (not suppressed, not excepted) findings per severity.
    pub fn counts(&self) -> BTreeMap<Severity, usize> {
        let mut counts: BTreeMap<Severity, usize> = Severity::COUNTED.iter().map(|s| (*s, 0)).collect();
        for f in self.findings.iter().filter(|f| f.is_active()) {
            *counts.entry(f.severity).or_default() += 1;
        }
        counts
    }

    /// Counts of active findings per severity, for one baseline (`new` or `pre-existing`).
    pub fn counts_of(&self, baseline: Baseline) -> BTreeMap<Severity, usize> {
        let mut counts: BTreeMap<Severity, usize> = Severity::COUNTED.iter().map(|s| (*s, 0)).collect();
        for f in self.findings.iter().filter(|f| f.is_active() && f.baseline == baseline) {
            *counts.entry(f.severity).or_default() += 1;
        }
        counts
    }

    /// Whether `f` fails this outcome's gate (see [`Finding::blocks`]).
    pub fn is_blocking(&self, f: &Finding) -> bool {
        f.blocks(self.fail_on, self.pre_existing)
    }

    /// Active, pre-existing and not blocking: every human report folds these to a count per rule.
    pub fn is_inherited(&self, f: &Finding) -> bool {
        f.is_active() && f.baseline == Baseline::PreExisting && !self.is_blocking(f)
    }

    /// Findings that make the gate fail: active, at or above `fail_on`, and new (or pre-existing
    /// under `[gate] pre_existing = "block"`).
    pub fn blocking(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(move |f| self.is_blocking(f))
    }

    /// Recomputes the verdict from the findings (only `check` and `report` gate).
    pub fn decide(&mut self) {
        self.verdict =
            if self.command.gates() && self.blocking().next().is_some() { Verdict::Fail } else { Verdict::Pass };
    }
}

/// Blocking findings a replay row names in full.
pub const TOP_BLOCKERS: usize = 3;

/// One blocking finding, as a row names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Blocker {
    pub id: String,
    pub subject: String,
    pub message: String,
}

/// The size of one release's diff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Size {
    pub shapes_changed: u64,
    pub packages_changed: u64,
    pub lines_changed: u64,
    pub files_changed: u64,
}

/// One release checked against the previous one.
#[derive(Debug, Clone, Serialize)]
pub struct ReleaseCheck {
    pub base: RevInfo,
    pub head: RevInfo,
    /// `None` when the pair could not be checked (`error` says why).
    pub verdict: Option<Verdict>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Blocking findings per top-level rule.
    pub blocking: BTreeMap<String, usize>,
    /// The first [`TOP_BLOCKERS`] blocking findings in report order.
    pub top_blockers: Vec<Blocker>,
    /// Active findings the release introduced, per top-level rule (blocking or not).
    pub new: BTreeMap<String, usize>,
    /// Active findings it inherited from its base.
    pub pre_existing: usize,
    /// Findings of its base that it no longer has.
    pub resolved: usize,
    pub size: Option<Size>,
}

/// Every release of the replay, oldest first.
#[derive(Debug, Clone, Serialize)]
pub struct Replay {
    pub repository: String,
    /// Where the config came from: a path, `<commit>:shipgate.toml`, or `built-in`.
    pub config: String,
    pub release_tags: String,
    pub fail_on: Severity,
    pub pre_existing: PreExisting,
    pub releases: Vec<ReleaseCheck>,
    pub notes: Vec<String>,
}

impl Replay {
    pub fn passed(&self) -> usize {
        self.releases.iter().filter(|r| r.verdict == Some(Verdict::Pass)).count()
    }

    pub fn failed(&self) -> usize {
        self.releases.iter().filter(|r| r.verdict == Some(Verdict::Fail)).count()
    }

    pub fn unchecked(&self) -> usize {
        self.releases.iter().filter(|r| r.verdict.is_none()).count()
    }

    /// Per top-level rule: (releases it blocks, blocking findings in all, releases where it is new).
    pub fn by_rule(&self) -> BTreeMap<&str, (usize, usize, usize)> {
        let mut out: BTreeMap<&str, (usize, usize, usize)> = BTreeMap::new();
        for r in &self.releases {
            for (rule, n) in &r.blocking {
                let e = out.entry(rule.as_str()).or_default();
                e.0 += 1;
                e.1 += n;
            }
            for rule in r.new.keys() {
                out.entry(rule.as_str()).or_default().2 += 1;
            }
        }
        out
    }
}
