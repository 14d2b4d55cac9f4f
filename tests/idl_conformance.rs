//! Smithy IDL conformance: Smithy's own loader cases under `fixtures/conformance/smithy-idl/`
//! (see its MANIFEST.md), matched as Smithy's runner matches them:
//!
//! * `valid/**/X.smithy` beside `X.json`: the IDL file, assembled with `valid/__shared.json`,
//!   gives the same model as the JSON AST file (same shapes, members in order with the same
//!   targets and traits, same metadata; key order in objects does not count). A `.smithy` with
//!   no `.json` must still parse.
//! * `invalid/**/X.smithy`: rejected; when the first-line comment names `line L, column C`, the
//!   error is at that line and column.
//!
//! Every failing case is listed; the test fails if any case fails.
use shipgate::parse::smithy::{Model, Shape, SmithyError, idl, parse};
use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/conformance/smithy-idl")
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir).expect("fixture dir").map(|e| e.expect("entry").path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|e| e == "smithy") {
            out.push(p);
        }
    }
}

/// What differs between two shapes, ignoring lines; empty when equal.
fn shape_diff(a: &Shape, b: &Shape) -> Vec<String> {
    let mut out = Vec::new();
    let names = |s: &Shape| s.members.iter().map(|m| m.name.clone()).collect::<Vec<_>>();
    if names(a) != names(b) {
        out.push(format!("members {:?} vs {:?}", names(a), names(b)));
    }
    for (x, y) in a.members.iter().zip(&b.members) {
        if x.target != y.target {
            out.push(format!("${}: target {} vs {}", x.name, x.target, y.target));
        }
        if x.traits != y.traits {
            out.push(format!("${}: traits {:?} vs {:?}", x.name, x.traits, y.traits));
        }
    }
    let mut a2 = a.clone();
    let mut b2 = b.clone();
    a2.members.clear();
    b2.members.clear();
    if !a2.same_as(&b2) {
        out.push(format!("{a2:?}\n   vs {b2:?}"));
    }
    out
}

fn model_diff(idl: &Model, json: &Model) -> Vec<String> {
    let mut out = Vec::new();
    for id in json.shapes.keys().filter(|k| !idl.shapes.contains_key(*k)) {
        out.push(format!("missing from the IDL model: {id}"));
    }
    for id in idl.shapes.keys().filter(|k| !json.shapes.contains_key(*k)) {
        out.push(format!("only in the IDL model: {id}"));
    }
    for (id, s) in &idl.shapes {
        if let Some(j) = json.shapes.get(id) {
            out.extend(shape_diff(s, j).into_iter().map(|d| format!("{id}: {d}")));
        }
    }
    if idl.metadata != json.metadata {
        out.push(format!("metadata {:?} vs {:?}", idl.metadata, json.metadata));
    }
    out
}

/// `line L, column C` from the case's first-line comment.
fn stated_position(text: &str) -> Option<(usize, usize)> {
    let first = text.lines().next()?;
    let rest = &first[first.find("at line ")? + "at line ".len()..];
    let (line, rest) = rest.split_once(", column ")?;
    let column: String = rest.chars().take_while(char::is_ascii_digit).collect();
    Some((line.trim().parse().ok()?, column.parse().ok()?))
}

#[test]
fn smithy_idl_loader_cases() {
    let shared_text = fs::read(root().join("valid/__shared.json")).expect("shared");
    let shared = parse("__shared.json", &shared_text).expect("shared parses");
    let mut failures = Vec::new();

    let mut valid = Vec::new();
    files(&root().join("valid"), &mut valid);
    let (mut pairs, mut pairs_ok, mut alone, mut alone_ok) = (0, 0, 0, 0);
    for path in &valid {
        let name = path.strip_prefix(root()).expect("under root").display().to_string();
        let bytes = fs::read(path).expect("case");
        let json_path = path.with_extension("json");
        let parsed = idl::parse_with(&name, &bytes, &shared);
        if !json_path.exists() {
            alone += 1;
            match parsed {
                Ok(_) => alone_ok += 1,
                Err(e) => failures.push(format!("{name}: valid file rejected: {e}")),
            }
            continue;
        }
        pairs += 1;
        let json = parse(&json_path.display().to_string(), &fs::read(&json_path).expect("json")).expect("JSON parses");
        match parsed {
            Err(e) => failures.push(format!("{name}: valid file rejected: {e}")),
            Ok(m) => {
                let d = model_diff(&m, &json);
                if d.is_empty() {
                    pairs_ok += 1;
                } else {
                    failures.push(format!("{name}: differs from its JSON:\n  {}", d.join("\n  ")));
                }
            }
        }
    }

    let mut invalid = Vec::new();
    files(&root().join("invalid"), &mut invalid);
    let (mut rejected, mut positioned, mut positioned_ok) = (0, 0, 0);
    for path in &invalid {
        let name = path.strip_prefix(root()).expect("under root").display().to_string();
        let bytes = fs::read(path).expect("case");
        let text = String::from_utf8_lossy(&bytes);
        let stated = stated_position(&text);
        positioned += usize::from(stated.is_some());
        match idl::parse_with(&name, &bytes, &shared) {
            Ok(_) => failures.push(format!("{name}: accepted; expected {}", text.lines().next().unwrap_or(""))),
            Err(e) => {
                rejected += 1;
                let SmithyError::Idl { line, column, .. } = &e else {
                    failures.push(format!("{name}: not an IDL error: {e}"));
                    continue;
                };
                match stated {
                    Some(pos) if pos != (*line, *column) => failures.push(format!(
                        "{name}: rejected at {line}:{column}, expected {}:{} ({})\n  ours: {}",
                        pos.0,
                        pos.1,
                        text.lines().next().unwrap_or(""),
                        e
                    )),
                    Some(_) => positioned_ok += 1,
                    None => {}
                }
            }
        }
    }
    eprintln!(
        "valid: {pairs_ok}/{pairs} give their JSON's model, {alone_ok}/{alone} without JSON parse; \
         invalid: {rejected}/{} rejected, {positioned_ok}/{positioned} at the stated line and column",
        invalid.len()
    );
    assert_eq!((pairs, invalid.len()), (62, 181), "the fixture set is complete");
    assert!(failures.is_empty(), "{} failing cases:\n{}", failures.len(), failures.join("\n"));
}
