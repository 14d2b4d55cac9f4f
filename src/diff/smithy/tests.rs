use super::evaluators::ALL;
use super::*;
use crate::parse::smithy::parse;
use crate::rules::catalog;

#[test]
fn every_evaluator_and_event_family_has_a_model_rule_file() {
    let families =
        ["AddedOperationBinding", "AddedResourceBinding", "RemovedOperationBinding", "RemovedResourceBinding"];
    for id in ALL.iter().map(|(id, _)| *id).chain(families) {
        let meta = catalog::get(id).unwrap_or_else(|| panic!("rules/{id}.toml is missing"));
        assert_eq!(meta.category, catalog::Category::Model, "{id}");
    }
}

fn model(shapes: &str) -> Model {
    parse("t.json", format!(r#"{{"smithy": "2.0", "shapes": {{{shapes}}}}}"#).as_bytes()).expect("valid")
}

#[test]
fn suppressions_and_overrides_follow_smithy() {
    let old = model(r#""ns#S": {"type": "structure", "members": {"a": {"target": "smithy.api#String"}}}"#);
    let new = parse(
        "t.json",
        br#"{"smithy": "2.0", "metadata": {
            "suppressions": [{"id": "ChangedNullability", "namespace": "*", "reason": "ok"}, {"id": "AddedShape", "namespace": "ns", "reason": "fine"}],
            "severityOverrides": [{"id": "ModifiedTrait", "namespace": "ns", "severity": "DANGER"}]},
          "shapes": {"ns#S": {"type": "structure", "members": {"a": {"target": "smithy.api#String", "traits": {"smithy.api#required": {}, "smithy.api#since": "1"}}, "b": {"target": "smithy.api#String"}}}}}"#,
    )
    .expect("valid");
    let d = diff(&old, &new);
    let get = |id: &str| d.findings.iter().find(|f| f.id == id).unwrap_or_else(|| panic!("{id} in {:#?}", d.findings));
    // ERROR events cannot be suppressed.
    assert_eq!(get("ChangedNullability.AddedRequiredTrait").severity, Severity::Error);
    let added = get("AddedShape");
    assert_eq!((added.severity, added.suppression.as_deref()), (Severity::Suppressed, Some("fine")));
    assert_eq!(get("ModifiedTrait.Add.smithy.api#since").severity, Severity::Danger);
    assert_eq!(added.line, Some(4));
    assert_eq!(d.shapes_changed, ["ns#S"]);
}

#[test]
fn identical_models_give_no_findings() {
    let m = model(r#""ns#S": {"type": "structure", "members": {"a": {"target": "smithy.api#String"}}}"#);
    assert!(diff(&m, &m).findings.is_empty());
}

/// A structure whose members only moved down the file (a shape inserted above it) is not changed.
#[test]
fn shapes_that_only_moved_are_not_changed() {
    let s = r#""ns#S": {"type": "structure", "members": {"a": {"target": "smithy.api#String"}}}"#;
    let old = model(s);
    let new = parse(
        "t.json",
        format!("{{\"smithy\": \"2.0\", \"shapes\": {{\n\"ns#A\": {{\"type\": \"string\"}},\n\n\n{s}}}}}").as_bytes(),
    )
    .expect("valid");
    assert_ne!(old.shapes["ns#S"].members[0].line, new.shapes["ns#S"].members[0].line, "the member moved");
    let d = diff(&old, &new);
    assert_eq!(d.shapes_added, vec!["ns#A".to_string()]);
    assert!(d.shapes_changed.is_empty(), "{:?}", d.shapes_changed);
}
