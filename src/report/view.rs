//! The report view: what every human format (md, html, table) says, computed once from the
//! [`Outcome`], so the three only encode it. It holds the summaries a reviewer reads first and
//! the folds they open on demand:
//!
//! - findings grouped by rule and service ([`Group`]): what blocks, and the folded rest;
//! - ready-to-paste `[[exceptions]]` entries, one per rule and service with a subject glob, each
//!   naming how many findings it covers ([`ExceptionEntry`]);
//! - the per-service overview ([`ServiceRow`]);
//! - the required-package list with the version and commit to publish from ([`PackageRow`]).
//!
//! Pure functions of the outcome: same outcome, same view, same order.
use super::common::{self, Split};
use crate::finding::{Finding, Severity, id_matches};
use crate::outcome::{Outcome, PackageSummary};
use std::collections::BTreeMap;

/// Examples a folded group shows before "and N more".
pub const EXAMPLES: usize = 3;
/// Blocking findings a group shows in full (message, diff) before the rest are listed by name.
pub const SHOWN_IN_FULL: usize = 3;

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
            e.service.as_deref().map_or_else(String::new, |sv| format!(" in {}", one_line(sv))),
            one_line(&names.join(", "))
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

/// Text for a TOML comment: one line, control characters out.
fn one_line(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
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
