//! Reports for a real-sized release: a bulk model update over six services with more than 1,000
//! findings (most of them notes), thirty past releases, and a package behind mainline. Every
//! human format is snapshotted; the Markdown stays under 200 KB, names every blocking finding and
//! asks for one exception per rule and service; the entries, pasted into the config, except
//! exactly the blocking findings; the HTML renders in headless Chromium with chart labels that
//! do not overlap.
mod common;

use common::*;
use serde_json::{Map, Value, json};
use shipgate::source::fixture::FixtureRepo;
use std::collections::BTreeSet;
use std::path::Path;

const DATE: &str = "2026-11-22";
const SERVICES: usize = 6;

/// A model of service `k`: `structs` standalone structures (three members each), `ops`
/// operations bound to the service, and `required` members of the first structures made
/// `@required` (an error and a warning each).
fn model(k: usize, structs: std::ops::Range<usize>, ops: usize, required: std::ops::Range<usize>) -> String {
    let ns = format!("example.svc{k}");
    let mut shapes = Map::new();
    let op_ids: Vec<Value> = (0..ops).map(|i| json!({ "target": format!("{ns}#Op{i}") })).collect();
    shapes.insert(
        format!("{ns}#Service{k}"),
        json!({ "type": "service", "version": "2026-01-01", "operations": op_ids }),
    );
    for i in 0..ops {
        shapes.insert(format!("{ns}#Op{i}"), json!({ "type": "operation", "traits": { "smithy.api#readonly": {} } }));
    }
    for i in structs {
        let mut name = json!({ "target": "smithy.api#String" });
        if required.contains(&i) {
            name["traits"] = json!({ "smithy.api#required": {} });
        }
        shapes.insert(
            format!("{ns}#Thing{i:03}"),
            json!({ "type": "structure", "members": {
                "name": name,
                "size": { "target": "smithy.api#Integer" },
                "tags": { "target": "smithy.api#String" } } }),
        );
    }
    serde_json::to_string_pretty(&json!({ "smithy": "2.0", "shapes": Value::Object(shapes) })).expect("JSON") + "\n"
}

fn manifest(name: &str, version: &str) -> String {
    format!("[package]\nname = \"{name}\"\nversion = \"{version}\"\nedition = \"2021\"\n")
}

const CONFIG: &str = r#"mainline = "origin/main"
release_tags = "release-*"

[models]
smithy = ["models/*.json"]

[packages]
cargo = ["sdk/*"]
"#;

/// Thirty releases `release-2025-01-01 …` (one operation added to one service each), then the
/// bulk update on main: every service gains 170 structures (notes), services 0–3 lose five
/// (errors) and services 0–2 make four more members required (errors and warnings). Mainline bumps
/// `svc-sdk` to 1.1.0 after the candidate, which ships 1.0.1: head is behind mainline.
fn fixture(dir: &Path) {
    let mut r = FixtureRepo::init(dir).expect("init");
    std::fs::write(
        dir.join(".git/config"),
        std::fs::read_to_string(dir.join(".git/config")).expect("config")
            + "[remote \"origin\"]\n\turl = https://github.com/example/bulk-sdk.git\n",
    )
    .expect("write config");
    r.write("shipgate.toml", CONFIG);
    r.write("sdk/svc/Cargo.toml", manifest("svc-sdk", "1.0.0"));
    let mut ops = [2usize; SERVICES];
    for i in 0..30 {
        ops[i % SERVICES] += 1;
        for (k, n) in ops.iter().enumerate() {
            r.write(&format!("models/svc{k}.json"), model(k, 0..40, *n, 0..0));
        }
        let id = r.commit(&format!("Release {i}")).expect("commit");
        r.tag(&format!("release-2025-{:02}-{:02}", i / 28 + 1, i % 28 + 1), id).expect("tag");
    }
    for (k, n) in ops.iter().enumerate() {
        let removed = if k < 4 { 5 } else { 0 };
        let required = if k < 3 { 5..9 } else { 0..0 };
        r.write(&format!("models/svc{k}.json"), model(k, removed..210, *n, required));
    }
    r.write("sdk/svc/Cargo.toml", manifest("svc-sdk", "1.0.1"));
    r.write("sdk/svc/src/lib.rs", "//! svc\n");
    let head = r.commit("Bulk model update").expect("commit");
    r.tag("candidate", head).expect("tag");
    r.write("sdk/svc/Cargo.toml", manifest("svc-sdk", "1.1.0"));
    let main = r.commit("svc-sdk 1.1.0").expect("commit");
    r.set_ref("refs/remotes/origin/main", main).expect("ref");
}

fn args(format: &str) -> Vec<String> {
    [
        "report",
        "--repo",
        ".",
        "--base",
        "release-2025-02-02",
        "--head",
        "candidate",
        "--mainline",
        "origin/main",
        "--date",
        DATE,
        "--format",
        format,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn render(dir: &Path, format: &str, extra: &[&str]) -> String {
    let out = shipgate().current_dir(dir).args(args(format)).args(extra).output().expect("runs");
    assert_eq!(out.status.code(), Some(1), "the bulk update fails the gate: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("UTF-8")
}

fn redact(s: &str) -> String {
    let digest = shipgate::rules::catalog::digest();
    s.replace(&digest, "[rules-digest]")
        .replace(&digest[..12], "[rules-digest]")
        .replace(env!("CARGO_PKG_VERSION"), "[version]")
}

fn findings(dir: &Path) -> Vec<Value> {
    let v: Value = serde_json::from_str(&render(dir, "json", &[])).expect("JSON");
    v["findings"].as_array().expect("findings").clone()
}

/// Every blocking finding (active, at or above danger).
fn blocking(findings: &[Value]) -> Vec<&Value> {
    findings
        .iter()
        .filter(|f| f["exception"].is_null() && matches!(f["severity"].as_str(), Some("error" | "danger")))
        .collect()
}

#[test]
fn a_bulk_update_gives_a_report_a_reviewer_can_read() {
    let tmp = tempfile::tempdir().expect("tempdir");
    fixture(tmp.path());
    let all = findings(tmp.path());
    assert!(all.len() > 1_000, "the fixture needs more than 1,000 findings, has {}", all.len());
    let blocking = blocking(&all);
    let services: BTreeSet<&str> =
        blocking.iter().filter_map(|f| f["subject"].as_str()?.split_once('#').map(|(ns, _)| ns)).collect();
    assert!(services.len() >= 4, "blocking findings over several services: {services:?}");

    let md = render(tmp.path(), "md", &[]);
    assert!(md.len() < 200_000, "{} bytes of Markdown", md.len());
    for f in &blocking {
        let subject = f["subject"].as_str().expect("subject");
        assert!(md.contains(&format!("`{subject}`")), "{subject} is not named");
    }
    // Summary first: the verdict and what blocks come before any finding.
    let order =
        ["### Verdict: FAIL", "#### What blocks", "### What changed", "### Blocking findings", "### Exception request"];
    let at: Vec<usize> = order.iter().map(|h| md.find(h).unwrap_or_else(|| panic!("{h} missing"))).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "sections out of order: {at:?}");
    assert!(md.contains("`https://github.com/example/bulk-sdk.git`"), "the header names the origin");

    // One exception entry per rule and service, each a glob over one namespace.
    let start = md.find("```toml\n").expect("an exception block") + "```toml\n".len();
    let block = &md[start..start + md[start..].find("\n```\n").expect("closed")];
    let parsed: toml::Value = toml::from_str(block).expect("the exception block is TOML");
    let entries = parsed["exceptions"].as_array().expect("entries");
    let groups: BTreeSet<(String, String)> = blocking
        .iter()
        .map(|f| {
            let subject = f["subject"].as_str().expect("subject");
            (f["rule"].as_str().expect("rule").to_string(), subject.split('#').next().expect("ns").to_string())
        })
        .collect();
    assert_eq!(entries.len(), groups.len(), "one entry per rule and service:\n{block}");
    for e in entries {
        let subject = e["subject"].as_str().expect("subject");
        assert!(subject.ends_with('*') && subject.contains('#'), "a namespace glob: {subject}");
    }
    assert!(block.contains("# covers 5 blocking findings in example.svc0#Service0"), "{block}");

    // Pasted with a reason, the entries except exactly the blocking findings: the gate passes
    // and nothing else is excepted.
    let filled = block.replace("reason = \"\"", "reason = \"bulk update reviewed\"");
    std::fs::write(tmp.path().join("excepted.toml"), format!("{CONFIG}\n{filled}")).expect("write");
    let out = shipgate()
        .current_dir(tmp.path())
        .args(args("json"))
        .args(["--config", "excepted.toml", "--fail-on", "danger"])
        .output()
        .expect("runs");
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let excepted = v["findings"].as_array().expect("findings").iter().filter(|f| !f["exception"].is_null()).count();
    assert_eq!(excepted, blocking.len(), "the entries cover exactly the blocking findings");
    let still: Vec<&Value> = blocking_after(&v);
    assert!(still.is_empty() || still.iter().all(|f| f["rule"] == "BehindMainline"), "{still:?}");
}

/// Blocking findings left in a JSON report.
fn blocking_after(v: &Value) -> Vec<&Value> {
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["exception"].is_null() && matches!(f["severity"].as_str(), Some("error" | "danger")))
        .collect()
}

#[test]
fn every_human_format_of_a_bulk_update_matches_its_snapshot() {
    let tmp = tempfile::tempdir().expect("tempdir");
    fixture(tmp.path());
    let md = render(tmp.path(), "md", &[]);
    insta::assert_snapshot!("bulk.md", redact(&md));
    let table = render(tmp.path(), "table", &[]);
    let wide: Vec<&str> = table.lines().filter(|l| l.chars().count() > 80).collect();
    assert!(wide.is_empty(), "the table fits 80 columns:\n{}", wide.join("\n"));
    assert!(table.lines().count() < 400, "{} lines", table.lines().count());
    insta::assert_snapshot!("bulk.txt", redact(&table));
    let html = render(tmp.path(), "html", &[]);
    assert!(html.len() < 1_500_000, "{} bytes of HTML", html.len());
    insta::assert_snapshot!("bulk.html", redact(&html));
    // --details lists every finding; the default folds the notes.
    let details = render(tmp.path(), "md", &["--details"]);
    assert!(details.len() > md.len());
    let notes = findings(tmp.path()).iter().filter(|f| f["severity"] == "note").count();
    let listed = details.lines().filter(|l| l.starts_with("| note | ")).count();
    assert_eq!(listed, notes, "--details lists every note");
    assert_eq!(md.lines().filter(|l| l.starts_with("| note | ")).count(), 0, "notes are folded by default");
}

/// The HTML in a real browser: it renders, the chart's labels do not overlap (their boxes are
/// measured in the DOM by a script added to a copy of the report: the report itself has none).
#[test]
#[cfg_attr(
    not(shipgate_chromium),
    ignore = "chromium is not installed (SHIPGATE_REQUIRE_CHROMIUM=1 makes it required)"
)]
fn html_chart_labels_do_not_overlap_in_chromium() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let repo = tmp.path().join("repo");
    fixture(&repo);
    let html = render(&repo, "html", &[]);
    assert!(!html.contains("<script"), "the report has no script");
    let probe = r#"<script>
const boxes = [...document.querySelectorAll('svg text.label')].map(t => t.getBoundingClientRect());
let overlaps = 0;
for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
  const a = boxes[i], b = boxes[j];
  if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) overlaps++;
}
const svg = document.querySelector('svg').getBoundingClientRect();
const outside = boxes.filter(b => b.left < svg.left || b.right > svg.right || b.bottom > svg.bottom).length;
const pre = document.createElement('pre');
pre.id = 'probe';
pre.textContent = `bars=${document.querySelectorAll('svg g').length} labels=${boxes.length} overlaps=${overlaps} outside=${outside}`;
document.body.appendChild(pre);
</script>"#;
    let (dom, probe) = chromium_probe(tmp.path(), &html, probe, None);
    let field = |name: &str| probe.get(name).copied().unwrap_or_else(|| panic!("the probe has no {name}: {probe:?}"));
    assert!(field("bars") > 20, "the chart has the release history: {probe:?}");
    assert_eq!(field("labels"), field("bars"), "every release is labelled at this size: {probe:?}");
    assert_eq!(field("overlaps"), 0, "{probe:?}");
    assert_eq!(field("outside"), 0, "labels stay inside the chart: {probe:?}");
    assert!(dom.contains("Verdict: FAIL"));
}

/// A rewrite of every documentation string: thousands of notes in one rule-and-service group.
/// The HTML lists the first 1,000 rows of a group below the gate and counts the rest (a rewritten
/// 100 MB model made a 49 MB page of 101,419 rows); `--details` lists every one, as the JSON does.
#[test]
fn html_lists_a_long_group_of_notes_up_to_a_thousand_rows() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let n = 1_205;
    let model = |doc: &str| {
        let shapes: Map<String, Value> = (0..n)
            .map(|i| {
                let shape =
                    json!({ "type": "structure", "members": {}, "traits": { "smithy.api#documentation": doc } });
                (format!("example.docs#Shape{i}"), shape)
            })
            .collect();
        serde_json::to_string_pretty(&json!({ "smithy": "2.0", "shapes": shapes })).expect("JSON")
    };
    let mut r = FixtureRepo::init(tmp.path()).expect("init");
    r.write("model/docs.json", model("The old words."));
    let base = r.commit("base").expect("commit");
    r.tag("v1", base).expect("tag");
    r.write("model/docs.json", model("The new words."));
    r.commit("every documentation string rewritten").expect("commit");
    let html = |extra: &[&str]| {
        let out = shipgate()
            .current_dir(tmp.path())
            .args(["diff", "--base", "v1", "--head", "HEAD", "--format", "html"])
            .args(extra)
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).expect("UTF-8")
    };
    let rows = |page: &str| page.matches("<tr class=\"sev-note\">").count();
    let folded = html(&[]);
    assert_eq!(rows(&folded), 1_000, "the first thousand rows are listed");
    assert!(
        folded.contains("205 more not listed here: <code>--details</code> lists every one"),
        "the rest are counted"
    );
    let all = html(&["--details"]);
    assert_eq!(rows(&all), n, "--details lists every note");
    assert!(!all.contains("more not listed here"));
}
