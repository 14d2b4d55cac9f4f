//! `shipgate.toml`: which files are models and packages, and the release policy (alignment
//! groups, rule levels, exceptions).
//!
//! Parsing is strict: an unknown key, a wrong type, a bad glob, an unknown rule or level, or a
//! malformed date is an error that points at the line and column. A key left out keeps
//! built-in detection for that kind; an empty list turns that kind off.
use crate::finding::Severity;
use globset::{Glob, GlobSet, GlobSetBuilder};
use miette::{Diagnostic, NamedSource, SourceSpan};
use serde::Deserialize;
use std::collections::BTreeMap;
use thiserror::Error;
use toml::Spanned;

#[derive(Debug, Error, Diagnostic)]
pub enum ConfigError {
    #[error("{name}: {message}")]
    #[diagnostic(code(shipgate::config::invalid), help("{help}"))]
    Invalid {
        name: String,
        message: String,
        help: String,
        #[source_code]
        src: NamedSource<String>,
        #[label("here")]
        span: Option<SourceSpan>,
    },

    #[error("could not read config file {path}: {detail}")]
    #[diagnostic(
        code(shipgate::config::unreadable),
        help(
            "a config must be a regular UTF-8 file of at most 16 MiB, and a shipgate.toml in the work tree must not be a symlink: fix the file, or pass --config FILE"
        )
    )]
    Unreadable { path: String, detail: String },
}

const CONFIG_HELP: &str = "see the configuration section of the README, or run `shipgate init` for a starter file";

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The branch releases are cut from.
    pub mainline: Option<String>,
    /// Glob over tag names that marks releases.
    pub release_tags: Option<Spanned<String>>,
    #[serde(default)]
    pub models: ModelsConfig,
    #[serde(default)]
    pub packages: PackagesConfig,
    #[serde(default)]
    pub alignment: Vec<Alignment>,
    /// Rule id (or hierarchical event id) → level or `off`.
    #[serde(default)]
    pub rules: BTreeMap<Spanned<String>, Spanned<String>>,
    #[serde(default)]
    pub exceptions: Vec<Spanned<Exception>>,
    #[serde(default)]
    pub gate: GateConfig,
}

/// `[gate]`: how findings turn into a verdict.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GateConfig {
    /// What a finding that also holds at base does: `"report"` (default) or `"block"`.
    #[serde(default)]
    pub pre_existing: crate::finding::PreExisting,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelsConfig {
    /// Globs of Smithy JSON AST files; `None` = detect by content.
    pub smithy: Option<Vec<Spanned<String>>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackagesConfig {
    /// Package dirs or Cargo.toml globs; `None` = every Cargo.toml with `[package]`.
    pub cargo: Option<Vec<Spanned<String>>>,
    /// Package dirs or package.json globs; `None` = every package.json with name and version.
    pub npm: Option<Vec<Spanned<String>>>,
    /// Package-name globs never checked.
    #[serde(default)]
    pub exclude: Vec<Spanned<String>>,
    /// Repo-root path globs whose changes never need a version bump.
    #[serde(default)]
    pub ignore_files: Vec<Spanned<String>>,
    /// Packages that must ship whatever the dependency closure says.
    #[serde(default)]
    pub required: Vec<String>,
    #[serde(default)]
    pub generated_from: Vec<GeneratedFrom>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GeneratedFrom {
    pub package: String,
    pub model: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AlignmentPolicy {
    SameVersion,
    SameRequirement,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Alignment {
    pub name: String,
    pub packages: Vec<Spanned<String>>,
    #[serde(default = "default_policy")]
    pub policy: AlignmentPolicy,
}

fn default_policy() -> AlignmentPolicy {
    AlignmentPolicy::SameVersion
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Exception {
    /// Rule id or hierarchical event id (prefix match at `.` boundaries).
    pub rule: String,
    /// Subject, exact or glob.
    pub subject: String,
    pub reason: Option<String>,
    pub approved_by: Option<String>,
    /// `YYYY-MM-DD`, the last day the exception holds.
    pub expires: Option<String>,
    /// Optional: restrict to one fingerprint.
    pub fingerprint: Option<String>,
}

/// A loaded config with its source text (for diagnostics and the report's digest).
#[derive(Debug, Clone)]
pub struct LoadedConfig {
    pub config: Config,
    /// Where it came from: a path, `HEAD:shipgate.toml`, or `built-in`.
    pub origin: String,
    /// Its path inside the repository (`shipgate.toml`) when it was read from the work tree or
    /// the head commit rather than from `--config`.
    pub repo_path: Option<String>,
    pub text: String,
    /// Compiled rule levels: (rule or event-id prefix, level or None for off).
    pub levels: Vec<(String, Option<Severity>)>,
}

impl LoadedConfig {
    /// Built-in detection, no policy.
    pub fn builtin() -> LoadedConfig {
        LoadedConfig {
            config: Config::default(),
            origin: "built-in".into(),
            repo_path: None,
            text: String::new(),
            levels: Vec::new(),
        }
    }

    /// Parses and validates `text` read from `origin`.
    pub fn parse(origin: &str, text: &str) -> Result<LoadedConfig, ConfigError> {
        let invalid = |message: String, help: &str, span: Option<std::ops::Range<usize>>| ConfigError::Invalid {
            name: origin.to_string(),
            message,
            help: help.to_string(),
            src: NamedSource::new(origin, text.to_string()),
            span: span.map(|r| SourceSpan::from(r.start..r.end.max(r.start + 1).min(text.len().max(r.start + 1)))),
        };
        let config: Config =
            toml::from_str(text).map_err(|e| invalid(e.message().to_string(), CONFIG_HELP, e.span()))?;

        let mut globs: Vec<&Spanned<String>> = Vec::new();
        globs.extend(config.release_tags.iter());
        globs.extend(config.models.smithy.iter().flatten());
        globs.extend(config.packages.cargo.iter().flatten());
        globs.extend(config.packages.npm.iter().flatten());
        globs.extend(config.packages.exclude.iter());
        globs.extend(config.packages.ignore_files.iter());
        globs.extend(config.alignment.iter().flat_map(|a| a.packages.iter()));
        for g in globs {
            if let Err(e) = Glob::new(g.get_ref()) {
                return Err(invalid(
                    format!("`{}` is not a valid glob: {}", g.get_ref(), e.kind()),
                    "globs use `*`, `?`, `**`, `[abc]` and `{a,b}`",
                    Some(g.span()),
                ));
            }
        }

        let mut levels = Vec::new();
        for (key, value) in &config.rules {
            let id = key.get_ref();
            if crate::rules::catalog::get(crate::finding::rule_of(id)).is_none() {
                return Err(invalid(
                    format!("unknown rule `{id}` in [rules]"),
                    "`shipgate rules` lists every rule id",
                    Some(key.span()),
                ));
            }
            let level = match value.get_ref().as_str() {
                "off" => None,
                other => match Severity::parse(other).filter(|s| *s != Severity::Suppressed) {
                    Some(s) => Some(s),
                    None => {
                        return Err(invalid(
                            format!("`{other}` is not a level"),
                            "use one of: error, danger, warning, note, off",
                            Some(value.span()),
                        ));
                    }
                },
            };
            levels.push((id.clone(), level));
        }
        // Longer (more specific) ids win; see `level_for`.
        levels.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));

        for ex in &config.exceptions {
            let e = ex.get_ref();
            if crate::rules::catalog::get(crate::finding::rule_of(&e.rule)).is_none() {
                return Err(invalid(
                    format!("exception names unknown rule `{}`", e.rule),
                    "`shipgate rules` lists every rule id",
                    Some(key_span(text, ex.span(), "rule")),
                ));
            }
            if let Err(err) = Glob::new(&e.subject) {
                return Err(invalid(
                    format!("exception subject `{}` is not a valid glob: {}", e.subject, err.kind()),
                    "use the exact subject from the report, or a glob like `com.amazonaws.s3#*`",
                    Some(key_span(text, ex.span(), "subject")),
                ));
            }
            if let Some(date) = &e.expires
                && parse_date(date).is_none()
            {
                return Err(invalid(
                    format!("exception `expires = \"{date}\"` is not a date"),
                    "write dates as YYYY-MM-DD, e.g. expires = \"2027-01-31\"",
                    Some(key_span(text, ex.span(), "expires")),
                ));
            }
        }
        Ok(LoadedConfig { config, origin: origin.to_string(), repo_path: None, text: text.to_string(), levels })
    }

    /// The configured level for an event id: `Some(None)` = off, `None` = not configured.
    pub fn level_for(&self, id: &str) -> Option<Option<Severity>> {
        self.levels.iter().find(|(k, _)| crate::finding::id_matches(k, id)).map(|(_, l)| *l)
    }

    pub fn release_tags(&self) -> Option<&str> {
        self.config.release_tags.as_ref().map(|s| s.get_ref().as_str())
    }

    /// SHA-256 of the config text (empty for built-in).
    pub fn digest(&self) -> String {
        use sha2::{Digest, Sha256};
        hex::encode(Sha256::digest(self.text.as_bytes()))
    }
}

/// The span of the `key = value` line of the table that starts at `table` (toml spans an
/// `[[exceptions]]` entry by its header), up to the next table header: an error about one field
/// points at that field. The table's own span when the key is not on a line of its own (an
/// inline table).
fn key_span(text: &str, table: std::ops::Range<usize>, key: &str) -> std::ops::Range<usize> {
    let Some(body) = text.get(table.start..) else { return table };
    let mut at = table.start;
    for (i, line) in body.split_inclusive('\n').enumerate() {
        let trimmed = line.trim_start();
        if i > 0 && trimmed.starts_with('[') {
            break;
        }
        let rest = trimmed.strip_prefix(key).or_else(|| trimmed.strip_prefix(&format!("\"{key}\"")));
        if rest.is_some_and(|r| r.trim_start().starts_with('=')) {
            let start = at + (line.len() - trimmed.len());
            return start..at + line.trim_end().len();
        }
        at += line.len();
    }
    table
}

/// Compiles spanned glob strings into a set (validated at load time, so this cannot fail there).
pub fn globset(globs: &[Spanned<String>]) -> GlobSet {
    let mut b = GlobSetBuilder::new();
    for g in globs {
        if let Ok(g) = Glob::new(g.get_ref()) {
            b.add(g);
        }
    }
    b.build().unwrap_or_else(|_| GlobSet::empty())
}

pub fn strings(globs: &[Spanned<String>]) -> Vec<String> {
    globs.iter().map(|g| g.get_ref().clone()).collect()
}

/// Days since the epoch for `YYYY-MM-DD`, or `None` when it is not a real date.
pub fn parse_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y: i64 = s[0..4].parse().ok()?;
    let m: i64 = s[5..7].parse().ok()?;
    let d: i64 = s[8..10].parse().ok()?;
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let dim = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if !(1..=12).contains(&m) || d < 1 || d > dim[(m - 1) as usize] {
        return None;
    }
    // days-from-civil (H. Hinnant)
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(parse_date("1970-01-01"), Some(0));
        assert_eq!(parse_date("2000-02-29"), Some(11_016));
        assert_eq!(parse_date("2001-02-29"), None);
        assert_eq!(parse_date("2027-1-31"), None);
        assert_eq!(crate::source::civil_date(parse_date("2026-11-22").expect("valid") * 86_400), "2026-11-22");
    }

    #[test]
    fn unknown_key_points_at_line_and_column() {
        let err = LoadedConfig::parse("shipgate.toml", "mainline = \"main\"\n[packages]\ncargoo = []\n")
            .expect_err("unknown key");
        let ConfigError::Invalid { message, span, .. } = err else { panic!("wrong error") };
        assert!(message.contains("unknown field `cargoo`"), "{message}");
        assert_eq!(span.map(|s| s.offset()), Some(29));
    }

    #[test]
    fn wrong_type_and_bad_glob_and_level() {
        assert!(LoadedConfig::parse("c", "release_tags = 3").is_err());
        assert!(LoadedConfig::parse("c", "[models]\nsmithy = [\"a/[b\"]").is_err());
        let e = LoadedConfig::parse("c", "[[alignment]]\nname = \"x\"\npackages = [\"a*\"]\npolicy = \"same\"");
        assert!(e.is_err());
    }

    #[test]
    fn gate_table_takes_pre_existing_and_rejects_unknown_keys() {
        use crate::finding::PreExisting;
        assert_eq!(LoadedConfig::builtin().config.gate.pre_existing, PreExisting::Report);
        let c = LoadedConfig::parse("c", "[gate]\npre_existing = \"block\"\n").expect("valid");
        assert_eq!(c.config.gate.pre_existing, PreExisting::Block);
        let c = LoadedConfig::parse("c", "[gate]\npre_existing = \"report\"\n").expect("valid");
        assert_eq!(c.config.gate.pre_existing, PreExisting::Report);
        let err = LoadedConfig::parse("c", "[gate]\npre_existing = \"warn\"\n").expect_err("bad value");
        let ConfigError::Invalid { message, span, .. } = err else { panic!("wrong error") };
        assert!(message.contains("report") && message.contains("block"), "{message}");
        assert_eq!(span.map(|s| s.offset()), Some(22));
        let err = LoadedConfig::parse("c", "[gate]\npre_exsting = \"block\"\n").expect_err("unknown key");
        let ConfigError::Invalid { message, span, .. } = err else { panic!("wrong error") };
        assert!(message.contains("unknown field `pre_exsting`"), "{message}");
        assert_eq!(span.map(|s| s.offset()), Some(7));
    }

    // Regression: a bad `expires` was labelled at `[[exceptions]]`, not at the `expires` line.
    #[test]
    fn exception_errors_point_at_their_field() {
        let text =
            "[[exceptions]]\nrule = \"RemovedShape\"\nsubject = \"a#B\"\nreason = \"r\"\nexpires = \"2027-02-30\"\n";
        let ConfigError::Invalid { span, .. } = LoadedConfig::parse("c", text).expect_err("not a date") else {
            panic!("wrong error")
        };
        let span = span.expect("a span");
        assert_eq!(&text[span.offset()..span.offset() + span.len()], "expires = \"2027-02-30\"");
        let text = "[[exceptions]]\nrule = \"NoSuchRule\"\nsubject = \"a#B\"\n";
        let ConfigError::Invalid { span, .. } = LoadedConfig::parse("c", text).expect_err("unknown rule") else {
            panic!("wrong error")
        };
        assert_eq!(span.map(|s| s.offset()), Some(15));
        let text = "exceptions = [{ rule = \"RemovedShape\", subject = \"a[\" }]\n";
        assert!(matches!(LoadedConfig::parse("c", text), Err(ConfigError::Invalid { span: Some(_), .. })));
    }

    #[test]
    fn empty_list_is_kept_distinct_from_absent() {
        let c = LoadedConfig::parse("c", "[packages]\nnpm = []").expect("valid");
        assert!(c.config.packages.npm.as_ref().is_some_and(|v| v.is_empty()));
        assert!(c.config.packages.cargo.is_none());
    }
}
