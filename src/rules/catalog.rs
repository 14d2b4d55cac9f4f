//! The rule catalog: one TOML file per rule under `rules/`, embedded at build time (see
//! `build.rs`). Metadata only; the logic lives in the evaluators. The file stem is the rule id.
use crate::finding::Severity;
use serde::Deserialize;
use std::sync::OnceLock;

include!(concat!(env!("OUT_DIR"), "/rule_files.rs"));

/// Where a rule's findings come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// Smithy model changes (smithy-diff parity).
    Model,
    /// Package trees and versions.
    Release,
    /// Exceptions and policy bookkeeping.
    Policy,
}

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct RuleMeta {
    pub id: String,
    pub title: String,
    /// Default severity; some model rules pick another one per event (documented in `summary`).
    pub severity: Severity,
    pub category: Category,
    /// What it finds.
    pub summary: String,
    /// Why it matters.
    pub why: String,
    /// Example of a change that triggers it.
    pub example: String,
    /// How to fix or accept it.
    pub fix: String,
    /// Where the behaviour is specified (URL).
    #[serde(default)]
    pub reference: Option<String>,
}

/// Every rule, sorted by id. Panics only if an embedded file is invalid, which the catalog test
/// rules out at build time of the test suite.
pub fn all() -> &'static [RuleMeta] {
    static CATALOG: OnceLock<Vec<RuleMeta>> = OnceLock::new();
    CATALOG.get_or_init(|| {
        RULE_FILES
            .iter()
            .map(|(stem, text)| {
                let meta: RuleMeta = toml::from_str(text)
                    .unwrap_or_else(|e| panic!("rules/{stem}.toml is invalid (caught by tests): {e}"));
                meta
            })
            .collect()
    })
}

/// Looks a rule up by id, case-insensitively.
pub fn get(id: &str) -> Option<&'static RuleMeta> {
    all().iter().find(|r| r.id.eq_ignore_ascii_case(id))
}

/// A bundled data file (below `rules/`, e.g. `traits/smithy-model--prelude.json`).
pub fn data_file(rel: &str) -> Option<&'static str> {
    DATA_FILES.iter().find(|(p, _)| *p == rel).map(|(_, t)| *t)
}

/// SHA-256 over every embedded rule and data file: the rule-set digest shown in reports.
pub fn digest() -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for (name, text) in RULE_FILES.iter().chain(DATA_FILES.iter()) {
        h.update(name.as_bytes());
        h.update([0]);
        h.update(text.as_bytes());
        h.update([0]);
    }
    hex::encode(h.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_file_parses_and_is_named_after_its_id() {
        for (stem, text) in RULE_FILES {
            let meta: RuleMeta = toml::from_str(text).unwrap_or_else(|e| panic!("rules/{stem}.toml: {e}"));
            assert_eq!(&meta.id, stem, "rules/{stem}.toml declares id {}", meta.id);
            for (field, value) in
                [("title", &meta.title), ("summary", &meta.summary), ("why", &meta.why), ("fix", &meta.fix)]
            {
                assert!(!value.trim().is_empty(), "rules/{stem}.toml: {field} is empty");
            }
        }
        assert_eq!(all().len(), RULE_FILES.len());
    }
}
