//! Byte-identical outputs across optimisations: every fixture model pair (`fixtures/smithy`) plus
//! a larger generated pair (hundreds of shapes, every kind of change, a long trait value) in one
//! repository, and `diff`, `check` and `report` rendered in every format. The snapshot holds the
//! SHA-256 and size of each output, so any byte that changes fails here; the readable snapshots
//! of the same findings are in `smithy_fixtures` and `reports`. A change that is a named bug fix
//! or behaviour updates this snapshot in its own commit (`INSTA_UPDATE=always`); a speed-up never
//! does. `SHIPGATE_OUTPUTS_DIR=DIR` also writes every output there, to diff two builds' outputs
//! (`SHIPGATE_TEST_BIN` runs another build).
mod common;

use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use shipgate::source::fixture::FixtureRepo;
use std::path::Path;

/// The binary under test; `SHIPGATE_TEST_BIN` runs another build (how the digests were first
/// recorded: with the release binary from before the optimisations).
fn shipgate() -> assert_cmd::Command {
    match std::env::var_os("SHIPGATE_TEST_BIN") {
        Some(bin) => {
            let mut cmd = assert_cmd::Command::new(bin);
            cmd.env("NO_COLOR", "1");
            cmd
        }
        None => common::shipgate(),
    }
}

/// A generated model of `n` structures, operations and enums; `head` applies the edits.
fn generated(n: usize, head: bool) -> String {
    let ns = "example.generated";
    let mut shapes = Map::new();
    let ops: Vec<Value> =
        (0..n / 10).filter(|i| !(head && i % 7 == 3)).map(|i| json!({ "target": format!("{ns}#Op{i}") })).collect();
    shapes.insert(
        format!("{ns}#Service"),
        json!({ "type": "service", "version": "2026-01-01", "operations": ops,
                "traits": { "smithy.api#documentation": if head { "The service, revised." } else { "The service." } } }),
    );
    for i in 0..n / 10 {
        let mut op = json!({ "type": "operation", "input": { "target": format!("{ns}#Thing{i:04}") } });
        if head && i % 5 == 1 {
            op["errors"] = json!([{ "target": format!("{ns}#Failure") }]);
        }
        shapes.insert(format!("{ns}#Op{i}"), op);
    }
    shapes.insert(
        format!("{ns}#Failure"),
        json!({ "type": "structure", "members": {}, "traits": { "smithy.api#error": "client" } }),
    );
    // A trait value far longer than a message should quote.
    let long: String = (0..120).map(|i| format!("Sentence {i} of a long description. ")).collect();
    for i in 0..n {
        if head && i % 11 == 5 {
            continue; // removed
        }
        let mut name = json!({ "target": "smithy.api#String" });
        if head && i % 13 == 2 {
            name["traits"] = json!({ "smithy.api#required": {} });
        }
        let doc = match (i % 17, head) {
            (0, false) => long.clone(),
            (0, true) => format!("{long} And one more."),
            (4, true) => format!("Thing {i}, documented anew."),
            _ => format!("Thing {i}."),
        };
        let max = if head && i % 19 == 7 { 10 } else { 100 };
        shapes.insert(
            format!("{ns}#Thing{i:04}"),
            json!({ "type": "structure",
                    "traits": { "smithy.api#documentation": doc },
                    "members": {
                        "name": name,
                        "size": { "target": "smithy.api#Integer", "traits": { "smithy.api#range": { "min": 0, "max": max } } },
                        "kind": { "target": if head && i % 23 == 9 { "smithy.api#Integer" } else { "smithy.api#String" } } } }),
        );
    }
    for i in 0..n / 20 {
        let mut members = Map::new();
        for v in ["A", "B", "C"] {
            if head && i % 3 == 0 && v == "B" {
                continue;
            }
            members.insert(v.into(), json!({ "target": "smithy.api#Unit", "traits": { "smithy.api#enumValue": v } }));
        }
        if head && i % 3 == 1 {
            members
                .insert("D".into(), json!({ "target": "smithy.api#Unit", "traits": { "smithy.api#enumValue": "D" } }));
        }
        shapes.insert(format!("{ns}#Kind{i}"), json!({ "type": "enum", "members": members }));
    }
    for i in 0..(if head { n / 25 } else { 0 }) {
        shapes.insert(format!("{ns}#Added{i}"), json!({ "type": "string" }));
    }
    serde_json::to_string_pretty(&json!({ "smithy": "2.0", "shapes": Value::Object(shapes) })).expect("JSON") + "\n"
}

/// Base: every fixture's `old.json` and the generated base; head: the `new.json`s and the
/// generated head (branch `main`, tag `base`).
fn fixture(dir: &Path) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/smithy");
    let mut cases: Vec<_> = std::fs::read_dir(&root).expect("fixtures/smithy").flatten().map(|e| e.path()).collect();
    cases.retain(|p| p.is_dir());
    cases.sort();
    assert!(cases.len() >= 20, "fixture pairs missing");
    let mut r = FixtureRepo::init(dir).expect("init");
    let write = |r: &mut FixtureRepo, side: &str, generated_model: String| {
        for case in &cases {
            let name = case.file_name().expect("name").to_string_lossy();
            // Each pair in its own namespace: a snapshot's models are assembled per namespace,
            // and the pairs all define `example.weather`.
            let bytes = std::fs::read(case.join(format!("{side}.json"))).expect("read");
            let ns = format!("\"example.{}#", name.replace('-', "_"));
            let bytes = String::from_utf8(bytes).expect("UTF-8").replace("\"example.weather#", &ns);
            r.write(&format!("models/{name}.json"), bytes);
        }
        r.write("models/generated.json", generated_model);
    };
    write(&mut r, "old", generated(400, false));
    let base = r.commit("base").expect("commit");
    r.tag("base", base).expect("tag");
    write(&mut r, "new", generated(400, true));
    r.commit("head").expect("commit");
}

fn redact(s: &[u8], dir: &Path) -> Vec<u8> {
    let digest = shipgate::rules::catalog::digest();
    String::from_utf8_lossy(s)
        .replace(&digest, "[rules-digest]")
        .replace(&digest[..12], "[rules-digest]")
        .replace(env!("CARGO_PKG_VERSION"), "[version]")
        .replace(&dir.display().to_string(), "[dir]")
        .into_bytes()
}

#[test]
fn every_format_of_every_command_is_byte_identical_to_its_recorded_digest() {
    // A fixed directory name: reports name the repository after its directory.
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("outputs-identical");
    fixture(&dir);
    let table = outputs(&dir, &[]);
    insta::assert_snapshot!("digests", table);
    // Models diffed in batches (every unit one plan would not prune, a changed shape or so per
    // batch) and read in full give the same bytes.
    let batched = [("SHIPGATE_BATCHED_FROM", "0"), ("SHIPGATE_BATCH_BYTES", "1")];
    assert_eq!(outputs(&dir, &batched), table, "diffs in batches differ");
    assert_eq!(outputs(&dir, &[("SHIPGATE_PRUNE", "off")]), table, "full reads differ");
}

/// The digest table of every command in every format, with these environment variables set.
fn outputs(dir: &Path, env: &[(&str, &str)]) -> String {
    let mut table = String::new();
    for command in ["diff", "check", "report"] {
        for format in ["json", "md", "sarif", "html", "table", "github"] {
            if command == "report" && !["json", "md", "html"].contains(&format) {
                continue;
            }
            let mut args = vec![command, "--repo", ".", "--base", "base", "--head", "main", "--date", "2026-11-22"];
            if command != "diff" {
                args.extend(["--mainline", "main"]);
            }
            args.extend(["--format", format]);
            let out = shipgate().current_dir(dir).args(&args).envs(env.iter().copied()).output().expect("runs");
            assert!(
                matches!(out.status.code(), Some(0 | 1)),
                "{command} {format}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let bytes = redact(&out.stdout, dir);
            assert!(bytes.len() > 1_000, "{command} {format}: {} bytes is too little output", bytes.len());
            if let Some(keep) = std::env::var_os("SHIPGATE_OUTPUTS_DIR").filter(|_| env.is_empty()) {
                // To review a change of digest: run once per build into two directories and diff.
                std::fs::create_dir_all(&keep).expect("SHIPGATE_OUTPUTS_DIR");
                std::fs::write(Path::new(&keep).join(format!("{command}.{format}")), &bytes).expect("write");
            }
            let hash = hex::encode(Sha256::digest(&bytes));
            table.push_str(&format!("{command:<7} {format:<7} {:>9} bytes  sha256 {hash}\n", bytes.len()));
        }
    }
    table
}
