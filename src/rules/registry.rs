//! Which code emits each rule of the catalog: the registry that ties `rules/*.toml` to Rust. A
//! rule file without an emitter, or an emitter whose rule has no file (or a file of another
//! category), fails the tests below, so the catalog and the code cannot drift apart.
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
}
