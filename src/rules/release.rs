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
//! plus the tree problems MalformedManifest and InternalDependencyCycle (from `load_tree`) and
//! CandidateMismatch (from `apply_candidate`).
use crate::diff::packages::{
    Dependency, Ecosystem, ManifestError, Package, PackageTree, diff_trees, glob_set, name_glob_set, parse_version,
};
use crate::finding::{Finding, Severity, sort_findings};
use crate::outcome::PackageSummary;
use crate::parse::npm::{self, Spec};
use semver::{Op, Version, VersionReq};
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
    pub packages: Vec<String>,
    pub policy: AlignmentPolicy,
}

/// The release policy: `[packages]` (`ignore_files`, `required`, `generated_from`) and
/// `[[alignment]]` of shipgate.toml, as plain data.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReleasePolicy {
    /// Repo-root globs of files whose changes never need a version bump (`**/Cargo.lock`).
    pub ignore_files: Vec<String>,
    /// Package names (or name globs) the release must ship whatever the closure says.
    pub required: Vec<String>,
    /// `(package name, model path)`: a breaking change in the model needs a major bump of the package.
    pub generated_from: Vec<(String, String)>,
    pub alignment: Vec<AlignmentGroup>,
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

/// Statuses of a [`PackageSummary`], worst first: a package shows the first that applies.
pub const STATUSES: [&str; 13] = [
    "missing",
    "malformed",
    "cycle",
    "unsatisfied",
    "decreased",
    "breaking",
    "unbumped",
    "removed",
    "behind",
    "misaligned",
    "not-in-candidate",
    "unlisted",
    "ok",
];

fn status_of(rule: &str) -> &'static str {
    match rule {
        "MissingPackage" => "missing",
        "MalformedManifest" => "malformed",
        "InternalDependencyCycle" => "cycle",
        "UnsatisfiedInternalDependency" => "unsatisfied",
        "VersionDecreased" => "decreased",
        "BreakingChangeWithoutMajorBump" => "breaking",
        "ChangedWithoutVersionBump" => "unbumped",
        "RemovedPackage" => "removed",
        "BehindMainline" => "behind",
        "MisalignedDependency" => "misaligned",
        "CandidateMismatch" => "not-in-candidate",
        _ => "ok",
    }
}

fn rank(status: &str) -> usize {
    STATUSES.iter().position(|s| *s == status).unwrap_or(STATUSES.len())
}

type Key = (Ecosystem, String);

/// Runs every release rule. Findings sorted in report order; packages sorted by
/// `(ecosystem, name)`: every head package, plus missing and removed ones.
pub fn evaluate(input: &ReleaseInput) -> (Vec<Finding>, Vec<PackageSummary>) {
    let ReleaseInput { base, head, mainline, changed_files, breaking_models, policy, base_label } = *input;
    let since = base_label.unwrap_or("base");
    let mut out: Vec<Finding> = head.problems.clone();
    // Where a package that is not in head comes from, for its summary row.
    let mut absent: BTreeMap<Key, (String, bool)> = BTreeMap::new();

    let ignore = match glob_set(&policy.ignore_files) {
        Ok(g) => g,
        Err(e) => {
            out.push(e.to_finding());
            globset::GlobSet::empty()
        }
    };
    let changes = diff_trees(base, head, changed_files, &ignore);

    missing_packages(input, &mut out, &mut absent);
    unsatisfied(head, &mut out);
    misaligned(head, &mut out);
    alignment_groups(head, policy, &mut out);
    if let Some(m) = mainline {
        behind_mainline(head, m, &mut out);
    }
    for c in &changes {
        let key = (c.ecosystem, c.name.clone());
        let (Some(old), Some(new)) = (base.packages.get(&key), head.packages.get(&key)) else { continue };
        let (ov, nv) = (old.semver(), new.semver());
        if let (Some(ov), Some(nv)) = (&ov, &nv)
            && nv < ov
        {
            out.push(
                Finding::new(
                    "VersionDecreased",
                    Severity::Error,
                    &new.name,
                    format!(
                        "{} went from {ov} at base down to {nv}: versions never go back; release it as a version above {ov}",
                        new.name
                    ),
                )
                .at(&new.manifest_path, new.version_line)
                .with_change(ov.to_string(), nv.to_string()),
            );
        }
        if new.publish && !c.changed_files.is_empty() && old.version == new.version {
            let v = new.version.as_deref().unwrap_or("no version");
            out.push(
                Finding::new(
                    "ChangedWithoutVersionBump",
                    Severity::Error,
                    &new.name,
                    format!(
                        "bump {} from {v}: its files changed since {since} ({}) but its version did not",
                        new.name,
                        list(&c.changed_files, 3)
                    ),
                )
                .at(&new.manifest_path, new.version_line),
            );
        }
    }
    for (key, p) in &base.packages {
        // A manifest head cannot read is reported as MalformedManifest, not as a removal.
        let unreadable = head.problems.iter().any(|f| f.path.as_deref() == Some(p.manifest_path.as_str()));
        let gone = !head.packages.contains_key(key)
            && !head.others.contains_key(key)
            && !head.unshipped.contains_key(key)
            && !unreadable;
        if p.publish && gone {
            out.push(
                Finding::new(
                    "RemovedPackage",
                    Severity::Danger,
                    &p.name,
                    format!(
                        "{} {} was published at base and is gone at head: users lose updates; restore it, or except this finding to retire it on purpose",
                        p.name,
                        p.version.as_deref().unwrap_or("")
                    )
                    .replace("  ", " "),
                )
                .at(&p.manifest_path, None),
            );
            absent.entry(key.clone()).or_insert((p.dir.clone(), false));
        }
    }
    breaking_without_major(base, head, breaking_models, policy, &mut out);

    sort_findings(&mut out);
    let summaries = summaries(input, &changes, &out, &absent);
    (out, summaries)
}

fn list(items: &[String], max: usize) -> String {
    let mut s = items.iter().take(max).cloned().collect::<Vec<_>>().join(", ");
    if items.len() > max {
        s.push_str(&format!(" and {} more", items.len() - max));
    }
    s
}

fn missing_packages(input: &ReleaseInput, out: &mut Vec<Finding>, absent: &mut BTreeMap<Key, (String, bool)>) {
    let ReleaseInput { base, head, mainline, policy, .. } = *input;
    // Dependency closure of head: internal dependencies whose package head does not ship.
    let mut needed: BTreeMap<Key, Vec<(&Package, &Dependency)>> = BTreeMap::new();
    for p in head.packages.values() {
        for d in &p.deps {
            let key = (p.ecosystem, d.name.clone());
            if head.packages.contains_key(&key) || head.others.contains_key(&key) {
                continue;
            }
            // A path dependency on a manifest head cannot read is reported as MalformedManifest.
            let unreadable = d.internal_path.as_ref().is_some_and(|dir| {
                head.problems
                    .iter()
                    .any(|f| f.path.as_deref().is_some_and(|p| crate::diff::packages::parent_dir(p) == dir))
            });
            if unreadable {
                continue;
            }
            let in_repo = d.internal_path.is_some()
                || (d.workspace && p.ecosystem == Ecosystem::Npm)
                || base.exists(p.ecosystem, &d.name)
                || mainline.is_some_and(|m| m.exists(p.ecosystem, &d.name))
                || head.unshipped.contains_key(&key);
            // A dev-dependency never ships; it only matters when it points into the repo by path.
            if in_repo && (d.kind.ships() || d.internal_path.is_some()) {
                needed.entry(key).or_default().push((p, d));
            }
        }
    }
    for (key, needers) in &needed {
        let (p, d) = needers[0];
        let who: Vec<String> =
            needers.iter().map(|(p, _)| p.name.clone()).collect::<BTreeSet<_>>().into_iter().collect();
        let state = if head.unshipped.contains_key(key) {
            "the release candidate does not include it"
        } else {
            "head has no such package"
        };
        out.push(
            Finding::new(
                "MissingPackage.Dependency",
                Severity::Error,
                &key.1,
                format!(
                    "{} is required by {} but {state}: ship {} or drop the dependency",
                    key.1,
                    list(&who, 3),
                    key.1
                ),
            )
            .at(&p.manifest_path, d.line),
        );
        let dir = d.internal_path.clone().unwrap_or_default();
        absent.entry(key.clone()).or_insert((dir, true));
    }
    if let Some(m) = mainline {
        for (key, mp) in &m.packages {
            if mp.publish && !head.packages.contains_key(key) && !needed.contains_key(key) {
                let state = if head.unshipped.contains_key(key) {
                    "the release candidate does not include it"
                } else {
                    "head does not have it"
                };
                out.push(
                    Finding::new(
                        "MissingPackage.Mainline",
                        Severity::Error,
                        &key.1,
                        format!(
                            "{} is on mainline ({}) but {state}: ship it, or remove it from mainline first",
                            key.1,
                            mp.version.as_deref().unwrap_or("no version")
                        ),
                    )
                    .at(&mp.manifest_path, None),
                );
                absent.entry(key.clone()).or_insert((mp.dir.clone(), true));
            }
        }
    }
    for r in &policy.required {
        let Ok(g) = name_glob_set(std::slice::from_ref(r)) else {
            out.push(
                ManifestError::Glob { glob: r.clone(), message: "invalid glob in `required`".into() }.to_finding(),
            );
            continue;
        };
        if head.packages.values().any(|p| g.is_match(&p.name)) {
            continue;
        }
        let known = [Some(base), mainline].into_iter().flatten().find_map(|t| {
            t.packages.values().find(|p| g.is_match(&p.name)).map(|p| (p.key(), p.dir.clone(), p.manifest_path.clone()))
        });
        let mut f = Finding::new(
            "MissingPackage.Required",
            Severity::Error,
            r,
            format!(
                "{r} is listed in [packages] required but head has no package by that name: ship it or update the list"
            ),
        );
        if let Some((key, dir, path)) = known {
            f = f.at(path, None);
            if !needed.contains_key(&key) && !mainline.is_some_and(|m| m.packages.contains_key(&key)) {
                absent.entry(key).or_insert((dir, true));
            }
        }
        out.push(f);
    }
}

/// Whether `version` satisfies the requirement `req` of ecosystem `eco`; `None` when either is
/// not a version or range (path-only, git, tags).
pub fn satisfies(eco: Ecosystem, req: &str, version: &str) -> Option<bool> {
    match eco {
        Ecosystem::Cargo => {
            let v = Version::parse(version.trim()).ok()?;
            Some(VersionReq::parse(req).ok()?.matches(&v))
        }
        Ecosystem::Npm => match Spec::parse(req) {
            Spec::Workspace(w) if matches!(w.as_str(), "*" | "^" | "~" | "") => Some(true),
            Spec::Workspace(w) => npm::satisfies(&w, version),
            Spec::Range(r) => npm::satisfies(&r, version),
            Spec::Alias { range, .. } => npm::satisfies(&range, version),
            Spec::Path(_) | Spec::Other(_) => None,
        },
    }
}

/// A comparable form of a requirement: Cargo `1.2` and `^1.2` are the same; npm `workspace:^`
/// becomes what it publishes as. `None` for requirements that say nothing comparable.
pub fn normalized_req(eco: Ecosystem, req: &str, target_version: Option<&str>) -> Option<String> {
    let req = req.trim();
    match eco {
        Ecosystem::Cargo => match VersionReq::parse(req) {
            Ok(r) if r == VersionReq::STAR => None,
            Ok(r) => Some(r.to_string()),
            Err(_) => None,
        },
        Ecosystem::Npm => match Spec::parse(req) {
            Spec::Workspace(w) => Some(target_version.map_or(w.clone(), |v| npm::publish_range(&w, v))),
            Spec::Range(r) if r.is_empty() || r == "*" => None,
            Spec::Range(r) => Some(r),
            Spec::Alias { range, .. } => Some(range),
            Spec::Path(_) | Spec::Other(_) => None,
        },
    }
}

/// The lowest version a requirement admits, for "older requirement" comparisons.
pub fn req_floor(eco: Ecosystem, req: &str, target_version: Option<&str>) -> Option<Version> {
    let norm = normalized_req(eco, req, target_version)?;
    match eco {
        Ecosystem::Cargo => {
            let r = VersionReq::parse(&norm).ok()?;
            r.comparators
                .iter()
                .filter(|c| !matches!(c.op, Op::Less | Op::LessEq))
                .map(|c| Version::new(c.major, c.minor.unwrap_or(0), c.patch.unwrap_or(0)))
                .max()
        }
        Ecosystem::Npm => npm::range_floor(&norm),
    }
}

/// Whether going from `old` to `new` is a bump that may break users under Cargo's rules (npm's
/// caret follows the same ones): a new major for ≥1.0.0, a new minor for 0.x, a new patch for
/// 0.0.x.
pub fn is_breaking_bump(old: &Version, new: &Version) -> bool {
    if new <= old {
        false
    } else if old.major > 0 {
        new.major > old.major
    } else if old.minor > 0 {
        new.major > 0 || new.minor > old.minor
    } else {
        new.major > 0 || new.minor > 0 || new.patch > old.patch
    }
}

/// The smallest version that is a breaking bump from `old`.
pub fn next_breaking(old: &Version) -> Version {
    if old.major > 0 {
        Version::new(old.major + 1, 0, 0)
    } else if old.minor > 0 {
        Version::new(0, old.minor + 1, 0)
    } else {
        Version::new(0, 0, old.patch + 1)
    }
}

fn unsatisfied(head: &PackageTree, out: &mut Vec<Finding>) {
    for p in head.packages.values() {
        for d in &p.deps {
            let Some(t) = head.get(p.ecosystem, &d.name) else { continue };
            let Some(v) = t.version.as_deref() else { continue };
            if satisfies(p.ecosystem, &d.req, v) == Some(false) {
                out.push(
                    Finding::new(
                        "UnsatisfiedInternalDependency",
                        Severity::Error,
                        &p.name,
                        format!(
                            "{} requires {} {} but the repository has {} {v}: change the requirement or {}'s version so they agree",
                            p.name, d.name, d.req, d.name, d.name
                        ),
                    )
                    .keyed(&d.name)
                    .at(&p.manifest_path, d.line),
                );
            }
        }
    }
}

struct Use<'t> {
    pkg: &'t Package,
    dep: &'t Dependency,
    norm: String,
}

/// Shipped dependency uses of publishable head packages, by `(ecosystem, dependency name)`.
fn uses(head: &PackageTree) -> BTreeMap<Key, Vec<Use<'_>>> {
    let mut by: BTreeMap<Key, Vec<Use>> = BTreeMap::new();
    for p in head.packages.values().filter(|p| p.publish) {
        let mut seen = BTreeSet::new();
        for d in p.deps.iter().filter(|d| d.kind.ships()) {
            let tv = head.get(p.ecosystem, &d.name).and_then(|t| t.version.as_deref());
            let Some(norm) = normalized_req(p.ecosystem, &d.req, tv) else { continue };
            if seen.insert((d.name.clone(), norm.clone())) {
                by.entry((p.ecosystem, d.name.clone())).or_default().push(Use { pkg: p, dep: d, norm });
            }
        }
    }
    by
}

/// The requirement most uses agree on. Ties: one the in-repo version satisfies (for an internal
/// dependency), then the highest floor, then the greatest string.
fn reference(eco: Ecosystem, uses: &[&Use], in_repo: Option<&str>) -> String {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for u in uses {
        *counts.entry(&u.norm).or_default() += 1;
    }
    let ok = |r: &str| in_repo.and_then(|v| satisfies(eco, r, v)).unwrap_or(false);
    counts
        .into_iter()
        .max_by(|a, b| {
            a.1.cmp(&b.1)
                .then_with(|| ok(a.0).cmp(&ok(b.0)))
                .then_with(|| req_floor(eco, a.0, None).cmp(&req_floor(eco, b.0, None)))
                .then(a.0.cmp(b.0))
        })
        .map(|(r, _)| r.to_string())
        .unwrap_or_default()
}

fn misaligned(head: &PackageTree, out: &mut Vec<Finding>) {
    for ((eco, name), uses) in uses(head) {
        let all: Vec<&Use> = uses.iter().collect();
        let distinct: BTreeSet<&str> = all.iter().map(|u| u.norm.as_str()).collect();
        if distinct.len() < 2 {
            continue;
        }
        let in_repo = head.get(eco, &name).and_then(|p| p.version.as_deref());
        let reference = reference(eco, &all, in_repo);
        let agreeing: Vec<String> = all.iter().filter(|u| u.norm == reference).map(|u| u.pkg.name.clone()).collect();
        for u in all.iter().filter(|u| u.norm != reference) {
            out.push(
                Finding::new(
                    "MisalignedDependency",
                    Severity::Warning,
                    &u.pkg.name,
                    format!(
                        "{} requires {name} {} while {} require{} {reference}: align every package on one requirement",
                        u.pkg.name,
                        u.dep.req,
                        list(&agreeing, 3),
                        if agreeing.len() == 1 { "s" } else { "" },
                    ),
                )
                .keyed(&name)
                .at(&u.pkg.manifest_path, u.dep.line),
            );
        }
    }
}

fn alignment_groups(head: &PackageTree, policy: &ReleasePolicy, out: &mut Vec<Finding>) {
    for g in &policy.alignment {
        let globs = match name_glob_set(&g.packages) {
            Ok(s) => s,
            Err(e) => {
                out.push(e.to_finding());
                continue;
            }
        };
        match g.policy {
            AlignmentPolicy::SameVersion => {
                let members: Vec<(&Package, Version)> = head
                    .packages
                    .values()
                    .filter(|p| globs.is_match(&p.name))
                    .filter_map(|p| p.semver().map(|v| (p, v)))
                    .collect();
                let Some(top) = members.iter().map(|(_, v)| v).max().cloned() else { continue };
                let at_top: Vec<String> =
                    members.iter().filter(|(_, v)| *v == top).map(|(p, _)| p.name.clone()).collect();
                for (p, v) in members.iter().filter(|(_, v)| *v != top) {
                    out.push(
                        Finding::new(
                            "MisalignedDependency.SameVersion",
                            Severity::Warning,
                            &p.name,
                            format!(
                                "{} is {v} but alignment group `{}` ships one version and {} {} at {top}: release {} at {top}",
                                p.name,
                                g.name,
                                list(&at_top, 3),
                                if at_top.len() == 1 { "is" } else { "are" },
                                p.name
                            ),
                        )
                        .keyed(&g.name)
                        .at(&p.manifest_path, p.version_line),
                    );
                }
            }
            AlignmentPolicy::SameRequirement => {
                let by = uses(head);
                for eco in [Ecosystem::Cargo, Ecosystem::Npm] {
                    let all: Vec<&Use> = by
                        .iter()
                        .filter(|((e, n), _)| *e == eco && globs.is_match(n))
                        .flat_map(|(_, u)| u.iter())
                        .collect();
                    let distinct: BTreeSet<&str> = all.iter().map(|u| u.norm.as_str()).collect();
                    if distinct.len() < 2 {
                        continue;
                    }
                    let reference = reference(eco, &all, None);
                    for u in all.iter().filter(|u| u.norm != reference) {
                        out.push(
                            Finding::new(
                                "MisalignedDependency.SameRequirement",
                                Severity::Warning,
                                &u.pkg.name,
                                format!(
                                    "{} requires {} {} but alignment group `{}` requires its packages at one requirement, mostly {reference}: use {reference}",
                                    u.pkg.name, u.dep.name, u.dep.req, g.name
                                ),
                            )
                            .keyed(&format!("{}\u{0}{}", g.name, u.dep.name))
                            .at(&u.pkg.manifest_path, u.dep.line),
                        );
                    }
                }
            }
        }
    }
}

fn behind_mainline(head: &PackageTree, mainline: &PackageTree, out: &mut Vec<Finding>) {
    for (key, p) in &head.packages {
        let Some(m) = mainline.packages.get(key) else { continue };
        if let (Some(hv), Some(mv)) = (p.semver(), m.semver())
            && hv < mv
        {
            out.push(
                Finding::new(
                    "BehindMainline.Version",
                    Severity::Warning,
                    &p.name,
                    format!("{} is {hv} at head but {mv} on mainline: ship mainline's version or newer so users do not go back", p.name),
                )
                .at(&p.manifest_path, p.version_line)
                .with_change(mv.to_string(), hv.to_string()),
            );
        }
        // npm `workspace:` requirements follow the in-repo version, which is compared above.
        for d in p.deps.iter().filter(|d| d.kind.ships() && !(d.workspace && p.ecosystem == Ecosystem::Npm)) {
            let Some(md) = m.deps.iter().find(|md| md.name == d.name && md.kind == d.kind && md.target == d.target)
            else {
                continue;
            };
            let hv = head.get(p.ecosystem, &d.name).and_then(|t| t.version.as_deref());
            let mv = mainline.get(p.ecosystem, &d.name).and_then(|t| t.version.as_deref());
            if let (Some(hf), Some(mf)) = (req_floor(p.ecosystem, &d.req, hv), req_floor(p.ecosystem, &md.req, mv))
                && hf < mf
            {
                out.push(
                    Finding::new(
                        "BehindMainline.Dependency",
                        Severity::Warning,
                        &p.name,
                        format!(
                            "{} requires {} {} at head but {} on mainline: take mainline's requirement",
                            p.name, d.name, d.req, md.req
                        ),
                    )
                    .keyed(&d.name)
                    .at(&p.manifest_path, d.line)
                    .with_change(md.req.clone(), d.req.clone()),
                );
            }
        }
    }
}

fn breaking_without_major(
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
                    Severity::Error,
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

fn summaries(
    input: &ReleaseInput,
    changes: &[crate::diff::packages::PackageChange],
    findings: &[Finding],
    absent: &BTreeMap<Key, (String, bool)>,
) -> Vec<PackageSummary> {
    let ReleaseInput { base, head, mainline, policy, .. } = *input;
    let required_globs = name_glob_set(&policy.required).ok();
    let mut worst: BTreeMap<&str, &'static str> = BTreeMap::new();
    for f in findings {
        let s = status_of(&f.rule);
        let e = worst.entry(f.subject.as_str()).or_insert("ok");
        if rank(s) < rank(e) {
            *e = s;
        }
    }
    let changed: BTreeMap<Key, bool> =
        changes.iter().map(|c| ((c.ecosystem, c.name.clone()), !c.changed_files.is_empty())).collect();
    let version = |t: Option<&PackageTree>, k: &Key| t.and_then(|t| t.packages.get(k)).and_then(|p| p.version.clone());
    let mut rows = Vec::new();
    let keys: BTreeSet<&Key> = head.packages.keys().chain(absent.keys()).chain(head.unshipped.keys()).collect();
    for key in keys {
        let p = head.packages.get(key);
        let unshipped = head.unshipped.get(key);
        let any =
            p.or(unshipped).or_else(|| base.packages.get(key)).or_else(|| mainline.and_then(|m| m.packages.get(key)));
        let explicitly = required_globs.as_ref().is_some_and(|g| g.is_match(&key.1));
        let needed = absent.get(key).is_some_and(|(_, needed)| *needed);
        let mut status = worst.get(key.1.as_str()).copied().unwrap_or("ok");
        if p.is_none() && unshipped.is_some() && status == "ok" {
            status = "unlisted";
        }
        rows.push(PackageSummary {
            ecosystem: key.0.as_str().to_string(),
            name: key.1.clone(),
            path: any.map(|p| p.dir.clone()).or_else(|| absent.get(key).map(|(d, _)| d.clone())).unwrap_or_default(),
            base_version: version(Some(base), key),
            head_version: p.and_then(|p| p.version.clone()),
            mainline_version: version(mainline, key),
            changed: changed.get(key).copied().unwrap_or(false),
            publish: any.is_some_and(|p| p.publish),
            required: p.is_some_and(|p| p.publish) || explicitly || needed,
            status: status.to_string(),
            source_commit: p.and_then(|p| p.source_commit.clone()),
        });
    }
    rows
}

/// One package of a release-candidate manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CandidateEntry {
    pub name: String,
    pub version: String,
    /// The commit the package's version was built from (`commit` or `source_commit`).
    pub source_commit: Option<String>,
    /// When the same name exists in both ecosystems.
    pub ecosystem: Option<Ecosystem>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    name: String,
    version: String,
    #[serde(alias = "source_commit")]
    commit: Option<String>,
    ecosystem: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawToml {
    #[serde(default)]
    package: Vec<toml::Spanned<RawEntry>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawJson {
    List(Vec<RawEntry>),
    Object { packages: Vec<RawEntry> },
}

/// Parses a release-candidate manifest: what the publish workflow selected.
///
/// TOML (`*.toml`, or any text not starting with `{` / `[{` / `[]`):
/// ```toml
/// [[package]]
/// name = "aws-smithy-types"
/// version = "1.3.0"
/// commit = "0123abcd…"       # optional (alias: source_commit)
/// ecosystem = "cargo"        # optional: cargo | npm
/// ```
/// JSON: an array of such objects, or `{ "packages": [ … ] }`. Unknown keys are errors.
pub fn parse_candidate_manifest(path: &str, text: &str) -> Result<Vec<CandidateEntry>, ManifestError> {
    let trimmed = text.trim_start();
    let json = path.ends_with(".json")
        || (!path.ends_with(".toml")
            && (trimmed.starts_with('{')
                || trimmed[trimmed.chars().next().map_or(0, char::len_utf8)..].trim_start().starts_with(['{', ']'])));
    let entries: Vec<(RawEntry, usize)> = if json {
        let raw: RawJson = serde_json::from_str(text).map_err(|e| {
            let offset = crate::diff::packages::offset_of(text, e.line(), e.column());
            ManifestError::syntax(path, "JSON", text, offset, e.to_string())
        })?;
        let list = match raw {
            RawJson::List(l) | RawJson::Object { packages: l } => l,
        };
        list.into_iter().map(|e| (e, 0)).collect()
    } else {
        let raw: RawToml = toml::from_str(text).map_err(|e| {
            ManifestError::syntax(path, "TOML", text, e.span().map_or(0, |s| s.start), e.message().trim().to_string())
        })?;
        raw.package.into_iter().map(|s| (s.span().start, s.into_inner())).map(|(o, e)| (e, o)).collect()
    };
    let mut out = Vec::with_capacity(entries.len());
    for (e, offset) in entries {
        if parse_version(&e.version).is_none() {
            return Err(ManifestError::invalid(
                path,
                text,
                if json { text.find(&format!("\"{}\"", e.version)).unwrap_or(0) } else { offset },
                format!("version `{}` of {} is not semver", e.version, e.name),
                "write versions like 1.2.3",
            ));
        }
        let ecosystem = match e.ecosystem.as_deref() {
            None => None,
            Some(s) => Some(Ecosystem::parse(s).ok_or_else(|| {
                ManifestError::invalid(
                    path,
                    text,
                    offset,
                    format!("unknown ecosystem `{s}` for {}", e.name),
                    "use \"cargo\" or \"npm\"",
                )
            })?),
        };
        out.push(CandidateEntry { name: e.name, version: e.version, source_commit: e.commit, ecosystem });
    }
    Ok(out)
}

/// The tree the publish workflow actually selected: listed packages at the listed versions
/// (with their source commits); packages of `head` the candidate does not list move to
/// [`PackageTree::unshipped`] (so MissingPackage reports them when something needs them).
/// Findings: `CandidateMismatch.UnknownPackage` (error) for an entry head does not have,
/// `CandidateMismatch.NotListed` (note) for a publishable head package the candidate leaves out.
pub fn apply_candidate(head: &PackageTree, entries: &[CandidateEntry]) -> (PackageTree, Vec<Finding>) {
    let mut tree =
        PackageTree { others: head.others.clone(), problems: head.problems.clone(), ..PackageTree::default() };
    let mut findings = Vec::new();
    let mut listed: BTreeSet<Key> = BTreeSet::new();
    for e in entries {
        let matches: Vec<&Package> = head
            .packages
            .values()
            .filter(|p| p.name == e.name && e.ecosystem.is_none_or(|eco| eco == p.ecosystem))
            .collect();
        if matches.is_empty() {
            findings.push(Finding::new(
                "CandidateMismatch.UnknownPackage",
                Severity::Error,
                &e.name,
                format!(
                    "the release candidate lists {} {} but head has no such package: fix the candidate manifest or the selection in [packages]",
                    e.name, e.version
                ),
            ));
        }
        for p in matches {
            let mut p = p.clone();
            p.version = Some(e.version.clone());
            p.source_commit = e.source_commit.clone();
            listed.insert(p.key());
            tree.packages.insert(p.key(), p);
        }
    }
    for (key, p) in &head.packages {
        if listed.contains(key) {
            continue;
        }
        if p.publish {
            findings.push(
                Finding::new(
                    "CandidateMismatch.NotListed",
                    Severity::Note,
                    &p.name,
                    format!("{} is in head but not in the release candidate: it will not ship", p.name),
                )
                .at(&p.manifest_path, None),
            );
        }
        tree.unshipped.insert(key.clone(), p.clone());
    }
    sort_findings(&mut findings);
    (tree, findings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).expect("test version")
    }

    #[test]
    fn cargo_bump_rules_for_breaking_changes() {
        // ≥1.0.0: only a new major may break
        assert!(is_breaking_bump(&v("1.2.3"), &v("2.0.0")));
        assert!(!is_breaking_bump(&v("1.2.3"), &v("1.3.0")));
        // 0.x: the minor is the major
        assert!(is_breaking_bump(&v("0.2.3"), &v("0.3.0")));
        assert!(is_breaking_bump(&v("0.2.3"), &v("1.0.0")));
        assert!(!is_breaking_bump(&v("0.2.3"), &v("0.2.4")));
        // 0.0.x: every patch is a major
        assert!(is_breaking_bump(&v("0.0.3"), &v("0.0.4")));
        assert!(!is_breaking_bump(&v("0.0.3"), &v("0.0.3")));
        // going down is never a bump
        assert!(!is_breaking_bump(&v("2.0.0"), &v("1.0.0")));
        assert_eq!(next_breaking(&v("0.2.3")), v("0.3.0"));
        assert_eq!(next_breaking(&v("0.0.3")), v("0.0.4"));
        assert_eq!(next_breaking(&v("1.9.3")), v("2.0.0"));
    }

    #[test]
    fn requirements_per_ecosystem() {
        assert_eq!(satisfies(Ecosystem::Cargo, "1.2", "1.9.0"), Some(true));
        assert_eq!(satisfies(Ecosystem::Cargo, "0.2", "0.3.0"), Some(false));
        assert_eq!(satisfies(Ecosystem::Cargo, "=1.2.0", "1.2.1"), Some(false));
        assert_eq!(satisfies(Ecosystem::Npm, "workspace:*", "9.9.9"), Some(true));
        assert_eq!(satisfies(Ecosystem::Npm, "workspace:^2.0.0", "1.9.0"), Some(false));
        assert_eq!(satisfies(Ecosystem::Npm, "file:../x", "1.0.0"), None);
        assert_eq!(normalized_req(Ecosystem::Cargo, "1.2", None).as_deref(), Some("^1.2"));
        assert_eq!(normalized_req(Ecosystem::Cargo, "*", None), None);
        assert_eq!(normalized_req(Ecosystem::Npm, "workspace:^", Some("3.1.0")).as_deref(), Some("^3.1.0"));
        assert_eq!(req_floor(Ecosystem::Cargo, ">=1.4, <2", None), Some(v("1.4.0")));
        assert_eq!(req_floor(Ecosystem::Npm, "~2.3", None), Some(v("2.3.0")));
    }

    #[test]
    fn candidate_manifests_in_toml_and_json() {
        let t = "[[package]]\nname = \"a\"\nversion = \"1.0.0\"\ncommit = \"abc\"\n\n[[package]]\nname = \"b\"\nversion = \"2.0.0\"\necosystem = \"npm\"\n";
        let e = parse_candidate_manifest("rc.toml", t).expect("valid toml");
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].source_commit.as_deref(), Some("abc"));
        assert_eq!(e[1].ecosystem, Some(Ecosystem::Npm));
        let j = r#"{"packages": [{"name": "a", "version": "1.0.0", "source_commit": "abc"}]}"#;
        assert_eq!(parse_candidate_manifest("rc", j).expect("valid json")[0].source_commit.as_deref(), Some("abc"));
        let j = r#"[{"name": "a", "version": "1.0.0"}]"#;
        assert_eq!(parse_candidate_manifest("rc", j).expect("valid json").len(), 1);
        let err =
            parse_candidate_manifest("rc.toml", "[[package]]\nname = \"a\"\nversion = \"one\"\n").expect_err("bad");
        assert_eq!(err.line(), Some(1));
        let err = parse_candidate_manifest("rc.json", "[{\"name\": \"a\",\n \"version\": 1}]").expect_err("bad");
        assert_eq!(err.line(), Some(2));
    }
}
