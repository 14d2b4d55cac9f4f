use super::ALL;
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

fn ids(old: &Model, new: &Model) -> Vec<(String, Severity)> {
    diff(old, new).findings.iter().map(|f| (f.id.clone(), f.severity)).collect()
}

fn string_enum(values: &[&str]) -> Model {
    let list: Vec<String> =
        values.iter().map(|v| format!(r#"{{"value": "{v}", "name": "{}"}}"#, v.to_uppercase())).collect();
    model(&format!(r#""ns#E": {{"type": "string", "traits": {{"smithy.api#enum": [{}]}}}}"#, list.join(",")))
}

// Two values inserted before the end: both are OrderChanged ERRORs (smithy-diff moves the end of
// the old values with each insertion); ids carry the position (index for removals).
#[test]
fn enum_insertions_and_removals_carry_positions() {
    let got = ids(&string_enum(&["a", "b", "c"]), &string_enum(&["a", "x", "y", "b", "z"]));
    assert_eq!(
        got,
        [
            ("ChangedEnumTrait.OrderChanged.1".to_string(), Severity::Error),
            ("ChangedEnumTrait.OrderChanged.2".to_string(), Severity::Error),
            ("ChangedEnumTrait.Removed.2".to_string(), Severity::Error),
            ("ChangedEnumTrait.Appended.4".to_string(), Severity::Note),
        ]
    );
}

// The retargeted member's new target lowers a length limit: smithy-diff's full rule set on the
// targets makes that an ERROR (ChangedLengthTrait), not a "backward compatible" WARNING.
#[test]
fn changed_member_target_runs_every_rule_on_the_targets() {
    let shapes = |target: &str| {
        model(&format!(
            r#""ns#S": {{"type": "structure", "members": {{"a": {{"target": "{target}"}}}}}},
               "ns#Long": {{"type": "string", "traits": {{"smithy.api#length": {{"max": 2048}}}}}},
               "ns#Short": {{"type": "string", "traits": {{"smithy.api#length": {{"max": 1024}}}}}}"#
        ))
    };
    let d = diff(&shapes("ns#Long"), &shapes("ns#Short"));
    let f = d.findings.iter().find(|f| f.id == "ChangedMemberTarget").expect("a ChangedMemberTarget event");
    assert_eq!(f.severity, Severity::Error, "{}", f.message);
    assert!(f.message.contains("- [ERROR]"), "{}", f.message);
}

// `smithy.api#examples` is a set in Smithy (ExamplesTrait.equals): reordering examples is no change.
#[test]
fn reordered_examples_are_not_a_change() {
    let op = |examples: &str| {
        model(&format!(r#""ns#Op": {{"type": "operation", "traits": {{"smithy.api#examples": [{examples}]}}}}"#))
    };
    let (a, b) = (r#"{"title": "one", "input": {"x": 1}}"#, r#"{"title": "two"}"#);
    assert!(diff(&op(&format!("{a},{b}")), &op(&format!("{b},{a}"))).findings.is_empty());
    assert!(!diff(&op(&format!("{a},{b}")), &op(a)).findings.is_empty());
}

// Model-level events have no subject in smithy-diff; two keys stay two fingerprints.
#[test]
fn metadata_events_have_no_subject() {
    let old = parse("t.json", br#"{"smithy": "2.0", "metadata": {"a": 1, "b": 2}, "shapes": {}}"#).expect("valid");
    let new = parse("t.json", br#"{"smithy": "2.0", "shapes": {}}"#).expect("valid");
    let d = diff(&old, &new);
    assert_eq!(d.findings.len(), 2);
    assert!(d.findings.iter().all(|f| f.subject.is_empty()));
    assert_ne!(d.findings[0].fingerprint, d.findings[1].fingerprint);
}

// Issue 13 item 8: `smithy.api#enum` replaced by a value that is not a list. Smithy cannot create
// the trait, so smithy-diff sees it removed: TraitBreakingChange.Remove, an ERROR.
#[test]
fn an_enum_trait_that_is_not_a_list_is_removed() {
    let old = model(r#""ns#E": {"type": "string", "traits": {"smithy.api#enum": [{"value": "a"}]}}"#);
    for value in [r#""x""#, "1", "{}"] {
        let new = model(&format!(r#""ns#E": {{"type": "string", "traits": {{"smithy.api#enum": {value}}}}}"#));
        let got = ids(&old, &new);
        assert_eq!(got, [("TraitBreakingChange.Remove.smithy.api#enum".to_string(), Severity::Error)], "{value}");
    }
}

/// A structure whose members only moved down the file (a shape inserted above it) is not changed
/// (issue 16 class 8: shape counts count semantic changes only).
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

// ChangedNullability ids of smithy-diff 1.73.0: a required structure member is a WARNING
// (`AddedRequiredTrait.StructureOrUnion`); a default changed to null is `AddedNullDefault`.
#[test]
fn nullability_ids_follow_smithy_diff_1_73() {
    let s = |traits: &str, target: &str| {
        model(&format!(
            r#""ns#S": {{"type": "structure", "members": {{"a": {{"target": "{target}", "traits": {{{traits}}}}}}}}},
               "ns#T": {{"type": "structure", "members": {{}}}}"#
        ))
    };
    let got = ids(&s("", "ns#T"), &s(r#""smithy.api#required": {}"#, "ns#T"));
    assert_eq!(got, [("ChangedNullability.AddedRequiredTrait.StructureOrUnion".to_string(), Severity::Warning)]);
    let got = ids(
        &s(r#""smithy.api#default": "x""#, "smithy.api#String"),
        &s(r#""smithy.api#default": null"#, "smithy.api#String"),
    );
    // As the reference reports it (smithy-diff 1.73.0, checked): three events.
    let want = [
        ("ChangedNullability.AddedNullDefault", Severity::Error),
        ("ChangedDefault", Severity::Danger),
        ("ModifiedTrait.Update.smithy.api#default", Severity::Note),
    ];
    assert_eq!(got, want.map(|(id, s)| (id.to_string(), s)));
}

// Regression: one real `@documentation` update quoted 3.2 MB in its message; a message now quotes
// at most QUOTE_LIMIT characters of each value, and the whole values stay in `change`.
#[test]
fn messages_quote_long_trait_values_clipped_and_keep_them_whole_in_change() {
    let (long_old, long_new) = ("é".repeat(2_000), format!("{}!", "é".repeat(2_000)));
    let doc = |d: &str| format!(r#""ns#S": {{"type": "string", "traits": {{"smithy.api#documentation": "{d}"}}}}"#);
    let d = diff(&model(&doc(&long_old)), &model(&doc(&long_new)));
    let f = d.findings.iter().find(|f| f.id == "ModifiedTrait.Update.smithy.api#documentation").expect("update");
    assert!(f.message.chars().count() < 2 * QUOTE_LIMIT + 300, "{} characters", f.message.chars().count());
    assert!(f.message.contains("… (1500 more characters; the full value is in the finding's change)"), "{}", f.message);
    let change = f.change.as_ref().expect("change");
    assert_eq!(
        (change.old.len(), change.new.len()),
        (long_old.len() + 2, long_new.len() + 2),
        "whole, as JSON strings"
    );
    // A removed long value is clipped too, and kept whole as the change's old side.
    let d = diff(&model(&doc(&long_old)), &model(r#""ns#S": {"type": "string"}"#));
    let f = d.findings.iter().find(|f| f.id == "ModifiedTrait.Remove.smithy.api#documentation").expect("remove");
    assert!(f.message.contains("… (1500 more characters"), "{}", f.message);
    assert_eq!(f.change.as_ref().map(|c| (c.old.len(), c.new.len())), Some((long_old.len() + 2, 0)));
    // Short values are quoted whole and carry no change on add or remove, as before.
    let d = diff(&model(&doc("short")), &model(r#""ns#S": {"type": "string"}"#));
    let f = d.findings.iter().find(|f| f.id == "ModifiedTrait.Remove.smithy.api#documentation").expect("remove");
    assert!(f.message.ends_with("Previous trait value: `short`"), "{}", f.message);
    assert!(f.change.is_none());
}

// Regression: numbers were compared as f64, so an intEnum value past 2^64, a default past 2^53
// and range/length bounds past 2^53 changed without a finding.
#[test]
fn numbers_past_double_precision_are_compared_exactly() {
    let shapes = |value: &str, default: &str, bound: &str| {
        model(&format!(
            r#""ns#E": {{"type": "intEnum", "members": {{"A": {{"target": "smithy.api#Unit", "traits": {{"smithy.api#enumValue": {value}}}}}}}}},
               "ns#S": {{"type": "structure", "members": {{"n": {{"target": "ns#L", "traits": {{"smithy.api#default": {default}}}}}}}}},
               "ns#L": {{"type": "long", "traits": {{"smithy.api#range": {{"max": {bound}}}}}}},
               "ns#T": {{"type": "string", "traits": {{"smithy.api#length": {{"max": {bound}}}}}}}"#
        ))
    };
    let old = shapes("18446744073709551617", "9007199254740993", "9007199254740993");
    let new = shapes("18446744073709551616", "9007199254740992", "9007199254740992");
    let found = ids(&old, &new);
    let has = |prefix: &str, shape: &str| {
        diff(&old, &new).findings.iter().any(|f| f.id.starts_with(prefix) && f.subject.starts_with(shape))
    };
    assert!(has("ChangedRangeTrait", "ns#L"), "{found:?}");
    assert!(has("ChangedLengthTrait", "ns#T"), "{found:?}");
    assert!(has("ChangedDefault", "ns#S$n"), "{found:?}");
    assert!(found.iter().any(|(id, _)| id.contains("enumValue")), "{found:?}");
    // The same values written differently are not a change.
    let same = shapes("18446744073709551617", "9007199254740993.0", "90071992547409930e-1");
    assert!(ids(&old, &same).is_empty(), "{:?}", ids(&old, &same));
}
