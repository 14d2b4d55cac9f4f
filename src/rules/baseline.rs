//! New, pre-existing and resolved: the gate blocks on what the release introduces.
//!
//! A finding at head is *pre-existing* when a finding with the same fingerprint holds at base,
//! that is, when the same rules, run on base in head's place (same config, same mainline), find
//! it. Only *state* findings can hold at base: they say what one snapshot is (MissingPackage,
//! UnsatisfiedInternalDependency, MisalignedDependency, MalformedManifest,
//! InternalDependencyCycle, BehindMainline, InvalidModel). *Change* findings (every model diff
//! event, ChangedWithoutVersionBump, VersionDecreased, RemovedPackage,
//! BreakingChangeWithoutMajorBump, CandidateMismatch, UnusuallyLargeDiff) exist only between two
//! snapshots, and base alone has none: they are new by definition. Findings about the config
//! itself (ExpiredException, UnusedException) are new too: the config is the same on both sides,
//! so there is nothing to inherit.
//!
//! A finding that held at base and holds no longer at head is *resolved*. Fingerprints never
//! include versions, messages, paths or lines ([`crate::finding`]), so a state finding keeps its
//! fingerprint from commit to commit for as long as the problem lasts.
use crate::finding::{Baseline, Finding, sort_findings};
use std::collections::BTreeSet;

/// Marks every finding of `head` that also holds at base (`at_base`) as pre-existing, and
/// returns the findings of `at_base` that `head` no longer has, marked resolved and sorted.
pub fn classify(head: &mut [Finding], at_base: &[Finding]) -> Vec<Finding> {
    let base: BTreeSet<&str> = at_base.iter().map(|f| f.fingerprint.as_str()).collect();
    for f in head.iter_mut() {
        f.baseline = if base.contains(f.fingerprint.as_str()) { Baseline::PreExisting } else { Baseline::New };
    }
    let held: BTreeSet<&str> = head.iter().map(|f| f.fingerprint.as_str()).collect();
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    let mut resolved: Vec<Finding> = at_base
        .iter()
        .filter(|f| !held.contains(f.fingerprint.as_str()) && seen.insert(f.fingerprint.as_str()))
        .cloned()
        .map(|mut f| {
            f.baseline = Baseline::Resolved;
            f.introduced_by = None;
            f.exception = None;
            f
        })
        .collect();
    sort_findings(&mut resolved);
    resolved
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{PreExisting, Severity};

    fn f(id: &str, subject: &str) -> Finding {
        Finding::new(id, Severity::Error, subject, format!("{id} on {subject}"))
    }

    #[test]
    fn pre_existing_new_and_resolved() {
        let at_base = vec![f("MissingPackage.Dependency", "a"), f("MissingPackage.Dependency", "gone")];
        let mut head =
            vec![f("MissingPackage.Dependency", "a").at("x/Cargo.toml", Some(9)), f("MissingPackage.Dependency", "b")];
        let resolved = classify(&mut head, &at_base);
        assert_eq!(head[0].baseline, Baseline::PreExisting, "same fingerprint, other location");
        assert_eq!(head[1].baseline, Baseline::New);
        assert_eq!(resolved.len(), 1);
        assert_eq!((resolved[0].subject.as_str(), resolved[0].baseline), ("gone", Baseline::Resolved));
        assert!(!head[0].blocks(Severity::Danger, PreExisting::Report));
        assert!(head[0].blocks(Severity::Danger, PreExisting::Block));
        assert!(head[1].blocks(Severity::Danger, PreExisting::Report));
        assert!(!resolved[0].blocks(Severity::Note, PreExisting::Block), "resolved never blocks");
    }
}
