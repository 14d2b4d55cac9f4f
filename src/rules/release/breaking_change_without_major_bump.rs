//! `BreakingChangeWithoutMajorBump`: a model with breaking findings generates a package
//! (`[packages] generated_from`) whose version did not take a breaking bump.
//!
//! May depend on: `parse::packages`, `finding`.
use super::ReleasePolicy;
use super::requirements::{is_breaking_bump, next_breaking};
use crate::finding::Finding;
use crate::parse::packages::model::PackageTree;
use crate::rules::catalog;
use std::collections::BTreeSet;

pub(super) fn check(
    base: &PackageTree,
    head: &PackageTree,
    breaking: &BTreeSet<String>,
    policy: &ReleasePolicy,
    out: &mut Vec<Finding>,
) {
    for (name, model) in &policy.generated_from {
        if !breaking.contains(model) {
            continue;
        }
        for p in head.packages.values().filter(|p| &p.name == name) {
            let Some(old) = base.packages.get(&p.key()) else { continue };
            let (Some(ov), Some(nv)) = (old.semver(), p.semver()) else { continue };
            if is_breaking_bump(&ov, &nv) {
                continue;
            }
            let kind = if ov.major > 0 {
                "major"
            } else if ov.minor > 0 {
                "minor (0.x)"
            } else {
                "patch (0.0.x)"
            };
            out.push(
                Finding::new(
                    "BreakingChangeWithoutMajorBump",
                    catalog::severity("BreakingChangeWithoutMajorBump"),
                    &p.name,
                    format!(
                        "{model} has breaking changes, so {} needs a {kind} version bump: {ov} → at least {}, not {nv}",
                        p.name,
                        next_breaking(&ov)
                    ),
                )
                .keyed(model)
                .at(&p.manifest_path, p.version_line),
            );
        }
    }
}
