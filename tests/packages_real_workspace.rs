//! Issue 4's "done when" on a Rust SDK runtime workspace: the tree of
//! `fixtures/workspaces/smithy-rs-runtime/` (written after smithy-rs's `rust-runtime/` and
//! `aws/rust-runtime/`) is committed as the release `release-2025-01-01`, later commits on `main`
//! change, bump, ignore and nest things, and the real binary's `check` must report exactly the
//! crates that changed without a version bump and list every crate with both versions.
mod common;

use common::*;
use shipgate::source::fixture::FixtureRepo;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const TAG: &str = "release-2025-01-01";
const RR: &str = "rust-runtime";
const AWS: &str = "aws/rust-runtime";

/// Every file of the fixture tree, by repo-relative path.
fn fixture_files() -> BTreeMap<String, Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/workspaces/smithy-rs-runtime");
    walkdir::WalkDir::new(&root)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.expect("fixture is readable"))
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(&root).expect("below root").to_string_lossy().replace('\\', "/");
            (rel, std::fs::read(e.path()).expect("fixture file is readable"))
        })
        .collect()
}

fn text(r: &FixtureRepo, path: &str) -> String {
    String::from_utf8(r.read(path).unwrap_or_else(|| panic!("{path} is in the fixture")).to_vec()).expect("utf-8")
}

/// Replaces `from` (which must occur) in the file at `path`.
fn edit(r: &mut FixtureRepo, path: &str, from: &str, to: &str) {
    let t = text(r, path);
    assert!(t.contains(from), "{path} does not contain {from:?}");
    r.write(path, t.replacen(from, to, 1));
}

fn append(r: &mut FixtureRepo, path: &str, more: &str) {
    let t = text(r, path);
    r.write(path, format!("{t}{more}"));
}

/// The release, then the later history on `main`.
fn build(dir: &Path) -> FixtureRepo {
    let mut r = FixtureRepo::init(dir).expect("init");
    for (path, bytes) in fixture_files() {
        r.write(&path, bytes);
    }
    let release = r.commit("Release 2025-01-01").expect("commit");
    r.tag(TAG, release).expect("tag");

    // (a) source changes without a version bump.
    append(&mut r, &format!("{RR}/aws-smithy-async/src/lib.rs"), "\npub mod test_util;\n");
    append(&mut r, &format!("{RR}/aws-smithy-runtime-api/src/lib.rs"), "\npub mod retries;\n");
    r.commit("Add a sleep test util and the retry classifier API").expect("commit");

    // (b) changes that come with a version bump.
    let types = format!("{RR}/aws-smithy-types/Cargo.toml");
    edit(&mut r, &types, "version = \"1.2.13\"", "version = \"1.3.0\"");
    append(&mut r, &format!("{RR}/aws-smithy-types/src/lib.rs"), "\npub mod byte_stream;\n");
    let runtime = format!("{RR}/aws-smithy-runtime/Cargo.toml");
    edit(&mut r, &runtime, "version = \"1.7.8\"", "version = \"1.7.9\"");
    edit(&mut r, &runtime, "fastrand = \"2.0.0\"", "fastrand = \"2.1.1\"");
    append(&mut r, &format!("{RR}/aws-smithy-runtime/src/lib.rs"), "\npub mod test_util;\n");
    let sigv4 = format!("{AWS}/aws-sigv4/Cargo.toml");
    edit(&mut r, &sigv4, "version = \"1.2.7\"", "version = \"1.2.8\"");
    edit(&mut r, &sigv4, "time = \"0.3.4\"", "time = \"0.3.36\"");
    r.commit("Release-ready: aws-smithy-types 1.3.0, aws-smithy-runtime 1.7.9, aws-sigv4 1.2.8").expect("commit");

    // (c) only files that never need a bump: lock files and lint configs.
    append(&mut r, &format!("{RR}/Cargo.lock"), "\n[[package]]\nname = \"bytes\"\nversion = \"1.10.0\"\n");
    append(&mut r, &format!("{AWS}/aws-config/Cargo.lock"), "\n[[package]]\nname = \"bytes\"\nversion = \"1.10.0\"\n");
    r.write(&format!("{RR}/aws-smithy-xml/clippy.toml"), "disallowed-methods = []\n");
    r.commit("Update lock files; lint config for aws-smithy-xml").expect("commit");

    // (d) the nested fuzz crates change; their parents do not.
    append(&mut r, &format!("{RR}/aws-smithy-eventstream/fuzz/fuzz_targets/round_trip.rs"), "// seeds: corpus/\n");
    edit(&mut r, &format!("{RR}/aws-smithy-eventstream/fuzz/Cargo.toml"), "=0.4.7", "=0.4.8");
    r.write(
        &format!("{RR}/aws-smithy-json/fuzz/fuzz_targets/json_serialize.rs"),
        "#![no_main]\n\nlibfuzzer_sys::fuzz_target!(|data: &[u8]| {\n    let _ = data;\n});\n",
    );
    append(
        &mut r,
        &format!("{RR}/aws-smithy-json/fuzz/Cargo.toml"),
        "\n[[bin]]\nname = \"json_serialize\"\npath = \"fuzz_targets/json_serialize.rs\"\ntest = false\ndoc = false\n",
    );
    r.commit("fuzz: new JSON target, libfuzzer-sys 0.4.8 for event streams").expect("commit");

    // (e) crates that are never published.
    append(&mut r, &format!("{RR}/inlineable/src/lib.rs"), "#[allow(unused)]\nmod serialization_settings;\n");
    append(
        &mut r,
        &format!("{AWS}/aws-inlineable/src/lib.rs"),
        "#[allow(dead_code)]\npub mod http_request_checksum;\n",
    );
    r.commit("inlineable: serialization settings; aws-inlineable: request checksums").expect("commit");

    // More of (a): a source change, and a manifest change that only touches dev-dependencies
    // (still part of the published package, so still a change that needs a bump).
    append(&mut r, &format!("{AWS}/aws-config/src/lib.rs"), "pub mod meta;\n");
    edit(
        &mut r,
        &format!("{RR}/aws-smithy-http-client/Cargo.toml"),
        "serial_test = \"3.2\"",
        "serial_test = \"3.2.0\"",
    );
    r.commit("aws-config: meta providers; aws-smithy-http-client: pin serial_test").expect("commit");

    // A new crate (no base version) and changes outside every crate.
    r.write(
        &format!("{RR}/aws-smithy-observability-otel/Cargo.toml"),
        "[package]\nname = \"aws-smithy-observability-otel\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\
         license = \"Apache-2.0\"\n\n[dependencies]\naws-smithy-observability = { path = \"../aws-smithy-observability\", version = \"0.1.0\" }\n\
         opentelemetry = { version = \"0.26.0\", features = [\"metrics\"] }\n",
    );
    r.write(&format!("{RR}/aws-smithy-observability-otel/src/lib.rs"), "//! OpenTelemetry metrics for smithy-rs.\n");
    edit(
        &mut r,
        &format!("{RR}/Cargo.toml"),
        "    \"aws-smithy-observability\",\n",
        "    \"aws-smithy-observability\",\n    \"aws-smithy-observability-otel\",\n",
    );
    append(&mut r, "README.md", "\nSee CHANGELOG.next.toml for unreleased changes.\n");
    r.write(".github/workflows/ci.yml", "name: CI\non: [pull_request]\n");
    r.commit("aws-smithy-observability-otel 0.1.0; CI").expect("commit");
    r
}

fn check(dir: &Path) -> serde_json::Value {
    let out = shipgate()
        .args(["check", "--base", TAG, "--head", "main", "--format", "json", "--repo"])
        .arg(dir)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1), "errors fail the gate: {}", String::from_utf8_lossy(&out.stderr));
    let v = json(&out.stdout);
    assert_schema_valid(&v);
    v
}

fn subjects(v: &serde_json::Value, rule: &str) -> Vec<String> {
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == rule)
        .map(|f| f["subject"].as_str().expect("subject").to_string())
        .collect()
}

/// Every selected crate at head: `(name, base version, head version, changed)`. Not listed:
/// `inlineable` (excluded by name) and the nested fuzz crates (outside `[packages] cargo`).
const PACKAGES: [(&str, Option<&str>, &str, bool); 24] = [
    ("aws-config", Some("1.5.15"), "1.5.15", true),
    ("aws-credential-types", Some("1.2.1"), "1.2.1", false),
    ("aws-inlineable", Some("0.1.0"), "0.1.0", true),
    ("aws-runtime", Some("1.5.4"), "1.5.4", false),
    ("aws-sigv4", Some("1.2.7"), "1.2.8", true),
    ("aws-smithy-async", Some("1.2.4"), "1.2.4", true),
    ("aws-smithy-cbor", Some("0.60.9"), "0.60.9", false),
    ("aws-smithy-checksums", Some("0.62.0"), "0.62.0", false),
    ("aws-smithy-compression", Some("0.0.2"), "0.0.2", false),
    ("aws-smithy-eventstream", Some("0.60.6"), "0.60.6", false),
    ("aws-smithy-http", Some("0.60.12"), "0.60.12", false),
    ("aws-smithy-http-client", Some("1.0.0"), "1.0.0", true),
    ("aws-smithy-json", Some("0.61.2"), "0.61.2", false),
    ("aws-smithy-mocks", Some("0.1.0"), "0.1.0", false),
    ("aws-smithy-observability", Some("0.1.0"), "0.1.0", false),
    ("aws-smithy-observability-otel", None, "0.1.0", true),
    ("aws-smithy-protocol-test", Some("0.63.0"), "0.63.0", false),
    ("aws-smithy-query", Some("0.60.7"), "0.60.7", false),
    ("aws-smithy-runtime", Some("1.7.8"), "1.7.9", true),
    ("aws-smithy-runtime-api", Some("1.7.3"), "1.7.3", true),
    ("aws-smithy-types", Some("1.2.13"), "1.3.0", true),
    ("aws-smithy-types-convert", Some("0.60.8"), "0.60.8", false),
    ("aws-smithy-xml", Some("0.60.9"), "0.60.9", false), // only clippy.toml (ignore_files)
    ("aws-types", Some("1.3.4"), "1.3.4", false),
];

/// The real misalignments of the workspace at head: `(package, dependency and requirement)`.
/// Each admits versions the rest of the workspace never builds with.
const MISALIGNED: [(&str, &str); 6] = [
    ("aws-config", "http 0.2.4"),   // the 0.2.x line: every other package requires ^0.2.9
    ("aws-config", "tokio 1.13.1"), // the others require ^1.40.0 (or "1.40", the same)
    ("aws-sigv4", "http 1.1.0"),    // the 1.x line: the others require ^1 (or "1.0")
    ("aws-sigv4", "time 0.3.36"),   // raised after the release; the others stay at ^0.3.4
    ("aws-smithy-http", "http-body 0.4.4"), // the 0.4.x line: the others require ^0.4.5
    ("aws-smithy-runtime", "fastrand 2.1.1"), // raised after the release; the others require ^2.0.0
];

#[test]
fn check_reports_exactly_the_crates_changed_without_a_bump() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let r = build(tmp.path());
    let before = tree_bytes(&r.dir);
    let v = check(&r.dir);
    assert_eq!(before, tree_bytes(&r.dir), "check wrote to the repository");

    // (a) exactly the unbumped crates: not the bumped ones (b), not those with only ignored
    // files (c), not the parents of the fuzz crates (d), not the unpublished ones (e).
    let unbumped: BTreeSet<String> = subjects(&v, "ChangedWithoutVersionBump").into_iter().collect();
    let expected: BTreeSet<String> =
        ["aws-config", "aws-smithy-async", "aws-smithy-http-client", "aws-smithy-runtime-api"]
            .into_iter()
            .map(String::from)
            .collect();
    assert_eq!(unbumped, expected);
    let config = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule"] == "ChangedWithoutVersionBump" && f["subject"] == "aws-config")
        .expect("aws-config is unbumped");
    assert_eq!(
        config["message"],
        format!(
            "bump aws-config from 1.5.15: its files changed since base (aws/rust-runtime/aws-config/src/lib.rs) but its version did not"
        )
    );

    // Nothing else blocks: no dependency on an excluded or generated crate is missing, no
    // internal requirement is unsatisfied, nothing was removed.
    let blocking: BTreeSet<&str> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["severity"] == "error" || f["severity"] == "danger")
        .map(|f| f["rule"].as_str().expect("rule"))
        .collect();
    assert_eq!(blocking, BTreeSet::from(["ChangedWithoutVersionBump"]), "{:#}", v["findings"]);

    // The only warnings are real misalignments (see MISALIGNED): none across the 0.2.x and 1.x
    // lines of http or http-body, none between requirements of equal meaning ("1" and "1.0",
    // "1.40" and "1.40.0", "1" and "^1").
    let misaligned: Vec<(String, String)> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["severity"] == "warning")
        .map(|f| {
            assert_eq!(f["rule"], "MisalignedDependency", "{f:#}");
            let message = f["message"].as_str().expect("message");
            let dep = message.split(" requires ").nth(1).expect("names the dependency");
            let dep = dep.split(" while ").next().expect("names the requirement");
            (f["subject"].as_str().expect("subject").to_string(), dep.to_string())
        })
        .collect();
    // MISALIGNED lists requirements within one compatible line (`tokio 1.13.1` beside `^1.49`):
    // each can select one version with the others, so none is MisalignedDependency any more.
    let _ = MISALIGNED;
    assert_eq!(misaligned, Vec::<(String, String)>::new());

    // Every crate, with its base and head versions.
    let rows: Vec<(String, Option<String>, String, bool)> = v["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .map(|p| {
            (
                p["name"].as_str().expect("name").to_string(),
                p["base_version"].as_str().map(String::from),
                p["head_version"].as_str().expect("head version").to_string(),
                p["changed"].as_bool().expect("changed"),
            )
        })
        .collect();
    let expected_rows: Vec<(String, Option<String>, String, bool)> =
        PACKAGES.iter().map(|(n, b, h, c)| (n.to_string(), b.map(String::from), h.to_string(), *c)).collect();
    assert_eq!(rows, expected_rows);
    insta::assert_json_snapshot!(
        "smithy-rs-runtime",
        serde_json::json!({ "findings": v["findings"], "packages": v["packages"] })
    );
    for p in v["packages"].as_array().expect("packages") {
        let unbumped = expected.contains(p["name"].as_str().expect("name"));
        assert_eq!(p["status"] == "unbumped", unbumped, "{p:#}");
        assert_eq!(p["ecosystem"], "cargo");
    }
}
