//! Reports: every format on one fixture with findings of every severity, an excepted finding, an
//! expired exception, a model-suppressed event, hostile text and a closest-safe answer; SARIF
//! against the vendored OASIS schema; determinism; escaping; the Markdown size cap; and the HTML
//! in a real browser (headless Chromium) when one is installed.
mod common;

use common::*;
use serde_json::{Value, json};
use shipgate::engine::Request;
use shipgate::finding::{Finding, Severity};
use shipgate::outcome::{Command, Outcome};
use shipgate::report::{self, Format, Style};
use shipgate::source::fixture::{FixtureRepo, weather_model};
use std::path::Path;

const DATE: &str = "2026-11-22";
const HOSTILE: &str = "<script>alert(\"x\")</script> & 'quotes' | `tick` %0A";

/// The weather model with extra metadata: a suppression for `AddedOperationBinding` (so one event
/// is suppressed by the model itself) and an `owner` value that changes (a `ChangedMetadata`
/// warning with an old/new diff).
fn model(ops: &[&str], days_required: bool, owner: &str) -> String {
    let mut m: Value = serde_json::from_str(&weather_model(ops, days_required)).expect("fixture model is JSON");
    m["metadata"] = json!({
        "owner": owner,
        "suppressions": [{ "id": "AddedOperationBinding", "namespace": "*", "reason": "new operations are reviewed by the API council" }]
    });
    serde_json::to_string_pretty(&m).expect("plain JSON") + "\n"
}

fn manifest(name: &str, version: &str) -> String {
    format!("[package]\nname = \"{name}\"\nversion = \"{version}\"\nedition = \"2021\"\n")
}

const CONFIG: &str = r#"mainline = "origin/main"
release_tags = "release-*"

[models]
smithy = ["models/*.json"]

[packages]
cargo = ["sdk/*", "lib/*"]

[[exceptions]]
rule = "RemovedPackage"
subject = "legacy-util"
reason = "legacy-util was folded into weather-sdk; nothing depends on it"
approved_by = "release-manager@example.com"
expires = "2027-06-30"

[[exceptions]]
rule = "RemovedShape"
subject = "example.weather#ListCitiesInput"
reason = "temporary, during the ListCities migration"
approved_by = "rm@example.com"
expires = "2026-03-31"
"#;

/// Releases `release-0..2` (one operation added each), then mainline: c1 adds GetAlerts and
/// changes the owner metadata to hostile text (notes, a suppressed event, a warning), c2 removes
/// ListCities and makes `days` required (errors, a warning; hostile commit message), c3 removes
/// two packages (danger: one excepted, one not). The second exception has expired by `DATE`.
fn fixture(dir: &Path) -> Vec<String> {
    let mut r = FixtureRepo::init(dir).expect("init");
    set_origin(dir, "https://github.com/example/weather-sdk.git");
    r.write("shipgate.toml", CONFIG);
    r.write("sdk/weather/Cargo.toml", manifest("weather-sdk", "1.0.0"));
    r.write("sdk/weather/src/lib.rs", "//! weather\n");
    r.write("lib/legacy-util/Cargo.toml", manifest("legacy-util", "0.3.0"));
    r.write("lib/old-cli/Cargo.toml", manifest("old-cli", "0.9.0"));
    let mut ops = vec!["GetForecast"];
    let mut ids = Vec::new();
    for (i, op) in ["", "ListCities", "GetHumidity"].iter().enumerate() {
        if !op.is_empty() {
            ops.push(op);
        }
        r.write("models/weather.json", model(&ops, false, "weather-team"));
        let id = r.commit(&format!("Release {i}")).expect("commit");
        r.tag(&format!("release-{i}"), id).expect("tag");
        ids.push(id.to_string());
    }
    r.write("models/weather.json", model(&["GetForecast", "ListCities", "GetHumidity", "GetAlerts"], false, HOSTILE));
    ids.push(r.commit("c1: add GetAlerts").expect("commit").to_string());
    r.write("models/weather.json", model(&["GetForecast", "GetHumidity", "GetAlerts"], true, HOSTILE));
    ids.push(r.commit(&format!("c2: drop ListCities {HOSTILE}")).expect("commit").to_string());
    r.remove("lib/legacy-util/Cargo.toml");
    r.remove("lib/old-cli/Cargo.toml");
    ids.push(r.commit("c3: remove legacy-util and old-cli").expect("commit").to_string());
    r.set_ref("refs/remotes/origin/main", ids[5].parse().expect("oid")).expect("ref");
    ids
}

/// Gives the fixture repository an origin, which the reports' header names.
fn set_origin(dir: &Path, url: &str) {
    use std::io::Write;
    let mut config = std::fs::OpenOptions::new().append(true).open(dir.join(".git/config")).expect("git config");
    writeln!(config, "[remote \"origin\"]\n\turl = {url}").expect("write git config");
}

const ARGS: [&str; 11] = [
    "report",
    "--repo",
    ".",
    "--base",
    "release-2",
    "--head",
    "origin/main",
    "--mainline",
    "origin/main",
    "--date",
    DATE,
];

/// Runs `shipgate report` in `dir` (so `--repo .` keeps temporary paths out of the output).
fn run(dir: &Path, extra: &[&str]) -> std::process::Output {
    let out = shipgate().current_dir(dir).args(ARGS).args(extra).output().expect("runs");
    assert_eq!(out.status.code(), Some(1), "the fixture fails the gate: {}", String::from_utf8_lossy(&out.stderr));
    out
}

fn text(out: &std::process::Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("UTF-8 output")
}

/// Replaces what changes whenever a rule file or the version changes, so snapshots only change
/// when rendering does.
fn redact(s: &str) -> String {
    let digest = shipgate::rules::catalog::digest();
    s.replace(&digest, "[rules-digest]")
        .replace(&digest[..12], "[rules-digest]")
        .replace(env!("CARGO_PKG_VERSION"), "[version]")
}

/// The same outcome, in process (for tests that edit it before rendering).
fn outcome(dir: &Path) -> Outcome {
    let req = Request {
        command: Command::Report,
        repo: dir.to_path_buf(),
        config: None,
        base: Some("release-2".into()),
        head: "origin/main".into(),
        mainline: Some("origin/main".into()),
        fail_on: Severity::Danger,
        date: Some(DATE.into()),
        today: shipgate::date::parse(DATE).expect("DATE is a date"),
        max_commits: None,
        candidate_manifest: None,
        command_line: "shipgate report".into(),
        approval: None,
    };
    shipgate::engine::run(&req).expect("the fixture runs")
}

#[test]
fn the_fixture_has_what_the_reports_must_show() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let ids = fixture(tmp.path());
    let o = outcome(tmp.path());
    let has = |sev: Severity| o.findings.iter().any(|f| f.severity == sev && f.is_active());
    for sev in Severity::COUNTED {
        assert!(has(sev), "no active {sev} finding: {:#?}", o.findings);
    }
    assert!(o.findings.iter().any(|f| f.severity == Severity::Suppressed), "a model-suppressed event");
    assert!(o.findings.iter().any(|f| f.exception.is_some() && f.subject == "legacy-util"), "an excepted finding");
    assert!(o.findings.iter().any(|f| f.id == "ExpiredException.Expired"), "an expired exception");
    assert!(o.findings.iter().any(|f| f.change.is_some()), "a finding with old and new values");
    let cs = o.closest_safe.as_ref().expect("report computes the closest safe commit");
    assert_eq!(cs.commit.as_deref(), Some(ids[3].as_str()), "c1 is the newest safe commit");
    let removed = o.findings.iter().find(|f| f.subject == "example.weather#ListCities").expect("ListCities removed");
    assert_eq!(removed.introduced_by.as_deref(), Some(ids[4].as_str()), "c2 removed ListCities");
    assert_eq!(o.history.len(), 3, "two past release diffs and this one");
}

#[test]
fn every_format_matches_its_snapshot() {
    let tmp = tempfile::tempdir().expect("tempdir");
    fixture(tmp.path());
    for (format, ext) in [("md", "md"), ("html", "html"), ("github", "txt"), ("json", "json")] {
        let out = redact(&text(&run(tmp.path(), &["--format", format])));
        insta::assert_snapshot!(format!("report.{ext}"), out);
    }
    // SARIF: the rule catalog (every rule's documentation) is checked below, not snapshotted, so
    // editing a rule's docs does not churn this snapshot.
    let mut sarif: Value =
        serde_json::from_str(&text(&run(tmp.path(), &["--format", "sarif", "--sarif-min-level", "note"])))
            .expect("JSON");
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"].take();
    let ids: Vec<&str> = rules.as_array().expect("rules").iter().filter_map(|r| r["id"].as_str()).collect();
    let catalog: Vec<&str> = shipgate::rules::catalog::all().iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, catalog, "driver.rules is the catalog, in order");
    for r in rules.as_array().expect("rules") {
        assert!(r["help"]["markdown"].as_str().is_some_and(|m| m.contains("### How to fix")), "{r}");
        assert!(r["shortDescription"]["text"].as_str().is_some_and(|t| !t.is_empty()), "{r}");
    }
    insta::assert_snapshot!("report.sarif", redact(&serde_json::to_string_pretty(&sarif).expect("JSON")));
}

fn sarif_validator() -> jsonschema::Validator {
    let schema: Value =
        serde_json::from_str(include_str!("../fixtures/schemas/sarif-schema-2.1.0.json")).expect("schema is JSON");
    jsonschema::validator_for(&schema).expect("the SARIF schema compiles")
}

#[test]
fn sarif_is_valid_and_says_what_github_needs() {
    let tmp = tempfile::tempdir().expect("tempdir");
    fixture(tmp.path());
    let v: Value = serde_json::from_str(&text(&run(tmp.path(), &["--format", "sarif", "--sarif-min-level", "note"])))
        .expect("JSON");
    let validator = sarif_validator();
    let errors: Vec<String> = validator.iter_errors(&v).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "SARIF does not match the 2.1.0 schema:\n{}", errors.join("\n"));
    // The validator is not vacuous: a log without `version` is rejected.
    let mut broken = v.clone();
    broken.as_object_mut().expect("object").remove("version");
    assert!(!validator.is_valid(&broken));

    let results = v["runs"][0]["results"].as_array().expect("results");
    let rules = v["runs"][0]["tool"]["driver"]["rules"].as_array().expect("rules");
    for r in results {
        let locations = r["locations"].as_array().expect("locations");
        assert_eq!(locations.len(), 1, "{r}");
        let uri = locations[0]["physicalLocation"]["artifactLocation"]["uri"].as_str().expect("uri");
        assert!(!uri.is_empty() && !uri.starts_with('/'), "{uri}");
        assert_eq!(rules[r["ruleIndex"].as_u64().expect("ruleIndex") as usize]["id"], r["ruleId"]);
        assert_eq!(r["partialFingerprints"]["shipgate/v1"].as_str().map(str::len), Some(32));
    }
    let level = |sev: &str| -> Vec<&str> {
        results.iter().filter(|r| r["properties"]["severity"] == sev).filter_map(|r| r["level"].as_str()).collect()
    };
    assert!(level("error").iter().chain(&level("danger")).all(|l| *l == "error"));
    assert!(level("warning").iter().all(|l| *l == "warning") && !level("warning").is_empty());
    assert!(level("note").iter().all(|l| *l == "note") && !level("note").is_empty());
    let excepted = results.iter().find(|r| r["properties"]["subject"] == "legacy-util").expect("excepted result");
    assert_eq!(excepted["suppressions"][0]["kind"], "external");
    assert_eq!(
        excepted["suppressions"][0]["justification"],
        "legacy-util was folded into weather-sdk; nothing depends on it"
    );
    let suppressed = results.iter().find(|r| r["properties"]["severity"] == "suppressed").expect("suppressed result");
    assert_eq!(suppressed["suppressions"][0]["kind"], "inSource");
    // A finding about the config points at the config file, with its line.
    let expired = results.iter().find(|r| r["properties"]["eventId"] == "ExpiredException.Expired").expect("expired");
    assert_eq!(expired["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "shipgate.toml");
    assert!(expired["locations"][0]["physicalLocation"]["region"]["startLine"].as_u64().is_some_and(|l| l > 1));
}

#[test]
fn findings_without_a_file_still_have_a_sarif_location() {
    let tmp = tempfile::tempdir().expect("tempdir");
    fixture(tmp.path());
    let mut o = outcome(tmp.path());
    o.findings.push(Finding::new("UnusuallyLargeDiff", Severity::Warning, "release-2", "big"));
    o.findings.push(Finding::new("MissingPackage", Severity::Error, "weather-sdk", "missing"));
    let v: Value = serde_json::from_str(&report::render(Format::Sarif, &o, Style::default())).expect("JSON");
    assert!(sarif_validator().is_valid(&v));
    let uri_of = |subject: &str| {
        v["runs"][0]["results"]
            .as_array()
            .expect("results")
            .iter()
            .find(|r| r["properties"]["subject"] == subject)
            .map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].clone())
    };
    assert_eq!(uri_of("release-2"), Some(json!("shipgate.toml")), "no file: the config");
    assert_eq!(uri_of("weather-sdk"), Some(json!("sdk/weather/Cargo.toml")), "a package: its manifest");
}

/// Removed shapes are located at their base line and removed packages at a manifest head no
/// longer has: md says `base:`, SARIF and annotations never put a base line on a head file.
#[test]
fn locations_in_base_are_not_shown_as_head_locations() {
    let tmp = tempfile::tempdir().expect("tempdir");
    fixture(tmp.path());
    let o = outcome(tmp.path());
    let removed = o.findings.iter().find(|f| f.subject == "example.weather#ListCities").expect("ListCities");
    assert_eq!(removed.location_side.as_deref(), Some("base"));
    let line = removed.line.expect("a base line");
    let pkg = o.findings.iter().find(|f| f.rule == "RemovedPackage" && f.subject == "old-cli").expect("old-cli");
    assert_eq!(pkg.location_side.as_deref(), Some("base"));
    let head_finding = o.findings.iter().find(|f| f.id == "ExpiredException.Expired").expect("expired");
    assert_eq!(head_finding.location_side, None);

    let json: Value = serde_json::from_str(&report::render(Format::Json, &o, Style::default())).expect("JSON");
    assert_schema_valid(&json);
    let md = report::render(Format::Md, &o, Style::default());
    assert!(md.contains(&format!("`base:models/weather.json:{line}`")), "md says base");
    assert!(md.contains("`base:lib/old-cli/Cargo.toml`"));
    let html = report::render(Format::Html, &o, Style::default());
    // Without the `<wbr>` wrap points, the text a reader sees.
    assert!(html.replace("<wbr>", "").contains(&format!("base:models/weather.json:{line}")));

    let sarif: Value = serde_json::from_str(&report::render(Format::Sarif, &o, Style::default())).expect("JSON");
    assert!(sarif_validator().is_valid(&sarif));
    let result = |subject: &str| {
        sarif["runs"][0]["results"]
            .as_array()
            .expect("results")
            .iter()
            .find(|r| r["properties"]["subject"] == subject)
            .expect("a result")
            .clone()
    };
    let r = result("example.weather#ListCities");
    let loc = &r["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "models/weather.json");
    assert!(loc.get("region").is_none(), "no head region for a base line: {loc}");
    let related = &r["relatedLocations"][0];
    assert_eq!(related["physicalLocation"]["region"]["startLine"], json!(line));
    assert!(related["message"]["text"].as_str().is_some_and(|t| t.starts_with("in base")));
    let r = result("old-cli");
    assert_eq!(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "shipgate.toml",
        "head has no manifest"
    );
    assert_eq!(r["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"], "lib/old-cli/Cargo.toml");

    let gh = report::render(Format::Github, &o, Style::default());
    let ann = gh.lines().find(|l| l.contains("example.weather#ListCities:")).expect("annotation");
    assert!(ann.starts_with("::error file=models/weather.json,title="), "{ann}");
    let ann = gh.lines().find(|l| l.contains("] old-cli:")).expect("annotation");
    assert!(ann.starts_with("::error file=shipgate.toml,title="), "{ann}");
}

#[test]
fn output_is_byte_identical_across_runs_and_between_stdout_and_files() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let repo = tmp.path().join("repo");
    fixture(&repo);
    let outs = tmp.path().join("out");
    std::fs::create_dir(&outs).expect("mkdir");
    let formats = ["md", "html", "sarif", "github", "json"];
    let mut extra = Vec::new();
    for f in formats {
        extra.push("--output".to_string());
        extra.push(format!("{f}={}", outs.join(format!("r.{f}")).display()));
    }
    let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
    run(&repo, &extra);
    for f in formats {
        let a = run(&repo, &["--format", f]).stdout;
        let b = run(&repo, &["--format", f]).stdout;
        assert!(!a.is_empty());
        assert_eq!(a, b, "{f}: two runs differ");
        assert_eq!(
            std::fs::read(outs.join(format!("r.{f}"))).expect("written"),
            a,
            "{f}: --output differs from stdout"
        );
    }
    // `report` defaults to Markdown.
    let default = shipgate().current_dir(&repo).args(ARGS).output().expect("runs").stdout;
    assert_eq!(default, run(&repo, &["--format", "md"]).stdout);
    // `check` takes the same formats and outputs.
    let check = shipgate()
        .current_dir(&repo)
        .args(["check", "--repo", ".", "--base", "release-2", "--head", "origin/main", "--date", DATE])
        .args(["--format", "sarif", "--output", &format!("github={}", outs.join("check.txt").display())])
        .output()
        .expect("runs");
    assert_eq!(check.status.code(), Some(1));
    assert!(sarif_validator().is_valid(&serde_json::from_slice(&check.stdout).expect("JSON")));
    assert!(std::fs::read_to_string(outs.join("check.txt")).expect("written").contains("::error file="));
}

#[test]
fn bad_output_specs_exit_2_with_help() {
    let tmp = tempfile::tempdir().expect("tempdir");
    fixture(tmp.path());
    for (spec, says) in [("md", "is not FORMAT=PATH"), ("pdf=x.pdf", "unknown format"), ("md=", "has no path")] {
        shipgate()
            .current_dir(tmp.path())
            .args(ARGS)
            .args(["--output", spec])
            .assert()
            .code(2)
            .stderr(predicates::str::contains(says));
    }
    shipgate()
        .current_dir(tmp.path())
        .args(ARGS)
        .args(["--output", "md=no/such/dir/r.md"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("could not write"));
}

#[test]
fn github_commands_escape_data_and_properties() {
    use shipgate::report::github::{escape_data, escape_property};
    assert_eq!(escape_data("100% done\r\nnext"), "100%25 done%0D%0Anext");
    assert_eq!(escape_property("dir,with:colons%\n.json"), "dir%2Cwith%3Acolons%25%0A.json");
    assert_eq!(escape_data("a:b,c"), "a:b,c", "data keeps : and ,");

    let tmp = tempfile::tempdir().expect("tempdir");
    fixture(tmp.path());
    let mut o = outcome(tmp.path());
    o.findings = vec![
        Finding::new("RemovedShape", Severity::Danger, "ns#A", "line one\nline two: 100%")
            .at("models/a,b:c.json", Some(7)),
        Finding::new("AddedShape", Severity::Note, "ns#B", "added"),
        Finding::new("RemovedShape", Severity::Suppressed, "ns#C", "suppressed"),
    ];
    o.fail_on = Severity::Danger;
    o.decide();
    let out = report::render(Format::Github, &o, Style::default());
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "two annotations and a summary (suppressed events are left out):\n{out}");
    assert_eq!(
        lines[0],
        "::error file=models/a%2Cb%3Ac.json,line=7,title=RemovedShape::[danger] ns#A: line one%0Aline two: 100%25"
    );
    assert!(lines[1].starts_with("::notice file=shipgate.toml,title=AddedShape::[note] ns#B: added"), "{}", lines[1]);
    assert!(lines[2].starts_with("shipgate FAIL: 0 error, 1 danger"), "{}", lines[2]);
}

/// Hostile subjects, messages and exception reasons: nothing reaches the HTML as markup, and the
/// Markdown neither opens HTML nor breaks its tables and fences.
#[test]
fn hostile_text_is_escaped_in_html_and_markdown() {
    let tmp = tempfile::tempdir().expect("tempdir");
    fixture(tmp.path());
    let mut o = outcome(tmp.path());
    let mut f = Finding::new("RemovedShape", Severity::Error, format!("ns#X{HOSTILE}"), format!("gone {HOSTILE}\n```"))
        .at(format!("models/{HOSTILE}.json"), Some(1));
    f.change = Some(std::sync::Arc::new(shipgate::finding::Change::new(
        HOSTILE,
        format!("{HOSTILE}\n<img src=x onerror=alert(1)>"),
    )));
    o.findings.push(f);
    let mut ex = Finding::new("RemovedShape", Severity::Error, "ns#Y", "excepted");
    ex.exception = Some(Box::new(shipgate::finding::AppliedException {
        index: 0,
        rule: "RemovedShape".into(),
        subject: "ns#Y".into(),
        reason: HOSTILE.into(),
        approved_by: Some("<b>boss</b>".into()),
        expires: None,
        source: None,
    }));
    o.findings.push(ex);
    o.notes.push(HOSTILE.into());

    let html = report::render(Format::Html, &o, Style::default());
    assert_eq!(html.matches("<script").count(), 0, "raw <script> in the HTML");
    assert!(!html.contains("<img") && !html.contains("<b>boss"), "raw markup in the HTML");
    assert!(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39;"));
    assert!(!html.contains("onerror=alert(1)>"));

    let md = report::render(Format::Md, &o, Style::default());
    let prose = outside_code(&md);
    let mut rest = prose.as_str();
    while let Some(pos) = rest.find('<') {
        let tag = &rest[pos..];
        assert!(
            ["<details", "</details>", "<summary>", "</summary>", "<sub>", "</sub>"].iter().any(|t| tag.starts_with(t)),
            "raw HTML outside code in the Markdown: {}",
            &tag[..tag.len().min(60)]
        );
        rest = &tag[1..];
    }
    assert_eq!(md.matches("<details").count(), md.matches("</details>").count());
    // Every table row keeps its column count (a `|` in text would add cells).
    for table in md.split("\n\n").filter(|b| b.starts_with('|')) {
        let cells = |l: &str| l.replace("\\|", "").matches('|').count();
        let rows: Vec<&str> = table.lines().collect();
        assert!(rows.iter().all(|r| cells(r) == cells(rows[0])), "a row has extra cells:\n{table}");
    }
}

/// The Markdown with fenced blocks and code spans removed: what GitHub parses as Markdown and
/// HTML rather than showing literally.
fn outside_code(md: &str) -> String {
    let mut out = String::new();
    let mut fence: Option<String> = None;
    for line in md.lines() {
        let run: String = line.chars().take_while(|c| *c == '`').collect();
        match &fence {
            Some(f) if line.trim_end() == f => fence = None,
            Some(_) => {}
            None if run.len() >= 3 => fence = Some(run),
            None => {
                let b = line.as_bytes();
                let mut i = 0;
                while i < b.len() {
                    if b[i] == b'`' {
                        let n = b[i..].iter().take_while(|c| **c == b'`').count();
                        let delim = "`".repeat(n);
                        // The closing run must be exactly as long.
                        let close = (i + n..b.len()).find(|&k| {
                            line[k..].starts_with(&delim) && b.get(k + n) != Some(&b'`') && b[k - 1] != b'`'
                        });
                        match close {
                            Some(k) => i = k + n,
                            None => {
                                out.push_str(&delim);
                                i += n;
                            }
                        }
                    } else {
                        let ch = line[i..].chars().next().expect("in bounds");
                        out.push(ch);
                        i += ch.len_utf8();
                    }
                }
                out.push('\n');
            }
        }
    }
    out
}

/// The fixture's outcome with 3,000 more blocking findings over seven rules.
fn big_outcome(dir: &Path) -> Outcome {
    let mut o = outcome(dir);
    let base = o.findings.iter().find(|f| f.rule == "RemovedShape").expect("a blocking finding").clone();
    for i in 0..3000 {
        let mut f = base.clone();
        f.subject = format!("example.weather#Shape{i:04}");
        f.fingerprint = format!("{i:032x}");
        f.rule = format!("Rule{}", i % 7);
        o.findings.push(f);
    }
    o
}

/// The subjects named (in a code span) in the Markdown's "Blocking findings" section.
fn named_in_blocking_section(md: &str) -> std::collections::BTreeSet<String> {
    let start = md.find("### Blocking findings").expect("a blocking section");
    let end = md[start..].find("\n### ").map_or(md.len(), |i| start + i + 1);
    let section = &md[start..end];
    let mut out = std::collections::BTreeSet::new();
    for line in section.lines() {
        let subject = if let Some(rest) = line.strip_prefix("**`") {
            rest.split('`').next()
        } else if let Some(rest) = line.strip_prefix("| `") {
            rest.split('`').next()
        } else {
            None
        };
        if let Some(s) = subject {
            out.insert(s.to_string());
        }
    }
    out
}

/// Every section after the findings, and the appendix.
const LATER_SECTIONS: [&str; 5] = [
    "### Exceptions applied",
    "### Required packages",
    "### Closest safe commit",
    "### Sign-off",
    "### Appendix: inputs",
];

#[test]
fn check_markdown_is_capped_folding_findings_and_keeping_later_sections() {
    let tmp = tempfile::tempdir().expect("tempdir");
    fixture(tmp.path());
    let mut o = big_outcome(tmp.path());
    o.command = Command::Check;
    let full_len = report::md::render_full(&o, Style::default()).chars().count();
    assert!(full_len > report::md::MAX_CHARS, "the test needs a report over the cap ({full_len})");
    let md = report::render(Format::Md, &o, Style::default());
    assert!(md.chars().count() <= report::md::MAX_CHARS, "{} chars", md.chars().count());
    assert!(md.chars().count() > report::md::MAX_CHARS - 10_000, "the cap is used, not wasted");
    assert!(md.contains("This summary was cut to fit 60000 characters"), "a notice says it was cut");
    assert!(md.contains("run `shipgate report --output md=report.md`"), "and how to get the full record");
    assert!(md.contains("`--output html=report.html`"));
    for section in LATER_SECTIONS {
        assert!(md.contains(section), "{section} is kept");
    }
    // The surplus is counted by rule, and the counts add up.
    let line = md.lines().find(|l| l.starts_with("… and ")).expect("a count line");
    let n: usize = line["… and ".len()..].split(' ').next().expect("a number").parse().expect("a count");
    let per_rule: usize = line
        .split('×')
        .skip(1)
        .map(|p| p.split(|c: char| !c.is_ascii_digit()).next().expect("n").parse::<usize>().expect("n"))
        .sum();
    assert_eq!(n, per_rule, "{line}");
    assert!(line.contains("`Rule2` ×"), "{line}");
    let blocking = o.blocking().count();
    let shown = named_in_blocking_section(&md).len();
    assert_eq!(shown + n, blocking, "every blocking finding is shown or counted");
    assert_eq!(md.matches("<details").count(), md.matches("</details>").count(), "details are closed");
    assert_eq!(md.lines().filter(|l| l.starts_with("```")).count() % 2, 0, "fences are closed");
    // Small caps still give a well-formed summary.
    let tiny = report::md::render_capped(&o, Style::default(), 2_000);
    assert!(tiny.chars().count() <= 2_000, "{}", tiny.chars().count());
}

#[test]
fn report_markdown_is_never_capped() {
    let tmp = tempfile::tempdir().expect("tempdir");
    fixture(tmp.path());
    let o = big_outcome(tmp.path());
    assert_eq!(o.command, Command::Report);
    let md = report::render(Format::Md, &o, Style::default());
    assert!(md.chars().count() > report::md::MAX_CHARS, "{} chars", md.chars().count());
    assert_eq!(md, report::md::render_full(&o, Style::default()));
    assert!(!md.contains("was cut to fit") && !md.contains("… and "), "nothing is folded");
    let named = named_in_blocking_section(&md);
    for f in o.blocking() {
        assert!(named.contains(&f.subject), "{} is not named", f.subject);
    }
    // One exception entry per rule and service: seven synthetic rules on one service, plus the
    // fixture's own blocking findings.
    let entries = md.matches("[[exceptions]]\nrule = ").count();
    assert!(entries < 20, "{entries} entries for {} blocking findings", o.blocking().count());
    assert!(md.contains("subject = \"example.weather#Shape*\""), "a subject glob");
    for section in LATER_SECTIONS {
        assert!(md.contains(section), "{section}");
    }
}

#[test]
fn report_without_a_mainline_says_why_there_is_no_closest_safe_commit() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let repo = tmp.path().join("repo");
    let mut r = FixtureRepo::init(&repo).expect("init");
    r.write("models/weather.json", weather_model(&["GetForecast", "ListCities"], false));
    let id = r.commit("release").expect("commit");
    r.tag("v1", id).expect("tag");
    r.write("models/weather.json", weather_model(&["GetForecast"], false));
    r.commit("drop ListCities").expect("commit");
    // A configured mainline that does not resolve is a note, not an error: no mainline.
    let cfg = tmp.path().join("cfg.toml");
    std::fs::write(&cfg, "mainline = \"no-such-branch\"\n").expect("write");
    let out = shipgate()
        .current_dir(&repo)
        .args(["report", "--repo", ".", "--base", "v1", "--head", "HEAD", "--date", DATE, "--config"])
        .arg(&cfg)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let md = String::from_utf8(out.stdout).expect("UTF-8");
    assert!(md.contains("### Closest safe commit\n\nNot computed for this run (see the notes)."), "{md}");
    assert!(md.contains("there is no mainline commit (pass --mainline REV)"), "{md}");
    assert!(md.contains("introducing commit unknown"), "{md}");
}

#[test]
fn the_reproduce_command_names_resolved_commits_and_reproduces_the_verdict() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let ids = fixture(tmp.path());
    let md = text(&run(tmp.path(), &["--format", "md"]));
    let tail = &md[md.find("Reproduce the verdict:").expect("an appendix")..];
    let mut lines = tail.lines().skip_while(|l| !l.starts_with("```")).skip(1);
    let cmd = lines.next().expect("the command");
    let typed = lines.next().expect("the comment");
    assert_eq!(
        cmd,
        format!(
            "shipgate report --repo . --base {} --head {} --mainline {} --fail-on danger --date {DATE}",
            ids[2], ids[5], ids[5]
        )
    );
    assert_eq!(typed, format!("# as typed: shipgate {}", ARGS.join(" ")));
    assert!(!md.contains("No `--date` was given"), "--date was given");
    // Run it: the same verdict and the same findings.
    let words: Vec<&str> = cmd.split(' ').skip(1).collect();
    let json = |args: &[&str]| -> Value {
        let out = shipgate().current_dir(tmp.path()).args(args).args(["--format", "json"]).output().expect("runs");
        assert_eq!(out.status.code(), Some(1));
        serde_json::from_slice::<Value>(&out.stdout).expect("JSON")["findings"].take()
    };
    assert_eq!(json(&words), json(&ARGS));
}

#[test]
fn without_a_date_the_appendix_says_expiry_used_the_day_of_the_report() {
    let tmp = tempfile::tempdir().expect("tempdir");
    fixture(tmp.path());
    let mut o = outcome(tmp.path());
    o.date = None;
    let md = report::render(Format::Md, &o, Style::default());
    assert!(md.contains("No `--date` was given: exception expiry was judged against the day this report was made"));
    assert!(md.contains("Pass `--date YYYY-MM-DD` to make it reproducible."));
    let html = report::render(Format::Html, &o, Style::default());
    assert!(html.contains("No --date was given: exception expiry was judged against the day this report was made"));
}

#[test]
fn closest_safe_says_what_passing_means_and_what_each_left_out_commit_introduced() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let ids = fixture(tmp.path());
    let mut o = outcome(tmp.path());
    let md = report::render(Format::Md, &o, Style::default());
    let html = report::render(Format::Html, &o, Style::default());
    let passes = "passes the gate at danger (mainline rules are not applied: every candidate is on mainline)";
    assert!(md.contains(passes) && html.contains(passes));
    assert!(!md.contains("passes every rule") && !html.contains("passes every rule"));
    // c2 (ids[4]) removed ListCities; c3 (ids[5]) removed old-cli (legacy-util is excepted).
    let row = |commit: &str| md.lines().find(|l| l.starts_with(&format!("| `{}`", &commit[..12]))).expect("a row");
    let c2 = row(&ids[4]);
    assert!(c2.contains("`RemovedShape` `example.weather#ListCities`"), "{c2}");
    let c3 = row(&ids[5]);
    let introduced = c3.trim_end_matches(" |").rsplit(" | ").next().expect("last cell");
    assert_eq!(introduced, "`RemovedPackage` `old-cli`", "the excepted legacy-util is not blocking: {c3}");
    assert!(md.contains("| commit | summary | blocking findings it introduced |"));
    assert!(html.contains("<th>blocking findings it introduced</th>"));
    assert!(html.contains("<code>RemovedPackage</code> <code>old-cli</code>"));

    o.command = Command::Check;
    o.closest_safe = None;
    o.notes.clear();
    let md = report::render(Format::Md, &o, Style::default());
    assert!(md.contains("Not computed by `check`; run `shipgate closest-safe` or `shipgate report`."), "{md}");
    let html = report::render(Format::Html, &o, Style::default());
    assert!(html.contains(
        "Not computed by <code>check</code>; run <code>shipgate closest-safe</code> or <code>shipgate report</code>."
    ));
}

#[test]
fn exceptions_are_numbered_like_the_expired_exception_subjects() {
    let tmp = tempfile::tempdir().expect("tempdir");
    fixture(tmp.path());
    let o = outcome(tmp.path());
    // The second `[[exceptions]]` entry has expired: its finding names it `exceptions[1]`.
    let expired = o.findings.iter().find(|f| f.id == "ExpiredException.Expired").expect("expired");
    assert!(expired.subject.contains("exceptions[1]"), "{}", expired.subject);
    // The first entry excepts legacy-util: the reports call it `exceptions[0]`.
    let md = report::render(Format::Md, &o, Style::default());
    let row = md.lines().find(|l| l.starts_with("| `RemovedPackage` | `legacy-util` |")).expect("a row");
    assert!(row.ends_with("| `exceptions[0]` |"), "{row}");
    assert!(!md.contains("| #1 |"));
    let html = report::render(Format::Html, &o, Style::default());
    assert!(html.contains("<td><code>exceptions[0]</code></td></tr>"));
}

#[test]
fn changes_are_rendered_with_side_labels() {
    let tmp = tempfile::tempdir().expect("tempdir");
    fixture(tmp.path());
    let mut o = outcome(tmp.path());
    o.findings.push(
        Finding::new("BehindMainline.Version", Severity::Danger, "weather-sdk", "behind")
            .at("sdk/weather/Cargo.toml", Some(3))
            .with_change_between(("mainline", "1.1.0"), ("head", "1.0.0")),
    );
    let md = report::render(Format::Md, &o, Style::default());
    assert!(md.contains("```diff\n--- mainline\n+++ head\n- 1.1.0\n+ 1.0.0\n```"), "{md}");
    // The base → head change is a warning below --fail-on: folded by default, shown in full with
    // --details.
    assert!(!md.contains("```diff\n--- base\n+++ head\n"), "folded without --details");
    let details = report::render(Format::Md, &o, Style { details: true, ..Style::default() });
    assert!(details.contains("```diff\n--- base\n+++ head\n"), "base → head changes say so");
    let html = report::render(Format::Html, &o, Style::default());
    assert!(html.contains("<span class=\"hdr\">--- mainline</span>\n<span class=\"hdr\">+++ head</span>"));
    let json: Value = serde_json::from_str(&report::render(Format::Json, &o, Style::default())).expect("JSON");
    assert_schema_valid(&json);
    let f = json["findings"].as_array().expect("findings").iter().find(|f| f["subject"] == "weather-sdk").expect("f");
    assert_eq!(f["change"]["old_label"], "mainline");
}

/// Table headers never break; on screen, code (ids, paths, commits) wraps only after its
/// separators (`<wbr>`), and breaks inside a word only outside tables, as a last resort:
/// `overflow-wrap: anywhere` is for `pre` alone (and for table code on paper).
// Regression: `td code { overflow-wrap: anywhere }` broke rule ids mid-word in "What blocks".
#[test]
fn html_tables_keep_headers_and_ids_whole() {
    let tmp = tempfile::tempdir().expect("tempdir");
    fixture(tmp.path());
    let html = report::render(Format::Html, &outcome(tmp.path()), Style::default());
    let css = &html[html.find("<style>").expect("style")..html.find("</style>").expect("style")];
    // On screen (print, where a table cannot scroll, may break ids to fit the page).
    let (screen, print) = css.split_once("@media print").expect("a print block");
    assert!(print.contains("td code { overflow-wrap: anywhere; }"), "{print}");
    for rule in screen.split('}') {
        let (selectors, body) = rule.split_once('{').unwrap_or(("", ""));
        let selectors: Vec<&str> = selectors.split(',').map(str::trim).collect();
        if body.contains("overflow-wrap: anywhere") {
            assert_eq!(selectors, ["pre"], "{rule}");
        }
        if selectors.contains(&"th") && !selectors.contains(&"td") {
            assert!(body.contains("white-space: nowrap"), "{rule}");
        }
    }
    assert!(css.contains("th { background: var(--soft); white-space: nowrap; }"));
    assert!(
        html.contains("<td><code class=\"rule\">RemovedOperationBinding</code></td>"),
        "a rule id has no break point"
    );
    assert!(html.contains("<code>example.<wbr>weather#<wbr>ListCitiesInput</code>"), "a shape id breaks after . and #");
}

/// In a narrow window (headless Chromium), no code in a table wraps inside a word: every line
/// break inside an id falls after a separator, and the rule ids of "What blocks" stay on one
/// line; and the page itself never scrolls sideways. The boxes are measured in the DOM by a script added to a copy of the report.
#[test]
#[cfg_attr(
    not(shipgate_chromium),
    ignore = "chromium is not installed (SHIPGATE_REQUIRE_CHROMIUM=1 makes it required)"
)]
fn html_ids_wrap_only_after_separators_in_chromium() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let repo = tmp.path().join("repo");
    fixture(&repo);
    let html = text(&run(&repo, &["--format", "html"]));
    let probe = r#"<script>
const seps = '.#$/:_@-, ';
let checked = 0, inside = 0, rules = 0, wrapped = 0;
for (const c of document.querySelectorAll('td code')) {
  checked++;
  if (c.getClientRects().length > 1) wrapped++;
  const walk = document.createTreeWalker(c, NodeFilter.SHOW_TEXT);
  let top = null, prev = '';
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    for (let i = 0; i < n.data.length; i++) {
      const r = document.createRange();
      r.setStart(n, i);
      r.setEnd(n, i + 1);
      const b = r.getBoundingClientRect();
      if (b.width > 0 || b.height > 0) {
        if (top !== null && b.top > top + 2 && !seps.includes(prev)) inside++;
        top = b.top;
      }
      prev = n.data[i];
    }
  }
}
const blocks = [...document.querySelectorAll('#verdict table')].pop();
for (const c of blocks.querySelectorAll('td:first-child code')) if (c.getClientRects().length > 1) rules++;
const pre = document.createElement('pre');
pre.id = 'probe';
const page = document.documentElement.scrollWidth - document.documentElement.clientWidth;
pre.textContent = `checked=${checked} wrapped=${wrapped} inside=${inside} rules=${rules} page=${page}`;
document.body.appendChild(pre);
</script>"#;
    let (_, probe) = chromium_probe(tmp.path(), &html, probe, Some("420,4000"));
    let field = |name: &str| probe.get(name).copied().unwrap_or_else(|| panic!("the probe has no {name}: {probe:?}"));
    assert!(field("checked") > 20, "the tables have ids: {probe:?}");
    assert!(field("wrapped") > 0, "the window is narrow enough that some ids wrap: {probe:?}");
    assert_eq!(field("inside"), 0, "an id wrapped inside a word: {probe:?}");
    assert_eq!(field("rules"), 0, "a rule id of What blocks wrapped: {probe:?}");
    // Regression: the page scrolled sideways on a narrow screen (its tables and long ids in
    // running text were wider than the window); a wide table now scrolls in its own box.
    assert_eq!(field("page"), 0, "the page is wider than the window: {probe:?}");
}

/// Runs where chromium is installed (build.rs sets `shipgate_chromium`); elsewhere `cargo test`
/// lists it as ignored with the reason. CI sets `SHIPGATE_REQUIRE_CHROMIUM=1`, which makes it
/// run, and fail when chromium is missing.
#[test]
#[cfg_attr(
    not(shipgate_chromium),
    ignore = "chromium is not installed (SHIPGATE_REQUIRE_CHROMIUM=1 makes it required)"
)]
fn html_renders_in_headless_chromium() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let repo = tmp.path().join("repo");
    fixture(&repo);
    let html = text(&run(&repo, &["--format", "html"]));
    let file = tmp.path().join("report.html");
    std::fs::write(&file, &html).expect("write");
    let url = format!("file://{}", file.display());
    let png = tmp.path().join("report.png");
    let mut shot = chromium_in(tmp.path());
    shot.arg(format!("--screenshot={}", png.display())).arg("--window-size=1280,2000").arg(&url);
    let out = run_with_timeout(&mut shot, 120).expect("chromium took over two minutes to take a screenshot");
    let size = std::fs::metadata(&png).map(|m| m.len()).unwrap_or(0);
    assert!(size > 20_000, "screenshot is {size} bytes: {}", String::from_utf8_lossy(&out.stderr));

    let mut dump = chromium_in(tmp.path());
    dump.arg("--dump-dom").arg(&url);
    let out = run_with_timeout(&mut dump, 120).expect("chromium took over two minutes to dump the DOM");
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(
        dom.contains("Verdict: FAIL"),
        "the verdict is in the rendered DOM: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dom.contains("RemovedShape") && dom.contains("<svg"), "a rule id and the chart are in the DOM");
    assert!(!dom.contains("<script"), "no script element in the rendered DOM");
}

/// The required-package list says where to publish from: mainline's version and commit when
/// head is behind, head's when it is ahead (and says so), and marks a package that no commit
/// holds (named by a path dependency, made by the SDK build) as generated.
#[test]
fn required_packages_say_what_to_publish_and_from_where() {
    let tmp = tempfile::tempdir().expect("tempdir");
    fixture(tmp.path());
    let mut o = outcome(tmp.path());
    let base = o.packages.iter().find(|p| p.required).expect("a required package").clone();
    let mainline = o.mainline.as_ref().expect("a mainline").commit[..12].to_string();
    let pkg = |name: &str, head: Option<&str>, main: Option<&str>| shipgate::outcome::PackageSummary {
        name: name.into(),
        base_version: None,
        head_version: head.map(String::from),
        mainline_version: main.map(String::from),
        ..base.clone()
    };
    o.packages = vec![
        pkg("behind", Some("1.0.1"), Some("1.1.0")),
        pkg("ahead", Some("2.0.0"), Some("1.9.0")),
        pkg("aws-sdk-sts", None, None),
    ];
    let md = report::render(Format::Md, &o, Style::default());
    let row = |name: &str| md.lines().find(|l| l.starts_with(&format!("| `{name}` |"))).expect("a row").to_string();
    let behind = row("behind");
    assert!(behind.contains(&format!("| `1.1.0` | `{mainline}` (mainline) |")), "{behind}");
    assert!(behind.contains("head has 1.0.1, behind mainline's 1.1.0"), "{behind}");
    let ahead = row("ahead");
    assert!(ahead.contains("| `2.0.0` |") && ahead.contains("ahead of mainline's 1.9.0"), "{ahead}");
    assert!(row("aws-sdk-sts").contains("generated at build time"));
    assert!(md.contains("**3 packages** not shipped as head's version from head"), "{md}");
    let html = report::render(Format::Html, &o, Style::default());
    assert!(html.contains(&format!("<td><code>{mainline}</code> (mainline)</td>")));
}

/// closest-safe does not gate: its reports lead with the answer and never use verdict wording.
#[test]
fn closest_safe_reports_lead_with_the_answer_without_gate_wording() {
    let tmp = tempfile::tempdir().expect("tempdir");
    fixture(tmp.path());
    let mut o = outcome(tmp.path());
    o.command = Command::ClosestSafe;
    let md = report::render(Format::Md, &o, Style::default());
    assert!(md.starts_with("## shipgate closest-safe\n"), "{md}");
    assert!(!md.contains("Verdict") && !md.contains("gate fails on") && !md.contains("FAIL"), "{md}");
    assert!(md.contains("a safe candidate has nothing at **danger** or above"));
    let answer = md.find("### Closest safe commit").expect("the answer");
    assert!(answer < md.find("### Blocking findings").expect("the detail"), "answer first");
    let table = report::render(Format::Table, &o, Style::default());
    assert!(table.lines().nth(4).is_some_and(|l| l.starts_with("Closest safe commit: ")), "{table}");
    assert!(!table.contains("FAIL") && !table.contains("PASS"), "{table}");
    // Regression: closest-safe printed "No model or manifest file changed." beside its findings.
    assert!(!table.contains("No model or manifest") && !md.contains("No model or manifest"), "{table}");
    let html = report::render(Format::Html, &o, Style::default());
    assert!(!html.contains("class=\"verdict") && !html.contains("Verdict:"));
}

/// Every field the JSON can write, as `path.key` (array items as `[]`), and every field the
/// schema declares at the objects the JSON has: walks `value` with `schema` (through `$ref`,
/// `allOf`, `oneOf`, `anyOf` and `items`). A key no schema node declares is recorded as
/// undeclared, unless an `additionalProperties` schema admits it (`digests`).
struct Walk {
    written: std::collections::BTreeSet<String>,
    declared: std::collections::BTreeSet<String>,
    undeclared: Vec<String>,
}

fn schema_nodes<'a>(root: &'a Value, node: &'a Value, out: &mut Vec<&'a Value>) {
    if let Some(r) = node["$ref"].as_str() {
        let name = r.strip_prefix("#/$defs/").expect("local $defs references only");
        return schema_nodes(root, &root["$defs"][name], out);
    }
    out.push(node);
    for key in ["allOf", "oneOf", "anyOf"] {
        for sub in node[key].as_array().into_iter().flatten() {
            schema_nodes(root, sub, out);
        }
    }
}

fn walk(root: &Value, node: &Value, value: &Value, path: &str, w: &mut Walk) {
    let mut nodes = Vec::new();
    schema_nodes(root, node, &mut nodes);
    match value {
        Value::Object(map) => {
            for n in &nodes {
                for key in n["properties"].as_object().into_iter().flat_map(|p| p.keys()) {
                    w.declared.insert(format!("{path}.{key}"));
                }
            }
            for (key, v) in map {
                let field = format!("{path}.{key}");
                w.written.insert(field.clone());
                let subs: Vec<&Value> = nodes.iter().filter_map(|n| n["properties"].get(key)).collect();
                let open: Vec<&Value> =
                    nodes.iter().map(|n| &n["additionalProperties"]).filter(|a| a.is_object()).collect();
                if subs.is_empty() && open.is_empty() {
                    w.undeclared.push(field.clone());
                }
                for sub in subs.into_iter().chain(open) {
                    walk(root, sub, v, &field, w);
                }
            }
        }
        Value::Array(items) => {
            for n in &nodes {
                if let Some(item_schema) = n.get("items") {
                    for v in items {
                        walk(root, item_schema, v, &format!("{path}[]"), w);
                    }
                }
            }
        }
        _ => {}
    }
}

fn walk_schema(value: &Value) -> Walk {
    let schema: Value = serde_json::from_str(include_str!("../schema/report.schema.json")).expect("schema is JSON");
    let mut w = Walk { written: Default::default(), declared: Default::default(), undeclared: Vec::new() };
    walk(&schema, &schema, value, "", &mut w);
    w
}

fn nulls_and_empty_lists(v: &Value, path: &str, out: &mut Vec<String>) {
    match v {
        Value::Null => out.push(path.to_string()),
        Value::Array(a) if a.is_empty() => out.push(path.to_string()),
        Value::Array(a) => a.iter().for_each(|x| nulls_and_empty_lists(x, &format!("{path}[]"), out)),
        Value::Object(m) => m.iter().for_each(|(k, x)| nulls_and_empty_lists(x, &format!("{path}.{k}"), out)),
        _ => {}
    }
}

/// The JSON contract and `schema/report.schema.json` agree: an outcome with every optional field
/// set and every list non-empty validates, writes no field the schema does not declare, and
/// writes every field the schema declares. A field added to a JSON view type (report/json/view.rs)
/// fails here until the schema describes it (and this outcome sets it).
#[test]
fn the_json_view_writes_exactly_the_fields_the_schema_declares() {
    use shipgate::finding::{Baseline, Change};
    let tmp = tempfile::tempdir().expect("tempdir");
    fixture(tmp.path());
    let mut o = outcome(tmp.path());
    // Every optional field set once.
    let f = o.findings.iter_mut().find(|f| f.change.is_some()).expect("a change");
    f.change = Some(std::sync::Arc::new(Change {
        old_label: Some("mainline".into()),
        new_label: Some("head".into()),
        ..Change::new("a", "b")
    }));
    f.suppression = Some("suppressed by the model".into());
    f.introduced_by = Some("0".repeat(40));
    f.location_side = Some("base".into());
    let mut gone = f.clone();
    gone.baseline = Baseline::Resolved;
    o.resolved.push(gone);
    let f = o.findings.iter_mut().find(|f| f.exception.is_some()).expect("an excepted finding");
    f.exception.as_mut().expect("excepted").source = Some("pull-request label".into());
    o.packages[0].source_commit = Some("1".repeat(40));
    let m = &mut o.models[0];
    m.operations_added.push("example.weather#Added".into());
    m.operations_removed.push("example.weather#Removed".into());
    m.operations_changed.push("example.weather#Changed".into());
    m.base_size.get_or_insert(1);
    m.head_size.get_or_insert(1);
    m.lines_changed = Some(3);
    for f in &mut o.files {
        f.base_size.get_or_insert(1);
        f.head_size.get_or_insert(1);
    }
    o.notes.push("a note".into());
    let json: Value = serde_json::from_str(&report::render(Format::Json, &o, Style::default())).expect("JSON");
    assert_schema_valid(&json);
    let w = walk_schema(&json);
    assert!(w.undeclared.is_empty(), "written but not in schema/report.schema.json: {:?}", w.undeclared);
    let mut unset = Vec::new();
    nulls_and_empty_lists(&json, "", &mut unset);
    // Fields that are null or empty by nature of this outcome, each shown set elsewhere.
    unset.retain(|p| !p.ends_with(".path") && !p.ends_with(".line") && !p.ends_with(".introduced_by"));
    unset.retain(|p| !p.ends_with(".exception") && !p.ends_with("_version") && !p.ends_with("_size"));
    assert!(unset.is_empty(), "the outcome leaves these unset, so the check cannot see them: {unset:?}");
    let not_written: Vec<&String> = w.declared.difference(&w.written).collect();
    assert!(not_written.is_empty(), "declared in the schema, never written: {not_written:?}");
    // The walk is not vacuous: an unknown field is reported.
    let mut extra = json.clone();
    extra["findings"][0]["internal"] = json!(true);
    assert_eq!(walk_schema(&extra).undeclared, vec![".findings[].internal".to_string()]);
}

/// Every command's JSON on the report fixture validates against the schema.
#[test]
fn every_command_writes_json_the_schema_accepts() {
    let tmp = tempfile::tempdir().expect("tempdir");
    fixture(tmp.path());
    let common = ["--repo", ".", "--base", "release-2", "--date", DATE, "--format", "json"];
    for args in [
        vec!["diff", "--head", "origin/main"],
        vec!["check", "--head", "origin/main", "--mainline", "origin/main"],
        vec!["report", "--head", "origin/main", "--mainline", "origin/main"],
        vec!["closest-safe", "--mainline", "origin/main"],
    ] {
        let out = shipgate().current_dir(tmp.path()).args(&args).args(common).output().expect("runs");
        assert!(matches!(out.status.code(), Some(0 | 1)), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        assert_schema_valid(&json(&out.stdout));
    }
}
