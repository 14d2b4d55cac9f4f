//! `shipgate replay`: every release checked against the one before it with the current config.
mod common;

use common::*;
use shipgate::source::fixture::FixtureRepo;

fn krate(name: &str, version: &str, deps: &str) -> String {
    format!("[package]\nname = \"{name}\"\nversion = \"{version}\"\n\n[dependencies]\n{deps}\n")
}

/// Four releases: v1; v2 bumps `app` cleanly; v3 changes `app` without a bump (blocks) and keeps
/// an inherited problem (`tool` requires core 2, core is 1.0.0, since v1); v4 bumps app. A tag
/// that is not a release (`nightly`) sits between v2 and v3.
fn releases(dir: &std::path::Path) -> FixtureRepo {
    let mut r = FixtureRepo::init(dir).expect("init");
    r.write("crates/core/Cargo.toml", krate("core", "1.0.0", ""));
    r.write("crates/tool/Cargo.toml", krate("tool", "1.0.0", "core = { path = \"../core\", version = \"2\" }"));
    r.write("crates/app/Cargo.toml", krate("app", "1.0.0", ""));
    r.write("crates/app/src/lib.rs", "pub fn v1() {}\n");
    let v1 = r.commit("v1").expect("commit");
    r.tag("v1", v1).expect("tag");
    r.write("crates/app/Cargo.toml", krate("app", "1.1.0", ""));
    r.write("crates/app/src/lib.rs", "pub fn v2() {}\n");
    let v2 = r.commit("v2").expect("commit");
    r.tag("v2", v2).expect("tag");
    r.write("README.md", "nightly\n");
    let n = r.commit("nightly").expect("commit");
    r.tag("nightly", n).expect("tag");
    r.write("crates/app/src/lib.rs", "pub fn v3() {}\n");
    let v3 = r.commit("v3").expect("commit");
    r.tag("v3", v3).expect("tag");
    r.write("crates/app/Cargo.toml", krate("app", "1.2.0", ""));
    let v4 = r.commit("v4").expect("commit");
    r.tag("v4", v4).expect("tag");
    r
}

fn replay(dir: &std::path::Path, config: &str, args: &[&str]) -> std::process::Output {
    let cfg = dir.join("cfg.toml");
    std::fs::write(&cfg, config).expect("write config");
    shipgate()
        .arg("replay")
        .args(args)
        .arg("--config")
        .arg(&cfg)
        .arg("--repo")
        .arg(dir.join("repo"))
        .output()
        .expect("runs")
}

const CONFIG: &str = "release_tags = \"v*\"\n";

#[test]
fn replay_checks_every_release_against_the_previous_one() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let r = releases(&tmp.path().join("repo"));
    let before = tree_bytes(&r.dir);
    let out = replay(tmp.path(), CONFIG, &["--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "replay never gates: {}", String::from_utf8_lossy(&out.stderr));
    let v = json(&out.stdout);
    assert_eq!(v["command"], "replay");
    let rows: Vec<(String, String, String)> = v["releases"]
        .as_array()
        .expect("releases")
        .iter()
        .map(|r| {
            let s = |x: &serde_json::Value| x.as_str().expect("string").to_string();
            (s(&r["head"]["rev"]), s(&r["base"]["rev"]), s(&r["verdict"]))
        })
        .collect();
    let row = |h: &str, b: &str, verdict: &str| (h.to_string(), b.to_string(), verdict.to_string());
    assert_eq!(rows, vec![row("v2", "v1", "pass"), row("v3", "v2", "fail"), row("v4", "v3", "pass")]);
    let v3 = &v["releases"][1];
    assert_eq!(v3["blocking"], serde_json::json!({ "ChangedWithoutVersionBump": 1 }));
    assert_eq!(v3["top_blockers"][0]["subject"], "app");
    assert_eq!(v3["pre_existing"], 1, "tool's requirement is inherited from v1 and never blocks");
    assert_eq!(v["summary"]["pass"], 2);
    assert_eq!(v["summary"]["fail"], 1);
    assert_eq!(v["summary"]["rules"]["ChangedWithoutVersionBump"]["releases_blocked"], 1);

    // The same verdicts as `check` gives for each pair.
    for (head, base, verdict) in &rows {
        let out = shipgate()
            .args(["check", "--base", base, "--head", head, "--config"])
            .arg(tmp.path().join("cfg.toml"))
            .arg("--repo")
            .arg(&r.dir)
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(if verdict == "pass" { 0 } else { 1 }), "{base}..{head}");
    }

    let table = String::from_utf8(replay(tmp.path(), CONFIG, &[]).stdout).expect("utf-8");
    assert!(table.contains("3 release(s) replayed: 2 pass, 1 fail"), "{table}");
    assert!(table.contains("ChangedWithoutVersionBump ×1"), "{table}");
    let md = String::from_utf8(replay(tmp.path(), CONFIG, &["--format", "md"]).stdout).expect("utf-8");
    assert!(md.contains("| `v3` | `v2` | **fail** | `ChangedWithoutVersionBump` ×1 |"), "{md}");
    assert_eq!(before, tree_bytes(&r.dir));
}

#[test]
fn replay_last_and_since_select_releases() {
    let tmp = tempfile::tempdir().expect("tempdir");
    releases(&tmp.path().join("repo"));
    let heads = |args: &[&str]| -> Vec<String> {
        let mut a = vec!["--format", "json"];
        a.extend(args);
        let v = json(&replay(tmp.path(), CONFIG, &a).stdout);
        v["releases"]
            .as_array()
            .expect("releases")
            .iter()
            .map(|r| r["head"]["rev"].as_str().expect("rev").to_string())
            .collect()
    };
    assert_eq!(heads(&["--last", "1"]), vec!["v4"]);
    assert_eq!(heads(&["--since", "v2"]), vec!["v3", "v4"]);
    let out = replay(tmp.path(), CONFIG, &["--since", "v9"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a release tag"));
    let out = replay(tmp.path(), "release_tags = \"release-*\"\n", &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("set `release_tags`"));
}
