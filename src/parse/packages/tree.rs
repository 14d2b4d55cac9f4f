//! One snapshot's package tree: every `Cargo.toml` and `package.json` of a snapshot as
//! `(repo-relative path, bytes)` in, a [`PackageTree`] out. [`load_tree`] parses them
//! ([`super::cargo`], [`super::npm`]), resolves workspace inheritance and applies the `[packages]`
//! selection.
//!
//! Invariants:
//! - A manifest that cannot be read is never a panic and never aborts the tree: it becomes a
//!   `MalformedManifest` finding in [`PackageTree::problems`] and the manifest is skipped.
//!   [`load_tree`] has no hard error: the selection's globs were compiled when the config loaded.
//!
//! May depend on: `finding`, `globs`.
use super::model::{Ecosystem, ManifestError, Package, PackageTree, parent_dir, parse_version};
use crate::finding::{Finding, Severity};
use crate::globs::{GlobError, NameGlobs, PathGlobs};
use serde::{Deserialize, Serialize};

/// Which manifests are packages, as configured by `[packages]` in shipgate.toml, compiled.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Selection {
    /// Package-dir or `Cargo.toml` globs (`rust-runtime/*`). `None`: every `Cargo.toml` with
    /// `[package]`. `Some([])`: Cargo off.
    pub cargo: Option<PathGlobs>,
    /// Package-dir or `package.json` globs. `None`: every `package.json` with `name` and
    /// `version`. `Some([])`: npm off.
    pub npm: Option<PathGlobs>,
    /// Package-name globs never checked (they land in [`PackageTree::others`]).
    #[serde(default)]
    pub exclude: NameGlobs,
}

impl Selection {
    /// Compiles a selection; the error names the first glob that does not compile.
    pub fn new(cargo: Option<&[String]>, npm: Option<&[String]>, exclude: &[String]) -> Result<Selection, GlobError> {
        Ok(Selection {
            cargo: cargo.map(PathGlobs::new).transpose()?,
            npm: npm.map(PathGlobs::new).transpose()?,
            exclude: NameGlobs::new(exclude)?,
        })
    }
}

/// Whether a manifest at `manifest_path` is selected by `globs` (matching its directory, or
/// the manifest path itself).
fn selected(globs: &PathGlobs, manifest_path: &str) -> bool {
    let dir = parent_dir(manifest_path);
    globs.is_match(manifest_path) || globs.is_match(if dir.is_empty() { "." } else { dir })
}

/// Parses every manifest and builds the selected tree.
///
/// `files`: every `Cargo.toml` and `package.json` of the snapshot (repo-relative path, bytes),
/// including workspace roots; other files are ignored. Malformed manifests become findings in
/// [`PackageTree::problems`].
pub fn load_tree(files: &[(String, Vec<u8>)], sel: &Selection) -> PackageTree {
    load_tree_with(files, sel, &super::cargo::parsed)
}

/// [`load_tree`], with each `Cargo.toml` read by `parse` (see [`super::cargo::load_with`]).
pub fn load_tree_with(
    files: &[(String, Vec<u8>)],
    sel: &Selection,
    parse: &dyn Fn(&str, &str) -> super::cargo::Parsed,
) -> PackageTree {
    let (cargo_globs, npm_globs, exclude) = (&sel.cargo, &sel.npm, &sel.exclude);
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

    let (cargo_pkgs, cargo_problems) = super::cargo::load_with(&cargo_files, parse);
    let (npm_pkgs, npm_problems) = super::npm::load(&npm_files);
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
    crate::finding::sort_findings(&mut tree.problems);
    tree
}

fn is_manifest(path: &str) -> bool {
    matches!(file_name(path), "Cargo.toml" | "package.json") && !path.split('/').any(|s| s == "node_modules")
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(list: &[(&str, &str)]) -> Vec<(String, Vec<u8>)> {
        list.iter().map(|(p, t)| (p.to_string(), t.as_bytes().to_vec())).collect()
    }

    #[test]
    fn selection_globs_and_excludes() {
        let f = files(&[
            ("a/x/Cargo.toml", "[package]\nname = \"x\"\nversion = \"1.0.0\"\n"),
            ("b/y/Cargo.toml", "[package]\nname = \"y\"\nversion = \"1.0.0\"\n"),
            ("a/z/Cargo.toml", "[package]\nname = \"inlineable\"\nversion = \"1.0.0\"\n"),
            ("p/package.json", r#"{"name":"p"}"#),
        ]);
        let sel = Selection::new(Some(&["a/*".into()]), None, &["inline*".into()]).expect("valid globs");
        let tree = load_tree(&f, &sel);
        assert_eq!(tree.packages.keys().map(|k| k.1.as_str()).collect::<Vec<_>>(), vec!["x"]);
        assert!(tree.exists(Ecosystem::Cargo, "y") && tree.exists(Ecosystem::Cargo, "inlineable"));
        assert!(tree.exists(Ecosystem::Npm, "p"), "version-less npm packages are known but not detected");
        assert_eq!(tree.package_of_path("a/x/src/lib.rs").map(|p| p.name.as_str()), Some("x"));
        assert!(tree.package_of_path("b/y/src/lib.rs").is_none());
        let bad = Selection::new(Some(&["x".into(), "a/[".into()]), None, &[]).expect_err("unclosed class");
        assert_eq!((bad.index, bad.glob.as_str()), (1, "a/["));
    }
}
