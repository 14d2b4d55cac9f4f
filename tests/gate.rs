//! Gate semantics: a finding that also holds at base is pre-existing (listed, not blocking unless
//! `[gate] pre_existing = "block"`), one that held at base and no longer does is resolved, and
//! `check --base X --head X` passes whatever X inherits.
mod common;

use common::*;
use shipgate::source::fixture::FixtureRepo;

fn krate(name: &str, version: &str, deps: &str) -> String {
    format!("[package]\nname = \"{name}\"\nversion = \"{version}\"\n\n[dependencies]\n{deps}\n")
}

/// `release-1`: `tool` requires `core = "2"` while core is 1.0.0 and `app` requires `lib = "3"`
/// while lib is 1.0.0 (two UnsatisfiedInternalDependency errors). Then, on main:
/// - c1 fixes `app`'s requirement on lib and bumps app (that finding is resolved);
/// - c2 makes `app` require `core = "5"` (a new UnsatisfiedInternalDependency);
/// - c3 fixes that and adds the crate `extra` (the new problem is gone; `tool`'s stays).
///
/// Returns (repo, commit ids oldest first: release, c1, c2, c3).
fn inherited(dir: &std::path::Path) -> (FixtureRepo, Vec<String>) {
    let mut r = FixtureRepo::init(dir).expect("init");
    let dep = |name: &str, req: &str| format!("{name} = {{ path = \"../{name}\", version = \"{req}\" }}\n");
    r.write("crates/core/Cargo.toml", krate("core", "1.0.0", ""));
    r.write("crates/lib/Cargo.toml", krate("lib", "1.0.0", ""));
    r.write("crates/tool/Cargo.toml", krate("tool", "1.0.0", &dep("core", "2")));
    r.write("crates/app/Cargo.toml", krate("app", "1.0.0", &dep("lib", "3")));
    let mut ids = vec![r.commit("release").expect("commit")];
    r.tag("release-1", ids[0]).expect("tag");
    r.write("crates/app/Cargo.toml", krate("app", "1.0.1", &dep("lib", "1")));
    ids.push(r.commit("c1: app requires the lib it has").expect("commit"));
    r.write("crates/app/Cargo.toml", krate("app", "1.0.2", &(dep("lib", "1") + &dep("core", "5"))));
    ids.push(r.commit("c2: app requires core 5").expect("commit"));
    r.write("crates/app/Cargo.toml", krate("app", "1.0.3", &(dep("lib", "1") + &dep("core", "1"))));
    r.write("crates/extra/Cargo.toml", krate("extra", "1.0.0", ""));
    ids.push(r.commit("c3: app requires core 1; add extra").expect("commit"));
    (r, ids.iter().map(|i| i.to_string()).collect())
}

/// Runs shipgate with `config` (written next to the repository) and returns (exit code, JSON).
fn run(dir: &std::path::Path, config: &str, args: &[&str]) -> (i32, serde_json::Value) {
    let cfg = dir.join("cfg.toml");
    std::fs::write(&cfg, config).expect("write config");
    let out = shipgate()
        .args(args)
        .args(["--format", "json", "--config"])
        .arg(&cfg)
        .arg("--repo")
        .arg(dir.join("repo"))
        .output()
        .expect("runs");
    let code = out.status.code().expect("exit code");
    assert!(code != 2, "shipgate could not run: {}", String::from_utf8_lossy(&out.stderr));
    let v = json(&out.stdout);
    assert_schema_valid(&v);
    (code, v)
}

fn findings<'a>(v: &'a serde_json::Value, rule: &str) -> Vec<&'a serde_json::Value> {
    v["findings"].as_array().expect("findings").iter().filter(|f| f["rule"] == rule).collect()
}

/// The one finding of `rule` on `subject` whose message names `detail`.
fn find<'a>(v: &'a serde_json::Value, rule: &str, subject: &str, detail: &str) -> &'a serde_json::Value {
    let found: Vec<_> = findings(v, rule)
        .into_iter()
        .filter(|f| f["subject"] == subject && f["message"].as_str().is_some_and(|m| m.contains(detail)))
        .collect();
    assert_eq!(found.len(), 1, "one {rule} on {subject} naming {detail}: {v:#}");
    found[0]
}

const UNSAT: &str = "UnsatisfiedInternalDependency";

// Regression: a problem already present at base blocked every run, even one that changed nothing.
#[test]
fn a_problem_present_at_base_does_not_block_and_a_new_one_does() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (_, ids) = inherited(&tmp.path().join("repo"));
    let (code, v) = run(tmp.path(), "", &["check", "--base", "release-1", "--head", &ids[3]]);
    assert_eq!(code, 0, "only tool's inherited requirement is left: {v:#}");
    let tool = find(&v, UNSAT, "tool", "core");
    assert_eq!((tool["baseline"].as_str(), tool["blocking"].as_bool()), (Some("pre-existing"), Some(false)));
    assert_eq!(tool["severity"], "error", "its severity is kept; only the gate ignores it");
    assert_eq!(v["counts"]["pre_existing"]["error"], 1);
    assert_eq!(v["counts"]["new"]["error"], 0);

    // At c2, app's requirement on core 5 is new, so it blocks.
    let (code, v) = run(tmp.path(), "", &["check", "--base", "release-1", "--head", &ids[2]]);
    assert_eq!(code, 1);
    let app = find(&v, UNSAT, "app", "core");
    assert_eq!((app["baseline"].as_str(), app["blocking"].as_bool()), (Some("new"), Some(true)));
    assert_eq!(find(&v, UNSAT, "tool", "core")["blocking"], false);
    assert_eq!(v["counts"]["new"]["error"], 1);
}

#[test]
fn pre_existing_block_makes_inherited_findings_block() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (_, ids) = inherited(&tmp.path().join("repo"));
    let config = "[gate]\npre_existing = \"block\"\n";
    let (code, v) = run(tmp.path(), config, &["check", "--base", "release-1", "--head", &ids[3]]);
    assert_eq!(code, 1);
    assert_eq!(v["pre_existing"], "block");
    let tool = find(&v, UNSAT, "tool", "core");
    assert_eq!((tool["baseline"].as_str(), tool["blocking"].as_bool()), (Some("pre-existing"), Some(true)));
}

#[test]
fn a_resolved_finding_is_listed() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (_, ids) = inherited(&tmp.path().join("repo"));
    let (_, v) = run(tmp.path(), "", &["check", "--base", "release-1", "--head", &ids[1]]);
    assert_eq!(findings(&v, UNSAT).len(), 1, "only tool's is left: {v:#}");
    let resolved = v["resolved"].as_array().expect("resolved");
    assert_eq!(resolved.len(), 1, "{resolved:#?}");
    assert_eq!(resolved[0]["rule"], "UnsatisfiedInternalDependency");
    assert_eq!(resolved[0]["subject"], "app");
    assert_eq!((resolved[0]["baseline"].as_str(), resolved[0]["blocking"].as_bool()), (Some("resolved"), Some(false)));
    assert_eq!(v["counts"]["resolved"], 1);
    // The human formats fold both lists to a count per rule.
    let cfg = tmp.path().join("cfg.toml");
    for format in ["table", "md", "html"] {
        let out = shipgate()
            .args(["check", "--base", "release-1", "--head", &ids[1], "--format", format, "--config"])
            .arg(&cfg)
            .arg("--repo")
            .arg(tmp.path().join("repo"))
            .output()
            .expect("runs");
        let text = String::from_utf8_lossy(&out.stdout);
        // Against mainline (`main`, c3) app is behind at base and head alike: pre-existing too.
        assert!(text.contains("Pre-existing (3;"), "{format}: {text}");
        assert!(text.contains("Resolved since base (1;"), "{format}: {text}");
        assert!(!text.contains("requires core 2"), "{format}: the pre-existing finding is folded: {text}");
    }
}

// Regression: `check --base X --head X` failed on every inherited problem, so a pull-request gate
// failed every pull request; with a mainline it also failed on packages mainline added later.
#[test]
fn a_commit_checked_against_itself_passes() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (mut r, ids) = inherited(&tmp.path().join("repo"));
    r.set_ref("refs/remotes/origin/main", ids[3].parse().expect("id")).expect("ref");
    for id in &ids {
        for mainline in [None, Some("origin/main")] {
            let mut args = vec!["check", "--base", id.as_str(), "--head", id.as_str(), "--fail-on", "note"];
            args.extend(mainline.iter().flat_map(|m| ["--mainline", *m]));
            let (code, v) = run(tmp.path(), "", &args);
            assert_eq!(code, 0, "{id} against itself (mainline {mainline:?}): {v:#}");
            for f in v["findings"].as_array().expect("findings") {
                assert_eq!(f["baseline"], "pre-existing", "{f:#}");
            }
            assert_eq!(v["resolved"].as_array().map(Vec::len), Some(0));
        }
    }
    // The release against mainline's tip lacks `extra`: at base too, so it is inherited.
    let (_, v) =
        run(tmp.path(), "", &["check", "--base", "release-1", "--head", "release-1", "--mainline", "origin/main"]);
    let extra = find(&v, "MissingPackage", "extra", "mainline");
    assert_eq!((extra["baseline"].as_str(), extra["blocking"].as_bool()), (Some("pre-existing"), Some(false)));
}

#[test]
fn introduced_by_never_names_the_base_commit() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (mut r, ids) = inherited(&tmp.path().join("repo"));
    // The tip is c2: app's requirement on core 5 blocks there.
    r.set_ref("refs/remotes/origin/main", ids[2].parse().expect("id")).expect("ref");
    for config in ["", "[gate]\npre_existing = \"block\"\n"] {
        let (code, v) = run(tmp.path(), config, &["closest-safe", "--base", "release-1", "--mainline", "origin/main"]);
        assert_eq!(code, if config.is_empty() { 0 } else { 1 }, "{config}: {v:#}");
        let safe = v["closest_safe"]["commit"].as_str();
        for f in v["findings"].as_array().expect("findings") {
            assert_ne!(f["introduced_by"].as_str(), Some(ids[0].as_str()), "{config}: {f:#}");
        }
        assert_eq!(find(&v, UNSAT, "app", "core")["introduced_by"].as_str(), Some(ids[2].as_str()), "{config}");
        assert!(find(&v, UNSAT, "tool", "core")["introduced_by"].is_null(), "{config}: it predates base");
        if config.is_empty() {
            assert_eq!(safe, Some(ids[1].as_str()), "c1 passes: its only problem is inherited");
        } else {
            // Under "block", the inherited problem blocks every candidate, base itself included.
            assert_eq!(safe, None, "{v:#}");
        }
    }
}
