//! The performance benchmark: every case runs the release `shipgate` binary as a child process,
//! against a baseline timed in the same run (these machines are shared and noisy, so absolute
//! times mean little), and prints medians of several runs, their ratio and the child's peak RSS.
//!
//!     cargo bench --bench pipeline                 # every case
//!     cargo bench --bench pipeline -- few history  # only the cases whose name contains a word
//!
//! Cases (a case whose real data is absent says so and is skipped):
//!
//! - `few`: 402 real AWS models (`../shared/corpus/aws-models-2025-01-31.tar.xz`, or
//!   `SHIPGATE_CORPUS`), the 20 that smithy-rs also ships taken back to its `release-2024-12-30`
//!   versions at base (a real update, one month of AWS changes); `diff` against `git diff --stat`.
//! - `all`: the same 402 models with every one edited (one operation binding retargeted);
//!   `diff` against `git diff --stat`.
//! - `history-real`: `closest-safe` from smithy-rs's first 2024 release over its real mainline (a
//!   bare clone of `../shared/corpus/smithy-rs-2024.bundle`), against one `check` of the tip.
//! - `history-synthetic`: `closest-safe` over a synthetic mainline of `SHIPGATE_BENCH_COMMITS`
//!   (default 1,000) commits on the 402 models, every model touched at least twice, against one
//!   `check` of the tip.
//! - `big`: a generated 100 MB model with a one-line edit; `diff` against `git diff --stat`.
//! - `release-history`: `check` of smithy-rs `release-2024-12-26` → `release-2024-12-30` with
//!   `release_tags = "release-*"` (24 past releases measured), against `git diff --stat`.
//!
//! Repositories are built once into `target/bench-cache/` (never in the test suite's fixtures)
//! and reused; delete that directory to rebuild them. A built repository is packed (`git repack
//! -adq`), as real ones are, so blob reads pay zlib and delta resolution as they do on
//! smithy-rs; loose objects (what the fixture writes) would make every read a plain inflate. Peak RSS comes from GNU `time` (`%M`, the
//! child's `getrusage` maximum) when `/usr/bin/time` exists, else from polling the child's
//! `/proc/PID/status` `VmHWM`; runs: `SHIPGATE_BENCH_RUNS` (default 3); `SHIPGATE_BENCH_BIN`
//! measures another `shipgate` binary (a copy from before a change) with the same harness.
use shipgate::source::fixture::FixtureRepo;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// One timed child: wall time and peak resident set in bytes (if it could be measured).
#[derive(Clone, Copy)]
struct Run {
    time: Duration,
    rss: Option<u64>,
}

/// Runs `program args` once with stdout to /dev/null; panics with its stderr when it exits 2 or
/// dies (exit 1 is a failed gate, a normal outcome).
fn run_once(program: &str, args: &[String]) -> Run {
    let gnu_time = Path::new("/usr/bin/time").exists();
    let rss_file = std::env::temp_dir().join(format!("shipgate-bench-rss-{}", std::process::id()));
    let mut cmd = if gnu_time {
        let mut c = Command::new("/usr/bin/time");
        c.arg("-f").arg("%M").arg("-o").arg(&rss_file).arg(program);
        c
    } else {
        Command::new(program)
    };
    cmd.args(args).stdout(Stdio::null()).stderr(Stdio::piped());
    let start = Instant::now();
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("could not run {program}: {e}"));
    let mut polled = None;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if !gnu_time {
            polled = proc_hwm(child.id()).or(polled);
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let time = start.elapsed();
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        use std::io::Read;
        let _ = e.read_to_string(&mut stderr);
    }
    if !matches!(status.code(), Some(0 | 1)) {
        panic!("{program} {} failed ({status}): {stderr}", args.join(" "));
    }
    let rss = if gnu_time {
        let kb = std::fs::read_to_string(&rss_file).ok().and_then(|s| s.lines().last()?.trim().parse::<u64>().ok());
        let _ = std::fs::remove_file(&rss_file);
        kb.map(|k| k * 1024)
    } else {
        polled
    };
    Run { time, rss }
}

/// `VmHWM` of a live process, in bytes.
fn proc_hwm(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse::<u64>().ok().map(|k| k * 1024)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Runs `subject` and `baseline` alternately `runs` times; prints and returns the medians.
fn compare(name: &str, target: &str, subject: (&str, &[String]), baseline: (&str, &str, &[String])) -> Row {
    let runs: usize = std::env::var("SHIPGATE_BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(3).max(1);
    let (mut a, mut b, mut rss, mut base_rss) = (Vec::new(), Vec::new(), 0u64, 0u64);
    for _ in 0..runs {
        let r = run_once(subject.0, subject.1);
        a.push(r.time);
        rss = rss.max(r.rss.unwrap_or(0));
        let r = run_once(baseline.1, baseline.2);
        b.push(r.time);
        base_rss = base_rss.max(r.rss.unwrap_or(0));
    }
    let row = Row {
        case: name.to_string(),
        subject: median(a),
        baseline_name: baseline.0.to_string(),
        baseline: median(b),
        rss,
        baseline_rss: base_rss,
        target: target.to_string(),
    };
    println!(
        "{:<18} {:>9.3} s  {:<22} {:>8.3} s  ratio {:>6.2}  peak RSS {:>7.1} MB (baseline {:.1} MB)  target: {}",
        row.case,
        row.subject.as_secs_f64(),
        row.baseline_name,
        row.baseline.as_secs_f64(),
        row.subject.as_secs_f64() / row.baseline.as_secs_f64(),
        row.rss as f64 / 1e6,
        row.baseline_rss as f64 / 1e6,
        row.target
    );
    row
}

struct Row {
    case: String,
    subject: Duration,
    baseline_name: String,
    baseline: Duration,
    rss: u64,
    baseline_rss: u64,
    target: String,
}

fn cache_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("bench-cache")
}

/// `shared/corpus/NAME` in the nearest directory above the crate that has it (a checkout next to
/// `shared/`, or a worktree further down).
fn shared_corpus(name: &str) -> PathBuf {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    crate_dir
        .ancestors()
        .skip(1)
        .map(|d| d.join("shared/corpus").join(name))
        .find(|p| p.exists())
        .unwrap_or_else(|| crate_dir.join("../shared/corpus").join(name))
}

fn corpus_path() -> PathBuf {
    std::env::var_os("SHIPGATE_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| shared_corpus("aws-models-2025-01-31.tar.xz"))
}

fn bundle_path() -> PathBuf {
    std::env::var_os("SHIPGATE_BUNDLE").map(PathBuf::from).unwrap_or_else(|| shared_corpus("smithy-rs-2024.bundle"))
}

/// Every model file of the corpus (path below `models/`, bytes), or `None` without the corpus.
fn corpus_models(tmp: &Path) -> Option<Vec<(String, Vec<u8>)>> {
    let corpus = corpus_path();
    if !corpus.exists() {
        return None;
    }
    let dir = tmp.join("corpus");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let ok = Command::new("tar").arg("-xJf").arg(&corpus).arg("-C").arg(&dir).status().is_ok_and(|s| s.success());
    if !ok {
        return None;
    }
    let mut out: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(&dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .map(|e| {
            let rel = e.path().strip_prefix(&dir).expect("below").to_string_lossy().replace('\\', "/");
            (format!("models/{rel}"), std::fs::read(e.path()).expect("read"))
        })
        .collect();
    out.sort();
    Some(out)
}

/// Retargets the first operation binding of a model's service: a breaking change smithy-diff sees.
fn break_model(bytes: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(bytes);
    let Some(i) = text.find("\"operations\"") else { return bytes.to_vec() };
    let Some(j) = text[i..].find("\"target\"") else { return bytes.to_vec() };
    let at = i + j;
    let end = text[at..].find('}').map(|e| at + e).unwrap_or(at);
    format!("{}\"target\": \"example.removed#Gone\"{}", &text[..at], &text[end..]).into_bytes()
}

/// smithy-rs model file name → the corpus service directory of the same service.
const SMITHY_RS_SERVICES: [(&str, &str); 20] = [
    ("bedrock-runtime", "bedrock-runtime"),
    ("codecatalyst", "codecatalyst"),
    ("config", "config-service"),
    ("dynamodb", "dynamodb"),
    ("ecs", "ecs"),
    ("glacier", "glacier"),
    ("iam", "iam"),
    ("kms", "kms"),
    ("lambda", "lambda"),
    ("polly", "polly"),
    ("qldb-session", "qldb-session"),
    ("route53", "route-53"),
    ("s3", "s3"),
    ("s3control", "s3-control"),
    ("sso-oidc", "sso-oidc"),
    ("sso", "sso"),
    ("sts", "sts"),
    ("timestream-query", "timestream-query"),
    ("timestream-write", "timestream-write"),
    ("transcribe-streaming", "transcribe-streaming"),
];

fn git(args: &[&str]) -> Option<Vec<u8>> {
    let out = Command::new("git").args(args).output().ok()?;
    out.status.success().then_some(out.stdout)
}

/// Whether the bench repository whose git directory is `git_dir` is complete: built to the end
/// (its marker) and packed. A cache built before repositories were packed is packed here once.
fn complete(git_dir: &Path) -> bool {
    if !git_dir.join("shipgate-bench-complete").exists() {
        return false;
    }
    if !git_dir.join("shipgate-bench-packed").exists() {
        pack(git_dir);
    }
    true
}

/// Packs every object of a bench repository (`git repack -adq`) and marks it complete.
fn pack(git_dir: &Path) {
    eprintln!("packing {} ...", git_dir.display());
    let dir = git_dir.to_string_lossy();
    git(&["--git-dir", &dir, "repack", "-adq"]).unwrap_or_else(|| panic!("git repack failed in {dir}"));
    std::fs::write(git_dir.join("shipgate-bench-packed"), "").expect("marker");
    std::fs::write(git_dir.join("shipgate-bench-complete"), "").expect("marker");
}

/// The bare clone of the smithy-rs 2024 bundle in the cache, made once.
fn smithy_rs_repo() -> Option<PathBuf> {
    let dir = cache_dir().join("smithy-rs-2024.git");
    if dir.join("shipgate-bench-complete").exists() {
        return Some(dir);
    }
    let bundle = bundle_path();
    if !bundle.exists() {
        return None;
    }
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(cache_dir()).expect("mkdir cache");
    git(&["clone", "-q", "--bare", &bundle.to_string_lossy(), &dir.to_string_lossy()])?;
    std::fs::write(dir.join("shipgate-bench-complete"), "").expect("marker");
    Some(dir)
}

/// The corpus repository in the cache (built once): tags `few-base` (20 models at their
/// smithy-rs 2024-12-30 versions), `release-1` (the corpus), branch `all-edited` (every model
/// edited) and branch `main` (the synthetic mainline from `release-1`). `None` without the corpus.
fn corpus_repo(commits: usize) -> Option<PathBuf> {
    let dir = cache_dir().join(format!("corpus-{commits}"));
    if complete(&dir.join(".git")) {
        return Some(dir);
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let files = corpus_models(tmp.path())?;
    eprintln!("building {} (once) ...", dir.display());
    let _ = std::fs::remove_dir_all(&dir);
    let mut r = FixtureRepo::init(&dir).expect("init");
    // Base of `few`: the smithy-rs versions of the 20 services it ships, where smithy-rs exists;
    // else 22 models edited, so the case still runs (the output says which).
    let old = smithy_rs_repo();
    for (p, b) in &files {
        r.write(p, b);
    }
    let mut replaced = 0;
    if let Some(old) = &old {
        for (name, service) in SMITHY_RS_SERVICES {
            let prefix = format!("models/{service}/service/");
            let Some((path, _)) = files.iter().find(|(p, _)| p.starts_with(&prefix)) else { continue };
            let spec = format!("release-2024-12-30:aws/sdk/aws-models/{name}.json");
            if let Some(bytes) = git(&["--git-dir", &old.to_string_lossy(), "show", &spec]) {
                r.write(path, bytes);
                replaced += 1;
            }
        }
    } else {
        for (p, b) in files.iter().step_by(files.len() / 22 + 1).take(22) {
            r.write(p, break_model(b));
            replaced += 1;
        }
    }
    let few = r.commit("few-base").expect("commit");
    r.tag("few-base", few).expect("tag");
    std::fs::write(
        dir.join(".git/shipgate-bench-few"),
        format!("{replaced} of {} ({})", files.len(), if old.is_some() { "real update" } else { "synthetic edits" }),
    )
    .expect("note");
    for (p, b) in &files {
        r.write(p, b);
    }
    let base = r.commit("release").expect("commit");
    r.tag("release-1", base).expect("tag");
    for (p, b) in &files {
        r.write(p, break_model(b));
    }
    let all = r.commit("every model edited").expect("commit");
    r.set_ref("refs/heads/all-edited", all).expect("ref");
    r.switch("main", base).expect("switch");
    for (p, b) in &files {
        r.write(p, b);
    }
    for i in 0..commits {
        let (p, b) = &files[(i * 7) % files.len()];
        let mut b = b.clone();
        if i % 50 == 49 {
            b = break_model(&b);
        } else {
            b.extend_from_slice(format!("\n{}", " ".repeat(i % 3)).as_bytes());
        }
        r.write(p, b);
        r.commit(&format!("mainline commit {i}")).expect("commit");
    }
    pack(&dir.join(".git"));
    Some(dir)
}

/// A generated model of about `mb` MB (pretty-printed, one member per few lines) at tag `base`,
/// and after it: the same model with one documentation line edited in the middle (tag
/// `one-line`), with every shape's member documentation rewritten (`rewritten`: a finding per
/// shape), and re-indented (`reformatted`: every line differs, no shape does).
fn big_repo(mb: usize) -> PathBuf {
    // `-v2`: the cache of `big-{mb}mb` has no `rewritten` and `reformatted` tags.
    let dir = cache_dir().join(format!("big-{mb}mb-v2"));
    if complete(&dir.join(".git")) {
        return dir;
    }
    eprintln!("building {} (once) ...", dir.display());
    let _ = std::fs::remove_dir_all(&dir);
    let shape = |i: usize, doc: &str| {
        format!(
            "        \"example.big#Shape{i}\": {{\n            \"type\": \"structure\",\n            \"members\": {{\n                \"name\": {{\n                    \"target\": \"smithy.api#String\",\n                    \"traits\": {{\n                        \"smithy.api#documentation\": \"{doc}\",\n                        \"smithy.api#required\": {{}}\n                    }}\n                }},\n                \"next\": {{\n                    \"target\": \"example.big#Shape{next}\"\n                }},\n                \"count\": {{\n                    \"target\": \"smithy.api#Integer\",\n                    \"traits\": {{\n                        \"smithy.api#range\": {{\n                            \"min\": 0,\n                            \"max\": {i}\n                        }}\n                    }}\n                }}\n            }},\n            \"traits\": {{\n                \"smithy.api#documentation\": \"<p>Shape number {i} of a generated model, with enough text to look like the real ones.</p>\"\n            }}\n        }}",
            next = i + 1
        )
    };
    let doc = "The name of the thing, as the service knows it.";
    let n = mb * 1_000_000 / (shape(0, doc).len() + 2);
    let edited_doc = "The thing's name, as the service knows it.";
    // `edited(i)`: whether shape `i` gets the edited documentation.
    let model = |edited: &dyn Fn(usize) -> bool| {
        let mut s = String::with_capacity(mb * 1_000_000 + 4096);
        s.push_str("{\n    \"smithy\": \"2.0\",\n    \"shapes\": {\n");
        for i in 0..n {
            if i > 0 {
                s.push_str(",\n");
            }
            s.push_str(&shape(i, if edited(i) { edited_doc } else { doc }));
        }
        s.push_str(&format!(
            ",\n        \"example.big#Shape{n}\": {{\n            \"type\": \"structure\",\n            \"members\": {{}}\n        }}\n    }}\n}}\n"
        ));
        s
    };
    let mut r = FixtureRepo::init(&dir).expect("init");
    let base_model = model(&|_| false);
    let reformatted = base_model.replace("    ", "  ");
    r.write("model/big.json", base_model);
    let base = r.commit("base").expect("commit");
    r.tag("base", base).expect("tag");
    for (tag, m) in
        [("one-line", model(&|i| i == n / 2)), ("rewritten", model(&|_| true)), ("reformatted", reformatted)]
    {
        r.write("model/big.json", m);
        let c = r.commit(tag).expect("commit");
        r.tag(tag, c).expect("tag");
    }
    pack(&dir.join(".git"));
    dir
}

fn args(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn main() {
    let filters: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let wanted = |case: &str| filters.is_empty() || filters.iter().any(|f| case.contains(f.as_str()));
    // `SHIPGATE_BENCH_BIN`: measure another build (e.g. a copy of the binary before a change).
    let bin_override = std::env::var("SHIPGATE_BENCH_BIN").ok();
    let bin = bin_override.as_deref().unwrap_or(env!("CARGO_BIN_EXE_shipgate"));
    println!("binary: {bin}");
    if Command::new("git").arg("--version").output().is_err() {
        println!("git is not installed: every case needs it as its baseline; nothing measured");
        return;
    }
    let shipgate = |repo: &Path, rest: &[&str]| -> Vec<String> {
        let mut v = vec![rest[0].to_string(), "--repo".to_string(), repo.display().to_string()];
        v.extend(args(&rest[1..]));
        v.extend(args(&["--format", "json", "--date", "2026-11-22"]));
        v
    };
    let git_stat = |repo: &Path, a: &str, b: &str| -> Vec<String> {
        args(&["-C", &repo.display().to_string(), "diff", "--stat", a, b])
    };
    let mut rows = Vec::new();
    let commits: usize = std::env::var("SHIPGATE_BENCH_COMMITS").ok().and_then(|v| v.parse().ok()).unwrap_or(1000);

    let needs_corpus = ["few", "all", "history-synthetic"].iter().any(|c| wanted(c));
    let corpus = if needs_corpus { corpus_repo(commits) } else { None };
    if needs_corpus && corpus.is_none() {
        println!("few, all, history-synthetic: skipped (no corpus at {})", corpus_path().display());
    }
    if let Some(repo) = &corpus {
        if wanted("few") {
            let what = std::fs::read_to_string(repo.join(".git/shipgate-bench-few")).unwrap_or_default();
            println!("few: {what} models changed");
            let s = shipgate(repo, &["diff", "--base", "few-base", "--head", "release-1"]);
            let g = git_stat(repo, "few-base", "release-1");
            rows.push(compare("few", "ratio <= 0.5", (bin, &s), ("git diff --stat", "git", &g)));
        }
        if wanted("all") {
            let s = shipgate(repo, &["diff", "--base", "release-1", "--head", "all-edited"]);
            let g = git_stat(repo, "release-1", "all-edited");
            rows.push(compare("all", "ratio <= 0.4, RSS <= 150 MB", (bin, &s), ("git diff --stat", "git", &g)));
        }
        if wanted("history-synthetic") {
            let s = shipgate(repo, &["closest-safe", "--base", "release-1", "--mainline", "main"]);
            let c = shipgate(repo, &["check", "--base", "release-1", "--head", "main", "--mainline", "main"]);
            let name = format!("history-synth-{commits}");
            rows.push(compare(&name, "ratio <= 2, RSS <= 400 MB", (bin, &s), ("one check", bin, &c)));
        }
    }

    let needs_real = ["history-real", "release-history"].iter().any(|c| wanted(c));
    let real = if needs_real { smithy_rs_repo() } else { None };
    if needs_real && real.is_none() {
        println!("history-real, release-history: skipped (no bundle at {})", bundle_path().display());
    }
    if let Some(repo) = &real {
        if wanted("history-real") {
            let s = shipgate(repo, &["closest-safe", "--base", "release-2024-01-10", "--mainline", "main"]);
            let c = shipgate(repo, &["check", "--base", "release-2024-01-10", "--head", "main", "--mainline", "main"]);
            rows.push(compare("history-real", "ratio <= 2, RSS <= 400 MB", (bin, &s), ("one check", bin, &c)));
        }
        if wanted("release-history") {
            let config = cache_dir().join("release-history.toml");
            std::fs::write(&config, "release_tags = \"release-*\"\n").expect("config");
            let config = config.display().to_string();
            let s = shipgate(
                repo,
                &[
                    "check",
                    "--base",
                    "release-2024-12-26",
                    "--head",
                    "release-2024-12-30",
                    "--mainline",
                    "main",
                    "--config",
                    &config,
                ],
            );
            let g = git_stat(repo, "release-2024-12-26", "release-2024-12-30");
            rows.push(compare("release-history", "RSS <= 200 MB", (bin, &s), ("git diff --stat", "git", &g)));
        }
    }

    if wanted("big") {
        let mb: usize = std::env::var("SHIPGATE_BENCH_BIG_MB").ok().and_then(|v| v.parse().ok()).unwrap_or(100);
        let repo = big_repo(mb);
        let dir = repo.join(".git").display().to_string();
        let size = git(&["--git-dir", &dir, "cat-file", "-s", "base:model/big.json"])
            .and_then(|out| String::from_utf8_lossy(&out).trim().parse::<u64>().ok())
            .unwrap_or(0);
        let rss = format!("RSS <= 3x the model ({:.0} MB)", 3.0 * size as f64 / 1e6);
        // The case (one line edited) and the two a plan cannot prune: every shape
        // changed (~100k findings), every line changed (both diffed in batches).
        for (tag, case, target) in [
            ("one-line", format!("big-{mb}mb"), format!("<= 2 s, {rss}")),
            ("rewritten", format!("big-{mb}mb-rewritten"), rss.clone()),
            ("reformatted", format!("big-{mb}mb-reformatted"), rss.clone()),
        ] {
            if !wanted(&case) {
                continue;
            }
            let s = shipgate(&repo, &["diff", "--base", "base", "--head", tag]);
            let g = git_stat(&repo, "base", tag);
            rows.push(compare(&case, &target, (bin, &s), ("git diff --stat", "git", &g)));
        }
    }
    println!();
    println!("| case | shipgate | baseline | ratio | peak RSS | target |");
    println!("| --- | --- | --- | --- | --- | --- |");
    for r in &rows {
        println!(
            "| {} | {:.3} s | {} {:.3} s | {:.2}× | {:.0} MB | {} |",
            r.case,
            r.subject.as_secs_f64(),
            r.baseline_name,
            r.baseline.as_secs_f64(),
            r.subject.as_secs_f64() / r.baseline.as_secs_f64(),
            r.rss as f64 / 1e6,
            r.target
        );
    }
}
