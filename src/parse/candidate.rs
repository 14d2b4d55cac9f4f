//! Release-candidate manifests: what a publish workflow selected (package, version, source
//! commit), in TOML or JSON. `rules::release::apply_candidate` checks it against head.
//!
//! May depend on: `parse::packages`, `parse::json`, `text`.
use crate::parse::packages::model::{Ecosystem, ManifestError, parse_version};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One package of a release-candidate manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CandidateEntry {
    pub name: String,
    pub version: String,
    /// The commit the package's version was built from (`commit` or `source_commit`).
    pub source_commit: Option<String>,
    /// When the same name exists in both ecosystems.
    pub ecosystem: Option<Ecosystem>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    name: String,
    version: String,
    #[serde(alias = "source_commit")]
    commit: Option<String>,
    ecosystem: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawToml {
    #[serde(default)]
    package: Vec<toml::Spanned<RawEntry>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawJson {
    List(Vec<RawEntry>),
    Object { packages: Vec<RawEntry> },
}

/// Parses a release-candidate manifest: what the publish workflow selected.
///
/// TOML (`*.toml`, or any text not starting with `{` / `[{` / `[]`):
/// ```toml
/// [[package]]
/// name = "aws-smithy-types"
/// version = "1.3.0"
/// commit = "0123abcd…"       # optional (alias: source_commit)
/// ecosystem = "cargo"        # optional: cargo | npm
/// ```
/// JSON: an array of such objects, or `{ "packages": [ … ] }`. Unknown keys are errors.
pub fn parse_candidate_manifest(path: &str, text: &str) -> Result<Vec<CandidateEntry>, ManifestError> {
    let trimmed = text.trim_start();
    let json = path.ends_with(".json")
        || (!path.ends_with(".toml")
            && (trimmed.starts_with('{')
                || trimmed[trimmed.chars().next().map_or(0, char::len_utf8)..].trim_start().starts_with(['{', ']'])));
    // Each entry with where its `version` and `ecosystem` are written, for errors.
    let entries: Vec<(RawEntry, (usize, usize))> = if json {
        let raw: RawJson = serde_json::from_str(text).map_err(|e| {
            let offset = crate::text::offset_of(text, e.line(), e.column());
            ManifestError::syntax(path, "JSON", text, offset, e.to_string())
        })?;
        let list = match raw {
            RawJson::List(l) | RawJson::Object { packages: l } => l,
        };
        let at = json_key_offsets(text);
        let key = |i: usize, k: &str| at.get(i).and_then(|e| e.get(k)).copied().unwrap_or(0);
        list.into_iter().enumerate().map(|(i, e)| (e, (key(i, "version"), key(i, "ecosystem")))).collect()
    } else {
        let raw: RawToml = toml::from_str(text).map_err(|e| {
            ManifestError::syntax(path, "TOML", text, e.span().map_or(0, |s| s.start), e.message().trim().to_string())
        })?;
        raw.package.into_iter().map(|s| (s.span().start, s.into_inner())).map(|(o, e)| (e, (o, o))).collect()
    };
    let mut out = Vec::with_capacity(entries.len());
    for (e, (version_at, ecosystem_at)) in entries {
        if parse_version(&e.version).is_none() {
            return Err(ManifestError::invalid(
                path,
                text,
                version_at,
                format!("version `{}` of {} is not semver", e.version, e.name),
                "write versions like 1.2.3",
            ));
        }
        let ecosystem = match e.ecosystem.as_deref() {
            None => None,
            Some(s) => Some(Ecosystem::parse(s).ok_or_else(|| {
                ManifestError::invalid(
                    path,
                    text,
                    ecosystem_at,
                    format!("unknown ecosystem `{s}` for {}", e.name),
                    "use \"cargo\" or \"npm\"",
                )
            })?),
        };
        out.push(CandidateEntry { name: e.name, version: e.version, source_commit: e.commit, ecosystem });
    }
    Ok(out)
}

/// For each entry of a JSON candidate (an array, or `{ "packages": [ … ] }`), the byte offset of
/// each of its keys, from the JSON reader that keeps positions; empty when it refuses the text.
fn json_key_offsets(text: &str) -> Vec<BTreeMap<String, usize>> {
    let Ok(root) = crate::parse::json::parse(text.as_bytes()) else { return Vec::new() };
    let list = root.get("packages").unwrap_or(&root).as_array().unwrap_or_default();
    list.iter()
        .map(|entry| entry.as_object().unwrap_or_default().iter().map(|k| (k.key.clone(), k.offset as usize)).collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidate_manifests_in_toml_and_json() {
        let t = "[[package]]\nname = \"a\"\nversion = \"1.0.0\"\ncommit = \"abc\"\n\n[[package]]\nname = \"b\"\nversion = \"2.0.0\"\necosystem = \"npm\"\n";
        let e = parse_candidate_manifest("rc.toml", t).expect("valid toml");
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].source_commit.as_deref(), Some("abc"));
        assert_eq!(e[1].ecosystem, Some(Ecosystem::Npm));
        let j = r#"{"packages": [{"name": "a", "version": "1.0.0", "source_commit": "abc"}]}"#;
        assert_eq!(parse_candidate_manifest("rc", j).expect("valid json")[0].source_commit.as_deref(), Some("abc"));
        let j = r#"[{"name": "a", "version": "1.0.0"}]"#;
        assert_eq!(parse_candidate_manifest("rc", j).expect("valid json").len(), 1);
        let err =
            parse_candidate_manifest("rc.toml", "[[package]]\nname = \"a\"\nversion = \"one\"\n").expect_err("bad");
        assert_eq!(err.line(), Some(1));
        let err = parse_candidate_manifest("rc.json", "[{\"name\": \"a\",\n \"version\": 1}]").expect_err("bad");
        assert_eq!(err.line(), Some(2));
    }

    // Regression: a non-semver version in a JSON candidate was located by searching the text for
    // the first string equal to it, so it could point at another entry (here the first one's name).
    #[test]
    fn a_bad_json_version_points_at_its_own_entry() {
        let j = "[{\"name\": \"one\", \"version\": \"1.0.0\"},\n {\"name\": \"b\", \"version\": \"one\"}]";
        let err = parse_candidate_manifest("rc.json", j).expect_err("not semver");
        assert_eq!(err.line(), Some(2), "{err}");
        let j = "{\"packages\": [\n{\"name\": \"a\", \"version\": \"1.0.0\",\n \"ecosystem\": \"pip\"}]}";
        let err = parse_candidate_manifest("rc.json", j).expect_err("unknown ecosystem");
        assert_eq!(err.line(), Some(3), "{err}");
    }
}
