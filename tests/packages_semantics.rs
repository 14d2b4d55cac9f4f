//! Package semantics that match Cargo and npm (issue 16): generated-at-build-time path
//! dependencies, unpublished duplicates, registry pins, npm `file:` by path, lockfiles,
//! `version.workspace = false`. Trees are built in the test.
use shipgate::finding::Finding;
use shipgate::parse::packages::model::PackageTree;
use shipgate::parse::packages::tree::{Selection, load_tree};
use shipgate::rules::release::{ReleaseInput, ReleasePolicy, evaluate};
use std::collections::BTreeSet;

fn tree(files: &[(&str, &str)]) -> PackageTree {
    let f: Vec<(String, Vec<u8>)> = files.iter().map(|(p, t)| (p.to_string(), t.as_bytes().to_vec())).collect();
    load_tree(&f, &Selection::default())
}

fn check(
    base: &PackageTree,
    head: &PackageTree,
    changed: &[&str],
) -> (Vec<Finding>, Vec<shipgate::outcome::PackageSummary>) {
    let changed: Vec<String> = changed.iter().map(|s| s.to_string()).collect();
    let (policy, none) = (ReleasePolicy::default(), BTreeSet::new());
    evaluate(&ReleaseInput {
        base,
        head,
        mainline: None,
        changed_files: &changed,
        base_label: None,
        breaking_models: &none,
        policy: &policy,
    })
}

fn ids(f: &[Finding]) -> Vec<String> {
    f.iter().map(|f| f.id.clone()).collect()
}

const CONFIG: &str = "[package]\nname = \"aws-config\"\nversion = \"1.0.0\"\n\n[dependencies]\naws-sdk-sts = { path = \"../../sdk/build/aws-sdk/sdk/sts\" }\n";

// Regression: a path dependency on a crate generated at build time was a MissingPackage error.
#[test]
fn generated_path_dependencies_are_notes_and_listed() {
    let t = tree(&[("aws/rust-runtime/aws-config/Cargo.toml", CONFIG)]);
    let (f, packages) = check(&t, &t, &[]);
    assert_eq!(ids(&f), vec!["UnresolvedGeneratedDependency"], "{f:#?}");
    let row = packages.iter().find(|p| p.name == "aws-sdk-sts").expect("listed");
    assert_eq!(
        (row.status.as_str(), row.required, row.path.as_str()),
        ("generated", true, "aws/sdk/build/aws-sdk/sdk/sts")
    );
    // Present at base, gone at head: missing.
    let base = tree(&[
        ("aws/rust-runtime/aws-config/Cargo.toml", CONFIG),
        ("aws/sdk/build/aws-sdk/sdk/sts/Cargo.toml", "[package]\nname = \"aws-sdk-sts\"\nversion = \"1.0.0\"\n"),
    ]);
    let (f, _) = check(&base, &t, &[]);
    assert!(ids(&f).contains(&"MissingPackage.Dependency".to_string()), "{f:#?}");
}

// Regression: `publish = false` fuzz crates with one name in two nested workspaces were DuplicateName errors.
#[test]
fn unpublished_duplicates_are_allowed() {
    let fuzz = "[package]\nname = \"fuzz\"\nversion = \"0.0.0\"\npublish = false\n\n[workspace]\n";
    let t = tree(&[("a/fuzz/Cargo.toml", fuzz), ("b/fuzz/Cargo.toml", fuzz)]);
    assert!(t.problems.is_empty(), "{:#?}", t.problems);
    let public = "[package]\nname = \"fuzz\"\nversion = \"1.0.0\"\n";
    let t = tree(&[("a/fuzz/Cargo.toml", fuzz), ("c/Cargo.toml", public)]);
    assert!(t.problems.is_empty(), "{:#?}", t.problems);
    assert!(t.packages.values().next().expect("one").publish, "the publishable twin is the package");
    let t = tree(&[("c/Cargo.toml", public), ("d/Cargo.toml", public)]);
    assert_eq!(ids(&t.problems), vec!["MalformedManifest.DuplicateName"]);
}

// Regression: a registry requirement on an older line of an in-repo crate was UnsatisfiedInternalDependency.
#[test]
fn registry_pins_and_npm_file_deps() {
    let t = tree(&[
        ("foo/Cargo.toml", "[package]\nname = \"foo\"\nversion = \"0.66.0\"\n"),
        (
            "bar/Cargo.toml",
            "[package]\nname = \"bar\"\nversion = \"1.0.0\"\n\n[dependencies]\nfoo = { path = \"../foo\", version = \"0.66\" }\nfoo-065 = { package = \"foo\", version = \"0.65\" }\n",
        ),
        ("util-js/package.json", r#"{"name": "util-js", "version": "1.0.0"}"#),
        ("app/package.json", r#"{"name": "app", "version": "1.0.0", "dependencies": {"a": "file:../util-js"}}"#),
    ]);
    let (f, _) = check(&t, &t, &[]);
    assert!(f.is_empty(), "{f:#?}");
}

// Regression: a changed lockfile demanded a version bump when no config ignored it.
#[test]
fn lockfiles_never_need_a_bump() {
    let pkg = "[package]\nname = \"a\"\nversion = \"1.0.0\"\n";
    let t = tree(&[("a/Cargo.toml", pkg), ("w/package.json", r#"{"name": "w", "version": "1.0.0"}"#)]);
    let (f, _) = check(&t, &t, &["a/Cargo.lock", "w/package-lock.json", "w/yarn.lock", "w/pnpm-lock.yaml"]);
    assert!(f.is_empty(), "{f:#?}");
    let (f, _) = check(&t, &t, &["a/src/lib.rs"]);
    assert_eq!(ids(&f), vec!["ChangedWithoutVersionBump"]);
}

// Regression: `version.workspace = false` gave "ok" with no version.
#[test]
fn workspace_false_is_malformed() {
    let t = tree(&[("a/Cargo.toml", "[package]\nname = \"a\"\nversion.workspace = false\n")]);
    assert_eq!(ids(&t.problems), vec!["MalformedManifest.Invalid"]);
    assert!(t.problems[0].message.contains("workspace = false"), "{}", t.problems[0].message);
}

// Regression: smithy-rs kept `0.0.0-smithy-rs-head` in its manifests until the publisher stamped
// the real version, and every changed crate was a ChangedWithoutVersionBump error.
#[test]
fn a_placeholder_version_has_no_bump_to_check() {
    let pkg = |v: &str| format!("[package]\nname = \"a\"\nversion = \"{v}\"\n");
    for (version, expected) in [
        ("0.0.0-smithy-rs-head", "ChangedWithoutVersionBump.PlaceholderVersion"),
        ("0.0.0-development", "ChangedWithoutVersionBump.PlaceholderVersion"),
        ("0.0.0", "ChangedWithoutVersionBump"),
        ("1.0.0-beta.1", "ChangedWithoutVersionBump"),
    ] {
        let t = tree(&[("a/Cargo.toml", &pkg(version))]);
        let (f, _) = check(&t, &t, &["a/src/lib.rs"]);
        assert_eq!(ids(&f), vec![expected], "{version}: {f:#?}");
        let severity = if expected.ends_with("PlaceholderVersion") { "note" } else { "error" };
        assert_eq!(f[0].severity.to_string(), severity, "{version}");
    }
}
