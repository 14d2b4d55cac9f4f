//! `shipgate demo`: builds a small SDK repository with a real release problem and checks it.
use super::{CliError, usage};
use crate::finding::Severity;
use crate::outcome::Command;
use crate::report::Format;
use std::path::PathBuf;

pub fn run(dir: Option<PathBuf>, format: Format) -> Result<u8, CliError> {
    let (dir, _keep) = match dir {
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
    let revs = crate::fixture::sdk_demo(&dir)
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
        max_commits: None,
        candidate_manifest: None,
        command_line: format!("shipgate check --repo {}", dir.display()),
    };
    let outcome = crate::engine::run(&req)?;
    super::emit(&outcome, format, &[])?;
    eprintln!(
        "\n(`shipgate check` would exit {} here; the demo itself exits 0.)",
        if outcome.verdict == crate::outcome::Verdict::Fail { 1 } else { 0 }
    );
    Ok(0)
}
