//! The rule catalog: one TOML file per rule under `rules/`, embedded at build time (see
//! `build.rs`) and parsed once. The file stem is the rule id. The logic lives in the evaluators;
//! the severities they emit come from here ([`severity`], [`severity_in`]): a rule's `severity`,
//! or the `[events."<id form>"]` entry of an event id (with named `cases` where one id takes
//! different severities under different conditions).
//!
//! May depend on: `finding`, `parse::smithy::bundled` (the data files build.rs embeds with the rules).
use crate::finding::Severity;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

include!(concat!(env!("OUT_DIR"), "/rule_files.rs"));
use crate::parse::smithy::bundled::DATA_FILES;

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
    /// Default severity: the rule id's, and every event form `events` does not list.
    pub severity: Severity,
    pub category: Category,
    /// Every event id form the rule emits, smithy-diff's hierarchical ids with `<placeholders>`
    /// (`ChangedEnumTrait.Appended.<position>`); empty for rules whose only id is their own.
    #[serde(default)]
    pub ids: Vec<String>,
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
    /// The severity of each event id form the rule emits at another severity than `severity`, or
    /// that `ids` does not list (`BehindMainline.Version`). A form listed in neither is emitted
    /// at `severity`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub events: BTreeMap<String, EventMeta>,
}

/// `[events."<id form>"]` of a rule file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct EventMeta {
    pub severity: Severity,
    /// Named conditions under which the same id takes another severity (`ChangedDefault`: a
    /// member's default changed between two values on one side of the zero value is
    /// `member-value = "danger"`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub cases: BTreeMap<String, Severity>,
    /// The model can set another severity (trait definitions' `diff.*` tags, `breakingChanges`
    /// rules); `severity` is the one when it does not.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub varies_with_model: bool,
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

/// What a declared event form is emitted at: its severity and its named cases.
type Entry = (Severity, Option<&'static EventMeta>);

/// Every declared event form of every rule file, by form: the rule id itself, each of its `ids`
/// and each `[events]` key, in the file of the rule its first segment names (the binding
/// families are listed by `AddedEntityBinding` too, but `AddedOperationBinding.toml` rules them).
fn declared() -> &'static HashMap<&'static str, Entry> {
    static INDEX: OnceLock<HashMap<&'static str, Entry>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut index = HashMap::new();
        for r in all() {
            let forms = std::iter::once(&r.id).chain(&r.ids).chain(r.events.keys());
            for form in forms.filter(|f| crate::finding::rule_of(f) == r.id) {
                let event = r.events.get(form);
                index.insert(form.as_str(), (event.map_or(r.severity, |e| e.severity), event));
            }
        }
        index
    })
}

/// The severity an evaluator emits the event form `form` at (`"RemovedShape.ScalarShape"`,
/// `"ChangedEnumTrait.Removed.<index>"`): its `[events]` entry, else its rule's `severity`. A form
/// its file does not declare is a bug the tests catch (`rules::registry`); it falls back to the
/// rule's severity (error for an unknown rule) rather than stopping a run.
pub fn severity(form: &str) -> Severity {
    match declared().get(form) {
        Some((severity, _)) => *severity,
        None => undeclared(form),
    }
}

/// The severity of the event form `form` in its named case `case` (`[events."<form>"] cases`).
pub fn severity_in(form: &str, case: &str) -> Severity {
    match declared().get(form).map(|(_, e)| e.and_then(|e| e.cases.get(case))) {
        Some(Some(severity)) => *severity,
        _ => undeclared(&format!("{form} ({case})")),
    }
}

fn undeclared(form: &str) -> Severity {
    debug_assert!(false, "{form} is not declared in rules/{}.toml", crate::finding::rule_of(form));
    get(crate::finding::rule_of(form)).map_or(Severity::Error, |r| r.severity)
}

/// Whether the rule files declare that the full event id `id` may be emitted at `severity`:
/// `id` matches a declared form (the rule id, one of `ids`, an `[events]` key) and `severity` is
/// that form's severity or one of its cases' (any, when the model may set it). What the tests
/// check every emitted finding against.
pub fn declares(id: &str, severity: Severity) -> bool {
    let entry = declared().get(id).or_else(|| {
        let rule = get(crate::finding::rule_of(id))?;
        let form = rule.ids.iter().chain(rule.events.keys()).find(|f| f.contains('<') && form_matches(f, id))?;
        declared().get(form.as_str())
    });
    entry.is_some_and(|(declared, event)| match event {
        Some(e) if e.varies_with_model => true,
        Some(e) => e.severity == severity || e.cases.values().any(|s| *s == severity),
        None => *declared == severity,
    })
}

/// Looks a rule up by id, case-insensitively.
pub fn get(id: &str) -> Option<&'static RuleMeta> {
    all().iter().find(|r| r.id.eq_ignore_ascii_case(id))
}

/// The rule a full event id belongs to, and the id form it matches: a rule id itself, or any
/// documented form (`TraitBreakingChange.Update.smithy.api#jsonName`,
/// `AddedOperationBinding.ToService.GetThing`). Case-insensitive on rule ids only.
pub fn resolve(id: &str) -> Option<(&'static RuleMeta, Option<&'static str>)> {
    if let Some(r) = get(id) {
        return Some((r, None));
    }
    // A family rule (AddedOperationBinding) documents its own forms; prefer the rule named by
    // the first segment, then any rule that documents a matching form.
    let first = id.split('.').next().unwrap_or(id);
    let named = get(first).into_iter();
    let others = all().iter().filter(|r| !r.id.eq_ignore_ascii_case(first));
    let candidates: Vec<&'static RuleMeta> = named.chain(others).collect();
    let exact =
        candidates.iter().find_map(|r| r.ids.iter().find(|f| form_matches(f, id)).map(|f| (*r, Some(f.as_str()))));
    // A prefix of a form up to a dot (`ChangedEnumTrait.Appended`), as suppressions may name.
    exact.or_else(|| {
        let dotted = format!("{id}.");
        candidates.iter().find_map(|r| {
            r.ids
                .iter()
                .find(|f| f.split('<').next().is_some_and(|lit| lit.starts_with(&dotted)))
                .map(|f| (*r, Some(f.as_str())))
        })
    })
}

/// Whether `id` is an instance of `form`: literal text must match exactly, each `<placeholder>`
/// stands for one or more characters.
pub fn form_matches(form: &str, id: &str) -> bool {
    match form.find('<') {
        None => form == id,
        Some(start) => {
            let Some(len) = form[start..].find('>') else { return form == id };
            let (literal, rest) = (&form[..start], &form[start + len + 1..]);
            let Some(tail) = id.strip_prefix(literal) else { return false };
            // The placeholder takes at least one character; try every split (forms are short).
            (1..=tail.len()).filter(|i| tail.is_char_boundary(*i)).any(|i| form_matches(rest, &tail[i..]))
        }
    }
}

/// A bundled data file (below `rules/`, e.g. `traits/smithy-model--prelude.smithy`).
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

    #[test]
    fn every_model_rule_documents_the_id_forms_it_emits() {
        for r in all().iter().filter(|r| r.category == Category::Model && r.id != "RemovedAuthenticationScheme") {
            assert!(!r.ids.is_empty(), "rules/{}.toml lists no `ids`", r.id);
            for form in &r.ids {
                let first = form.split('.').next().unwrap_or(form);
                assert!(get(first).is_some(), "rules/{}.toml: `{form}` does not start with a rule id", r.id);
            }
        }
    }

    #[test]
    fn full_event_ids_resolve_to_their_rule() {
        for (id, rule) in [
            ("ChangedEnumTrait.Appended.389", "ChangedEnumTrait"),
            ("ChangedEnumTrait.OrderChanged.4", "ChangedEnumTrait"),
            ("TraitBreakingChange.Update.smithy.api#jsonName", "TraitBreakingChange"),
            ("ModifiedTrait.Add.smithy.test#smokeTests", "ModifiedTrait"),
            ("ChangedOperationInput.From.ns#A.To.ns#B", "ChangedOperationInput"),
            ("AddedOperationBinding.ToService.GetThing", "AddedOperationBinding"),
            ("RemovedResourceBinding.FromResource.Child", "RemovedResourceBinding"),
            ("ChangedNullability.AddedRequiredTrait.StructureOrUnion", "ChangedNullability"),
            ("RemovedMetadata.owner", "RemovedMetadata"),
            ("RemovedShape.ScalarShape", "RemovedShape"),
            ("changedmembertarget", "ChangedMemberTarget"),
        ] {
            assert_eq!(resolve(id).map(|(r, _)| r.id.as_str()), Some(rule), "{id}");
        }
        assert_eq!(resolve("ChangedEnumTrait.Appended").map(|(r, _)| r.id.as_str()), Some("ChangedEnumTrait"));
        for id in ["Nope.X", "ModifiedTrait.Frobbed.x#y", "ChangedEnumTrait.Shuffled.1"] {
            assert!(resolve(id).is_none(), "{id} is not a full id of any rule");
        }
    }
}
