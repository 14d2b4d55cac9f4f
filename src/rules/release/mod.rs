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
//! CandidateMismatch (from `apply_candidate`).
pub mod internal_dependency_cycle;

use crate::diff::packages::{PackageChange, diff_trees};
use crate::finding::{Finding, Severity, sort_findings};
use crate::outcome::PackageSummary;
use crate::parse::packages::model::{
    Dependency, Ecosystem, ManifestError, Package, PackageTree, glob_set, name_glob_set, parse_version,
};
use crate::parse::packages::npm::{self, Spec};
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

/// Files that never need a version bump, whatever the config says: lockfiles pin what a build
/// resolved, they are not part of a published package's contents (`cargo package` regenerates
/// `Cargo.lock`; npm never publishes `package-lock.json`, and yarn / pnpm lockfiles are not read
/// by consumers). `[packages] ignore_files` adds to these.
pub const LOCKFILE_GLOBS: [&str; 5] =
    ["**/Cargo.lock", "**/package-lock.json", "**/npm-shrinkwrap.json", "**/yarn.lock", "**/pnpm-lock.yaml"];

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
pub const STATUSES: [&str; 14] = [
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
    "generated",
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
        "UnresolvedGeneratedDependency" => "generated",
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

    let ignore_globs: Vec<String> =
        LOCKFILE_GLOBS.iter().map(|g| g.to_string()).chain(policy.ignore_files.iter().cloned()).collect();
    let ignore = match glob_set(&ignore_globs) {
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
                .at(&p.manifest_path, None)
                .on_base(),
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
    // Dependency closure of head's publishable packages: in-repo dependencies (by path, npm
    // `workspace:`) whose package head does not ship. A registry requirement is not in-repo,
    // whatever its name (`internal_name`).
    let mut needed: BTreeMap<Key, Vec<(&Package, &Dependency)>> = BTreeMap::new();
    // Path dependencies on a directory that has no manifest at base nor at head: generated at
    // build time (aws-config → `../../sdk/build/aws-sdk/sdk/sts`).
    let mut unresolved: BTreeMap<Key, Vec<(&Package, &Dependency)>> = BTreeMap::new();
    // `[packages] exclude` means "never checked": not even as a missing dependency. Validated
    // by `load_tree`.
    let excluded = name_glob_set(&head.exclude).unwrap_or_else(|_| globset::GlobSet::empty());
    for p in head.packages.values().filter(|p| p.publish) {
        for d in &p.deps {
            let Some(name) = crate::parse::packages::model::internal_name(head, p, d) else { continue };
            let key = (p.ecosystem, name);
            if head.packages.contains_key(&key) || head.others.contains_key(&key) || excluded.is_match(&key.1) {
                continue;
            }
            // A path dependency on a manifest head cannot read is reported as MalformedManifest.
            let unreadable = d.internal_path.as_ref().is_some_and(|dir| {
                head.problems
                    .iter()
                    .any(|f| f.path.as_deref().is_some_and(|p| crate::parse::packages::model::parent_dir(p) == dir))
            });
            if unreadable {
                continue;
            }
            let nowhere = |t: &PackageTree, dir: &str| {
                !t.manifest_dirs.contains(&(p.ecosystem, dir.to_string())) && !t.exists(p.ecosystem, &key.1)
            };
            if let Some(dir) = &d.internal_path
                && !head.unshipped.contains_key(&key)
                && nowhere(head, dir)
                && nowhere(base, dir)
            {
                unresolved.entry(key).or_default().push((p, d));
                continue;
            }
            // A dev-dependency never ships; it only matters when it points into the repo by path.
            if d.kind.ships() || d.internal_path.is_some() {
                needed.entry(key).or_default().push((p, d));
            }
        }
    }
    for (key, needers) in &unresolved {
        let (p, d) = needers[0];
        let who: Vec<String> =
            needers.iter().map(|(p, _)| p.name.clone()).collect::<BTreeSet<_>>().into_iter().collect();
        let dir = d.internal_path.clone().unwrap_or_default();
        out.push(
            Finding::new(
                "UnresolvedGeneratedDependency",
                Severity::Note,
                &key.1,
                format!(
                    "{} is required by {} at `{dir}`, which has no package at base or at head: taken as generated at build time, so its contents are not checked; if it should be in the repository, add it there",
                    key.1,
                    list(&who, 3)
                ),
            )
            .at(&p.manifest_path, d.line),
        );
        // Listed among the packages the release needs, with status `generated`.
        absent.entry(key.clone()).or_insert((dir, true));
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
            // Only a dependency that resolves to the in-repo package: a registry requirement on
            // another line of it is a deliberate pin.
            let Some(t) = crate::parse::packages::model::internal_target(head, p, d) else { continue };
            let Some(v) = t.version.as_deref() else { continue };
            // A Cargo path dependency without `version` takes whatever the path holds,
            // pre-releases (`0.0.0-smithy-rs-head`) included.
            if p.ecosystem == Ecosystem::Cargo && d.internal_path.is_some() && d.req.trim() == "*" {
                continue;
            }
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
    /// The requirement as [`normalized_req`] writes it, for messages.
    norm: String,
    /// What it admits ([`req_meaning`]): uses are compared by this.
    meaning: String,
    /// The compatibility line it targets ([`compat_line`]).
    line: Option<Version>,
}

/// Shipped dependency uses of publishable head packages, by `(ecosystem, dependency name)`.
fn uses(head: &PackageTree) -> BTreeMap<Key, Vec<Use<'_>>> {
    let mut by: BTreeMap<Key, Vec<Use>> = BTreeMap::new();
    for p in head.packages.values().filter(|p| p.publish) {
        let mut seen = BTreeSet::new();
        for d in p.deps.iter().filter(|d| d.kind.ships()) {
            let tv = crate::parse::packages::model::internal_target(head, p, d).and_then(|t| t.version.as_deref());
            let Some(norm) = normalized_req(p.ecosystem, &d.req, tv) else { continue };
            let meaning = req_meaning(p.ecosystem, &norm);
            let line = compat_line(p.ecosystem, &norm);
            if seen.insert((d.name.clone(), meaning.clone())) {
                by.entry((p.ecosystem, d.name.clone())).or_default().push(Use { pkg: p, dep: d, norm, meaning, line });
            }
        }
    }
    by
}

/// What a requirement admits, so that requirements of equal meaning compare equal. Cargo: one
/// interval in semver terms, `>=low, <high`: `1`, `^1`, `1.0`, `^1.0.0`, `1.*` and
/// `>=1.0.0, <2.0.0` all admit exactly 1.0.0 up to 2.0.0 and are the same requirement, while `1`
/// and `1.2` differ (1.1.0 satisfies only the first). Requirements with pre-release comparators
/// keep their normalized text (pre-releases match by their own rules). npm: the normalized range.
pub fn req_meaning(eco: Ecosystem, norm: &str) -> String {
    match eco {
        Ecosystem::Cargo => {
            VersionReq::parse(norm).ok().and_then(|r| cargo_interval(&r)).unwrap_or_else(|| norm.into())
        }
        Ecosystem::Npm => norm.to_string(),
    }
}

/// A bound of an interval: the version and whether it is included.
type Bound = (Version, bool);

fn cargo_interval(req: &VersionReq) -> Option<String> {
    let (low, high) = cargo_bounds(req)?;
    let mut s = format!("{}{}", if low.1 { ">=" } else { ">" }, low.0);
    if let Some((v, inclusive)) = high {
        s.push_str(&format!(", {}{v}", if inclusive { "<=" } else { "<" }));
    }
    Some(s)
}

/// The interval of versions a Cargo requirement admits; `None` with pre-release comparators or
/// operators this does not model.
fn cargo_bounds(req: &VersionReq) -> Option<(Bound, Option<Bound>)> {
    let mut low: Bound = (Version::new(0, 0, 0), true);
    let mut high: Option<Bound> = None;
    for c in &req.comparators {
        if !c.pre.is_empty() {
            return None;
        }
        let (maj, min, pat) = (c.major, c.minor, c.patch);
        let floor = Version::new(maj, min.unwrap_or(0), pat.unwrap_or(0));
        // The first version past the part that was written: 1 → 2.0.0, 1.2 → 1.3.0, 1.2.3 → 1.2.4.
        let past = match (min, pat) {
            (Some(m), Some(p)) => Version::new(maj, m, p + 1),
            (Some(m), None) => Version::new(maj, m + 1, 0),
            _ => Version::new(maj + 1, 0, 0),
        };
        let next_minor = |m: u64| Version::new(maj, m + 1, 0);
        let (lo, hi): (Option<Bound>, Option<Bound>) = match c.op {
            Op::Exact | Op::Wildcard if pat.is_some() => (Some((floor.clone(), true)), Some((floor, true))),
            Op::Exact | Op::Wildcard => (Some((floor, true)), Some((past, false))),
            Op::Greater if pat.is_some() => (Some((floor, false)), None),
            Op::Greater => (Some((past, true)), None),
            Op::GreaterEq => (Some((floor, true)), None),
            Op::Less => (None, Some((floor, false))),
            Op::LessEq if pat.is_some() => (None, Some((floor, true))),
            Op::LessEq => (None, Some((past, false))),
            Op::Tilde => (Some((floor, true)), Some((min.map_or(past.clone(), next_minor), false))),
            Op::Caret => {
                let hi = match (maj, min, pat) {
                    (0, Some(0), Some(p)) => Version::new(0, 0, p + 1),
                    (0, Some(m), _) => Version::new(0, m + 1, 0),
                    (0, None, _) => Version::new(1, 0, 0),
                    _ => Version::new(maj + 1, 0, 0),
                };
                (Some((floor, true)), Some((hi, false)))
            }
            _ => return None,
        };
        // Intersect: the higher low bound (exclusive before inclusive at one version), the
        // lower high bound (exclusive before inclusive).
        if let Some(lo) = lo
            && (lo.0 > low.0 || (lo.0 == low.0 && !lo.1))
        {
            low = lo;
        }
        if let Some(hi) = hi
            && high.as_ref().is_none_or(|h| hi.0 < h.0 || (hi.0 == h.0 && !hi.1))
        {
            high = Some(hi);
        }
    }
    Some((low, high))
}

/// Whether no version satisfies both requirements (normalized, [`normalized_req`]): Cargo
/// intervals that do not overlap (which includes different semver-compatible lines: `0.3` and
/// `0.4`, `1` and `2`), npm ranges with no common version. `None` when either cannot be
/// modelled (pre-releases): then nothing is claimed.
pub fn disjoint(eco: Ecosystem, a: &str, b: &str) -> Option<bool> {
    match eco {
        Ecosystem::Cargo => {
            let (alo, ahi) = cargo_bounds(&VersionReq::parse(a).ok()?)?;
            let (blo, bhi) = cargo_bounds(&VersionReq::parse(b).ok()?)?;
            // The overlap runs from the higher low bound to the lower high bound.
            let below = |lo: &Bound, hi: &Option<Bound>| match hi {
                None => true,
                Some(hi) => lo.0 < hi.0 || (lo.0 == hi.0 && lo.1 && hi.1),
            };
            Some(!(below(&alo, &bhi) && below(&blo, &ahi)))
        }
        Ecosystem::Npm => {
            let (ra, rb) = (nodejs_semver::Range::parse(a).ok()?, nodejs_semver::Range::parse(b).ok()?);
            Some(!ra.allows_any(&rb))
        }
    }
}

/// The semver compatibility line a requirement starts in: its floor's leftmost non-zero part
/// (`1.0.0` for `^1.2`, `0.2.0` for `0.2.9`, `0.0.3` for `=0.0.3`). Cargo (and npm's caret)
/// treat different lines as different, coexisting crates; `None` when there is no floor.
pub fn compat_line(eco: Ecosystem, norm: &str) -> Option<Version> {
    let f = req_floor(eco, norm, None)?;
    Some(if f.major > 0 {
        Version::new(f.major, 0, 0)
    } else if f.minor > 0 {
        Version::new(0, f.minor, 0)
    } else {
        Version::new(0, 0, f.patch)
    })
}

fn line_label(line: &Option<Version>) -> String {
    match line {
        Some(v) if v.major > 0 => format!("{}.x", v.major),
        Some(v) if v.minor > 0 => format!("0.{}.x", v.minor),
        Some(v) => format!("0.0.{}", v.patch),
        None => "unbounded".into(),
    }
}

/// The requirement most uses agree on, by meaning. Ties: one the in-repo version satisfies (for
/// an internal dependency), then the highest floor, then the greatest text. Returns the meaning
/// and how to show it (the normalized text of the first use with that meaning).
fn reference(eco: Ecosystem, uses: &[&Use], in_repo: Option<&str>) -> (String, String) {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for u in uses {
        *counts.entry(&u.meaning).or_default() += 1;
    }
    let ok = |r: &str| in_repo.and_then(|v| satisfies(eco, r, v)).unwrap_or(false);
    let meaning = counts
        .into_iter()
        .max_by(|a, b| {
            a.1.cmp(&b.1)
                .then_with(|| ok(a.0).cmp(&ok(b.0)))
                .then_with(|| req_floor(eco, a.0, None).cmp(&req_floor(eco, b.0, None)))
                .then(a.0.cmp(b.0))
        })
        .map(|(r, _)| r.to_string())
        .unwrap_or_default();
    let shown = uses.iter().find(|u| u.meaning == meaning).map_or_else(|| meaning.clone(), |u| u.norm.clone());
    (meaning, shown)
}

/// MisalignedDependency: publishable packages requiring one dependency with requirements that
/// no single version satisfies: disjoint ranges (`=1.2.3` and `^1.3`) or different
/// semver-compatible lines (`0.3` and `0.4`, `1` and `2`), which make Cargo build two copies
/// or fail to resolve. Requirements that can select one version (`1` and `^1.3.1`, `1.13.1` and
/// `^1.49`) are aligned: the resolver picks one version for both. When some package
/// deliberately uses two compatibility lines of one crate (`http = "0.2.9"` and
/// `http-1x = { package = "http", version = "1" }`), the crate is in a migration and its lines
/// are compared separately. `[[alignment]]` groups are stricter (see [`alignment_groups`]).
fn misaligned(head: &PackageTree, out: &mut Vec<Finding>) {
    for ((eco, name), uses) in uses(head) {
        let mut lines_per_pkg: BTreeMap<&str, BTreeSet<&Option<Version>>> = BTreeMap::new();
        for u in &uses {
            lines_per_pkg.entry(u.pkg.name.as_str()).or_default().insert(&u.line);
        }
        let multi_line = lines_per_pkg.values().any(|l| l.len() > 1);
        let mut groups: BTreeMap<Option<&Option<Version>>, Vec<&Use>> = BTreeMap::new();
        for u in &uses {
            groups.entry(multi_line.then_some(&u.line)).or_default().push(u);
        }
        for (line, all) in groups {
            let distinct: BTreeSet<&str> = all.iter().map(|u| u.meaning.as_str()).collect();
            if distinct.len() < 2 {
                continue;
            }
            let in_repo = head.get(eco, &name).and_then(|p| p.version.as_deref());
            let (reference, shown) = reference(eco, &all, in_repo);
            let ref_norm = all.iter().find(|u| u.meaning == reference).map_or(shown.as_str(), |u| u.norm.as_str());
            let agreeing: Vec<String> = all
                .iter()
                .filter(|u| disjoint(eco, &u.norm, ref_norm) == Some(false))
                .map(|u| u.pkg.name.clone())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            let (scope, key) = match line {
                Some(l) => (
                    format!(" (within its {} line; other lines are compared separately)", line_label(l)),
                    format!("{name}@{}", line_label(l)),
                ),
                None => (String::new(), name.clone()),
            };
            for u in all.iter().filter(|u| disjoint(eco, &u.norm, ref_norm) == Some(true)) {
                let why = if u.line != compat_line(eco, ref_norm) {
                    format!(
                        "{} and {} are different compatible lines",
                        line_label(&u.line),
                        line_label(&compat_line(eco, ref_norm))
                    )
                } else {
                    "no version satisfies both".to_string()
                };
                out.push(
                    Finding::new(
                        "MisalignedDependency",
                        Severity::Warning,
                        &u.pkg.name,
                        format!(
                            "{} requires {name} {} while {} require{} {shown}{scope}, and {why}: align every package on one requirement",
                            u.pkg.name,
                            u.dep.req,
                            list(&agreeing, 3),
                            if agreeing.len() == 1 { "s" } else { "" },
                        ),
                    )
                    .keyed(&key)
                    .at(&u.pkg.manifest_path, u.dep.line),
                );
            }
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
                    let distinct: BTreeSet<&str> = all.iter().map(|u| u.meaning.as_str()).collect();
                    if distinct.len() < 2 {
                        continue;
                    }
                    let (reference, shown) = reference(eco, &all, None);
                    for u in all.iter().filter(|u| u.meaning != reference) {
                        out.push(
                            Finding::new(
                                "MisalignedDependency.SameRequirement",
                                Severity::Warning,
                                &u.pkg.name,
                                format!(
                                    "{} requires {} {} but alignment group `{}` requires its packages at one requirement, mostly {shown}: use {shown}",
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
                .with_change_between(("mainline", mv.to_string()), ("head", hv.to_string())),
            );
        }
        // npm `workspace:` requirements follow the in-repo version, which is compared above.
        for d in p.deps.iter().filter(|d| d.kind.ships() && !(d.workspace && p.ecosystem == Ecosystem::Npm)) {
            // The same declaration on mainline: same key (so `http = "0.2"` is never compared
            // with `http-1x = { package = "http", version = "1" }`), package, table and target.
            let Some(md) = m
                .deps
                .iter()
                .find(|md| md.key == d.key && md.name == d.name && md.kind == d.kind && md.target == d.target)
            else {
                continue;
            };
            let hv = crate::parse::packages::model::internal_target(head, p, d).and_then(|t| t.version.as_deref());
            let mv = crate::parse::packages::model::internal_target(mainline, m, md).and_then(|t| t.version.as_deref());
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
    changes: &[PackageChange],
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
            let offset = crate::text::offset_of(text, e.line(), e.column());
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
    let mut tree = PackageTree {
        others: head.others.clone(),
        problems: head.problems.clone(),
        manifest_dirs: head.manifest_dirs.clone(),
        exclude: head.exclude.clone(),
        names_by_dir: head.names_by_dir.clone(),
        ..PackageTree::default()
    };
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

    fn tree(files: &[(&str, &str)], exclude: &[&str]) -> PackageTree {
        let files: Vec<(String, Vec<u8>)> = files.iter().map(|(p, t)| (p.to_string(), t.as_bytes().to_vec())).collect();
        let sel = crate::parse::packages::tree::Selection {
            exclude: exclude.iter().map(|e| e.to_string()).collect(),
            ..Default::default()
        };
        crate::parse::packages::tree::load_tree(&files, &sel).expect("valid globs")
    }

    fn krate(name: &str, deps: &str) -> String {
        format!("[package]\nname = \"{name}\"\nversion = \"1.0.0\"\n\n[dependencies]\n{deps}\n")
    }

    fn run(head: &PackageTree, mainline: Option<&PackageTree>) -> Vec<Finding> {
        let (policy, none) = (ReleasePolicy::default(), BTreeSet::new());
        let input = ReleaseInput {
            base: head,
            head,
            mainline,
            changed_files: &[],
            base_label: None,
            breaking_models: &none,
            policy: &policy,
        };
        evaluate(&input).0
    }

    fn rows(findings: &[Finding], rule: &str) -> Vec<(String, u32)> {
        findings.iter().filter(|f| f.id == rule).map(|f| (f.subject.clone(), f.line.unwrap_or(0))).collect()
    }

    #[test]
    fn requirements_of_equal_meaning_agree() {
        let m = |r: &str| req_meaning(Ecosystem::Cargo, &normalized_req(Ecosystem::Cargo, r, None).expect("req"));
        for same in ["1", "^1", "1.0", "^1.0.0", "1.*", ">=1.0.0, <2.0.0", "1.x"] {
            assert_eq!(m(same), ">=1.0.0, <2.0.0", "{same}");
        }
        assert_ne!(m("1"), m("1.2"));
        assert_eq!(m("0.2"), m("^0.2.0"));
        assert_eq!(m("0.2"), ">=0.2.0, <0.3.0");
        assert_ne!(m("0.2"), m("0.2.9"));
        assert_eq!(m("~1.2"), m("1.2.*"));
        assert_eq!(m("=1.2.3"), ">=1.2.3, <=1.2.3");
        assert_eq!(m("^0.0.3"), ">=0.0.3, <0.0.4");
        assert_eq!(m(">1.2, <=1.4"), ">=1.3.0, <1.5.0");
        assert_eq!(m("1.2.3-beta.1"), "^1.2.3-beta.1", "pre-releases keep their text");
        let line = |r: &str| compat_line(Ecosystem::Cargo, r).map(|v| v.to_string());
        assert_eq!(line("0.2.9").as_deref(), Some("0.2.0"));
        assert_eq!(line("1.40").as_deref(), Some("1.0.0"));
        assert_eq!(line("=0.0.3").as_deref(), Some("0.0.3"));
        assert_eq!(line("<2"), None);
    }

    // Regression: a package using `http` 0.2 and `http-1x` 1 made every 1.x user of http look
    // misaligned with the 0.2 users, and `1`, `^1`, `1.0` looked like three requirements.
    #[test]
    fn misaligned_compares_within_a_compatibility_line_when_a_package_uses_two() {
        let two_lines = [
            ("a/Cargo.toml", krate("a", "http = \"0.2.9\"\nhttp-1x = { package = \"http\", version = \"1\" }")),
            ("b/Cargo.toml", krate("b", "http = \"1.0\"")),
            ("c/Cargo.toml", krate("c", "http = \"^1\"")),
            ("d/Cargo.toml", krate("d", "http = \"0.2.9\"")),
            ("e/Cargo.toml", krate("e", "http = \"0.2.4\"")),
            ("f/Cargo.toml", krate("f", "http = \"1.1.0\"")),
        ];
        let files: Vec<(&str, &str)> = two_lines.iter().map(|(p, t)| (*p, t.as_str())).collect();
        let found = run(&tree(&files, &[]), None);
        // Within each line every requirement can select one version (`0.2.9` and `0.2.4`; `1.0`,
        // `^1` and `1.1.0`): aligned.
        assert_eq!(rows(&found, "MisalignedDependency"), vec![], "{found:#?}");
        // Without a package that uses both lines, 0.2 against 1 is a real misalignment.
        let files: Vec<(&str, &str)> = two_lines[1..].iter().map(|(p, t)| (*p, t.as_str())).collect();
        let found = run(&tree(&files, &[]), None);
        assert_eq!(rows(&found, "MisalignedDependency"), vec![("d".into(), 6), ("e".into(), 6)], "{found:#?}");
        // Regression: `1` vs `^1.3.1` and `1.13.1` vs `^1.49` were flagged; they select one version.
        for (a, b, flagged) in [
            ("1", "^1.3.1", false),
            ("1.13.1", "^1.49", false),
            ("0.3", "0.4", true),
            ("1", "2", true),
            ("=1.2.3", "^1.3", true),
        ] {
            let files = [
                ("a/Cargo.toml", krate("a", &format!("t = \"{a}\""))),
                ("b/Cargo.toml", krate("b", &format!("t = \"{b}\""))),
            ];
            let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
            let found = run(&tree(&files, &[]), None);
            assert_eq!(rows(&found, "MisalignedDependency").len() == 1, flagged, "{a} vs {b}: {found:#?}");
        }
    }

    // Regression: BehindMainline compared `http = "0.2"` with mainline's `http-1x` (same package).
    #[test]
    fn behind_mainline_matches_dependencies_by_key() {
        let at = |http1: &str| {
            krate("a", &format!("http = \"0.2.9\"\nhttp-1x = {{ package = \"http\", version = \"{http1}\" }}"))
        };
        let (head, main) = (at("1.1"), at("1.1"));
        let found = run(&tree(&[("a/Cargo.toml", &head)], &[]), Some(&tree(&[("a/Cargo.toml", &main)], &[])));
        assert!(found.is_empty(), "{found:#?}");
        let main = at("1.2");
        let found = run(&tree(&[("a/Cargo.toml", &head)], &[]), Some(&tree(&[("a/Cargo.toml", &main)], &[])));
        assert_eq!(rows(&found, "BehindMainline.Dependency"), vec![("a".into(), 7)]);
        assert!(found[0].message.contains("http 1.1 at head but 1.2 on mainline"), "{}", found[0].message);
    }

    // Regression: a path dependency on a name in `[packages] exclude` was reported missing.
    #[test]
    fn excluded_names_are_never_missing() {
        let cfg = krate(
            "aws-config",
            "aws-sdk-sts = { path = \"../../sdk/build/aws-sdk/sdk/sts\", default-features = false }\n\
             inlineable = { path = \"../inlineable\" }",
        );
        let files = [("rt/aws-config/Cargo.toml", cfg.as_str())];
        let found = run(&tree(&files, &[]), None);
        assert_eq!(rows(&found, "UnresolvedGeneratedDependency").len(), 2, "{found:#?}");
        let found = run(&tree(&files, &["aws-sdk-*", "inlineable"]), None);
        assert!(found.is_empty(), "{found:#?}");
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
