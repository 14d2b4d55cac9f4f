//! Every model finding's message is a complete sentence: not empty and not ending in `:`, no empty clause (`: ;`) (the
//! release-rule scenarios are checked in `packages_rules.rs`, the report fixtures in
//! `reports.rs`). Runs every model pair under `fixtures/smithy/` and `fixtures/conformance/`,
//! in both directions, so removals and additions are both covered.
use shipgate::parse::smithy::parse;
use shipgate::rules::model::diff;
use std::path::{Path, PathBuf};

/// `(case, old file, new file)` for every model pair in the fixtures.
fn pairs() -> Vec<(PathBuf, &'static str, &'static str)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut out = Vec::new();
    for (dir, old, new) in [("smithy", "old.json", "new.json"), ("conformance/smithy-diff", "a.json", "b.json")] {
        let mut cases: Vec<PathBuf> = std::fs::read_dir(root.join(dir))
            .expect("fixture directory")
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.join(old).is_file())
            .collect();
        cases.sort();
        out.extend(cases.into_iter().map(|c| (c, old, new)));
    }
    out
}

#[test]
fn every_model_finding_message_is_a_sentence() {
    let pairs = pairs();
    assert!(pairs.len() > 100, "fixture pairs missing: {}", pairs.len());
    let mut bad = Vec::new();
    let mut seen = 0;
    for (case, a, b) in &pairs {
        let load = |f: &str| {
            let path = case.join(f);
            parse(&path.display().to_string(), &std::fs::read(&path).expect("readable"))
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        };
        let (old, new) = (load(a), load(b));
        for f in diff(&old, &new).findings.into_iter().chain(diff(&new, &old).findings) {
            seen += 1;
            let m = f.message.trim_end();
            if m.is_empty() || m.ends_with(':') || m.contains(": ;") {
                bad.push(format!("{}: {} on {}: {:?}", case.display(), f.id, f.subject, f.message));
            }
        }
    }
    assert!(seen > 500, "too few findings to mean anything: {seen}");
    assert!(bad.is_empty(), "messages that are not sentences:\n{}", bad.join("\n"));
}
