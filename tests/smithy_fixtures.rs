//! Per-evaluator model pairs (`fixtures/smithy/<case>/{old,new}.json`, written by
//! `fixtures/smithy/make_fixtures.py`): the events of each pair are snapshot-tested, and a model
//! compared with itself gives no events at all.
mod common;

use shipgate::finding::Finding;
use shipgate::parse::smithy::{Model, parse};
use shipgate::rules::model::diff;
use std::path::{Path, PathBuf};

fn cases() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/smithy");
    let mut cases: Vec<PathBuf> =
        std::fs::read_dir(&root).expect("fixtures/smithy").flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect();
    cases.sort();
    cases
}

fn load(case: &Path, side: &str) -> Model {
    let name = case.file_name().expect("name").to_string_lossy();
    let path = format!("{name}/{side}.json");
    let bytes = std::fs::read(case.join(format!("{side}.json"))).expect("fixture file");
    parse(&path, &bytes).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// One event per line, as a reviewer reads them: severity, id, subject, location, message, and
/// the text change when the finding carries one.
fn render(findings: &[Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        let at = match (&f.path, f.line) {
            (Some(p), Some(l)) => format!("{p}:{l}"),
            (Some(p), None) => p.clone(),
            _ => "-".into(),
        };
        out.push_str(&format!("[{}] {} {} @ {}\n    {}\n", f.severity.as_str(), f.id, f.subject, at, f.message));
        if let Some(c) = &f.change {
            out.push_str(&format!("    old: {}\n    new: {}\n", c.old, c.new));
        }
    }
    out
}

#[test]
fn every_fixture_pair_matches_its_snapshot() {
    let cases = cases();
    assert!(cases.len() >= 20, "fixture pairs missing: run python3 fixtures/smithy/make_fixtures.py");
    for case in &cases {
        let name = case.file_name().expect("name").to_string_lossy().into_owned();
        let (old, new) = (load(case, "old"), load(case, "new"));
        let events = diff(&old, &new).findings;
        assert!(!events.is_empty(), "{name}: the pair should produce at least one event");
        common::assert_declared(&name, &events);
        insta::assert_snapshot!(format!("smithy_{name}"), render(&events));
    }
}

#[test]
fn a_model_compared_with_itself_has_no_events() {
    for case in cases() {
        for side in ["old", "new"] {
            let (a, b) = (load(&case, side), load(&case, side));
            let events = diff(&a, &b).findings;
            assert!(events.is_empty(), "{}/{side}.json against itself:\n{}", case.display(), render(&events));
        }
    }
}

/// Every model evaluator (and event family) of the registry fires on some fixture pair of
/// `fixtures/smithy` or `fixtures/conformance`: a rule no fixture exercises is untested.
#[test]
fn every_model_rule_fires_on_some_fixture_pair() {
    use shipgate::rules::registry::{Emitter, MODEL_FAMILIES, NEVER_EMITS, all};
    let mut fired = std::collections::BTreeSet::new();
    for case in cases() {
        let (old, new) = (load(&case, "old"), load(&case, "new"));
        fired.extend(diff(&old, &new).findings.into_iter().map(|f| f.rule));
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/conformance");
    for entry in walkdir::WalkDir::new(&root).sort_by_file_name().into_iter().flatten() {
        let p = entry.path();
        if p.file_name().is_some_and(|n| n == "a.json") && p.with_file_name("b.json").is_file() {
            let read = |n: &str| {
                let path = p.with_file_name(n);
                parse(&path.display().to_string(), &std::fs::read(&path).expect("fixture")).ok()
            };
            if let (Some(a), Some(b)) = (read("a.json"), read("b.json")) {
                fired.extend(diff(&a, &b).findings.into_iter().map(|f| f.rule));
            }
        }
    }
    // An evaluator that emits families fires when one of its families does.
    let fires = |id: &str| {
        fired.contains(id)
            || MODEL_FAMILIES.iter().any(|(family, evaluator)| *evaluator == id && fired.contains(*family))
    };
    let missing: Vec<&str> = all()
        .into_iter()
        .filter(|(_, e)| matches!(e, Emitter::Model(_) | Emitter::ModelFamily { .. }))
        .map(|(id, _)| id)
        .filter(|id| !fires(id) && !NEVER_EMITS.iter().any(|(n, _)| n == id))
        .collect();
    assert!(missing.is_empty(), "model rules no fixture pair fires: {missing:?}");
}
