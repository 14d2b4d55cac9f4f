//! npm manifests (`package.json`) read from blobs, and npm's range semantics.
//!
//! [`parse_manifest`] reads one file with serde_json; the lines of its keys come from the
//! crate's JSON reader that keeps positions ([`crate::parse::json`], see [`key_lines`]). [`load`] reads every manifest and links
//! packages to the root whose `workspaces` globs (array, or `{ "packages": [...] }`) match them.
//! Ranges are evaluated with `nodejs-semver` (node-semver's semantics: `^`, `~`, `x`/`*`, `||`,
//! hyphen ranges, comparators, pre-releases only within the same `major.minor.patch` tuple);
//! [`Spec`] handles what is not a range (`workspace:`, `npm:` aliases, `file:`, URLs, tags).
use super::model::{DepKind, Dependency, Ecosystem, ManifestError, Package, join_path, parent_dir};
use crate::globs::PathGlobs;
use crate::parse::json::Node;
use serde_json::Value;
use std::collections::BTreeMap;

/// What a dependency spec means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Spec {
    /// A semver range (`^1.2.0`, `>=1 <2`, `1.x || 2`, `*`, `""`).
    Range(String),
    /// `workspace:*`, `workspace:^`, `workspace:~`, or `workspace:<range>`: the part after the colon.
    Workspace(String),
    /// `npm:real-name@range`.
    Alias { name: String, range: String },
    /// `file:` / `link:` path, relative to the manifest.
    Path(String),
    /// Git URLs, tarball URLs, dist-tags (`latest`): not checked.
    Other(String),
}

impl Spec {
    pub fn parse(spec: &str) -> Spec {
        let s = spec.trim();
        if let Some(rest) = s.strip_prefix("workspace:") {
            return Spec::Workspace(rest.trim().to_string());
        }
        if let Some(rest) = s.strip_prefix("npm:") {
            // `@scope/name@range` or `name@range`: the version separator is the last `@` past
            // the first character.
            let skip = rest.chars().next().map_or(0, char::len_utf8);
            let (name, range) = match rest[skip..].rfind('@') {
                Some(i) => (&rest[..i + skip], &rest[i + skip + 1..]),
                None => (rest, "*"),
            };
            return Spec::Alias { name: name.to_string(), range: range.to_string() };
        }
        for p in ["file:", "link:", "portal:"] {
            if let Some(rest) = s.strip_prefix(p) {
                return Spec::Path(rest.to_string());
            }
        }
        if s.contains("://") || s.starts_with("git") || s.starts_with("github:") || s.contains('/') {
            return Spec::Other(s.to_string());
        }
        if nodejs_semver::Range::parse(s).is_ok() { Spec::Range(s.to_string()) } else { Spec::Other(s.to_string()) }
    }
}

/// Whether `version` satisfies the npm `range` (node-semver semantics, pre-releases excluded
/// unless the range names a pre-release of the same tuple). `None` when either does not parse.
pub fn satisfies(range: &str, version: &str) -> Option<bool> {
    let r = nodejs_semver::Range::parse(range.trim()).ok()?;
    let v = nodejs_semver::Version::parse(version.trim()).ok()?;
    Some(r.satisfies(&v))
}

/// The lowest version a range allows (`^1.2.3` → 1.2.3, `>=2 <3` → 2.0.0), for "older
/// requirement" comparisons.
pub fn range_floor(range: &str) -> Option<semver::Version> {
    let r = nodejs_semver::Range::parse(range.trim()).ok()?;
    let v = r.min_version()?;
    super::model::parse_version(&v.to_string())
}

/// What a `workspace:` spec becomes when published against the in-repo `version` (pnpm and
/// yarn rewrite `workspace:*` → `1.2.3`, `workspace:^` → `^1.2.3`, `workspace:~` → `~1.2.3`,
/// `workspace:<range>` → `<range>`).
pub fn publish_range(workspace_spec: &str, version: &str) -> String {
    match workspace_spec.trim() {
        "*" | "" => version.to_string(),
        "^" => format!("^{version}"),
        "~" => format!("~{version}"),
        r => r.to_string(),
    }
}

/// One `package.json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NpmManifest {
    pub path: String,
    /// `None` when the file has no `name` (a workspace root usually has one, but need not).
    pub package: Option<Package>,
    /// Root `workspaces` globs (relative to the manifest's directory).
    pub workspaces: Vec<String>,
}

const SECTIONS: [(&str, DepKind); 4] = [
    ("dependencies", DepKind::Normal),
    ("devDependencies", DepKind::Dev),
    ("peerDependencies", DepKind::Peer),
    ("optionalDependencies", DepKind::Optional),
];

/// Why npm refuses `name`, by the check npm runs on every `package.json` it reads
/// (normalize-package-data's `ensureValidName`, in `@npmcli/package-json`): not starting with
/// `.`, only URL-safe characters (`A-Z a-z 0-9 - _ . ! ~ * ' ( )`, what `encodeURIComponent`
/// leaves alone) in the name or in both parts of a scoped `@scope/name`, and not `node_modules`
/// or `favicon.ico`; and no leading or trailing whitespace, which npm trims on reading and
/// `npm publish` refuses. So a newline, a NUL or an ESC in a name is a finding, not a package.
/// Only npm's own rules: an empty name (npm reads it as none) and the new-package rules of
/// `validate-npm-package-name` (lower case, 214 characters) are left alone, so no package npm
/// installs becomes a finding.
fn name_problem(name: &str) -> Option<String> {
    let url_safe = |part: &str| {
        part.chars().find(|&c| !(c.is_ascii_alphanumeric() || "-_.!~*'()".contains(c))).map_or(Ok(()), Err)
    };
    if name.is_empty() {
        return None;
    }
    if name.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}') != name {
        return Some("it starts or ends with whitespace".into());
    }
    if name.starts_with('.') {
        return Some("it starts with `.`".into());
    }
    if ["node_modules", "favicon.ico"].contains(&name.to_ascii_lowercase().as_str()) {
        return Some("npm reserves this name".into());
    }
    let bad = match name.strip_prefix('@').map(|rest| rest.split_once('/')) {
        // A scope and a name, each non-empty and URL-safe (a second `/` is not URL-safe).
        Some(Some((scope, pkg))) if !scope.is_empty() && !pkg.is_empty() => url_safe(scope).and(url_safe(pkg)),
        _ => url_safe(name),
    };
    bad.err().map(|c| {
        format!("it has the character {c:?}; a name has only letters, digits and `-_.!~*'()` (and `@scope/` before it)")
    })
}

/// Reads one `package.json`.
pub fn parse_manifest(path: &str, text: &str) -> Result<NpmManifest, ManifestError> {
    let v: Value = serde_json::from_str(text).map_err(|e| {
        let offset = crate::text::offset_of(text, e.line(), e.column());
        ManifestError::syntax(path, "JSON", text, offset, e.to_string())
    })?;
    let lines = key_lines(text);
    let key_offset = |section: Option<&str>, key: &str| {
        lines.get(&(section.map(str::to_string), key.to_string())).map_or(0, |(o, _)| *o)
    };
    let key_line =
        |section: Option<&str>, key: &str| lines.get(&(section.map(str::to_string), key.to_string())).map(|(_, l)| *l);
    let Value::Object(obj) = &v else {
        return Err(ManifestError::invalid(
            path,
            text,
            0,
            "package.json is not a JSON object",
            "make the top level `{ … }`",
        ));
    };
    let bad = |key: &str, what: &str| {
        ManifestError::invalid(
            path,
            text,
            key_offset(None, key),
            format!("`{key}` is not {what}"),
            format!("make `{key}` {what}"),
        )
    };
    let workspaces = match obj.get("workspaces") {
        None => Vec::new(),
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).map(str::to_string).collect(),
        Some(Value::Object(o)) => match o.get("packages") {
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).map(str::to_string).collect(),
            _ => Vec::new(),
        },
        Some(_) => return Err(bad("workspaces", "an array of globs")),
    };
    let name = match obj.get("name") {
        None => return Ok(NpmManifest { path: path.to_string(), package: None, workspaces }),
        Some(Value::String(s)) => s.clone(),
        Some(_) => return Err(bad("name", "a string")),
    };
    if let Some(why) = name_problem(&name) {
        return Err(ManifestError::invalid(
            path,
            text,
            key_offset(None, "name"),
            format!("package name {name:?} is not one npm accepts: {why}"),
            "rename the package: npm refuses to install or publish it under this name",
        ));
    }
    let version = match obj.get("version") {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(bad("version", "a string")),
    };
    let private = match obj.get("private") {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s == "true",
        Some(_) => return Err(bad("private", "true or false")),
    };
    let dir = parent_dir(path);
    let mut deps = Vec::new();
    for (section, kind) in SECTIONS {
        let Some(table) = obj.get(section) else { continue };
        let Value::Object(table) = table else { return Err(bad(section, "an object of name → range")) };
        for (key, spec) in table {
            let Value::String(spec) = spec else {
                return Err(ManifestError::invalid(
                    path,
                    text,
                    key_offset(Some(section), key),
                    format!("`{section}.{key}` is not a string"),
                    "write the dependency as \"name\": \"^1.2.3\"",
                ));
            };
            let (name, internal_path, workspace) = match Spec::parse(spec) {
                Spec::Alias { name, .. } => (name, None, false),
                Spec::Path(p) => (key.clone(), join_path(dir, &p), false),
                Spec::Workspace(_) => (key.clone(), None, true),
                Spec::Range(_) | Spec::Other(_) => (key.clone(), None, false),
            };
            let req = match Spec::parse(spec) {
                Spec::Alias { range, .. } => range,
                _ => spec.clone(),
            };
            deps.push(Dependency {
                name,
                key: key.clone(),
                req,
                kind,
                internal_path,
                workspace,
                optional: kind == DepKind::Optional,
                target: None,
                line: key_line(Some(section), key),
            });
        }
    }
    deps.sort_by(|a, b| (a.kind, &a.name, &a.key).cmp(&(b.kind, &b.name, &b.key)));
    let package = Package {
        ecosystem: Ecosystem::Npm,
        name,
        version,
        dir: dir.to_string(),
        manifest_path: path.to_string(),
        publish: !private,
        deps,
        version_line: key_line(None, "version"),
        workspace_root: None,
        source_commit: None,
    };
    Ok(NpmManifest { path: path.to_string(), package: Some(package), workspaces })
}

/// Reads every `package.json` (`(path, text)`); packages get `workspace_root` from the nearest
/// root whose `workspaces` globs match their directory.
pub fn load(files: &[(&str, &str)]) -> (Vec<Package>, Vec<ManifestError>) {
    let mut errors = Vec::new();
    let mut manifests = Vec::new();
    for (path, text) in files {
        match parse_manifest(path, text) {
            Ok(m) => manifests.push(m),
            Err(e) => errors.push(e),
        }
    }
    let mut roots = Vec::new();
    for m in manifests.iter().filter(|m| !m.workspaces.is_empty()) {
        match PathGlobs::new(&m.workspaces) {
            Ok(g) => roots.push((parent_dir(&m.path).to_string(), g)),
            Err(e) => errors.push(ManifestError::invalid(
                &m.path,
                "",
                0,
                format!("`workspaces` has an invalid glob: invalid package glob `{}`: {}", e.glob, e.message),
                "fix the glob in `workspaces`",
            )),
        }
    }
    let mut packages = Vec::new();
    for m in manifests {
        let Some(mut p) = m.package else { continue };
        p.workspace_root = roots
            .iter()
            .filter(|(root, globs)| {
                let rel = if root.is_empty() {
                    Some(p.dir.as_str())
                } else {
                    p.dir.strip_prefix(root.as_str()).map(|r| r.trim_start_matches('/'))
                };
                p.dir == *root || rel.is_some_and(|r| globs.is_match(r))
            })
            .max_by_key(|(root, _)| root.len())
            .map(|(root, _)| root.clone());
        packages.push(p);
    }
    (packages, errors)
}

/// Where the keys of a `package.json` are: `(None, key)` for a top-level key and
/// `(Some(section), key)` for a key of a top-level object (a dependency section) →
/// `(byte offset of the key's opening quote, 1-based line)`. Read with [`crate::parse::json`]
/// (the text is one serde_json accepted); empty when that reader refuses it (it rejects
/// duplicate keys), so errors then point at the start of the file.
pub fn key_lines(text: &str) -> BTreeMap<(Option<String>, String), (usize, u32)> {
    let mut out = BTreeMap::new();
    let Ok(Node::Object(top)) = crate::parse::json::parse(text.as_bytes()) else { return out };
    let lines = crate::text::LineIndex::new(text.as_bytes());
    let at = |offset: u32| (offset as usize, lines.line(offset as usize));
    for e in &top {
        out.insert((None, e.key.clone()), at(e.offset));
        for inner in e.value.as_object().into_iter().flatten() {
            out.insert((Some(e.key.clone()), inner.key.clone()), at(inner.offset));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const PKG: &str = r#"{
  "name": "@acme/client-s3",
  "version": "3.2.1",
  "private": false,
  "dependencies": {
    "@acme/core": "workspace:^",
    "tslib": "^2.6.2",
    "old": "npm:@acme/legacy@^1.0.0",
    "local": "file:../local"
  },
  "devDependencies": { "typescript": "~5.4.0" },
  "peerDependencies": { "@acme/types": ">=1.2.0 <3" }
}"#;

    #[test]
    fn reads_deps_with_kinds_aliases_paths_and_lines() {
        let m = parse_manifest("clients/s3/package.json", PKG).expect("valid");
        let p = m.package.expect("has a name");
        assert_eq!(
            (p.name.as_str(), p.version.as_deref(), p.publish, p.version_line),
            ("@acme/client-s3", Some("3.2.1"), true, Some(3))
        );
        let dep = |n: &str| p.deps.iter().find(|d| d.name == n).expect(n);
        assert!(dep("@acme/core").workspace);
        assert_eq!(dep("@acme/core").line, Some(6));
        assert_eq!((dep("@acme/legacy").key.as_str(), dep("@acme/legacy").req.as_str()), ("old", "^1.0.0"));
        assert_eq!(dep("local").internal_path.as_deref(), Some("clients/local"));
        assert_eq!(dep("typescript").kind, DepKind::Dev);
        assert_eq!(dep("@acme/types").kind, DepKind::Peer);
    }

    #[test]
    fn workspaces_array_and_object_forms() {
        let a = parse_manifest("package.json", r#"{"private":true,"workspaces":["packages/*"]}"#).expect("valid");
        assert_eq!(a.workspaces, vec!["packages/*"]);
        assert!(a.package.is_none());
        let o =
            parse_manifest("package.json", r#"{"name":"r","workspaces":{"packages":["clients/*"]}}"#).expect("valid");
        assert_eq!(o.workspaces, vec!["clients/*"]);
        let (pkgs, errs) = load(&[
            ("package.json", r#"{"name":"root","private":true,"workspaces":["packages/*"]}"#),
            ("packages/a/package.json", r#"{"name":"a","version":"1.0.0"}"#),
            ("other/b/package.json", r#"{"name":"b","version":"1.0.0"}"#),
        ]);
        assert!(errs.is_empty());
        let root_of = |n: &str| pkgs.iter().find(|p| p.name == n).expect(n).workspace_root.clone();
        assert_eq!(root_of("a").as_deref(), Some(""));
        assert_eq!(root_of("b"), None);
        assert!(!pkgs.iter().find(|p| p.name == "root").expect("root").publish);
    }

    #[test]
    fn broken_json_names_line_and_column() {
        let e = parse_manifest("p/package.json", "{\n  \"name\": \"x\",\n  \"version\": 1.0.0\n}").expect_err("broken");
        assert_eq!(e.line(), Some(3));
        let e = parse_manifest("p/package.json", "{\n  \"name\": \"x\",\n  \"dependencies\": {\"a\": 1}\n}")
            .expect_err("bad dep");
        assert_eq!(e.line(), Some(3));
    }

    #[test]
    fn specs_classify() {
        assert_eq!(Spec::parse("workspace:~"), Spec::Workspace("~".into()));
        assert_eq!(Spec::parse("npm:lodash@4"), Spec::Alias { name: "lodash".into(), range: "4".into() });
        assert_eq!(Spec::parse("npm:@s/x@^1"), Spec::Alias { name: "@s/x".into(), range: "^1".into() });
        assert_eq!(Spec::parse("link:../x"), Spec::Path("../x".into()));
        assert_eq!(Spec::parse("github:user/repo"), Spec::Other("github:user/repo".into()));
        assert_eq!(Spec::parse("latest"), Spec::Other("latest".into()));
        assert_eq!(Spec::parse("1.x || >=2.5.0"), Spec::Range("1.x || >=2.5.0".into()));
        assert_eq!(publish_range("^", "1.2.3"), "^1.2.3");
        assert_eq!(publish_range("*", "1.2.3"), "1.2.3");
        assert_eq!(publish_range("1.2.x", "1.2.3"), "1.2.x");
    }

    #[test]
    fn npm_range_semantics() {
        let yes = |r: &str, v: &str| assert_eq!(satisfies(r, v), Some(true), "{v} should satisfy {r}");
        let no = |r: &str, v: &str| assert_eq!(satisfies(r, v), Some(false), "{v} should not satisfy {r}");
        // caret: leftmost non-zero component is fixed
        yes("^1.2.3", "1.9.0");
        no("^1.2.3", "2.0.0");
        yes("^0.2.3", "0.2.9");
        no("^0.2.3", "0.3.0");
        no("^0.0.3", "0.0.4");
        // tilde: minor fixed
        yes("~1.2.3", "1.2.9");
        no("~1.2.3", "1.3.0");
        // x-ranges and star
        yes("1.x", "1.5.0");
        no("1.2.x", "1.3.0");
        yes("*", "0.0.1");
        yes("", "3.0.0");
        // or, hyphen, comparators
        yes("1.x || >=2.5.0", "2.6.0");
        no("1.x || >=2.5.0", "2.4.0");
        yes("1.2.3 - 2.3.4", "2.3.4");
        no("1.2.3 - 2.3.4", "2.3.5");
        yes("1.2 - 2.3", "2.3.9");
        yes(">=1.2.0 <3", "2.9.9");
        no(">1.2.0", "1.2.0");
        // pre-releases only within the same tuple
        no("^1.2.3", "1.3.0-beta.1");
        yes("^1.2.3-alpha.1", "1.2.3-beta.2");
        no("^1.2.3-alpha.1", "1.2.4-beta.2");
        yes("^1.2.3-alpha.1", "1.2.4");
        assert_eq!(satisfies("not a range!", "1.0.0"), None);
    }

    #[test]
    fn floors() {
        assert_eq!(range_floor("^1.2.3").map(|v| v.to_string()).as_deref(), Some("1.2.3"));
        assert_eq!(range_floor(">=2 <3").map(|v| v.to_string()).as_deref(), Some("2.0.0"));
        assert_eq!(range_floor("~0.4").map(|v| v.to_string()).as_deref(), Some("0.4.0"));
    }
}
