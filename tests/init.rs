//! `shipgate init`: the proposal fits the repository (mainline, release tags, model and package
//! globs, files a release process rewrites) and is proven by replaying the last releases.
mod common;

use common::*;
use shipgate::source::fixture::{FixtureRepo, weather_model};

fn krate(name: &str, version: &str) -> String {
    // `[package] # …`: a header a text match for the line `[package]` misses; Cargo reads it.
    format!("[package] # the crate\nname = \"{name}\"\nversion = \"{version}\"\nedition = \"2021\"\n")
}

/// Four releases on `main` (`release-1` … `release-4`) and tags that are not releases
/// (`nightly`, `v1`). `crates/app/lint.toml` is rewritten in every release while `app` keeps
/// its version; `core` is bumped whenever its code changes. `models/` holds a model and an
/// endpoints file that is JSON but not a model; `tests/data/x.json` is other JSON; a private
/// npm test app sits under `crates/app/it`.
fn repo(dir: &std::path::Path) -> FixtureRepo {
    let mut r = FixtureRepo::init(dir).expect("init");
    r.write("Cargo.toml", "[workspace]\nmembers = [\"crates/*\"]\n");
    r.write("crates/app/Cargo.toml", krate("app", "1.0.0"));
    r.write("crates/app/src/lib.rs", "pub fn app() {}\n");
    r.write("crates/core/Cargo.toml", krate("core", "1.0.0"));
    r.write("crates/core/src/lib.rs", "pub fn v1() {}\n");
    r.write("crates/app/it/package.json", "{\"name\": \"it\", \"version\": \"0.1.0\", \"private\": true}\n");
    r.write("models/weather.json", weather_model(&["GetCity"], false));
    r.write("models/sdk-endpoints.json", "{\"partitions\": [{\"id\": \"aws\"}]}\n");
    r.write("tests/data/x.json", "{\"x\": 1}\n");
    for i in 1..=4 {
        r.write("crates/app/lint.toml", format!("# rewritten by the release process: {i}\n"));
        if i > 1 {
            r.write("crates/core/Cargo.toml", krate("core", &format!("1.{i}.0")));
            r.write("crates/core/src/lib.rs", format!("pub fn v{i}() {{}}\n"));
            r.write("models/sdk-endpoints.json", format!("{{\"partitions\": [{{\"id\": \"aws-{i}\"}}]}}\n"));
        }
        let c = r.commit(&format!("release {i}")).expect("commit");
        r.tag(&format!("release-{i}"), c).expect("tag");
        if i == 2 {
            r.tag("v1", c).expect("tag");
        }
    }
    r.write("README.md", "after the last release\n");
    let c = r.commit("work").expect("commit");
    r.tag("nightly", c).expect("tag");
    r
}

fn init(dir: &std::path::Path) -> (String, String) {
    let out = shipgate().args(["init", "--repo"]).arg(dir).output().expect("runs");
    let (stdout, stderr) =
        (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned());
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    (stdout, stderr)
}

#[test]
fn init_fits_the_repository_and_replays_its_proposal() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let r = repo(&tmp.path().join("repo"));
    let before = tree_bytes(&r.dir);
    let (config, stderr) = init(&r.dir);
    assert_eq!(before, tree_bytes(&r.dir), "init wrote to the repository");
    let line = |key: &str| {
        config
            .lines()
            .find(|l| l.starts_with(&format!("{key} =")))
            .unwrap_or_else(|| panic!("no `{key}` in\n{config}"))
            .to_string()
    };
    assert!(line("mainline").starts_with("mainline = \"main\""), "{config}");
    assert!(line("release_tags").starts_with("release_tags = \"release-*\""), "never `*`: {config}");
    assert_eq!(line("smithy"), "smithy = [\"models/*.json\"]");
    assert!(config.contains("never read as models: sdk-endpoints.json"), "{config}");
    assert_eq!(line("cargo"), "cargo = [\"crates/*\"]", "found by parsing `[package] # …`: {config}");
    assert_eq!(line("npm"), "npm = []", "the only npm package is private: {config}");
    // Evidence, then the entry.
    assert!(
        config.contains("# app: changed in 3 of the last 3 releases, version unchanged: release-2, release-3, release-4\n  \"crates/app/lint.toml\","),
        "{config}"
    );
    assert!(!config.contains("crates/core"), "core is bumped when it changes: {config}");
    // The proof: the proposal replayed.
    assert!(stderr.contains("The last 3 release(s) replayed with this proposal"), "{stderr}");
    assert!(stderr.contains("3 release(s) replayed: 3 pass, 0 fail"), "{stderr}");
    // What it proposes is what `replay --config` gives.
    let cfg = tmp.path().join("proposed.toml");
    std::fs::write(&cfg, &config).expect("write");
    let replay = || {
        let out = shipgate()
            .args(["replay", "--format", "json", "--repo"])
            .arg(&r.dir)
            .arg("--config")
            .arg(&cfg)
            .output()
            .expect("runs");
        json(&out.stdout)
    };
    let v = replay();
    assert_eq!(v["summary"]["pass"], 3, "{v:#}");
    // Without the learned entry, lint.toml blocks every release.
    let without = config.replace("  \"crates/app/lint.toml\",\n", "");
    std::fs::write(&cfg, &without).expect("write");
    assert_eq!(replay()["summary"]["fail"], 3);
}

#[test]
fn init_prefers_the_remote_tracking_main_that_contains_the_releases_and_works_on_bare_repositories() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut r = repo(&tmp.path().join("repo"));
    let last = r.commit("tip").expect("commit");
    r.set_ref("refs/remotes/origin/main", last).expect("ref");
    // A `master` that branched before the last release does not contain it.
    let first = shipgate::source::Repo::open(&r.dir).expect("open").resolve("release-1").expect("tag").id;
    r.set_ref("refs/heads/master", first).expect("ref");
    let (config, _) = init(&r.dir);
    assert!(config.contains("mainline = \"origin/main\""), "{config}");

    // The same repository, bare: nothing to write into, same proposal.
    let bare = tmp.path().join("bare.git");
    copy_dir(&r.dir.join(".git"), &bare);
    let cfg = std::fs::read_to_string(bare.join("config")).expect("config");
    std::fs::write(bare.join("config"), cfg.replace("bare = false", "bare = true")).expect("write");
    let before = tree_bytes(&bare);
    let (bare_config, stderr) = init(&bare);
    assert_eq!(before, tree_bytes(&bare), "init wrote to the bare repository");
    assert_eq!(bare_config, config);
    assert!(stderr.contains("3 pass, 0 fail"), "{stderr}");
    let out = shipgate().args(["init", "--write", "--repo"]).arg(&bare).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--write needs a work tree"));
}

#[test]
fn init_without_release_tags_says_so_and_never_proposes_star() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut r = FixtureRepo::init(&tmp.path().join("repo")).expect("init");
    r.write("crates/a/Cargo.toml", krate("a", "1.0.0"));
    let c = r.commit("one").expect("commit");
    r.tag("latest", c).expect("tag");
    let (config, stderr) = init(&r.dir);
    assert!(config.contains("# release_tags = \"v*\""), "{config}");
    assert!(!config.contains("release_tags = \"*\""), "{config}");
    assert!(config.contains("mainline = \"main\""), "{config}");
    assert!(stderr.contains("fewer than two release tags"), "{stderr}");
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    for e in walkdir::WalkDir::new(from).into_iter().filter_map(Result::ok) {
        let rel = e.path().strip_prefix(from).expect("below");
        let dest = to.join(rel);
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&dest).expect("mkdir");
        } else if e.file_type().is_file() {
            std::fs::copy(e.path(), &dest).expect("copy");
        }
    }
}
