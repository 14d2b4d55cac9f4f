//! Shared helpers for command-level tests: the real binary, fixture repositories built
//! in-process with pinned dates (same object ids everywhere), and a snapshot of a directory's
//! bytes to prove commands never write to the repository they read.
#![allow(dead_code)]
use std::collections::BTreeMap;
use std::path::Path;

pub fn shipgate() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("shipgate").expect("the binary is built for tests");
    cmd.env("NO_COLOR", "1");
    cmd
}

/// Every file below `dir` with its bytes (including `.git`).
pub fn tree_bytes(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().strip_prefix(dir).expect("below dir").display().to_string(),
                std::fs::read(e.path()).expect("readable"),
            )
        })
        .collect()
}

pub fn git_available() -> bool {
    std::process::Command::new("git").arg("--version").output().is_ok_and(|o| o.status.success())
}

pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git").arg("-C").arg(dir).args(args).output().expect("git runs");
    assert!(out.status.success(), "git {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn json(out: &[u8]) -> serde_json::Value {
    serde_json::from_slice(out).unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", String::from_utf8_lossy(out)))
}

/// Validates `value` against the shipped report schema.
pub fn assert_schema_valid(value: &serde_json::Value) {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../../schema/report.schema.json")).expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = validator.iter_errors(value).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "report does not match schema/report.schema.json:\n{}", errors.join("\n"));
}

/// `shipgate <args> --format json --repo <dir>`: the report, which must succeed and match the
/// shipped schema.
pub fn json_report(args: &[&str], dir: &Path) -> serde_json::Value {
    let out = shipgate()
        .args(args)
        .args(["--format", "json", "--repo"])
        .arg(dir)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v = json(&out);
    assert_schema_valid(&v);
    v
}

/// `shipgate diff --base v1 --head main --format json` on `dir` (see [`json_report`]).
pub fn diff_v1_main_json(dir: &Path) -> serde_json::Value {
    json_report(&["diff", "--base", "v1", "--head", "main"], dir)
}

/// Every finding's id and severity are ones its rule file declares (`rules/<Rule>.toml`, see
/// `catalog::declares`); suppressed and re-levelled findings took the model's severity instead.
pub fn assert_declared(what: &str, findings: &[shipgate::finding::Finding]) {
    let undeclared: Vec<String> = findings
        .iter()
        .filter(|f| f.severity != shipgate::finding::Severity::Suppressed && f.suppression.is_none())
        .filter(|f| !shipgate::rules::catalog::declares(&f.id, f.severity))
        .map(|f| format!("[{}] {}", f.severity, f.id))
        .collect();
    assert!(undeclared.is_empty(), "{what}: severities not declared in rules/*.toml: {undeclared:?}");
}
