//! The IDL reader never panics and never hangs, whatever the bytes: a deterministic mutation
//! run over Smithy's own IDL loader cases and a real model (the same mutations on every machine,
//! so a failure reproduces), plus hand-picked hostile inputs. Every model that parses diffs
//! against itself with no events. `fuzz/` holds the cargo-fuzz target for longer runs.
use shipgate::parse::smithy::idl::parse;
use shipgate::rules::model::diff;
use std::path::{Path, PathBuf};

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
    b"(",
    b")",
    b":",
    b":=",
    b"=",
    b",",
    b"\"",
    b"\"\"\"",
    b"\\",
    b"$",
    b"#",
    b"@",
    b".",
    b"\n",
    b" ",
    b"//",
    b"///",
    b"with [",
    b"for ",
    b"apply ",
    b"use a#B\n",
    b"@mixin\n",
    b"@required\n",
    b"structure S {}\n",
    b"@trait\nstructure t {}\n",
    b"null",
    b"true",
    b"-",
    b"1e",
    b"\\u12",
    b"\xff\xfe",
    b"\x00",
    b"\r",
    b"smithy.api#String",
    b"$version: \"1.0\"\n",
];

fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut b = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(b.len());
        match rng.below(5) {
            0 => {
                if let Some(x) = b.get_mut(at) {
                    *x ^= 1 << rng.below(8);
                }
            }
            1 => {
                let end = (at + rng.below(32)).min(b.len());
                b.drain(at..end);
            }
            2 => {
                let t = TOKENS[rng.below(TOKENS.len())];
                b.splice(at..at, t.iter().copied());
            }
            3 => b.truncate(at.max(b.len() / 2)),
            _ => {
                let end = (at + rng.below(200)).min(b.len());
                let chunk = b[at..end].to_vec();
                let to = rng.below(b.len());
                b.splice(to..to, chunk);
            }
        }
    }
    b
}

fn seeds() -> Vec<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut paths: Vec<PathBuf> = Vec::new();
    let valid = root.join("conformance/smithy-idl/valid");
    for sub in ["", "mixins", "inline-io", "enums", "apply", "operations"] {
        let dir = valid.join(sub);
        let mut here: Vec<PathBuf> = std::fs::read_dir(&dir)
            .expect("fixture dir")
            .filter_map(|e| Some(e.ok()?.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "smithy"))
            .collect();
        here.sort();
        paths.extend(here);
    }
    paths.push(root.join("idl/aws/eks-auth.smithy"));
    paths.iter().map(|p| std::fs::read(p).expect("seed")).collect()
}

#[test]
fn mutated_idl_models_parse_or_fail_cleanly() {
    let seeds = seeds();
    let mut rng = Rng(0x1d1_5eed_cafe_f00d);
    let (mut ok, mut err) = (0, 0);
    for round in 0..1500 {
        let seed = &seeds[round % seeds.len()];
        let input = mutate(&mut rng, seed);
        match parse("mutated.smithy", &input) {
            Ok(model) => {
                ok += 1;
                if let Ok(original) = parse("seed.smithy", seed) {
                    let _ = diff(&original, &model);
                    let _ = diff(&model, &original);
                }
                assert!(diff(&model, &model).findings.is_empty(), "a model differs from itself: round {round}");
            }
            Err(e) => {
                err += 1;
                let text = e.to_string();
                assert!(text.starts_with("mutated.smithy"), "errors name the file: {text}");
            }
        }
    }
    assert!(ok > 100 && err > 200, "ok {ok}, err {err}");
}

#[test]
fn hostile_idl_inputs_are_errors() {
    let ns = "$version: \"2.0\"\nnamespace a.b\n";
    let mixin_chain: String = (0..5_000)
        .map(|i| format!("@mixin\nstructure M{i} with [M{}] {{}}\n", i + 1))
        .chain(std::iter::once("@mixin\nstructure M5000 {}\n".to_string()))
        .collect();
    let diamond: String = (0..60)
        .map(|i| {
            format!(
                "@mixin\nstructure D{i} with [D{} E{}] {{ x: String }}\n@mixin\nstructure E{i} with [D{} E{}] {{}}\n",
                i + 1,
                i + 1,
                i + 1,
                i + 1
            )
        })
        .chain(std::iter::once("@mixin\nstructure D60 {}\n@mixin\nstructure E60 {}\n".to_string()))
        .collect();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "deep array",
            format!("{ns}@tags({}\"a\"{})\nstring S\n", "[".repeat(100_000), "]".repeat(100_000)).into_bytes(),
        ),
        ("deep object", format!("{ns}@x({}\n", "{a: ".repeat(100_000)).into_bytes()),
        ("deep metadata", format!("metadata m = {}\n", "[".repeat(100_000)).into_bytes()),
        ("long mixin chain", format!("{ns}{mixin_chain}").into_bytes()),
        (
            "mixin cycle",
            format!("{ns}@mixin\nstructure A with [B] {{}}\n@mixin\nstructure B with [A] {{}}\n").into_bytes(),
        ),
        ("unterminated text block", format!("{ns}@documentation(\"\"\"\n  x\n").into_bytes()),
        ("lone slash", format!("{ns}/ string S\n").into_bytes()),
        (
            "invalid utf-8",
            format!("{ns}@documentation(\"\u{0}\")\n")
                .into_bytes()
                .into_iter()
                .chain(*b"\xff\xfe string S\n")
                .collect(),
        ),
        ("only a version", b"$version: \"2.0\"".to_vec()),
        ("unknown version", b"$version: \"3.0\"\n".to_vec()),
        ("member outside a shape", format!("{ns}member: String\n").into_bytes()),
    ];
    for (what, bytes) in cases {
        if let Err(e) = parse("hostile.smithy", &bytes) {
            assert!(e.to_string().starts_with("hostile.smithy"), "{what}: {e}");
        } else {
            assert!(
                !matches!(what, "deep array" | "deep object" | "deep metadata" | "mixin cycle" | "long mixin chain"),
                "{what} must be rejected"
            );
        }
    }
    // A diamond of mixins 60 levels deep: one visit per shape, not one per path.
    let start = std::time::Instant::now();
    let _ = parse("diamond.smithy", format!("{ns}{diamond}").as_bytes());
    assert!(start.elapsed().as_secs() < 10, "a mixin diamond is resolved in linear time");
}
