//! `shipgate init`: proposes a shipgate.toml learned from the repository and its release
//! history, then replays the last releases with the proposal and prints the summary.
//!
//! What it proposes, and from what:
//! - `release_tags`: the glob most tags share, the part of the name before its first digit
//!   (`release-*`, `v*`); never `*`. A glob that would also match tags of another shape is
//!   narrowed to `PREFIX[0-9]*`.
//! - `mainline`: the first branch that exists and contains the newest release tag, in the
//!   order: the remote-tracking main (`origin/main`, `origin/master`), `main`, `master`, the
//!   default branch (`origin/HEAD`, then the branch HEAD is on).
//! - `[models] smithy`: a glob per directory holding Smithy models (directories merged into
//!   their common parent where nothing but models lives below it); whether a JSON file is a
//!   model is decided by its content (a top-level `"smithy"` and `"shapes"`), so the JSON
//!   beside the models that is not one (`sdk-endpoints.json`) is named in a comment and is
//!   never read as a model.
//! - `[packages] cargo` / `npm`: package directories found by parsing every manifest (a
//!   `[package]` table; a `package.json` with a name and a version), as directory globs; an
//!   ecosystem whose packages are all unpublishable is turned off.
//! - `[packages] ignore_files`: files that changed in most of the last releases while the
//!   version of the package that owns them did not (what a release process rewrites), each with
//!   the releases it changed in.
//!
//! It reads git objects only; the one write is `--write`, which creates `shipgate.toml` in the
//! work tree and refuses to overwrite one.
use super::{CliError, print, usage};
use crate::config::LoadedConfig;
use crate::diff::packages::diff_trees;
use crate::engine::{Analyzer, EngineError};
use crate::history::Tag;
use crate::parse::packages::model::Package;
use crate::parse::smithy::looks_like_smithy;
use crate::report::Style;
use crate::source::{Oid, Repo, Snapshot};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;
use std::path::Path;

/// Releases learned from (`ignore_files`) and replayed at the end.
pub const LEARN_RELEASES: usize = 10;

/// The tag family the proposal calls releases.
#[derive(Debug, Clone, PartialEq, Eq)]
struct TagFamily {
    glob: String,
    /// Tags it matches.
    count: usize,
    /// All tags of the repository.
    total: usize,
}

/// The part of a tag name before its first digit (`release-2024-01-10` → `release-`).
fn tag_prefix(name: &str) -> &str {
    let end = name.find(|c: char| c.is_ascii_digit()).unwrap_or(name.len());
    &name[..end]
}

/// The glob the most tags share (ties: the family with the newest tag). `tags`: (name, commit
/// time).
fn tag_family(tags: &[(String, i64)]) -> Option<TagFamily> {
    let mut families: BTreeMap<&str, (usize, i64)> = BTreeMap::new();
    for (name, time) in tags {
        // A tag without a digit names no version: not a release shape.
        if !name.contains(|c: char| c.is_ascii_digit()) {
            continue;
        }
        let e = families.entry(tag_prefix(name)).or_insert((0, i64::MIN));
        e.0 += 1;
        e.1 = e.1.max(*time);
    }
    let (prefix, _) = families.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))?;
    let of_family = |n: &str| n.contains(|c: char| c.is_ascii_digit()) && tag_prefix(n) == *prefix;
    let matches = |glob: &str| {
        let m = globset::Glob::new(glob).expect("a literal prefix and `*` is a glob").compile_matcher();
        tags.iter().filter(|(n, _)| m.is_match(n)).all(|(n, _)| of_family(n))
    };
    let escaped = globset::escape(prefix);
    let glob = if !prefix.is_empty() && matches(&format!("{escaped}*")) {
        format!("{escaped}*")
    } else {
        format!("{escaped}[0-9]*")
    };
    let count = tags.iter().filter(|(n, _)| of_family(n)).count();
    Some(TagFamily { glob, count, total: tags.len() })
}

/// The proposed mainline and why.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Mainline {
    name: String,
    why: String,
}

/// Branch candidates in order of preference: (short name, full reference name).
fn branch_candidates(repo: &Repo) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (short, full) in [
        ("origin/main", "refs/remotes/origin/main"),
        ("origin/master", "refs/remotes/origin/master"),
        ("main", "refs/heads/main"),
        ("master", "refs/heads/master"),
    ] {
        out.push((short.into(), full.into()));
    }
    if let Some(full) = repo.symbolic_target("refs/remotes/origin/HEAD")
        && let Some(short) = full.strip_prefix("refs/remotes/")
    {
        out.push((short.to_string(), full.clone()));
    }
    if let Some(full) = repo.symbolic_target("HEAD")
        && let Some(short) = full.strip_prefix("refs/heads/")
    {
        out.push((short.to_string(), full.clone()));
    }
    let mut seen = BTreeSet::new();
    out.retain(|(_, full)| seen.insert(full.clone()) && repo.reference_commit(full).is_some());
    out
}

/// The first candidate branch that contains the newest release; else the one that contains
/// the most releases; else the first that exists.
fn mainline(repo: &Repo, releases: &[Tag]) -> Option<Mainline> {
    let candidates = branch_candidates(repo);
    let contains = |tip: Oid, t: &Tag| repo.is_ancestor(t.2.id, tip).unwrap_or(false);
    let scored: Vec<(String, usize, bool)> = candidates
        .iter()
        .map(|(short, full)| {
            let tip = repo.reference_commit(full).expect("kept only existing branches");
            let n = releases.iter().filter(|t| contains(tip, t)).count();
            let newest = releases.last().is_some_and(|t| contains(tip, t));
            (short.clone(), n, newest)
        })
        .collect();
    if releases.is_empty() {
        return scored
            .first()
            .map(|(name, _, _)| Mainline { name: name.clone(), why: "no release tags to check it against".into() });
    }
    let best = scored.iter().find(|(_, _, newest)| *newest).or_else(|| scored.iter().max_by_key(|(_, n, _)| *n))?;
    let why = if best.1 == releases.len() {
        format!("the branch that contains all {} release tags", best.1)
    } else {
        format!("contains {} of the {} release tags (no branch contains them all)", best.1, releases.len())
    };
    Some(Mainline { name: best.0.clone(), why })
}

/// What the revision holds: model files, other JSON, and packages.
#[derive(Debug, Default)]
struct Layout {
    /// Smithy JSON AST and IDL files.
    models: Vec<String>,
    /// JSON files that are not Smithy models (by content), manifests and `node_modules` aside.
    other_json: Vec<String>,
    cargo: Vec<Package>,
    npm: Vec<Package>,
    /// Manifests that could not be read: (path, why).
    unreadable: Vec<(String, String)>,
}

fn layout(repo: &Repo, snap: &Snapshot) -> Result<Layout, EngineError> {
    let files = repo.files(snap, &|p| {
        !p.split('/').any(|s| s == "node_modules")
            && (p.ends_with(".json") || crate::parse::smithy::is_idl_path(p) || p.ends_with("Cargo.toml"))
    })?;
    let mut out = Layout::default();
    let (mut cargo, mut npm) = (Vec::new(), Vec::new());
    for entry in &files {
        let name = entry.path.rsplit('/').next().unwrap_or(&entry.path);
        if crate::parse::smithy::is_idl_path(&entry.path) {
            out.models.push(entry.path.clone());
            continue;
        }
        if name != "Cargo.toml" && name != "package.json" && !name.ends_with(".json") {
            continue;
        }
        let data = repo.read(snap, entry)?;
        match name {
            "Cargo.toml" => cargo.push((entry.path.clone(), String::from_utf8_lossy(&data).into_owned())),
            "package.json" => npm.push((entry.path.clone(), String::from_utf8_lossy(&data).into_owned())),
            _ if looks_like_smithy(&data) => out.models.push(entry.path.clone()),
            _ => out.other_json.push(entry.path.clone()),
        }
    }
    let cargo_files: Vec<(&str, &str)> = cargo.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let npm_files: Vec<(&str, &str)> = npm.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let (c, c_err) = crate::parse::packages::cargo::load(&cargo_files);
    let (n, n_err) = crate::parse::packages::npm::load(&npm_files);
    out.cargo = c;
    // Built-in detection takes a package.json with a name and a version.
    out.npm = n.into_iter().filter(|p| p.version.is_some()).collect();
    for e in c_err.iter().chain(n_err.iter()) {
        let f = e.to_finding();
        out.unreadable.push((f.path.clone().unwrap_or_default(), f.message));
    }
    out.models.sort();
    out.other_json.sort();
    Ok(out)
}

/// The parent directory of a path ("" at the root).
fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

fn under(dir: &str, path: &str) -> bool {
    dir.is_empty() || path.strip_prefix(dir).is_some_and(|r| r.starts_with('/'))
}

/// Directories that cover `dirs`: each directory, or the nearest ancestor (never the root)
/// that holds two or more of them where `allowed` accepts it. Sorted, none inside another.
fn cover(dirs: &BTreeSet<String>, allowed: &dyn Fn(&str) -> bool) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for d in dirs {
        let mut best = d.clone();
        let mut a = d.as_str();
        while let Some((up, _)) = a.rsplit_once('/') {
            a = up;
            if dirs.iter().filter(|x| under(a, x)).count() >= 2 && allowed(a) {
                best = a.to_string();
            }
        }
        out.insert(best);
    }
    let all = out.clone();
    out.retain(|d| !all.iter().any(|o| o != d && under(o, d)));
    out
}

/// `dir/*.ext`, or `dir/**/*.ext` when some of `files` sit deeper than `dir`.
fn file_glob(dir: &str, ext: &str, files: &[&str]) -> String {
    let deep = files.iter().any(|f| under(dir, f) && parent(f) != dir);
    let dir = globset::escape(dir);
    match (dir.is_empty(), deep) {
        (true, false) => format!("*.{ext}"),
        (true, true) => format!("**/*.{ext}"),
        (false, false) => format!("{dir}/*.{ext}"),
        (false, true) => format!("{dir}/**/*.{ext}"),
    }
}

/// Model globs, and the non-model JSON files they match (skipped by content).
fn model_globs(l: &Layout) -> (Vec<String>, Vec<String>) {
    let mut globs = Vec::new();
    let mut skipped = BTreeSet::new();
    for ext in ["json", "smithy"] {
        let files: Vec<&str> =
            l.models.iter().map(String::as_str).filter(|p| p.ends_with(&format!(".{ext}"))).collect();
        let dirs: BTreeSet<String> = files.iter().map(|f| parent(f).to_string()).collect();
        // Merge directories only where no other JSON lives below the common parent: the glob
        // then says exactly where the models are.
        let clean = |a: &str| !l.other_json.iter().any(|o| under(a, o));
        for d in cover(&dirs, &clean) {
            let glob = file_glob(&d, ext, &files);
            if ext == "json" {
                let m = globset::Glob::new(&glob).expect("built from escaped parts").compile_matcher();
                skipped.extend(l.other_json.iter().filter(|o| m.is_match(o)).cloned());
            }
            globs.push(glob);
        }
    }
    (globs, skipped.into_iter().collect())
}

/// Package-directory globs: `dir/*` per parent directory (`dir/**` where packages nest deeper),
/// merged into a common parent (never the root). Every package found is selected, so a wider
/// glob selects nothing more.
fn package_globs(packages: &[Package]) -> Vec<String> {
    let dirs: BTreeSet<String> = packages.iter().map(|p| p.dir.clone()).collect();
    let parents: BTreeSet<String> = dirs.iter().map(|d| parent(d).to_string()).collect();
    let mut out = Vec::new();
    for p in cover(&parents, &|_| true) {
        let deep = dirs.iter().any(|d| under(&p, d) && parent(d) != p);
        let g = globset::escape(&p);
        out.push(match (p.is_empty(), deep) {
            (true, _) if dirs.contains("") => ".".to_string(),
            (true, false) => "*".to_string(),
            (true, true) => "**".to_string(),
            (false, false) => format!("{g}/*"),
            (false, true) => format!("{g}/**"),
        });
    }
    // A package at the repository root is selected by ".", one level below by "*".
    if dirs.contains("") && !out.iter().any(|g| g == ".") {
        out.insert(0, ".".into());
    }
    out
}

/// One proposed `ignore_files` entry with its evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Ignored {
    path: String,
    package: String,
    /// The releases it changed in while the package's version did not.
    releases: Vec<String>,
    /// Releases learned from.
    of: usize,
}

/// Files that changed in most of the last releases while their package's version did not.
fn learn_ignore_files(repo: &Repo, config: &LoadedConfig, releases: &[Tag]) -> Result<Vec<Ignored>, EngineError> {
    let pairs = crate::engine::replay::pairs(repo, releases);
    let skip = pairs.len().saturating_sub(LEARN_RELEASES);
    let pairs = &pairs[skip..];
    let analyzer = Analyzer::new(repo, config);
    let mut seen: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for &(j, i) in pairs {
        let (a, b) = (Snapshot::Commit(releases[j].2.clone()), Snapshot::Commit(releases[i].2.clone()));
        let (ta, tb) = (analyzer.package_tree(&a)?, analyzer.package_tree(&b)?);
        let changed: Vec<String> = repo.diff(&a, &b)?.into_iter().map(|c| c.path).collect();
        for c in diff_trees(&ta, &tb, &changed, &[crate::rules::release::lockfiles()]) {
            let head = tb.packages.get(&(c.ecosystem, c.name.clone()));
            let publish = head.is_some_and(|p| p.publish);
            // Only what ChangedWithoutVersionBump would block on: a placeholder version has no
            // bump to check.
            let placeholder = head.and_then(Package::semver).is_some_and(|v| crate::rules::release::is_placeholder(&v));
            if !publish || placeholder || c.old_version.is_none() || c.version_changed() {
                continue;
            }
            for f in &c.changed_files {
                seen.entry((f.clone(), c.name.clone())).or_default().push(releases[i].1.clone());
            }
        }
    }
    let n = pairs.len();
    // "Most": more than half of the releases learned from, and at least three of them.
    let mut out: Vec<Ignored> = seen
        .into_iter()
        .filter(|(_, r)| r.len() >= 3 && r.len() * 2 > n)
        .map(|((path, package), releases)| Ignored { path, package, releases, of: n })
        .collect();
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

fn list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("{s:?}")).collect();
    format!("[{}]", quoted.join(", "))
}

fn names(paths: &[String], max: usize) -> String {
    let mut s: Vec<&str> = paths.iter().take(max).map(|p| p.rsplit('/').next().unwrap_or(p)).collect();
    let more = paths.len().saturating_sub(max);
    let more = if more > 0 { format!(" and {more} more") } else { String::new() };
    s.dedup();
    format!("{}{more}", s.join(", "))
}

/// Everything the proposal says.
struct Proposal<'a> {
    rev: &'a str,
    family: Option<TagFamily>,
    mainline: Option<Mainline>,
    layout: &'a Layout,
    ignored: &'a [Ignored],
}

fn render(p: &Proposal) -> String {
    let l = p.layout;
    let mut s = String::new();
    let _ = writeln!(s, "# shipgate.toml: proposed by `shipgate init` from {} and its release history.", p.rev);
    let _ = writeln!(
        s,
        "# Every key is optional; a key left out keeps built-in detection, an empty list turns that kind off."
    );
    match &p.mainline {
        Some(m) => {
            let _ = writeln!(s, "mainline = {:?}                # {}", m.name, m.why);
        }
        None => {
            let _ = writeln!(
                s,
                "# mainline = \"origin/main\"      # no branch found: set the branch releases are cut from"
            );
        }
    }
    match &p.family {
        Some(f) => {
            let _ = writeln!(s, "release_tags = {:?}          # {} of the {} tags", f.glob, f.count, f.total);
        }
        None => {
            let _ = writeln!(
                s,
                "# release_tags = \"v*\"          # no tag names a version yet: set the glob your release tags will follow"
            );
        }
    }

    let (globs, skipped) = model_globs(l);
    let _ = writeln!(s, "\n[models]");
    let json = l.models.iter().filter(|m| m.ends_with(".json")).count();
    let _ = writeln!(s, "# {} Smithy model(s): {json} JSON AST, {} IDL", l.models.len(), l.models.len() - json);
    if !skipped.is_empty() {
        let _ = writeln!(
            s,
            "# {} JSON file(s) these globs match are not Smithy models (no top-level \"smithy\" and \"shapes\"),",
            skipped.len()
        );
        let _ = writeln!(s, "# so they are never read as models: {}", names(&skipped, 6));
    }
    let _ = writeln!(s, "smithy = {}", list(&globs));

    let _ = writeln!(s, "\n[packages]");
    for (key, pkgs) in [("cargo", &l.cargo), ("npm", &l.npm)] {
        let publishable = pkgs.iter().filter(|p| p.publish).count();
        if pkgs.is_empty() {
            let _ = writeln!(s, "{key} = []                          # no {key} packages found");
        } else if publishable == 0 {
            let _ = writeln!(
                s,
                "# {} {key} package(s), none publishable ({}): nothing to check; list their directories to check them",
                pkgs.len(),
                names(&pkgs.iter().map(|p| p.name.clone()).collect::<Vec<_>>(), 3)
            );
            let _ = writeln!(s, "{key} = []");
        } else {
            let _ = writeln!(
                s,
                "# {} {key} package(s), {publishable} publishable (package directories; `**` takes nested ones)",
                pkgs.len()
            );
            let _ = writeln!(s, "{key} = {}", list(&package_globs(pkgs)));
        }
    }
    for (path, why) in &l.unreadable {
        let _ = writeln!(s, "# could not read {path}: {why}");
    }
    let _ = writeln!(s, "exclude = []                        # package-name globs never checked");
    let _ = writeln!(
        s,
        "# Lockfiles (Cargo.lock, package-lock.json, …) never need a bump; the files below changed in most"
    );
    let _ = writeln!(
        s,
        "# of the last releases while their package's version did not, so a release process rewrites them."
    );
    if p.ignored.is_empty() {
        let _ = writeln!(s, "ignore_files = []");
    } else {
        let _ = writeln!(s, "ignore_files = [");
        for i in p.ignored {
            let _ = writeln!(
                s,
                "  # {}: changed in {} of the last {} releases, version unchanged: {}",
                i.package,
                i.releases.len(),
                i.of,
                i.releases.join(", ")
            );
            let _ = writeln!(s, "  {:?},", globset::escape(&i.path));
        }
        let _ = writeln!(s, "]");
    }
    let _ = writeln!(s, "required = []                       # packages that must ship whatever the closure says");
    let _ = writeln!(s, "\n# [[packages.generated_from]]      # a breaking change in the model needs a major bump");
    let _ = writeln!(s, "# package = \"my-sdk\"\n# model = \"models/my-service.json\"");
    let _ = writeln!(
        s,
        "\n# [[alignment]]\n# name = \"runtime\"\n# packages = [\"my-runtime-*\"]\n# policy = \"same-version\""
    );
    let _ = writeln!(s, "\n[rules]\n# ChangedMemberOrder = \"warning\"   # re-level a rule; \"off\" disables it");
    s
}

/// A proposal must load: a starter that fails validation would be a bad first experience.
fn load(text: &str) -> Result<LoadedConfig, CliError> {
    Ok(LoadedConfig::parse("shipgate.toml (proposed)", text).map_err(EngineError::from)?)
}

pub fn run(repo_path: &Path, rev: &str, write: bool, style: Style) -> Result<u8, CliError> {
    let repo = Repo::open(repo_path).map_err(EngineError::from)?;
    let snap = repo.snapshot(rev).map_err(EngineError::from)?;
    let every = globset::Glob::new("*").expect("a glob").compile_matcher();
    let mut tags = Vec::new();
    for (name, id) in repo.tags_matching(&every) {
        let time = repo.commit(id).map_err(EngineError::from)?.time;
        tags.push((name, time));
    }
    let family = tag_family(&tags);
    let releases = match &family {
        Some(f) => {
            let m = globset::Glob::new(&f.glob).expect("built from an escaped prefix").compile_matcher();
            crate::history::release_tags(&repo, &m).map_err(EngineError::from)?
        }
        None => Vec::new(),
    };
    let layout = layout(&repo, &snap)?;
    let mut proposal =
        Proposal { rev, mainline: mainline(&repo, &releases), family: family.clone(), layout: &layout, ignored: &[] };
    let first = load(&render(&proposal))?;
    let ignored = learn_ignore_files(&repo, &first, &releases)?;
    proposal.ignored = &ignored;
    let text = render(&proposal);
    let config = load(&text)?;
    if write {
        let dir = repo
            .workdir()
            .ok_or_else(|| usage("--write needs a work tree", "run without --write and redirect stdout"))?;
        let path = dir.join("shipgate.toml");
        if std::fs::symlink_metadata(&path).is_ok() {
            return Err(usage(
                format!("{} already exists", path.display()),
                "remove it first, or run without --write to see the proposal",
            ));
        }
        std::fs::write(&path, &text)
            .map_err(|e| CliError::Write { path: path.display().to_string(), detail: e.to_string() })?;
        eprintln!("wrote {}", path.display());
    } else {
        print(&text)?;
    }
    // The proof: the last releases replayed with exactly this proposal.
    if releases.len() < 2 {
        eprintln!("note: fewer than two release tags, so there is no release history to replay the proposal on");
        return Ok(0);
    }
    let req = crate::engine::replay::ReplayRequest {
        repo: repo_path.to_path_buf(),
        config: None,
        fail_on: crate::finding::Severity::Danger,
        last: Some(LEARN_RELEASES),
        since: None,
        today: super::today(&None),
    };
    let mut config = config;
    config.origin = "the proposal above".into();
    let replay = crate::engine::replay::replay_with(&repo, &config, &req)?;
    eprintln!("\nThe last {} release(s) replayed with this proposal:\n", replay.releases.len());
    eprint!("{}", crate::report::replay::table(&replay, style));
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(names: &[&str]) -> Vec<(String, i64)> {
        names.iter().enumerate().map(|(i, n)| (n.to_string(), i as i64)).collect()
    }

    #[test]
    fn release_tags_are_the_glob_most_tags_share_never_star() {
        let f = tag_family(&tags(&["release-2024-01-10", "release-2024-01-18", "v1.0", "nightly"])).expect("family");
        assert_eq!((f.glob.as_str(), f.count, f.total), ("release-*", 2, 4));
        let f = tag_family(&tags(&["v1.0.0", "v1.1.0", "very-old", "release-1"])).expect("family");
        assert_eq!(f.glob, "v[0-9]*", "`v*` would take `very-old`");
        let f = tag_family(&tags(&["1.0", "1.1", "2.0"])).expect("family");
        assert_eq!(f.glob, "[0-9]*");
        assert_eq!(tag_family(&tags(&["latest", "stable"])), None);
    }

    #[test]
    fn model_globs_merge_clean_directories_and_name_the_json_that_is_not_a_model() {
        let l = Layout {
            models: vec![
                "aws/sdk/aws-models/s3.json".into(),
                "aws/sdk/aws-models/sts.json".into(),
                "models/a/service/1/a.json".into(),
                "models/b/service/2/b.json".into(),
                "idl/main.smithy".into(),
            ],
            other_json: vec!["aws/sdk/aws-models/sdk-endpoints.json".into(), "tests/data/x.json".into()],
            ..Layout::default()
        };
        let (globs, skipped) = model_globs(&l);
        assert_eq!(globs, vec!["aws/sdk/aws-models/*.json", "models/**/*.json", "idl/*.smithy"]);
        assert_eq!(skipped, vec!["aws/sdk/aws-models/sdk-endpoints.json"]);
    }

    #[test]
    fn package_globs_are_directory_globs() {
        let pkg = |dir: &str| Package {
            ecosystem: crate::parse::packages::model::Ecosystem::Cargo,
            name: dir.rsplit('/').next().unwrap_or(dir).into(),
            version: Some("1.0.0".into()),
            dir: dir.into(),
            manifest_path: format!("{dir}/Cargo.toml"),
            publish: true,
            deps: Vec::new(),
            version_line: None,
            workspace_root: None,
            source_commit: None,
        };
        let pkgs: Vec<Package> =
            ["rust-runtime/a", "rust-runtime/a/fuzz", "rust-runtime/b", "aws/rust-runtime/c"].map(pkg).into();
        assert_eq!(package_globs(&pkgs), vec!["aws/rust-runtime/*", "rust-runtime/**"]);
    }
}
