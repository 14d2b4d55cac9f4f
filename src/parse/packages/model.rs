//! The package data model: Cargo and npm packages, their dependencies, one snapshot's tree of
//! selected packages, and the manifest error that points at a file, line and column.
//!
//! Invariants:
//! - Paths are repo-relative with `/` separators; the repository root is the empty string.
//! - Everything is sorted (`BTreeMap`), so every output built from a tree is byte-stable.
//!
//! May depend on: `finding`, `globs`, `text`.
use crate::finding::{Finding, Severity};
use crate::globs::NameGlobs;
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
    pub exclude: NameGlobs,
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
        // One key, refilled for each level (this runs for every changed file of every snapshot
        // pair a history search compares).
        let mut key = (eco, String::with_capacity(dir.len()));
        loop {
            key.1.clear();
            key.1.push_str(dir);
            if self.manifest_dirs.contains(&key) {
                return Some(dir);
            }
            if dir.is_empty() {
                return None;
            }
            dir = parent_dir(dir);
        }
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
            let key = (eco, dir.to_string());
            trees.iter().find_map(|t| {
                // The package the directory names, when it is that one; else a scan.
                match t.names_by_dir.get(&key).and_then(|name| t.get(eco, name)) {
                    Some(p) if p.dir == dir => Some(p),
                    _ => t.packages.values().find(|p| p.ecosystem == eco && p.dir == dir),
                }
            })
        })
        .max_by_key(|p| (p.dir.len(), p.ecosystem))
}

/// Whether the directory `dir` ("" = root) contains the file `path`.
pub fn dir_contains(dir: &str, path: &str) -> bool {
    dir.is_empty() || (path.starts_with(dir) && path.as_bytes().get(dir.len()) == Some(&b'/'))
}

/// Something wrong with a manifest. Carries the file, a span and a help
/// line so miette renders it with the offending line; `load_tree` turns manifest errors into
/// `MalformedManifest` findings (see [`ManifestError::to_finding`]).
#[derive(Debug, Clone, thiserror::Error, miette::Diagnostic)]
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
}

impl ManifestError {
    /// A syntax error at byte `offset` of `text`.
    pub fn syntax(path: &str, format: &'static str, text: &str, offset: usize, message: impl Into<String>) -> Self {
        let (line, column) = crate::text::line_col(text.as_bytes(), offset);
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
        let (line, column) = crate::text::line_col(text.as_bytes(), offset);
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
        }
    }

    pub fn line(&self) -> Option<u32> {
        match self {
            ManifestError::Syntax { line, .. } | ManifestError::Invalid { line, .. } => Some(*line),
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
        };
        let path = self.path().unwrap_or("shipgate.toml").to_string();
        Finding::new(format!("MalformedManifest.{event}"), Severity::Error, path.clone(), message).at(path, self.line())
    }
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
}
