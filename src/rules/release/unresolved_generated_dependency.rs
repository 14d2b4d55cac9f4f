//! `UnresolvedGeneratedDependency`: a path dependency on a directory with no package at base or
//! at head, taken as generated at build time (a note: its contents are not checked).
//!
//! May depend on: `parse::packages`, `finding`.
use super::missing_package::Needers;
use super::{Key, list};
use crate::finding::Finding;
use crate::rules::catalog;
use std::collections::{BTreeMap, BTreeSet};

/// One note per unresolved dependency target; records it in `absent` as needed.
pub(super) fn check(unresolved: &Needers, out: &mut Vec<Finding>, absent: &mut BTreeMap<Key, (String, bool)>) {
    for (key, needers) in unresolved {
        let (p, d) = needers[0];
        let who: Vec<String> =
            needers.iter().map(|(p, _)| p.name.clone()).collect::<BTreeSet<_>>().into_iter().collect();
        let dir = d.internal_path.clone().unwrap_or_default();
        out.push(
            Finding::new(
                "UnresolvedGeneratedDependency",
                catalog::severity("UnresolvedGeneratedDependency"),
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
}
