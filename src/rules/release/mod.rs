//! Release rules: do the package trees at head make a shippable release?
//!
//! Pure functions over [`PackageTree`]s (base, head, optional mainline), the changed file list
//! and the policy from `[packages]` / `[[alignment]]`. [`evaluate`] returns the findings (sorted)
//! and the authoritative list of packages the release ships ([`PackageSummary`], sorted by
//! ecosystem and name). Every finding's subject is a package name (or a `required` glob that
//! matched nothing); fingerprints are keyed by the essential detail (a dependency name, a group
//! name), never by versions, so a finding keeps its fingerprint while versions move.
//!
//! Release-candidate manifests ([`parse_candidate_manifest`], [`apply_candidate`]) describe
//! what a publish workflow actually selected; applying one gives the tree to check instead of
//! head's.
//!
//! Rules: MissingPackage, UnsatisfiedInternalDependency, MisalignedDependency, BehindMainline,
//! ChangedWithoutVersionBump, VersionDecreased, RemovedPackage, BreakingChangeWithoutMajorBump,
//! plus the tree problems MalformedManifest and InternalDependencyCycle (with the tree, [`internal_dependency_cycle`]) and
//! CandidateMismatch (from `apply_candidate`). One rule a file, named after it; [`requirements`]
//! holds what version requirements mean, [`summary`] the package rows.
//!
//! May depend on: `parse`, `diff::packages`, `finding`, `outcome`, `globs`, `rules::catalog`
//! (severities).
mod behind_mainline;
mod breaking_change_without_major_bump;
mod candidate_mismatch;
mod changed_without_version_bump;
pub mod internal_dependency_cycle;
mod misaligned_dependency;
mod missing_package;
mod removed_package;
pub mod requirements;
mod summary;
#[cfg(test)]
mod tests;
mod unresolved_generated_dependency;
mod unsatisfied_internal_dependency;
mod version_decreased;

pub use crate::parse::candidate::{CandidateEntry, parse_candidate_manifest};
pub use candidate_mismatch::apply_candidate;
pub use requirements::is_placeholder;
pub use summary::STATUSES;

use crate::diff::packages::diff_trees;
use crate::finding::{Finding, sort_findings};
use crate::globs::{NameGlobs, PathGlobs};
use crate::outcome::PackageSummary;
use crate::parse::packages::model::{Ecosystem, PackageTree};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// How an `[[alignment]]` group must agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AlignmentPolicy {
    /// Every package of the group is released at one version.
    SameVersion,
    /// Every dependency on a package of the group, anywhere in the tree, uses one requirement.
    SameRequirement,
}

/// One `[[alignment]]` entry of shipgate.toml.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlignmentGroup {
    pub name: String,
    /// Package-name globs (`aws-smithy-*`, `@smithy/*`).
    pub packages: NameGlobs,
    pub policy: AlignmentPolicy,
}

/// The release policy: `[packages]` (`ignore_files`, `required`, `generated_from`) and
/// `[[alignment]]` of shipgate.toml, its globs compiled (by the config, when it loads).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReleasePolicy {
    /// Repo-root globs of files whose changes never need a version bump (`**/Cargo.lock`), on
    /// top of [`lockfiles`].
    pub ignore_files: PathGlobs,
    /// Package names (or name globs) the release must ship whatever the closure says.
    pub required: NameGlobs,
    /// `(package name, model path)`: a breaking change in the model needs a major bump of the package.
    pub generated_from: Vec<(String, String)>,
    pub alignment: Vec<AlignmentGroup>,
}

/// Files that never need a version bump, whatever the config says: lockfiles pin what a build
/// resolved, they are not part of a published package's contents (`cargo package` regenerates
/// `Cargo.lock`; npm never publishes `package-lock.json`, and yarn / pnpm lockfiles are not read
/// by consumers). `[packages] ignore_files` adds to these.
pub const LOCKFILE_GLOBS: [&str; 5] =
    ["**/Cargo.lock", "**/package-lock.json", "**/npm-shrinkwrap.json", "**/yarn.lock", "**/pnpm-lock.yaml"];

/// [`LOCKFILE_GLOBS`], compiled once.
pub fn lockfiles() -> &'static PathGlobs {
    static LOCKFILES: std::sync::LazyLock<PathGlobs> = std::sync::LazyLock::new(|| {
        PathGlobs::new(&LOCKFILE_GLOBS.map(String::from)).expect("the built-in lockfile globs are valid")
    });
    &LOCKFILES
}

/// Everything the release rules look at.
#[derive(Debug, Clone, Copy)]
pub struct ReleaseInput<'a> {
    pub base: &'a PackageTree,
    pub head: &'a PackageTree,
    pub mainline: Option<&'a PackageTree>,
    /// Repo-relative paths changed between base and head.
    pub changed_files: &'a [String],
    /// How messages name base (`release-2026-07-23`); `None`: "base".
    pub base_label: Option<&'a str>,
    /// Model paths whose diff has `error` or `danger` findings.
    pub breaking_models: &'a BTreeSet<String>,
    pub policy: &'a ReleasePolicy,
}

/// A package by ecosystem and name, as [`PackageTree::packages`] keys it.
pub(crate) type Key = (Ecosystem, String);

/// Runs every release rule. Findings sorted in report order; packages sorted by
/// `(ecosystem, name)`: every head package, plus missing and removed ones.
pub fn evaluate(input: &ReleaseInput) -> (Vec<Finding>, Vec<PackageSummary>) {
    evaluate_with(input, None)
}

/// The rules that read head's package tree alone (internal dependencies, misaligned
/// requirements, alignment groups): a history search's candidates share their package trees
/// (118 trees for 173 smithy-rs candidates), so the caller may keep these per tree.
pub fn head_only(head: &PackageTree, policy: &ReleasePolicy) -> Vec<Finding> {
    let mut out = Vec::new();
    unsatisfied_internal_dependency::check(head, &mut out);
    misaligned_dependency::check(head, &mut out);
    misaligned_dependency::alignment_groups(head, policy, &mut out);
    out
}

/// [`evaluate`], with [`head_only`]'s findings for `input.head` already at hand, if given.
pub fn evaluate_with(input: &ReleaseInput, head_rules: Option<&[Finding]>) -> (Vec<Finding>, Vec<PackageSummary>) {
    let ReleaseInput { base, head, mainline, changed_files, breaking_models, policy, base_label } = *input;
    let since = base_label.unwrap_or("base");
    let mut out: Vec<Finding> = head.problems.clone();
    // Where a package that is not in head comes from, for its summary row.
    let mut absent: BTreeMap<Key, (String, bool)> = BTreeMap::new();

    let changes = diff_trees(base, head, changed_files, &[lockfiles(), &policy.ignore_files]);

    let closure = missing_package::closure(base, head);
    unresolved_generated_dependency::check(&closure.unresolved, &mut out, &mut absent);
    missing_package::check(input, &closure.needed, &mut out, &mut absent);
    match head_rules {
        Some(found) => out.extend(found.iter().cloned()),
        None => out.extend(head_only(head, policy)),
    }
    if let Some(m) = mainline {
        behind_mainline::check(head, m, &mut out);
    }
    version_decreased::check(base, head, &changes, &mut out);
    changed_without_version_bump::check(base, head, &changes, since, &mut out);
    removed_package::check(base, head, &mut out, &mut absent);
    breaking_change_without_major_bump::check(base, head, breaking_models, policy, &mut out);

    sort_findings(&mut out);
    let summaries = summary::summaries(input, &changes, &out, &absent);
    (out, summaries)
}

pub(super) fn list(items: &[String], max: usize) -> String {
    let mut s = items.iter().take(max).cloned().collect::<Vec<_>>().join(", ");
    if items.len() > max {
        s.push_str(&format!(" and {} more", items.len() - max));
    }
    s
}
