//! `shipgate init`: proposes a starter shipgate.toml from what a revision contains.
use super::{CliError, print, usage};
use crate::parse::smithy::looks_like_smithy;
use crate::source::Repo;
use std::collections::BTreeSet;
use std::fmt::Write;
use std::path::Path;

/// `dir/*.json`-style globs: one per parent directory of the given files.
fn parent_globs<'a>(paths: impl Iterator<Item = &'a str>, leaf: &str) -> Vec<String> {
    let set: BTreeSet<String> = paths
        .map(|p| match p.rsplit_once('/') {
            Some((dir, _)) => match dir.rsplit_once('/') {
                Some((parent, _)) if leaf.is_empty() => format!("{parent}/*"),
                None if leaf.is_empty() => "*".to_string(),
                _ => format!("{dir}/{leaf}"),
            },
            None => {
                if leaf.is_empty() {
                    ".".to_string()
                } else {
                    leaf.to_string()
                }
            }
        })
        .collect();
    set.into_iter().collect()
}

fn list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("{s:?}")).collect();
    format!("[{}]", quoted.join(", "))
}

pub fn run(repo_path: &Path, rev: &str, write: bool) -> Result<u8, CliError> {
    let repo = Repo::open(repo_path).map_err(crate::engine::EngineError::from)?;
    let snap = repo.snapshot(rev).map_err(crate::engine::EngineError::from)?;
    let files = repo
        .files(&snap, &|p| p.ends_with(".json") || p.ends_with("/Cargo.toml") || p == "Cargo.toml")
        .map_err(crate::engine::EngineError::from)?;
    let (mut models, mut crates, mut npm) = (Vec::new(), Vec::new(), Vec::new());
    for entry in &files {
        if entry.path.contains("node_modules/") {
            continue;
        }
        let data = repo.read(&snap, entry).map_err(crate::engine::EngineError::from)?;
        let text = String::from_utf8_lossy(&data);
        let name = entry.path.rsplit('/').next().unwrap_or(&entry.path);
        if name == "Cargo.toml" && text.lines().any(|l| l.trim() == "[package]") {
            crates.push(entry.path.clone());
        } else if name == "package.json" {
            let v: Option<serde_json::Value> = serde_json::from_slice(&data).ok();
            if v.as_ref().is_some_and(|v| v.get("name").is_some() && v.get("version").is_some()) {
                npm.push(entry.path.clone());
            }
        } else if name.ends_with(".json") && looks_like_smithy(&data) {
            models.push(entry.path.clone());
        }
    }
    let mut s = String::new();
    let _ = writeln!(s, "# shipgate.toml: proposed by `shipgate init` from {rev}. Every key is optional;");
    let _ = writeln!(s, "# a key left out keeps built-in detection, an empty list turns that kind off.");
    let _ = writeln!(s, "mainline = \"origin/main\"");
    let _ =
        writeln!(s, "release_tags = \"*\"                 # glob over your release tag names, e.g. \"release-*\"\n");
    let _ = writeln!(s, "[models]\n# {} Smithy JSON AST model(s) found", models.len());
    let _ = writeln!(s, "smithy = {}\n", list(&parent_globs(models.iter().map(String::as_str), "*.json")));
    let _ = writeln!(s, "[packages]\n# {} Cargo package(s), {} npm package(s) found", crates.len(), npm.len());
    let _ = writeln!(s, "cargo = {}", list(&parent_globs(crates.iter().map(String::as_str), "")));
    let _ = writeln!(s, "npm = {}", list(&parent_globs(npm.iter().map(String::as_str), "")));
    let _ = writeln!(s, "exclude = []                        # package-name globs never checked");
    let _ = writeln!(s, "ignore_files = [\"**/Cargo.lock\"]    # changes here never need a version bump");
    let _ = writeln!(s, "required = []                       # packages that must ship whatever the closure says");
    let _ =
        writeln!(s, "\n# [[packages.generated_from]]\n# package = \"my-sdk\"\n# model = \"models/my-service.json\"");
    let _ = writeln!(
        s,
        "\n# [[alignment]]\n# name = \"runtime\"\n# packages = [\"my-runtime-*\"]\n# policy = \"same-version\""
    );
    let _ = writeln!(s, "\n[rules]\n# ChangedMemberOrder = \"warning\"   # re-level a rule; \"off\" disables it");
    // The proposal must load: a starter that fails validation would be a bad first experience.
    crate::config::LoadedConfig::parse("shipgate.toml (proposed)", &s).map_err(crate::engine::EngineError::from)?;
    if write {
        let dir = repo
            .workdir()
            .ok_or_else(|| usage("--write needs a work tree", "run without --write and redirect stdout"))?;
        let path = dir.join("shipgate.toml");
        if path.exists() {
            return Err(usage(
                format!("{} already exists", path.display()),
                "remove it first, or run without --write to see the proposal",
            ));
        }
        std::fs::write(&path, &s)
            .map_err(|e| CliError::Write { path: path.display().to_string(), detail: e.to_string() })?;
        eprintln!("wrote {}", path.display());
    } else {
        print(&s)?;
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::parent_globs;

    #[test]
    fn globs_group_by_parent() {
        let p = ["rust-runtime/a/Cargo.toml", "rust-runtime/b/Cargo.toml", "aws/rust-runtime/c/Cargo.toml"];
        assert_eq!(parent_globs(p.into_iter(), ""), vec!["aws/rust-runtime/*", "rust-runtime/*"]);
        assert_eq!(parent_globs(["m/s3.json", "m/ec2.json"].into_iter(), "*.json"), vec!["m/*.json"]);
    }
}
