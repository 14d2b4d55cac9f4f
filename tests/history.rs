//! The gate and history: closest-safe with known culprits, exceptions end to end, and the
//! release-size baseline.
mod common;

use common::*;
use shipgate::source::fixture::{FixtureRepo, weather_model};

/// Mainline with two independent problems introduced at different commits, one fixed before the
/// tip. Returns (repo, commit ids oldest first: release, c1..c5).
fn broken_mainline(dir: &std::path::Path) -> (FixtureRepo, Vec<String>) {
    let mut r = FixtureRepo::init(dir).expect("init");
    let billing = |target: &str| {
        format!(
            r#"{{"smithy": "2.0", "shapes": {{
  "example.billing#Invoice": {{"type": "structure", "members": {{"total": {{"target": "{target}"}}}}}}
}}}}
"#
        )
    };
    r.write("models/weather.json", weather_model(&["GetForecast", "ListCities"], false));
    r.write("models/billing.json", billing("smithy.api#Long"));
    let mut ids = vec![r.commit("release").expect("commit")];
    r.tag("release-1", ids[0]).expect("tag");
    r.write("models/weather.json", weather_model(&["GetForecast", "ListCities", "GetAlerts"], false));
    ids.push(r.commit("c1: add GetAlerts").expect("commit"));
    r.write("models/weather.json", weather_model(&["GetForecast", "GetAlerts"], false));
    ids.push(r.commit("c2: drop ListCities").expect("commit"));
    r.write("README.md", "docs\n");
    ids.push(r.commit("c3: docs").expect("commit"));
    r.write("models/billing.json", billing("smithy.api#String"));
    ids.push(r.commit("c4: total becomes a string").expect("commit"));
    r.write("models/weather.json", weather_model(&["GetForecast", "ListCities", "GetAlerts"], false));
    ids.push(r.commit("c5: restore ListCities").expect("commit"));
    r.set_ref("refs/remotes/origin/main", ids[5]).expect("ref");
    (r, ids.iter().map(|i| i.to_string()).collect())
}

#[test]
fn closest_safe_finds_the_right_commit_and_culprits() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (r, ids) = broken_mainline(tmp.path());
    let before = tree_bytes(&r.dir);
    let v = json_report(&["closest-safe", "--base", "release-1", "--mainline", "origin/main"], &r.dir);
    let cs = &v["closest_safe"];
    assert_eq!(cs["commit"].as_str(), Some(ids[1].as_str()), "c1 is the newest safe commit");
    assert_eq!(cs["distance"], 4);
    let left: Vec<&str> = cs["left_out"].as_array().expect("left_out").iter().filter_map(|l| l.as_str()).collect();
    assert_eq!(left, vec![ids[5].as_str(), ids[4].as_str(), ids[3].as_str(), ids[2].as_str()]);
    let details: Vec<&str> =
        cs["left_out_details"].as_array().expect("details").iter().filter_map(|l| l["commit"].as_str()).collect();
    assert_eq!(details, left, "the details list the same commits, with their subjects");
    // The tip's blockers were all introduced by c4 (the billing change).
    let blocking: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["severity"] == "error" || f["severity"] == "danger")
        .collect();
    assert!(!blocking.is_empty());
    for f in &blocking {
        assert_eq!(f["introduced_by"].as_str(), Some(ids[4].as_str()), "{f}");
        assert_eq!(f["subject"].as_str().map(|s| s.starts_with("example.billing#")), Some(true));
    }
    // The ListCities removal blocked c2..c4 and was fixed at c5: named with its culprit.
    let notes = v["notes"].as_array().expect("notes");
    assert!(
        notes.iter().any(|n| n.as_str().is_some_and(|n| n.contains("ListCities") && n.contains(&ids[2]))),
        "{notes:?}"
    );
    assert_eq!(before, tree_bytes(&r.dir));
}

#[test]
fn closest_safe_honours_max_commits_and_reports_none_safe() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (r, _) = broken_mainline(tmp.path());
    let out = shipgate()
        .args([
            "closest-safe",
            "--base",
            "release-1",
            "--mainline",
            "origin/main",
            "--max-commits",
            "2",
            "--format",
            "json",
            "--repo",
        ])
        .arg(&r.dir)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v = json(&out);
    assert_eq!(v["closest_safe"]["commit"], serde_json::Value::Null);
    assert_eq!(v["closest_safe"]["candidates_checked"], 2);
}

fn check_json(dir: &std::path::Path, config: &str, extra: &[&str]) -> (i32, serde_json::Value) {
    let cfg = dir.join("cfg.toml");
    std::fs::write(&cfg, config).expect("write config");
    let out = shipgate()
        .args([
            "check",
            "--base",
            "release-1",
            "--head",
            "origin/main",
            "--mainline",
            "origin/main",
            "--format",
            "json",
            "--config",
        ])
        .arg(&cfg)
        .arg("--repo")
        .arg(dir.join("repo"))
        .args(extra)
        .output()
        .expect("runs");
    let code = out.status.code().expect("exit code");
    assert!(code != 2, "check failed to run: {}", String::from_utf8_lossy(&out.stderr));
    (code, json(&out.stdout))
}

#[test]
fn exceptions_except_and_expired_ones_do_not() {
    let tmp = tempfile::tempdir().expect("tempdir");
    broken_mainline(&tmp.path().join("repo"));
    let (code, v) = check_json(tmp.path(), "", &[]);
    assert_eq!(code, 1, "the billing change blocks");

    let valid = "[[exceptions]]\nrule = \"ChangedShapeType\"\nsubject = \"example.billing#*\"\nreason = \"billing is unreleased\"\napproved_by = \"rm@example.com\"\nexpires = \"2026-12-31\"\n\
                 [[exceptions]]\nrule = \"ChangedMemberTarget\"\nsubject = \"example.billing#*\"\nreason = \"billing is unreleased\"\napproved_by = \"rm@example.com\"\nexpires = \"2026-12-31\"\n";
    let blocking: Vec<String> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["severity"] == "error" || f["severity"] == "danger")
        .map(|f| f["rule"].as_str().expect("rule").to_string())
        .collect();
    let (code, v) = check_json(tmp.path(), valid, &["--date", "2026-11-22"]);
    assert_eq!(code, 0, "every blocker ({blocking:?}) is excepted: {v:#}");
    let excepted: Vec<&serde_json::Value> =
        v["findings"].as_array().expect("findings").iter().filter(|f| !f["exception"].is_null()).collect();
    assert!(!excepted.is_empty());
    assert_eq!(excepted[0]["exception"]["approved_by"], "rm@example.com");
    assert_eq!(v["verdict"], "pass");

    // The same exceptions after their expiry day: they except nothing, and say so.
    let (code, v) = check_json(tmp.path(), valid, &["--date", "2027-01-01"]);
    assert_eq!(code, 1);
    let rules: Vec<&str> =
        v["findings"].as_array().expect("findings").iter().filter_map(|f| f["id"].as_str()).collect();
    assert!(rules.contains(&"ExpiredException.Expired"), "{rules:?}");
}
