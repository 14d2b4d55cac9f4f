//! History: the closest safe commit on mainline with the commit that introduced each blocking
//! finding, and the release-size baseline behind `UnusuallyLargeDiff`.
//!
//! Both evaluate many snapshot pairs through one [`Analyzer`], in parallel (rayon), collecting
//! then sorting so the output does not depend on scheduling.
use crate::engine::{Analyzer, Context, EngineError, Request};
use crate::finding::{Baseline, Finding, Severity};
use crate::outcome::{ClosestSafe, LeftOut, Outcome, ReleaseSize, Verdict};
use crate::source::{Commit, Snapshot};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

/// How big one diff is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DiffSize {
    pub shapes: u64,
    pub packages: u64,
    pub lines: u64,
    pub files: u64,
}

/// A release tag: commit time, name, commit.
type Tag = (i64, String, Commit);

/// At least this many past releases before a diff can be called unusual.
pub const MIN_HISTORY: usize = 4;
/// At most this many past releases are measured (the newest ones).
pub const MAX_HISTORY: usize = 24;
/// The usual outlier cut-off for the modified z-score (Iglewicz and Hoaglin).
pub const Z_THRESHOLD: f64 = 3.5;

/// Sizes of the diffs between consecutive release tags that are ancestors of the head, oldest
/// first, then the current base → head diff; and an `UnusuallyLargeDiff` finding when the
/// current one is an outlier.
pub fn release_sizes(
    analyzer: &Analyzer<'_>,
    ctx: &Context,
    current: &DiffSize,
) -> Result<(Vec<ReleaseSize>, Option<Finding>), EngineError> {
    let Some(pattern) = ctx.config.release_tags() else {
        return Ok((Vec::new(), None));
    };
    let glob = globset::Glob::new(pattern).expect("validated when the config was loaded").compile_matcher();
    let repo = analyzer.repo;
    let head_id = match &ctx.head {
        Snapshot::Commit(c) => c.id,
        Snapshot::Worktree(_) => repo.resolve("HEAD")?.id,
    };
    let mut tags: Vec<Tag> = Vec::new();
    for (name, id) in repo.tags_matching(&glob) {
        if repo.is_ancestor(id, head_id).unwrap_or(false) {
            let commit = repo.commit(id)?;
            tags.push((commit.time, name, commit));
        }
    }
    tags.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    tags.dedup_by(|a, b| a.2.id == b.2.id);
    let base_id = ctx.base.commit().map(|c| c.id);
    // Releases up to and including the base; the current diff is base → head.
    if let Some(pos) = tags.iter().position(|t| Some(t.2.id) == base_id) {
        tags.truncate(pos + 1);
    }
    let start = tags.len().saturating_sub(MAX_HISTORY + 1);
    let tags = &tags[start..];
    let pairs: Vec<(&Tag, &Tag)> = tags.windows(2).map(|w| (&w[0], &w[1])).collect();
    let mut sizes: Vec<(usize, ReleaseSize, DiffSize)> = pairs
        .par_iter()
        .enumerate()
        .map(|(i, (a, b))| -> Result<_, EngineError> {
            let (sa, sb) = (Snapshot::Commit(a.2.clone()), Snapshot::Commit(b.2.clone()));
            let analysis = analyzer.analyze(&sa, &sb, None)?;
            let size = DiffSize {
                shapes: analysis
                    .models
                    .iter()
                    .map(|m| (m.shapes.added + m.shapes.removed + m.shapes.changed) as u64)
                    .sum(),
                packages: analysis.packages.iter().filter(|p| p.changed).count() as u64,
                lines: analysis.models.iter().filter_map(|m| m.lines_changed).sum(),
                files: analysis.files.len() as u64,
            };
            Ok((i, release_size(&a.1, &b.1, &size, false), size))
        })
        .collect::<Result<_, _>>()?;
    sizes.sort_by_key(|(i, _, _)| *i);
    let mut history: Vec<ReleaseSize> = sizes.iter().map(|(_, r, _)| r.clone()).collect();
    history.push(release_size(&ctx.base_rev, &ctx.head_rev_label(), current, true));
    let past: Vec<DiffSize> = sizes.iter().map(|(_, _, s)| *s).collect();
    Ok((history, unusually_large(&past, current, &ctx.base_rev)))
}

fn release_size(from: &str, to: &str, s: &DiffSize, current: bool) -> ReleaseSize {
    ReleaseSize {
        from: from.to_string(),
        to: to.to_string(),
        shapes_changed: s.shapes,
        packages_changed: s.packages,
        lines_changed: s.lines,
        current,
    }
}

/// The magnitude compared across releases: shapes plus packages changed, or files changed where
/// no release touched a model or package.
fn magnitude(s: &DiffSize, by_files: bool) -> f64 {
    if by_files { s.files as f64 } else { (s.shapes + s.packages) as f64 }
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 }
}

/// Robust z-score of `current` against `past` (median and MAD); a finding when it is an outlier
/// upwards and at least twice the typical size.
pub fn unusually_large(past: &[DiffSize], current: &DiffSize, base: &str) -> Option<Finding> {
    if past.len() < MIN_HISTORY {
        return None;
    }
    let by_files = past.iter().chain(std::iter::once(current)).all(|s| s.shapes + s.packages == 0);
    let unit = if by_files { "files" } else { "shapes and packages" };
    let mut xs: Vec<f64> = past.iter().map(|s| magnitude(s, by_files)).collect();
    let med = median(&mut xs);
    let mut dev: Vec<f64> = xs.iter().map(|x| (x - med).abs()).collect();
    // A history of identical sizes has MAD 0: fall back to a tenth of the median, at least 1.
    let mad = median(&mut dev).max(med * 0.1).max(1.0);
    let x = magnitude(current, by_files);
    let z = 0.6745 * (x - med) / mad;
    if z <= Z_THRESHOLD || x < 2.0 * med.max(1.0) {
        return None;
    }
    let ratio = x / med.max(1.0);
    Some(Finding::new(
        "UnusuallyLargeDiff",
        Severity::Warning,
        base,
        format!(
            "this release changes {x} {unit}, {ratio:.1}× the typical release (median {med} over the last {} releases; robust z-score {z:.1}): check that the publish picked the packages and model versions you meant",
            past.len()
        ),
    ))
}

impl Context {
    /// How the head is named in history rows.
    pub fn head_rev_label(&self) -> String {
        match &self.head {
            Snapshot::Commit(c) => c.hex()[..12].to_string(),
            Snapshot::Worktree(_) => crate::source::WORKTREE.to_string(),
        }
    }
}

/// One candidate's verdict.
struct Evaluated {
    commit: Commit,
    findings: Vec<Finding>,
    resolved: Vec<Finding>,
    blocking: BTreeSet<String>,
}

/// `closest-safe`: evaluates mainline's first-parent commits from the tip back to the merge base
/// with base (or `max_commits`), newest first, and returns the outcome for the tip with
/// `closest_safe` and every blocking finding's `introduced_by` filled in.
pub fn closest_safe(req: &Request, progress: &(dyn Fn(usize, usize) + Sync)) -> Result<Outcome, EngineError> {
    let ctx = crate::engine::context(req)?;
    let analyzer = Analyzer::new(&ctx.repo, &ctx.config);
    closest_safe_with(&analyzer, &ctx, req, progress)
}

/// [`closest_safe`] with an analyzer (and its parse caches) the caller already has: `report`
/// reuses the one its own base → head analysis filled.
pub fn closest_safe_with(
    analyzer: &Analyzer<'_>,
    ctx: &Context,
    req: &Request,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Outcome, EngineError> {
    let Some((mainline_rev, Snapshot::Commit(tip))) = ctx.mainline.clone() else {
        return Err(EngineError::Usage {
            message: "closest-safe needs a mainline commit".into(),
            help: "pass --mainline REV (e.g. origin/main), or set `mainline` in shipgate.toml".into(),
        });
    };
    let base_commit = ctx.base.commit().expect("the base is always a commit").clone();
    let repo = &ctx.repo;
    let stop = repo.merge_base(base_commit.id, tip.id)?;
    let mut candidates = repo.first_parent_chain(tip.id, stop, req.max_commits)?;
    // The merge base itself is the last fallback: it ships nothing new since the fork.
    if let Some(mb) = stop
        && req.max_commits.is_none_or(|m| candidates.len() < m)
    {
        candidates.push(repo.commit(mb)?);
    }
    let done = std::sync::atomic::AtomicUsize::new(0);
    let total = candidates.len();
    let pre_existing = ctx.config.config.gate.pre_existing;
    // Mainline rules are off here: every candidate is on mainline by construction.
    let mut evaluated: Vec<(usize, Evaluated)> = candidates
        .par_iter()
        .enumerate()
        .map(|(i, c)| -> Result<_, EngineError> {
            let (analysis, resolved) =
                analyzer.evaluate(&ctx.base, &Snapshot::Commit(c.clone()), None, req.date.as_deref())?;
            let findings = analysis.findings;
            let blocking = findings
                .iter()
                .filter(|f| f.blocks(req.fail_on, pre_existing))
                .map(|f| f.fingerprint.clone())
                .collect();
            progress(done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1, total);
            Ok((i, Evaluated { commit: c.clone(), findings, resolved, blocking }))
        })
        .collect::<Result<_, _>>()?;
    evaluated.sort_by_key(|(i, _)| *i);
    let evaluated: Vec<Evaluated> = evaluated.into_iter().map(|(_, e)| e).collect();

    let safe = evaluated.iter().position(|e| e.blocking.is_empty());
    // introduced_by: for a fingerprint blocking candidate i, the oldest candidate of the
    // unbroken run of candidates (from i towards older ones) that have it.
    let introduced = |i: usize, fp: &str| -> String {
        let mut j = i;
        while j + 1 < evaluated.len() && evaluated[j + 1].findings.iter().any(|f| f.fingerprint == fp) {
            j += 1;
        }
        evaluated[j].commit.hex()
    };
    let tip_eval = &evaluated[0];
    let mut findings = tip_eval.findings.clone();
    for f in &mut findings {
        // A pre-existing finding holds at base: no candidate introduced it.
        if tip_eval.blocking.contains(&f.fingerprint) && f.baseline == Baseline::New {
            f.introduced_by = Some(introduced(0, &f.fingerprint));
        }
    }
    // Blockers of newer candidates that the tip no longer has are worth a line each.
    let mut fixed_later: BTreeMap<String, (String, String)> = BTreeMap::new();
    for (i, e) in evaluated.iter().enumerate().take(safe.unwrap_or(evaluated.len())).skip(1) {
        for f in e.findings.iter().filter(|f| {
            e.blocking.contains(&f.fingerprint)
                && !tip_eval.blocking.contains(&f.fingerprint)
                && f.baseline == Baseline::New
        }) {
            fixed_later
                .entry(f.fingerprint.clone())
                .or_insert_with(|| (format!("{} on {}", f.id, f.subject), introduced(i, &f.fingerprint)));
        }
    }

    let head_snap = Snapshot::Commit(tip.clone());
    let mut out = crate::engine::outcome(req, ctx, &mainline_rev, &head_snap);
    out.findings = findings;
    out.resolved = tip_eval.resolved.clone();
    out.closest_safe = Some(ClosestSafe {
        commit: safe.map(|i| evaluated[i].commit.hex()),
        distance: safe,
        left_out: evaluated[..safe.unwrap_or(evaluated.len())]
            .iter()
            .map(|e| LeftOut { commit: e.commit.hex(), summary: e.commit.summary.clone() })
            .collect(),
        candidates_checked: evaluated.len(),
    });
    for (what, culprit) in fixed_later.values() {
        out.notes.push(format!("{what} blocked older candidates; introduced by {culprit}, fixed before the tip"));
    }
    out.notes
        .push("closest-safe evaluates candidates without the mainline rules (every candidate is on mainline)".into());
    out.verdict = if safe.is_some() { Verdict::Pass } else { Verdict::Fail };
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(shapes: u64) -> DiffSize {
        DiffSize { shapes, packages: 0, lines: 0, files: 1 }
    }

    #[test]
    fn outliers_need_history_and_a_real_jump() {
        let past = [s(10), s(12), s(9), s(11), s(10)];
        assert!(unusually_large(&past[..3], &s(500), "v1").is_none(), "too little history");
        assert!(unusually_large(&past, &s(14), "v1").is_none());
        let f = unusually_large(&past, &s(500), "v1").expect("outlier");
        assert!(f.message.contains("50.0×"), "{}", f.message);
        // Identical history (MAD 0) still works.
        assert!(unusually_large(&[s(5), s(5), s(5), s(5)], &s(60), "v1").is_some());
        assert!(unusually_large(&[s(5), s(5), s(5), s(5)], &s(6), "v1").is_none());
    }
}
