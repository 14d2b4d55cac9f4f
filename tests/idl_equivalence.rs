//! The same real model in JSON AST and in the IDL (converted by Smithy's own serializer, see
//! `fixtures/idl/README.md`) is the same model: no diff events either way, the same shapes,
//! members, targets and traits; and a real model update gives the same events from the IDL as
//! from the JSON.
use shipgate::parse::smithy::{Model, idl, parse};
use shipgate::rules::model::diff;
use std::fs;
use std::path::{Path, PathBuf};

fn dir(sub: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/idl").join(sub)
}

fn load(path: &Path) -> Model {
    let bytes = fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let name = path.display().to_string();
    let parsed = if name.ends_with(".smithy") { idl::parse(&name, &bytes) } else { parse(&name, &bytes) };
    parsed.unwrap_or_else(|e| panic!("{name} parses: {e:?}"))
}

/// Events as comparable strings (rule id, severity, subject, message), sorted.
fn events(old: &Model, new: &Model) -> Vec<String> {
    let mut out: Vec<String> = diff(old, new)
        .findings
        .iter()
        .map(|f| format!("{} {:?} {} {}", f.id, f.severity, f.subject, f.message))
        .collect();
    out.sort();
    out
}

#[test]
fn aws_models_in_json_and_idl_are_the_same_model() {
    let mut names: Vec<String> = fs::read_dir(dir("aws"))
        .expect("fixtures")
        .filter_map(|e| e.ok()?.file_name().to_str()?.strip_suffix(".json").map(str::to_string))
        .collect();
    names.sort();
    assert!(names.len() >= 20, "at least 20 models, found {}", names.len());
    let mut failures = Vec::new();
    for name in &names {
        let json = load(&dir("aws").join(format!("{name}.json")));
        let idl = load(&dir("aws").join(format!("{name}.smithy")));
        let (forward, backward) = (events(&json, &idl), events(&idl, &json));
        if !forward.is_empty() || !backward.is_empty() {
            failures.push(format!("{name}: events JSON->IDL {forward:#?}, IDL->JSON {backward:#?}"));
        }
        if json.shapes.keys().ne(idl.shapes.keys()) {
            failures.push(format!("{name}: the shape ids differ"));
        }
        for (id, j) in &json.shapes {
            let Some(i) = idl.shapes.get(id) else { continue };
            let members = |s: &shipgate::parse::smithy::Shape| {
                s.members.iter().map(|m| (m.name.clone(), m.target.clone(), m.traits.clone())).collect::<Vec<_>>()
            };
            if !j.same_as(&{
                let mut x = i.clone();
                for (a, b) in x.members.iter_mut().zip(&j.members) {
                    a.line = b.line;
                }
                x
            }) || members(j) != members(i)
            {
                failures.push(format!("{name}: {id} differs"));
            }
        }
        if json.metadata != idl.metadata {
            failures.push(format!("{name}: metadata differs"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_real_model_update_gives_the_same_events_from_idl_as_from_json() {
    for name in ["sso", "qldb-session"] {
        let f = |side: &str, ext: &str| load(&dir("updates").join(format!("{name}.{side}.{ext}")));
        let from_json = events(&f("old", "json"), &f("new", "json"));
        let from_idl = events(&f("old", "smithy"), &f("new", "smithy"));
        assert!(!from_json.is_empty(), "{name}: the update changes something");
        assert_eq!(from_idl, from_json, "{name}: IDL and JSON give the same events");
    }
}
