//! `ChangedWithoutVersionBump`: a publishable package's files changed since base but its version
//! did not; a placeholder version (`0.0.0-smithy-rs-head`) gives the note
//! `ChangedWithoutVersionBump.PlaceholderVersion` instead.
//!
//! May depend on: `parse::packages`, `diff::packages`, `finding`.
use super::list;
use super::requirements::is_placeholder;
use crate::diff::packages::PackageChange;
use crate::finding::Finding;
use crate::parse::packages::model::PackageTree;
use crate::rules::catalog;

/// `since`: how messages name base (`release-2026-07-23`, or "base").
pub(super) fn check(
    base: &PackageTree,
    head: &PackageTree,
    changes: &[PackageChange],
    since: &str,
    out: &mut Vec<Finding>,
) {
    for c in changes {
        let key = (c.ecosystem, c.name.clone());
        let (Some(old), Some(new)) = (base.packages.get(&key), head.packages.get(&key)) else { continue };
        let nv = new.semver();
        if new.publish && !c.changed_files.is_empty() && old.version == new.version {
            let v = new.version.as_deref().unwrap_or("no version");
            if nv.as_ref().is_some_and(is_placeholder) {
                // The manifest does not carry the version that ships (smithy-rs kept
                // `0.0.0-smithy-rs-head` until its publisher stamped the real one): there is no
                // bump to check here, only the release's own versions can say.
                out.push(
                    Finding::new(
                        "ChangedWithoutVersionBump.PlaceholderVersion",
                        catalog::severity("ChangedWithoutVersionBump.PlaceholderVersion"),
                        &new.name,
                        format!(
                            "{}'s files changed since {since} ({}) and its version is the placeholder {v}, which the publish workflow replaces: check the version it publishes (`--candidate-manifest`)",
                            new.name,
                            list(&c.changed_files, 3)
                        ),
                    )
                    .at(&new.manifest_path, new.version_line),
                );
                continue;
            }
            out.push(
                Finding::new(
                    "ChangedWithoutVersionBump",
                    catalog::severity("ChangedWithoutVersionBump"),
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
}
