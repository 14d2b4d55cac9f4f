//! Release rules on the fixture trees under `fixtures/packages/<scenario>/`.
//!
//! A scenario is `base/`, `head/` and optionally `mainline/` (directories of files, as the
//! snapshot's tree would be), `policy.json` (a `ReleasePolicy`), `breaking.txt` (model paths
//! with breaking findings) and `candidate.toml` (a release-candidate manifest). Changed files
//! are the files whose bytes differ between `base/` and `head/`. Every scenario is evaluated and
//! its findings and package list snapshotted; each rule has scenarios where it fires and
//! scenarios where it must not.
mod common;

use serde_json::json;
use shipgate::finding::{Finding, id_matches};
use shipgate::parse::packages::model::PackageTree;
use shipgate::parse::packages::tree::{Selection, load_tree};
use shipgate::rules::release::{
    ReleaseInput, ReleasePolicy, apply_candidate, evaluate, internal_dependency_cycle, parse_candidate_manifest,
};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/packages")
}

/// Every file below `dir`, by repo-relative path.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    if !dir.exists() {
        return out;
    }
    for e in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let e = e.expect("fixture dir is readable");
        if e.file_type().is_file() {
            let rel = e.path().strip_prefix(dir).expect("below dir").to_string_lossy().replace('\\', "/");
            out.insert(rel, std::fs::read(e.path()).expect("fixture file is readable"));
        }
    }
    out
}

struct Scenario {
    base: PackageTree,
    head: PackageTree,
    mainline: Option<PackageTree>,
    changed: Vec<String>,
    breaking: BTreeSet<String>,
    policy: ReleasePolicy,
    dir: PathBuf,
}

fn load(name: &str) -> Scenario {
    let dir = root().join(name);
    let tree = |side: &str| {
        let f: Vec<(String, Vec<u8>)> = files(&dir.join(side)).into_iter().collect();
        let mut tree = load_tree(&f, &Selection::default());
        internal_dependency_cycle::check_tree(&mut tree);
        tree
    };
    let (b, h) = (files(&dir.join("base")), files(&dir.join("head")));
    let changed: Vec<String> = b
        .keys()
        .chain(h.keys())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .filter(|p| b.get(*p) != h.get(*p))
        .cloned()
        .collect();
    let policy = std::fs::read_to_string(dir.join("policy.json"))
        .map(|t| serde_json::from_str(&t).expect("policy.json is a ReleasePolicy"))
        .unwrap_or_default();
    let breaking = std::fs::read_to_string(dir.join("breaking.txt"))
        .map(|t| t.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect())
        .unwrap_or_default();
    Scenario {
        base: tree("base"),
        head: tree("head"),
        mainline: dir.join("mainline").exists().then(|| tree("mainline")),
        changed,
        breaking,
        policy,
        dir,
    }
}

fn run(s: &Scenario, head: &PackageTree) -> (Vec<Finding>, Vec<shipgate::outcome::PackageSummary>) {
    let out = evaluate(&ReleaseInput {
        base: &s.base,
        head,
        mainline: s.mainline.as_ref(),
        changed_files: &s.changed,
        breaking_models: &s.breaking,
        policy: &s.policy,
        base_label: Some("release-2026-07-23"),
    });
    common::assert_declared(&s.dir.display().to_string(), &out.0);
    out
}

fn ids(findings: &[Finding]) -> BTreeSet<String> {
    findings.iter().map(|f| f.id.clone()).collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// Rules (or events) whose findings depend on one tree and the policy only: they fire on a bad
/// tree compared with itself.
const TREE_STATE: [&str; 7] = [
    "MisalignedDependency",
    "UnsatisfiedInternalDependency",
    "MalformedManifest",
    "InternalDependencyCycle",
    "MissingPackage.Required",
    "MissingPackage.Dependency",
    // A path dependency whose directory a tree lacks is generated at build time when the tree
    // is compared with itself.
    "UnresolvedGeneratedDependency",
];

const SCENARIOS: [(&str, &[&str]); 9] = [
    ("cargo-clean", &[]),
    ("cargo-unbumped", &["ChangedWithoutVersionBump"]),
    ("cargo-version-decreased", &["VersionDecreased"]),
    (
        "cargo-missing-removed",
        &["MissingPackage.Dependency", "MissingPackage.Mainline", "MissingPackage.Required", "RemovedPackage"],
    ),
    (
        "cargo-unsatisfied-misaligned",
        // `1.3` beside `^1.2` and `1.0.100` beside `^1.0.200` can select one version: aligned.
        &["UnsatisfiedInternalDependency", "MisalignedDependency.SameVersion"],
    ),
    ("cargo-behind-mainline", &["BehindMainline.Version", "BehindMainline.Dependency"]),
    ("cargo-breaking", &["BreakingChangeWithoutMajorBump"]),
    ("cargo-malformed", &["MalformedManifest.Syntax", "MalformedManifest.Version", "InternalDependencyCycle"]),
    (
        "npm-clients",
        &[
            "ChangedWithoutVersionBump",
            "MisalignedDependency",
            "UnsatisfiedInternalDependency",
            "BehindMainline.Version",
            "BehindMainline.Dependency",
        ],
    ),
];

#[test]
fn every_scenario_fires_exactly_its_rules() {
    for (name, expected) in SCENARIOS {
        let s = load(name);
        let (findings, _) = run(&s, &s.head);
        assert_eq!(ids(&findings), set(expected), "{name}: {findings:#?}");
    }
}

/// Every release-rule message is a complete sentence: not empty, not ending in `:`.
#[test]
fn every_message_is_a_sentence() {
    for (name, _) in SCENARIOS {
        let s = load(name);
        for f in run(&s, &s.head).0 {
            let m = f.message.trim_end();
            assert!(!m.is_empty() && !m.ends_with(':'), "{name}: {} on {}: {:?}", f.id, f.subject, f.message);
        }
    }
}

#[test]
fn findings_and_packages_snapshots() {
    for (name, _) in SCENARIOS {
        let s = load(name);
        let (findings, packages) = run(&s, &s.head);
        insta::assert_json_snapshot!(name, json!({ "findings": findings, "packages": packages }));
    }
}

#[test]
fn comparing_a_tree_with_itself_finds_no_release_change() {
    let none = BTreeSet::new();
    for (name, _) in SCENARIOS {
        let s = load(name);
        for (side, tree) in [("base", &s.base), ("head", &s.head)] {
            let (findings, packages) = evaluate(&ReleaseInput {
                base: tree,
                head: tree,
                mainline: Some(tree),
                changed_files: &[],
                breaking_models: &none,
                policy: &s.policy,
                base_label: None,
            });
            let unexpected: Vec<&Finding> =
                findings.iter().filter(|f| !TREE_STATE.iter().any(|t| id_matches(t, &f.id))).collect();
            assert!(unexpected.is_empty(), "{name} {side} vs itself: {unexpected:#?}");
            assert!(packages.iter().all(|p| !p.changed && p.base_version == p.head_version), "{name} {side}");
        }
    }
    // A clean tree has nothing at all.
    let s = load("cargo-clean");
    for tree in [&s.base, &s.head] {
        let input = ReleaseInput {
            base: tree,
            head: tree,
            mainline: None,
            changed_files: &[],
            breaking_models: &none,
            policy: &s.policy,
            base_label: None,
        };
        assert!(evaluate(&input).0.is_empty());
    }
}

#[test]
fn clean_scenario_lists_every_package_ok() {
    let s = load("cargo-clean");
    let (_, packages) = run(&s, &s.head);
    let rows: Vec<(&str, &str, bool, bool)> =
        packages.iter().map(|p| (p.name.as_str(), p.status.as_str(), p.changed, p.required)).collect();
    assert_eq!(
        rows,
        vec![
            ("aws-config", "ok", false, true), // only an ignore_files file changed
            ("aws-smithy-http", "ok", false, true),
            ("aws-smithy-types", "ok", true, true),
            ("inlineable", "ok", false, false),
            ("test-utils", "ok", true, false), // publish = false: changed, no bump needed
        ]
    );
}

#[test]
fn release_candidate_selects_what_ships() {
    let s = load("cargo-candidate");
    let text = std::fs::read_to_string(s.dir.join("candidate.toml")).expect("candidate fixture");
    let entries = parse_candidate_manifest("candidate.toml", &text).expect("valid candidate");
    let (selected, mut findings) = apply_candidate(&s.head, &entries);
    assert_eq!(ids(&findings), set(&["CandidateMismatch.UnknownPackage", "CandidateMismatch.NotListed"]));
    common::assert_declared("cargo-candidate", &findings);
    let (rule_findings, packages) = run(&s, &selected);
    assert_eq!(ids(&rule_findings), set(&["MissingPackage.Mainline"]), "{rule_findings:#?}");
    findings.extend(rule_findings);
    shipgate::finding::sort_findings(&mut findings);
    let types = packages.iter().find(|p| p.name == "aws-smithy-types").expect("listed");
    assert_eq!(types.source_commit.as_deref(), Some("1111111111111111111111111111111111111111"));
    insta::assert_json_snapshot!("cargo-candidate", json!({ "findings": findings, "packages": packages }));
}

#[test]
fn fingerprints_do_not_move_with_versions() {
    // ChangedWithoutVersionBump at 1.2.0 and at another version: same problem, same fingerprint.
    let s = load("cargo-unbumped");
    let (a, _) = run(&s, &s.head);
    let mut head = s.head.clone();
    let mut base = s.base.clone();
    for t in [&mut head, &mut base] {
        for p in t.packages.values_mut().filter(|p| p.name == "aws-smithy-types") {
            p.version = Some("7.0.0".into());
        }
    }
    let moved = Scenario { base, head: head.clone(), ..load("cargo-unbumped") };
    let (b, _) = run(&moved, &head);
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].fingerprint, b[0].fingerprint);
    assert_ne!(a[0].message, b[0].message);
}
