//! What version requirements mean, shared by the release rules: whether a version satisfies a
//! requirement, a requirement's comparable form, floor, interval and semver compatibility line,
//! which bumps may break users, and placeholder versions. Cargo semantics via `semver`, npm via
//! `parse::packages::npm` and `nodejs_semver`.
//!
//! May depend on: `parse::packages`.
use crate::parse::packages::model::Ecosystem;
use crate::parse::packages::npm::{self, Spec};
use semver::{Op, Version, VersionReq};

/// A version that only holds a place for the one a publish workflow stamps at release time:
/// `0.0.0` with a pre-release tag (`0.0.0-smithy-rs-head`, semantic-release's
/// `0.0.0-development`). A plain `0.0.0` is a real (if early) version.
pub fn is_placeholder(v: &semver::Version) -> bool {
    v.major == 0 && v.minor == 0 && v.patch == 0 && !v.pre.is_empty()
}

/// Whether `version` satisfies the requirement `req` of ecosystem `eco`; `None` when either is
/// not a version or range (path-only, git, tags).
pub fn satisfies(eco: Ecosystem, req: &str, version: &str) -> Option<bool> {
    match eco {
        Ecosystem::Cargo => {
            let v = Version::parse(version.trim()).ok()?;
            Some(VersionReq::parse(req).ok()?.matches(&v))
        }
        Ecosystem::Npm => match Spec::parse(req) {
            Spec::Workspace(w) if matches!(w.as_str(), "*" | "^" | "~" | "") => Some(true),
            Spec::Workspace(w) => npm::satisfies(&w, version),
            Spec::Range(r) => npm::satisfies(&r, version),
            Spec::Alias { range, .. } => npm::satisfies(&range, version),
            Spec::Path(_) | Spec::Other(_) => None,
        },
    }
}

/// A comparable form of a requirement: Cargo `1.2` and `^1.2` are the same; npm `workspace:^`
/// becomes what it publishes as. `None` for requirements that say nothing comparable.
pub fn normalized_req(eco: Ecosystem, req: &str, target_version: Option<&str>) -> Option<String> {
    let req = req.trim();
    match eco {
        Ecosystem::Cargo => match VersionReq::parse(req) {
            Ok(r) if r == VersionReq::STAR => None,
            Ok(r) => Some(r.to_string()),
            Err(_) => None,
        },
        Ecosystem::Npm => match Spec::parse(req) {
            Spec::Workspace(w) => Some(target_version.map_or(w.clone(), |v| npm::publish_range(&w, v))),
            Spec::Range(r) if r.is_empty() || r == "*" => None,
            Spec::Range(r) => Some(r),
            Spec::Alias { range, .. } => Some(range),
            Spec::Path(_) | Spec::Other(_) => None,
        },
    }
}

/// The lowest version a requirement admits, for "older requirement" comparisons.
pub fn req_floor(eco: Ecosystem, req: &str, target_version: Option<&str>) -> Option<Version> {
    let norm = normalized_req(eco, req, target_version)?;
    match eco {
        Ecosystem::Cargo => {
            let r = VersionReq::parse(&norm).ok()?;
            r.comparators
                .iter()
                .filter(|c| !matches!(c.op, Op::Less | Op::LessEq))
                .map(|c| Version::new(c.major, c.minor.unwrap_or(0), c.patch.unwrap_or(0)))
                .max()
        }
        Ecosystem::Npm => npm::range_floor(&norm),
    }
}

/// Whether going from `old` to `new` is a bump that may break users under Cargo's rules (npm's
/// caret follows the same ones): a new major for ≥1.0.0, a new minor for 0.x, a new patch for
/// 0.0.x.
pub fn is_breaking_bump(old: &Version, new: &Version) -> bool {
    if new <= old {
        false
    } else if old.major > 0 {
        new.major > old.major
    } else if old.minor > 0 {
        new.major > 0 || new.minor > old.minor
    } else {
        new.major > 0 || new.minor > 0 || new.patch > old.patch
    }
}

/// The smallest version that is a breaking bump from `old`.
pub fn next_breaking(old: &Version) -> Version {
    if old.major > 0 {
        Version::new(old.major + 1, 0, 0)
    } else if old.minor > 0 {
        Version::new(0, old.minor + 1, 0)
    } else {
        Version::new(0, 0, old.patch + 1)
    }
}

/// What a requirement admits, so that requirements of equal meaning compare equal. Cargo: one
/// interval in semver terms, `>=low, <high`: `1`, `^1`, `1.0`, `^1.0.0`, `1.*` and
/// `>=1.0.0, <2.0.0` all admit exactly 1.0.0 up to 2.0.0 and are the same requirement, while `1`
/// and `1.2` differ (1.1.0 satisfies only the first). Requirements with pre-release comparators
/// keep their normalized text (pre-releases match by their own rules). npm: the normalized range.
pub fn req_meaning(eco: Ecosystem, norm: &str) -> String {
    match eco {
        Ecosystem::Cargo => {
            VersionReq::parse(norm).ok().and_then(|r| cargo_interval(&r)).unwrap_or_else(|| norm.into())
        }
        Ecosystem::Npm => norm.to_string(),
    }
}

/// A bound of an interval: the version and whether it is included.
type Bound = (Version, bool);

fn cargo_interval(req: &VersionReq) -> Option<String> {
    let (low, high) = cargo_bounds(req)?;
    let mut s = format!("{}{}", if low.1 { ">=" } else { ">" }, low.0);
    if let Some((v, inclusive)) = high {
        s.push_str(&format!(", {}{v}", if inclusive { "<=" } else { "<" }));
    }
    Some(s)
}

/// The interval of versions a Cargo requirement admits; `None` with pre-release comparators or
/// operators this does not model.
fn cargo_bounds(req: &VersionReq) -> Option<(Bound, Option<Bound>)> {
    let mut low: Bound = (Version::new(0, 0, 0), true);
    let mut high: Option<Bound> = None;
    for c in &req.comparators {
        if !c.pre.is_empty() {
            return None;
        }
        let (maj, min, pat) = (c.major, c.minor, c.patch);
        let floor = Version::new(maj, min.unwrap_or(0), pat.unwrap_or(0));
        // The first version past the part that was written: 1 → 2.0.0, 1.2 → 1.3.0, 1.2.3 → 1.2.4.
        let past = match (min, pat) {
            (Some(m), Some(p)) => Version::new(maj, m, p + 1),
            (Some(m), None) => Version::new(maj, m + 1, 0),
            _ => Version::new(maj + 1, 0, 0),
        };
        let next_minor = |m: u64| Version::new(maj, m + 1, 0);
        let (lo, hi): (Option<Bound>, Option<Bound>) = match c.op {
            Op::Exact | Op::Wildcard if pat.is_some() => (Some((floor.clone(), true)), Some((floor, true))),
            Op::Exact | Op::Wildcard => (Some((floor, true)), Some((past, false))),
            Op::Greater if pat.is_some() => (Some((floor, false)), None),
            Op::Greater => (Some((past, true)), None),
            Op::GreaterEq => (Some((floor, true)), None),
            Op::Less => (None, Some((floor, false))),
            Op::LessEq if pat.is_some() => (None, Some((floor, true))),
            Op::LessEq => (None, Some((past, false))),
            Op::Tilde => (Some((floor, true)), Some((min.map_or(past.clone(), next_minor), false))),
            Op::Caret => {
                let hi = match (maj, min, pat) {
                    (0, Some(0), Some(p)) => Version::new(0, 0, p + 1),
                    (0, Some(m), _) => Version::new(0, m + 1, 0),
                    (0, None, _) => Version::new(1, 0, 0),
                    _ => Version::new(maj + 1, 0, 0),
                };
                (Some((floor, true)), Some((hi, false)))
            }
            _ => return None,
        };
        // Intersect: the higher low bound (exclusive before inclusive at one version), the
        // lower high bound (exclusive before inclusive).
        if let Some(lo) = lo
            && (lo.0 > low.0 || (lo.0 == low.0 && !lo.1))
        {
            low = lo;
        }
        if let Some(hi) = hi
            && high.as_ref().is_none_or(|h| hi.0 < h.0 || (hi.0 == h.0 && !hi.1))
        {
            high = Some(hi);
        }
    }
    Some((low, high))
}

/// Whether no version satisfies both requirements (normalized, [`normalized_req`]): Cargo
/// intervals that do not overlap (which includes different semver-compatible lines: `0.3` and
/// `0.4`, `1` and `2`), npm ranges with no common version. `None` when either cannot be
/// modelled (pre-releases): then nothing is claimed.
pub fn disjoint(eco: Ecosystem, a: &str, b: &str) -> Option<bool> {
    match eco {
        Ecosystem::Cargo => {
            let (alo, ahi) = cargo_bounds(&VersionReq::parse(a).ok()?)?;
            let (blo, bhi) = cargo_bounds(&VersionReq::parse(b).ok()?)?;
            // The overlap runs from the higher low bound to the lower high bound.
            let below = |lo: &Bound, hi: &Option<Bound>| match hi {
                None => true,
                Some(hi) => lo.0 < hi.0 || (lo.0 == hi.0 && lo.1 && hi.1),
            };
            Some(!(below(&alo, &bhi) && below(&blo, &ahi)))
        }
        Ecosystem::Npm => {
            let (ra, rb) = (nodejs_semver::Range::parse(a).ok()?, nodejs_semver::Range::parse(b).ok()?);
            Some(!ra.allows_any(&rb))
        }
    }
}

/// The semver compatibility line a requirement starts in: its floor's leftmost non-zero part
/// (`1.0.0` for `^1.2`, `0.2.0` for `0.2.9`, `0.0.3` for `=0.0.3`). Cargo (and npm's caret)
/// treat different lines as different, coexisting crates; `None` when there is no floor.
pub fn compat_line(eco: Ecosystem, norm: &str) -> Option<Version> {
    let f = req_floor(eco, norm, None)?;
    Some(if f.major > 0 {
        Version::new(f.major, 0, 0)
    } else if f.minor > 0 {
        Version::new(0, f.minor, 0)
    } else {
        Version::new(0, 0, f.patch)
    })
}

/// How a message names a compatibility line: `1.x`, `0.2.x`, `0.0.3`, `unbounded`.
pub(super) fn line_label(line: &Option<Version>) -> String {
    match line {
        Some(v) if v.major > 0 => format!("{}.x", v.major),
        Some(v) if v.minor > 0 => format!("0.{}.x", v.minor),
        Some(v) => format!("0.0.{}", v.patch),
        None => "unbounded".into(),
    }
}
