//! History: the closest safe commit on mainline with the commit that introduced each blocking
//! finding, and the release-size baseline behind `UnusuallyLargeDiff`.
//!
//! Both evaluate many snapshot pairs in parallel (rayon), collecting then sorting so the output
//! does not depend on scheduling. How one pair is evaluated is the caller's (the engine passes
//! its analyzer in as a function), so history knows commits and findings, not the pipeline, and
//! it returns its own result types: the engine builds the outcome from them.
//!
//! May depend on: `source`, `finding`, `outcome` (its plain row types).
use crate::finding::{Baseline, Finding};
use crate::outcome::{ClosestSafe, FileChange, LeftOut, ModelSummary, PackageSummary, ReleaseSize};
use crate::source::{Commit, Oid, Repo, Snapshot, SourceError};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

/// How big one diff is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct DiffSize {
    pub shapes: u64,
    pub packages: u64,
    pub lines: u64,
    pub files: u64,
}

impl DiffSize {
    /// The size of one diff, from its model summaries, package rows and changed files.
    pub fn of(models: &[ModelSummary], packages: &[PackageSummary], files: &[FileChange]) -> DiffSize {
        DiffSize {
            shapes: models.iter().map(|m| (m.shapes.added + m.shapes.removed + m.shapes.changed) as u64).sum(),
            packages: packages.iter().filter(|p| p.changed).count() as u64,
            lines: models.iter().filter_map(|m| m.lines_changed).sum(),
            files: files.len() as u64,
        }
    }
}

/// A release tag: commit time, name, commit.
pub type Tag = (i64, String, Commit);

/// Tags matching `glob` with their commits, oldest first (commit time, then name).
pub fn release_tags(repo: &Repo, glob: &globset::GlobMatcher) -> Result<Vec<Tag>, SourceError> {
    let mut tags: Vec<Tag> = Vec::new();
    for (name, id) in repo.tags_matching(glob) {
        let commit = repo.commit(id)?;
        tags.push((commit.time, name, commit));
    }
    tags.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    Ok(tags)
}

/// At least this many past releases before a diff can be called unusual.
pub const MIN_HISTORY: usize = 4;
/// At most this many past releases are measured (the newest ones).
pub const MAX_HISTORY: usize = 24;
/// The percentile of the past releases that marks a large but usual release.
pub const PERCENTILE: usize = 90;
/// How many times that release's size a diff must exceed to be unusual.
pub const FACTOR: u64 = 3;

/// Sizes of the diffs between consecutive release tags that are ancestors of the head, oldest
/// first, then the current base → head diff; and an `UnusuallyLargeDiff` finding when the
/// current one is an outlier. `pattern` is the config's `release_tags` (none: no history);
/// `measure` gives the size of the diff between two release commits.
pub fn release_sizes<E: From<SourceError> + Send>(
    repo: &Repo,
    pattern: Option<&globset::GlobMatcher>,
    (base_rev, base): (&str, &Snapshot),
    (head_label, head): (&str, &Snapshot),
    current: &DiffSize,
    measure: &(dyn Fn(&Commit, &Commit) -> Result<DiffSize, E> + Sync),
) -> Result<(Vec<ReleaseSize>, Option<Finding>), E> {
    let Some(glob) = pattern else {
        return Ok((Vec::new(), None));
    };
    let head_id = match head {
        Snapshot::Commit(c) => c.id,
        Snapshot::Worktree(_) => repo.resolve("HEAD")?.id,
    };
    let mut tags = release_tags(repo, glob)?;
    tags.retain(|t| repo.is_ancestor(t.2.id, head_id).unwrap_or(false));
    tags.dedup_by(|a, b| a.2.id == b.2.id);
    let base_id = base.commit().map(|c| c.id);
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
        .map(|(i, (a, b))| -> Result<_, E> {
            let size = measure(&a.2, &b.2)?;
            Ok((i, release_size(&a.1, &b.1, &size, false), size))
        })
        .collect::<Result<_, _>>()?;
    sizes.sort_by_key(|(i, _, _)| *i);
    let mut history: Vec<ReleaseSize> = sizes.iter().map(|(_, r, _)| r.clone()).collect();
    history.push(release_size(base_rev, head_label, current, true));
    let past: Vec<DiffSize> = sizes.iter().map(|(_, _, s)| *s).collect();
    Ok((history, unusually_large(&past, current, base_rev)))
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
fn magnitude(s: &DiffSize, by_files: bool) -> u64 {
    if by_files { s.files } else { s.shapes + s.packages }
}

/// The nearest-rank percentile `p` of `v` (sorted in place): with 24 releases the 90th is the
/// third largest.
fn percentile(v: &mut [u64], p: usize) -> u64 {
    v.sort_unstable();
    let rank = (p * v.len()).div_ceil(100).max(1);
    v[rank - 1]
}

/// A finding when the current diff is more than [`FACTOR`] times the [`PERCENTILE`]th-percentile
/// size of the past releases (and at least [`FACTOR`]: a history of empty diffs does not make a
/// one-line change unusual).
///
/// Calibrated on real release history (`shipgate replay`): release sizes are heavy-tailed (most
/// releases touch a few packages, some update hundreds of model shapes), so a threshold from the
/// median and its deviation fires on every release that changes a model, however often that
/// happens. A percentile threshold tolerates the usual large releases and still flags a jump
/// beyond them: on the 41 releases of smithy-rs's 2024 history it fires on 3 (the only three
/// that changed models, 210 to 3,107 shapes, where the releases before changed none).
pub fn unusually_large(past: &[DiffSize], current: &DiffSize, base: &str) -> Option<Finding> {
    if past.len() < MIN_HISTORY {
        return None;
    }
    let by_files = past.iter().chain(std::iter::once(current)).all(|s| s.shapes + s.packages == 0);
    let mut xs: Vec<u64> = past.iter().map(|s| magnitude(s, by_files)).collect();
    let usual = percentile(&mut xs, PERCENTILE);
    let median = xs[(xs.len() - 1) / 2];
    let threshold = FACTOR * usual.max(1);
    let x = magnitude(current, by_files);
    if x <= threshold {
        return None;
    }
    let what = if by_files {
        format!("{x} files")
    } else {
        format!("{x} shapes and packages ({} shapes, {} packages)", current.shapes, current.packages)
    };
    Some(Finding::new(
        "UnusuallyLargeDiff",
        crate::rules::catalog::severity("UnusuallyLargeDiff"),
        base,
        format!(
            "this release changes {what}, above the threshold of {threshold} ({FACTOR}× the {PERCENTILE}th-percentile release of the last {n}, which changed {usual}; their median is {median}): check that the publish picked the packages and model versions you meant",
            n = past.len()
        ),
    ))
}

/// One candidate's verdict. Only the tip keeps all its findings (they are the outcome's); every
/// other candidate keeps its blocking findings and the fingerprints of all of them, which is
/// what the introduced-by search asks about (a search over hundreds of candidates with thousands
/// of findings each would otherwise hold every one of them).
struct Evaluated {
    commit: Commit,
    /// All findings at the tip; only the blocking ones elsewhere.
    findings: Vec<Finding>,
    resolved: Vec<Finding>,
    blocking: BTreeSet<String>,
    /// Every finding's fingerprint as a number, sorted (see [`fingerprint_key`]).
    holds: Vec<u128>,
}

impl Evaluated {
    fn holds(&self, fingerprint: &str) -> bool {
        self.holds.binary_search(&fingerprint_key(fingerprint)).is_ok()
    }
}

/// A fingerprint as a number: fingerprints are 128-bit hex digests, so this is exact for them;
/// anything else is hashed (never produced by [`Finding`], kept so a malformed one cannot panic).
pub fn fingerprint_key(fingerprint: &str) -> u128 {
    u128::from_str_radix(fingerprint, 16).unwrap_or_else(|_| {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        fingerprint.hash(&mut h);
        u128::from(h.finish()) | (1 << 127)
    })
}

/// What the closest-safe search found, for mainline's tip.
#[derive(Debug, Clone)]
pub struct Search {
    /// The tip's findings, every blocking one that a candidate introduced with `introduced_by`.
    pub findings: Vec<Finding>,
    /// The tip's findings resolved since base.
    pub resolved: Vec<Finding>,
    pub closest_safe: ClosestSafe,
    /// One line per blocker of newer candidates that the tip no longer has.
    pub fixed_later: Vec<String>,
}

/// What evaluating one candidate found.
#[derive(Debug, Clone, Default)]
pub struct Found {
    /// Every finding for the tip; only the blocking ones for any other candidate.
    pub findings: Vec<Finding>,
    /// The findings resolved since base (the tip's; empty elsewhere).
    pub resolved: Vec<Finding>,
    /// Every finding's fingerprint ([`fingerprint_key`]), sorted, without repeats.
    pub holds: Vec<u128>,
}

impl Found {
    /// Everything one evaluation found (the tip's answer).
    pub fn all(findings: Vec<Finding>, resolved: Vec<Finding>) -> Found {
        let mut holds: Vec<u128> = findings.iter().map(|f| fingerprint_key(&f.fingerprint)).collect();
        holds.sort_unstable();
        holds.dedup();
        Found { findings, resolved, holds }
    }
}

/// How the caller evaluates one candidate, the tip (`true`: every finding, see [`Found`]) or
/// another (`false`: the blocking findings and every fingerprint are enough).
pub type Evaluate<'a, E> = dyn Fn(&Commit, bool) -> Result<Found, E> + Sync + 'a;

/// What the search evaluates: base (a commit), mainline's tip, how far back to go.
pub struct Candidates<'a> {
    pub base: &'a Commit,
    pub tip: &'a Commit,
    pub max_commits: Option<usize>,
}

/// `closest-safe`: evaluates mainline's first-parent commits from the tip back to the merge base
/// with base (or `max_commits`), newest first, with `evaluate` (a candidate's findings and the
/// findings it resolved since base) and `blocks` (whether a finding blocks); the tip's findings
/// with `introduced_by` filled in, and the newest candidate with no blocking finding.
pub fn closest_safe<E: From<SourceError> + Send>(
    repo: &Repo,
    c: &Candidates<'_>,
    evaluate: &Evaluate<'_, E>,
    blocks: &(dyn Fn(&Finding) -> bool + Sync),
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Search, E> {
    let stop: Option<Oid> = repo.merge_base(c.base.id, c.tip.id)?;
    let mut candidates = repo.first_parent_chain(c.tip.id, stop, c.max_commits)?;
    // The merge base itself is the last fallback: it ships nothing new since the fork.
    if let Some(mb) = stop
        && c.max_commits.is_none_or(|m| candidates.len() < m)
    {
        candidates.push(repo.commit(mb)?);
    }
    let done = std::sync::atomic::AtomicUsize::new(0);
    let total = candidates.len();
    let mut evaluated: Vec<(usize, Evaluated)> = candidates
        .par_iter()
        .enumerate()
        .map(|(i, c)| -> Result<_, E> {
            let Found { mut findings, mut resolved, holds } = evaluate(c, i == 0)?;
            let blocking = findings.iter().filter(|f| blocks(f)).map(|f| f.fingerprint.clone()).collect();
            if i > 0 {
                findings.retain(|f| blocks(f));
                findings.shrink_to_fit();
                resolved = Vec::new();
            }
            progress(done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1, total);
            Ok((i, Evaluated { commit: c.clone(), findings, resolved, blocking, holds }))
        })
        .collect::<Result<_, _>>()?;
    evaluated.sort_by_key(|(i, _)| *i);
    let evaluated: Vec<Evaluated> = evaluated.into_iter().map(|(_, e)| e).collect();

    let safe = evaluated.iter().position(|e| e.blocking.is_empty());
    // introduced_by: for a fingerprint blocking candidate i, the oldest candidate of the
    // unbroken run of candidates (from i towards older ones) that have it.
    let introduced = |i: usize, fp: &str| -> String {
        let mut j = i;
        while j + 1 < evaluated.len() && evaluated[j + 1].holds(fp) {
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

    Ok(Search {
        findings,
        resolved: tip_eval.resolved.clone(),
        closest_safe: ClosestSafe {
            commit: safe.map(|i| evaluated[i].commit.hex()),
            distance: safe,
            left_out: evaluated[..safe.unwrap_or(evaluated.len())]
                .iter()
                .map(|e| LeftOut { commit: e.commit.hex(), summary: e.commit.summary.clone() })
                .collect(),
            candidates_checked: evaluated.len(),
        },
        fixed_later: fixed_later
            .values()
            .map(|(what, culprit)| {
                format!("{what} blocked older candidates; introduced by {culprit}, fixed before the tip")
            })
            .collect(),
    })
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
        assert!(unusually_large(&past, &s(36), "v1").is_none(), "at the threshold (3 × 12)");
        let f = unusually_large(&past, &s(500), "v1").expect("outlier");
        assert!(f.message.contains("500 shapes and packages (500 shapes, 0 packages)"), "{}", f.message);
        assert!(
            f.message.contains(
                "threshold of 36 (3× the 90th-percentile release of the last 5, which changed 12; their median is 10)"
            ),
            "{}",
            f.message
        );
        // Identical history still works; an empty one does not make a tiny diff unusual.
        assert!(unusually_large(&[s(5), s(5), s(5), s(5)], &s(60), "v1").is_some());
        assert!(unusually_large(&[s(5), s(5), s(5), s(5)], &s(6), "v1").is_none());
        assert!(unusually_large(&[s(0), s(0), s(0), s(0)], &s(3), "v1").is_none());
    }

    // Regression: with the median and its deviation, every release that changed a model fired
    // when most releases change none (about a third of real releases).
    #[test]
    fn usual_large_releases_do_not_fire() {
        // A third of the releases update models (hundreds of shapes), the rest a few packages.
        let history: Vec<DiffSize> = (0..24).map(|i| if i % 3 == 0 { s(300 + 10 * i) } else { s(4 + i % 5) }).collect();
        for size in [250, 400, 520] {
            assert!(unusually_large(&history, &s(size), "v1").is_none(), "{size}");
        }
        assert!(unusually_large(&history, &s(5_000), "v1").is_some());
    }

    // The sizes (shapes + packages changed) of the 41 releases of smithy-rs's 2024 history, from
    // `shipgate replay` with the config `shipgate init` proposes: it fires on at most one in ten.
    #[test]
    fn fires_rarely_on_real_release_history() {
        let real = [
            14, 5, 2, 6, 8, 236, 6, 9, 6, 9, 3, 7, 8, 1, 1, 4, 4, 411, 3, 4, 3118, 3, 1, 9, 2, 1, 9, 9, 1, 4, 3, 0, 0,
            1, 6, 0, 7, 5, 6, 7, 2,
        ];
        let sizes: Vec<DiffSize> = real.iter().map(|&x| s(x)).collect();
        let fired: Vec<usize> = (1..sizes.len())
            .filter(|&i| unusually_large(&sizes[i.saturating_sub(MAX_HISTORY)..i], &sizes[i], "r").is_some())
            .collect();
        assert!(fired.len() * 10 <= real.len(), "fired on {fired:?}");
    }
}
