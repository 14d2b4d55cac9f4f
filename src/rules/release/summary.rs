//! The package rows of a release ([`PackageSummary`]): every package head ships, plus missing
//! and removed ones, each with the worst status its findings give it.
//!
//! May depend on: `parse::packages`, `diff::packages`, `finding`, `outcome`.
use super::{Key, ReleaseInput};
use crate::diff::packages::PackageChange;
use crate::finding::Finding;
use crate::outcome::PackageSummary;
use crate::parse::packages::model::PackageTree;
use std::collections::{BTreeMap, BTreeSet};

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

pub(super) fn summaries(
    input: &ReleaseInput,
    changes: &[PackageChange],
    findings: &[Finding],
    absent: &BTreeMap<Key, (String, bool)>,
) -> Vec<PackageSummary> {
    let ReleaseInput { base, head, mainline, policy, .. } = *input;
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
        let explicitly = policy.required.is_match(&key.1);
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
