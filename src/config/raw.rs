//! `shipgate.toml` as written: the serde types, with spans so every error points at its line and
//! column. An unknown key or a wrong type fails here; what the values mean (globs, rule ids,
//! levels, dates) is checked when [`super::policy`] resolves them. A key left out keeps built-in
//! detection for that kind; an empty list turns that kind off.
//!
//! May depend on: `finding`, `rules::release` (the alignment policy's one definition).
use crate::rules::release::AlignmentPolicy;
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
            "a config must be a regular UTF-8 file of at most 16 MiB, and a shipgate.toml in the repository must not be a symlink: fix the file, or pass --config FILE"
        )
    )]
    Unreadable { path: String, detail: String },
}

pub(super) const CONFIG_HELP: &str =
    "see the configuration section of the README, or run `shipgate init` for a starter file";

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
    /// Globs of where the Smithy models are (a `.json` there is a model when its content is one);
    /// `None` = every `.smithy` file and every JSON file whose content is a model.
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
    /// Package names (or name globs) that must ship whatever the dependency closure says.
    #[serde(default)]
    pub required: Vec<Spanned<String>>,
    #[serde(default)]
    pub generated_from: Vec<GeneratedFrom>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GeneratedFrom {
    pub package: String,
    pub model: String,
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

/// A config error at `span` of `text` (read from `origin`).
pub(super) fn invalid(
    origin: &str,
    text: &str,
    message: String,
    help: &str,
    span: Option<std::ops::Range<usize>>,
) -> ConfigError {
    ConfigError::Invalid {
        name: origin.to_string(),
        message,
        help: help.to_string(),
        src: NamedSource::new(origin, text.to_string()),
        span: span.map(|r| SourceSpan::from(r.start..r.end.max(r.start + 1).min(text.len().max(r.start + 1)))),
    }
}

/// Reads `text` (from `origin`) into the raw config: TOML syntax, known keys, value types.
pub fn parse(origin: &str, text: &str) -> Result<Config, ConfigError> {
    toml::from_str(text).map_err(|e| invalid(origin, text, e.message().to_string(), CONFIG_HELP, e.span()))
}

/// The span of the `key = value` line of the table that starts at `table` (toml spans an
/// `[[exceptions]]` entry by its header), up to the next table header: an error about one field
/// points at that field. The table's own span when the key is not on a line of its own (an
/// inline table).
pub(super) fn key_span(text: &str, table: std::ops::Range<usize>, key: &str) -> std::ops::Range<usize> {
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
