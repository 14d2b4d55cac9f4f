//! The config resolved once: every glob compiled (a bad one is an error with its span, here and
//! never later), the package selection, the release policy, the `[rules]` levels and the
//! exceptions. What the engine hands the stages after it: none of them compiles a glob or sees
//! the raw config.
//!
//! May depend on: `finding`, `date`, `globs`, `parse::packages` (the selection), `rules` (the
//! catalog and the policy types it fills).
use super::raw::{self, Config, ConfigError};
use crate::finding::{PreExisting, Severity};
use crate::globs::{GlobError, NameGlobs, PathGlobs};
use crate::parse::packages::tree::Selection;
use crate::rules::policy::{ExceptionRule, Levels, Policy as FindingPolicy};
use crate::rules::release::{AlignmentGroup, ReleasePolicy};
use globset::{Glob, GlobMatcher, GlobSet, GlobSetBuilder};
use toml::Spanned;

/// `release_tags`: the glob as written and compiled.
#[derive(Debug, Clone)]
pub struct ReleaseTags {
    pub pattern: String,
    pub matcher: GlobMatcher,
}

/// Everything the config decides, resolved.
#[derive(Debug, Clone)]
pub struct Policy {
    /// The branch releases are cut from, when configured.
    pub mainline: Option<String>,
    pub release_tags: Option<ReleaseTags>,
    /// `[models] smithy`: `None` detects Smithy models by content.
    pub smithy: Option<GlobSet>,
    /// Whether `[packages]` leaves Cargo / npm on (an empty list turns one off).
    pub cargo_on: bool,
    pub npm_on: bool,
    /// Which manifests are packages.
    pub selection: Selection,
    /// `[packages]` and `[[alignment]]`, for the release rules.
    pub release: ReleasePolicy,
    /// `[rules]` levels and `[[exceptions]]`, applied to every finding.
    pub findings: FindingPolicy,
    /// `[gate] pre_existing`.
    pub pre_existing: PreExisting,
}

impl Policy {
    /// Resolves a raw config read from `origin` (`text` is its source, for spans and lines).
    pub fn resolve(config: &Config, origin: &str, text: &str) -> Result<Policy, ConfigError> {
        let invalid = |message: String, help: &str, span| raw::invalid(origin, text, message, help, Some(span));
        let glob = |g: &Spanned<String>| -> Result<Glob, ConfigError> {
            Glob::new(g.get_ref()).map_err(|e| {
                invalid(
                    format!("`{}` is not a valid glob: {}", g.get_ref(), e.kind()),
                    "globs use `*`, `?`, `**`, `[abc]` and `{a,b}`",
                    g.span(),
                )
            })
        };
        // Every glob is checked before anything else, in the order of the file's sections.
        let mut globs: Vec<&Spanned<String>> = Vec::new();
        globs.extend(config.release_tags.iter());
        globs.extend(config.models.smithy.iter().flatten());
        globs.extend(config.packages.cargo.iter().flatten());
        globs.extend(config.packages.npm.iter().flatten());
        globs.extend(config.packages.exclude.iter());
        globs.extend(config.packages.ignore_files.iter());
        globs.extend(config.packages.required.iter());
        globs.extend(config.alignment.iter().flat_map(|a| a.packages.iter()));
        for g in globs {
            glob(g)?;
        }
        // Compiled once, as the stages match them (paths or package names).
        let compiled = |globs: &[Spanned<String>], e: GlobError| {
            let span = globs.get(e.index).map_or(0..0, Spanned::span);
            invalid(
                format!("`{}` is not a valid glob: {}", e.glob, e.message),
                "globs use `*`, `?`, `**`, `[abc]` and `{a,b}`",
                span,
            )
        };
        let paths = |globs: &[Spanned<String>]| PathGlobs::new(&strings(globs)).map_err(|e| compiled(globs, e));
        let names = |globs: &[Spanned<String>]| NameGlobs::new(&strings(globs)).map_err(|e| compiled(globs, e));
        let set = |globs: &[Spanned<String>]| -> Result<GlobSet, ConfigError> {
            let mut b = GlobSetBuilder::new();
            for g in globs {
                b.add(glob(g)?);
            }
            b.build().map_err(|e| {
                invalid(format!("the globs could not be compiled: {e}"), "simplify the globs", globs[0].span())
            })
        };
        let release_tags = match &config.release_tags {
            Some(g) => Some(ReleaseTags { pattern: g.get_ref().clone(), matcher: glob(g)?.compile_matcher() }),
            None => None,
        };
        let smithy = config.models.smithy.as_deref().map(set).transpose()?;
        let levels = levels(config, &invalid)?;
        let exceptions = exceptions(config, text, &invalid)?;
        let p = &config.packages;
        Ok(Policy {
            mainline: config.mainline.clone(),
            release_tags,
            smithy,
            cargo_on: p.cargo.as_ref().is_none_or(|v| !v.is_empty()),
            npm_on: p.npm.as_ref().is_none_or(|v| !v.is_empty()),
            selection: Selection {
                cargo: p.cargo.as_deref().map(paths).transpose()?,
                npm: p.npm.as_deref().map(paths).transpose()?,
                exclude: names(&p.exclude)?,
            },
            release: ReleasePolicy {
                ignore_files: paths(&p.ignore_files)?,
                required: names(&p.required)?,
                generated_from: p.generated_from.iter().map(|g| (g.package.clone(), g.model.clone())).collect(),
                alignment: config
                    .alignment
                    .iter()
                    .map(|a| {
                        let packages = names(&a.packages)?;
                        Ok(AlignmentGroup { name: a.name.clone(), packages, policy: a.policy })
                    })
                    .collect::<Result<_, ConfigError>>()?,
            },
            findings: FindingPolicy::new(origin, levels, exceptions),
            pre_existing: config.gate.pre_existing,
        })
    }
}

type Invalid<'a> = dyn Fn(String, &str, std::ops::Range<usize>) -> ConfigError + 'a;

/// `[rules]`: every id a rule of the catalog, every value a level or `off`; longer (more
/// specific) ids first, so the first match wins.
fn levels(config: &Config, invalid: &Invalid<'_>) -> Result<Levels, ConfigError> {
    let mut levels = Vec::new();
    for (key, value) in &config.rules {
        let id = key.get_ref();
        if crate::rules::catalog::get(crate::finding::rule_of(id)).is_none() {
            return Err(invalid(
                format!("unknown rule `{id}` in [rules]"),
                "`shipgate rules` lists every rule id",
                key.span(),
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
                        value.span(),
                    ));
                }
            },
        };
        levels.push((id.clone(), level));
    }
    levels.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
    Ok(Levels(levels))
}

/// `[[exceptions]]`: a known rule, a subject that is a glob, a real `expires` date; each with
/// the line it starts on.
fn exceptions(config: &Config, text: &str, invalid: &Invalid<'_>) -> Result<Vec<ExceptionRule>, ConfigError> {
    let lines = crate::text::LineIndex::new(text.as_bytes());
    let line_of = |offset: usize| (!text.is_empty() && offset <= text.len()).then(|| lines.line(offset));
    let mut out = Vec::new();
    for ex in &config.exceptions {
        let e = ex.get_ref();
        if crate::rules::catalog::get(crate::finding::rule_of(&e.rule)).is_none() {
            return Err(invalid(
                format!("exception names unknown rule `{}`", e.rule),
                "`shipgate rules` lists every rule id",
                raw::key_span(text, ex.span(), "rule"),
            ));
        }
        if let Err(err) = Glob::new(&e.subject) {
            return Err(invalid(
                format!("exception subject `{}` is not a valid glob: {}", e.subject, err.kind()),
                "use the exact subject from the report, or a glob like `com.amazonaws.s3#*`",
                raw::key_span(text, ex.span(), "subject"),
            ));
        }
        if let Some(date) = &e.expires
            && crate::date::parse(date).is_none()
        {
            return Err(invalid(
                format!("exception `expires = \"{date}\"` is not a date"),
                "write dates as YYYY-MM-DD, e.g. expires = \"2027-01-31\"",
                raw::key_span(text, ex.span(), "expires"),
            ));
        }
        out.push(ExceptionRule {
            rule: e.rule.clone(),
            subject: e.subject.clone(),
            reason: e.reason.clone(),
            approved_by: e.approved_by.clone(),
            expires: e.expires.clone(),
            fingerprint: e.fingerprint.clone(),
            line: line_of(ex.span().start),
        });
    }
    Ok(out)
}

fn strings(globs: &[Spanned<String>]) -> Vec<String> {
    globs.iter().map(|g| g.get_ref().clone()).collect()
}
