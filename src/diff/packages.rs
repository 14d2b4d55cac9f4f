//! Package trees (Cargo and npm) at one snapshot, and what changed between two of them.
//!
//! Input is plain data: every `Cargo.toml` and `package.json` of a snapshot as `(repo-relative
//! path, bytes)`. [`load_tree`] parses them (`parse::cargo`, `parse::npm`), resolves workspace
//! inheritance, applies the `[packages]` selection and returns a [`PackageTree`]. [`diff_trees`]
//! compares two trees and attributes changed files to the package that owns them.
//!
//! Invariants:
//! - Paths are repo-relative with `/` separators; the repository root is the empty string.
//! - A manifest that cannot be read is never a panic and never aborts the tree: it becomes a
//!   `MalformedManifest` finding in [`PackageTree::problems`] and the manifest is skipped. The
//!   only hard error of [`load_tree`] is a bad selection glob (a config problem, exit 2).
//! - Everything is sorted (`BTreeMap`), so every output built from a tree is byte-stable.
use crate::finding::{Finding, Severity};
use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use miette::{NamedSource, SourceSpan};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// Which package manager a package belongs to. Ordered so Cargo sorts before npm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Ecosystem {
    Cargo,
    Npm,
}

impl Ecosystem {
    pub fn as_str(self) -> &'static str {
        match self {
            Ecosystem::Cargo => "cargo",
            Ecosystem::Npm => "npm",
        }
    }

    /// Parses `cargo` / `npm` (case-insensitive).
    pub fn parse(s: &str) -> Option<Ecosystem> {
        match s.to_ascii_lowercase().as_str() {
            "cargo" | "crate" | "crates" | "rust" => Some(Ecosystem::Cargo),
            "npm" | "node" | "js" => Some(Ecosystem::Npm),
            _ => None,
        }
    }
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The dependency table a dependency was declared in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DepKind {
    /// Cargo `[dependencies]`, npm `dependencies`.
    Normal,
    /// Cargo `[dev-dependencies]`, npm `devDependencies`. Never shipped to users.
    Dev,
    /// Cargo `[build-dependencies]`.
    Build,
    /// npm `peerDependencies`.
    Peer,
    /// npm `optionalDependencies` (Cargo optional dependencies are `Normal` with `optional`).
    Optional,
}

impl DepKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DepKind::Normal => "normal",
            DepKind::Dev => "dev",
            DepKind::Build => "build",
            DepKind::Peer => "peer",
            DepKind::Optional => "optional",
        }
    }

    /// Whether the dependency reaches the users of the published package.
    pub fn ships(self) -> bool {
        self != DepKind::Dev
    }
}

/// One declared dependency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dependency {
    /// The real package name (after Cargo `package = "…"` renames and npm `npm:` aliases).
    pub name: String,
    /// The key as written in the manifest (differs from `name` when renamed or aliased).
    pub key: String,
    /// The requirement as written, after workspace inheritance. Cargo: `"*"` when only `path`
    /// is given. npm: the raw spec (`^1.2.0`, `workspace:^`, `file:../x`, a git URL, a tag).
    pub req: String,
    pub kind: DepKind,
    /// Repo-relative directory of a path dependency (Cargo `path`, npm `file:` / `link:`).
    pub internal_path: Option<String>,
    /// Cargo `workspace = true`, or the npm `workspace:` protocol.
    pub workspace: bool,
    pub optional: bool,
    /// Cargo `[target.'cfg(…)'.dependencies]`: the target expression.
    pub target: Option<String>,
    /// 1-based line of the dependency's key in the manifest.
    pub line: Option<u32>,
}

/// One package at one snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    pub ecosystem: Ecosystem,
    pub name: String,
    /// The version as written (after `version.workspace = true`); `None` when absent (npm
    /// private packages, Cargo packages that inherit nothing). Not necessarily valid semver: an
    /// invalid one is also a `MalformedManifest` finding.
    pub version: Option<String>,
    /// Repo-relative directory ("" for the repository root).
    pub dir: String,
    pub manifest_path: String,
    /// Publishable: Cargo `publish` not `false` / `[]`; npm not `"private": true`.
    pub publish: bool,
    pub deps: Vec<Dependency>,
    /// 1-based line of the `version` key (or of `version.workspace = true`).
    pub version_line: Option<u32>,
    /// Directory of the workspace root that owns the package, when there is one.
    pub workspace_root: Option<String>,
    /// Where the shipped version comes from, when a candidate manifest says so.
    pub source_commit: Option<String>,
}

impl Package {
    pub fn key(&self) -> (Ecosystem, String) {
        (self.ecosystem, self.name.clone())
    }

    /// The version as semver, when it is valid semver for its ecosystem.
    pub fn semver(&self) -> Option<semver::Version> {
        self.version.as_deref().and_then(parse_version)
    }
}

/// Parses a version as Cargo and npm both accept it (strict semver, an npm leading `v` or `=`
/// tolerated).
pub fn parse_version(v: &str) -> Option<semver::Version> {
    let v = v.trim();
    let v = v.strip_prefix('=').unwrap_or(v).trim();
    let v = v.strip_prefix('v').unwrap_or(v);
    semver::Version::parse(v).ok()
}

/// Every selected package of a snapshot.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageTree {
    /// Selected packages by `(ecosystem, name)`.
    pub packages: BTreeMap<(Ecosystem, String), Package>,
    /// Packages that exist in the snapshot but are outside the selection or excluded by name:
    /// never checked, but a dependency on them is not missing. Value: manifest path.
    pub others: BTreeMap<(Ecosystem, String), String>,
    /// Packages of the tree that a release-candidate manifest did not select (see
    /// `rules::release::apply_candidate`): they exist but do not ship.
    pub unshipped: BTreeMap<(Ecosystem, String), Package>,
    /// Recoverable problems found while loading (`MalformedManifest`, `InternalDependencyCycle`).
    pub problems: Vec<Finding>,
    /// The directory of every manifest of the snapshot, selected or not, readable or not
    /// (workspace roots, nested fuzz crates, excluded packages): package boundaries. A file
    /// belongs to the innermost one, as `cargo package` leaves out subdirectories that have
    /// their own `Cargo.toml`.
    #[serde(default)]
    pub manifest_dirs: BTreeSet<(Ecosystem, String)>,
    /// `[packages] exclude`: package-name globs never checked. A dependency on such a name is
    /// never missing, whether or not the package exists in the snapshot.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// The name of the package in each directory that has one (selected or not, duplicates
    /// too): what a path dependency resolves to.
    #[serde(default)]
    pub names_by_dir: BTreeMap<(Ecosystem, String), String>,
}

impl PackageTree {
    pub fn get(&self, eco: Ecosystem, name: &str) -> Option<&Package> {
        self.packages.get(&(eco, name.to_string()))
    }

    /// The selected package that owns `path` (a repo-relative file path): see [`owner_of_path`].
    pub fn package_of_path(&self, path: &str) -> Option<&Package> {
        owner_of_path(&[self], path)
    }

    /// The innermost package boundary of `eco` (a directory with a manifest) that contains
    /// `path`; `None` when no manifest of that ecosystem is above it.
    pub fn boundary_of<'p>(&self, eco: Ecosystem, path: &'p str) -> Option<&'p str> {
        let mut dir = parent_dir(path);
        loop {
            if self.is_boundary(eco, dir) {
                return Some(dir);
            }
            if dir.is_empty() {
                return None;
            }
            dir = parent_dir(dir);
        }
    }

    fn is_boundary(&self, eco: Ecosystem, dir: &str) -> bool {
        self.manifest_dirs.contains(&(eco, dir.to_string()))
    }

    /// Whether a package of that name exists in the snapshot at all (selected or not), not
    /// counting packages a candidate manifest left unshipped.
    pub fn exists(&self, eco: Ecosystem, name: &str) -> bool {
        let key = (eco, name.to_string());
        self.packages.contains_key(&key) || self.others.contains_key(&key)
    }
}

/// The selected package that owns `path` in any of `trees` (the same repository at different
/// snapshots). For each ecosystem the owner is the package of the innermost manifest directory
/// above `path`, over the boundaries of all the trees: a file inside a nested crate (`fuzz/`
/// with its own `[workspace]`, or any crate directory inside another crate's) belongs to the
/// nested crate, even when that crate is not selected (then it belongs to no selected
/// package), and even when the nested crate exists on one side only. Between ecosystems the
/// deeper owner wins (Npm on a tie). A package at the repository root owns every file no other
/// package owns.
pub fn owner_of_path<'t>(trees: &[&'t PackageTree], path: &str) -> Option<&'t Package> {
    [Ecosystem::Cargo, Ecosystem::Npm]
        .into_iter()
        .filter_map(|eco| {
            let dir = trees.iter().filter_map(|t| t.boundary_of(eco, path)).max_by_key(|d| d.len())?;
            trees.iter().find_map(|t| t.packages.values().find(|p| p.ecosystem == eco && p.dir == dir))
        })
        .max_by_key(|p| (p.dir.len(), p.ecosystem))
}

/// Whether the directory `dir` ("" = root) contains the file `path`.
pub fn dir_contains(dir: &str, path: &str) -> bool {
    dir.is_empty() || (path.starts_with(dir) && path.as_bytes().get(dir.len()) == Some(&b'/'))
}

/// Which manifests are packages, as configured by `[packages]` in shipgate.toml.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Selection {
    /// Package-dir or `Cargo.toml` globs (`rust-runtime/*`). `None`: every `Cargo.toml` with
    /// `[package]`. `Some([])`: Cargo off.
    pub cargo: Option<Vec<String>>,
    /// Package-dir or `package.json` globs. `None`: every `package.json` with `name` and
    /// `version`. `Some([])`: npm off.
    pub npm: Option<Vec<String>>,
    /// Package-name globs never checked (they land in [`PackageTree::others`]).
    #[serde(default)]
    pub exclude: Vec<String>,
}

/// Something wrong with a manifest or with the selection. Carries the file, a span and a help
/// line so miette renders it with the offending line; `load_tree` turns manifest errors into
/// `MalformedManifest` findings (see [`ManifestError::to_finding`]).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ManifestError {
    #[error("{path}:{line}:{column}: invalid {format}: {message}")]
    #[diagnostic(code(shipgate::manifest::syntax), help("fix the {format} syntax at the marked position"))]
    Syntax {
        path: String,
        format: &'static str,
        message: String,
        line: u32,
        column: u32,
        #[source_code]
        src: std::sync::Arc<NamedSource<String>>,
        #[label("here")]
        span: SourceSpan,
    },
    #[error("{path}:{line}:{column}: {message}")]
    #[diagnostic(code(shipgate::manifest::invalid))]
    Invalid {
        path: String,
        message: String,
        line: u32,
        column: u32,
        #[help]
        help: String,
        #[source_code]
        src: std::sync::Arc<NamedSource<String>>,
        #[label("here")]
        span: SourceSpan,
    },
    #[error("invalid package glob `{glob}`: {message}")]
    #[diagnostic(
        code(shipgate::config::glob),
        help("fix the glob under [packages] in shipgate.toml (globs are like `rust-runtime/*`)")
    )]
    Glob { glob: String, message: String },
}

impl ManifestError {
    /// A syntax error at byte `offset` of `text`.
    pub fn syntax(path: &str, format: &'static str, text: &str, offset: usize, message: impl Into<String>) -> Self {
        let (line, column) = line_col(text, offset);
        ManifestError::Syntax {
            path: path.to_string(),
            format,
            message: message.into(),
            line,
            column,
            src: std::sync::Arc::new(NamedSource::new(path, text.to_string())),
            span: span_at(text, offset),
        }
    }

    /// A well-formed file whose content is wrong, at byte `offset` of `text`.
    pub fn invalid(path: &str, text: &str, offset: usize, message: impl Into<String>, help: impl Into<String>) -> Self {
        let (line, column) = line_col(text, offset);
        ManifestError::Invalid {
            path: path.to_string(),
            message: message.into(),
            line,
            column,
            help: help.into(),
            src: std::sync::Arc::new(NamedSource::new(path, text.to_string())),
            span: span_at(text, offset),
        }
    }

    pub fn path(&self) -> Option<&str> {
        match self {
            ManifestError::Syntax { path, .. } | ManifestError::Invalid { path, .. } => Some(path),
            ManifestError::Glob { .. } => None,
        }
    }

    pub fn line(&self) -> Option<u32> {
        match self {
            ManifestError::Syntax { line, .. } | ManifestError::Invalid { line, .. } => Some(*line),
            ManifestError::Glob { .. } => None,
        }
    }

    /// The finding a malformed manifest becomes: `MalformedManifest.Syntax` / `.Invalid`,
    /// subject = the manifest path, at the offending line.
    pub fn to_finding(&self) -> Finding {
        let (event, message) = match self {
            ManifestError::Syntax { format, message, .. } => {
                ("Syntax", format!("invalid {format}: {message}; fix the file so the package can be checked"))
            }
            ManifestError::Invalid { message, help, .. } => ("Invalid", format!("{message}; {help}")),
            ManifestError::Glob { glob, message } => ("Glob", format!("invalid glob `{glob}`: {message}")),
        };
        let path = self.path().unwrap_or("shipgate.toml").to_string();
        Finding::new(format!("MalformedManifest.{event}"), Severity::Error, path.clone(), message).at(path, self.line())
    }
}

/// 1-based line and column (in characters) of byte `offset`.
pub fn line_col(text: &str, offset: usize) -> (u32, u32) {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (to_u32(line), to_u32(col))
}

/// Byte offset of the start of 1-based `line`, column `col` (characters).
pub fn offset_of(text: &str, line: usize, col: usize) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            return offset + l.char_indices().nth(col.saturating_sub(1)).map_or(l.len(), |(b, _)| b);
        }
        offset += l.len();
    }
    text.len()
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn span_at(text: &str, offset: usize) -> SourceSpan {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let len = text[offset..].chars().next().map_or(0, char::len_utf8);
    (offset, len).into()
}

pub(crate) fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Joins a manifest-relative path onto a repo-relative directory and normalises `.` and `..`.
/// `None` when the result escapes the repository.
pub fn join_path(dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> =
        if rel.starts_with('/') { Vec::new() } else { dir.split('/').filter(|s| !s.is_empty()).collect() };
    for seg in rel.split(['/', '\\']) {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// The directory of a repo-relative file path ("" at the root).
pub fn parent_dir(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

/// A glob matcher with `*` not crossing `/` (as Cargo workspace members and npm workspaces).
pub fn glob_set(globs: &[String]) -> Result<GlobSet, ManifestError> {
    let mut b = GlobSetBuilder::new();
    for g in globs {
        let trimmed = g.trim().trim_start_matches("./").trim_end_matches('/');
        let glob = GlobBuilder::new(trimmed)
            .literal_separator(true)
            .build()
            .map_err(|e| ManifestError::Glob { glob: g.clone(), message: e.kind().to_string() })?;
        b.add(glob);
    }
    b.build().map_err(|e| ManifestError::Glob { glob: globs.join(", "), message: e.to_string() })
}

/// A name matcher for package-name globs (`aws-smithy-*`, `@scope/*`): `*` may match `/` so
/// `@smithy/*` behaves as users expect for scoped names.
pub fn name_glob_set(globs: &[String]) -> Result<GlobSet, ManifestError> {
    let mut b = GlobSetBuilder::new();
    for g in globs {
        let glob =
            Glob::new(g.trim()).map_err(|e| ManifestError::Glob { glob: g.clone(), message: e.kind().to_string() })?;
        b.add(glob);
    }
    b.build().map_err(|e| ManifestError::Glob { glob: globs.join(", "), message: e.to_string() })
}

/// Whether a manifest at `manifest_path` is selected by `globs` (matching its directory, or
/// the manifest path itself).
fn selected(globs: &GlobSet, manifest_path: &str) -> bool {
    let dir = parent_dir(manifest_path);
    globs.is_match(manifest_path) || globs.is_match(if dir.is_empty() { "." } else { dir })
}

/// Parses every manifest and builds the selected tree.
///
/// `files`: every `Cargo.toml` and `package.json` of the snapshot (repo-relative path, bytes),
/// including workspace roots; other files are ignored. Malformed manifests become findings in
/// [`PackageTree::problems`]; the error is only for a bad glob in `sel`.
pub fn load_tree(files: &[(String, Vec<u8>)], sel: &Selection) -> Result<PackageTree, ManifestError> {
    let cargo_globs = sel.cargo.as_deref().map(glob_set).transpose()?;
    let npm_globs = sel.npm.as_deref().map(glob_set).transpose()?;
    let exclude = name_glob_set(&sel.exclude)?;
    let mut tree = PackageTree { exclude: sel.exclude.clone(), ..PackageTree::default() };
    let mut found: Vec<Package> = Vec::new();

    let mut sorted: Vec<&(String, Vec<u8>)> = files.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let texts: Vec<(&str, String)> = sorted
        .iter()
        .filter(|(p, _)| is_manifest(p))
        .map(|(p, b)| (p.as_str(), String::from_utf8_lossy(b).into_owned()))
        .collect();
    for (p, _) in &texts {
        let eco = if file_name(p) == "Cargo.toml" { Ecosystem::Cargo } else { Ecosystem::Npm };
        tree.manifest_dirs.insert((eco, parent_dir(p).to_string()));
    }

    let cargo_files: Vec<(&str, &str)> =
        texts.iter().filter(|(p, _)| file_name(p) == "Cargo.toml").map(|(p, t)| (*p, t.as_str())).collect();
    let npm_files: Vec<(&str, &str)> =
        texts.iter().filter(|(p, _)| file_name(p) == "package.json").map(|(p, t)| (*p, t.as_str())).collect();

    let (cargo_pkgs, cargo_problems) = crate::parse::cargo::load(&cargo_files);
    let (npm_pkgs, npm_problems) = crate::parse::npm::load(&npm_files);
    tree.problems.extend(cargo_problems.iter().map(ManifestError::to_finding));
    tree.problems.extend(npm_problems.iter().map(ManifestError::to_finding));

    for p in cargo_pkgs {
        let on = cargo_globs.as_ref().is_none_or(|g| selected(g, &p.manifest_path));
        if on {
            found.push(p);
        } else {
            tree.others.insert(p.key(), p.manifest_path);
        }
    }
    for p in npm_pkgs {
        // Detection needs name and version; an explicit glob also takes version-less packages.
        let on = match &npm_globs {
            None => p.version.is_some(),
            Some(g) => selected(g, &p.manifest_path),
        };
        if on {
            found.push(p);
        } else {
            tree.others.insert(p.key(), p.manifest_path);
        }
    }

    for p in &found {
        tree.names_by_dir.insert((p.ecosystem, p.dir.clone()), p.name.clone());
    }
    for (key, path) in &tree.others {
        tree.names_by_dir.insert((key.0, parent_dir(path).to_string()), key.1.clone());
    }
    for p in found {
        if exclude.is_match(&p.name) {
            tree.others.insert(p.key(), p.manifest_path);
            continue;
        }
        if let Some(first) = tree.packages.get(&p.key()) {
            // Cargo allows one name in several workspaces (fuzz crates, examples) as long as
            // they are not published; only two publishable packages of one name collide on
            // the registry. The publishable one is the package; an unpublished twin is skipped.
            if first.publish && p.publish {
                let msg = format!(
                    "package `{}` is declared twice ({} and {}) and both are publishable; rename one, mark one `publish = false`, or exclude it under [packages]",
                    p.name, first.manifest_path, p.manifest_path
                );
                tree.problems.push(
                    Finding::new("MalformedManifest.DuplicateName", Severity::Error, p.name.clone(), msg)
                        .keyed(&p.manifest_path)
                        .at(p.manifest_path.clone(), None),
                );
                continue;
            }
            if first.publish || !p.publish {
                continue;
            }
        }
        if let Some(v) = &p.version
            && parse_version(v).is_none()
        {
            let msg = format!("version `{v}` of {} is not semver; use a version like 1.2.3", p.name);
            tree.problems.push(
                Finding::new("MalformedManifest.Version", Severity::Error, p.name.clone(), msg)
                    .at(p.manifest_path.clone(), p.version_line),
            );
        }
        tree.packages.insert(p.key(), p);
    }
    tree.problems.extend(dependency_cycles(&tree));
    crate::finding::sort_findings(&mut tree.problems);
    Ok(tree)
}

fn is_manifest(path: &str) -> bool {
    matches!(file_name(path), "Cargo.toml" | "package.json") && !path.split('/').any(|s| s == "node_modules")
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The name of the in-repo package a dependency resolves to, when it resolves inside the
/// repository: a path dependency (Cargo `path`, a workspace dependency with a path, npm `file:`
/// / `link:`) names the package in that directory, or the name it asks for when the directory
/// has none in this snapshot; an npm `workspace:` dependency names its package. A registry
/// requirement is never internal, even on the name of an in-repo package
/// (`foo-065 = { package = "foo", version = "0.65" }` pins an older published line on purpose).
pub fn internal_name(tree: &PackageTree, pkg: &Package, dep: &Dependency) -> Option<String> {
    match &dep.internal_path {
        Some(dir) => {
            Some(tree.names_by_dir.get(&(pkg.ecosystem, dir.clone())).cloned().unwrap_or_else(|| dep.name.clone()))
        }
        None if dep.workspace && pkg.ecosystem == Ecosystem::Npm => Some(dep.name.clone()),
        None => None,
    }
}

/// The selected package a dependency resolves to inside the repository ([`internal_name`]).
pub fn internal_target<'t>(tree: &'t PackageTree, pkg: &Package, dep: &Dependency) -> Option<&'t Package> {
    internal_name(tree, pkg, dep).and_then(|n| tree.get(pkg.ecosystem, &n))
}

/// `InternalDependencyCycle`: strongly connected components of size > 1 (or self-loops) in the
/// graph of shipped (non-dev) dependencies between selected packages. Dev-dependency cycles are
/// legal in both Cargo and npm and are not reported.
fn dependency_cycles(tree: &PackageTree) -> Vec<Finding> {
    let keys: Vec<&(Ecosystem, String)> = tree.packages.keys().collect();
    let index: BTreeMap<&(Ecosystem, String), usize> = keys.iter().enumerate().map(|(i, k)| (*k, i)).collect();
    let edges: Vec<Vec<usize>> = tree
        .packages
        .values()
        .map(|p| {
            let set: BTreeSet<usize> = p
                .deps
                .iter()
                .filter(|d| d.kind.ships())
                .filter_map(|d| internal_name(tree, p, d))
                .filter_map(|n| index.get(&(p.ecosystem, n)).copied())
                .collect();
            set.into_iter().collect()
        })
        .collect();
    let mut out = Vec::new();
    for comp in tarjan(&edges) {
        let self_loop = comp.len() == 1 && edges[comp[0]].contains(&comp[0]);
        if comp.len() < 2 && !self_loop {
            continue;
        }
        let mut names: Vec<&str> = comp.iter().map(|i| keys[*i].1.as_str()).collect();
        names.sort();
        let first =
            tree.packages.get(keys[*comp.iter().min().expect("component is not empty")]).expect("key from tree");
        let line = first.deps.iter().find(|d| d.kind.ships() && names.contains(&d.name.as_str())).and_then(|d| d.line);
        let msg = format!(
            "internal packages depend on each other in a cycle ({}); break it (move shared code into its own package or make one edge a dev-dependency)",
            names.join(", ")
        );
        out.push(
            Finding::new("InternalDependencyCycle", Severity::Error, first.name.clone(), msg)
                .keyed(&names.join(","))
                .at(first.manifest_path.clone(), line),
        );
    }
    out
}

/// Tarjan's strongly connected components, iterative (no recursion depth limit).
fn tarjan(edges: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let n = edges.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut comps = Vec::new();
    let mut next = 0;
    for start in 0..n {
        if index[start] != usize::MAX {
            continue;
        }
        let mut work = vec![(start, 0usize)];
        while let Some(&mut (v, ref mut ei)) = work.last_mut() {
            if *ei == 0 && index[v] == usize::MAX {
                index[v] = next;
                low[v] = next;
                next += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if let Some(&w) = edges[v].get(*ei) {
                *ei += 1;
                if index[w] == usize::MAX {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(u, _)) = work.last() {
                low[u] = low[u].min(low[v]);
            }
            if low[v] == index[v] {
                let mut comp = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    comp.push(w);
                    if w == v {
                        break;
                    }
                }
                comps.push(comp);
            }
        }
    }
    comps
}

/// How a package differs between two trees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PackageStatus {
    Added,
    Removed,
    Modified,
    Unchanged,
}

/// A dependency requirement that differs between two trees (`None`: not declared on that side).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct DepChange {
    pub name: String,
    /// The key as written (`http-1x` for `http-1x = { package = "http", … }`): one package may
    /// depend on two major lines of one crate under two keys.
    pub key: String,
    pub kind: DepKind,
    pub target: Option<String>,
    pub old_req: Option<String>,
    pub new_req: Option<String>,
}

/// One package's change between an old and a new tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackageChange {
    pub ecosystem: Ecosystem,
    pub name: String,
    pub status: PackageStatus,
    pub old_version: Option<String>,
    pub new_version: Option<String>,
    pub dep_changes: Vec<DepChange>,
    /// Changed files the package owns (not matched by `ignore_files`), sorted.
    pub changed_files: Vec<String>,
}

impl PackageChange {
    pub fn version_changed(&self) -> bool {
        self.old_version != self.new_version
    }
}

/// Compares two trees. `changed_files` are the repo-relative paths that changed between them;
/// each is attributed to the package of its innermost package directory on either side
/// ([`owner_of_path`]; the new tree's package first), unless `ignore` matches it. Sorted by
/// `(ecosystem, name)`.
pub fn diff_trees(
    old: &PackageTree,
    new: &PackageTree,
    changed_files: &[String],
    ignore: &GlobSet,
) -> Vec<PackageChange> {
    let mut files: BTreeMap<(Ecosystem, String), Vec<String>> = BTreeMap::new();
    for f in changed_files {
        if ignore.is_match(f) {
            continue;
        }
        if let Some(p) = owner_of_path(&[new, old], f) {
            files.entry(p.key()).or_default().push(f.clone());
        }
    }
    let keys: BTreeSet<&(Ecosystem, String)> = old.packages.keys().chain(new.packages.keys()).collect();
    keys.into_iter()
        .map(|key| {
            let (o, n) = (old.packages.get(key), new.packages.get(key));
            let mut changed = files.remove(key).unwrap_or_default();
            changed.sort();
            changed.dedup();
            let dep_changes = dep_changes(o, n);
            let status = match (o, n) {
                (None, _) => PackageStatus::Added,
                (_, None) => PackageStatus::Removed,
                (Some(o), Some(n)) if o.version != n.version || !dep_changes.is_empty() || !changed.is_empty() => {
                    PackageStatus::Modified
                }
                _ => PackageStatus::Unchanged,
            };
            PackageChange {
                ecosystem: key.0,
                name: key.1.clone(),
                status,
                old_version: o.and_then(|p| p.version.clone()),
                new_version: n.and_then(|p| p.version.clone()),
                dep_changes,
                changed_files: changed,
            }
        })
        .collect()
}

/// One declaration: `(name, key, table, target)`. Renamed keys (`http` and `http-1x`), the
/// three tables and every `[target.…]` table are separate declarations, so none overwrites
/// another.
type DepKey = (String, String, DepKind, Option<String>);

fn dep_map(p: Option<&Package>) -> BTreeMap<DepKey, String> {
    p.map(|p| {
        p.deps.iter().map(|d| ((d.name.clone(), d.key.clone(), d.kind, d.target.clone()), d.req.clone())).collect()
    })
    .unwrap_or_default()
}

fn dep_changes(old: Option<&Package>, new: Option<&Package>) -> Vec<DepChange> {
    let (o, n) = (dep_map(old), dep_map(new));
    let keys: BTreeSet<&DepKey> = o.keys().chain(n.keys()).collect();
    keys.into_iter()
        .filter(|k| o.get(*k) != n.get(*k))
        .map(|k| DepChange {
            name: k.0.clone(),
            key: k.1.clone(),
            kind: k.2,
            target: k.3.clone(),
            old_req: o.get(k).cloned(),
            new_req: n.get(k).cloned(),
        })
        .collect()
}

/// Proposes `[packages]` globs for `shipgate init` from where packages live: a directory
/// holding two or more packages becomes `dir/*`, a lone package its own directory (`.` for the
/// repository root). An ecosystem with no package gets `Some([])` (off), so the written config
/// says so explicitly. Detection as with no config (Cargo `[package]`, npm name + version).
pub fn propose_globs(files: &[(String, Vec<u8>)]) -> Selection {
    let tree = load_tree(files, &Selection::default()).expect("detection uses no globs, so it cannot fail");
    let propose = |eco: Ecosystem| {
        let dirs: Vec<&str> = tree.packages.values().filter(|p| p.ecosystem == eco).map(|p| p.dir.as_str()).collect();
        let mut per_parent: BTreeMap<&str, usize> = BTreeMap::new();
        for d in dirs.iter().filter(|d| !d.is_empty()) {
            *per_parent.entry(parent_dir(d)).or_default() += 1;
        }
        let globs: BTreeSet<String> = dirs
            .iter()
            .map(|d| match d {
                &"" => ".".to_string(),
                d if per_parent[parent_dir(d)] >= 2 => {
                    let parent = parent_dir(d);
                    if parent.is_empty() { "*".to_string() } else { format!("{parent}/*") }
                }
                d => d.to_string(),
            })
            .collect();
        Some(globs.into_iter().collect::<Vec<_>>())
    };
    Selection { cargo: propose(Ecosystem::Cargo), npm: propose(Ecosystem::Npm), exclude: Vec::new() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_join_and_contain() {
        assert_eq!(join_path("a/b", "../c").as_deref(), Some("a/c"));
        assert_eq!(join_path("a", "./x/./y/").as_deref(), Some("a/x/y"));
        assert_eq!(join_path("", "../x"), None);
        assert!(dir_contains("a/b", "a/b/src/lib.rs"));
        assert!(!dir_contains("a/b", "a/bc/src/lib.rs"));
        assert!(dir_contains("", "anything"));
    }

    #[test]
    fn line_col_and_offsets_round_trip() {
        let t = "ab\ncdé\nf";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 4), (2, 2));
        assert_eq!(offset_of(t, 2, 2), 4);
        assert_eq!(line_col(t, offset_of(t, 3, 1)), (3, 1));
    }

    fn files(list: &[(&str, &str)]) -> Vec<(String, Vec<u8>)> {
        list.iter().map(|(p, t)| (p.to_string(), t.as_bytes().to_vec())).collect()
    }

    #[test]
    fn proposes_globs_where_packages_live() {
        let cargo = |n: &str| format!("[package]\nname = \"{n}\"\nversion = \"1.0.0\"\n");
        let f = files(&[
            ("Cargo.toml", "[workspace]\nmembers = [\"rust-runtime/*\"]\n"),
            ("rust-runtime/a/Cargo.toml", &cargo("a")),
            ("rust-runtime/b/Cargo.toml", &cargo("b")),
            ("tools/gen/Cargo.toml", &cargo("gen")),
            ("package.json", r#"{"name":"root","private":true,"workspaces":["clients/*"]}"#),
        ]);
        let sel = propose_globs(&f);
        assert_eq!(sel.cargo, Some(vec!["rust-runtime/*".to_string(), "tools/gen".to_string()]));
        assert_eq!(sel.npm, Some(vec![]));
        let tree = load_tree(&f, &sel).expect("proposed globs are valid");
        assert_eq!(tree.packages.len(), 3);
    }

    #[test]
    fn selection_globs_and_excludes() {
        let f = files(&[
            ("a/x/Cargo.toml", "[package]\nname = \"x\"\nversion = \"1.0.0\"\n"),
            ("b/y/Cargo.toml", "[package]\nname = \"y\"\nversion = \"1.0.0\"\n"),
            ("a/z/Cargo.toml", "[package]\nname = \"inlineable\"\nversion = \"1.0.0\"\n"),
            ("p/package.json", r#"{"name":"p"}"#),
        ]);
        let sel = Selection { cargo: Some(vec!["a/*".into()]), npm: None, exclude: vec!["inline*".into()] };
        let tree = load_tree(&f, &sel).expect("valid globs");
        assert_eq!(tree.packages.keys().map(|k| k.1.as_str()).collect::<Vec<_>>(), vec!["x"]);
        assert!(tree.exists(Ecosystem::Cargo, "y") && tree.exists(Ecosystem::Cargo, "inlineable"));
        assert!(tree.exists(Ecosystem::Npm, "p"), "version-less npm packages are known but not detected");
        assert_eq!(tree.package_of_path("a/x/src/lib.rs").map(|p| p.name.as_str()), Some("x"));
        assert!(tree.package_of_path("b/y/src/lib.rs").is_none());
        let bad = Selection { cargo: Some(vec!["a/[".into()]), ..Selection::default() };
        assert!(matches!(load_tree(&f, &bad), Err(ManifestError::Glob { .. })));
    }

    fn changed_of(changes: &[PackageChange], name: &str) -> Vec<String> {
        changes.iter().find(|c| c.name == name).map(|c| c.changed_files.clone()).unwrap_or_default()
    }

    // Regression: files of a nested crate (fuzz/ with its own [workspace]) were blamed on its parent.
    #[test]
    fn files_belong_to_the_innermost_package_dir() {
        let pkg = |n: &str| format!("[package]\nname = \"{n}\"\nversion = \"1.0.0\"\n");
        let fuzz =
            "[package]\nname = \"es-fuzz\"\nversion = \"0.0.0\"\npublish = false\n\n[workspace]\nmembers = [\".\"]\n";
        let base = files(&[
            ("rt/Cargo.toml", "[workspace]\nmembers = [\"*\"]\nexclude = [\"es/fuzz\"]\n"),
            ("rt/es/Cargo.toml", &pkg("es")),
            ("rt/es/fuzz/Cargo.toml", fuzz),
            ("rt/json/Cargo.toml", &pkg("json")),
            ("rt/json/tools/Cargo.toml", "[workspace]\nmembers = []\n"),
        ]);
        let mut head = base.clone();
        head.push(("rt/json/gen/Cargo.toml".into(), pkg("json-gen").into_bytes()));
        let changed: Vec<String> = [
            "rt/es/fuzz/fuzz_targets/round_trip.rs",
            "rt/es/fuzz/Cargo.toml",
            "rt/es/src/lib.rs",
            "rt/json/tools/src/main.rs",
            "rt/json/gen/src/lib.rs",
            "rt/Cargo.lock",
        ]
        .map(String::from)
        .to_vec();
        for sel in [Selection::default(), Selection { cargo: Some(vec!["rt/*".into()]), ..Selection::default() }] {
            let (old, new) = (load_tree(&base, &sel).expect("globs"), load_tree(&head, &sel).expect("globs"));
            let changes = diff_trees(&old, &new, &changed, &GlobSet::empty());
            assert_eq!(changed_of(&changes, "es"), vec!["rt/es/src/lib.rs".to_string()], "{sel:?}");
            assert!(changed_of(&changes, "json").is_empty(), "{sel:?}: {changes:#?}");
            if sel.cargo.is_none() {
                assert_eq!(changed_of(&changes, "es-fuzz").len(), 2);
                assert_eq!(changed_of(&changes, "json-gen"), vec!["rt/json/gen/src/lib.rs".to_string()]);
            }
            // A nested crate that exists on one side only still owns its files.
            let back = diff_trees(&new, &old, &changed, &GlobSet::empty());
            assert!(changed_of(&back, "json").is_empty(), "{sel:?}: {back:#?}");
        }
        let tree = load_tree(&head, &Selection::default()).expect("no globs");
        assert_eq!(tree.package_of_path("rt/es/fuzz/x.rs").map(|p| p.name.as_str()), Some("es-fuzz"));
        assert_eq!(tree.boundary_of(Ecosystem::Cargo, "rt/json/tools/src/main.rs"), Some("rt/json/tools"));
        assert_eq!(tree.boundary_of(Ecosystem::Npm, "rt/json/tools/src/main.rs"), None);
    }

    // Regression: `http` and `http-1x = { package = "http" }`, or one name in several tables,
    // overwrote each other in dependency-change tracking.
    #[test]
    fn dependency_changes_keep_keys_tables_and_targets_apart() {
        let manifest = |http: &str, http1: &str, dev: &str, wasm: &str| {
            format!(
                "[package]\nname = \"a\"\nversion = \"1.0.0\"\n\n[dependencies]\nhttp = \"{http}\"\n\
                 http-1x = {{ package = \"http\", version = \"{http1}\" }}\ntokio = \"1.25\"\n\n\
                 [dev-dependencies]\ntokio = \"{dev}\"\n\n[target.'cfg(target_family = \"wasm\")'.dependencies]\ntokio = \"{wasm}\"\n"
            )
        };
        let tree = |t: String| load_tree(&files(&[("a/Cargo.toml", &t)]), &Selection::default()).expect("no globs");
        let old = tree(manifest("0.2.9", "1", "1.25", "1.25"));
        assert_eq!(old.get(Ecosystem::Cargo, "a").expect("a").deps.len(), 5);
        assert!(dep_changes(old.packages.values().next(), old.packages.values().next()).is_empty());
        let new = tree(manifest("0.2.12", "1", "1.40", "1.25"));
        let changes = dep_changes(old.packages.values().next(), new.packages.values().next());
        let got: Vec<String> = changes
            .iter()
            .map(|c| format!("{} {} {:?}: {:?} -> {:?}", c.name, c.key, c.kind, c.old_req, c.new_req))
            .collect();
        assert_eq!(
            got,
            vec![
                "http http Normal: Some(\"0.2.9\") -> Some(\"0.2.12\")",
                "tokio tokio Dev: Some(\"1.25\") -> Some(\"1.40\")",
            ]
        );
        let new = tree(manifest("0.2.9", "1.1", "1.25", "1.40"));
        let changes = dep_changes(old.packages.values().next(), new.packages.values().next());
        let got: Vec<(&str, Option<&str>)> = changes.iter().map(|c| (c.key.as_str(), c.target.as_deref())).collect();
        assert_eq!(got, vec![("http-1x", None), ("tokio", Some("cfg(target_family = \"wasm\")"))]);
    }

    #[test]
    fn tarjan_finds_cycles_only() {
        let comps = tarjan(&[vec![1], vec![2], vec![0], vec![]]);
        assert!(comps.iter().any(|c| c.len() == 3));
        assert!(comps.iter().any(|c| c == &vec![3]));
    }
}
