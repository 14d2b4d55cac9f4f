//! `CandidateMismatch`: what a release-candidate manifest selected against what head has.
//! Applying a candidate gives the tree the release rules check instead of head's.
//!
//! May depend on: `parse`, `finding`.
use super::Key;
use crate::finding::{Finding, sort_findings};
use crate::parse::candidate::CandidateEntry;
use crate::parse::packages::model::{Package, PackageTree};
use crate::rules::catalog;
use std::collections::BTreeSet;

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
                catalog::severity("CandidateMismatch.UnknownPackage"),
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
                    catalog::severity("CandidateMismatch.NotListed"),
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
