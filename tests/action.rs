//! The GitHub Action's script (`action/run.sh`) in a simulated runner: temporary GITHUB_OUTPUT,
//! GITHUB_STEP_SUMMARY, GITHUB_EVENT_PATH (a pull_request payload with labels), GITHUB_SHA,
//! RUNNER_TEMP, and a fake GitHub API on 127.0.0.1 (`tests/action/fake_github.py`) for the
//! comment, the label's events, permissions and release downloads. The repositories are the demo
//! SDK repository (pinned ids), cloned with git as actions/checkout would (full or shallow).
//!
//! Needs bash, git, jq, curl, tar and python3 (GitHub's runners and `.ci/run` have them); without
//! them the tests say so and pass, except under CI=true where a missing tool is a failure.
mod common;

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};

fn tools_present() -> bool {
    let missing: Vec<&str> = ["bash", "git", "jq", "curl", "tar", "python3"]
        .into_iter()
        .filter(|t| Command::new(t).arg("--version").output().map_or(true, |o| !o.status.success()))
        .collect();
    if missing.is_empty() {
        return true;
    }
    assert!(std::env::var_os("CI").is_none(), "the action tests need {missing:?} on PATH in CI");
    eprintln!("skipped: the action tests need {missing:?}");
    false
}

fn git(dir: &Path, args: &[&str]) -> String {
    common::git(dir, args).trim().to_string()
}

/// The fake GitHub API, killed on drop.
struct FakeGithub {
    child: Child,
    state: PathBuf,
    port: u16,
}

impl FakeGithub {
    fn start(state: &Path) -> FakeGithub {
        std::fs::create_dir_all(state).expect("state dir");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/action/fake_github.py");
        let child = Command::new("python3").arg(script).arg(state).spawn().expect("python3 starts");
        // Owned from here: dropped (killed and waited for) on every path, the panic included.
        let mut server = FakeGithub { child, state: state.to_path_buf(), port: 0 };
        let port_file = state.join("port");
        for _ in 0..200 {
            if let Ok(p) = std::fs::read_to_string(&port_file) {
                server.port = p.trim().parse().expect("port");
                return server;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("the fake GitHub server did not start");
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn configure(&self, config: Value) {
        std::fs::write(self.state.join("config.json"), config.to_string()).expect("config");
    }

    fn comments(&self) -> Vec<Value> {
        std::fs::read_to_string(self.state.join("comments.json"))
            .map(|t| serde_json::from_str(&t).expect("comments JSON"))
            .unwrap_or_default()
    }

    fn requests(&self) -> Vec<Value> {
        std::fs::read_to_string(self.state.join("requests.jsonl"))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("request JSON"))
            .collect()
    }
}

impl Drop for FakeGithub {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The demo repository as "origin", and its commits.
struct Origin {
    dir: PathBuf,
    release: String,
    good: String,
}

fn origin(root: &Path) -> Origin {
    let dir = root.join("origin");
    shipgate::source::fixture::sdk_demo(&dir).expect("demo repository");
    // origin/main in the fixture is a remote-tracking ref; as a remote, it is the branch main.
    let tip = git(&dir, &["rev-parse", "refs/remotes/origin/main"]);
    git(&dir, &["update-ref", "refs/heads/main", &tip]);
    // GitHub serves any reachable commit by id; so must the fake origin (fetch --depth=1 <sha>).
    git(&dir, &["config", "uploadpack.allowAnySHA1InWant", "true"]);
    Origin {
        release: git(&dir, &["rev-parse", "release-2026-01^{commit}"]),
        good: git(&dir, &["rev-parse", "main~1"]),
        dir,
    }
}

/// One simulated runner: a workspace cloned from origin and the runner's files.
struct Runner {
    root: PathBuf,
    workspace: PathBuf,
    env: BTreeMap<String, String>,
    path: String,
}

struct Run {
    out: Output,
    outputs: BTreeMap<String, String>,
    summary: String,
    sarif: Option<Value>,
}

impl Run {
    fn code(&self) -> i32 {
        self.out.status.code().expect("exited")
    }
    fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.out.stdout).into_owned()
    }
    fn log(&self) -> String {
        format!("{}\n--- stderr\n{}", self.stdout(), String::from_utf8_lossy(&self.out.stderr))
    }
    fn report(&self) -> Value {
        let path = self.outputs.get("report").expect("report output");
        serde_json::from_str(&std::fs::read_to_string(path).expect("report file")).expect("report JSON")
    }
}

fn bin_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_shipgate")).parent().expect("bin dir").to_path_buf()
}

/// PATH with the system tools and, when `with_shipgate`, the built binary (a shipgate on PATH).
fn runner_path(with_shipgate: bool) -> String {
    let system = std::env::var("PATH").unwrap_or_default();
    let bin = bin_dir();
    let keep: Vec<String> = std::env::split_paths(&system)
        .filter(|p| *p != bin && !p.join("shipgate").exists())
        .map(|p| p.display().to_string())
        .collect();
    let mut parts = Vec::new();
    if with_shipgate {
        parts.push(bin.display().to_string());
    }
    parts.extend(keep);
    parts.join(":")
}

impl Runner {
    /// A checkout of `branch` from origin; `depth` 1 for a shallow one, as actions/checkout's default.
    fn new(root: &Path, origin: &Origin, branch: &str, depth: Option<u32>, api: &FakeGithub) -> Runner {
        let root = root.join(format!("runner-{branch}-{}", depth.unwrap_or(0)));
        let workspace = root.join("workspace");
        let temp = root.join("temp");
        std::fs::create_dir_all(&temp).expect("runner temp");
        let url = format!("file://{}", origin.dir.display());
        let mut args = vec!["clone".to_string(), "--quiet".into(), "--branch".into(), branch.into()];
        if let Some(d) = depth {
            args.push(format!("--depth={d}"));
        }
        args.push(url);
        args.push(workspace.display().to_string());
        let out = Command::new("git").args(&args).output().expect("git clone");
        assert!(out.status.success(), "clone: {}", String::from_utf8_lossy(&out.stderr));
        let head = git(&workspace, &["rev-parse", "HEAD"]);
        let event = root.join("event.json");
        let mut env = BTreeMap::new();
        for (k, v) in [
            ("RUNNER_TEMP", temp.display().to_string()),
            ("RUNNER_OS", "Linux".into()),
            ("RUNNER_ARCH", "X64".into()),
            ("GITHUB_OUTPUT", root.join("output").display().to_string()),
            ("GITHUB_STEP_SUMMARY", root.join("summary.md").display().to_string()),
            ("GITHUB_EVENT_PATH", event.display().to_string()),
            ("GITHUB_SHA", head),
            ("GITHUB_REPOSITORY", "acme/weather".into()),
            ("GITHUB_API_URL", api.url()),
            ("HOME", root.display().to_string()),
            ("SG_TOKEN", "test-token".into()),
            ("SG_MAINLINE", "origin/main".into()),
            ("SG_FAIL_ON", "danger".into()),
        ] {
            env.insert(k.to_string(), v);
        }
        let runner = Runner { root, workspace, env, path: runner_path(true) };
        runner.event(&origin.release, &[]);
        runner
    }

    /// Writes the pull_request event payload.
    fn event(&self, base: &str, labels: &[&str]) {
        let labels: Vec<Value> = labels.iter().map(|l| serde_json::json!({ "name": l })).collect();
        let payload = serde_json::json!({
            "action": "synchronize",
            "pull_request": { "number": 7, "base": { "sha": base, "ref": "main" }, "labels": labels }
        });
        std::fs::write(&self.env["GITHUB_EVENT_PATH"], payload.to_string()).expect("event");
    }

    fn set(&mut self, k: &str, v: &str) -> &mut Self {
        self.env.insert(k.into(), v.into());
        self
    }

    /// Runs `run.sh run` from the workspace, with fresh GITHUB_OUTPUT and step summary.
    fn run(&self) -> Run {
        for f in ["GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY"] {
            let _ = std::fs::remove_file(&self.env[f]);
        }
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("action/run.sh");
        let out = Command::new("bash")
            .arg(script)
            .arg("run")
            .current_dir(&self.workspace)
            .env_clear()
            .env("PATH", &self.path)
            .envs(&self.env)
            .output()
            .expect("bash runs");
        let outputs = std::fs::read_to_string(&self.env["GITHUB_OUTPUT"])
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.split_once('=').map(|(k, v)| (k.to_string(), v.to_string())))
            .collect();
        let summary = std::fs::read_to_string(&self.env["GITHUB_STEP_SUMMARY"]).unwrap_or_default();
        let sarif_path = self.workspace.join(self.env.get("SG_SARIF").map_or("shipgate.sarif", String::as_str));
        let sarif = std::fs::read_to_string(sarif_path).ok().map(|t| serde_json::from_str(&t).expect("SARIF is JSON"));
        Run { out, outputs, summary, sarif }
    }
}

fn sarif_valid(v: &Value) {
    let schema: Value =
        serde_json::from_str(include_str!("../fixtures/schemas/sarif-schema-2.1.0.json")).expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = validator.iter_errors(v).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "SARIF invalid:\n{}", errors.join("\n"));
}

/// The error SARIF of an exit-2 run: valid, no results, the message as a notification.
fn assert_error_sarif(run: &Run, needle: &str) {
    let sarif = run.sarif.as_ref().unwrap_or_else(|| panic!("no SARIF written:\n{}", run.log()));
    sarif_valid(sarif);
    assert_eq!(sarif["runs"][0]["results"], serde_json::json!([]));
    let inv = &sarif["runs"][0]["invocations"][0];
    assert_eq!(inv["executionSuccessful"], false);
    let text = inv["toolExecutionNotifications"][0]["message"]["text"].as_str().expect("notification");
    assert!(text.contains(needle), "notification {text:?} lacks {needle:?}");
    assert_eq!(run.outputs.get("verdict").map(String::as_str), Some("error"));
    assert!(run.stdout().contains("::error title=shipgate::"), "{}", run.log());
}

fn setup() -> Option<(tempfile::TempDir, Origin, FakeGithub)> {
    if !tools_present() {
        return None;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let o = origin(tmp.path());
    let api = FakeGithub::start(&tmp.path().join("api"));
    api.configure(serde_json::json!({}));
    Some((tmp, o, api))
}

#[test]
fn passing_pull_request_sets_outputs_and_creates_the_comment() {
    let Some((tmp, o, api)) = setup() else { return };
    let mut r = Runner::new(tmp.path(), &o, "main", None, &api);
    git(&r.workspace, &["checkout", "--quiet", &o.good]);
    r.set("GITHUB_SHA", &o.good).set("SG_COMMENT", "true");
    let run = r.run();
    assert_eq!(run.code(), 0, "{}", run.log());
    assert_eq!(run.outputs["verdict"], "pass");
    assert_eq!((run.outputs["errors"].as_str(), run.outputs["dangers"].as_str()), ("0", "0"));
    assert!(run.outputs["report"].ends_with("shipgate-report.json"));
    assert_eq!(run.report()["head"]["commit"], o.good.as_str());
    assert!(run.summary.contains("PASS"), "{}", run.summary);
    let sarif = run.sarif.as_ref().expect("SARIF");
    sarif_valid(sarif);
    assert!(!run.outputs.contains_key("closest-safe"), "only looked up when the gate fails");
    let comments = api.comments();
    assert_eq!(comments.len(), 1);
    assert!(comments[0]["body"].as_str().expect("body").starts_with("<!-- shipgate-action-report -->"));
    assert!(api.requests().iter().all(|q| q["auth"] == "Bearer test-token"));
}

#[test]
fn failing_pull_request_fails_annotates_finds_closest_safe_and_updates_its_comment() {
    let Some((tmp, o, api)) = setup() else { return };
    let mut r = Runner::new(tmp.path(), &o, "release-candidate", None, &api);
    r.set("SG_COMMENT", "true");
    let first = r.run();
    assert_eq!(first.code(), 1, "{}", first.log());
    assert_eq!(first.outputs["verdict"], "fail");
    assert!(first.outputs["errors"].parse::<u32>().expect("count") > 0);
    assert_eq!(first.outputs.get("closest-safe"), Some(&o.good), "{}", first.log());
    assert!(first.stdout().contains("::error file="), "annotations on stdout:\n{}", first.log());
    assert!(first.summary.contains("FAIL") && first.summary.contains(&o.good), "{}", first.summary);
    let sarif = first.sarif.as_ref().expect("SARIF");
    sarif_valid(sarif);
    assert!(!sarif["runs"][0]["results"].as_array().expect("results").is_empty());
    let created = api.comments();
    assert_eq!(created.len(), 1);
    let id = created[0]["id"].clone();

    // A new push: the same comment is updated in place, not a second one.
    std::fs::write(r.workspace.join("README.md"), "changed\n").expect("edit");
    let second = r.run();
    assert_eq!(second.code(), 1, "{}", second.log());
    let comments = api.comments();
    assert_eq!(comments.len(), 1, "sticky: still one comment");
    assert_eq!(comments[0]["id"], id);
    assert_eq!(second.outputs.get("comment-id").map(String::as_str), id.as_u64().map(|i| i.to_string()).as_deref());
    assert!(api.requests().iter().any(|q| q["method"] == "PATCH"), "updated with PATCH");
}

#[test]
fn shallow_checkout_fetches_exactly_what_is_missing() {
    let Some((tmp, o, api)) = setup() else { return };
    let r = Runner::new(tmp.path(), &o, "release-candidate", Some(1), &api);
    assert_eq!(git(&r.workspace, &["rev-parse", "--is-shallow-repository"]), "true");
    let has = |rev: &str| {
        Command::new("git")
            .arg("-C")
            .arg(&r.workspace)
            .args(["cat-file", "-e", rev])
            .status()
            .is_ok_and(|s| s.success())
    };
    assert!(!has("origin/main") && !has(&o.release), "the shallow clone lacks mainline and base");
    let run = r.run();
    assert_eq!(run.code(), 1, "{}", run.log());
    let log = run.stdout();
    assert!(log.contains(&format!("fetching {} (depth 1)", o.release)), "{log}");
    assert!(log.contains("fetching origin/main (depth 1)"), "{log}");
    assert!(!log.contains("fetching release-candidate"), "head was there: not fetched\n{log}");
    assert!(log.contains("deepening origin/main"), "the closest-safe search deepens mainline\n{log}");
    assert_eq!(run.outputs.get("closest-safe"), Some(&o.good), "{}", run.log());
    assert_eq!(git(&r.workspace, &["rev-parse", "--is-shallow-repository"]), "true", "never unshallowed");
}

#[test]
fn shallow_checkout_with_fetch_off_explains_and_still_writes_sarif() {
    let Some((tmp, o, api)) = setup() else { return };
    let mut r = Runner::new(tmp.path(), &o, "release-candidate", Some(1), &api);
    r.set("SG_FETCH", "false");
    let run = r.run();
    assert_eq!(run.code(), 2, "{}", run.log());
    assert!(run.stdout().contains("fetch: false"), "{}", run.log());
    assert!(run.stdout().contains("fetch-depth: 0"), "{}", run.log());
    assert_error_sarif(&run, &o.release[..12]);
}

#[test]
fn bad_inputs_fail_the_step_with_what_to_use() {
    let Some((tmp, o, api)) = setup() else { return };
    let mut r = Runner::new(tmp.path(), &o, "release-candidate", None, &api);
    for (key, value, needle) in [
        ("SG_FAIL_ON", "fatal", "fail-on is `fatal`: use one of error, danger, warning, note"),
        ("SG_EXCEPTION_DAYS", "ninety", "exception-days is `ninety`"),
        ("SG_FETCH", "yes", "fetch is `yes`: use true or false"),
        ("SG_VERSION", "newest", "version is `newest`"),
    ] {
        let old = r.env.get(key).cloned();
        r.set(key, value);
        let run = r.run();
        assert_eq!(run.code(), 2, "{key}={value}: {}", run.log());
        assert_error_sarif(&run, needle);
        match old {
            Some(v) => r.set(key, &v),
            None => {
                r.env.remove(key);
                &mut r
            }
        };
    }
}

#[test]
fn an_error_of_shipgate_is_exit_2_with_a_valid_sarif_and_the_message() {
    let Some((tmp, o, api)) = setup() else { return };
    let mut r = Runner::new(tmp.path(), &o, "release-candidate", None, &api);
    r.set("SG_CONFIG", "no-such.toml").set("SG_SARIF", "out/gate.sarif");
    let run = r.run();
    assert_eq!(run.code(), 2, "{}", run.log());
    assert_error_sarif(&run, "could not read config file no-such.toml");
    assert!(run.summary.contains("could not check"), "{}", run.summary);
}

#[test]
fn exception_label_from_a_maintainer_records_exceptions_and_passes() {
    let Some((tmp, o, api)) = setup() else { return };
    let r = Runner::new(tmp.path(), &o, "release-candidate", None, &api);
    r.event(&o.release, &["shipgate-exception", "other"]);
    // Labelled yesterday: the approval holds for exception-days from then (judged on today's date).
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs() as i64;
    let day = shipgate::date::of_unix(now - 86_400).to_string();
    let until = shipgate::date::of_unix(now - 86_400 + 30 * 86_400).to_string();
    let events = serde_json::json!([
        { "event": "labeled", "label": { "name": "other" }, "actor": { "login": "someone" }, "created_at": format!("{day}T09:00:00Z") },
        { "event": "labeled", "label": { "name": "shipgate-exception" }, "actor": { "login": "rel-manager" }, "created_at": format!("{day}T10:30:00Z") }
    ]);
    api.configure(
        serde_json::json!({ "events": events, "permissions": { "rel-manager": "maintain", "intern": "read" } }),
    );
    let mut r = r;
    r.set("SG_EXCEPTION_LABEL", "shipgate-exception").set("SG_EXCEPTION_DAYS", "30");
    let run = r.run();
    assert_eq!(run.code(), 0, "{}", run.log());
    assert_eq!(run.outputs["verdict"], "pass");
    assert!(run.outputs["excepted"].parse::<u32>().expect("count") > 0);
    assert_eq!(run.outputs["exception-approved-by"], "@rel-manager");
    assert_eq!(run.outputs["exception-expires"], until);
    let report = run.report();
    let excepted: Vec<&Value> =
        report["findings"].as_array().expect("findings").iter().filter(|f| !f["exception"].is_null()).collect();
    assert!(!excepted.is_empty());
    for f in &excepted {
        assert_eq!(f["exception"]["approved_by"], "@rel-manager");
        assert_eq!(f["exception"]["expires"], until.as_str());
        assert_eq!(
            f["exception"]["source"],
            format!("pull-request label `shipgate-exception` added by @rel-manager on {day}").as_str()
        );
    }
    assert!(run.summary.contains(&format!("added by @rel-manager on {day}")), "the summary shows it:\n{}", run.summary);

    // The same label from someone without write access excepts nothing and says so.
    let events = serde_json::json!([
        { "event": "labeled", "label": { "name": "shipgate-exception" }, "actor": { "login": "intern" }, "created_at": format!("{day}T11:00:00Z") }
    ]);
    api.configure(serde_json::json!({ "events": events, "permissions": { "intern": "read" } }));
    let run = r.run();
    assert_eq!(run.code(), 1, "{}", run.log());
    assert!(run.stdout().contains("@intern added `shipgate-exception` but has no write access"), "{}", run.log());
    assert_eq!(run.outputs["excepted"], "0");
}

#[test]
fn a_token_that_cannot_write_falls_back_to_the_step_summary() {
    let Some((tmp, o, api)) = setup() else { return };
    api.configure(serde_json::json!({ "deny_writes": true }));
    let mut r = Runner::new(tmp.path(), &o, "release-candidate", None, &api);
    r.set("SG_COMMENT", "true");
    let run = r.run();
    assert_eq!(run.code(), 1, "the gate's verdict, not the comment, decides: {}", run.log());
    assert!(run.stdout().contains("could not write the pull-request comment (HTTP 403"), "{}", run.log());
    assert!(run.summary.contains("this summary is the report") && run.summary.contains("FAIL"), "{}", run.summary);
    assert!(api.comments().is_empty());
}

/// A release archive of the built binary, as release.yml makes it, with its SHA256SUMS.
fn release_dir(root: &Path, version: &str, corrupt: bool) -> PathBuf {
    let dir = root.join("releases");
    let v = dir.join(format!("v{version}"));
    let stage = root.join("stage");
    std::fs::create_dir_all(&v).expect("release dir");
    std::fs::create_dir_all(&stage).expect("stage");
    // A launcher for the built binary stands in for it: a debug build is hundreds of megabytes,
    // and what is tested here is download, checksum and unpacking.
    let launcher = format!("#!/bin/sh\nexec '{}' \"$@\"\n", env!("CARGO_BIN_EXE_shipgate"));
    std::fs::write(stage.join("shipgate"), launcher).expect("launcher");
    let archive = format!("shipgate-v{version}-x86_64-unknown-linux-gnu.tar.gz");
    let out = Command::new("tar").arg("-czf").arg(v.join(&archive)).arg("-C").arg(&stage).arg("shipgate").output();
    assert!(out.expect("tar").status.success());
    let bytes = std::fs::read(v.join(&archive)).expect("archive");
    use sha2::Digest;
    let mut sum = hex::encode(sha2::Sha256::digest(&bytes));
    if corrupt {
        sum = sum.replace(&sum[..1], if &sum[..1] == "0" { "1" } else { "0" });
    }
    std::fs::write(v.join("SHA256SUMS"), format!("{sum}  {archive}\n")).expect("sums");
    dir
}

#[test]
fn a_pinned_version_is_downloaded_and_checksum_verified() {
    let Some((tmp, o, api)) = setup() else { return };
    let version = env!("CARGO_PKG_VERSION");
    let mut r = Runner::new(tmp.path(), &o, "main", None, &api);
    git(&r.workspace, &["checkout", "--quiet", &o.good]);
    r.path = runner_path(false);
    r.set("GITHUB_SHA", &o.good).set("SG_VERSION", version).set("SG_DOWNLOAD_BASE", &format!("{}/download", api.url()));
    api.configure(serde_json::json!({ "releases": release_dir(&tmp.path().join("good"), version, false) }));
    let run = r.run();
    assert_eq!(run.code(), 0, "{}", run.log());
    assert!(run.stdout().contains(&format!("shipgate {version} at")), "{}", run.log());

    api.configure(serde_json::json!({ "releases": release_dir(&tmp.path().join("bad"), version, true) }));
    let _ = std::fs::remove_dir_all(r.root.join("temp/shipgate-bin"));
    let run = r.run();
    assert_eq!(run.code(), 2, "{}", run.log());
    assert!(run.stdout().contains("checksum mismatch"), "{}", run.log());
}
