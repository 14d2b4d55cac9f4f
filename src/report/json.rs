//! The JSON report: the stable contract (`schema_version` 1, schema in `schema/report.schema.json`).
//! Field order is fixed by the view structs below; every list is already sorted in the outcome.
use crate::finding::{Baseline, Finding};
use crate::outcome::{ClosestSafe, FileChange, ModelSummary, Outcome, PackageSummary, ReleaseSize, RevInfo};
use serde::Serialize;
use std::collections::BTreeMap;

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
    rules_digest: String,
}

#[derive(Serialize)]
struct Counts {
    error: usize,
    danger: usize,
    warning: usize,
    note: usize,
    /// Findings covered by an exception (not in the four counts above).
    excepted: usize,
    /// Model events suppressed by the model's own metadata (not counted either).
    suppressed: usize,
    /// The four counts again, split by baseline: what the release introduces and what it
    /// inherits from base.
    new: Levels,
    pre_existing: Levels,
    /// Findings that held at base and no longer hold at head.
    resolved: usize,
}

#[derive(Serialize)]
struct Levels {
    error: usize,
    danger: usize,
    warning: usize,
    note: usize,
}

impl Levels {
    fn of(c: &BTreeMap<crate::finding::Severity, usize>) -> Levels {
        use crate::finding::Severity::*;
        Levels { error: c[&Error], danger: c[&Danger], warning: c[&Warning], note: c[&Note] }
    }
}

/// A finding as the contract has it: its own fields, and whether it fails this gate.
#[derive(Serialize)]
struct FindingView<'a> {
    #[serde(flatten)]
    finding: &'a Finding,
    blocking: bool,
}

/// `closest_safe` as the contract has it: `left_out` is a list of commit ids; the subjects ride
/// along in `left_out_details`.
#[derive(Serialize)]
struct ClosestSafeView<'a> {
    commit: Option<&'a str>,
    distance: Option<usize>,
    left_out: Vec<&'a str>,
    left_out_details: &'a [crate::outcome::LeftOut],
    candidates_checked: usize,
}

impl<'a> From<&'a ClosestSafe> for ClosestSafeView<'a> {
    fn from(c: &'a ClosestSafe) -> Self {
        ClosestSafeView {
            commit: c.commit.as_deref(),
            distance: c.distance,
            left_out: c.left_out.iter().map(|l| l.commit.as_str()).collect(),
            left_out_details: &c.left_out,
            candidates_checked: c.candidates_checked,
        }
    }
}

#[derive(Serialize)]
struct Report<'a> {
    schema_version: u32,
    tool: Tool,
    command: crate::outcome::Command,
    repository: &'a str,
    base: &'a RevInfo,
    head: &'a RevInfo,
    mainline: Option<&'a RevInfo>,
    fail_on: crate::finding::Severity,
    pre_existing: crate::finding::PreExisting,
    verdict: crate::outcome::Verdict,
    counts: Counts,
    findings: Vec<FindingView<'a>>,
    resolved: Vec<FindingView<'a>>,
    files: &'a [FileChange],
    models: &'a [ModelSummary],
    packages: &'a [PackageSummary],
    closest_safe: Option<ClosestSafeView<'a>>,
    history: &'a [ReleaseSize],
    digests: &'a BTreeMap<String, String>,
    reproduce: &'a str,
    date: Option<&'a str>,
    notes: &'a [String],
}

pub fn render(o: &Outcome) -> String {
    let mut out = Vec::new();
    write(o, &mut out).expect("writing to memory cannot fail");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// [`render`], streamed to `w` (the report of a bulk update is tens of megabytes; it is never
/// held whole in memory on its way to a file or stdout).
pub fn write(o: &Outcome, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    use crate::finding::Severity::*;
    let c = o.counts();
    let report = Report {
        schema_version: SCHEMA_VERSION,
        tool: Tool {
            name: "shipgate",
            version: env!("CARGO_PKG_VERSION"),
            rules_digest: crate::rules::catalog::digest(),
        },
        command: o.command,
        repository: &o.repo,
        base: &o.base,
        head: &o.head,
        mainline: o.mainline.as_ref(),
        fail_on: o.fail_on,
        pre_existing: o.pre_existing,
        verdict: o.verdict,
        counts: Counts {
            error: c[&Error],
            danger: c[&Danger],
            warning: c[&Warning],
            note: c[&Note],
            excepted: o.findings.iter().filter(|f| f.exception.is_some()).count(),
            suppressed: o.findings.iter().filter(|f| f.severity == Suppressed).count(),
            new: Levels::of(&o.counts_of(Baseline::New)),
            pre_existing: Levels::of(&o.counts_of(Baseline::PreExisting)),
            resolved: o.resolved.len(),
        },
        findings: o.findings.iter().map(|f| FindingView { finding: f, blocking: o.is_blocking(f) }).collect(),
        resolved: o.resolved.iter().map(|f| FindingView { finding: f, blocking: false }).collect(),
        files: &o.files,
        models: &o.models,
        packages: &o.packages,
        closest_safe: o.closest_safe.as_ref().map(ClosestSafeView::from),
        history: &o.history,
        digests: &o.digests,
        reproduce: &o.command_line,
        date: o.date.as_deref(),
        notes: &o.notes,
    };
    serde_json::to_writer_pretty(&mut *w, &report).map_err(std::io::Error::from)?;
    w.write_all(b"\n")
}
