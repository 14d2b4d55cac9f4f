//! Which code emits each rule of the catalog: the registry that ties `rules/*.toml` to Rust. A
//! rule file without an emitter, or an emitter whose rule has no file (or a file of another
//! category), fails the tests below, so the catalog and the code cannot drift apart. So does a
//! severity the code asks the catalog for (`catalog::severity("<id form>")`) that the rule's file
//! does not declare; the integration tests check every finding they see against its file
//! (`catalog::declares`).
//!
//! May depend on: `rules` (its own evaluators and the catalog).
use super::catalog::Category;

/// Where a rule's findings come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Emitter {
    /// A Smithy evaluator of [`super::model::ALL`], by its rule id.
    Model(&'static str),
    /// A model event family one evaluator emits (`AddedOperationBinding` from
    /// `AddedEntityBinding`).
    ModelFamily { family: &'static str, evaluator: &'static str },
    /// A model file that does not parse (the engine's model stage).
    InvalidModel,
    /// A release rule ([`super::release`]; the cycle rule in its own file, malformed manifests
    /// from the package tree loader).
    Release(&'static str),
    /// The release-size baseline (`history`).
    History(&'static str),
    /// Exception bookkeeping ([`super::policy`]).
    Policy(&'static str),
}

/// The model event families the binding evaluators emit under their own rule ids.
pub const MODEL_FAMILIES: [(&str, &str); 4] = [
    ("AddedOperationBinding", "AddedEntityBinding"),
    ("AddedResourceBinding", "AddedEntityBinding"),
    ("RemovedOperationBinding", "RemovedEntityBinding"),
    ("RemovedResourceBinding", "RemovedEntityBinding"),
];

/// Rules registered for parity that never emit an event, and why.
pub const NEVER_EMITS: [(&str, &str); 1] = [(
    "RemovedAuthenticationScheme",
    "smithy-diff registers it without logic; a removed auth trait is TraitBreakingChange",
)];

/// The release rules (their findings' first id segment).
pub const RELEASE_RULES: [&str; 12] = [
    "BehindMainline",
    "BreakingChangeWithoutMajorBump",
    "CandidateMismatch",
    "ChangedWithoutVersionBump",
    "InternalDependencyCycle",
    "MalformedManifest",
    "MisalignedDependency",
    "MissingPackage",
    "RemovedPackage",
    "UnresolvedGeneratedDependency",
    "UnsatisfiedInternalDependency",
    "VersionDecreased",
];

/// Every emitter, sorted by rule id.
pub fn all() -> Vec<(&'static str, Emitter)> {
    let mut out: Vec<(&'static str, Emitter)> = Vec::new();
    out.extend(super::model::ALL.iter().map(|(id, _)| (*id, Emitter::Model(id))));
    out.extend(MODEL_FAMILIES.iter().map(|(family, evaluator)| (*family, Emitter::ModelFamily { family, evaluator })));
    out.push(("InvalidModel", Emitter::InvalidModel));
    out.extend(RELEASE_RULES.iter().map(|id| (*id, Emitter::Release(id))));
    out.push(("UnusuallyLargeDiff", Emitter::History("UnusuallyLargeDiff")));
    out.extend(["ExpiredException", "UnusedException"].map(|id| (id, Emitter::Policy(id))));
    out.sort_by_key(|(id, _)| *id);
    out
}

/// The catalog category a rule of this emitter must have.
pub fn category(e: Emitter) -> Category {
    match e {
        Emitter::Model(_) | Emitter::ModelFamily { .. } | Emitter::InvalidModel => Category::Model,
        Emitter::Release(_) | Emitter::History(_) => Category::Release,
        Emitter::Policy(_) => Category::Policy,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::catalog;

    #[test]
    fn every_rule_file_has_an_emitter_and_every_emitter_a_rule_file() {
        let emitters = all();
        let ids: Vec<&str> = emitters.iter().map(|(id, _)| *id).collect();
        let mut dedup = ids.clone();
        dedup.dedup();
        assert_eq!(ids, dedup, "a rule is registered twice");
        let files: Vec<&str> = catalog::all().iter().map(|r| r.id.as_str()).collect();
        let unregistered: Vec<&&str> = files.iter().filter(|f| !ids.contains(f)).collect();
        assert!(unregistered.is_empty(), "rules/*.toml with no code emitting them: {unregistered:?}");
        for (id, e) in &emitters {
            let meta = catalog::get(id).unwrap_or_else(|| panic!("{e:?} emits {id}, but rules/{id}.toml is missing"));
            assert_eq!(meta.category, category(*e), "rules/{id}.toml has the wrong category for {e:?}");
        }
    }

    #[test]
    fn model_families_name_a_registered_evaluator() {
        for (family, evaluator) in MODEL_FAMILIES {
            assert!(super::super::model::ALL.iter().any(|(id, _)| *id == evaluator), "{family}: {evaluator}");
        }
    }

    /// The release rule list is the one the code uses: every id appears in the release rules'
    /// sources as a finding id (or, for malformed manifests, in the tree loader's).
    #[test]
    fn release_rules_appear_in_their_sources() {
        let sources = [
            include_str!("release/behind_mainline.rs"),
            include_str!("release/breaking_change_without_major_bump.rs"),
            include_str!("release/candidate_mismatch.rs"),
            include_str!("release/changed_without_version_bump.rs"),
            include_str!("release/internal_dependency_cycle.rs"),
            include_str!("release/misaligned_dependency.rs"),
            include_str!("release/missing_package.rs"),
            include_str!("release/removed_package.rs"),
            include_str!("release/unresolved_generated_dependency.rs"),
            include_str!("release/unsatisfied_internal_dependency.rs"),
            include_str!("release/version_decreased.rs"),
            include_str!("../parse/packages/model.rs"),
        ]
        .concat();
        for id in RELEASE_RULES {
            assert!(sources.contains(&format!("\"{id}")), "{id} is not emitted by the release rules");
        }
    }

    /// Where a lookup is, the id form and the case it names.
    type Lookup = (String, String, Option<String>);

    /// `(where, form, case)` of every `catalog::severity("…")` / `catalog::severity_in("…", "…")`
    /// in `src/`, and the calls whose arguments are not string literals.
    fn severity_lookups() -> (Vec<Lookup>, Vec<String>) {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let (mut found, mut dynamic) = (Vec::new(), Vec::new());
        let mut files = vec![src];
        while let Some(path) = files.pop() {
            if path.is_dir() {
                files.extend(std::fs::read_dir(&path).expect("src/ is readable").flatten().map(|e| e.path()));
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs")
                || path.ends_with("rules/catalog.rs")
                || path.ends_with("rules/registry.rs")
            {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("source is UTF-8");
            let where_ = path.display().to_string();
            for (call, with_case) in [("catalog::severity(", false), ("catalog::severity_in(", true)] {
                for (at, _) in text.match_indices(call) {
                    let args = text[at + call.len()..].trim_start();
                    let literal = |s: &str| -> Option<(String, usize)> {
                        let body = s.strip_prefix('"')?;
                        let end = body.find('"')?;
                        Some((body[..end].to_string(), end + 2))
                    };
                    let Some((form, used)) = literal(args) else {
                        dynamic.push(format!("{where_}: {call}{}", args.lines().next().unwrap_or("")));
                        continue;
                    };
                    let case = match with_case {
                        false => None,
                        true => match literal(args[used..].trim_start_matches([',', ' ', '\n'])) {
                            Some((case, _)) => Some(case),
                            None => {
                                dynamic.push(format!("{where_}: {call}\"{form}\", …"));
                                continue;
                            }
                        },
                    };
                    found.push((where_.clone(), form, case));
                }
            }
        }
        (found, dynamic)
    }

    /// Every severity the code emits is looked up by a literal id form its rule file declares,
    /// and every case a file declares is one the code asks for.
    #[test]
    fn severities_the_code_asks_for_are_declared_in_rule_files() {
        let (found, dynamic) = severity_lookups();
        assert!(dynamic.is_empty(), "severity lookups must name the id form literally: {dynamic:#?}");
        assert!(found.len() > 60, "the scan finds the lookups ({} found)", found.len());
        let mut wrong = Vec::new();
        for (at, form, case) in &found {
            let rule = catalog::get(crate::finding::rule_of(form));
            let declared =
                rule.is_some_and(|r| r.id == *form || r.ids.contains(form) || r.events.contains_key(form.as_str()));
            let case_declared = match case {
                None => true,
                Some(c) => rule.and_then(|r| r.events.get(form.as_str())).is_some_and(|e| e.cases.contains_key(c)),
            };
            if !declared || !case_declared {
                wrong.push(format!("{at}: {form} {}", case.as_deref().unwrap_or("")));
            }
        }
        assert!(wrong.is_empty(), "severities asked for but not declared in rules/*.toml: {wrong:#?}");
        for r in catalog::all() {
            for (form, e) in &r.events {
                assert_eq!(
                    crate::finding::rule_of(form),
                    r.id,
                    "rules/{}.toml: [events.\"{form}\"] is another rule's",
                    r.id
                );
                for c in e.cases.keys() {
                    let used = found.iter().any(|(_, f, fc)| f == form && fc.as_deref() == Some(c.as_str()));
                    assert!(used, "rules/{}.toml: case `{c}` of {form} is never asked for", r.id);
                }
            }
        }
    }

    /// The lookups answer with what the files say, including cases.
    #[test]
    fn severities_come_from_the_rule_files() {
        use crate::finding::Severity;
        assert_eq!(catalog::severity("RemovedShape"), Severity::Error);
        assert_eq!(catalog::severity("RemovedShape.ScalarShape"), Severity::Warning);
        assert_eq!(catalog::severity("ChangedDefault"), Severity::Error);
        assert_eq!(catalog::severity_in("ChangedDefault", "member-value"), Severity::Danger);
        assert_eq!(catalog::severity("AddedOperationBinding.ToService.<operation name>"), Severity::Note);
        assert_eq!(catalog::severity("BehindMainline.Version"), Severity::Warning);
        assert!(catalog::declares("ChangedEnumTrait.Appended.7", Severity::Note));
        assert!(!catalog::declares("ChangedEnumTrait.Appended.7", Severity::Error));
        assert!(catalog::declares("ModifiedTrait.Add.smithy.api#documentation", Severity::Danger), "tags may say");
        assert!(catalog::declares("ChangedWithoutVersionBump.PlaceholderVersion", Severity::Note));
        assert!(!catalog::declares("ChangedWithoutVersionBump.Nope", Severity::Note));
    }
}
