//! `MisalignedDependency`: publishable packages requiring one dependency with requirements no
//! single version satisfies, and the stricter `[[alignment]]` groups
//! (`MisalignedDependency.SameVersion`, `MisalignedDependency.SameRequirement`).
//!
//! May depend on: `parse::packages`, `finding`.
use super::requirements::{compat_line, disjoint, line_label, normalized_req, req_floor, req_meaning, satisfies};
use super::{AlignmentPolicy, Key, ReleasePolicy, list};
use crate::finding::Finding;
use crate::parse::packages::model::{Dependency, Ecosystem, Package, PackageTree};
use crate::rules::catalog;
use semver::Version;
use std::collections::{BTreeMap, BTreeSet};

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
pub(super) fn check(head: &PackageTree, out: &mut Vec<Finding>) {
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
                        catalog::severity("MisalignedDependency"),
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

pub(super) fn alignment_groups(head: &PackageTree, policy: &ReleasePolicy, out: &mut Vec<Finding>) {
    for g in &policy.alignment {
        let globs = &g.packages;
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
                            catalog::severity("MisalignedDependency.SameVersion"),
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
                                catalog::severity("MisalignedDependency.SameRequirement"),
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
