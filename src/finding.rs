//! Findings: the one result type every rule produces and every renderer reads.
//!
//! A finding is plain data. Its fingerprint is derived from the rule's event id, the subject and
//! an optional essential detail (never the message, the path or a line number), so it stays the
//! same across runs, commits and unrelated edits and can be referenced by an exception.
//!
//! May depend on: nothing in the crate (every stage depends on it).
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;

/// The [`Finding::location_side`] of a location in the base commit.
pub const BASE_SIDE: &str = "base";

/// Smithy's severities plus `suppressed` (a model event silenced by the model's own metadata).
/// Ordered from least to most severe, so `max()` is the worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Suppressed,
    Note,
    Warning,
    Danger,
    Error,
}

impl Severity {
    /// The four levels that count and can gate, worst first.
    pub const COUNTED: [Severity; 4] = [Severity::Error, Severity::Danger, Severity::Warning, Severity::Note];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Suppressed => "suppressed",
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Danger => "danger",
            Severity::Error => "error",
        }
    }

    /// Parses a level as written in config, CLI flags and Smithy metadata (case-insensitive).
    pub fn parse(s: &str) -> Option<Severity> {
        Some(match s.to_ascii_lowercase().as_str() {
            "suppressed" => Severity::Suppressed,
            "note" => Severity::Note,
            "warning" => Severity::Warning,
            "danger" => Severity::Danger,
            "error" => Severity::Error,
            _ => return None,
        })
    }

    /// `error` and `danger` break users.
    pub fn is_breaking(self) -> bool {
        self >= Severity::Danger
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a finding is what the release introduces (see [`crate::rules::baseline`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Baseline {
    /// Does not hold at base: the release introduces it.
    #[default]
    New,
    /// Holds at base too (same fingerprint): the release inherits it.
    PreExisting,
    /// Held at base and no longer holds at head (listed in the outcome's `resolved`).
    Resolved,
}

impl Baseline {
    pub fn as_str(self) -> &'static str {
        match self {
            Baseline::New => "new",
            Baseline::PreExisting => "pre-existing",
            Baseline::Resolved => "resolved",
        }
    }
}

/// `[gate] pre_existing`: what a pre-existing finding does to the gate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PreExisting {
    /// Listed and marked, never blocking (the default: the gate blocks on what the release
    /// introduces).
    #[default]
    Report,
    /// Blocks like a new finding.
    Block,
}

/// Which exception covered a finding, as recorded in the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedException {
    /// Index of the exception in the config's `[[exceptions]]` list (0-based).
    pub index: usize,
    pub rule: String,
    pub subject: String,
    pub reason: String,
    pub approved_by: Option<String>,
    pub expires: Option<String>,
    /// Where the approval was given when it is not a config entry (e.g. "pull-request label
    /// `shipgate-exception` added by @octocat on 2026-12-01"); `index` is then meaningless.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// Old and new text of whatever changed, for renderers that show a compact diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub old: String,
    pub new: String,
    /// Where `old` comes from, when not base (e.g. `mainline`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_label: Option<String>,
    /// Where `new` comes from, when not head.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_label: Option<String>,
}

impl Change {
    /// A base → head change.
    pub fn new(old: impl Into<String>, new: impl Into<String>) -> Self {
        let (mut old, mut new): (String, String) = (old.into(), new.into());
        old.shrink_to_fit();
        new.shrink_to_fit();
        Change { old, new, old_label: None, new_label: None }
    }

    /// The side `old` comes from (`base` unless labelled).
    pub fn old_side(&self) -> &str {
        self.old_label.as_deref().unwrap_or("base")
    }

    /// The side `new` comes from (`head` unless labelled).
    pub fn new_side(&self) -> &str {
        self.new_label.as_deref().unwrap_or("head")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Top-level rule id (`ChangedNullability`): the first segment of `id`.
    pub rule: String,
    /// Full, hierarchical event id (`ChangedNullability.AddedRequiredTrait`).
    pub id: String,
    pub severity: Severity,
    /// Smithy shape id (`ns#Shape$member`), package name, metadata key or path.
    pub subject: String,
    pub path: Option<String>,
    pub line: Option<u32>,
    /// `"base"` when `path` and `line` refer to the base commit (a removed shape, package or
    /// model), not to head; `None` for head.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_side: Option<String>,
    pub message: String,
    pub fingerprint: String,
    /// The mainline commit that first introduced this finding (closest-safe search).
    pub introduced_by: Option<String>,
    pub exception: Option<Box<AppliedException>>,
    /// Why the model's own `suppressions` / `severityOverrides` changed this event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppression: Option<String>,
    /// What changed, when a renderer can show it as a text diff. Shared, not copied: a history
    /// search copies each memoised model diff's findings for every candidate, and a change holds
    /// both whole values.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change: Option<std::sync::Arc<Change>>,
    /// New, pre-existing (holds at base too) or resolved; set by [`crate::rules::baseline`].
    #[serde(default)]
    pub baseline: Baseline,
}

impl Finding {
    /// A finding for event `id` (its first dot-separated segment is the rule id). The fingerprint
    /// is computed from id and subject; use [`Finding::keyed`] when one subject can carry several
    /// distinct problems under the same id.
    pub fn new(
        id: impl Into<String>,
        severity: Severity,
        subject: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        let id = id.into();
        let subject = subject.into();
        let rule = rule_of(&id).to_string();
        let fingerprint = fingerprint(&id, &subject, "");
        // A message built with `format!` keeps the slack of its growth: a large diff keeps
        // every finding until the report is written.
        let mut message: String = message.into();
        message.shrink_to_fit();
        Finding {
            rule,
            id,
            severity,
            subject,
            path: None,
            line: None,
            location_side: None,
            message,
            fingerprint,
            introduced_by: None,
            exception: None,
            suppression: None,
            change: None,
            baseline: Baseline::New,
        }
    }

    /// Adds an essential detail to the fingerprint (e.g. the dependency name of a misalignment).
    pub fn keyed(mut self, key: &str) -> Self {
        self.fingerprint = fingerprint(&self.id, &self.subject, key);
        self
    }

    pub fn at(mut self, path: impl Into<String>, line: Option<u32>) -> Self {
        self.path = Some(path.into());
        self.line = line;
        self
    }

    /// Marks `path` and `line` as referring to the base commit.
    pub fn on_base(mut self) -> Self {
        self.location_side = Some(BASE_SIDE.to_string());
        self
    }

    /// The subject as reports show it: model-level events (metadata) have no subject, as in
    /// smithy-diff, and show as `(model metadata)`.
    pub fn display_subject(&self) -> &str {
        if self.subject.is_empty() { "(model metadata)" } else { &self.subject }
    }

    /// `path` and `line` refer to the base commit.
    pub fn located_on_base(&self) -> bool {
        self.location_side.as_deref() == Some(BASE_SIDE)
    }

    pub fn with_change(mut self, old: impl Into<String>, new: impl Into<String>) -> Self {
        self.change = Some(std::sync::Arc::new(Change::new(old, new)));
        self
    }

    /// Like [`Finding::with_change`], for values that do not come from base and head.
    pub fn with_change_between(
        mut self,
        (old_label, old): (&str, impl Into<String>),
        (new_label, new): (&str, impl Into<String>),
    ) -> Self {
        let mut c = Change::new(old, new);
        c.old_label = Some(old_label.to_string());
        c.new_label = Some(new_label.to_string());
        self.change = Some(std::sync::Arc::new(c));
        self
    }

    /// Counts toward the verdict unless suppressed by the model or covered by an exception.
    pub fn is_active(&self) -> bool {
        self.severity != Severity::Suppressed && self.exception.is_none()
    }

    /// Whether this finding fails a gate at `fail_on`: active, at or above it, and new (or
    /// pre-existing under `[gate] pre_existing = "block"`).
    pub fn blocks(&self, fail_on: Severity, pre_existing: PreExisting) -> bool {
        would_block(self.severity, self.exception.is_some(), self.baseline, fail_on, pre_existing)
    }

    /// The sort order of every report: severity (worst first), rule, subject, path, id, message.
    pub fn sort_key(&self) -> impl Ord + '_ {
        (std::cmp::Reverse(self.severity), &self.rule, &self.subject, &self.path, &self.id, &self.message, self.line)
    }
}

/// [`Finding::blocks`] for a finding with this severity, exception (or none) and baseline: what a
/// history search asks of findings it does not copy.
pub fn would_block(
    severity: Severity,
    excepted: bool,
    baseline: Baseline,
    fail_on: Severity,
    pre_existing: PreExisting,
) -> bool {
    severity != Severity::Suppressed
        && !excepted
        && severity >= fail_on
        && match baseline {
            Baseline::New => true,
            Baseline::PreExisting => pre_existing == PreExisting::Block,
            Baseline::Resolved => false,
        }
}

/// The rule id of a hierarchical event id: `TraitBreakingChange.Update.smithy.api#jsonName` →
/// `TraitBreakingChange`.
pub fn rule_of(id: &str) -> &str {
    id.split('.').next().unwrap_or(id)
}

/// Whether `pattern` names `id` the way smithy-diff suppressions and our exceptions do: equal, or
/// a prefix ending at a `.` boundary.
pub fn id_matches(pattern: &str, id: &str) -> bool {
    id == pattern || (id.starts_with(pattern) && id.as_bytes().get(pattern.len()) == Some(&b'.'))
}

/// 16 bytes of SHA-256 over the parts, hex: short enough to read, long enough never to collide.
pub fn fingerprint(id: &str, subject: &str, key: &str) -> String {
    let mut h = Sha256::new();
    for part in [id, subject, key] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    hex::encode(&h.finalize()[..16])
}

/// Sorts findings into report order and removes exact duplicates.
pub fn sort_findings(findings: &mut Vec<Finding>) {
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    findings.dedup();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_order_and_parse() {
        assert!(Severity::Error > Severity::Danger && Severity::Note > Severity::Suppressed);
        assert_eq!(Severity::parse("DANGER"), Some(Severity::Danger));
        assert_eq!(Severity::parse("fatal"), None);
        assert!(Severity::Danger.is_breaking() && !Severity::Warning.is_breaking());
    }

    #[test]
    fn ids_match_on_dot_boundaries_only() {
        assert!(id_matches("TraitBreakingChange", "TraitBreakingChange.Remove.aws.auth#sigv4"));
        assert!(id_matches("ChangedNullability", "ChangedNullability"));
        assert!(!id_matches("Changed", "ChangedNullability"));
        assert_eq!(rule_of("ChangedNullability.AddedRequiredTrait"), "ChangedNullability");
    }

    #[test]
    fn fingerprint_ignores_message_and_location() {
        let a = Finding::new("RemovedShape", Severity::Error, "ns#A", "one").at("a.json", Some(3));
        let b = Finding::new("RemovedShape", Severity::Error, "ns#A", "two").at("b.json", Some(9));
        assert_eq!(a.fingerprint, b.fingerprint);
        assert_ne!(a.fingerprint, a.clone().keyed("x").fingerprint);
        assert_eq!(a.fingerprint.len(), 32);
    }
}
