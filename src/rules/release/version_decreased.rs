//! `VersionDecreased`: a package's version at head is lower than at base.
//!
//! May depend on: `parse::packages`, `diff::packages`, `finding`.
use crate::diff::packages::PackageChange;
use crate::finding::Finding;
use crate::parse::packages::model::PackageTree;
use crate::rules::catalog;

pub(super) fn check(base: &PackageTree, head: &PackageTree, changes: &[PackageChange], out: &mut Vec<Finding>) {
    for c in changes {
        let key = (c.ecosystem, c.name.clone());
        let (Some(old), Some(new)) = (base.packages.get(&key), head.packages.get(&key)) else { continue };
        let (ov, nv) = (old.semver(), new.semver());
        if let (Some(ov), Some(nv)) = (&ov, &nv)
            && nv < ov
        {
            out.push(
                Finding::new(
                    "VersionDecreased",
                    catalog::severity("VersionDecreased"),
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
    }
}
