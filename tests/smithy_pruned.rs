//! The span-indexed read (`parse::smithy::prune`) never changes a diff: on every model pair of
//! the fixtures (smithy-diff's conformance cases, the real AWS extracts, shipgate's own cases),
//! diffing the shapes a plan reads gives exactly the findings and summary of diffing full reads,
//! or the plan gives way (an evaluator asked for an unread shape, and the engine reads in full).
use shipgate::parse::smithy::assemble::assemble;
use shipgate::parse::smithy::{prune, read_json, validates};
use shipgate::rules::model::diff;
use std::path::{Path, PathBuf};

/// Every (old, new) JSON AST pair under `fixtures/`.
fn pairs() -> Vec<(PathBuf, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut out = Vec::new();
    for e in walkdir::WalkDir::new(&root).sort_by_file_name().into_iter().filter_map(Result::ok) {
        let dir = e.path();
        for (a, b) in [("a.json", "b.json"), ("old.json", "new.json")] {
            if dir.join(a).is_file() && dir.join(b).is_file() {
                out.push((dir.join(a), dir.join(b)));
            }
        }
    }
    out
}

/// A pair whose base reads in full, with its full reads and their diff.
struct Full {
    name: String,
    old: Vec<u8>,
    new: Vec<u8>,
    full_old: shipgate::parse::smithy::assemble::Assembled,
    full_new: shipgate::parse::smithy::assemble::Assembled,
    want: shipgate::rules::model::ModelDiff,
}

/// Every pair of [`pairs`] whose two sides read and whose base validates.
fn full_diffs() -> impl Iterator<Item = Full> {
    pairs().into_iter().filter_map(|(a, b)| {
        let (old, new) = (std::fs::read(&a).expect("read"), std::fs::read(&b).expect("read"));
        let name = a.parent().expect("dir").display().to_string();
        let (Ok(fa), Ok(fb)) = (read_json("m.json", &old), read_json("m.json", &new)) else { return None };
        if !validates("m.json", &old) {
            return None;
        }
        let (full_old, full_new) = (assemble(vec![fa]), assemble(vec![fb]));
        let want = diff(&full_old.model, &full_new.model);
        Some(Full { name, old, new, full_old, full_new, want })
    })
}

#[test]
fn a_pruned_read_diffs_as_the_full_read_does() {
    let (mut pruned, mut gave_way, mut unread_total) = (0, 0, 0);
    for Full { name, old, new, full_old, full_new, want } in full_diffs() {
        let Some((po, pn)) = prune::read_pair(&[("m.json", &old)], &[("m.json", &new)], true) else { continue };
        let got = diff(&po.model, &pn.model);
        if po.model.asked_unread() || pn.model.asked_unread() {
            eprintln!("{name}: gave way");
            gave_way += 1;
            continue;
        }
        assert_eq!(got, want, "{name}: the pruned diff differs");
        assert_eq!(po.problems, full_old.problems, "{name}: base problems differ");
        assert_eq!(pn.problems, full_new.problems, "{name}: head problems differ");
        pruned += 1;
        unread_total += po.model.unread.as_ref().map_or(0, |u| u.len());
    }
    eprintln!("pruned diffs: {pruned} equal to the full diff, {gave_way} gave way; {unread_total} shapes left unread");
    assert!(pruned >= 60, "only {pruned} pairs were diffed pruned ({gave_way} gave way)");
    assert!(unread_total > 300, "the plans left only {unread_total} shapes unread");
}

/// A model diffed in batches (each changed shape in a batch of its own, the smallest budget)
/// gives the full diff: every batch's focus diffed and merged, and each side's problems.
#[test]
fn a_diff_in_batches_is_the_full_diff() {
    let (mut batched, mut gave_way, mut batches_total) = (0, 0, 0);
    let sorted = |problems: &[shipgate::parse::smithy::assemble::Problem]| {
        let mut out: Vec<String> = problems.iter().map(|p| format!("{p:?}")).collect();
        out.sort();
        out.dedup();
        out
    };
    for Full { name, old, new, full_old, full_new, want } in full_diffs() {
        let (sides_old, sides_new) = ([("m.json", old.as_slice())], [("m.json", new.as_slice())]);
        let Some(batches) = prune::batch_pair(&sides_old, &sides_new, 1, true) else { continue };
        let n = batches.len();
        let mut got = shipgate::rules::model::ModelDiff::default();
        let (mut problems_old, mut problems_new) = (Vec::new(), Vec::new());
        let packed = (prune::pack(&sides_old).expect("packs"), prune::pack(&sides_new).expect("packs"));
        let done = batches.each(
            &packed.0,
            &packed.1,
            |po, pn, focus| shipgate::rules::model::diff_in(&po.model, &pn.model, focus),
            |po, pn, batch| {
                got.merge(batch);
                problems_old.extend(po.problems);
                problems_new.extend(pn.problems);
            },
        );
        if done.is_none() {
            eprintln!("{name}: gave way");
            gave_way += 1;
            continue;
        }
        assert_eq!(got, want, "{name}: the diff in {n} batches differs");
        assert_eq!(sorted(&problems_old), sorted(&full_old.problems), "{name}: base problems differ");
        assert_eq!(sorted(&problems_new), sorted(&full_new.problems), "{name}: head problems differ");
        batched += 1;
        batches_total += n;
    }
    eprintln!("diffs in batches: {batched} equal to the full diff ({batches_total} batches), {gave_way} gave way");
    assert!(batched >= 60, "only {batched} pairs were diffed in batches ({gave_way} gave way)");
    assert!(batches_total > 2 * batched, "the pairs were hardly split: {batches_total} batches for {batched} pairs");
}

#[test]
fn validation_agrees_with_the_full_read() {
    for (a, b) in pairs() {
        for p in [a, b] {
            let bytes = std::fs::read(&p).expect("read");
            assert_eq!(validates("m.json", &bytes), read_json("m.json", &bytes).is_ok(), "{}", p.display());
            // A byte changed inside the document: the checks a shape at a time (on every core)
            // agree with the one full read on what is broken.
            for (k, at) in (1..bytes.len()).step_by(bytes.len() / 7 + 1).enumerate() {
                let mut bad = bytes.clone();
                bad[at] = [b'"', b'}', b'x', b'\\', b'[', b'1'][k % 6];
                assert_eq!(validates("m.json", &bad), read_json("m.json", &bad).is_ok(), "{} byte {at}", p.display());
            }
            for cut in [bytes.len() / 2, bytes.len().saturating_sub(3)] {
                let part = &bytes[..cut];
                assert_eq!(
                    validates("m.json", part),
                    read_json("m.json", part).is_ok(),
                    "{} cut at {cut}",
                    p.display()
                );
            }
        }
    }
}

/// A large model's two sides (packed, one a delta of the other) are each inflated once and held
/// at their length: the content sniff, the links scan and the model stage share one read, and the
/// delta's double buffer is not kept (issue 13: a 100 MB model's diff peaks under 3x its size).
#[test]
fn a_large_blob_is_read_once_and_held_at_its_length() {
    use shipgate::source::{FileEntry, Repo};
    let dir = tempfile::tempdir().expect("tempdir");
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .arg("-C")
            .arg(dir.path())
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"])
            .args(args)
            .output()
            .expect("git runs");
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    git(&["init", "-q"]);
    let model = |edited: usize| {
        let mut s = String::from("{\"smithy\": \"2.0\", \"shapes\": {\n");
        for i in 0..90_000 {
            let doc = if i == edited { "edited" } else { "the documentation of a generated shape" };
            s.push_str(&format!(
                "\"ex#S{i}\": {{\"type\": \"string\", \"traits\": {{\"smithy.api#documentation\": \"{doc}\"}}}},\n"
            ));
        }
        s.push_str("\"ex#Last\": {\"type\": \"string\"}}}\n");
        s
    };
    std::fs::create_dir_all(dir.path().join("model")).expect("mkdir");
    for (edit, message) in [(usize::MAX, "base"), (45_000, "head")] {
        std::fs::write(dir.path().join("model/big.json"), model(edit)).expect("write");
        git(&["add", "-A"]);
        git(&["commit", "-qm", message]);
    }
    git(&["repack", "-adq"]);
    let repo = Repo::open(dir.path()).expect("open");
    let mut deltas = 0;
    for rev in ["HEAD~1", "HEAD"] {
        let snap = repo.snapshot(rev).expect("snapshot");
        let entry: FileEntry = repo.files(&snap, &|p| p == "model/big.json").expect("files").remove(0);
        let first = repo.read_shared(&snap, &entry).expect("read");
        assert!(first.len() as u64 > shipgate::source::LARGE_BLOB, "the test needs a large blob");
        assert_eq!(first.capacity(), first.len(), "{rev}: held at its length");
        let again = repo.read_shared(&snap, &entry).expect("read again");
        assert!(std::sync::Arc::ptr_eq(&first, &again), "{rev}: the second read shares the first");
        deltas += repo.blob_deltas(entry.oid);
    }
    assert!(deltas > 0, "one side is stored as a delta, so the delta path is the one tested");
}
