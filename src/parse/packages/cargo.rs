//! Cargo manifests (`Cargo.toml`) read from blobs.
//!
//! [`parse_manifest`] reads one file (with line numbers from toml's spans); [`load`] reads every
//! manifest of a snapshot and resolves workspace inheritance (`version.workspace = true`,
//! `publish.workspace = true`, `dep = { workspace = true }`) against the nearest ancestor
//! `[workspace]` root that does not exclude the package, as Cargo does.
//!
//! `cargo_metadata` is not used: its types describe `cargo metadata` output, which needs a
//! checkout and a cargo run; we read manifests straight from git objects, and want lines.
use super::model::{DepKind, Dependency, Ecosystem, ManifestError, Package, dir_contains, join_path, parent_dir};
use crate::globs::PathGlobs;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::Arc;
use toml::Spanned;

type DepTable = BTreeMap<Spanned<String>, Spanned<RawDep>>;

#[derive(Deserialize)]
struct RawManifest {
    package: Option<Spanned<RawPackage>>,
    project: Option<Spanned<RawPackage>>,
    workspace: Option<RawWorkspace>,
    #[serde(default)]
    dependencies: DepTable,
    #[serde(default, rename = "dev-dependencies", alias = "dev_dependencies")]
    dev_dependencies: DepTable,
    #[serde(default, rename = "build-dependencies", alias = "build_dependencies")]
    build_dependencies: DepTable,
    #[serde(default)]
    target: BTreeMap<String, RawTarget>,
}

#[derive(Deserialize)]
struct RawTarget {
    #[serde(default)]
    dependencies: DepTable,
    #[serde(default, rename = "dev-dependencies", alias = "dev_dependencies")]
    dev_dependencies: DepTable,
    #[serde(default, rename = "build-dependencies", alias = "build_dependencies")]
    build_dependencies: DepTable,
}

#[derive(Deserialize)]
struct RawPackage {
    name: Option<Spanned<String>>,
    version: Option<Spanned<Inheritable<String>>>,
    publish: Option<Spanned<Inheritable<RawPublish>>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Inheritable<T> {
    Value(T),
    Inherit { workspace: bool },
}

#[derive(Deserialize, Clone)]
#[serde(untagged)]
enum RawPublish {
    Bool(bool),
    Registries(Vec<String>),
}

impl RawPublish {
    fn allowed(&self) -> bool {
        match self {
            RawPublish::Bool(b) => *b,
            RawPublish::Registries(r) => !r.is_empty(),
        }
    }
}

#[derive(Deserialize)]
struct RawWorkspace {
    #[serde(default)]
    members: Vec<String>,
    #[serde(default)]
    exclude: Vec<String>,
    package: Option<RawWorkspacePackage>,
    #[serde(default)]
    dependencies: DepTable,
}

#[derive(Deserialize)]
struct RawWorkspacePackage {
    version: Option<Spanned<String>>,
    publish: Option<RawPublish>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawDep {
    Simple(String),
    Detailed(RawDepDetail),
}

#[derive(Deserialize, Default)]
struct RawDepDetail {
    version: Option<String>,
    path: Option<String>,
    package: Option<String>,
    optional: Option<bool>,
    workspace: Option<bool>,
}

/// A `[workspace]` root as read from one manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CargoWorkspace {
    /// Directory of the root manifest.
    pub dir: String,
    pub members: Vec<String>,
    pub exclude: Vec<String>,
    /// `exclude` compiled (empty when a pattern is not a glob: then only its prefix counts).
    pub exclude_globs: PathGlobs,
    /// `[workspace.package] version`, with its line.
    pub version: Option<(String, u32)>,
    /// `[workspace.package] publish`, as "may publish".
    pub publish: Option<bool>,
    /// `[workspace.dependencies]` by key, paths already repo-relative.
    pub dependencies: BTreeMap<String, Dependency>,
}

impl CargoWorkspace {
    /// Whether this root owns a package in `dir`: inside the root and not excluded. Members are
    /// not required to match (Cargo also pulls in path dependencies); `exclude` wins.
    pub fn owns(&self, dir: &str) -> bool {
        if !(dir == self.dir || dir_contains(&self.dir, &format!("{dir}/"))) {
            return false;
        }
        let rel =
            if self.dir.is_empty() { dir } else { dir.strip_prefix(&self.dir).unwrap_or(dir).trim_start_matches('/') };
        let excluded = self.exclude_globs.is_match(rel)
            || self.exclude.iter().any(|e| {
                let e = e.trim_end_matches('/');
                rel == e || rel.starts_with(&format!("{e}/"))
            });
        !excluded
    }
}

/// How a member declares a field that may come from the workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field<T> {
    Absent,
    Value(T),
    /// `field.workspace = true`.
    Inherited,
}

/// A `[package]` as read from one manifest, before workspace inheritance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CargoPackage {
    pub name: String,
    pub version: Field<String>,
    pub version_line: Option<u32>,
    pub publish: Field<bool>,
    /// Dependencies; those with `workspace: true` still have to be resolved (`req` is empty).
    pub deps: Vec<Dependency>,
}

/// One `Cargo.toml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CargoManifest {
    pub path: String,
    pub package: Option<CargoPackage>,
    pub workspace: Option<CargoWorkspace>,
}

/// Reads one manifest. `path` is repo-relative (used for messages and to make `path`
/// dependencies repo-relative).
pub fn parse_manifest(path: &str, text: &str) -> Result<CargoManifest, ManifestError> {
    let raw: RawManifest = toml::from_str(text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        ManifestError::syntax(path, "TOML", text, offset, e.message().trim().to_string())
    })?;
    let dir = parent_dir(path);
    let line = |offset: usize| crate::text::line_col(text.as_bytes(), offset).0;

    let workspace = match raw.workspace {
        None => None,
        Some(ws) => {
            let mut dependencies = BTreeMap::new();
            for (key, dep) in &ws.dependencies {
                let d = dependency(path, text, dir, key, dep, DepKind::Normal, None)?;
                dependencies.insert(key.get_ref().clone(), d);
            }
            let (version, publish) = match ws.package {
                Some(p) => {
                    (p.version.map(|v| (v.get_ref().clone(), line(v.span().start))), p.publish.map(|p| p.allowed()))
                }
                None => (None, None),
            };
            Some(CargoWorkspace {
                dir: dir.to_string(),
                members: ws.members,
                exclude_globs: PathGlobs::new(&ws.exclude).unwrap_or_default(),
                exclude: ws.exclude,
                version,
                publish,
                dependencies,
            })
        }
    };

    let package = match raw.package.or(raw.project) {
        None => None,
        Some(p) => {
            let start = p.span().start;
            let p = p.into_inner();
            let name = p.name.ok_or_else(|| {
                ManifestError::invalid(path, text, start, "[package] has no `name`", "add `name = \"…\"` to [package]")
            })?;
            if let Some(why) = name_problem(name.get_ref()) {
                return Err(ManifestError::invalid(
                    path,
                    text,
                    name.span().start,
                    format!("package name {:?} is not one Cargo accepts: {why}", name.get_ref()),
                    "rename the package: Cargo refuses to read this manifest (`cargo metadata` shows the same error)",
                ));
            }
            let (version, version_line) = match p.version {
                None => (Field::Absent, None),
                Some(v) => {
                    let at = v.span().start;
                    let l = Some(line(at));
                    match v.into_inner() {
                        Inheritable::Value(s) => (Field::Value(s), l),
                        Inheritable::Inherit { workspace: true } => (Field::Inherited, l),
                        Inheritable::Inherit { workspace: false } => {
                            return Err(not_inheriting(path, text, at, "version"));
                        }
                    }
                }
            };
            let publish = match p.publish {
                None => Field::Absent,
                Some(v) => {
                    let at = v.span().start;
                    match v.into_inner() {
                        Inheritable::Value(v) => Field::Value(v.allowed()),
                        Inheritable::Inherit { workspace: true } => Field::Inherited,
                        Inheritable::Inherit { workspace: false } => {
                            return Err(not_inheriting(path, text, at, "publish"));
                        }
                    }
                }
            };
            let mut deps = Vec::new();
            let tables = [
                (&raw.dependencies, DepKind::Normal),
                (&raw.dev_dependencies, DepKind::Dev),
                (&raw.build_dependencies, DepKind::Build),
            ];
            for (table, kind) in tables {
                for (k, d) in table {
                    deps.push(dependency(path, text, dir, k, d, kind, None)?);
                }
            }
            for (cfg, t) in &raw.target {
                for (table, kind) in [
                    (&t.dependencies, DepKind::Normal),
                    (&t.dev_dependencies, DepKind::Dev),
                    (&t.build_dependencies, DepKind::Build),
                ] {
                    for (k, d) in table {
                        deps.push(dependency(path, text, dir, k, d, kind, Some(cfg.clone()))?);
                    }
                }
            }
            Some(CargoPackage { name: name.into_inner(), version, version_line, publish, deps })
        }
    };
    Ok(CargoManifest { path: path.to_string(), package, workspace })
}

/// Why Cargo refuses `name` as a package name, by the rule it applies to every manifest it reads
/// (`validate_package_name`): not empty, not starting with a digit, a first character that is a
/// Unicode XID start character or `_`, then XID continue characters or `-`. So a newline, a NUL
/// or an ESC in a name is a finding, not a package. Only Cargo's own rule: crates.io's stricter
/// ones (ASCII only, at most 64 characters) and `cargo new`'s (keywords, reserved names) are not
/// checked, so every crate Cargo builds passes.
fn name_problem(name: &str) -> Option<String> {
    let mut chars = name.chars();
    let Some(first) = chars.next() else { return Some("it is empty".into()) };
    if first.is_ascii_digit() {
        return Some("it starts with a digit".into());
    }
    if !(unicode_ident::is_xid_start(first) || first == '_') {
        return Some(format!("it starts with {first:?}; the first character must be a letter or `_`"));
    }
    chars
        .find(|&c| !(unicode_ident::is_xid_continue(c) || c == '-'))
        .map(|c| format!("it has the character {c:?}; a name has only letters, digits, `-` and `_`"))
}

/// `field.workspace = false`: Cargo rejects it ("`workspace` cannot be false"), and it leaves
/// the field with no value, so it is a malformed manifest rather than a missing version.
fn not_inheriting(path: &str, text: &str, offset: usize, field: &str) -> ManifestError {
    ManifestError::invalid(
        path,
        text,
        offset,
        format!("`{field}.workspace = false` declares no {field}: `workspace` can only be `true`"),
        format!("write `{field}.workspace = true` to inherit it from the workspace root, or give the {field} here"),
    )
}

fn dependency(
    path: &str,
    text: &str,
    dir: &str,
    key: &Spanned<String>,
    dep: &Spanned<RawDep>,
    kind: DepKind,
    target: Option<String>,
) -> Result<Dependency, ManifestError> {
    let detail = match dep.get_ref() {
        RawDep::Simple(req) => RawDepDetail { version: Some(req.clone()), ..RawDepDetail::default() },
        RawDep::Detailed(d) => RawDepDetail {
            version: d.version.clone(),
            path: d.path.clone(),
            package: d.package.clone(),
            optional: d.optional,
            workspace: d.workspace,
        },
    };
    let internal_path = match &detail.path {
        None => None,
        Some(p) => Some(join_path(dir, p).ok_or_else(|| {
            ManifestError::invalid(
                path,
                text,
                dep.span().start,
                format!("dependency `{}` has path `{p}` outside the repository", key.get_ref()),
                "point `path` at a directory inside the repository",
            )
        })?),
    };
    let req = detail
        .version
        .clone()
        .unwrap_or_else(|| if detail.workspace == Some(true) { String::new() } else { "*".into() });
    if let Some(v) = &detail.version
        && semver::VersionReq::parse(v).is_err()
    {
        return Err(ManifestError::invalid(
            path,
            text,
            dep.span().start,
            format!("dependency `{}` has requirement `{v}`, which is not a Cargo version requirement", key.get_ref()),
            "use a requirement like \"1.2\", \"^1.2.3\" or \"=1.2.3\"",
        ));
    }
    Ok(Dependency {
        name: detail.package.clone().unwrap_or_else(|| key.get_ref().clone()),
        key: key.get_ref().clone(),
        req,
        kind,
        internal_path,
        workspace: detail.workspace == Some(true),
        optional: detail.optional == Some(true),
        target,
        line: Some(crate::text::line_col(text.as_bytes(), key.span().start).0),
    })
}

/// Reads every manifest (`(path, text)`) and returns the resolved packages, plus one error per
/// manifest that could not be read or resolved (those manifests are skipped).
pub fn load(files: &[(&str, &str)]) -> (Vec<Package>, Vec<ManifestError>) {
    load_with(files, &parsed)
}

/// A manifest as [`parse_manifest`] reads it, shared: a history search meets the same manifest
/// blobs in most of its snapshots.
pub type Parsed = Arc<Result<CargoManifest, ManifestError>>;

/// [`parse_manifest`], as a [`Parsed`] (a read that no memo answers).
pub fn parsed(path: &str, text: &str) -> Parsed {
    Arc::new(parse_manifest(path, text))
}

/// [`load`], with each manifest read by `parse` (which may answer from a memo of earlier reads
/// of the same blob at the same path).
pub fn load_with(files: &[(&str, &str)], parse: &dyn Fn(&str, &str) -> Parsed) -> (Vec<Package>, Vec<ManifestError>) {
    let mut errors = Vec::new();
    let mut parsed = Vec::new();
    for (path, text) in files {
        parsed.push((parse(path, text), *text));
    }
    let mut manifests = Vec::new();
    for (m, text) in &parsed {
        match m.as_ref() {
            Ok(m) => manifests.push((m, *text)),
            Err(e) => errors.push(e.clone()),
        }
    }
    let roots: Vec<&CargoWorkspace> = manifests.iter().filter_map(|(m, _)| m.workspace.as_ref()).collect();
    let mut packages = Vec::new();
    for (m, text) in &manifests {
        let Some(pkg) = &m.package else { continue };
        let dir = parent_dir(&m.path);
        // The nearest enclosing root that owns this directory (deepest first).
        let root = roots.iter().filter(|r| r.owns(dir)).max_by_key(|r| r.dir.len()).copied();
        match resolve(&m.path, text, pkg, root) {
            Ok(p) => packages.push(p),
            Err(e) => errors.push(e),
        }
    }
    (packages, errors)
}

/// Applies workspace inheritance to one package.
pub fn resolve(
    manifest_path: &str,
    text: &str,
    pkg: &CargoPackage,
    root: Option<&CargoWorkspace>,
) -> Result<Package, ManifestError> {
    let at_line = |line: Option<u32>| crate::text::offset_of(text, line.unwrap_or(1) as usize, 1);
    let no_root = |what: &str, line: Option<u32>| {
        ManifestError::invalid(
            manifest_path,
            text,
            at_line(line),
            format!("`{}` inherits {what} from the workspace, but no workspace root declares it", pkg.name),
            format!(
                "add it to the root Cargo.toml's [workspace.{}] or write the value here",
                if what == "a dependency" { "dependencies" } else { "package" }
            ),
        )
    };
    let version = match &pkg.version {
        Field::Absent => None,
        Field::Value(v) => Some(v.clone()),
        Field::Inherited => {
            Some(root.and_then(|r| r.version.as_ref()).ok_or_else(|| no_root("`version`", pkg.version_line))?.0.clone())
        }
    };
    let publish = match &pkg.publish {
        // Cargo: a package without a version is not publishable unless `publish` says so.
        Field::Absent => version.is_some(),
        Field::Value(b) => *b,
        Field::Inherited => root.and_then(|r| r.publish).ok_or_else(|| no_root("`publish`", None))?,
    };
    let mut deps = Vec::with_capacity(pkg.deps.len());
    for d in &pkg.deps {
        if !d.workspace {
            deps.push(d.clone());
            continue;
        }
        let w = root.and_then(|r| r.dependencies.get(&d.key)).ok_or_else(|| no_root("a dependency", d.line))?;
        deps.push(Dependency {
            name: w.name.clone(),
            key: d.key.clone(),
            req: w.req.clone(),
            kind: d.kind,
            internal_path: w.internal_path.clone(),
            workspace: true,
            optional: d.optional || w.optional,
            target: d.target.clone(),
            line: d.line,
        });
    }
    deps.sort_by(|a, b| (a.kind, &a.target, &a.name, &a.key).cmp(&(b.kind, &b.target, &b.name, &b.key)));
    Ok(Package {
        ecosystem: Ecosystem::Cargo,
        name: pkg.name.clone(),
        version,
        dir: parent_dir(manifest_path).to_string(),
        manifest_path: manifest_path.to_string(),
        publish,
        deps,
        version_line: pkg.version_line,
        workspace_root: root.map(|r| r.dir.clone()),
        source_commit: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROOT: &str = r#"[workspace]
members = ["crates/*"]
exclude = ["crates/skip"]

[workspace.package]
version = "1.4.0"
publish = true

[workspace.dependencies]
serde = { version = "1.0.200", features = ["derive"] }
core-types = { path = "crates/core-types", version = "1.4" }
"#;

    const MEMBER: &str = r#"[package]
name = "client"
version.workspace = true
edition = "2021"

[dependencies]
serde = { workspace = true, optional = true }
core-types.workspace = true
renamed = { package = "tokio", version = "1" }
local = { path = "../local" }

[dev-dependencies]
proptest = "1"

[target.'cfg(unix)'.dependencies]
libc = "0.2"

[build-dependencies.cc]
version = "1.0"
"#;

    #[test]
    fn reads_a_member_with_inheritance_renames_and_targets() {
        let (pkgs, errs) = load(&[("Cargo.toml", ROOT), ("crates/client/Cargo.toml", MEMBER)]);
        assert!(errs.is_empty(), "{errs:?}");
        let p = &pkgs[0];
        assert_eq!((p.name.as_str(), p.version.as_deref(), p.version_line), ("client", Some("1.4.0"), Some(3)));
        assert_eq!(p.workspace_root.as_deref(), Some(""));
        let dep = |n: &str| p.deps.iter().find(|d| d.name == n).expect(n);
        assert_eq!(dep("serde").req, "1.0.200");
        assert!(dep("serde").optional && dep("serde").workspace);
        assert_eq!(dep("core-types").internal_path.as_deref(), Some("crates/core-types"));
        assert_eq!(dep("tokio").key, "renamed");
        assert_eq!(dep("local").req, "*");
        assert_eq!(dep("local").internal_path.as_deref(), Some("crates/local"));
        assert_eq!(dep("proptest").kind, DepKind::Dev);
        assert_eq!(dep("libc").target.as_deref(), Some("cfg(unix)"));
        assert_eq!((dep("cc").kind, dep("cc").req.as_str()), (DepKind::Build, "1.0"));
        assert_eq!(dep("serde").line, Some(7));
    }

    #[test]
    fn publish_false_and_registry_lists() {
        let m = parse_manifest("a/Cargo.toml", "[package]\nname='a'\nversion='0.1.0'\npublish=false\n").expect("valid");
        assert_eq!(m.package.expect("package").publish, Field::Value(false));
        let m = parse_manifest("a/Cargo.toml", "[package]\nname='a'\nversion='0.1.0'\npublish=[]\n").expect("valid");
        assert_eq!(m.package.expect("package").publish, Field::Value(false));
        let m = parse_manifest("a/Cargo.toml", "[package]\nname='a'\nversion='0.1.0'\npublish=['x']\n").expect("valid");
        assert_eq!(m.package.expect("package").publish, Field::Value(true));
        let (pkgs, _) = load(&[("a/Cargo.toml", "[package]\nname = 'a'\n")]);
        assert!(!pkgs[0].publish, "no version: not publishable");
    }

    #[test]
    fn excluded_members_do_not_inherit() {
        let (pkgs, errs) = load(&[
            ("Cargo.toml", ROOT),
            ("crates/skip/Cargo.toml", "[package]\nname = \"skip\"\nversion.workspace = true\n"),
        ]);
        assert!(pkgs.is_empty());
        assert_eq!(errs[0].line(), Some(3));
        assert!(errs[0].to_string().contains("inherits `version`"), "{}", errs[0]);
    }

    #[test]
    fn broken_toml_names_file_line_and_column() {
        let e = parse_manifest("x/Cargo.toml", "[package]\nname = \"x\nversion = \"1\"\n").expect_err("broken");
        assert_eq!(e.path(), Some("x/Cargo.toml"));
        assert_eq!(e.line(), Some(2));
        let e = parse_manifest("x/Cargo.toml", "[package]\nname = 'x'\n[dependencies]\nfoo = 'not a req!'\n")
            .expect_err("bad req");
        assert_eq!(e.line(), Some(4));
    }
}
