//! Exact smithy-diff parity on real model pairs: for every folder of `fixtures/smithy-parity/`
//! (see its README), shipgate's events equal the events smithy-diff 1.73.0 reported for the same
//! pair (`reference.tsv`), as multisets of (severity, subject, full event id).
mod common;

use shipgate::parse::smithy::parse;
use shipgate::rules::model::diff;
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

type Key = (String, String, String);

fn count(keys: impl Iterator<Item = Key>) -> BTreeMap<Key, usize> {
    let mut out = BTreeMap::new();
    for k in keys {
        *out.entry(k).or_default() += 1;
    }
    out
}

#[test]
fn events_equal_the_reference_on_real_model_pairs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/smithy-parity");
    let mut cases: Vec<_> = fs::read_dir(&root).expect("fixtures present").flatten().map(|e| e.path()).collect();
    cases.retain(|p| p.is_dir());
    cases.sort();
    assert!(cases.len() >= 4, "expected the extracts, found {}", cases.len());
    let mut total = 0;
    for case in &cases {
        let name = case.file_name().expect("dir").to_string_lossy().into_owned();
        let read = |f: &str| fs::read(case.join(f)).unwrap_or_else(|e| panic!("{name}/{f}: {e}"));
        let old = parse("old.json", &read("old.json")).unwrap_or_else(|e| panic!("{name}: {e}"));
        let new = parse("new.json", &read("new.json")).unwrap_or_else(|e| panic!("{name}: {e}"));
        let reference = String::from_utf8(read("reference.tsv")).expect("utf-8");
        let want = count(reference.lines().filter(|l| !l.is_empty() && !l.starts_with('#')).map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            let shape = if cols[2] == "-" { String::new() } else { cols[2].to_string() };
            (cols[1].to_ascii_lowercase(), shape, cols[3].to_string())
        }));
        let findings = diff(&old, &new).findings;
        common::assert_declared(&name, &findings);
        let got = count(findings.iter().map(|f| (f.severity.to_string(), f.subject.clone(), f.id.clone())));
        assert!(!want.is_empty(), "{name}: the reference has events");
        assert_eq!(got, want, "{name}: shipgate's events differ from smithy-diff's");
        total += want.values().sum::<usize>();
    }
    eprintln!("smithy-diff parity: {total} reference events over {} real model pairs, all equal", cases.len());
}
