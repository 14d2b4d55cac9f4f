//! `UnsatisfiedInternalDependency`: a package requires an in-repo package at a version the
//! repository does not have.
//!
//! May depend on: `parse::packages`, `finding`.
use super::requirements::satisfies;
use crate::finding::Finding;
use crate::parse::packages::model::{Ecosystem, PackageTree};
use crate::rules::catalog;

pub(super) fn check(head: &PackageTree, out: &mut Vec<Finding>) {
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
                        catalog::severity("UnsatisfiedInternalDependency"),
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
