//! Hostile and clumsy inputs: repositories built with `git fast-import` (any byte in a path, any
//! mode, symlinks, gitlinks, pinned dates, so object ids are the same everywhere), work trees with
//! symlinks and FIFOs, and outputs aimed at the repository. Every command must end with exit 0, 1
//! or 2 (never a panic, never a hang), read only regular files inside the repository, and never
//! write to it.
mod common;

use common::{git, git_available, shipgate, tree_bytes};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// One file of a fast-import commit: mode (`100644`, `100755`, `120000`, `160000`), path bytes,
/// and content (for a gitlink: the commit id it names).
struct Entry {
    mode: &'static str,
    path: Vec<u8>,
    data: Vec<u8>,
}

fn file(path: impl AsRef<[u8]>, data: impl AsRef<[u8]>) -> Entry {
    Entry { mode: "100644", path: path.as_ref().to_vec(), data: data.as_ref().to_vec() }
}

fn entry(mode: &'static str, path: impl AsRef<[u8]>, data: impl AsRef<[u8]>) -> Entry {
    Entry { mode, path: path.as_ref().to_vec(), data: data.as_ref().to_vec() }
}

/// One commit: its tag (empty for none) and every file it has.
type Commit = (&'static str, Vec<Entry>);

/// A fast-import stream: commits on `main`, each with its whole file list (`deleteall` first)
/// and an optional lightweight tag; dates are pinned one day apart.
fn fast_import(dir: &Path, commits: &[Commit]) {
    fast_import_with(dir, commits, &|i| format!("commit {i}"));
}

/// [`fast_import`] with each commit's message given by `message(index)`.
fn fast_import_with(dir: &Path, commits: &[Commit], message: &dyn Fn(usize) -> String) {
    git(dir, &["init", "-q", "-b", "main"]);
    let mut s: Vec<u8> = Vec::new();
    for (i, (tag, files)) in commits.iter().enumerate() {
        let when = 1_700_000_000 + i as i64 * 86_400;
        writeln!(s, "commit refs/heads/main\nmark :{}", i + 1).expect("write");
        writeln!(s, "committer Test <t@example.com> {when} +0000").expect("write");
        let msg = message(i);
        writeln!(s, "data {}\n{msg}", msg.len()).expect("write");
        if i > 0 {
            writeln!(s, "from :{i}").expect("write");
        }
        writeln!(s, "deleteall").expect("write");
        for f in files {
            // A quoted path takes any byte as an octal escape.
            let mut quoted = String::from("\"");
            for &b in &f.path {
                if b.is_ascii_alphanumeric() || b"/._-".contains(&b) {
                    quoted.push(b as char);
                } else {
                    quoted.push_str(&format!("\\{b:03o}"));
                }
            }
            quoted.push('"');
            if f.mode == "160000" {
                writeln!(s, "M 160000 {} {quoted}", String::from_utf8_lossy(&f.data)).expect("write");
            } else {
                writeln!(s, "M {} inline {quoted}\ndata {}", f.mode, f.data.len()).expect("write");
                s.extend_from_slice(&f.data);
                s.push(b'\n');
            }
        }
        if !tag.is_empty() {
            writeln!(s, "reset refs/tags/{tag}\nfrom :{}", i + 1).expect("write");
        }
    }
    let mut child = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["fast-import", "--quiet"])
        .stdin(Stdio::piped())
        .spawn()
        .expect("git fast-import runs");
    child.stdin.take().expect("stdin").write_all(&s).expect("stream written");
    assert!(child.wait().expect("fast-import ends").success(), "fast-import failed");
}

const MODEL_A: &str = r#"{"smithy":"2.0","shapes":{"com.a#Foo":{"type":"structure","members":{"x":{"target":"smithy.api#String"}}},"com.a#Bar":{"type":"string"}}}"#;
const MODEL_B: &str = r#"{"smithy":"2.0","shapes":{"com.a#Foo":{"type":"structure","members":{}}}}"#;
const CARGO: &str = "[package]\nname = \"a\"\nversion = \"1.0.0\"\n";

/// A repository with one release tag and a head that changes a model and a package.
fn simple_repo(dir: &Path) {
    fast_import(
        dir,
        &[
            ("v1", vec![file("models/a.json", MODEL_A), file("a/Cargo.toml", CARGO), file("a/src/lib.rs", "")]),
            ("", vec![file("models/a.json", MODEL_B), file("a/Cargo.toml", CARGO), file("a/src/lib.rs", "//")]),
        ],
    );
    git(dir, &["checkout", "-q", "main"]);
}

/// Runs shipgate with a time limit; returns (exit code, stdout, stderr). A panic or a hang fails.
fn run(args: &[&str]) -> (i32, String, String) {
    let out = shipgate().args(args).timeout(Duration::from_secs(60)).output().expect("shipgate runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let code = out.status.code().unwrap_or_else(|| panic!("shipgate was killed (a hang?) on {args:?}: {stderr}"));
    assert!(code != 101 && !stderr.contains("panicked"), "shipgate panicked on {args:?}: {stderr}");
    assert!([0, 1, 2].contains(&code), "exit {code} on {args:?}: {stderr}");
    (code, String::from_utf8_lossy(&out.stdout).into_owned(), stderr)
}

// Regression: a work-tree shipgate.toml that is a symlink to /proc/self/environ was read and its
// contents (the CI runner's environment) printed in the parse error.
#[test]
fn a_symlinked_config_in_the_work_tree_is_never_followed() {
    if !git_available() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    simple_repo(dir);
    for target in ["/proc/self/environ", "/etc/passwd"] {
        let link = dir.join("shipgate.toml");
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(target, &link).expect("symlink");
        let out = shipgate()
            .env("SHIPGATE_TEST_SECRET", "s3cr3t-token-value")
            .args(["check", "--base", "v1", "--repo"])
            .arg(dir)
            .timeout(Duration::from_secs(60))
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("symlink"), "says why: {stderr}");
        assert!(!stderr.contains("s3cr3t-token-value") && !stderr.contains("root:"), "leaked {target}: {stderr}");
    }
}

// Regression: a committed shipgate.toml that is a symlink (mode 120000) was parsed as a config
// whose text is its target path ("key with no value" at `/proc/self/environ`).
#[test]
fn a_committed_symlink_config_is_refused_as_a_symlink() {
    if !git_available() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    // No checkout: the config comes from the head commit (as in a bare clone).
    fast_import(
        dir,
        &[
            ("v1", vec![file("models/a.json", MODEL_A)]),
            ("", vec![file("models/a.json", MODEL_A), entry("120000", "shipgate.toml", "/proc/self/environ")]),
        ],
    );
    let (code, _, stderr) = run(&["check", "--base", "v1", "--head", "main", "--repo", &dir.display().to_string()]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("shipgate.toml") && stderr.contains("symlink"), "{stderr}");
    assert!(!stderr.contains("key with no value"), "parsed the target path as TOML: {stderr}");
}

// Regression: a FIFO named shipgate.toml blocked forever; `--config /dev/zero` grew without bound.
#[test]
fn special_files_are_refused_not_read() {
    if !git_available() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    simple_repo(dir);
    let (code, _, stderr) =
        run(&["check", "--base", "v1", "--config", "/dev/zero", "--repo", &dir.display().to_string()]);
    assert_eq!(code, 2);
    assert!(stderr.contains("device"), "{stderr}");
    let big = tmp.path().join("big.toml");
    std::fs::write(&big, vec![b'#'; 17 * 1024 * 1024]).expect("write");
    let (code, _, stderr) =
        run(&["check", "--base", "v1", "--config", &big.display().to_string(), "--repo", &dir.display().to_string()]);
    assert_eq!(code, 2);
    assert!(stderr.contains("larger than"), "{stderr}");
    let status = Command::new("mkfifo").arg(dir.join("shipgate.toml")).status().expect("mkfifo runs");
    assert!(status.success());
    let (code, _, stderr) = run(&["check", "--base", "v1", "--repo", &dir.display().to_string()]);
    assert_eq!(code, 2);
    assert!(stderr.contains("FIFO"), "{stderr}");
}

// Regression: `--output json=<repo>/.git/HEAD` overwrote HEAD.
#[test]
fn outputs_into_the_git_directory_are_refused() {
    if !git_available() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    simple_repo(dir);
    let before = tree_bytes(dir);
    let repo = dir.display().to_string();
    for target in [dir.join(".git/HEAD"), dir.join(".git/new-file.json"), dir.join(".git/../.git/config")] {
        let spec = format!("json={}", target.display());
        let (code, _, stderr) = run(&["diff", "--base", "v1", "--repo", &repo, "--output", &spec]);
        assert_eq!(code, 2, "{stderr}");
        assert!(stderr.contains("inside the git directory"), "{stderr}");
    }
    // Same path twice is a usage error, not a silent overwrite, also when spelled two ways.
    let out = tmp.path().join("r.json").display().to_string();
    let dotted = tmp.path().join("o/../r.json").display().to_string();
    std::fs::create_dir(tmp.path().join("o")).expect("mkdir");
    for second in [&out, &dotted] {
        let (code, _, stderr) = run(&[
            "diff",
            "--base",
            "v1",
            "--repo",
            &repo,
            "--output",
            &format!("json={out}"),
            "--output",
            &format!("md={second}"),
        ]);
        assert_eq!(code, 2, "{stderr}");
        assert!(stderr.contains("twice"), "{stderr}");
    }
    std::fs::remove_dir(tmp.path().join("o")).expect("rmdir");
    assert_eq!(before, tree_bytes(dir), "the repository was written to");
}

// Regression: `shipgate diff … > /dev/full` exited 0 with nothing written.
#[test]
fn a_failed_write_to_stdout_is_exit_2() {
    if !git_available() || !Path::new("/dev/full").exists() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    simple_repo(tmp.path());
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").expect("/dev/full opens");
    let bin = assert_cmd::cargo::cargo_bin("shipgate");
    let repo = tmp.path().display().to_string();
    for args in [vec!["diff", "--base", "v1", "--format", "json", "--repo", &repo], vec!["rules"]] {
        let out = Command::new(&bin)
            .args(&args)
            .stdout(full.try_clone().expect("clone"))
            .stderr(Stdio::piped())
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("standard output"), "{stderr}");
    }
}

// Regression: `--max-commits 0` panicked (index out of bounds in history).
#[test]
fn max_commits_zero_is_a_usage_error() {
    if !git_available() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    simple_repo(tmp.path());
    let repo = tmp.path().display().to_string();
    for cmd in ["closest-safe", "report"] {
        let (code, _, stderr) =
            run(&[cmd, "--base", "v1", "--max-commits", "0", "--mainline", "main", "--repo", &repo]);
        assert_eq!(code, 2, "{stderr}");
        assert!(stderr.contains("--max-commits 0"), "{stderr}");
    }
}

// Regression: on a tag push (head = the newest tag, no --base) the default base was head itself,
// so the diff was empty and the gate passed.
#[test]
fn the_default_base_is_a_strict_ancestor_of_head() {
    if !git_available() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    fast_import(
        dir,
        &[("release-1", vec![file("models/a.json", MODEL_A)]), ("release-2", vec![file("models/a.json", MODEL_B)])],
    );
    let (code, stdout, stderr) =
        run(&["check", "--head", "release-2", "--format", "json", "--repo", &dir.display().to_string()]);
    let v = common::json(stdout.as_bytes());
    assert_eq!(v["base"]["rev"], "release-1", "{stderr}");
    assert_eq!(code, 1, "the removed shape fails the gate: {stderr}");
}

/// Repositories no one should commit, each as a list of commits for [`fast_import`].
fn hostile_corpus() -> Vec<(&'static str, Vec<Commit>)> {
    let long_line =
        format!("[package]\nname = \"a\"\nversion = \"1.0.0\"\ndescription = \"{}\" =\n", "y".repeat(70_000));
    vec![
        (
            "non-UTF-8 paths",
            vec![
                ("v1", vec![file(b"models/\xff.json", MODEL_A), file(b"models/\xfe.json", MODEL_A)]),
                ("", vec![file(b"models/\xff.json", MODEL_A), file(b"models/\xfe.json", MODEL_B)]),
            ],
        ),
        (
            "odd bytes and modes",
            vec![
                ("v1", vec![file("a/Cargo.toml", CARGO), entry("100755", "models/x.json", MODEL_A)]),
                (
                    "",
                    vec![
                        file("a/Cargo.toml", CARGO),
                        entry("120000", "models/x.json", "../../../../etc/passwd"),
                        file(b"dir with space/\n\t\"quote\\.json", MODEL_B),
                        file(b"\x01\x7f/package.json", r#"{"name": 1, "version": [] }"#),
                    ],
                ),
            ],
        ),
        (
            "symlinked config and manifests",
            vec![
                ("v1", vec![file("a/Cargo.toml", CARGO)]),
                (
                    "",
                    vec![
                        entry("120000", "shipgate.toml", "/proc/self/environ"),
                        entry("120000", "a/Cargo.toml", "/etc/passwd"),
                        entry("120000", "package.json", "package.json"),
                    ],
                ),
            ],
        ),
        (
            "gitlinks",
            vec![
                ("v1", vec![entry("160000", "vendor/sub", "1111111111111111111111111111111111111111")]),
                (
                    "",
                    vec![
                        entry("160000", "vendor/sub", "2222222222222222222222222222222222222222"),
                        entry("160000", "models/m.json", "3333333333333333333333333333333333333333"),
                    ],
                ),
            ],
        ),
        (
            "broken content",
            vec![
                ("v1", vec![file("a/Cargo.toml", CARGO), file("models/a.json", MODEL_A)]),
                (
                    "",
                    vec![
                        file("a/Cargo.toml", long_line.as_bytes()),
                        file("models/a.json", b"\xef\xbb\xbf{\"smithy\":\"2.0\",\"shapes\":{}}"),
                        file("shipgate.toml", format!("release_tags = \"v*\"\nmainline = \"{}\" x\n", "z".repeat(70_000))),
                        file("models/b.json", b"{\"smithy\":\"2.0\",\"shapes\":{\"a#B\":{\"type\":\"intEnum\",\"members\":{\"A\":{\"target\":\"smithy.api#Unit\",\"traits\":{\"smithy.api#enumValue\":1e999}}}}}}"),
                        file("package.json", "{\"name\":\"p\",\"version\":\"1.0.0\",\"dependencies\":{\"a\":\"file:../x\"}}"),
                    ],
                ),
            ],
        ),
        (
            "tags on trees and odd tag names",
            vec![("v1", vec![file("models/a.json", MODEL_A)]), ("v1-\u{e9}", vec![file("models/a.json", MODEL_B)])],
        ),
    ]
}

// Regression: a Cargo.toml or config line past column 65,535 panicked inside miette's formatter;
// `--max-commits 0` panicked. No command may exit 101 on any repository of the corpus.
#[test]
fn no_command_panics_on_the_hostile_corpus() {
    if !git_available() {
        return;
    }
    let started = std::time::Instant::now();
    for (name, commits) in hostile_corpus() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path();
        fast_import(dir, &commits);
        // A work tree too, so `--head worktree` sees the same hostile files (checkout may fail on
        // paths the file system refuses; the commit-based commands still run).
        let _ = Command::new("git").arg("-C").arg(dir).args(["checkout", "-q", "-f", "main"]).output();
        let before = tree_bytes(&dir.join(".git"));
        let repo = dir.display().to_string();
        let candidate = tmp.path().join("candidate.toml");
        std::fs::write(&candidate, format!("[[package]]\nname = \"a\"\nversion = \"{}\" x\n", "9".repeat(70_000)))
            .expect("write");
        let candidate = candidate.display().to_string();
        let runs: Vec<Vec<&str>> = vec![
            vec!["diff", "--base", "v1", "--format", "json"],
            vec!["diff", "--base", "v1", "--head", "worktree"],
            vec!["check", "--base", "v1", "--format", "sarif"],
            vec!["check"],
            vec!["check", "--base", "v1", "--format", "github", "--candidate-manifest", &candidate],
            vec!["report", "--base", "v1", "--mainline", "main", "--format", "html"],
            vec!["report", "--base", "v1", "--mainline", "main", "--max-commits", "1"],
            vec!["closest-safe", "--base", "v1", "--mainline", "main", "--format", "md"],
            vec!["check", "--base", "v1^{tree}"],
        ];
        for args in runs {
            let mut full = args.clone();
            full.extend(["--repo", &repo]);
            let (code, _, stderr) = run(&full);
            assert!(code != 2 || !stderr.is_empty(), "{name}: exit 2 without a message on {args:?}");
        }
        run(&["init", "--repo", &repo]);
        run(&["replay", "--repo", &repo]);
        assert_eq!(before, tree_bytes(&dir.join(".git")), "{name}: the git directory was written to");
        // A bare clone of it: no work tree, so the config and files come from the commits.
        let bare = tmp.path().join("bare.git");
        git(tmp.path(), &["clone", "-q", "--bare", &repo, &bare.display().to_string()]);
        let bare = bare.display().to_string();
        for args in [vec!["check", "--base", "v1"], vec!["diff", "--base", "v1", "--head", "worktree"], vec!["replay"]]
        {
            let mut full = args.clone();
            full.extend(["--repo", &bare]);
            run(&full);
        }
    }
    // The suite's CI budget: the hostile corpus must stay well under a minute.
    assert!(started.elapsed() < Duration::from_secs(60), "the corpus took {:?}", started.elapsed());
}

// Regression: a model whose head version lost its "smithy" key, was re-encoded as UTF-16, became
// a top-level array or a symlink vanished from the diff ("No model or manifest file changed",
// exit 0) though its shapes were removed. A path that was a model at base is one at head.
#[test]
fn a_model_that_stops_being_a_model_is_an_invalid_model() {
    if !git_available() {
        return;
    }
    let utf16: Vec<u8> = [0xFF, 0xFE].into_iter().chain(MODEL_B.encode_utf16().flat_map(u16::to_le_bytes)).collect();
    let heads: Vec<(&str, Entry)> = vec![
        ("no smithy key", file("models/a.json", r#"{"shapes":{}}"#)),
        ("UTF-16", file("models/a.json", &utf16)),
        ("top-level array", file("models/a.json", "[1, 2]")),
        ("symlink", entry("120000", "models/a.json", "elsewhere.json")),
    ];
    for (name, head) in heads {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path();
        fast_import(dir, &[("v1", vec![file("models/a.json", MODEL_A)]), ("", vec![head])]);
        let (code, stdout, stderr) =
            run(&["check", "--base", "v1", "--head", "main", "--format", "json", "--repo", &dir.display().to_string()]);
        assert_eq!(code, 1, "{name}: the broken model fails the gate: {stderr}");
        let v = common::json(stdout.as_bytes());
        let invalid: Vec<&serde_json::Value> =
            v["findings"].as_array().expect("findings").iter().filter(|f| f["rule"] == "InvalidModel").collect();
        assert_eq!(invalid.len(), 1, "{name}: {stdout}");
        assert_eq!(invalid[0]["path"], "models/a.json", "{name}");
        assert_eq!(v["models"][0]["status"], "modified", "{name}: {stdout}");
    }
    // The other way round: a JSON file that becomes a model at head is an added model, its base
    // version never parsed as one.
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    fast_import(
        dir,
        &[
            ("v1", vec![file("models/n.json", r#"{"name": "not a model"}"#)]),
            ("", vec![file("models/n.json", MODEL_A)]),
        ],
    );
    let (_, stdout, stderr) =
        run(&["diff", "--base", "v1", "--head", "main", "--format", "json", "--repo", &dir.display().to_string()]);
    let v = common::json(stdout.as_bytes());
    assert_eq!(v["models"][0]["status"], "added", "{stdout} {stderr}");
    assert_eq!(v["models"][0]["shapes"]["added"], 2, "{stdout}");
    let rules: Vec<&str> =
        v["findings"].as_array().expect("findings").iter().filter_map(|f| f["rule"].as_str()).collect();
    assert!(!rules.contains(&"InvalidModel"), "the base version is not a model: {rules:?}");
}

// Regression: a broken `.git/config` (or one including a file that does not parse) said "is not
// a git repository"; the parse error then quoted the included file (here a secret).
#[test]
fn a_broken_git_config_is_named_and_never_quoted() {
    if !git_available() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    simple_repo(dir);
    let config = dir.join(".git/config");
    let good = std::fs::read(&config).expect("config");
    let secret = tmp.path().join("secret");
    std::fs::write(&secret, "token:s3cr3t-value-xyz\n").expect("write");
    for (name, extra) in [
        ("broken section", "[core\nbroken".to_string()),
        ("include that does not parse", format!("[include]\npath = {}\n", secret.display())),
    ] {
        let mut bytes = good.clone();
        bytes.extend_from_slice(extra.as_bytes());
        std::fs::write(&config, &bytes).expect("write");
        let (code, _, stderr) = run(&["check", "--base", "v1", "--repo", &dir.display().to_string()]);
        assert_eq!(code, 2, "{name}: {stderr}");
        assert!(stderr.contains("could not be opened") && !stderr.contains("not a git repository"), "{name}: {stderr}");
        assert!(!stderr.contains("s3cr3t"), "{name}: quoted the included file: {stderr}");
    }
    std::fs::write(&config, &good).expect("write");
}

// Regression: for an annotated tag on a tree the suggested `TAG^{commit}` failed too.
#[test]
fn a_tag_on_a_tree_says_what_it_points_to() {
    if !git_available() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    simple_repo(dir);
    git(dir, &["-c", "user.name=t", "-c", "user.email=t@example.com", "tag", "-a", "-m", "t", "ontree", "v1^{tree}"]);
    let (code, _, stderr) = run(&["check", "--base", "ontree", "--repo", &dir.display().to_string()]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("points to a tree"), "{stderr}");
    assert!(!stderr.contains("e.g. `ontree^{commit}`"), "suggests what fails: {stderr}");
}

// Regression: `--head worktree` on a CRLF checkout (core.autocrlf, `.gitattributes` eol=crlf)
// reported changes git does not see (ChangedWithoutVersionBump on a clean `git status`).
#[test]
fn a_crlf_checkout_shows_what_git_shows() {
    if !git_available() {
        return;
    }
    let attrs = file(".gitattributes", "* text eol=crlf\n");
    for (name, autocrlf, extra) in [("core.autocrlf", "true", None), (".gitattributes eol=crlf", "false", Some(attrs))]
    {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path();
        let mut files = vec![file("models/a.json", MODEL_A), file("a/Cargo.toml", CARGO), file("a/src/lib.rs", "//\n")];
        files.extend(extra);
        fast_import(dir, &[("v1", files)]);
        git(dir, &["config", "core.autocrlf", autocrlf]);
        git(dir, &["checkout", "-q", "-f", "main"]);
        let cargo = std::fs::read(dir.join("a/Cargo.toml")).expect("checked out");
        assert!(cargo.windows(2).any(|w| w == b"\r\n"), "{name}: git wrote CRLF");
        assert_eq!(git(dir, &["status", "--porcelain"]), "", "{name}: git sees no change");
        let (code, stdout, stderr) = run(&[
            "check",
            "--base",
            "v1",
            "--head",
            "worktree",
            "--format",
            "json",
            "--repo",
            &dir.display().to_string(),
        ]);
        let v = common::json(stdout.as_bytes());
        assert_eq!(v["files"], serde_json::json!([]), "{name}: {stderr}");
        assert_eq!(code, 0, "{name}: {stdout}");
        // A real edit still shows, converted as git converts it.
        std::fs::write(dir.join("a/src/lib.rs"), "// changed\r\n").expect("write");
        let (code, stdout, _) = run(&[
            "check",
            "--base",
            "v1",
            "--head",
            "worktree",
            "--format",
            "json",
            "--repo",
            &dir.display().to_string(),
        ]);
        let v = common::json(stdout.as_bytes());
        let rules: Vec<&str> =
            v["findings"].as_array().map_or(vec![], |f| f.iter().filter_map(|f| f["rule"].as_str()).collect());
        assert!(rules.contains(&"ChangedWithoutVersionBump") && code == 1, "{name}: {rules:?}");
    }
    // The attribute files gix reads are held to the rules every work-tree read follows.
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    simple_repo(dir);
    let status = Command::new("mkfifo").arg(dir.join("a/.gitattributes")).status().expect("mkfifo runs");
    assert!(status.success());
    let (code, _, stderr) = run(&["diff", "--base", "v1", "--head", "worktree", "--repo", &dir.display().to_string()]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains(".gitattributes") && stderr.contains("FIFO"), "{stderr}");
}

// Regression: `models/\xff.json` and `models/\xfe.json` both became `models/\u{fffd}.json`, so a
// breaking change in one passed. Paths stay bytes; reports show the bytes escaped.
#[test]
fn paths_that_are_not_utf8_stay_distinct() {
    if !git_available() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    fast_import(
        dir,
        &[
            ("v1", vec![file(b"models/\xff.json", MODEL_A), file(b"models/\xfe.json", MODEL_A)]),
            ("", vec![file(b"models/\xff.json", MODEL_A), file(b"models/\xfe.json", MODEL_B)]),
        ],
    );
    let repo = dir.display().to_string();
    let (code, stdout, stderr) = run(&["check", "--base", "v1", "--head", "main", "--format", "json", "--repo", &repo]);
    assert_eq!(code, 1, "the removed shape fails the gate: {stderr}");
    let v = common::json(stdout.as_bytes());
    let models: Vec<&str> = v["models"].as_array().expect("models").iter().filter_map(|m| m["path"].as_str()).collect();
    assert_eq!(models, [r"models/\xfe.json"], "{stdout}");
    assert!(
        v["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .any(|f| f["rule"] == "RemovedShape" && f["path"] == r"models/\xfe.json")
    );
    // The work tree names the same files by the same bytes.
    git(dir, &["checkout", "-q", "-f", "main"]);
    let (code, stdout, stderr) =
        run(&["diff", "--base", "main", "--head", "worktree", "--format", "json", "--repo", &repo]);
    assert_eq!((code, common::json(stdout.as_bytes())["files"].clone()), (0, serde_json::json!([])), "{stderr}");
    use std::os::unix::ffi::OsStrExt;
    std::fs::write(dir.join(std::ffi::OsStr::from_bytes(b"models/\xff.json")), MODEL_B).expect("write");
    let (_, stdout, _) = run(&["diff", "--base", "main", "--head", "worktree", "--format", "json", "--repo", &repo]);
    let v = common::json(stdout.as_bytes());
    assert_eq!(v["models"][0]["path"], r"models/\xff.json", "{stdout}");
    // A name that spells the escape beside the byte it escapes is refused, never merged.
    let tmp = tempfile::tempdir().expect("tempdir");
    fast_import(
        tmp.path(),
        &[
            ("v1", vec![file(b"models/\xff.json", MODEL_A), file(br"models/\xff.json", MODEL_A)]),
            ("", vec![file(b"models/\xff.json", MODEL_B), file(br"models/\xff.json", MODEL_A)]),
        ],
    );
    let (code, _, stderr) =
        run(&["check", "--base", "v1", "--head", "main", "--repo", &tmp.path().display().to_string()]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("both named"), "{stderr}");
}

// Regression: a 300 MB model took 6 GB of memory. Past the model size limit it is an
// InvalidModel finding that says the limit, read without parsing (here a 2 KB limit).
#[test]
fn a_model_past_the_size_limit_is_a_finding_not_an_oom() {
    if !git_available() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let big = format!(
        r#"{{"smithy":"2.0","shapes":{{"com.a#Foo":{{"type":"string","traits":{{"smithy.api#documentation":"{}"}}}}}}}}"#,
        "x".repeat(4096)
    );
    fast_import(
        dir,
        &[("v1", vec![file("models/a.json", MODEL_A)]), ("", vec![file("models/a.json", big.as_bytes())])],
    );
    let out = shipgate()
        .env("SHIPGATE_MAX_MODEL_BYTES", "2048")
        .args(["check", "--base", "v1", "--head", "main", "--format", "json", "--repo"])
        .arg(dir)
        .timeout(Duration::from_secs(60))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let v = common::json(&out.stdout);
    let invalid: Vec<&serde_json::Value> =
        v["findings"].as_array().expect("findings").iter().filter(|f| f["rule"] == "InvalidModel").collect();
    assert_eq!(invalid.len(), 1, "{v}");
    assert!(invalid[0]["message"].as_str().is_some_and(|m| m.contains("more than the 2048 bytes")), "{v}");
}

// Regression: in a shallow clone a release tag that was not fetched was only "did you mean
// `<the tag that was fetched>`?", with no word about the clone being shallow.
#[test]
fn a_tag_missing_from_a_shallow_clone_says_the_clone_is_shallow() {
    if !git_available() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let full = tmp.path().join("full");
    std::fs::create_dir(&full).expect("mkdir");
    fast_import(
        &full,
        &[("release-1", vec![file("models/a.json", MODEL_A)]), ("release-2", vec![file("models/a.json", MODEL_B)])],
    );
    let url = format!("file://{}", full.display());
    let shallow = tmp.path().join("shallow");
    let out = Command::new("git")
        .args(["clone", "-q", "--depth", "1", "--branch", "release-2", &url])
        .arg(&shallow)
        .output()
        .expect("git clone runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (code, _, stderr) = run(&["check", "--base", "release-1", "--repo", &shallow.display().to_string()]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("shallow") && stderr.contains("fetch"), "{stderr}");
}

// Regression: `--config` naming a symlink to /proc/self/environ (a regular file of size 0 to
// stat) was read and the parse error quoted the environment.
#[test]
fn a_config_option_never_reads_kernel_pseudo_files() {
    if !git_available() || !Path::new("/proc/self/environ").exists() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("repo");
    std::fs::create_dir(&dir).expect("mkdir");
    simple_repo(&dir);
    let link = tmp.path().join("config.toml");
    std::os::unix::fs::symlink("/proc/self/environ", &link).expect("symlink");
    let nul = tmp.path().join("nul.toml");
    std::fs::write(&nul, b"SECRET_A=s3cr3t-token-value\0B=1\0").expect("write");
    for config in [&link, &nul] {
        let out = shipgate()
            .env("SHIPGATE_TEST_SECRET", "s3cr3t-token-value")
            .args(["check", "--base", "v1", "--config"])
            .arg(config)
            .arg("--repo")
            .arg(&dir)
            .timeout(Duration::from_secs(60))
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(!stderr.contains("s3cr3t-token-value"), "leaked: {stderr}");
    }
}

// Regression: a committed `shipgate.toml` that is not UTF-8 was read lossily (`\xff` became
// U+FFFD and the config applied), while the same bytes through `--config` were refused.
#[test]
fn a_committed_config_that_is_not_utf8_is_refused_like_config() {
    if !git_available() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("repo");
    std::fs::create_dir(&dir).expect("mkdir");
    let config: &[u8] = b"release_tags = \"v*\"\n# caf\xe9 (Latin-1)\n";
    // No checkout: the config comes from the head commit, not the work tree.
    fast_import(
        &dir,
        &[
            ("v1", vec![file("models/a.json", MODEL_A)]),
            ("", vec![file("models/a.json", MODEL_A), file("shipgate.toml", config)]),
        ],
    );
    let loose = tmp.path().join("shipgate.toml");
    std::fs::write(&loose, config).expect("write");
    let repo = dir.display().to_string();
    let (code, _, committed) = run(&["check", "--base", "v1", "--head", "main", "--repo", &repo]);
    assert_eq!(code, 2, "{committed}");
    assert!(committed.contains("shipgate.toml") && committed.contains("not UTF-8"), "{committed}");
    let (code, _, given) =
        run(&["check", "--base", "v1", "--head", "main", "--config", &loose.display().to_string(), "--repo", &repo]);
    assert_eq!(code, 2, "{given}");
    assert!(given.contains("not UTF-8"), "{given}");
}

// Regression: a file name with a newline (`x\n::warning::…`) was printed raw by the Markdown and
// HTML reports, so `shipgate report` on a step's stdout let the pull request write its own GitHub
// workflow commands. Control characters in paths are escaped as `\xNN`, like bytes that are not
// UTF-8, and the work tree still names the same file.
#[test]
fn a_file_name_cannot_inject_a_workflow_command() {
    if !git_available() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let name: &[u8] = b"x\n::warning::pwned/m.json";
    let broken = r#"{"smithy":"2.0","shapes":{"a#B":1}}"#;
    fast_import(dir, &[("v1", vec![file(name, MODEL_A)]), ("", vec![file(name, broken)])]);
    let repo = dir.display().to_string();
    for format in ["table", "md", "html", "github", "sarif", "json"] {
        let (code, stdout, stderr) =
            run(&["report", "--base", "v1", "--head", "main", "--format", format, "--repo", &repo]);
        assert_eq!(code, 1, "{format}: the invalid model fails the gate: {stderr}");
        assert!(!stdout.lines().any(|l| l.starts_with("::warning::pwned")), "{format}: {stdout}");
        // JSON and SARIF write the escape's backslash escaped.
        let shown = if ["sarif", "json"].contains(&format) { r"x\\x0a::warning" } else { r"x\x0a::warning" };
        assert!(stdout.contains(shown), "{format} shows the escape: {stdout}");
    }
    git(dir, &["checkout", "-q", "-f", "main"]);
    let (code, stdout, stderr) =
        run(&["diff", "--base", "main", "--head", "worktree", "--format", "json", "--repo", &repo]);
    assert_eq!((code, common::json(stdout.as_bytes())["files"].clone()), (0, serde_json::json!([])), "{stderr}");
}

// Regression: the HTML report printed newlines and control characters from package names,
// versions, exception subjects and reasons, finding messages and commit summaries raw, so a
// repository could start a line of `shipgate report --format html` on a step's stdout with
// `::warning::…` (a GitHub workflow command), and the terminal table passed ESC and NUL through.
// Every human format writes such text as one line of printable characters.
#[test]
fn repository_text_cannot_break_a_report_line() {
    if !git_available() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let cargo_name = "[package]\nname = \"a\\n::warning::cargo-name\\u001b[31m\"\nversion = \"1.0.0\"\n";
    let version = "[package]\nname = \"c\"\nversion = \"1.0.0\\n::warning::version\\u001b[2J\"\n";
    let npm_name = r#"{"name": "b\n::warning::npm-name\u0000", "version": "1.0.0"}"#;
    let config = "release_tags = \"v*\"\n\n[[exceptions]]\nrule = \"RemovedShape\"\nsubject = \"com.a#Bar\"\nreason = \"ok\\n::warning::reason\\u001b[2J\"\napproved_by = \"me\\r\\n::warning::approver\"\n\n[[exceptions]]\nrule = \"RemovedShape\"\nsubject = \"x\\n::warning::subject\\u0007\"\nreason = \"r\"\n";
    fast_import_with(
        dir,
        &[
            (
                "v1",
                vec![
                    file("models/a.json", MODEL_A),
                    file("a/Cargo.toml", CARGO),
                    file("c/Cargo.toml", CARGO.replace("\"a\"", "\"c\"")),
                    file("b/package.json", r#"{"name": "b", "version": "1.0.0"}"#),
                ],
            ),
            (
                "",
                vec![
                    file("models/a.json", MODEL_B),
                    file("a/Cargo.toml", cargo_name),
                    file("c/Cargo.toml", version),
                    file("b/package.json", npm_name),
                    file("shipgate.toml", config),
                ],
            ),
        ],
        &|i| if i == 0 { "one".into() } else { "two \u{1b}[2J\r::warning::summary\u{0}".into() },
    );
    let repo = dir.display().to_string();
    for format in ["html", "md", "table"] {
        for details in [false, true] {
            let mut args = vec!["report", "--base", "v1", "--head", "main", "--mainline", "main", "--format", format];
            // At `warning` the UnusedException of the hostile subject blocks, so it is also in
            // the exception request.
            args.extend(["--fail-on", "warning", "--date", "2026-01-01", "--repo", &repo]);
            if details {
                args.push("--details");
            }
            let (code, stdout, stderr) = run(&args);
            assert_eq!(code, 1, "{format}: {stderr}");
            let bad: Vec<(usize, &str)> = stdout
                .lines()
                .enumerate()
                .filter(|(_, l)| l.trim_start().starts_with("::") || l.chars().any(char::is_control))
                .collect();
            assert!(bad.is_empty(), "{format} (details {details}): lines broken by repository text: {bad:?}");
            // The terminal table names an exception's reason only with --details.
            let reason = format != "table" || details;
            for shown in
                ["::warning::subject", "::warning::summary"].into_iter().chain(reason.then_some("::warning::reason"))
            {
                assert!(stdout.contains(shown), "{format} (details {details}) still shows {shown}:\n{stdout}");
            }
        }
    }
}

// Regression: a documentation string with bidirectional controls (a right-to-left override, an
// isolate) or a line separator reached every human report as is, where the override reversed
// the rest of the finding's line on screen ("Trojan Source"). They are shown, not applied.
#[test]
fn bidirectional_controls_in_a_value_are_shown_not_applied() {
    if !git_available() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let model = |doc: &str| {
        let doc = serde_json::to_string(doc).expect("a JSON string");
        format!(
            r#"{{"smithy":"2.0","shapes":{{"com.a#Foo":{{"type":"structure","members":{{}},"traits":{{"smithy.api#documentation":{doc}}}}}}}}}"#
        )
    };
    let before = model("plain");
    let after = model("safe \u{202E}ton si siht\u{202C} \u{2066}x\u{2069}\u{2028}next");
    fast_import(dir, &[("v1", vec![file("models/a.json", before)]), ("", vec![file("models/a.json", after)])]);
    let repo = dir.display().to_string();
    for format in ["table", "md", "html", "github"] {
        let args = ["report", "--base", "v1", "--head", "main", "--mainline", "main", "--format", format];
        let (code, stdout, stderr) = run(&[&args[..], &["--fail-on", "note", "--details", "--repo", &repo]].concat());
        assert_eq!(code, 1, "{format}: the documentation change is a note, and notes block here: {stderr}");
        let hidden: Vec<char> = stdout
            .chars()
            .filter(|c| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{2028}'))
            .collect();
        assert!(hidden.is_empty(), "{format} passes {hidden:?} through:\n{stdout}");
        let shown = if format == "html" || format == "md" { "&lt;U+202E&gt;" } else { "<U+202E>" };
        assert!(stdout.contains(shown), "{format} shows the override as {shown}:\n{stdout}");
    }
}
