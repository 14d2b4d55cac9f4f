//! The pipeline's shape, checked: no top-level module of `src/` depends on another in a cycle
//! (a module's dependencies are the `crate::NAME` paths its files mention), and every module
//! opens with a `//!` doc that states its role.
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The top-level module a file belongs to: `src/x.rs` and `src/x/**` are `x`.
fn module_of(rel: &Path) -> Option<String> {
    let first = rel.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (!matches!(name, "main" | "lib")).then(|| name.to_string())
}

/// `crate::NAME` references in Rust source, comments left out.
fn references(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            let after = &rest[at + "crate::".len()..];
            // `crate::{a, b::c}` names each module in the braces (one line, as rustfmt writes it).
            let heads: Vec<&str> = match after.strip_prefix('{') {
                Some(list) => list.split('}').next().unwrap_or("").split(',').collect(),
                None => vec![after],
            };
            for head in heads {
                let name: String = head.trim().chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                if !name.is_empty() {
                    out.insert(name);
                }
            }
            rest = after;
        }
    }
    out
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for entry in walkdir::WalkDir::new(&src) {
        let entry = entry.expect("src/ is readable");
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let rel = path.strip_prefix(&src).expect("under src/");
        let Some(module) = module_of(rel) else { continue };
        let text = std::fs::read_to_string(path).expect("source is UTF-8");
        let deps = graph.entry(module.clone()).or_default();
        for r in references(&text) {
            if r != module {
                deps.insert(r);
            }
        }
    }
    let modules: BTreeSet<String> = graph.keys().cloned().collect();
    for deps in graph.values_mut() {
        deps.retain(|d| modules.contains(d));
    }
    graph
}

/// A cycle through `start`, if there is one (depth-first search over the module graph).
fn cycle_from(graph: &BTreeMap<String, BTreeSet<String>>, start: &str) -> Option<Vec<String>> {
    fn walk(
        graph: &BTreeMap<String, BTreeSet<String>>,
        start: &str,
        at: &str,
        path: &mut Vec<String>,
        seen: &mut BTreeSet<String>,
    ) -> bool {
        for next in &graph[at] {
            if next == start {
                path.push(next.clone());
                return true;
            }
            if seen.insert(next.clone()) {
                path.push(next.clone());
                if walk(graph, start, next, path, seen) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    let mut path = vec![start.to_string()];
    walk(graph, start, start, &mut path, &mut BTreeSet::new()).then_some(path)
}

#[test]
fn no_module_depends_on_another_in_a_cycle() {
    let graph = graph();
    assert!(graph.len() > 5, "found the modules of src/: {:?}", graph.keys());
    let cycles: Vec<String> = graph.keys().filter_map(|m| cycle_from(&graph, m)).map(|c| c.join(" -> ")).collect();
    assert!(cycles.is_empty(), "import cycles between modules:\n{}", cycles.join("\n"));
}

#[test]
fn references_are_read_from_paths_and_brace_lists() {
    let text = "use crate::finding::Severity;\nuse crate::{diff, parse::smithy};\n// crate::engine in a comment\n";
    let got: Vec<String> = references(text).into_iter().collect();
    assert_eq!(got, ["diff", "finding", "parse"]);
}

#[test]
fn the_cycle_check_sees_a_cycle() {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    graph.insert("a".into(), ["b".to_string()].into());
    graph.insert("b".into(), ["a".to_string()].into());
    graph.insert("c".into(), ["a".to_string()].into());
    assert_eq!(cycle_from(&graph, "a"), Some(vec!["a".into(), "b".into(), "a".into()]));
    assert_eq!(cycle_from(&graph, "c"), None);
}

#[test]
fn every_module_file_opens_with_its_role() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut missing = Vec::new();
    for entry in walkdir::WalkDir::new(&src) {
        let entry = entry.expect("src/ is readable");
        let path = entry.path();
        let is_module = path.extension().is_some_and(|e| e == "rs")
            && path.file_name().is_some_and(|n| n != "tests.rs" && n != "main.rs");
        if is_module {
            let text = std::fs::read_to_string(path).expect("source is UTF-8");
            if !text.trim_start().starts_with("//!") {
                missing.push(path.strip_prefix(&src).expect("under src/").display().to_string());
            }
        }
    }
    assert!(missing.is_empty(), "modules without a `//!` doc saying their role: {missing:?}");
}

/// The edges the pipeline forbids outright (a cycle check alone would allow them while the
/// reverse edge is absent): parsers know nothing of diffs, rules or config; history never
/// reaches into the engine; renderers read the outcome, never the engine; nothing below `cli`
/// depends on it.
#[test]
fn stages_depend_only_on_earlier_stages() {
    let graph = graph();
    let forbidden: &[(&str, &[&str])] = &[
        ("source", &["parse", "diff", "rules", "config", "history", "engine", "report", "cli"]),
        ("parse", &["diff", "rules", "config", "history", "engine", "report", "cli"]),
        ("diff", &["rules", "config", "history", "engine", "report", "cli"]),
        ("rules", &["config", "history", "engine", "report", "cli"]),
        ("history", &["engine", "report", "cli"]),
        ("engine", &["report", "cli"]),
        ("report", &["engine", "cli"]),
    ];
    let mut wrong = Vec::new();
    for (module, never) in forbidden {
        let deps = graph.get(*module).unwrap_or_else(|| panic!("src/{module} exists"));
        wrong.extend(never.iter().filter(|n| deps.contains(**n)).map(|n| format!("{module} -> {n}")));
    }
    assert!(wrong.is_empty(), "a stage depends on a later one: {wrong:?}");
}
