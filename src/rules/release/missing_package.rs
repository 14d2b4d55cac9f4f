//! `MissingPackage`: a package the release needs is not in it: an in-repo dependency of a
//! shipped package (`MissingPackage.Dependency`), a package mainline publishes
//! (`MissingPackage.Mainline`) or one `[packages] required` names (`MissingPackage.Required`).
//! Also computes the dependency closure that `UnresolvedGeneratedDependency` reads.
//!
//! May depend on: `parse::packages`, `finding`.
use super::{Key, ReleaseInput, list};
use crate::finding::Finding;
use crate::parse::packages::model::{Dependency, Package, PackageTree, internal_name, parent_dir};
use crate::rules::catalog;
use std::collections::{BTreeMap, BTreeSet};

/// Who depends on a package, by its key: the first entry locates the finding.
pub(super) type Needers<'t> = BTreeMap<Key, Vec<(&'t Package, &'t Dependency)>>;

/// The in-repo dependencies of head's publishable packages that head does not ship.
pub(super) struct Closure<'t> {
    /// Dependencies on a package head does not have (or the candidate leaves out).
    pub needed: Needers<'t>,
    /// Path dependencies on a directory that has no manifest at base nor at head: generated at
    /// build time (aws-config → `../../sdk/build/aws-sdk/sdk/sts`).
    pub unresolved: Needers<'t>,
}

/// The dependency closure of head's publishable packages: in-repo dependencies (by path, npm
/// `workspace:`) whose package head does not ship. A registry requirement is not in-repo,
/// whatever its name (`internal_name`).
pub(super) fn closure<'t>(base: &PackageTree, head: &'t PackageTree) -> Closure<'t> {
    let mut needed: Needers = BTreeMap::new();
    let mut unresolved: Needers = BTreeMap::new();
    // `[packages] exclude` means "never checked": not even as a missing dependency.
    let excluded = &head.exclude;
    for p in head.packages.values().filter(|p| p.publish) {
        for d in &p.deps {
            let Some(name) = internal_name(head, p, d) else { continue };
            let key = (p.ecosystem, name);
            if head.packages.contains_key(&key) || head.others.contains_key(&key) || excluded.is_match(&key.1) {
                continue;
            }
            // A path dependency on a manifest head cannot read is reported as MalformedManifest.
            let unreadable = d.internal_path.as_ref().is_some_and(|dir| {
                head.problems.iter().any(|f| f.path.as_deref().is_some_and(|p| parent_dir(p) == dir))
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
    Closure { needed, unresolved }
}

/// `MissingPackage.Dependency`, `.Mainline` and `.Required`; records where each absent package
/// comes from in `absent`, for its summary row.
pub(super) fn check(
    input: &ReleaseInput,
    needed: &Needers,
    out: &mut Vec<Finding>,
    absent: &mut BTreeMap<Key, (String, bool)>,
) {
    let ReleaseInput { base, head, mainline, policy, .. } = *input;
    for (key, needers) in needed {
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
                catalog::severity("MissingPackage.Dependency"),
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
                        catalog::severity("MissingPackage.Mainline"),
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
    let required = &policy.required;
    for (i, r) in required.patterns().iter().enumerate() {
        if head.packages.values().any(|p| required.is_match_at(i, &p.name)) {
            continue;
        }
        let known = [Some(base), mainline].into_iter().flatten().find_map(|t| {
            let p = t.packages.values().find(|p| required.is_match_at(i, &p.name))?;
            Some((p.key(), p.dir.clone(), p.manifest_path.clone()))
        });
        let mut f = Finding::new(
            "MissingPackage.Required",
            catalog::severity("MissingPackage.Required"),
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
