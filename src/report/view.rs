//! The report view: what every human format (md, html, table) says, computed once from the
//! [`Outcome`] by [`View::of`], so the three only encode it: they choose markup, order and
//! folding, never what a section holds. A [`View`] is typed sections:
//!
//! - [`Header`]: the revisions, the rule set, the config, the date, the threshold;
//! - [`VerdictSection`] and [`Counts`]: the verdict and the counts by severity;
//! - [`Overview`]: what changed, per service ([`ServiceRow`]), operations, packages, diff size;
//! - findings split by what they do to the gate ([`Split`]), grouped by rule and service
//!   ([`Group`]), each shown as a [`FindingBlock`];
//! - [`ExceptionRequest`]: ready-to-paste `[[exceptions]]` entries, one per rule and service with
//!   a subject glob, each naming how many findings it covers ([`ExceptionEntry`]);
//! - [`ExceptionsApplied`]: the excepted findings, folded per config entry, and the suppressed;
//! - [`Packages`]: the required-package list with the version and commit to publish from
//!   ([`PackageRow`]);
//! - [`ClosestSafeSection`]: the answer, or why there is none, and what each left-out commit
//!   introduced ([`LeftOutRow`]);
//! - the sign-off, the notes and the [`Appendix`] (inputs and the reproduce command).
//!
//! Pure functions of the outcome: same outcome, same view, same order.
use super::common::{self, Split};
use crate::finding::{AppliedException, Finding, Severity, id_matches};
use crate::outcome::{Command, Outcome, PackageSummary, ReleaseSize, RevInfo, Verdict};
use std::collections::BTreeMap;

/// Examples a folded group shows before "and N more".
pub const EXAMPLES: usize = 3;
/// Blocking findings a group shows in full (message, diff) before the rest are listed by name.
pub const SHOWN_IN_FULL: usize = 3;

/// Every section of a human report.
pub struct View<'a> {
    pub command: Command,
    pub header: Header<'a>,
    /// `None` for closest-safe, which does not gate.
    pub verdict: Option<VerdictSection>,
    pub counts: Counts,
    /// `None` for closest-safe, which compares mainline candidates with base.
    pub overview: Option<Overview<'a>>,
    /// Every finding by what it does to the gate.
    pub split: Split<'a>,
    /// The blocking findings by rule and service.
    pub blocking: Vec<Group<'a>>,
    /// The findings below `--fail-on`, by rule and service.
    pub other: Vec<Group<'a>>,
    pub excepted: Vec<Group<'a>>,
    pub suppressed: Vec<Group<'a>>,
    /// Pre-existing findings that do not block and resolved ones, each folded per rule.
    pub held_at_base: Vec<Fold<'a>>,
    /// `None` when nothing blocks.
    pub exception_request: Option<ExceptionRequest<'a>>,
    pub exceptions_applied: ExceptionsApplied<'a>,
    pub packages: Packages<'a>,
    pub closest_safe: ClosestSafeSection<'a>,
    /// `report` always has a sign-off table, a failing gate too.
    pub sign_off: bool,
    pub notes: &'a [String],
    pub appendix: Appendix<'a>,
    pub fail_on: Severity,
    /// For locations ([`View::block`]).
    outcome: &'a Outcome,
}

/// Who, what and against what: the top of every report.
pub struct Header<'a> {
    /// The repository: its origin URL, else its directory name.
    pub repo: &'a str,
    /// `PASS` or `FAIL` (not shown for closest-safe).
    pub verdict_word: &'static str,
    pub base: &'a RevInfo,
    pub head: &'a RevInfo,
    /// base, head and mainline (when there is one), named.
    pub revs: Vec<(&'static str, &'a RevInfo)>,
    pub mainline: Option<&'a RevInfo>,
    /// The rule set's digest, 12 characters.
    pub rule_set: String,
    pub config: Option<&'a str>,
    pub date: Option<&'a str>,
    pub fail_on: Severity,
    pub closest_safe: bool,
}

impl Header<'_> {
    /// The `--fail-on` line, in the command's words (`strong` and `end` wrap the level): closest-safe
    /// does not gate, it looks for a candidate without such findings.
    pub fn threshold(&self, strong: &str, end: &str) -> String {
        if self.closest_safe {
            format!("a safe candidate has nothing at {strong}{}{end} or above", self.fail_on)
        } else {
            format!("gate fails on {strong}{}{end} and above", self.fail_on)
        }
    }
}

/// The verdict's one-sentence summary.
pub struct VerdictSection {
    pub word: &'static str,
    pub pass: bool,
    pub blocking: usize,
    /// Rules and services the blocking findings come from.
    pub rules: usize,
    pub services: usize,
}

/// Active findings by severity, and those excepted or suppressed.
#[derive(Debug, Clone, Copy)]
pub struct Counts {
    pub error: usize,
    pub danger: usize,
    pub warning: usize,
    pub note: usize,
    pub excepted: usize,
    pub suppressed: usize,
    /// The gate's blocking findings.
    pub blocking: usize,
}

impl Counts {
    /// The active count at `sev` (0 for `suppressed`: those are counted apart).
    pub fn at(&self, sev: Severity) -> usize {
        match sev {
            Severity::Error => self.error,
            Severity::Danger => self.danger,
            Severity::Warning => self.warning,
            Severity::Note => self.note,
            Severity::Suppressed => 0,
        }
    }
}

/// What base → head changed.
pub struct Overview<'a> {
    pub models: usize,
    /// Model and manifest files touched.
    pub files: usize,
    pub manifests: usize,
    pub changed_packages: Vec<&'a PackageSummary>,
    pub services: Vec<ServiceRow<'a>>,
    /// Operations added or removed, model by model: (`added` | `removed`, operation).
    pub operations: Vec<(&'static str, &'a str)>,
    /// This diff's size, the median of the releases before it and how many there are.
    pub diff_size: Option<(u64, Option<f64>, usize)>,
    pub history: &'a [ReleaseSize],
}

/// A finding as every format shows it in full.
pub struct FindingBlock<'a> {
    pub finding: &'a Finding,
    /// `path:line` as a reader finds it (`base:` for a location in the base commit).
    pub location: Option<String>,
}

impl<'a> FindingBlock<'a> {
    pub fn of(o: &Outcome, f: &'a Finding) -> Self {
        FindingBlock { finding: f, location: common::location_text(o, f) }
    }

    /// The compact text diff of what changed, when the finding has old and new values.
    pub fn diff(&self) -> Option<String> {
        self.finding.change.as_deref().map(common::text_diff)
    }
}

/// Findings of one rule folded to a count: `MisalignedDependency ×52 (warning)`.
pub struct RuleFold<'a> {
    pub rule: &'a str,
    pub worst: Severity,
    pub count: usize,
}

/// Which baseline list a [`Fold`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FoldKind {
    /// They hold at base too and do not block.
    PreExisting,
    /// They held at base and no longer hold.
    Resolved,
}

/// A baseline list folded per rule.
pub struct Fold<'a> {
    pub kind: FoldKind,
    pub count: usize,
    pub rules: Vec<RuleFold<'a>>,
}

impl Fold<'_> {
    /// The line every format writes, with `code` applied to rule ids and the config key.
    pub fn line(&self, code: &dyn Fn(&str) -> String) -> String {
        let rules = self
            .rules
            .iter()
            .map(|r| format!("{} ×{} ({})", code(r.rule), r.count, r.worst))
            .collect::<Vec<_>>()
            .join(", ");
        match self.kind {
            FoldKind::PreExisting => format!(
                "Pre-existing ({}; they hold at base too, so this release does not introduce them and they do not block; {} makes them block): {rules}",
                self.count,
                code("[gate] pre_existing = \"block\"")
            ),
            FoldKind::Resolved => {
                format!("Resolved since base ({}; they held at base and no longer hold): {rules}", self.count)
            }
        }
    }
}

fn fold<'a>(kind: FoldKind, findings: Vec<&'a Finding>) -> Fold<'a> {
    let count = findings.len();
    let rules = common::fold_by_rule(findings)
        .into_iter()
        .map(|(rule, worst, count)| RuleFold { rule, worst, count })
        .collect();
    Fold { kind, count, rules }
}

/// The exception request: entries a reviewer pastes, and the block they paste.
pub struct ExceptionRequest<'a> {
    pub entries: Vec<ExceptionEntry<'a>>,
    /// How many blocking findings the entries cover (all of them).
    pub blocking: usize,
    /// The TOML block, entries blank-line separated.
    pub toml: String,
    /// Whether the block is shown open (a short request) or folded.
    pub open: bool,
}

/// Entries shown open before the request folds.
const REQUEST_OPEN: usize = 30;

/// Exceptions applied, and events the models suppressed themselves.
pub struct ExceptionsApplied<'a> {
    pub excepted: Vec<&'a Finding>,
    /// The excepted findings per config entry: (entry index, the exception, findings covered).
    pub by_entry: Vec<(usize, &'a AppliedException, usize)>,
    pub suppressed: Vec<FindingBlock<'a>>,
}

/// The required packages.
pub struct Packages<'a> {
    pub rows: Vec<PackageRow<'a>>,
    /// Rows not shipped as head's version from head (they have a *why*).
    pub disagree: usize,
    /// Whether the table is shown open (a short list) or folded.
    pub open: bool,
}

/// Packages shown open before the list folds.
const PACKAGES_OPEN: usize = 25;

/// The closest-safe answer.
pub enum ClosestSafeSection<'a> {
    /// Not computed by this command: why, in Markdown (backticks for code).
    Missing(&'static str),
    /// No candidate passes: every candidate is left out.
    NoneSafe { candidates: usize, left_out: Vec<LeftOutRow<'a>> },
    Found {
        commit: &'a str,
        distance: usize,
        /// The mainline as the user named it.
        mainline: Option<&'a str>,
        candidates: usize,
        /// What "passes" means.
        passes: String,
        left_out: Vec<LeftOutRow<'a>>,
    },
}

/// A mainline commit the closest safe commit leaves out, and the blocking findings it introduced.
pub struct LeftOutRow<'a> {
    /// 12 characters.
    pub commit: &'a str,
    pub summary: &'a str,
    /// The first [`common::LEFT_OUT_SHOWN`] blocking findings it introduced.
    pub introduced: Vec<&'a Finding>,
    /// How many more it introduced.
    pub more: usize,
}

impl LeftOutRow<'_> {
    /// The cell: id and subject of each, through `code`, then "and N more"; `–` for none.
    pub fn cell(&self, code: impl Fn(&str) -> String) -> String {
        let mut list: Vec<String> =
            self.introduced.iter().map(|f| format!("{} {}", code(&f.id), code(f.display_subject()))).collect();
        if self.more > 0 {
            list.push(format!("and {} more", self.more));
        }
        if list.is_empty() { "–".to_string() } else { list.join(", ") }
    }
}

/// The inputs and how to reproduce the verdict.
pub struct Appendix<'a> {
    pub digests: &'a BTreeMap<String, String>,
    pub reproduce: &'a str,
    /// No `--date` was given: say what expiry was judged against ([`common::NO_DATE_NOTE`]).
    pub no_date: bool,
}

impl<'a> View<'a> {
    pub fn of(o: &'a Outcome) -> View<'a> {
        let split = common::split(o);
        let blocking = groups(o, &split.blocking);
        let closest = o.command == Command::ClosestSafe;
        let c = o.counts();
        let counts = Counts {
            error: c[&Severity::Error],
            danger: c[&Severity::Danger],
            warning: c[&Severity::Warning],
            note: c[&Severity::Note],
            excepted: split.excepted.len(),
            suppressed: split.suppressed.len(),
            blocking: split.blocking.len(),
        };
        let verdict = (!closest).then(|| {
            let services: std::collections::BTreeSet<&str> =
                blocking.iter().filter_map(|g| g.service.as_deref()).collect();
            let rules: std::collections::BTreeSet<&str> = blocking.iter().map(|g| g.rule).collect();
            VerdictSection {
                word: common::verdict_word(o),
                pass: o.verdict == Verdict::Pass,
                blocking: split.blocking.len(),
                rules: rules.len(),
                services: services.len(),
            }
        });
        let mut revs = vec![("base", &o.base), ("head", &o.head)];
        if let Some(m) = &o.mainline {
            revs.push(("mainline", m));
        }
        let header = Header {
            repo: if o.repo_name.is_empty() { &o.repo } else { &o.repo_name },
            verdict_word: common::verdict_word(o),
            base: &o.base,
            head: &o.head,
            revs,
            mainline: o.mainline.as_ref(),
            rule_set: common::short(&crate::rules::catalog::digest()).to_string(),
            config: o.config_path.as_deref(),
            date: o.date.as_deref(),
            fail_on: o.fail_on,
            closest_safe: closest,
        };
        let overview = (!closest).then(|| Overview {
            models: o.models.len(),
            files: o.files.len(),
            manifests: o.files.iter().filter(|f| f.kind == "manifest").count(),
            changed_packages: o.packages.iter().filter(|p| p.changed).collect(),
            services: services_overview(o, &split),
            operations: o
                .models
                .iter()
                .flat_map(|m| {
                    m.operations_added
                        .iter()
                        .map(|x| ("added", x.as_str()))
                        .chain(m.operations_removed.iter().map(|x| ("removed", x.as_str())))
                })
                .collect(),
            diff_size: common::history_summary(o),
            history: &o.history,
        });
        let mut held_at_base = Vec::new();
        if !split.pre_existing.is_empty() {
            held_at_base.push(fold(FoldKind::PreExisting, split.pre_existing.clone()));
        }
        if !o.resolved.is_empty() {
            held_at_base.push(fold(FoldKind::Resolved, o.resolved.iter().collect()));
        }
        let exception_request = (!split.blocking.is_empty()).then(|| {
            let entries = exception_entries(o, &split);
            ExceptionRequest {
                toml: exceptions_block(o, &entries),
                open: entries.len() <= REQUEST_OPEN,
                blocking: split.blocking.len(),
                entries,
            }
        });
        let mut by_entry: BTreeMap<usize, (&AppliedException, usize)> = BTreeMap::new();
        for f in &split.excepted {
            let ex = f.exception.as_ref().expect("split put only excepted findings here");
            by_entry.entry(ex.index).or_insert((ex, 0)).1 += 1;
        }
        let exceptions_applied = ExceptionsApplied {
            excepted: split.excepted.clone(),
            by_entry: by_entry.into_iter().map(|(i, (ex, n))| (i, ex, n)).collect(),
            suppressed: split.suppressed.iter().map(|f| FindingBlock::of(o, f)).collect(),
        };
        let rows = package_rows(o);
        let packages = Packages {
            disagree: rows.iter().filter(|r| r.why.is_some()).count(),
            open: rows.len() <= PACKAGES_OPEN,
            rows,
        };
        View {
            command: o.command,
            header,
            verdict,
            counts,
            overview,
            other: groups(o, &split.other),
            excepted: groups(o, &split.excepted),
            suppressed: groups(o, &split.suppressed),
            blocking,
            held_at_base,
            exception_request,
            exceptions_applied,
            packages,
            closest_safe: closest_safe(o),
            sign_off: o.command == Command::Report || o.verdict == Verdict::Fail,
            notes: &o.notes,
            appendix: Appendix { digests: &o.digests, reproduce: &o.command_line, no_date: o.date.is_none() },
            fail_on: o.fail_on,
            split,
            outcome: o,
        }
    }

    /// `f` as shown in full, with its location as a reader finds it.
    pub fn block<'f>(&self, f: &'f Finding) -> FindingBlock<'f> {
        FindingBlock::of(self.outcome, f)
    }
}

fn closest_safe(o: &Outcome) -> ClosestSafeSection<'_> {
    let Some(cs) = &o.closest_safe else {
        return ClosestSafeSection::Missing(common::closest_safe_missing(o));
    };
    let by_commit = common::blocking_by_commit(o);
    let left_out = cs
        .left_out
        .iter()
        .map(|l| {
            let fs = by_commit.get(l.commit.as_str()).map_or(&[][..], Vec::as_slice);
            LeftOutRow {
                commit: common::short(&l.commit),
                summary: &l.summary,
                introduced: fs.iter().take(common::LEFT_OUT_SHOWN).copied().collect(),
                more: fs.len().saturating_sub(common::LEFT_OUT_SHOWN),
            }
        })
        .collect();
    match (&cs.commit, cs.distance) {
        (Some(commit), Some(distance)) => ClosestSafeSection::Found {
            commit,
            distance,
            mainline: o.mainline.as_ref().map(|m| m.rev.as_str()),
            candidates: cs.candidates_checked,
            passes: common::passes_gate_text(o),
            left_out,
        },
        _ => ClosestSafeSection::NoneSafe { candidates: cs.candidates_checked, left_out },
    }
}
/// Findings of one rule on one service (or, for findings that are not about a Smithy shape, of one
/// rule), in report order.
#[derive(Debug, Clone)]
pub struct Group<'a> {
    pub rule: &'a str,
    /// The service shape id (`com.amazonaws.s3#AmazonS3`) when the subjects' namespace has exactly
    /// one service, else the namespace; `None` for subjects that are not shape ids (packages,
    /// exceptions, releases).
    pub service: Option<String>,
    /// The namespace of the subjects (`com.amazonaws.s3`), when they are shape ids.
    pub namespace: Option<String>,
    pub worst: Severity,
    pub findings: Vec<&'a Finding>,
}

impl Group<'_> {
    /// The service as a label: `–` when there is none.
    pub fn service_label(&self) -> &str {
        self.service.as_deref().unwrap_or("–")
    }

    /// The first [`EXAMPLES`] subjects.
    pub fn examples(&self) -> Vec<&str> {
        self.findings.iter().take(EXAMPLES).map(|f| f.display_subject()).collect()
    }
}

/// The namespace of a shape-id subject (`ns#Name$member` → `ns`).
pub fn namespace(subject: &str) -> Option<&str> {
    let (ns, name) = subject.split_once('#')?;
    (!ns.is_empty() && !name.is_empty() && !ns.contains(char::is_whitespace)).then_some(ns)
}

/// Namespace → the service it names in the reports.
fn services(o: &Outcome) -> BTreeMap<&str, String> {
    let mut by_ns: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for m in &o.models {
        for s in &m.services {
            if let Some(ns) = namespace(s) {
                let list = by_ns.entry(ns).or_default();
                if !list.contains(&s.as_str()) {
                    list.push(s);
                }
            }
        }
    }
    by_ns.into_iter().filter(|(_, v)| v.len() == 1).map(|(ns, v)| (ns, v[0].to_string())).collect()
}

/// Groups `findings` by rule and service: worst severity first, then the larger group, then rule
/// and service; findings inside a group keep report order.
pub fn groups<'a>(o: &Outcome, findings: &[&'a Finding]) -> Vec<Group<'a>> {
    let services = services(o);
    let mut map: BTreeMap<(&str, Option<&str>), Vec<&'a Finding>> = BTreeMap::new();
    for f in findings {
        map.entry((f.rule.as_str(), namespace(&f.subject))).or_default().push(f);
    }
    let mut out: Vec<Group<'a>> = map
        .into_iter()
        .map(|((_, ns), fs)| Group {
            rule: fs[0].rule.as_str(),
            service: ns.map(|ns| services.get(ns).cloned().unwrap_or_else(|| ns.to_string())),
            namespace: ns.map(str::to_string),
            worst: fs.iter().map(|f| f.severity).max().unwrap_or(Severity::Note),
            findings: fs,
        })
        .collect();
    out.sort_by(|a, b| {
        (std::cmp::Reverse(a.worst), std::cmp::Reverse(a.findings.len()), a.rule, &a.service).cmp(&(
            std::cmp::Reverse(b.worst),
            std::cmp::Reverse(b.findings.len()),
            b.rule,
            &b.service,
        ))
    });
    out
}

/// A ready-to-paste `[[exceptions]]` entry.
#[derive(Debug, Clone)]
pub struct ExceptionEntry<'a> {
    /// Event id when every covered finding has the same one, else the rule id.
    pub rule: String,
    /// The exact subject, or a glob (`com.amazonaws.s3#*`) when several subjects share the entry.
    pub subject: String,
    /// Set for a single-finding entry: it then covers exactly that finding.
    pub fingerprint: Option<String>,
    /// The service the entry is for, when there is one.
    pub service: Option<String>,
    /// Every blocking finding this entry covers.
    pub blocking: Vec<&'a Finding>,
    /// How many active findings in this outcome the entry matches (blocking or not): what it would
    /// except if pasted now. More than `blocking.len()` means the glob also reaches findings
    /// below `--fail-on`.
    pub matches: usize,
}

/// Escapes glob metacharacters so a literal prefix matches only itself.
fn glob_literal(s: &str) -> String {
    globset::escape(s)
}

/// The longest common prefix of `subjects`, cut back to a character boundary.
fn common_prefix<'s>(subjects: &[&'s str]) -> &'s str {
    let first = subjects.first().copied().unwrap_or("");
    let mut end = first.len();
    for s in &subjects[1..] {
        end = end.min(first.bytes().zip(s.bytes()).take_while(|(a, b)| a == b).count());
    }
    while !first.is_char_boundary(end) {
        end -= 1;
    }
    &first[..end]
}

/// One entry per rule and service for the blocking findings (a subject glob when several subjects
/// share it); one single-subject entry (with its fingerprint) where a group has one finding, and
/// for findings that are not about a shape (packages, releases), whose subjects share no service.
pub fn exception_entries<'a>(o: &'a Outcome, split: &Split<'a>) -> Vec<ExceptionEntry<'a>> {
    let mut out = Vec::new();
    for g in groups(o, &split.blocking) {
        let single = |f: &'a Finding| ExceptionEntry {
            rule: f.id.clone(),
            subject: f.subject.clone(),
            fingerprint: Some(f.fingerprint.clone()),
            service: g.service.clone(),
            blocking: vec![f],
            matches: 1,
        };
        match (&g.namespace, g.findings.len()) {
            (Some(ns), n) if n > 1 => {
                let subjects: Vec<&str> = g.findings.iter().map(|f| f.subject.as_str()).collect();
                let prefix = common_prefix(&subjects);
                // The glob never reaches outside the namespace: at least `ns#`.
                let prefix = if prefix.len() > ns.len() { prefix } else { &subjects[0][..ns.len() + 1] };
                let subject = format!("{}*", glob_literal(prefix));
                let first_id = g.findings[0].id.as_str();
                let rule = if g.findings.iter().all(|f| f.id == first_id) { first_id } else { g.rule };
                let matcher =
                    globset::Glob::new(&subject).expect("an escaped prefix and `*` is a glob").compile_matcher();
                let matches = o
                    .findings
                    .iter()
                    .filter(|f| f.is_active() && id_matches(rule, &f.id) && matcher.is_match(&f.subject))
                    .count();
                out.push(ExceptionEntry {
                    rule: rule.to_string(),
                    subject,
                    fingerprint: None,
                    service: g.service.clone(),
                    blocking: g.findings.clone(),
                    matches,
                });
            }
            _ => out.extend(g.findings.iter().map(|f| single(f))),
        }
    }
    out
}

/// The entry as TOML, with comment lines saying what it covers. `reason` and `approved_by` are
/// left empty on purpose (an exception without a reason excepts nothing, so pasting it unedited
/// cannot unblock a release); `expires` is `--date` + [`common::EXCEPTION_DAYS`], or a placeholder
/// the config loader rejects until someone writes a date.
pub fn exception_toml(e: &ExceptionEntry<'_>, date: Option<&str>) -> String {
    let expires = common::date_plus(date, common::EXCEPTION_DAYS).unwrap_or_else(|| "YYYY-MM-DD".into());
    let n = e.blocking.len();
    let mut s = String::new();
    if e.fingerprint.is_none() {
        let names: Vec<&str> = e.blocking.iter().take(EXAMPLES).map(|f| f.display_subject()).collect();
        let more = if n > EXAMPLES { format!(" and {} more", n - EXAMPLES) } else { String::new() };
        s.push_str(&format!(
            "# covers {n} blocking finding{}{}: {}{more}\n",
            if n == 1 { "" } else { "s" },
            e.service.as_deref().map_or_else(String::new, |sv| format!(" in {}", common::one_line(sv))),
            common::one_line(&names.join(", "))
        ));
        if e.matches > n {
            s.push_str(&format!(
                "# the glob also matches {} finding(s) below --fail-on: narrow it if they must stay visible\n",
                e.matches - n
            ));
        }
    }
    s.push_str("[[exceptions]]\n");
    s.push_str(&format!("rule = {}\nsubject = {}\n", common::toml_string(&e.rule), common::toml_string(&e.subject)));
    if let Some(fp) = &e.fingerprint {
        s.push_str(&format!("fingerprint = {}\n", common::toml_string(fp)));
    }
    s.push_str(&format!(
        "reason = \"\"       # required: why it is safe to ship\napproved_by = \"\"  # who approved\nexpires = {}\n",
        common::toml_string(&expires)
    ));
    s
}

/// Every entry, blank-line separated: the block a reviewer pastes into `shipgate.toml`.
pub fn exceptions_block(o: &Outcome, entries: &[ExceptionEntry<'_>]) -> String {
    entries.iter().map(|e| exception_toml(e, o.date.as_deref())).collect::<Vec<_>>().join("\n")
}

/// One row of the per-service overview: a model file and the service(s) it defines.
#[derive(Debug, Clone)]
pub struct ServiceRow<'a> {
    /// Service shape ids of the model (`–` for a model without one).
    pub service: String,
    pub model: &'a crate::outcome::ModelSummary,
    pub blocking: usize,
    pub other: usize,
}

impl ServiceRow<'_> {
    /// Shapes added, removed and changed.
    pub fn shapes_touched(&self) -> usize {
        self.model.shapes.added + self.model.shapes.removed + self.model.shapes.changed
    }
}

/// The per-service overview, most blocking first, then the largest diff, then by service.
pub fn services_overview<'a>(o: &'a Outcome, split: &Split<'_>) -> Vec<ServiceRow<'a>> {
    let count = |fs: &[&Finding], m: &crate::outcome::ModelSummary| {
        fs.iter().filter(|f| f.path.as_deref() == Some(m.path.as_str())).count()
    };
    let mut rows: Vec<ServiceRow<'a>> = o
        .models
        .iter()
        .map(|m| ServiceRow {
            service: if m.services.is_empty() { "–".to_string() } else { m.services.join(", ") },
            model: m,
            blocking: count(&split.blocking, m),
            other: count(&split.other, m),
        })
        .collect();
    rows.sort_by(|a, b| {
        (std::cmp::Reverse(a.blocking), std::cmp::Reverse(a.shapes_touched()), &a.service, &a.model.path).cmp(&(
            std::cmp::Reverse(b.blocking),
            std::cmp::Reverse(b.shapes_touched()),
            &b.service,
            &b.model.path,
        ))
    });
    rows
}

/// `a / b / c` counts, as the overview writes added / removed / changed.
pub fn triple(a: usize, b: usize, c: usize) -> String {
    format!("+{a} −{b} ~{c}")
}

/// Where a required package is published from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublishFrom {
    Head,
    Mainline,
}

/// One row of the required-package list: what to publish, from where, and why when head and
/// mainline disagree.
#[derive(Debug, Clone)]
pub struct PackageRow<'a> {
    pub package: &'a PackageSummary,
    /// The version to publish (`None` when neither head nor mainline has one).
    pub version: Option<&'a str>,
    pub from: PublishFrom,
    /// The commit to publish from (12 characters).
    pub commit: &'a str,
    /// Why the version or commit is not head's: head behind, ahead of or missing against mainline.
    pub why: Option<String>,
}

fn parse_version(v: &str) -> Option<semver::Version> {
    semver::Version::parse(v.trim()).ok()
}

/// The required-package list, in report order.
pub fn package_rows(o: &Outcome) -> Vec<PackageRow<'_>> {
    let mainline_commit = o.mainline.as_ref().map(|m| common::short(&m.commit));
    common::required_packages(o)
        .into_iter()
        .map(|p| {
            let head = p.head_version.as_deref();
            let main = p.mainline_version.as_deref();
            let from_head = |why: Option<String>| PackageRow {
                package: p,
                version: head,
                from: PublishFrom::Head,
                commit: common::source_commit(o, p),
                why,
            };
            let from_mainline = |why: String| PackageRow {
                package: p,
                version: main,
                from: PublishFrom::Mainline,
                commit: mainline_commit.unwrap_or("mainline"),
                why: Some(why),
            };
            match (head, main) {
                // Named by a path dependency, in no commit's tree: made by the SDK build.
                (None, None) if p.base_version.is_none() => from_head(Some(
                    "in no commit: generated at build time (a path dependency names it); publish what the build makes"
                        .to_string(),
                )),
                (None, Some(m)) => from_mainline(format!("head does not have it; mainline has {m}")),
                (Some(h), Some(m)) if h != m => match (parse_version(h), parse_version(m)) {
                    (Some(hv), Some(mv)) if hv < mv => {
                        from_mainline(format!("head has {h}, behind mainline's {m}: publish mainline's"))
                    }
                    (Some(hv), Some(mv)) if hv > mv => from_head(Some(format!(
                        "head's {h} is ahead of mainline's {m}: mainline must get this version before the next release"
                    ))),
                    _ => from_head(Some(format!("head has {h}, mainline has {m}"))),
                },
                _ => from_head(None),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exception_entry_is_valid_toml_with_a_dated_expiry() {
        let f = Finding::new("RemovedShape", Severity::Error, "ns#Weird\"Name\u{1b}", "gone");
        let e = ExceptionEntry {
            rule: f.id.clone(),
            subject: f.subject.clone(),
            fingerprint: Some(f.fingerprint.clone()),
            service: None,
            blocking: vec![&f],
            matches: 1,
        };
        let v: toml::Value = toml::from_str(&exception_toml(&e, Some("2026-11-22"))).expect("valid TOML");
        let ex = &v["exceptions"][0];
        assert_eq!(ex["subject"].as_str(), Some("ns#Weird\"Name\u{1b}"));
        assert_eq!(ex["expires"].as_str(), Some("2027-02-20"));
        assert_eq!(ex["reason"].as_str(), Some(""));
        assert_eq!(ex["fingerprint"].as_str(), Some(f.fingerprint.as_str()));
        assert!(exception_toml(&e, None).contains("expires = \"YYYY-MM-DD\""));
        // A glob entry says what it covers in a comment that stays one line.
        let g = Finding::new("RemovedShape", Severity::Error, "ns#B\nx", "gone");
        let e = ExceptionEntry { subject: "ns#*".into(), fingerprint: None, blocking: vec![&f, &g], matches: 3, ..e };
        let text = exception_toml(&e, Some("2026-11-22"));
        let v: toml::Value = toml::from_str(&text).expect("valid TOML");
        assert_eq!(v["exceptions"][0]["subject"].as_str(), Some("ns#*"));
        assert!(text.starts_with("# covers 2 blocking findings: "), "{text}");
        assert!(text.contains("# the glob also matches 1 finding(s) below --fail-on"), "{text}");
    }

    #[test]
    fn common_prefix_and_namespace() {
        assert_eq!(common_prefix(&["a#Foo$x", "a#Foo$y", "a#Fob"]), "a#Fo");
        assert_eq!(common_prefix(&["ns#Ü1", "ns#Ü2"]), "ns#Ü");
        assert_eq!(namespace("com.amazonaws.s3#Bucket$name"), Some("com.amazonaws.s3"));
        assert_eq!(namespace("aws-config"), None);
        assert_eq!(namespace("exceptions[0] RemovedShape ns#X"), None);
        assert_eq!(glob_literal("ns#A[1]*"), "ns#A[[]1[]][*]");
    }
}
