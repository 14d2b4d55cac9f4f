//! Model identity by content (issue 16 classes 5, 6 and 8; issue 12's assembly): a snapshot's
//! model files are assembled as Smithy assembles a directory, so what matters is the shapes, not
//! which file holds them. Each test builds a repository with a base and a head commit and runs
//! the real binary's `diff`.
mod common;

use common::*;
use serde_json::Value;
use shipgate::source::fixture::FixtureRepo;

/// A small JSON AST service: `ns.x#Svc` with one operation and its input.
fn service(ns: &str) -> Value {
    serde_json::json!({
        format!("{ns}#Svc"): {"type": "service", "version": "1", "operations": [{"target": format!("{ns}#Get")}]},
        format!("{ns}#Get"): {"type": "operation", "input": {"target": format!("{ns}#GetInput")}},
        format!("{ns}#GetInput"): {"type": "structure", "members": {
            "id": {"target": "smithy.api#String", "traits": {"smithy.api#required": {}}},
            "size": {"target": format!("{ns}#Size")}
        }},
        format!("{ns}#Size"): {"type": "integer"}
    })
}

fn model(shapes: &Value) -> String {
    serde_json::to_string_pretty(&serde_json::json!({"smithy": "2.0", "shapes": shapes})).expect("JSON")
}

/// Only the shapes of `shapes` whose id is in `ids`.
fn only(shapes: &Value, ids: &[&str]) -> Value {
    let map = shapes.as_object().expect("object");
    Value::Object(map.iter().filter(|(k, _)| ids.contains(&k.as_str())).map(|(k, v)| (k.clone(), v.clone())).collect())
}

/// A repository whose `v1` tag has `base` and whose `main` has `head` (path → content; a path
/// missing from `head` is removed).
fn repo(dir: &std::path::Path, base: &[(&str, String)], head: &[(&str, String)]) -> FixtureRepo {
    let mut r = FixtureRepo::init(dir).expect("init");
    for (p, c) in base {
        r.write(p, c);
    }
    let b = r.commit("release").expect("commit");
    r.tag("v1", b).expect("tag");
    for (p, _) in base {
        if !head.iter().any(|(h, _)| h == p) {
            r.remove(p);
        }
    }
    for (p, c) in head {
        r.write(p, c);
    }
    r.commit("candidate").expect("commit");
    r
}

fn report(dir: &std::path::Path) -> Value {
    diff_v1_main_json(dir)
}

fn findings(v: &Value) -> Vec<Value> {
    v["findings"].as_array().expect("findings").clone()
}

fn line_of(text: &str, needle: &str) -> u64 {
    text.lines().position(|l| l.contains(needle)).unwrap_or_else(|| panic!("{needle} in the text")) as u64 + 1
}

// Class 5: a model file renamed (same content, new path) was every shape removed and added.
#[test]
fn a_renamed_model_file_is_no_shape_change() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let text = model(&service("ns.x"));
    let r = repo(tmp.path(), &[("models/old-name.json", text.clone())], &[("models/new-name.json", text)]);
    let v = report(&r.dir);
    assert_eq!(findings(&v), Vec::<Value>::new(), "a rename is no change");
    let models = v["models"].as_array().expect("models");
    assert_eq!(models.len(), 2, "both files are listed: {models:#?}");
    for m in models {
        assert_eq!(m["shapes"], serde_json::json!({"added": 0, "removed": 0, "changed": 0}), "{m}");
    }
    let renamed = models.iter().find(|m| m["path"] == "models/new-name.json").expect("the new file");
    assert_eq!(renamed["services"], serde_json::json!(["ns.x#Svc"]));
}

// Class 5: a model file split in two gave a RemovedShape error for every shape that moved.
#[test]
fn a_split_model_file_is_no_shape_change_and_findings_point_at_the_new_file() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let shapes = service("ns.x");
    let mut moved = only(&shapes, &["ns.x#GetInput", "ns.x#Size"]);
    // One real change in the moved part: the input gains a required member.
    moved["ns.x#GetInput"]["members"]["tail"] =
        serde_json::json!({"target": "smithy.api#String", "traits": {"smithy.api#required": {}}});
    let moved_text = model(&moved);
    let r = repo(
        tmp.path(),
        &[("models/x.json", model(&shapes))],
        &[
            ("models/x.json", model(&only(&shapes, &["ns.x#Svc", "ns.x#Get"]))),
            ("models/x-types.json", moved_text.clone()),
        ],
    );
    let v = report(&r.dir);
    let found = findings(&v);
    let rules: Vec<&str> = found.iter().map(|f| f["id"].as_str().expect("id")).collect();
    assert_eq!(rules, ["AddedRequiredMember", "AddedShape"], "only the real change: {found:#?}");
    for f in &found {
        assert_eq!(f["path"], "models/x-types.json", "where the shape is now: {f}");
        assert_eq!(f["line"].as_u64(), Some(line_of(&moved_text, "\"tail\"")));
    }
    let counts = |path: &str| {
        v["models"].as_array().expect("models").iter().find(|m| m["path"] == path).expect("listed")["shapes"].clone()
    };
    assert_eq!(counts("models/x.json"), serde_json::json!({"added": 0, "removed": 0, "changed": 0}));
    assert_eq!(counts("models/x-types.json"), serde_json::json!({"added": 0, "removed": 0, "changed": 1}));
}

// A shape removed while its file is split points at the file it was in at base.
#[test]
fn a_removed_shape_points_at_its_base_file() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let shapes = service("ns.x");
    let base_text = model(&shapes);
    let r = repo(
        tmp.path(),
        &[("models/x.json", base_text.clone())],
        &[
            ("models/x.json", model(&only(&shapes, &["ns.x#Svc", "ns.x#Get"]))),
            ("models/x-types.json", model(&only(&shapes, &["ns.x#GetInput"]))),
        ],
    );
    let found = findings(&report(&r.dir));
    let removed = found.iter().find(|f| f["rule"] == "RemovedShape").unwrap_or_else(|| panic!("{found:#?}"));
    assert_eq!(removed["subject"], "ns.x#Size");
    assert_eq!(
        (removed["path"].as_str(), removed["line"].as_u64()),
        (Some("models/x.json"), Some(line_of(&base_text, "\"ns.x#Size\": {")))
    );
}

// Class 8: a shape inserted at the top of a file leaves every shape below it unchanged.
#[test]
fn shapes_below_an_insertion_are_not_counted_as_changed() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let shapes = service("ns.x");
    let base = model(&shapes);
    let head =
        base.replacen("\"shapes\": {", "\"shapes\": {\n    \"ns.x#Aaa\": {\n      \"type\": \"string\"\n    },", 1);
    let r = repo(tmp.path(), &[("m.json", base)], &[("m.json", head)]);
    let v = report(&r.dir);
    assert_eq!(v["models"][0]["shapes"], serde_json::json!({"added": 1, "removed": 0, "changed": 0}));
}

/// The bundled `aws.api#service` trait definition and the prelude's `smithy.api#required`, as a
/// model file carries its copies of them (`fixtures/smithy-copies/copies.json`).
fn bundled_copies(changed_docs: bool) -> Value {
    let copies: Value =
        serde_json::from_str(include_str!("../fixtures/smithy-copies/copies.json")).expect("fixture JSON");
    let mut copies = copies["shapes"].clone();
    if changed_docs {
        copies["aws.api#service"]["traits"]["smithy.api#documentation"] =
            Value::String("An older copy's documentation.".into());
    }
    copies
}

fn with(mut shapes: Value, more: &Value) -> Value {
    for (k, v) in more.as_object().expect("object") {
        shapes[k] = v.clone();
    }
    shapes
}

// Class 6: a bulk update that drops (or adds) a model's copies of bundled trait definitions gave
// RemovedShape / RemovedTraitDefinition errors; smithy-diff, which loads the trait libraries on
// both sides, reports nothing for identical copies.
#[test]
fn identical_copies_of_bundled_trait_definitions_added_or_dropped_are_no_change() {
    let shapes = service("ns.x");
    let copies = with(shapes.clone(), &bundled_copies(false));
    for (base, head) in [(&copies, &shapes), (&shapes, &copies)] {
        let tmp = tempfile::tempdir().expect("tempdir");
        let r = repo(tmp.path(), &[("m.json", model(base))], &[("m.json", model(head))]);
        let v = report(&r.dir);
        assert_eq!(findings(&v), Vec::<Value>::new());
        assert_eq!(v["models"][0]["shapes"], serde_json::json!({"added": 0, "removed": 0, "changed": 0}));
    }
}

// Class 6, a copy that differs from the bundled definition: smithy-diff 1.73.0 keeps the copy's
// traits on the library's shape, so dropping the copy is one ModifiedTrait note on it (measured:
// `ModifiedTrait.Update.smithy.api#documentation`, NOTE), never a removal.
#[test]
fn a_dropped_copy_that_differed_is_the_note_smithy_diff_reports() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let shapes = service("ns.x");
    let base = model(&with(shapes.clone(), &bundled_copies(true)));
    let r = repo(tmp.path(), &[("m.json", base.clone())], &[("m.json", model(&shapes))]);
    let found = findings(&report(&r.dir));
    let ids: Vec<(&str, &str, &str)> = found
        .iter()
        .map(|f| (f["id"].as_str().unwrap(), f["subject"].as_str().unwrap(), f["severity"].as_str().unwrap()))
        .collect();
    assert_eq!(ids, [("ModifiedTrait.Update.smithy.api#documentation", "aws.api#service", "note")]);
    assert_eq!(found[0]["path"], "m.json");
    assert_eq!(found[0]["line"].as_u64(), Some(line_of(&base, "\"aws.api#service\"")), "where the copy was");
}

const SHAPES_IDL: &str = r#"$version: "2"
namespace ns.idl

use ns.common#Region

@mixin
structure Paged {
    nextToken: String
}

structure ListInput with [Paged] {
    region: Region
}
"#;

const COMMON_IDL: &str = r#"$version: "2"
namespace ns.common

string Region
"#;

const SERVICE_IDL: &str = r#"$version: "2"
namespace ns.idl

service Lister {
    operations: [List]
}

operation List {
    input: ListInput
}

structure ListOutput with [Paged] {
    $nextToken
}

apply ListInput$nextToken @documentation("Where the previous page ended.")
"#;

// Issue 12: `apply`, mixins, elided members and `use` across `.smithy` files. Each file alone
// is not a model (the elided `$nextToken` comes from another file's mixin; `apply` targets
// another file's shape); assembled they are, and a change to one file's `apply` is a change to
// the shape another file defines, found at that shape.
#[test]
fn apply_use_and_mixins_resolve_across_idl_files() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let head_service = SERVICE_IDL.replace("@documentation(\"Where the previous page ended.\")", "@required");
    let head_common = COMMON_IDL.replace("string Region", "integer Region");
    let r = repo(
        tmp.path(),
        &[
            ("model/shapes.smithy", SHAPES_IDL.to_string()),
            ("model/common.smithy", COMMON_IDL.to_string()),
            ("model/service.smithy", SERVICE_IDL.to_string()),
        ],
        &[
            ("model/shapes.smithy", SHAPES_IDL.to_string()),
            ("model/common.smithy", head_common),
            ("model/service.smithy", head_service),
        ],
    );
    let found = findings(&report(&r.dir));
    assert!(found.iter().all(|f| f["rule"] != "InvalidModel"), "the files assemble: {found:#?}");
    let at = |id: &str, subject: &str| {
        found
            .iter()
            .find(|f| f["id"] == id && f["subject"] == subject)
            .unwrap_or_else(|| panic!("{id} on {subject}: {found:#?}"))
    };
    let required = at("ChangedNullability.AddedRequiredTrait", "ns.idl#ListInput$nextToken");
    assert_eq!(required["path"], "model/shapes.smithy", "the member is defined (through its mixin) there");
    let type_changed = at("ChangedShapeType", "ns.common#Region");
    assert_eq!((type_changed["path"].as_str(), type_changed["line"].as_u64()), (Some("model/common.smithy"), Some(4)));
}

// Two files that define one shape differently: Smithy rejects the directory; the finding names
// both files.
#[test]
fn one_shape_defined_differently_in_two_files_is_an_invalid_model_naming_both() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let shapes = service("ns.x");
    let mut other = only(&shapes, &["ns.x#Size"]);
    other["ns.x#Size"]["type"] = Value::String("long".into());
    let r = repo(tmp.path(), &[("a.json", model(&shapes))], &[("a.json", model(&shapes)), ("b.json", model(&other))]);
    let found = findings(&report(&r.dir));
    let invalid = found.iter().find(|f| f["rule"] == "InvalidModel").unwrap_or_else(|| panic!("{found:#?}"));
    let message = invalid["message"].as_str().expect("message");
    assert!(message.contains("`ns.x#Size`") && message.contains("a.json:") && message.contains("b.json:"), "{message}");
    assert_eq!(invalid["severity"], "error");
}

// A JSON file that is not a Smithy model under a models glob (sdk-endpoints.json beside the
// models) is not read as one: the glob narrows where models are, content decides (issue 16). It
// does not keep the real models next to it from being assembled either.
#[test]
fn a_non_model_json_under_the_glob_is_not_a_model() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let shapes = service("ns.x");
    let config = "[models]\nsmithy = [\"models/*.json\"]\n".to_string();
    let endpoints = r#"{"partitions": [], "version": 3}"#.to_string();
    let r = repo(
        tmp.path(),
        &[
            ("shipgate.toml", config.clone()),
            ("models/x.json", model(&shapes)),
            ("models/endpoints.json", endpoints.clone()),
        ],
        &[
            ("shipgate.toml", config),
            ("models/x-renamed.json", model(&shapes)),
            ("models/endpoints.json", endpoints.replace('3', "4")),
        ],
    );
    let found = findings(&report(&r.dir));
    // Nothing: the renamed model is the same model, and endpoints.json is no model at all.
    assert!(found.is_empty(), "{found:#?}");
}

// Issue 12: a Smithy 1.0 model and its 2.0 rewrite are the same model once 1.0 is upgraded as
// Smithy's loader upgrades it (zero defaults for primitive numbers and booleans, `@box` as a
// null default); smithy-diff 1.73.0 reports nothing between `fixtures/smithy-upgrade/v1.json`
// and `v2.json`, either way. Before the upgrade every primitive member was a nullability change.
#[test]
fn a_smithy_1_model_diffs_equal_to_its_2_0_rewrite() {
    use shipgate::parse::smithy::parse_file;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/smithy-upgrade");
    let read = |name: &str| {
        let bytes = std::fs::read(dir.join(name)).expect("fixture");
        parse_file(name, &bytes).unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    let v2 = read("v2.json");
    for v1 in ["v1.json", "v1.smithy"] {
        let v1 = read(v1);
        for (a, b) in [(&v1, &v2), (&v2, &v1)] {
            let found = shipgate::rules::model::diff(a, b);
            let ids: Vec<&str> = found.findings.iter().map(|f| f.id.as_str()).collect();
            assert_eq!(ids, Vec::<&str>::new());
            assert!(found.shapes_changed.is_empty(), "{:?}", found.shapes_changed);
        }
        let s = &v1.shapes["ns#S"];
        let default = |m: &str| s.member(m).and_then(|m| m.traits.get("smithy.api#default")).cloned();
        use shipgate::parse::json::Node;
        assert_eq!(default("a"), Some(Node::Number("0".into())), "a primitive member defaults to zero");
        assert_eq!(default("b"), None, "the prelude's Integer is boxed");
        assert_eq!(default("e"), Some(Node::Null), "a boxed member defaults to null");
        assert_eq!(default("f"), Some(Node::String(String::new())), "a streaming blob defaults to empty");
    }
}
