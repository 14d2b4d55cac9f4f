//! `.smithy` models end to end through the real binary: detected without a config, narrowed by
//! a `[models] smithy` glob, diffed with findings at the `.smithy` file and line, and a broken
//! IDL file reported with its line and column.
mod common;

use common::*;
use shipgate::source::fixture::FixtureRepo;

const BASE: &str = r#"$version: "2.0"

namespace example.weather

service Weather {
    version: "2024-01-01"
    operations: [GetForecast, ListCities]
}

@readonly
operation GetForecast {
    input := {
        @required
        city: String
    }
    output := {
        days: Integer
    }
}

@readonly
operation ListCities {
    output := {
        names: Names
    }
}

list Names {
    member: String
}
"#;

/// The model at head: ListCities removed, a required member added to GetForecast's input.
fn head_model() -> String {
    BASE.replace("operations: [GetForecast, ListCities]", "operations: [GetForecast]")
        .replace("@readonly\noperation ListCities {\n    output := {\n        names: Names\n    }\n}\n\n", "")
        .replace("        city: String\n", "        city: String\n\n        @required\n        country: String\n")
}

fn repo(dir: &std::path::Path, config: Option<&str>) -> FixtureRepo {
    let mut r = FixtureRepo::init(dir).expect("init");
    r.write("model/weather.smithy", BASE);
    if let Some(c) = config {
        r.write("shipgate.toml", c);
    }
    let base = r.commit("release").expect("commit");
    r.tag("v1", base).expect("tag");
    r.write("model/weather.smithy", head_model());
    r.commit("candidate").expect("commit");
    r
}

fn line_of(text: &str, needle: &str) -> u64 {
    text.lines().position(|l| l.contains(needle)).expect("present") as u64 + 1
}

fn findings(dir: &std::path::Path) -> Vec<serde_json::Value> {
    diff_v1_main_json(dir)["findings"].as_array().expect("findings").clone()
}

#[test]
fn smithy_files_are_models_and_findings_point_at_their_lines() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let r = repo(tmp.path(), None);
    let found = findings(&r.dir);
    let head = head_model();
    let removed = found
        .iter()
        .find(|f| f["rule"] == "RemovedShape" && f["subject"] == "example.weather#ListCities")
        .unwrap_or_else(|| panic!("RemovedShape for ListCities: {found:#?}"));
    assert_eq!(removed["path"], "model/weather.smithy");
    // A removed shape points into base, at its statement.
    assert_eq!(removed["line"].as_u64(), Some(line_of(BASE, "operation ListCities")));
    let added = found
        .iter()
        .find(|f| f["rule"] == "AddedRequiredMember")
        .unwrap_or_else(|| panic!("AddedRequiredMember: {found:#?}"));
    assert_eq!(added["path"], "model/weather.smithy");
    assert_eq!(added["line"].as_u64(), Some(line_of(&head, "country: String")));
}

#[test]
fn a_models_glob_narrows_smithy_files_as_it_does_json() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let r = repo(tmp.path(), Some("[models]\nsmithy = [\"model/*.smithy\"]\n"));
    assert!(findings(&r.dir).iter().any(|f| f["rule"] == "RemovedShape"), "the glob names the model");
    let tmp = tempfile::tempdir().expect("tempdir");
    let r = repo(tmp.path(), Some("[models]\nsmithy = [\"other/*.json\"]\n"));
    assert!(findings(&r.dir).iter().all(|f| f["path"] != "model/weather.smithy"), "the glob leaves it out");
}

#[test]
fn a_broken_smithy_file_is_an_invalid_model_with_line_and_column() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut r = FixtureRepo::init(tmp.path()).expect("init");
    r.write("model/weather.smithy", BASE);
    let base = r.commit("release").expect("commit");
    r.tag("v1", base).expect("tag");
    r.write("model/weather.smithy", BASE.replace("member: String", "member String"));
    r.commit("candidate").expect("commit");
    let found = findings(&r.dir);
    let invalid =
        found.iter().find(|f| f["rule"] == "InvalidModel").unwrap_or_else(|| panic!("InvalidModel: {found:#?}"));
    let line = line_of(BASE, "member: String");
    assert_eq!(invalid["line"].as_u64(), Some(line));
    let message = invalid["message"].as_str().expect("message");
    assert!(
        message.starts_with(&format!(
            "model/weather.smithy:{line}:12: Expected COLON(':') but found IDENTIFIER('String')"
        )),
        "{message}"
    );
}
