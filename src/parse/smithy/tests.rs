use super::*;

fn model(json: &str) -> Model {
    parse("test.json", json.as_bytes()).expect("valid model")
}

#[test]
fn parses_members_in_order_with_lines_and_defaults() {
    let m = model(
        r#"{
  "smithy": "2.0",
  "metadata": {"k": [1]},
  "shapes": {
    "ns#S": {
      "type": "structure",
      "members": {
        "z": {"target": "smithy.api#String"},
        "a": {"target": "ns#E", "traits": {"smithy.api#required": {}}}
      }
    },
    "ns#E": {"type": "enum", "members": {"A": {"target": "smithy.api#Unit"}}},
    "ns#Op": {"type": "operation", "input": {"target": "ns#S"}},
    "ns#Svc": {"type": "service", "version": "1", "operations": [{"target": "ns#Op"}]}
  }
}"#,
    );
    let s = m.shape("ns#S").expect("defined");
    assert_eq!(s.members.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(), ["z", "a"]);
    assert_eq!(m.line_of("ns#S"), Some(5));
    assert_eq!(m.line_of("ns#S$a"), Some(9));
    assert_eq!(m.services(), ["ns#Svc"]);
    let op = m.shape("ns#Op").expect("defined");
    assert_eq!((op.input.as_str(), op.output.as_str()), ("ns#S", UNIT));
    let e = m.shape("ns#E").expect("defined");
    assert_eq!(e.members[0].traits.get("smithy.api#enumValue").and_then(|n| n.as_str()), Some("A"));
    assert!(m.metadata.contains_key("k"));
}

#[test]
fn resolves_mixins_and_apply() {
    let m = model(
        r#"{"smithy": "2.0", "shapes": {
    "ns#M": {"type": "structure", "members": {"a": {"target": "smithy.api#String"}},
             "traits": {"smithy.api#mixin": {"localTraits": ["smithy.api#internal"]}, "smithy.api#internal": {}, "smithy.api#sensitive": {}}},
    "ns#S": {"type": "structure", "mixins": [{"target": "ns#M"}],
             "members": {"b": {"target": "smithy.api#String"}, "a": {"target": "smithy.api#String", "traits": {"smithy.api#required": {}}}}},
    "ns#S$b": {"type": "apply", "traits": {"smithy.api#documentation": "doc"}},
    "ns#S$a": {"type": "apply", "traits": {"smithy.api#documentation": "inherited"}}
}}"#,
    );
    let s = m.shape("ns#S").expect("defined");
    assert_eq!(s.members.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(), ["a", "b"]);
    assert!(
        s.traits.has("smithy.api#sensitive")
            && !s.traits.has("smithy.api#internal")
            && !s.traits.has("smithy.api#mixin")
    );
    assert!(s.members[0].traits.has("smithy.api#required") && s.members[0].traits.has("smithy.api#documentation"));
    assert!(s.members[1].traits.has("smithy.api#documentation"));
}

#[test]
fn version_1_models_and_sets_parse() {
    let m =
        model(r#"{"smithy": "1.0", "shapes": {"ns#L": {"type": "set", "member": {"target": "smithy.api#String"}}}}"#);
    assert_eq!(m.shape("ns#L").expect("defined").kind, ShapeType::Set);
}

#[test]
fn errors_point_at_line_and_column() {
    let err = parse("m.json", b"{\n  \"smithy\": \"2.0\",\n  \"shapes\": {\"ns#A\": {\"type\": \"nope\"}}\n}")
        .expect_err("invalid");
    let SmithyError::Model { span, message, .. } = &err else { panic!("model error expected: {err:?}") };
    assert!(message.contains("nope"), "{message}");
    assert_eq!(span.offset(), 2 + 18 + 2 + 20 + 1);
    let rendered = format!("{:?}", miette::Report::new(err));
    assert!(rendered.contains("m.json:3:"), "{rendered}");
}

/// Regression: malformed input of every kind is an error, never a panic.
#[test]
fn malformed_inputs_are_errors_not_panics() {
    let good = br#"{"smithy":"2.0","metadata":{"suppressions":[{"id":"X","namespace":"*"}]},"shapes":{"ns#S":{"type":"structure","mixins":[{"target":"ns#M"}],"members":{"a":{"target":"ns#M"}}},"ns#M":{"type":"structure","members":{},"traits":{"smithy.api#mixin":{}}},"ns#S$a":{"type":"apply","traits":{"smithy.api#documentation":"x"}}}}"#;
    assert!(parse("ok.json", good).is_ok());
    for cut in 0..good.len() {
        let _ = parse("cut.json", &good[..cut]);
        let mut garbled = good.to_vec();
        garbled[cut] = garbled[cut].wrapping_add(1);
        let _ = parse("garbled.json", &garbled);
        let mut dropped = good.to_vec();
        dropped.remove(cut);
        let _ = parse("dropped.json", &dropped);
    }
    for bad in [
        &br#"{"smithy":"2.0","shapes":{"ns#S":{"type":"structure","mixins":[{"target":"ns#S"}]}}}"#[..],
        br#"{"smithy":"2.0","shapes":{"ns#S":{"type":"structure","members":[]}}}"#,
        br#"{"smithy":"2.0","shapes":{"S":{"type":"string"}}}"#,
        br#"{"smithy":"9.0","shapes":{}}"#,
        br#"{"smithy":2,"shapes":{}}"#,
        br#"[]"#,
        b"\xff\xfe",
    ] {
        assert!(parse("bad.json", bad).is_err(), "{}", String::from_utf8_lossy(bad));
    }
    let deep = format!("{{\"smithy\":\"2.0\",\"metadata\":{{\"x\":{}1{}}}}}", "[".repeat(5000), "]".repeat(5000));
    assert!(parse("deep.json", deep.as_bytes()).is_err());
}

#[test]
fn detection_is_cheap_and_right() {
    assert!(looks_like_smithy(br#" {"smithy": "2.0", "metadata": {"a": [1, {"b": "}"}]}, "shapes": {}}"#));
    assert!(!looks_like_smithy(br#"{"name": "pkg", "version": "1.0.0"}"#));
    assert!(!looks_like_smithy(br#"{"smithy": "2.0"}"#));
    assert!(!looks_like_smithy(b"[1,2]"));
    assert!(!looks_like_smithy(b""));
    assert!(looks_like_smithy(
        br#"  {"metadata": {"shapes": 1}, "shapes": {"a#B": {"type": "string"}}, "smithy": "1.0"}"#
    ));
    assert!(!looks_like_smithy(br#"{"metadata": {"smithy": 1, "shapes": 2}}"#));
    assert!(!looks_like_smithy(b"{\"smithy"));
    assert!(!looks_like_smithy(br#"{"a": "x\"smithy\"", "b": ["shapes"]}"#));
}

// smithy-rs's `s3-tests.smithy` applies test traits to shapes of `s3.json`: read alone, the file
// is a model (Smithy builds it and smithy-diff reports nothing), not an InvalidModel; a member a
// shape of this file lacks is still an error.
#[test]
fn apply_to_a_shape_of_another_file_is_not_an_error() {
    let other =
        br#"{"smithy": "2.0", "shapes": {"ns#Local": {"type": "apply", "traits": {"smithy.api#documentation": "x"}}}}"#;
    assert!(parse("t.json", other).is_ok_and(|m| m.shapes.is_empty()));
    let missing_member = br#"{"smithy": "2.0", "shapes": {
        "ns#S": {"type": "structure", "members": {}},
        "ns#S$nope": {"type": "apply", "traits": {"smithy.api#documentation": "x"}}}}"#;
    assert!(parse("t.json", missing_member).is_err());
}
