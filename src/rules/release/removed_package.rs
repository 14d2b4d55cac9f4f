//! `RemovedPackage`: a package published at base is gone at head (danger: users lose updates).
//!
//! May depend on: `parse::packages`, `finding`.
use super::Key;
use crate::finding::Finding;
use crate::parse::packages::model::PackageTree;
use crate::rules::catalog;
use std::collections::BTreeMap;

/// Records each removed package in `absent` (not needed), for its summary row.
pub(super) fn check(
    base: &PackageTree,
    head: &PackageTree,
    out: &mut Vec<Finding>,
    absent: &mut BTreeMap<Key, (String, bool)>,
) {
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
                    catalog::severity("RemovedPackage"),
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
}
