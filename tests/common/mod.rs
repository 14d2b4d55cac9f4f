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

/// Headless Chromium, for the HTML report's browser tests (build.rs sets `shipgate_chromium`
/// where it finds one; CI sets `SHIPGATE_REQUIRE_CHROMIUM=1`, which makes them required).
pub fn chromium() -> std::process::Command {
    let path = std::env::var_os("PATH")
        .and_then(|p| std::env::split_paths(&p).map(|d| d.join("chromium")).find(|c| c.is_file()))
        .expect("SHIPGATE_REQUIRE_CHROMIUM=1 (or chromium at build time) but chromium is not on PATH");
    std::process::Command::new(path)
}

/// [`chromium`] headless, its profile and `HOME` in `tmp`.
pub fn chromium_in(tmp: &Path) -> std::process::Command {
    let mut cmd = chromium();
    cmd.args(["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars"])
        .arg(format!("--user-data-dir={}", tmp.join("profile").display()))
        .env("HOME", tmp);
    cmd
}

/// Runs `cmd`, killing it after `secs` seconds. `None` when it timed out. Its output is read
/// while it runs (a DOM larger than the pipe's buffer would otherwise block it forever).
pub fn run_with_timeout(cmd: &mut std::process::Command, secs: u64) -> Option<std::process::Output> {
    use std::io::Read;
    let mut child = cmd.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped()).spawn().ok()?;
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            bytes
        })
    };
    let stdout = drain(Box::new(child.stdout.take()?));
    let stderr = drain(Box::new(child.stderr.take()?));
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().ok()? {
            break status;
        }
        if start.elapsed().as_secs() >= secs {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    Some(std::process::Output { status, stdout: stdout.join().ok()?, stderr: stderr.join().ok()? })
}

/// Loads `html` in headless Chromium with `script` added before `</body>` (a script that
/// measures the rendered page and appends `<pre id="probe">name=number …</pre>`), in a window of
/// `size` (`"width,height"`) when given. Returns the rendered DOM and the probe's numbers.
pub fn chromium_probe(tmp: &Path, html: &str, script: &str, size: Option<&str>) -> (String, BTreeMap<String, usize>) {
    let file = tmp.join("probe.html");
    std::fs::write(&file, html.replace("</body>", &format!("{script}\n</body>"))).expect("write");
    let mut cmd = chromium_in(tmp);
    if let Some(size) = size {
        cmd.arg(format!("--window-size={size}"));
    }
    cmd.arg("--dump-dom").arg(format!("file://{}", file.display()));
    let out = run_with_timeout(&mut cmd, 120).expect("chromium took over two minutes to dump the DOM");
    let dom = String::from_utf8_lossy(&out.stdout).into_owned();
    let line = dom
        .lines()
        .find_map(|l| l.split("<pre id=\"probe\">").nth(1))
        .unwrap_or_else(|| panic!("no probe result: {}", String::from_utf8_lossy(&out.stderr)));
    let numbers = line
        .split('<')
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.parse().unwrap_or_else(|_| panic!("probe value {k}={v}"))))
        .collect();
    (dom, numbers)
}
