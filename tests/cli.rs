//! Command-level tests of the real binary: exit codes, stderr, the JSON contract, and that no
//! command ever writes to the repository it reads.
mod common;

use common::*;
use predicates::prelude::*;
use shipgate::source::fixture::{FixtureRepo, sdk_demo, weather_model};

#[test]
fn demo_runs_and_reports() {
    shipgate()
        .arg("demo")
        .assert()
        .success()
        .stdout(predicate::str::contains("release-candidate"))
        .stderr(predicate::str::contains("Demo SDK repository"))
        .stderr(predicate::str::contains("Closest safe mainline commit"))
        .stderr(predicate::str::contains("RemovedShape on example.weather#ListCities: introduced by"));
}

/// The demo only suggests `shipgate report` on a repository that still exists when it ends.
#[test]
fn demo_keeps_its_repository_when_it_suggests_a_follow_up() {
    let out = shipgate().arg("demo").output().expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("The demo repository has been deleted") && !err.contains("shipgate report --repo"), "{err}");
    let out = shipgate().args(["demo", "--keep"]).output().expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    let kept =
        err.split("(the demo repository is kept at ").nth(1).and_then(|r| r.split(';').next()).expect("says where");
    let kept = std::path::PathBuf::from(kept);
    let exists = kept.join(".git").is_dir();
    std::fs::remove_dir_all(&kept).expect("remove the kept demo repository");
    assert!(exists, "{} is kept", kept.display());
    assert!(err.contains(&format!("shipgate report --repo {}", kept.display())), "{err}");
}

/// A repository with hundreds of model files, a release tag and a head that adds, removes and
/// modifies some of them (and touches a non-model JSON file and a README).
fn many_models(dir: &std::path::Path) -> FixtureRepo {
    let mut r = FixtureRepo::init(dir).expect("init");
    for i in 0..300 {
        let ops: Vec<String> = (0..(i % 4 + 1)).map(|k| format!("Op{k}")).collect();
        let ops: Vec<&str> = ops.iter().map(String::as_str).collect();
        r.write(
            &format!("models/svc{i:03}/service.json"),
            weather_model(&ops, false).replace("example.weather", &format!("example.svc{i}")),
        );
    }
    r.write("config/settings.json", "{\"smithy\": 1}\n");
    r.write("README.md", "hello\n");
    let base = r.commit("release").expect("commit");
    r.tag("v1.0.0", base).expect("tag");
    r.write("models/svc007/service.json", weather_model(&["Op0", "Op9"], true));
    r.remove("models/svc010/service.json");
    r.write("models/new/service.json", weather_model(&["Op0"], false));
    r.write("config/settings.json", "{\"smithy\": 2}\n");
    r.write("README.md", "hello again\n");
    r.commit("candidate").expect("commit");
    r
}

#[test]
fn diff_lists_exactly_the_changed_models_and_validates_against_the_schema() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let r = many_models(tmp.path());
    let before = tree_bytes(&r.dir);
    let v = json_report(&["diff", "--base", "v1.0.0", "--head", "main"], &r.dir);
    let files: Vec<(String, String)> = v["files"]
        .as_array()
        .expect("files")
        .iter()
        .filter(|f| f["kind"] == "model")
        .map(|f| (f["path"].as_str().expect("path").to_string(), f["status"].as_str().expect("status").to_string()))
        .collect();
    assert_eq!(
        files,
        vec![
            ("models/new/service.json".to_string(), "added".to_string()),
            ("models/svc007/service.json".to_string(), "modified".to_string()),
            ("models/svc010/service.json".to_string(), "removed".to_string()),
        ]
    );
    assert_eq!(v["base"]["commit"].as_str().map(str::len), Some(40));
    assert_eq!(v["head"]["commit"].as_str().map(str::len), Some(40));
    if git_available() {
        // git's own view of the same pair, restricted to the model files.
        let listed = git(&r.dir, &["diff", "--no-renames", "--name-status", "v1.0.0", "main", "--", "models"]);
        let expected: Vec<(String, String)> = listed
            .lines()
            .map(|l| {
                let (s, p) = l.split_once('\t').expect("name-status line");
                let status = match s {
                    "A" => "added",
                    "D" => "removed",
                    _ => "modified",
                };
                (p.to_string(), status.to_string())
            })
            .collect();
        assert_eq!(files, expected);
        assert_eq!(v["head"]["commit"].as_str(), Some(git(&r.dir, &["rev-parse", "main"]).trim()));
    }
    assert_eq!(before, tree_bytes(&r.dir), "diff wrote to the repository");
}

// Regression: `diff` JSON said `"verdict": "pass"` beside the errors it counted, with nothing to
// tell a reader that diff never gates; `gates` says whether the verdict is a gate decision.
#[test]
fn diff_json_says_its_verdict_is_not_a_gate_decision() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let r = many_models(tmp.path());
    let run = |command: &str| {
        let out = shipgate()
            .args([command, "--base", "v1.0.0", "--head", "main", "--format", "json", "--repo"])
            .arg(&r.dir)
            .output()
            .expect("runs");
        let v = json(&out.stdout);
        assert_schema_valid(&v);
        (out.status.code(), v)
    };
    let (code, diff) = run("diff");
    assert_eq!(code, Some(0));
    assert!(diff["counts"]["error"].as_u64() > Some(0), "the removed model's shapes are errors: {diff}");
    assert_eq!((&diff["verdict"], &diff["gates"]), (&"pass".into(), &false.into()));
    let (code, check) = run("check");
    assert_eq!(code, Some(1));
    assert_eq!((&check["verdict"], &check["gates"]), (&"fail".into(), &true.into()));
}

#[test]
fn json_output_is_byte_stable_and_output_flag_writes_every_format_requested() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let revs = sdk_demo(&tmp.path().join("repo")).expect("demo");
    let repo = tmp.path().join("repo");
    let run = |extra: &[&str]| {
        shipgate()
            .args(["check", "--base", &revs.base, "--head", &revs.head, "--format", "json", "--repo"])
            .arg(&repo)
            .args(extra)
            .output()
            .expect("runs")
    };
    let a = run(&[]);
    let out_json = tmp.path().join("r.json");
    let b = run(&["--output", &format!("json={}", out_json.display())]);
    assert_eq!(String::from_utf8_lossy(&a.stdout), String::from_utf8_lossy(&b.stdout), "same inputs, different bytes");
    assert_eq!(std::fs::read(&out_json).expect("written"), a.stdout);
    assert_schema_valid(&json(&a.stdout));
}

#[test]
fn unknown_revision_exits_2_and_suggests_close_names() {
    let tmp = tempfile::tempdir().expect("tempdir");
    sdk_demo(tmp.path()).expect("demo");
    shipgate()
        .args(["diff", "--base", "release-2026-1", "--head", "HEAD", "--repo"])
        .arg(tmp.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown revision `release-2026-1`"))
        .stderr(predicate::str::contains("release-2026-01"))
        .stderr(predicate::str::contains("shipgate::git::unknown_revision"));
}

#[test]
fn not_a_repository_exits_2() {
    let tmp = tempfile::tempdir().expect("tempdir");
    shipgate()
        .args(["check", "--base", "x", "--repo"])
        .arg(tmp.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is not a git repository"))
        .stderr(predicate::str::contains("--repo"));
}

#[test]
fn bad_config_exits_2_with_line_and_column() {
    let tmp = tempfile::tempdir().expect("tempdir");
    sdk_demo(&tmp.path().join("repo")).expect("demo");
    let cfg = tmp.path().join("bad.toml");
    std::fs::write(&cfg, "mainline = \"main\"\n[packages]\ncargoo = [\"x\"]\n").expect("write");
    shipgate()
        .args(["diff", "--base", "release-2026-01", "--config"])
        .arg(&cfg)
        .arg("--repo")
        .arg(tmp.path().join("repo"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown field `cargoo`"))
        .stderr(predicate::str::contains("bad.toml:3:1"));
}

#[test]
fn missing_base_without_release_tags_says_what_to_pass() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut r = FixtureRepo::init(tmp.path()).expect("init");
    r.write("a.txt", "a");
    r.commit("one").expect("commit");
    shipgate()
        .args(["check", "--repo"])
        .arg(tmp.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no --base given"))
        .stderr(predicate::str::contains("release_tags"));
}

#[test]
fn shallow_clone_missing_the_base_explains_how_to_fetch() {
    if !git_available() {
        eprintln!("SKIPPED: git is not installed; the shallow-clone test needs it to make a shallow clone");
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let src = tmp.path().join("src");
    sdk_demo(&src).expect("demo");
    let base = git(&src, &["rev-parse", "release-2026-01"]);
    let clone = tmp.path().join("clone");
    let url = format!("file://{}", src.display());
    let status = std::process::Command::new("git")
        .args(["clone", "-q", "--depth", "1", "--branch", "release-candidate", &url])
        .arg(&clone)
        .status()
        .expect("git clone");
    assert!(status.success());
    let before = tree_bytes(&clone);
    shipgate()
        .args(["diff", "--base", base.trim(), "--repo"])
        .arg(&clone)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("shallow clone"))
        .stderr(predicate::str::contains("fetch-depth: 0"))
        .stderr(predicate::str::contains("git fetch --unshallow"));
    assert_eq!(before, tree_bytes(&clone));
}

#[test]
fn bare_repositories_work_and_worktree_head_reads_the_disk() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let src = tmp.path().join("src");
    let revs = sdk_demo(&src).expect("demo");
    // A bare repository is just the .git directory.
    let out = shipgate()
        .args(["diff", "--base", &revs.base, "--head", &revs.head, "--format", "json", "--repo"])
        .arg(src.join(".git"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v = json(&out);
    assert!(v["files"].as_array().is_some_and(|f| !f.is_empty()));

    // --head worktree: files on disk, .gitignore honoured.
    let mut r = FixtureRepo::init(&tmp.path().join("wt")).expect("init");
    r.write("models/a.json", weather_model(&["GetForecast"], false));
    r.write(".gitignore", "build/\n");
    let base = r.commit("one").expect("commit");
    r.tag("v1", base).expect("tag");
    r.write("models/a.json", weather_model(&["GetForecast", "GetAlerts"], false));
    r.write("build/generated.json", weather_model(&["X"], false));
    r.materialize().expect("write files");
    let out = shipgate()
        .args(["diff", "--base", "v1", "--head", "worktree", "--format", "json", "--repo"])
        .arg(&r.dir)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v = json(&out);
    assert_eq!(v["head"]["commit"], "worktree");
    let paths: Vec<&str> = v["files"].as_array().expect("files").iter().filter_map(|f| f["path"].as_str()).collect();
    assert_eq!(paths, vec!["models/a.json"]);
}

#[test]
fn no_command_writes_to_the_repository() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let revs = sdk_demo(tmp.path()).expect("demo");
    let before = tree_bytes(tmp.path());
    let repo = tmp.path().to_str().expect("utf-8 path");
    let cases: Vec<Vec<&str>> = vec![
        vec!["diff", "--repo", repo, "--base", &revs.base],
        vec!["check", "--repo", repo, "--base", &revs.base, "--head", &revs.head],
        vec!["check", "--repo", repo, "--head", "worktree", "--base", &revs.base],
        vec!["report", "--repo", repo, "--base", &revs.base, "--format", "json"],
        vec!["closest-safe", "--repo", repo, "--base", &revs.base],
        vec!["init", "--repo", repo],
        vec!["diff", "--repo", repo, "--base", "nope"],
    ];
    for args in cases {
        let out = shipgate().args(&args).output().expect("runs");
        assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"), "{args:?} panicked");
        assert_eq!(before, tree_bytes(tmp.path()), "`shipgate {}` wrote to the repository", args.join(" "));
    }
}

#[test]
fn bad_arguments_exit_2() {
    shipgate().args(["check", "--fail-on", "fatal"]).assert().code(2).stderr(
        predicate::str::contains("invalid value 'fatal'").and(predicate::str::contains("error, danger, warning, note")),
    );
    shipgate()
        .args(["diff", "--format", "xml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("invalid value 'xml'").and(predicate::str::contains("table, json, md, html")));
    shipgate().args(["diff", "--format", "markdown", "--help"]).assert().code(0);
    shipgate()
        .args(["replay", "--format", "html"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("table, json, md"));
    shipgate().args(["diff", "--date", "22/11/2026"]).assert().code(2).stderr(predicate::str::contains("YYYY-MM-DD"));
    shipgate().args(["frobnicate"]).assert().code(2);
    shipgate().args(["explain", "NoSuchRule"]).assert().code(2).stderr(predicate::str::contains("shipgate rules"));
}

#[test]
fn init_proposes_a_config_that_loads() {
    let tmp = tempfile::tempdir().expect("tempdir");
    sdk_demo(tmp.path()).expect("demo");
    shipgate()
        .args(["init", "--repo"])
        .arg(tmp.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("smithy = [\"models/*.json\"]"))
        .stdout(predicate::str::contains("cargo = [\"runtime/*\", \"sdk/*\"]"));
}

#[test]
fn a_missing_blob_names_the_path_and_object_id() {
    // What a partial clone (`--filter=blob:none`) looks like to a reader: the tree names a blob
    // the object database does not have. The fixture writes loose objects, so deleting one file
    // reproduces it without a server.
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut r = FixtureRepo::init(tmp.path()).expect("init");
    r.write("models/weather.json", weather_model(&["GetCity"], false));
    let base = r.commit("release").expect("commit");
    r.tag("release-1", base).expect("tag");
    let changed = weather_model(&["GetCity", "ListCities"], false);
    r.write("models/weather.json", &changed);
    r.commit("add an operation").expect("commit");
    let oid = gix::objs::compute_hash(gix::hash::Kind::Sha1, gix::objs::Kind::Blob, changed.as_bytes())
        .expect("hash")
        .to_string();
    let loose = tmp.path().join(".git/objects").join(&oid[..2]).join(&oid[2..]);
    std::fs::remove_file(&loose).expect("the blob is a loose object");
    shipgate()
        .args(["diff", "--base", "release-1", "--head", "main", "--repo"])
        .arg(tmp.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(oid.as_str()))
        .stderr(predicate::str::contains("models/weather.json"))
        .stderr(predicate::str::contains("shipgate::git::missing_object"));
}

#[test]
fn every_gating_flag_has_help_text() {
    let help = |cmd: &str| {
        let out = shipgate().args([cmd, "--help"]).output().expect("runs");
        assert!(out.status.success());
        String::from_utf8(out.stdout).expect("UTF-8")
    };
    let report = help("report");
    assert!(report.contains("Lowest severity that fails the gate"), "{report}");
    let cs = help("closest-safe");
    assert!(cs.contains("Lowest severity a candidate must not have"), "{cs}");
    assert!(cs.contains("The branch to search"), "{cs}");
}

// `explain` takes any full event id (suppressions and scripts name full ids), not only rule ids.
#[test]
fn explain_resolves_full_event_ids() {
    for (id, rule) in [
        ("ChangedEnumTrait.OrderChanged.4", "ChangedEnumTrait: "),
        ("TraitBreakingChange.Update.smithy.api#jsonName", "TraitBreakingChange: "),
        ("AddedOperationBinding.ToService.GetThing", "AddedOperationBinding: "),
    ] {
        shipgate()
            .args(["explain", id])
            .assert()
            .success()
            .stdout(predicate::str::contains(rule))
            .stdout(predicate::str::contains("## Event ids"));
    }
}
