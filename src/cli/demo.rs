//! `shipgate demo`: builds a small SDK repository with a real release problem and checks it.
use super::{CliError, usage};
use crate::finding::Severity;
use crate::outcome::Command;
use crate::report::Format;
use std::path::PathBuf;

/// Builds the demo in `dir` (kept), else in a temporary directory that is deleted at the end
/// unless `keep`. The follow-up `shipgate report` command is only suggested for a repository that
/// still exists when the demo ends.
pub(super) fn run(dir: Option<PathBuf>, keep: bool, format: Format, ui: super::Ui) -> Result<u8, CliError> {
    let (dir, temp) = match dir {
        Some(d) => {
            if d.exists() {
                return Err(usage(
                    format!("{} already exists", d.display()),
                    "name a directory that does not exist yet",
                ));
            }
            (d, None)
        }
        None => {
            let t = tempfile::Builder::new().prefix("shipgate-demo-").tempdir().map_err(|e| {
                usage(format!("could not create a temporary directory: {e}"), "set TMPDIR to a writable directory")
            })?;
            (t.path().to_path_buf(), Some(t))
        }
    };
    let revs = crate::source::fixture::sdk_demo(&dir)
        .map_err(|e| usage(format!("could not build the demo repository: {e}"), "pass --dir to build it elsewhere"))?;
    eprintln!("Demo SDK repository: {}", dir.display());
    eprintln!("Release manager's question: is `{}` safe to publish after `{}`?", revs.head, revs.base);
    eprintln!(
        "Running: shipgate check --repo {} --base {} --head {} --mainline {}\n",
        dir.display(),
        revs.base,
        revs.head,
        revs.mainline
    );
    let req = crate::engine::Request {
        command: Command::Check,
        repo: dir.clone(),
        config: None,
        base: Some(revs.base),
        head: revs.head,
        mainline: Some(revs.mainline),
        fail_on: Severity::Danger,
        date: None,
        today: crate::date::today_utc(),
        max_commits: None,
        candidate_manifest: None,
        command_line: format!("shipgate check --repo {}", dir.display()),
        approval: None,
    };
    let outcome = crate::engine::run(&req)?;
    super::emit(&outcome, format, &[], ui, false, crate::report::Options::default())?;
    eprintln!(
        "\n(`shipgate check` would exit {} here; the demo itself exits 0.)",
        if outcome.verdict == crate::outcome::Verdict::Fail { 1 } else { 0 }
    );
    if outcome.verdict == crate::outcome::Verdict::Fail {
        closest_safe(&req)?;
    }
    let kept = match temp {
        Some(t) if keep => Some(t.keep()),
        Some(t) => {
            drop(t);
            None
        }
        None => Some(dir.clone()),
    };
    match kept {
        Some(path) => eprintln!(
            "\nThe exception request and audit record for this release:\n  shipgate report --repo {} --base {} --head {} --mainline {} --output html=report.html --output md=report.md\n(the demo repository is kept at {}; delete it when you are done)",
            path.display(),
            req.base.as_deref().unwrap_or_default(),
            req.head,
            req.mainline.as_deref().unwrap_or_default(),
            path.display()
        ),
        None => eprintln!(
            "\nThe demo repository has been deleted. To write the exception request and audit record for this release, run `shipgate demo --keep` (or `--dir DIR`) and then the `shipgate report` command it prints."
        ),
    }
    Ok(0)
}

/// The second question after a failed gate: which mainline commit could ship instead, and which
/// commit broke each of the newer ones.
fn closest_safe(check: &crate::engine::Request) -> Result<(), CliError> {
    let req = crate::engine::Request { command: Command::ClosestSafe, ..check.clone() };
    eprintln!(
        "\nRunning: shipgate closest-safe --repo {} --base {} --mainline {}",
        req.repo.display(),
        req.base.as_deref().unwrap_or_default(),
        req.mainline.as_deref().unwrap_or_default()
    );
    let found = crate::engine::closest_safe(&req, &|_, _| {})?;
    let Some(cs) = &found.closest_safe else { return Ok(()) };
    let short = |c: &str| crate::report::common::short(c).to_string();
    match (&cs.commit, cs.distance) {
        (Some(c), Some(d)) => eprintln!(
            "Closest safe mainline commit: {} ({} commit(s) behind the tip, {} candidate(s) checked)",
            short(c),
            d,
            cs.candidates_checked
        ),
        _ => eprintln!("No mainline candidate passes ({} checked).", cs.candidates_checked),
    }
    for l in &cs.left_out {
        eprintln!("  leaves out {}  {}", short(&l.commit), l.summary);
    }
    let mut culprits: Vec<(String, String)> = found
        .findings
        .iter()
        .filter_map(|f| f.introduced_by.as_ref().map(|c| (short(c), format!("{} on {}", f.id, f.subject))))
        .collect();
    culprits.sort();
    culprits.dedup();
    for (commit, what) in culprits {
        eprintln!("  {what}: introduced by {commit}");
    }
    Ok(())
}
