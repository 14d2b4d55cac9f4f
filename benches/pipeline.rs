//! Benchmarks, as ratios against a baseline measured in the same process (these machines are
//! shared and noisy, so absolute times mean little). Run: `cargo bench --bench pipeline`.
//!
//! 1. `diff` on a repository of real AWS models (the corpus in `../shared/corpus`, or
//!    `SHIPGATE_CORPUS=path/to/models.tar.xz`; synthetic models when neither exists), base → a
//!    head that changes ten services, against `git diff --stat` on the same pair.
//! 2. `check` on the same pair against `diff`.
//! 3. `closest-safe` over a long mainline against one `check`: the cost should follow the
//!    distinct blobs that change, not commits × files.
use shipgate::engine::{Request, run};
use shipgate::finding::Severity;
use shipgate::outcome::Command;
use shipgate::source::fixture::{FixtureRepo, weather_model};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn best_of<T>(n: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut last = None;
    for _ in 0..n {
        let t = Instant::now();
        let v = f();
        best = best.min(t.elapsed());
        last = Some(v);
    }
    (best, last.expect("n > 0"))
}

fn request(command: Command, repo: &Path, base: &str, head: &str, mainline: Option<&str>) -> Request {
    Request {
        command,
        repo: repo.to_path_buf(),
        config: None,
        base: Some(base.into()),
        head: head.into(),
        mainline: mainline.map(Into::into),
        fail_on: Severity::Danger,
        date: Some("2026-11-22".into()),
        today: shipgate::date::Date::constant(2026, 11, 22),
        max_commits: None,
        candidate_manifest: None,
        command_line: "bench".into(),
        approval: None,
    }
}

/// Every model file of the corpus (path below the unpacked root, bytes), or synthetic ones.
fn models(tmp: &Path) -> (String, Vec<(String, Vec<u8>)>) {
    let corpus = std::env::var_os("SHIPGATE_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/aws-models-2025-01-31.tar.xz"));
    if corpus.exists() {
        let dir = tmp.join("corpus");
        std::fs::create_dir_all(&dir).expect("mkdir");
        let ok = std::process::Command::new("tar")
            .arg("-xJf")
            .arg(&corpus)
            .arg("-C")
            .arg(&dir)
            .status()
            .is_ok_and(|s| s.success());
        if ok {
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
            return (format!("{} real AWS models", out.len()), out);
        }
    }
    let out: Vec<(String, Vec<u8>)> = (0..400)
        .map(|i| {
            let ops: Vec<String> = (0..20).map(|k| format!("Op{k}")).collect();
            let ops: Vec<&str> = ops.iter().map(String::as_str).collect();
            let m = weather_model(&ops, false).replace("example.weather", &format!("example.svc{i}"));
            (format!("models/svc{i:03}.json"), m.into_bytes())
        })
        .collect();
    (format!("{} synthetic models (corpus not found)", out.len()), out)
}

/// Removes the first operation binding of a model's service: a breaking change smithy-diff sees.
fn break_model(bytes: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(bytes);
    match text.find("\"operations\"") {
        Some(i) => match text[i..].find("\"target\"") {
            Some(j) => {
                let at = i + j;
                let end = text[at..].find('}').map(|e| at + e).unwrap_or(at);
                // Point the binding at a shape that does not exist in this model: a change of the
                // service's operations, which smithy-diff reports.
                format!("{}\"target\": \"example.removed#Gone\"{}", &text[..at], &text[end..]).into_bytes()
            }
            None => bytes.to_vec(),
        },
        None => bytes.to_vec(),
    }
}

fn main() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (what, files) = models(tmp.path());
    let total: usize = files.iter().map(|(_, b)| b.len()).sum();
    println!("corpus: {what}, {:.1} MB", total as f64 / 1e6);
    let dir = tmp.path().join("repo");
    let mut r = FixtureRepo::init(&dir).expect("init");
    for (p, b) in &files {
        r.write(p, b);
    }
    let base = r.commit("release").expect("commit");
    r.tag("release-1", base).expect("tag");
    for (p, b) in files.iter().step_by(files.len() / 10 + 1).take(10) {
        r.write(p, break_model(b));
    }
    let head = r.commit("candidate: ten services change").expect("commit");
    r.set_ref("refs/heads/candidate", head).expect("ref");

    // 1. diff vs git diff --stat
    let git = std::process::Command::new("git").arg("--version").output().is_ok_and(|o| o.status.success());
    let (t_diff, outcome) =
        best_of(5, || run(&request(Command::Diff, &dir, "release-1", "candidate", None)).expect("diff"));
    println!(
        "shipgate diff: {:?} ({} model files changed, {} findings)",
        t_diff,
        outcome.models.len(),
        outcome.findings.len()
    );
    if git {
        let (t_git, _) = best_of(5, || {
            std::process::Command::new("git")
                .arg("-C")
                .arg(&dir)
                .args(["diff", "--stat", "release-1", "candidate"])
                .output()
                .expect("git")
        });
        println!("git diff --stat: {t_git:?}");
        println!("RATIO diff / git-diff-stat = {:.2}", t_diff.as_secs_f64() / t_git.as_secs_f64());
    } else {
        println!("git not installed: no git baseline");
    }

    // 2. check vs diff
    let (t_check, _) =
        best_of(5, || run(&request(Command::Check, &dir, "release-1", "candidate", Some("candidate"))).expect("check"));
    println!("RATIO check / diff = {:.2}", t_check.as_secs_f64() / t_diff.as_secs_f64());

    // 3. closest-safe over a long mainline vs one check.
    let n: usize = std::env::var("SHIPGATE_BENCH_COMMITS").ok().and_then(|v| v.parse().ok()).unwrap_or(200);
    r.switch("main", base).expect("switch");
    for i in 0..n {
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
    let (t_one, _) = best_of(3, || run(&request(Command::Check, &dir, "release-1", "main", None)).expect("check"));
    let (t_cs, out) = best_of(1, || {
        let mut req = request(Command::ClosestSafe, &dir, "release-1", "main", Some("main"));
        req.head = "main".into();
        shipgate::engine::closest_safe(&req, &|_, _| {}).expect("closest-safe")
    });
    let cs = out.closest_safe.expect("answer");
    println!(
        "closest-safe over {} candidates: {:?} (safe at distance {:?}); one check: {:?}",
        cs.candidates_checked, t_cs, cs.distance, t_one
    );
    println!(
        "RATIO closest-safe / check = {:.1} for {} candidates ({:.3} checks per candidate)",
        t_cs.as_secs_f64() / t_one.as_secs_f64(),
        cs.candidates_checked,
        t_cs.as_secs_f64() / t_one.as_secs_f64() / cs.candidates_checked as f64
    );
}
