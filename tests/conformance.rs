//! smithy-diff conformance: every case under `fixtures/conformance/smithy-diff/` (see its
//! MANIFEST.md) must produce exactly the expected events under the matching rules of smithy-diff's
//! own runner (`SmithyDiffTestCase`):
//!
//! * an actual event matches an expected one when the severity is equal, the shape id is equal
//!   (`-` means no shape: metadata events, which have no subject), the actual id equals the
//!   expected id, or, only where the expected id is a prefix (not one of the full id forms
//!   `rules/*.toml` documents), starts with it followed by `.`; and the actual message (plus ` (<reason>)` when suppressed
//!   with a reason) starts with the expected message;
//! * a case passes when every expected event is matched and every actual event is matched,
//!   except unmatched SUPPRESSED actual events, which are ignored;
//! * Java-asserted cases carry a `# Scope:` line naming the only event id they assert; actual
//!   events outside that id are dropped before comparing.
//!
//! Every failing case is reported with both event lists; the test fails if any case fails.
use shipgate::finding::{Finding, Severity, id_matches};
use shipgate::parse::smithy::parse;
use shipgate::rules::catalog;
use shipgate::rules::model::diff;
use std::fs;
use std::path::Path;

#[derive(Debug, Clone)]
struct Ev {
    severity: String,
    shape: String,
    id: String,
    message: String,
}

impl std::fmt::Display for Ev {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "[{}] {}: {} | {}", self.severity, self.shape, self.message.replace('\n', "\\n"), self.id)
    }
}

fn expected(text: &str) -> (Option<String>, Vec<Ev>) {
    let mut scope = None;
    let mut body = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix('#') {
            if let Some(s) = rest.trim().strip_prefix("Scope:") {
                scope = s.split('`').nth(1).map(str::to_string);
            }
        } else {
            body.push(line);
        }
    }
    let body = body.join("\n");
    let mut events = Vec::new();
    for block in body.split("\n-----\n").map(str::trim_start) {
        let block = block.strip_suffix('\n').unwrap_or(block);
        if block.trim().is_empty() {
            continue;
        }
        let (head, id) = block.rsplit_once(" | ").unwrap_or_else(|| panic!("malformed expected block: {block}"));
        let (sev, rest) = head.split_once("] ").unwrap_or_else(|| panic!("malformed expected block: {block}"));
        let (shape, message) = rest.split_once(": ").unwrap_or_else(|| panic!("malformed expected block: {block}"));
        events.push(Ev {
            severity: sev.trim_start_matches('[').to_string(),
            shape: shape.to_string(),
            id: id.trim().to_string(),
            message: message.to_string(),
        });
    }
    (scope, events)
}

fn actual(f: &Finding) -> Ev {
    let shape = if f.subject.is_empty() { "-".to_string() } else { f.subject.clone() };
    let mut message = f.message.clone();
    if f.severity == Severity::Suppressed
        && let Some(reason) = &f.suppression
    {
        message.push_str(&format!(" ({reason})"));
    }
    Ev { severity: f.severity.as_str().to_ascii_uppercase(), shape, id: f.id.clone(), message }
}

/// Whether an id is a full event id: one of the id forms its rule documents (or the rule id of a
/// rule that has no other form), rather than a prefix of one.
fn is_full(id: &str) -> bool {
    match catalog::resolve(id) {
        Some((rule, _)) if rule.ids.is_empty() => rule.id == id,
        Some((rule, _)) => rule.ids.iter().any(|f| catalog::form_matches(f, id)),
        None => false,
    }
}

fn matches(e: &Ev, a: &Ev) -> bool {
    let id_ok = if is_full(&e.id) { e.id == a.id } else { id_matches(&e.id, &a.id) };
    e.severity == a.severity && e.shape == a.shape && id_ok && a.message.starts_with(&e.message)
}

#[test]
fn smithy_diff_conformance() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/conformance/smithy-diff");
    let mut cases: Vec<_> = fs::read_dir(&root)
        .expect("corpus present")
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.path())
        .collect();
    cases.sort();
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().expect("dir name").to_string_lossy().into_owned();
        let read = |f: &str| fs::read(case.join(f)).unwrap_or_else(|e| panic!("{name}/{f}: {e}"));
        let old = parse(&format!("{name}/a.json"), &read("a.json")).unwrap_or_else(|e| panic!("{name}: {e}"));
        let new = parse(&format!("{name}/b.json"), &read("b.json")).unwrap_or_else(|e| panic!("{name}: {e}"));
        let text = String::from_utf8(read("expected.events")).expect("utf-8");
        let (scope, want) = expected(&text);
        let got: Vec<Ev> = diff(&old, &new)
            .findings
            .iter()
            .map(actual)
            .filter(|a| scope.as_deref().is_none_or(|s| id_matches(s, &a.id)))
            .collect();
        let missing: Vec<&Ev> = want.iter().filter(|e| !got.iter().any(|a| matches(e, a))).collect();
        let extra: Vec<&Ev> =
            got.iter().filter(|a| a.severity != "SUPPRESSED" && !want.iter().any(|e| matches(e, a))).collect();
        if !missing.is_empty() || !extra.is_empty() {
            let mut report = format!("--- {name}\n");
            for e in &missing {
                report.push_str(&format!("  missing:    {e}\n"));
            }
            for a in &extra {
                report.push_str(&format!("  unexpected: {a}\n"));
            }
            report.push_str("  all actual events:\n");
            for a in &got {
                report.push_str(&format!("    {a}\n"));
            }
            failures.push(report);
        }
    }
    // Every id shipgate emits is a documented full id form.
    for case in &cases {
        let read = |f: &str| fs::read(case.join(f)).expect("read above");
        let (old, new) = (
            parse("a.json", &read("a.json")).expect("parsed above"),
            parse("b.json", &read("b.json")).expect("parsed above"),
        );
        for f in diff(&old, &new).findings {
            assert!(is_full(&f.id), "{}: `{}` is not a documented id form (rules/*.toml `ids`)", case.display(), f.id);
        }
    }
    let full = cases
        .iter()
        .flat_map(|c| expected(&fs::read_to_string(c.join("expected.events")).expect("utf-8")).1)
        .filter(|e| is_full(&e.id))
        .count();
    eprintln!("smithy-diff conformance: {full} expected events give the full id and are compared exactly");
    assert!(full > 100, "most expected events name full ids; found {full}");
    let passed = cases.len() - failures.len();
    eprintln!("smithy-diff conformance: {passed}/{} cases pass", cases.len());
    assert!(cases.len() >= 83, "expected the full corpus of 83 cases, found {}", cases.len());
    assert!(failures.is_empty(), "{} of {} cases fail:\n{}", failures.len(), cases.len(), failures.join("\n"));
}
