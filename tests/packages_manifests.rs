//! Manifest reading: broken input is a finding or an error naming file and line, never a panic;
//! errors render as miette diagnostics; every release rule has a fixture scenario.
use shipgate::parse::packages::tree::{Selection, load_tree};
use shipgate::rules::catalog::{self, Category};
use shipgate::rules::release::parse_candidate_manifest;
use std::path::Path;

fn fixture_manifests() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/packages");
    let mut out = Vec::new();
    for e in walkdir::WalkDir::new(&root).sort_by_file_name() {
        let e = e.expect("fixtures are readable");
        let name = e.file_name().to_string_lossy();
        if name == "Cargo.toml" || name == "package.json" {
            let text = std::fs::read_to_string(e.path()).expect("fixture is text");
            let rel = e.path().strip_prefix(&root).expect("below root").to_string_lossy().replace('\\', "/");
            out.push((rel, text));
        }
    }
    out
}

// Regression: slicing at byte offsets must never split a character or run past the end.
#[test]
fn truncated_and_mangled_manifests_never_panic() {
    let mut seen = std::collections::BTreeSet::new();
    for (path, text) in fixture_manifests() {
        if !seen.insert(text.clone()) {
            continue;
        }
        let name = if path.ends_with("Cargo.toml") { "x/Cargo.toml" } else { "x/package.json" };
        let mut cuts: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        cuts.push(text.len());
        for cut in cuts {
            for variant in [text[..cut].to_string(), format!("{}é\"{{[", &text[..cut])] {
                let files = vec![(name.to_string(), variant.into_bytes())];
                let tree = load_tree(&files, &Selection::default());
                for f in &tree.problems {
                    assert!(f.path.is_some(), "{f:?}");
                }
            }
        }
    }
    for weird in ["npm:é@1", "npm:", "workspace:", "é", "file:", "npm:@", "npm:@@"] {
        let _ = shipgate::parse::packages::npm::Spec::parse(weird);
    }
    for weird in ["é", "[", "[é", "{", "", "[[package]]\nname = 'é'\nversion = '1.0.0'\n"] {
        let _ = parse_candidate_manifest("rc", weird);
    }
}

#[test]
fn errors_render_with_file_line_and_help() {
    let files = vec![("crates/e/Cargo.toml".to_string(), b"[package]\nname = \"e\"\nversion = 1.0.0\n".to_vec())];
    let tree = load_tree(&files, &Selection::default());
    assert_eq!(tree.problems.len(), 1);
    assert_eq!(tree.problems[0].line, Some(3));
    assert_eq!(tree.problems[0].path.as_deref(), Some("crates/e/Cargo.toml"));

    let err = shipgate::parse::packages::cargo::parse_manifest(
        "crates/e/Cargo.toml",
        "[package]\nname = \"e\"\nversion = 1.0.0\n",
    )
    .expect_err("broken");
    let mut out = String::new();
    miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
        .render_report(&mut out, &err as &dyn miette::Diagnostic)
        .expect("renders");
    assert!(out.contains("crates/e/Cargo.toml:3"), "{out}");
    assert!(out.contains("shipgate::manifest::syntax"), "{out}");
    assert!(out.contains("fix the TOML syntax"), "{out}");

    // A bad selection glob fails when the selection is compiled (the config's load), before any tree.
    let err = Selection::new(None, Some(&["clients/[".into()]), &[]).expect_err("bad glob");
    assert_eq!(err.glob, "clients/[");
}

#[test]
fn every_release_rule_has_a_fixture_scenario() {
    let snapshots = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let mut all = String::new();
    for e in std::fs::read_dir(&snapshots).expect("snapshots exist") {
        let e = e.expect("readable");
        if e.file_name().to_string_lossy().starts_with("packages_rules__") {
            all.push_str(&std::fs::read_to_string(e.path()).expect("snapshot is text"));
        }
    }
    let release: Vec<&str> =
        catalog::all().iter().filter(|r| r.category == Category::Release).map(|r| r.id.as_str()).collect();
    for id in [
        "MissingPackage",
        "UnsatisfiedInternalDependency",
        "MisalignedDependency",
        "BehindMainline",
        "ChangedWithoutVersionBump",
        "VersionDecreased",
        "RemovedPackage",
        "BreakingChangeWithoutMajorBump",
        "MalformedManifest",
        "InternalDependencyCycle",
        "CandidateMismatch",
    ] {
        assert!(release.contains(&id), "rules/{id}.toml is missing or not category = \"release\"");
        assert!(all.contains(&format!("\"rule\": \"{id}\"")), "no fixture scenario fires {id}");
    }
}
