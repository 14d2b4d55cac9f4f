//! The JSON contract, `schema_version` 1: the types `--format json` serialises, converted from the
//! [`Outcome`] and owned here, so an internal field of [`Finding`], [`PackageSummary`] or any
//! other outcome type can change without changing the report. Field order here is the order in
//! the output; enum values are spelled out by [`severity`], [`status`] and the like.
//!
//! `schema/report.schema.json` describes these types; a test checks every field a view type can
//! write is declared there, and that the output validates against it.
//!
//! May depend on: `outcome`, `finding`, `rules::catalog` (the rules digest).
use crate::finding::{AppliedException, Baseline, Change, Finding, PreExisting, Severity};
use crate::outcome::{
    ClosestSafe, Command, FileChange, FileStatus, LeftOut, ModelSummary, Outcome, PackageSummary, ReleaseSize, RevInfo,
    ShapeCounts, Verdict,
};
use serde::Serialize;
use std::collections::BTreeMap;

pub const SCHEMA_VERSION: u32 = 1;

/// The whole report.
#[derive(Serialize)]
pub struct Report<'a> {
    pub schema_version: u32,
    pub tool: Tool,
    pub command: &'static str,
    pub repository: &'a str,
    pub base: Rev<'a>,
    pub head: Rev<'a>,
    pub mainline: Option<Rev<'a>>,
    pub fail_on: &'static str,
    pub pre_existing: &'static str,
    pub verdict: &'static str,
    /// Whether `verdict` is a gate decision: false for `diff`, whose verdict is always `pass`.
    pub gates: bool,
    pub counts: Counts,
    pub findings: Vec<FindingView<'a>>,
    pub resolved: Vec<FindingView<'a>>,
    pub files: Vec<File<'a>>,
    pub models: Vec<Model<'a>>,
    pub packages: Vec<Package<'a>>,
    pub closest_safe: Option<ClosestSafeView<'a>>,
    pub history: Vec<Release<'a>>,
    pub digests: &'a BTreeMap<String, String>,
    pub reproduce: &'a str,
    pub date: Option<&'a str>,
    pub notes: &'a [String],
}

#[derive(Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
    pub rules_digest: String,
}

#[derive(Serialize)]
pub struct Counts {
    /// The active findings by severity.
    #[serde(flatten)]
    pub active: Levels,
    /// Findings covered by an exception (not in the four counts above).
    pub excepted: usize,
    /// Model events suppressed by the model's own metadata (not counted either).
    pub suppressed: usize,
    /// The four counts again, split by baseline: what the release introduces and what it
    /// inherits from base.
    pub new: Levels,
    pub pre_existing: Levels,
    /// Findings that held at base and no longer hold at head.
    pub resolved: usize,
}

#[derive(Serialize)]
pub struct Levels {
    pub error: usize,
    pub danger: usize,
    pub warning: usize,
    pub note: usize,
}

impl Levels {
    fn of(c: &BTreeMap<Severity, usize>) -> Levels {
        Levels {
            error: c[&Severity::Error],
            danger: c[&Severity::Danger],
            warning: c[&Severity::Warning],
            note: c[&Severity::Note],
        }
    }
}

/// A revision: `date` and `summary` only when known.
#[derive(Serialize)]
pub struct Rev<'a> {
    pub rev: &'a str,
    pub commit: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<&'a str>,
}

impl<'a> From<&'a RevInfo> for Rev<'a> {
    fn from(r: &'a RevInfo) -> Self {
        Rev { rev: &r.rev, commit: &r.commit, date: r.date.as_deref(), summary: r.summary.as_deref() }
    }
}

/// A finding, and whether it fails this gate.
#[derive(Serialize)]
pub struct FindingView<'a> {
    pub rule: &'a str,
    pub id: &'a str,
    pub severity: &'static str,
    pub subject: &'a str,
    pub path: Option<&'a str>,
    pub line: Option<u32>,
    /// `base` when `path` and `line` are in the base commit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location_side: Option<&'a str>,
    pub message: &'a str,
    pub fingerprint: &'a str,
    pub introduced_by: Option<&'a str>,
    pub exception: Option<Exception<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppression: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change: Option<ChangeView<'a>>,
    pub baseline: &'static str,
    pub blocking: bool,
}

impl<'a> FindingView<'a> {
    fn new(f: &'a Finding, blocking: bool) -> Self {
        FindingView {
            rule: &f.rule,
            id: &f.id,
            severity: severity(f.severity),
            subject: &f.subject,
            path: f.path.as_deref(),
            line: f.line,
            location_side: f.location_side.as_deref(),
            message: &f.message,
            fingerprint: &f.fingerprint,
            introduced_by: f.introduced_by.as_deref(),
            exception: f.exception.as_deref().map(Exception::from),
            suppression: f.suppression.as_deref(),
            change: f.change.as_deref().map(ChangeView::from),
            baseline: baseline(f.baseline),
            blocking,
        }
    }
}

/// The exception that covers a finding.
#[derive(Serialize)]
pub struct Exception<'a> {
    pub index: usize,
    pub rule: &'a str,
    pub subject: &'a str,
    pub reason: &'a str,
    pub approved_by: Option<&'a str>,
    pub expires: Option<&'a str>,
    /// Where the approval was given when it is not a config entry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<&'a str>,
}

impl<'a> From<&'a AppliedException> for Exception<'a> {
    fn from(e: &'a AppliedException) -> Self {
        Exception {
            index: e.index,
            rule: &e.rule,
            subject: &e.subject,
            reason: &e.reason,
            approved_by: e.approved_by.as_deref(),
            expires: e.expires.as_deref(),
            source: e.source.as_deref(),
        }
    }
}

/// Old and new text of what changed.
#[derive(Serialize)]
pub struct ChangeView<'a> {
    pub old: &'a str,
    pub new: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_label: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_label: Option<&'a str>,
}

impl<'a> From<&'a Change> for ChangeView<'a> {
    fn from(c: &'a Change) -> Self {
        ChangeView { old: &c.old, new: &c.new, old_label: c.old_label.as_deref(), new_label: c.new_label.as_deref() }
    }
}

/// A model or manifest file that base → head touched.
#[derive(Serialize)]
pub struct File<'a> {
    pub path: &'a str,
    pub kind: &'a str,
    pub status: &'static str,
    pub base_size: Option<u64>,
    pub head_size: Option<u64>,
}

impl<'a> From<&'a FileChange> for File<'a> {
    fn from(f: &'a FileChange) -> Self {
        File { path: &f.path, kind: &f.kind, status: status(f.status), base_size: f.base_size, head_size: f.head_size }
    }
}

/// One model file's diff.
#[derive(Serialize)]
pub struct Model<'a> {
    pub path: &'a str,
    pub status: &'static str,
    pub services: &'a [String],
    pub shapes: Shapes,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub operations_added: &'a [String],
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub operations_removed: &'a [String],
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub operations_changed: &'a [String],
    pub base_size: Option<u64>,
    pub head_size: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lines_changed: Option<u64>,
}

#[derive(Serialize)]
pub struct Shapes {
    pub added: usize,
    pub removed: usize,
    pub changed: usize,
}

impl From<&ShapeCounts> for Shapes {
    fn from(s: &ShapeCounts) -> Self {
        Shapes { added: s.added, removed: s.removed, changed: s.changed }
    }
}

impl<'a> From<&'a ModelSummary> for Model<'a> {
    fn from(m: &'a ModelSummary) -> Self {
        Model {
            path: &m.path,
            status: status(m.status),
            services: &m.services,
            shapes: Shapes::from(&m.shapes),
            operations_added: &m.operations_added,
            operations_removed: &m.operations_removed,
            operations_changed: &m.operations_changed,
            base_size: m.base_size,
            head_size: m.head_size,
            lines_changed: m.lines_changed,
        }
    }
}

/// A package of the release.
#[derive(Serialize)]
pub struct Package<'a> {
    pub ecosystem: &'a str,
    pub name: &'a str,
    pub path: &'a str,
    pub base_version: Option<&'a str>,
    pub head_version: Option<&'a str>,
    pub mainline_version: Option<&'a str>,
    pub changed: bool,
    pub publish: bool,
    pub required: bool,
    pub status: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_commit: Option<&'a str>,
}

impl<'a> From<&'a PackageSummary> for Package<'a> {
    fn from(p: &'a PackageSummary) -> Self {
        Package {
            ecosystem: &p.ecosystem,
            name: &p.name,
            path: &p.path,
            base_version: p.base_version.as_deref(),
            head_version: p.head_version.as_deref(),
            mainline_version: p.mainline_version.as_deref(),
            changed: p.changed,
            publish: p.publish,
            required: p.required,
            status: &p.status,
            source_commit: p.source_commit.as_deref(),
        }
    }
}

/// `closest_safe`: `left_out` is a list of commit ids; the subjects ride along in
/// `left_out_details`.
#[derive(Serialize)]
pub struct ClosestSafeView<'a> {
    pub commit: Option<&'a str>,
    pub distance: Option<usize>,
    pub left_out: Vec<&'a str>,
    pub left_out_details: Vec<LeftOutView<'a>>,
    pub candidates_checked: usize,
}

#[derive(Serialize)]
pub struct LeftOutView<'a> {
    pub commit: &'a str,
    pub summary: &'a str,
}

impl<'a> From<&'a LeftOut> for LeftOutView<'a> {
    fn from(l: &'a LeftOut) -> Self {
        LeftOutView { commit: &l.commit, summary: &l.summary }
    }
}

impl<'a> From<&'a ClosestSafe> for ClosestSafeView<'a> {
    fn from(c: &'a ClosestSafe) -> Self {
        ClosestSafeView {
            commit: c.commit.as_deref(),
            distance: c.distance,
            left_out: c.left_out.iter().map(|l| l.commit.as_str()).collect(),
            left_out_details: c.left_out.iter().map(LeftOutView::from).collect(),
            candidates_checked: c.candidates_checked,
        }
    }
}

/// The size of one release-to-release diff.
#[derive(Serialize)]
pub struct Release<'a> {
    pub from: &'a str,
    pub to: &'a str,
    pub shapes_changed: u64,
    pub packages_changed: u64,
    pub lines_changed: u64,
    pub current: bool,
}

impl<'a> From<&'a ReleaseSize> for Release<'a> {
    fn from(r: &'a ReleaseSize) -> Self {
        Release {
            from: &r.from,
            to: &r.to,
            shapes_changed: r.shapes_changed,
            packages_changed: r.packages_changed,
            lines_changed: r.lines_changed,
            current: r.current,
        }
    }
}

impl<'a> Report<'a> {
    /// The contract view of `o`.
    pub fn of(o: &'a Outcome) -> Self {
        let c = o.counts();
        Report {
            schema_version: SCHEMA_VERSION,
            tool: Tool {
                name: "shipgate",
                version: env!("CARGO_PKG_VERSION"),
                rules_digest: crate::rules::catalog::digest(),
            },
            command: command(o.command),
            repository: &o.repo,
            base: Rev::from(&o.base),
            head: Rev::from(&o.head),
            mainline: o.mainline.as_ref().map(Rev::from),
            fail_on: severity(o.fail_on),
            pre_existing: pre_existing(o.pre_existing),
            verdict: verdict(o.verdict),
            gates: o.command.gates(),
            counts: Counts {
                active: Levels::of(&c),
                excepted: o.findings.iter().filter(|f| f.exception.is_some()).count(),
                suppressed: o.findings.iter().filter(|f| f.severity == Severity::Suppressed).count(),
                new: Levels::of(&o.counts_of(Baseline::New)),
                pre_existing: Levels::of(&o.counts_of(Baseline::PreExisting)),
                resolved: o.resolved.len(),
            },
            findings: o.findings.iter().map(|f| FindingView::new(f, o.is_blocking(f))).collect(),
            resolved: o.resolved.iter().map(|f| FindingView::new(f, false)).collect(),
            files: o.files.iter().map(File::from).collect(),
            models: o.models.iter().map(Model::from).collect(),
            packages: o.packages.iter().map(Package::from).collect(),
            closest_safe: o.closest_safe.as_ref().map(ClosestSafeView::from),
            history: o.history.iter().map(Release::from).collect(),
            digests: &o.digests,
            reproduce: &o.command_line,
            date: o.date.as_deref(),
            notes: &o.notes,
        }
    }
}

/// A severity as the contract spells it.
pub fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Danger => "danger",
        Severity::Warning => "warning",
        Severity::Note => "note",
        Severity::Suppressed => "suppressed",
    }
}

pub fn baseline(b: Baseline) -> &'static str {
    match b {
        Baseline::New => "new",
        Baseline::PreExisting => "pre-existing",
        Baseline::Resolved => "resolved",
    }
}

pub fn status(s: FileStatus) -> &'static str {
    match s {
        FileStatus::Added => "added",
        FileStatus::Removed => "removed",
        FileStatus::Modified => "modified",
        FileStatus::Unchanged => "unchanged",
    }
}

pub fn command(c: Command) -> &'static str {
    match c {
        Command::Diff => "diff",
        Command::Check => "check",
        Command::ClosestSafe => "closest-safe",
        Command::Report => "report",
    }
}

pub fn verdict(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "pass",
        Verdict::Fail => "fail",
    }
}

pub fn pre_existing(p: PreExisting) -> &'static str {
    match p {
        PreExisting::Report => "report",
        PreExisting::Block => "block",
    }
}
