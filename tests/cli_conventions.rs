//! CLI conventions (`--color`, `-q`/`-v`, table width, completions, man page, schemas, `explain`
//! of event ids) and SARIF/annotations at code-scanning scale (issue 15).
mod common;

use common::*;
use predicates::prelude::*;
use serde_json::Value;
use shipgate::engine::Request;
use shipgate::finding::{Finding, Severity};
use shipgate::outcome::Command;
use shipgate::report::{self, Format, Style};

fn demo(dir: &std::path::Path) -> shipgate::source::fixture::DemoRevs {
    shipgate::source::fixture::sdk_demo(dir).expect("demo repository")
}

fn check(dir: &std::path::Path, revs: &shipgate::source::fixture::DemoRevs) -> assert_cmd::Command {
    let mut cmd = shipgate();
    cmd.args(["check", "--base", &revs.base, "--head", &revs.head, "--repo"]).arg(dir);
    cmd
}

#[test]
fn color_follows_the_flag_and_the_environment() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let revs = demo(tmp.path());
    let esc = predicate::str::contains("\u{1b}[");
    // Not a terminal: no colour by default, even without NO_COLOR.
    check(tmp.path(), &revs).env_remove("NO_COLOR").assert().code(1).stdout(esc.clone().not());
    check(tmp.path(), &revs).arg("--color").arg("always").assert().code(1).stdout(esc.clone());
    check(tmp.path(), &revs).env_remove("NO_COLOR").env("CLICOLOR_FORCE", "1").assert().code(1).stdout(esc.clone());
    // NO_COLOR wins over CLICOLOR_FORCE under auto; --color never wins over everything.
    check(tmp.path(), &revs).env("CLICOLOR_FORCE", "1").assert().code(1).stdout(esc.clone().not());
    check(tmp.path(), &revs).env("CLICOLOR_FORCE", "1").args(["--color", "never"]).assert().code(1).stdout(esc.not());
    shipgate().args(["--color", "sometimes", "rules"]).assert().code(2).stderr(predicate::str::contains("auto"));
}

#[test]
fn quiet_prints_nothing_but_writes_outputs_and_verbose_says_what_ran() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let revs = demo(&tmp.path().join("repo"));
    let repo = tmp.path().join("repo");
    let json = tmp.path().join("r.json");
    check(&repo, &revs)
        .arg("-q")
        .arg("--output")
        .arg(format!("json={}", json.display()))
        .assert()
        .code(1)
        .stdout("")
        .stderr("");
    assert!(std::fs::read_to_string(&json).expect("written").contains("\"verdict\": \"fail\""));
    check(&repo, &revs)
        .arg("-v")
        .assert()
        .code(1)
        .stdout(predicate::str::contains("FAIL"))
        .stderr(predicate::str::contains("shipgate: base release-2026-01 ("))
        .stderr(predicate::str::contains("shipgate: FAIL in "));
    shipgate().args(["-q", "-v", "rules"]).assert().code(2).stderr(predicate::str::contains("cannot be used with"));
}

/// The widest line of a table section.
fn widest(text: &str) -> usize {
    text.lines().filter(|l| l.starts_with('│') || l.starts_with('┌')).map(|l| l.chars().count()).max().unwrap_or(0)
}

#[test]
fn tables_fit_columns_and_never_split_ids() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let revs = demo(tmp.path());
    let run = |cols: &str| {
        let out = check(tmp.path(), &revs).arg("--details").env("COLUMNS", cols).output().expect("runs");
        String::from_utf8(out.stdout).expect("UTF-8")
    };
    let (narrow, wide) = (run("80"), run("200"));
    assert!(widest(&narrow) <= 80, "80 columns:\n{narrow}");
    assert!(widest(&wide) > 120, "200 columns use the room:\n{wide}");
    // Every id appears whole on one line at 80 columns.
    let ids: Vec<String> = {
        let out = check(tmp.path(), &revs).args(["--format", "json"]).output().expect("runs");
        let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
        // Pre-existing findings are folded to a count per rule (the gate's baseline), not listed.
        v["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter(|f| f["baseline"] == "new")
            .map(|f| f["id"].as_str().expect("id").to_string())
            .collect()
    };
    assert!(!ids.is_empty());
    for id in ids {
        assert!(narrow.lines().any(|l| l.contains(&id)), "`{id}` split at 80 columns:\n{narrow}");
    }
}

#[test]
fn completions_man_page_and_schemas_print() {
    shipgate()
        .args(["completions", "bash"])
        .assert()
        .success()
        .stdout(predicate::str::contains("closest-safe").and(predicate::str::contains("complete")));
    shipgate().args(["completions", "zsh"]).assert().success().stdout(predicate::str::contains("#compdef shipgate"));
    shipgate().args(["completions", "tcsh"]).assert().code(2);
    shipgate()
        .arg("man")
        .assert()
        .success()
        .stdout(predicate::str::contains(".TH shipgate").and(predicate::str::contains("closest\\-safe")));
    let out = shipgate().args(["schema", "report"]).output().expect("runs");
    let report: Value = serde_json::from_slice(&out.stdout).expect("the report schema is JSON");
    assert_eq!(report["properties"]["schema_version"]["const"], 1);
    let out = shipgate().args(["schema", "config"]).output().expect("runs");
    let config: Value = serde_json::from_slice(&out.stdout).expect("the config schema is JSON");
    assert_eq!(config["additionalProperties"], false);
}

/// The config schema accepts what shipgate accepts and rejects what it rejects.
#[test]
fn the_config_schema_agrees_with_the_config_loader() {
    let schema: Value = serde_json::from_str(shipgate::cli::CONFIG_SCHEMA).expect("JSON");
    let validator = jsonschema::validator_for(&schema).expect("compiles");
    let readme = include_str!("../README.md");
    let start = readme.find("```toml\nmainline").expect("README has the config example") + "```toml\n".len();
    let example = &readme[start..start + readme[start..].find("```").expect("closed")];
    let cases = [
        (example.to_string(), true),
        ("[packages]\ncargo = [\"a/*\"]\nunknown = 1\n".to_string(), false),
        ("nonsense = true\n".to_string(), false),
        ("[rules]\nRemovedShape = \"loud\"\n".to_string(), false),
        ("[[exceptions]]\nrule = \"RemovedShape\"\nsubject = \"a#B\"\nexpires = \"soon\"\n".to_string(), false),
        ("[[alignment]]\nname = \"x\"\npackages = [\"a-*\"]\npolicy = \"same-requirement\"\n".to_string(), true),
    ];
    for (text, ok) in cases {
        let value: toml::Value = toml::from_str(&text).expect("TOML");
        let as_json = serde_json::to_value(&value).expect("JSON");
        assert_eq!(validator.is_valid(&as_json), ok, "schema on:\n{text}");
        assert_eq!(shipgate::config::LoadedConfig::parse("t.toml", &text).is_ok(), ok, "loader on:\n{text}");
    }
}

#[test]
fn explain_accepts_any_event_id() {
    for (id, rule) in [
        ("MissingPackage.Dependency", "MissingPackage"),
        ("ChangedEnumTrait.Appended.3", "ChangedEnumTrait"),
        ("TraitBreakingChange.Update.smithy.api#jsonName", "TraitBreakingChange"),
        ("removedshape", "RemovedShape"),
    ] {
        shipgate()
            .args(["explain", id])
            .assert()
            .success()
            .stdout(predicate::str::contains(rule))
            .stdout(predicate::str::contains("How to fix").or(predicate::str::contains("how to fix")));
    }
    shipgate()
        .args(["explain", "MissingPackage.Dependency"])
        .assert()
        .stdout(predicate::str::starts_with("`MissingPackage.Dependency` is an event id of MissingPackage"));
    shipgate().args(["explain", "NoSuchRule.X"]).assert().code(2).stderr(predicate::str::contains("unknown rule"));
}

/// Over 5,000 findings (a mass model update): the SARIF validates, keeps at most 5,000 results,
/// most severe first, counts the rest, and never points at a file that does not exist.
#[test]
fn sarif_at_scale_is_capped_sorted_and_points_only_at_existing_files() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let revs = demo(tmp.path());
    let req = Request {
        command: Command::Check,
        repo: tmp.path().to_path_buf(),
        config: None,
        base: Some(revs.base.clone()),
        head: revs.head.clone(),
        mainline: Some(revs.mainline.clone()),
        fail_on: Severity::Danger,
        date: Some("2026-12-01".into()),
        today: shipgate::date::Date::constant(2026, 12, 1),
        max_commits: None,
        candidate_manifest: None,
        command_line: "shipgate check".into(),
        approval: None,
    };
    let mut o = shipgate::engine::run(&req).expect("runs");
    let real = o.findings.len();
    for i in 0..7_200 {
        let sev =
            [Severity::Note, Severity::Warning, Severity::Danger, Severity::Error, Severity::Warning, Severity::Danger]
                [i % 6];
        let mut f = Finding::new("ChangedMemberOrder", sev, format!("example.weather#S{i}"), "moved");
        match i % 4 {
            0 => f = f.at("models/weather.json", Some(3)),
            1 => f = f.at("models/gone.json", Some(7)).on_base(), // a file head no longer has
            2 => {}                                               // no file at all
            _ => f = f.at("models/weather.json", None),
        }
        o.findings.push(f);
    }
    shipgate::finding::sort_findings(&mut o.findings);
    let v: Value = serde_json::from_str(&report::render(Format::Sarif, &o, Style::default())).expect("JSON");
    let schema: Value =
        serde_json::from_str(include_str!("../fixtures/schemas/sarif-schema-2.1.0.json")).expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("compiles");
    let errors: Vec<String> =
        validator.iter_errors(&v).take(5).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    let run = &v["runs"][0];
    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), shipgate::report::sarif::MAX_RESULTS);
    let omitted = &run["properties"]["omittedResults"];
    let kept_or_omitted = results.len() as u64
        + omitted["belowMinLevel"].as_u64().expect("below")
        + omitted["overLimit"].as_u64().expect("over");
    assert_eq!(kept_or_omitted, (real + 7_200) as u64);
    assert!(omitted["belowMinLevel"].as_u64().expect("below") >= 1_200, "notes are below the default level");
    // Most severe first: no error-level result after a warning-level one.
    let levels: Vec<&str> = results.iter().map(|r| r["level"].as_str().expect("level")).collect();
    let first_warning = levels.iter().position(|l| *l == "warning").expect("warnings kept");
    assert!(levels[first_warning..].iter().all(|l| *l != "error"), "errors come first");
    // Every location is a file of head.
    let head_files = git(tmp.path(), &["ls-tree", "-r", "--name-only", &revs.head]);
    let head_files: Vec<&str> = head_files.lines().collect();
    for r in results {
        for loc in r["locations"].as_array().into_iter().flatten() {
            let uri = loc["physicalLocation"]["artifactLocation"]["uri"].as_str().expect("uri");
            assert!(head_files.contains(&uri), "{uri} is not a file of head: {r}");
        }
    }
    // A finding with no file points at the config, which is a file of this repository ...
    let uri = |r: &Value| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].clone();
    assert!(results.iter().any(|r| uri(r) == "shipgate.toml"));
    // ... and at nothing when the config is not one (built-in detection, or --config from elsewhere).
    let mut elsewhere = o.clone();
    elsewhere.config_in_repo = false;
    let v2: Value = serde_json::from_str(&report::render(Format::Sarif, &elsewhere, Style::default())).expect("JSON");
    let results2 = v2["runs"][0]["results"].as_array().expect("results");
    assert!(results2.iter().any(|r| r.get("locations").is_none()), "a finding with no file gets no location");
    assert!(results2.iter().all(|r| uri(r) != "shipgate.toml"));
    assert!(validator.is_valid(&v2));
    assert!(run["automationDetails"]["id"].as_str().is_some_and(|id| id.starts_with("shipgate/check/")));

    // Annotations: at most 10 per kind, then one notice with the count.
    let gh = report::render(Format::Github, &o, Style::default());
    for kind in ["::error ", "::warning ", "::notice file"] {
        assert!(gh.lines().filter(|l| l.starts_with(kind)).count() <= 10, "{kind}");
    }
    assert!(
        gh.lines()
            .any(|l| l.starts_with("::notice title=shipgate::") && l.contains("more finding(s) are not annotated"))
    );
}

#[test]
fn sarif_names_the_origin_without_credentials_and_the_head_commit() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let revs = demo(tmp.path());
    git(tmp.path(), &["config", "remote.origin.url", "https://bot:s3cret@github.com/acme/weather.git"]);
    let out = check(tmp.path(), &revs).args(["--format", "sarif"]).output().expect("runs");
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let vcp = &v["runs"][0]["versionControlProvenance"][0];
    assert_eq!(vcp["repositoryUri"], "https://github.com/acme/weather.git");
    assert_eq!(vcp["revisionId"].as_str().map(str::len), Some(40));
    assert!(!String::from_utf8_lossy(&out.stdout).contains("s3cret"));
}
