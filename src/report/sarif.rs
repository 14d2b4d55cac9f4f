//! SARIF 2.1.0 for GitHub code scanning and other SARIF viewers. Valid against the OASIS schema
//! (vendored in `fixtures/schemas/`, checked by the test suite).
//!
//! - `tool.driver.rules` is the whole rule catalog, sorted by id, with the rule documentation as
//!   help text and Markdown; each result points at its rule by `ruleId` (the top-level rule id,
//!   e.g. `ChangedNullability`) and `ruleIndex`. The full hierarchical event id
//!   (`ChangedNullability.AddedRequiredTrait`) is in the message and in `properties.eventId`.
//! - Severity → `level`: `error` and `danger` → `error` (both are breaking), `warning` →
//!   `warning`, `note` → `note`; a model-suppressed event → `note` with an `inSource` suppression.
//!   The shipgate severity is kept in `properties.severity`.
//! - Excepted findings carry a suppression of kind `external`, status `accepted`, the exception's
//!   reason as justification.
//! - A result has one location when a repository file fits ([`common::artifact`]): the finding's
//!   file (with `region.startLine` when known), else the package manifest or model it names, else
//!   the config file when the config is a file of the repository; otherwise no location at all,
//!   never one in a file that does not exist. A finding located in the base commit (a removed
//!   shape) points at the file without a region, or falls through when head no longer has the
//!   file; its base location is a `relatedLocations` entry with the message "in base (<commit>)".
//! - Scale: results below `--sarif-min-level` (default `warning`) are left out, and at most
//!   [`MAX_RESULTS`] are kept (GitHub code scanning shows no more), blocking first, then by
//!   severity; `run.properties.omittedResults` counts what was left out and why.
//! - `automationDetails.id` is `shipgate/<command>/<head commit>`; `versionControlProvenance`
//!   names the origin URL (without credentials) and the head commit, when there is an origin.
//! - `partialFingerprints["shipgate/v1"]` is the finding's fingerprint, stable across commits.
//! - `baselineState` is `new`, or `unchanged` for a finding that also holds at base
//!   (pre-existing); `properties.blocking` says whether it fails the gate.
use super::common;
use crate::finding::{Baseline, Finding, Severity};
use crate::outcome::Outcome;
use crate::rules::catalog::{self, RuleMeta};
use serde::Serialize;
use std::collections::BTreeMap;

pub const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
/// The key of our fingerprint in `partialFingerprints`.
pub const FINGERPRINT_KEY: &str = "shipgate/v1";
/// The most results one run keeps: GitHub code scanning ingests at most 5,000 per run.
pub const MAX_RESULTS: usize = 5_000;

#[derive(Serialize)]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    automation_details: AutomationDetails,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    version_control_provenance: Vec<VersionControl>,
    results: Vec<SarifResult>,
    properties: BTreeMap<&'static str, serde_json::Value>,
}

#[derive(Serialize)]
struct AutomationDetails {
    id: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct VersionControl {
    repository_uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    revision_id: Option<String>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    information_uri: Option<&'static str>,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: String,
    name: String,
    short_description: Text,
    full_description: Text,
    help: Help,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<String>,
    default_configuration: Configuration,
    properties: BTreeMap<&'static str, serde_json::Value>,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Text,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<RelatedLocation>,
    partial_fingerprints: BTreeMap<&'static str, String>,
    /// `new`, or `unchanged` for a finding that also holds at base.
    baseline_state: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression>,
    properties: BTreeMap<&'static str, serde_json::Value>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    logical_locations: Vec<LogicalLocation>,
}

/// A `relatedLocations` entry: where a finding located in base is, in the base commit.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RelatedLocation {
    id: u32,
    physical_location: PhysicalLocation,
    message: Text,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation {
    fully_qualified_name: String,
}

#[derive(Serialize)]
struct Suppression {
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<&'static str>,
    justification: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    properties: BTreeMap<&'static str, String>,
}

/// The SARIF `level` of a severity (see the module docs).
pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error | Severity::Danger => "error",
        Severity::Warning => "warning",
        Severity::Note | Severity::Suppressed => "note",
    }
}

/// A repository path as a URI reference: unreserved characters and `/` kept, everything else
/// percent-encoded; an absolute path (a `--config` outside the repository) becomes a `file:` URI.
pub fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    if path.starts_with('/') {
        out.push_str("file://");
    }
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn help_markdown(r: &RuleMeta) -> String {
    let mut s = format!("**{}** (default severity: {})\n\n", r.title, r.severity);
    for (head, body) in
        [("What it finds", &r.summary), ("Why it matters", &r.why), ("Example", &r.example), ("How to fix", &r.fix)]
    {
        s.push_str(&format!("### {head}\n\n{}\n\n", body.trim_end()));
    }
    if let Some(reference) = &r.reference {
        s.push_str(&format!("Reference: <{reference}>\n"));
    }
    s
}

fn rule(r: &RuleMeta) -> Rule {
    let mut properties = BTreeMap::new();
    properties.insert("category", serde_json::json!(format!("{:?}", r.category).to_lowercase()));
    properties.insert("severity", serde_json::json!(r.severity.as_str()));
    Rule {
        id: r.id.clone(),
        name: r.id.clone(),
        short_description: Text { text: r.title.clone() },
        full_description: Text { text: r.summary.trim_end().to_string() },
        help: Help { text: crate::rules::docs::explain(r), markdown: help_markdown(r) },
        help_uri: r.reference.clone(),
        default_configuration: Configuration { level: level(r.severity) },
        properties,
    }
}

fn result(o: &Outcome, f: &Finding, index: &BTreeMap<&str, usize>) -> SarifResult {
    let mut message = format!("{}: {} ({})", f.display_subject(), f.message, f.id);
    if let Some(c) = &f.introduced_by {
        message.push_str(&format!("; introduced by {c}"));
    }
    let mut suppressions = Vec::new();
    if let Some(ex) = &f.exception {
        let mut properties = BTreeMap::new();
        if let Some(a) = &ex.approved_by {
            properties.insert("approvedBy", a.clone());
        }
        if let Some(e) = &ex.expires {
            properties.insert("expires", e.clone());
        }
        suppressions.push(Suppression {
            kind: "external",
            status: Some("accepted"),
            justification: ex.reason.clone(),
            properties,
        });
    }
    if f.severity == Severity::Suppressed {
        suppressions.push(Suppression {
            kind: "inSource",
            status: None,
            justification: f.suppression.clone().unwrap_or_else(|| "suppressed by the model's metadata".into()),
            properties: BTreeMap::new(),
        });
    }
    let mut properties = BTreeMap::new();
    properties.insert("severity", serde_json::json!(f.severity.as_str()));
    properties.insert("eventId", serde_json::json!(f.id));
    properties.insert("subject", serde_json::json!(f.subject));
    properties.insert("blocking", serde_json::json!(o.is_blocking(f)));
    if let Some(c) = &f.introduced_by {
        properties.insert("introducedBy", serde_json::json!(c));
    }
    if let Some(c) = &f.change {
        properties.insert("change", serde_json::json!({ "old": c.old, "new": c.new }));
    }
    SarifResult {
        rule_id: f.rule.clone(),
        rule_index: index.get(f.rule.as_str()).copied(),
        level: level(f.severity),
        message: Text { text: message },
        locations: common::artifact(o, f)
            .map(|(path, line)| Location {
                physical_location: PhysicalLocation {
                    artifact_location: ArtifactLocation { uri: uri(&path) },
                    region: line.filter(|l| *l >= 1).map(|start_line| Region { start_line }),
                },
                logical_locations: (!f.subject.is_empty())
                    .then(|| LogicalLocation { fully_qualified_name: f.subject.clone() })
                    .into_iter()
                    .collect(),
            })
            .into_iter()
            .collect(),
        related_locations: common::base_location(o, f)
            .map(|(path, line)| RelatedLocation {
                id: 0,
                physical_location: PhysicalLocation {
                    artifact_location: ArtifactLocation { uri: uri(&path) },
                    region: line.filter(|l| *l >= 1).map(|start_line| Region { start_line }),
                },
                message: Text { text: format!("in base ({})", o.base.commit) },
            })
            .into_iter()
            .collect(),
        partial_fingerprints: BTreeMap::from([(FINGERPRINT_KEY, f.fingerprint.clone())]),
        baseline_state: match f.baseline {
            Baseline::New => "new",
            Baseline::PreExisting => "unchanged",
            Baseline::Resolved => "absent",
        },
        suppressions,
        properties,
    }
}

fn information_uri() -> Option<&'static str> {
    [env!("CARGO_PKG_HOMEPAGE"), env!("CARGO_PKG_REPOSITORY")].into_iter().find(|u| !u.is_empty())
}

/// Whether `--sarif-min-level` keeps `f`: at or above the level; a model-suppressed event counts
/// as a note.
fn kept(f: &Finding, min: Severity) -> bool {
    f.severity.max(Severity::Note) >= min
}

/// The findings a run reports, in order (blocking, then active, then excepted and suppressed;
/// each by severity), capped at [`MAX_RESULTS`]; and the counts left out (below the level, over
/// the cap).
fn selected(o: &Outcome, min: Severity) -> (Vec<&Finding>, usize, usize) {
    let mut kept_findings: Vec<&Finding> = o.findings.iter().filter(|f| kept(f, min)).collect();
    let below = o.findings.len() - kept_findings.len();
    let rank = |f: &Finding| {
        let group = if !f.is_active() {
            2
        } else if f.severity >= o.fail_on {
            0
        } else {
            1
        };
        (group, std::cmp::Reverse(f.severity))
    };
    // Stable: report order inside each (group, severity).
    kept_findings.sort_by_key(|f| rank(f));
    let over = kept_findings.len().saturating_sub(MAX_RESULTS);
    kept_findings.truncate(MAX_RESULTS);
    (kept_findings, below, over)
}

pub fn render(o: &Outcome, opts: super::Options) -> String {
    let rules: Vec<Rule> = catalog::all().iter().map(rule).collect();
    let index: BTreeMap<&str, usize> = catalog::all().iter().enumerate().map(|(i, r)| (r.id.as_str(), i)).collect();
    let (findings, below, over) = selected(o, opts.sarif_min_level);
    let results = findings.iter().map(|f| result(o, f, &index)).collect();
    let mut properties = BTreeMap::new();
    properties.insert("minLevel", serde_json::json!(opts.sarif_min_level.as_str()));
    properties.insert("totalFindings", serde_json::json!(o.findings.len()));
    if below + over > 0 {
        properties.insert(
            "omittedResults",
            serde_json::json!({
                "belowMinLevel": below,
                "overLimit": over,
                "limit": MAX_RESULTS,
                "where": "every finding is in the JSON report (--output json=PATH)",
            }),
        );
    }
    properties.insert("verdict", serde_json::json!(common::verdict_word(o).to_lowercase()));
    properties.insert("failOn", serde_json::json!(o.fail_on.as_str()));
    properties.insert("base", serde_json::json!({ "rev": o.base.rev, "commit": o.base.commit }));
    properties.insert("head", serde_json::json!({ "rev": o.head.rev, "commit": o.head.commit }));
    properties.insert("rulesDigest", serde_json::json!(catalog::digest()));
    let log = Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "shipgate",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: information_uri(),
                    rules,
                },
            },
            automation_details: AutomationDetails { id: format!("shipgate/{}/{}", o.command.name(), o.head.commit) },
            version_control_provenance: o
                .origin_url
                .iter()
                .map(|u| VersionControl {
                    repository_uri: u.clone(),
                    revision_id: Some(o.head.commit.clone()).filter(|c| c.len() == 40),
                })
                .collect(),
            results,
            properties,
        }],
    };
    let mut s = serde_json::to_string_pretty(&log).expect("the SARIF log is plain data and always serialises");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_encoded() {
        assert_eq!(uri("models/a b#c.json"), "models/a%20b%23c.json");
        assert_eq!(uri("/tmp/x/cfg.toml"), "file:///tmp/x/cfg.toml");
        assert_eq!(uri("ü"), "%C3%BC");
    }

    #[test]
    fn levels() {
        assert_eq!(level(Severity::Danger), "error");
        assert_eq!(level(Severity::Suppressed), "note");
    }
}
