//! What changed between two package trees: per package its status, versions, dependency
//! requirement changes and the changed files it owns. Plain data for the release rules.
//!
//! May depend on: `parse::packages`, `globs`.
use crate::globs::PathGlobs;
use crate::parse::packages::model::{DepKind, Ecosystem, Package, PackageTree, owner_of_path, parent_dir};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

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
/// ([`owner_of_path`]; the new tree's package first), unless one of `ignore` matches it. Sorted
/// by `(ecosystem, name)`.
pub fn diff_trees(
    old: &PackageTree,
    new: &PackageTree,
    changed_files: &[String],
    ignore: &[&PathGlobs],
) -> Vec<PackageChange> {
    let mut files: HashMap<(Ecosystem, &str), Vec<&str>> = HashMap::new();
    // A file's owner depends on its directory only, and a release changes many files per
    // directory (thousands of paths in a history search's every candidate): looked up once per
    // directory, and a path copied only into its owner's list.
    let mut owners: HashMap<&str, Option<&Package>> = HashMap::new();
    for f in changed_files {
        if ignore.iter().any(|g| g.is_match(f)) {
            continue;
        }
        let owner = *owners.entry(parent_dir(f)).or_insert_with(|| owner_of_path(&[new, old], f));
        if let Some(p) = owner {
            files.entry((p.ecosystem, p.name.as_str())).or_default().push(f);
        }
    }
    let keys: BTreeSet<&(Ecosystem, String)> = old.packages.keys().chain(new.packages.keys()).collect();
    keys.into_iter()
        .map(|key| {
            let (o, n) = (old.packages.get(key), new.packages.get(key));
            let mut changed = files.remove(&(key.0, key.1.as_str())).unwrap_or_default();
            changed.sort_unstable();
            changed.dedup();
            let changed: Vec<String> = changed.into_iter().map(str::to_string).collect();
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
/// another. Borrowed from the package: a history search compares every candidate's packages
/// with base's, and only the declarations that differ are copied out.
type DepKey<'p> = (&'p str, &'p str, DepKind, Option<&'p str>);

fn dep_map(p: Option<&Package>) -> BTreeMap<DepKey<'_>, &str> {
    p.map(|p| {
        p.deps
            .iter()
            .map(|d| ((d.name.as_str(), d.key.as_str(), d.kind, d.target.as_deref()), d.req.as_str()))
            .collect()
    })
    .unwrap_or_default()
}

fn dep_changes(old: Option<&Package>, new: Option<&Package>) -> Vec<DepChange> {
    // Most packages of two snapshots declare the same dependencies, in the same order.
    if let (Some(o), Some(n)) = (old, new)
        && o.deps == n.deps
    {
        return Vec::new();
    }
    let (o, n) = (dep_map(old), dep_map(new));
    let keys: BTreeSet<&DepKey<'_>> = o.keys().chain(n.keys()).collect();
    keys.into_iter()
        .filter(|k| o.get(*k) != n.get(*k))
        .map(|k| DepChange {
            name: k.0.to_string(),
            key: k.1.to_string(),
            kind: k.2,
            target: k.3.map(str::to_string),
            old_req: o.get(k).map(|r| r.to_string()),
            new_req: n.get(k).map(|r| r.to_string()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::packages::tree::{Selection, load_tree};

    fn files(list: &[(&str, &str)]) -> Vec<(String, Vec<u8>)> {
        list.iter().map(|(p, t)| (p.to_string(), t.as_bytes().to_vec())).collect()
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
        for sel in [Selection::default(), Selection::new(Some(&["rt/*".into()]), None, &[]).expect("a glob")] {
            let (old, new) = (load_tree(&base, &sel), load_tree(&head, &sel));
            let changes = diff_trees(&old, &new, &changed, &[]);
            assert_eq!(changed_of(&changes, "es"), vec!["rt/es/src/lib.rs".to_string()], "{sel:?}");
            assert!(changed_of(&changes, "json").is_empty(), "{sel:?}: {changes:#?}");
            if sel.cargo.is_none() {
                assert_eq!(changed_of(&changes, "es-fuzz").len(), 2);
                assert_eq!(changed_of(&changes, "json-gen"), vec!["rt/json/gen/src/lib.rs".to_string()]);
            }
            // A nested crate that exists on one side only still owns its files.
            let back = diff_trees(&new, &old, &changed, &[]);
            assert!(changed_of(&back, "json").is_empty(), "{sel:?}: {back:#?}");
        }
        let tree = load_tree(&head, &Selection::default());
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
        let tree = |t: String| load_tree(&files(&[("a/Cargo.toml", &t)]), &Selection::default());
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
}
