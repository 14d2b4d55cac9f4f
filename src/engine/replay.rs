//! `replay`: every past release checked against the one before it, with the current config.
//!
//! Releases are the tags matching `release_tags`, ordered by commit time (then name); each
//! release's base is the newest earlier release that is its ancestor, so a tag on a side branch
//! is compared with the release it grew from. Each pair gets exactly the verdict
//! `check --base PREVIOUS --head RELEASE` gives without a mainline (mainline's state at each
//! release's time is not recorded, so the mainline rules do not run): the same evaluation, the
//! same baseline, the same release-size history. All pairs share one [`Analyzer`], so a blob
//! is parsed once for the whole replay; pairs are evaluated in parallel and the rows sorted.
//! The rows are plain data in `outcome` ([`Replay`]), which the renderers read.
use super::{Analyzer, EngineError};
use crate::config::LoadedConfig;
use crate::finding::{Baseline, PreExisting, Severity};
use crate::history::{DiffSize, Tag};
use crate::outcome::{Blocker, ReleaseCheck, Replay, RevInfo, Size, TOP_BLOCKERS, Verdict};
use crate::source::{Repo, Snapshot};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// What to replay, as plain values from the command line.
#[derive(Debug, Clone)]
pub struct ReplayRequest {
    pub repo: PathBuf,
    pub config: Option<PathBuf>,
    pub fail_on: Severity,
    /// Only the newest N releases.
    pub last: Option<usize>,
    /// Only the releases after this tag.
    pub since: Option<String>,
    /// "Today" for exception expiry (resolved by `cli`).
    pub today: crate::date::Date,
}

/// The (base, head) pairs: each release with the newest earlier release that is its ancestor.
pub fn pairs(repo: &Repo, tags: &[Tag]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (i, t) in tags.iter().enumerate().skip(1) {
        if let Some(j) = (0..i).rev().find(|&j| repo.is_ancestor(tags[j].2.id, t.2.id).unwrap_or(false)) {
            out.push((j, i));
        }
    }
    out
}

fn rev(tag: &Tag) -> RevInfo {
    RevInfo { rev: tag.1.clone(), commit: tag.2.hex(), date: Some(tag.2.date()), summary: Some(tag.2.summary.clone()) }
}

/// Runs the replay. Errors only when it cannot run at all (repository, config, tag glob);
/// a pair that cannot be checked is a row that says why.
pub fn replay(req: &ReplayRequest) -> Result<Replay, EngineError> {
    let repo = Repo::open(&req.repo)?;
    let head = repo.snapshot("HEAD")?;
    let config = super::load_config(&repo, req.config.as_ref(), &head)?;
    replay_with(&repo, &config, req)
}

/// [`replay`] with a config already loaded (`shipgate init` replays its own proposal);
/// `req.config` is not read.
pub fn replay_with(repo: &Repo, config: &LoadedConfig, req: &ReplayRequest) -> Result<Replay, EngineError> {
    let mut notes = Vec::new();
    let any = globset::Glob::new("*").expect("`*` is a glob").compile_matcher();
    let (pattern, glob) = match &config.policy.release_tags {
        Some(t) => (t.pattern.clone(), &t.matcher),
        None => {
            notes.push(
                "no `release_tags` in the config: every tag is taken as a release (set `release_tags` to the glob your release tags follow)"
                    .into(),
            );
            ("*".to_string(), &any)
        }
    };
    let tags = crate::history::release_tags(repo, glob)?;
    if tags.len() < 2 {
        return Err(EngineError::Usage {
            message: format!("replay needs at least two release tags matching `{pattern}`; found {}", tags.len()),
            help:
                "set `release_tags` in shipgate.toml to the glob your release tags follow, e.g. \"release-*\" or \"v*\""
                    .into(),
        });
    }
    let mut pairs = pairs(repo, &tags);
    if let Some(since) = &req.since {
        let Some(pos) = tags.iter().position(|t| &t.1 == since) else {
            return Err(EngineError::Usage {
                message: format!("--since `{since}` is not a release tag matching `{pattern}`"),
                help: "pass one of the release tags (`git tag -l` lists them)".into(),
            });
        };
        pairs.retain(|(_, i)| *i > pos);
    }
    if let Some(n) = req.last {
        let skip = pairs.len().saturating_sub(n);
        pairs.drain(..skip);
    }
    notes.push(
        "each release is checked against the one before it without the mainline rules: mainline's state at each release's time is not recorded"
            .into(),
    );
    let analyzer = Analyzer::new(repo, config);
    // Measure every consecutive release diff first: each row's release-size history then reads
    // them from the analyzer instead of measuring them again concurrently.
    let mut chain = tags.clone();
    chain.dedup_by(|a, b| a.2.id == b.2.id);
    let _: Vec<Result<DiffSize, EngineError>> =
        chain.par_windows(2).map(|w| analyzer.release_size(&w[0].2, &w[1].2)).collect();
    let pre_existing = config.policy.pre_existing;
    let mut releases: Vec<(usize, ReleaseCheck)> = pairs
        .par_iter()
        .enumerate()
        .map(|(k, &(j, i))| (k, check_pair(&analyzer, &tags[j], &tags[i], req, pre_existing)))
        .collect();
    releases.sort_by_key(|(k, _)| *k);
    Ok(Replay {
        repository: req.repo.display().to_string(),
        config: config.origin.clone(),
        release_tags: pattern,
        fail_on: req.fail_on,
        pre_existing,
        releases: releases.into_iter().map(|(_, r)| r).collect(),
        notes,
    })
}

fn check_pair(
    analyzer: &Analyzer<'_>,
    base: &Tag,
    head: &Tag,
    req: &ReplayRequest,
    policy: PreExisting,
) -> ReleaseCheck {
    let mut row = ReleaseCheck {
        base: rev(base),
        head: rev(head),
        verdict: None,
        error: None,
        blocking: BTreeMap::new(),
        top_blockers: Vec::new(),
        new: BTreeMap::new(),
        pre_existing: 0,
        resolved: 0,
        size: None,
    };
    let (sa, sb) = (Snapshot::Commit(base.2.clone()), Snapshot::Commit(head.2.clone()));
    let label = head.2.hex()[..12].to_string();
    let evaluation = match analyzer.evaluate(&sa, &sb, None, req.today, Some((&base.1, &label))) {
        Ok(e) => e,
        Err(e) => {
            row.error = Some(e.to_string());
            return row;
        }
    };
    let a = &evaluation.analysis;
    let size = DiffSize::of(&a.models, &a.packages, &a.files);
    row.size = Some(Size {
        shapes_changed: size.shapes,
        packages_changed: size.packages,
        lines_changed: size.lines,
        files_changed: size.files,
    });
    for f in a.findings.iter().filter(|f| f.is_active()) {
        match f.baseline {
            Baseline::PreExisting => row.pre_existing += 1,
            _ => *row.new.entry(f.rule.clone()).or_default() += 1,
        }
        if f.blocks(req.fail_on, policy) {
            *row.blocking.entry(f.rule.clone()).or_default() += 1;
            if row.top_blockers.len() < TOP_BLOCKERS {
                row.top_blockers.push(Blocker {
                    id: f.id.clone(),
                    subject: f.subject.clone(),
                    message: f.message.clone(),
                });
            }
        }
    }
    row.resolved = evaluation.resolved.len();
    row.verdict = Some(if row.blocking.is_empty() { Verdict::Pass } else { Verdict::Fail });
    row
}
