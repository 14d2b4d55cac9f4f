//! Release-candidate manifests: what a publish workflow selected (package, version, source
//! commit), in TOML or JSON. `rules::release::apply_candidate` checks it against head.
//!
//! May depend on: `parse::packages`, `text`.
use crate::parse::packages::model::{Ecosystem, ManifestError, parse_version};
use serde::{Deserialize, Serialize};

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
    let entries: Vec<(RawEntry, usize)> = if json {
        let raw: RawJson = serde_json::from_str(text).map_err(|e| {
            let offset = crate::text::offset_of(text, e.line(), e.column());
            ManifestError::syntax(path, "JSON", text, offset, e.to_string())
        })?;
        let list = match raw {
            RawJson::List(l) | RawJson::Object { packages: l } => l,
        };
        list.into_iter().map(|e| (e, 0)).collect()
    } else {
        let raw: RawToml = toml::from_str(text).map_err(|e| {
            ManifestError::syntax(path, "TOML", text, e.span().map_or(0, |s| s.start), e.message().trim().to_string())
        })?;
        raw.package.into_iter().map(|s| (s.span().start, s.into_inner())).map(|(o, e)| (e, o)).collect()
    };
    let mut out = Vec::with_capacity(entries.len());
    for (e, offset) in entries {
        if parse_version(&e.version).is_none() {
            return Err(ManifestError::invalid(
                path,
                text,
                if json { text.find(&format!("\"{}\"", e.version)).unwrap_or(0) } else { offset },
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
                    offset,
                    format!("unknown ecosystem `{s}` for {}", e.name),
                    "use \"cargo\" or \"npm\"",
                )
            })?),
        };
        out.push(CandidateEntry { name: e.name, version: e.version, source_commit: e.commit, ecosystem });
    }
    Ok(out)
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
}
