//! The Smithy parser and differ never panic and never hang, whatever the bytes: a deterministic
//! mutation run over the fixture models (the same mutations on every machine, so a failure
//! reproduces), plus hand-picked hostile inputs. `fuzz/` holds the cargo-fuzz target for longer,
//! coverage-guided runs.
use shipgate::parse::smithy::parse;
use shipgate::rules::model::diff;
use std::path::Path;

/// xorshift64*: a tiny seeded generator, so the run is the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const TOKENS: &[&[u8]] = &[
    b"{",
    b"}",
    b"[",
    b"]",
    b":",
    b",",
    b"\"",
    b"\\",
    b"null",
    b"true",
    b"1e999",
    b"-0",
    b"\"\\ud800\"",
    b"\"smithy.api#String\"",
    b"\"target\"",
    b"\"mixins\"",
    b"\"members\"",
    b"\"type\"",
    b"\"structure\"",
    b"\"apply\"",
    b"\"shapes\"",
    b"\xff\xfe",
    b"\x00",
];

fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut b = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(b.len());
        match rng.below(6) {
            0 => {
                if let Some(x) = b.get_mut(at) {
                    *x ^= 1 << rng.below(8);
                }
            }
            1 => {
                let end = (at + rng.below(64)).min(b.len());
                b.drain(at..end);
            }
            2 => {
                let t = TOKENS[rng.below(TOKENS.len())];
                b.splice(at..at, t.iter().copied());
            }
            3 => b.truncate(at),
            4 => {
                let end = (at + rng.below(256)).min(b.len());
                let chunk = b[at..end].to_vec();
                let to = rng.below(b.len());
                b.splice(to..to, chunk);
            }
            _ => {
                // Swap one quoted word for another: keeps the JSON valid, breaks the model.
                let t = TOKENS[13 + rng.below(7)];
                if let Some(q) = b[at..].iter().position(|&c| c == b'"') {
                    let s = at + q;
                    if let Some(e) = b[s + 1..].iter().position(|&c| c == b'"') {
                        b.splice(s..s + e + 2, t.iter().copied());
                    }
                }
            }
        }
    }
    b
}

#[test]
fn mutated_models_parse_or_fail_cleanly() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/smithy");
    let mut seeds = Vec::new();
    for case in ["changed-enum", "mixins", "changed-operation-io", "added-entity-binding"] {
        for side in ["old", "new"] {
            seeds.push(std::fs::read(root.join(case).join(format!("{side}.json"))).expect("fixture"));
        }
    }
    let mut rng = Rng(0x5eed_cafe_f00d_d00d);
    let (mut ok, mut err) = (0, 0);
    for round in 0..1500 {
        let seed = &seeds[round % seeds.len()];
        let original = parse("seed.json", seed).expect("seed parses");
        let input = mutate(&mut rng, seed);
        match parse("mutated.json", &input) {
            Ok(model) => {
                ok += 1;
                // Whatever parsed must diff against the original, both ways, without panicking.
                let _ = diff(&original, &model);
                let _ = diff(&model, &original);
                assert!(diff(&model, &model).findings.is_empty(), "a model differs from itself: round {round}");
            }
            Err(e) => {
                err += 1;
                let text = e.to_string();
                assert!(text.starts_with("mutated.json"), "errors name the file: {text}");
            }
        }
    }
    // Both outcomes must occur, or the mutations are not exercising anything.
    assert!(ok > 25 && err > 50, "ok {ok}, err {err}");
}

#[test]
fn hostile_inputs_are_errors() {
    let deep_array = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let deep_trait = format!(
        r#"{{"smithy":"2.0","shapes":{{"a#B":{{"type":"string","traits":{{"a#t":{}1{}}}}}}}}}"#,
        "[".repeat(5_000),
        "]".repeat(5_000)
    );
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", vec![]),
        ("deep array", deep_array.into_bytes()),
        ("deep trait value", deep_trait.into_bytes()),
        ("not an object", b"[1,2,3]".to_vec()),
        ("shapes is an array", br#"{"smithy":"2.0","shapes":[]}"#.to_vec()),
        ("members is a string", br#"{"smithy":"2.0","shapes":{"a#B":{"type":"structure","members":"x"}}}"#.to_vec()),
        ("target is a number", br#"{"smithy":"2.0","shapes":{"a#B":{"type":"list","member":{"target":1}}}}"#.to_vec()),
        ("unknown shape type", br#"{"smithy":"2.0","shapes":{"a#B":{"type":"tuple"}}}"#.to_vec()),
        ("bad shape id", br#"{"smithy":"2.0","shapes":{"no-namespace":{"type":"string"}}}"#.to_vec()),
        ("unknown version", br#"{"smithy":"9.0","shapes":{}}"#.to_vec()),
        ("invalid utf-8", b"{\"smithy\":\"2.0\",\"shapes\":{\"a#\xff\":{\"type\":\"string\"}}}".to_vec()),
        ("lone surrogate", br#"{"smithy":"2.0","metadata":{"k":"\ud800"},"shapes":{}}"#.to_vec()),
        (
            "mixin cycle",
            br#"{"smithy":"2.0","shapes":{
                "a#A":{"type":"structure","mixins":[{"target":"a#B"}],"members":{},"traits":{"smithy.api#mixin":{}}},
                "a#B":{"type":"structure","mixins":[{"target":"a#A"}],"members":{},"traits":{"smithy.api#mixin":{}}}}}"#
                .to_vec(),
        ),
        ("trailing garbage", br#"{"smithy":"2.0","shapes":{}} x"#.to_vec()),
        // Found by cargo-fuzz: a trait definition whose id is not a shape id was accepted, and
        // the model then differed from itself.
        (
            "namespace with `$`",
            br#"{"smithy":"2.0","shapes":{"a#Foo":{"type":"string","traits":{"a#t":{"x":"1"}}},
                "$$a#t":{"type":"structure","members":{"x":{"target":"smithy.api#String"}},
                "traits":{"smithy.api#trait":{}}}}}"#
                .to_vec(),
        ),
        ("name starting with a digit", br#"{"smithy":"2.0","shapes":{"a#1B":{"type":"string"}}}"#.to_vec()),
        ("empty namespace segment", br#"{"smithy":"2.0","shapes":{"a..b#B":{"type":"string"}}}"#.to_vec()),
        ("underscore then digit is a valid name", br#"{"smithy":"2.0","shapes":{"a#_3rd":{"type":"string"}}}"#.to_vec()),
    ];
    for (what, bytes) in cases {
        // Some of these are tolerated (an unknown version may still be readable); none may
        // panic, and errors must say where.
        if let Err(e) = parse("hostile.json", &bytes) {
            assert!(e.to_string().starts_with("hostile.json"), "{what}: {e}");
        } else {
            assert!(
                !matches!(
                    what,
                    "empty"
                        | "deep array"
                        | "deep trait value"
                        | "not an object"
                        | "trailing garbage"
                        | "bad shape id"
                        | "namespace with `$`"
                        | "name starting with a digit"
                        | "empty namespace segment"
                ),
                "{what} must be rejected"
            );
        }
    }
}

#[test]
fn shape_ids_follow_smithys_identifier_grammar() {
    let model = |id: &str| format!(r#"{{"smithy":"2.0","shapes":{{"{id}":{{"type":"string"}}}}}}"#);
    for ok in ["a#B", "com.amazonaws.s3#Bucket", "a#_3rd", "a_b.c#__X1"] {
        assert!(parse("ids.json", model(ok).as_bytes()).is_ok(), "{ok} is a valid shape id");
    }
    for bad in ["a#1B", "$a#B", "a..b#B", "a#B-C", "a#", "#B", "a#_", "é#B", "a#B$c", "a#B$1"] {
        let err = parse("ids.json", model(bad).as_bytes()).expect_err(bad).to_string();
        assert!(err.contains("is not an absolute shape id"), "{bad}: {err}");
    }
}

/// Found by cargo-fuzz (`fuzz/regressions`): a shape defined under a member-style id
/// (`ns#G$etX`) was accepted, and the model then differed from itself. Only `apply` names members.
#[test]
fn members_are_named_only_by_apply() {
    let applied = br#"{"smithy":"2.0","shapes":{
        "a#S":{"type":"structure","members":{"m":{"target":"smithy.api#String"}}},
        "a#S$m":{"type":"apply","traits":{"smithy.api#documentation":"applied"}}}}"#;
    let model = parse("apply.json", applied).expect("apply may name a member");
    assert!(diff(&model, &model).findings.is_empty());
    let defined = br#"{"smithy":"2.0","shapes":{"a#G$etX":{"type":"structure","members":{}}}}"#;
    let err = parse("member.json", defined).expect_err("a shape cannot be defined as a member").to_string();
    assert!(err.contains("is not an absolute shape id"), "{err}");
    let target = br#"{"smithy":"2.0","shapes":{"a#L":{"type":"list","member":{"target":"a#S$m"}}}}"#;
    assert!(parse("target.json", target).is_err(), "a target is a shape, not a member");
}

/// Found by cargo-fuzz: a structure with two `token` members made a model differ from itself.
/// Duplicate keys are ambiguous (JSON readers disagree on which value wins), so they are errors
/// that point at the second key, in small objects and in large ones alike.
#[test]
fn duplicate_keys_are_errors_with_a_location() {
    let small = br#"{"smithy":"2.0","shapes":{"a#S":{"type":"structure","members":{
        "token":{"target":"smithy.api#String"},
        "token":{"target":"smithy.api#Integer"}}}}}"#;
    let err = parse("dup.json", small).expect_err("duplicate member");
    assert!(err.to_string().contains("duplicate key `token`"), "{err}");
    let at = miette::Diagnostic::labels(&err).and_then(|mut l| l.next()).map(|l| l.offset());
    let second = small.windows(7).rposition(|w| w == b"\"token\"");
    assert_eq!(at, second, "the error points at the second key");
    let mut shapes: Vec<String> = (0..40).map(|i| format!(r#""a#S{i}":{{"type":"string"}}"#)).collect();
    shapes.push(r#""a#S7":{"type":"integer"}"#.to_string());
    let large = format!(r#"{{"smithy":"2.0","shapes":{{{}}}}}"#, shapes.join(","));
    let err = parse("dup.json", large.as_bytes()).expect_err("duplicate shape").to_string();
    assert!(err.contains("duplicate key `a#S7`"), "{err}");
    shapes.pop();
    let fine = format!(r#"{{"smithy":"2.0","shapes":{{{}}}}}"#, shapes.join(","));
    assert!(parse("ok.json", fine.as_bytes()).is_ok());
}
