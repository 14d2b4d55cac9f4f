//! Policy applied after every evaluator has run, whatever rule made a finding: `[rules]` levels
//! from the config, then exceptions. An exception matches by rule id (prefix at `.` boundaries)
//! and subject (exact or glob; optionally one fingerprint), never by message text. Exceptions
//! without a reason, or past `expires`, except nothing and are findings themselves.
//!
//! The policy arrives resolved ([`Policy`], built from the config by the engine's caller): this
//! module never sees the raw config.
//!
//! May depend on: `finding`, `date`, `rules::catalog` (severities).
use crate::date::Date;
use crate::finding::{AppliedException, Finding, Severity, id_matches};
use crate::rules::catalog;
use globset::Glob;

/// `[rules]`: (rule or event-id prefix, level or `None` for off), longest (most specific) first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Levels(pub Vec<(String, Option<Severity>)>);

impl Levels {
    /// The configured level for an event id: `Some(None)` = off, `None` = not configured.
    pub fn level_for(&self, id: &str) -> Option<Option<Severity>> {
        self.0.iter().find(|(k, _)| id_matches(k, id)).map(|(_, l)| *l)
    }
}

/// One `[[exceptions]]` entry, as written, with the line it starts on.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
pub struct ExceptionRule {
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
    #[serde(skip)]
    pub line: Option<u32>,
}

/// What applies to every finding after the evaluators: levels, then exceptions.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// Where the exceptions are written (findings about them point there).
    pub origin: String,
    pub levels: Levels,
    pub exceptions: Vec<ExceptionRule>,
    /// The exceptions' subjects, compiled once ([`Policy::new`]).
    subjects: Subjects,
}

impl Policy {
    pub fn new(origin: impl Into<String>, levels: Levels, exceptions: Vec<ExceptionRule>) -> Policy {
        let subjects = Subjects::new(&exceptions);
        Policy { origin: origin.into(), levels, exceptions, subjects }
    }
}

/// Every exception subject compiled into one `GlobSet` (so matching costs findings + exceptions +
/// matches, not findings × exceptions: 10,000 exceptions took seconds), with the exception each
/// glob of the set belongs to. A subject that is not a glob (the config refuses those; tests may
/// not) matches exactly only.
#[derive(Debug, Clone, Default)]
struct Subjects {
    set: globset::GlobSet,
    exception: Vec<usize>,
}

impl Subjects {
    fn new(exceptions: &[ExceptionRule]) -> Subjects {
        let mut builder = globset::GlobSetBuilder::new();
        let mut exception = Vec::new();
        for (index, ex) in exceptions.iter().enumerate() {
            if let Ok(g) = Glob::new(&ex.subject) {
                builder.add(g);
                exception.push(index);
            }
        }
        match builder.build() {
            Ok(set) => Subjects { set, exception },
            Err(_) => Subjects::default(),
        }
    }
}

/// Re-levels findings per `[rules]`; drops those turned `off`. Suppressed model events stay
/// suppressed.
pub fn apply_levels(findings: &mut Vec<Finding>, levels: &Levels) {
    findings.retain_mut(|f| match levels.level_for(&f.id) {
        None => true,
        Some(None) => false,
        Some(Some(level)) => {
            if f.severity != Severity::Suppressed {
                f.severity = level;
            }
            true
        }
    });
}

/// Applies exceptions and appends `ExpiredException` / `UnusedException` findings.
pub fn apply_exceptions(findings: &mut Vec<Finding>, policy: &Policy, today: Date) {
    let mut matcher = Matcher::new(policy, today);
    for f in findings.iter_mut() {
        if f.exception.is_some() {
            continue;
        }
        if let Some(index) = matcher.first(&f.id, &f.subject, &f.fingerprint, f.severity) {
            let ex = &policy.exceptions[index];
            f.exception = Some(Box::new(AppliedException {
                index,
                rule: ex.rule.clone(),
                subject: ex.subject.clone(),
                reason: ex.reason.as_deref().map(str::trim).unwrap_or_default().to_string(),
                approved_by: ex.approved_by.clone(),
                expires: ex.expires.clone(),
                source: None,
            }));
        }
    }
    findings.extend(matcher.findings());
}

/// Which exception excepts a finding, one finding at a time (a history search asks this of
/// findings it does not own): the first exception in config order that has a reason, has not
/// expired, and matches the finding's subject (equal or glob), id (prefix at `.` boundaries) and
/// fingerprint (when it names one). Suppressed findings are never excepted. It remembers which
/// exceptions excepted something, for [`Matcher::findings`].
pub struct Matcher<'p> {
    policy: &'p Policy,
    /// Per exception: why it excepts nothing (no reason, expired), if it does not.
    problem: Vec<Option<&'static str>>,
    used: Vec<bool>,
    exact: std::collections::HashMap<&'p str, Vec<usize>>,
    hits: Vec<usize>,
}

impl<'p> Matcher<'p> {
    pub fn new(policy: &'p Policy, today: Date) -> Matcher<'p> {
        let problem: Vec<Option<&'static str>> = policy.exceptions.iter().map(|ex| problem(ex, today)).collect();
        let mut exact: std::collections::HashMap<&str, Vec<usize>> = std::collections::HashMap::new();
        for (index, ex) in policy.exceptions.iter().enumerate().filter(|(i, _)| problem[*i].is_none()) {
            exact.entry(ex.subject.as_str()).or_default().push(index);
        }
        Matcher { policy, used: vec![false; problem.len()], problem, exact, hits: Vec::new() }
    }

    /// The exception that excepts a finding with this id, subject, fingerprint and (levelled)
    /// severity, if any; marks it used.
    pub fn first(&mut self, id: &str, subject: &str, fingerprint: &str, severity: Severity) -> Option<usize> {
        if severity == Severity::Suppressed || self.policy.exceptions.is_empty() {
            return None;
        }
        let Subjects { set, exception } = &self.policy.subjects;
        set.matches_into(subject, &mut self.hits);
        let exceptions = &self.policy.exceptions;
        let matches = |&index: &usize| {
            let ex = &exceptions[index];
            self.problem[index].is_none()
                && id_matches(&ex.rule, id)
                && ex.fingerprint.as_ref().is_none_or(|fp| fp == fingerprint)
        };
        let by_glob = self.hits.iter().map(|&h| exception[h]).filter(matches).min();
        let by_name = self.exact.get(subject).into_iter().flatten().copied().find(matches);
        let first = by_glob.into_iter().chain(by_name).min()?;
        self.used[first] = true;
        Some(first)
    }

    /// The findings about the exceptions themselves, in config order, `[rules]` levels applied:
    /// `ExpiredException` for one without a reason or past its date, `UnusedException` for a
    /// valid one that excepted nothing [`Matcher::first`] was asked about.
    pub fn findings(&self) -> Vec<Finding> {
        let mut extra: Vec<Finding> = self.policy.exceptions.iter().enumerate()
            .filter_map(|(index, ex)| {
                let why = match self.problem[index] {
                    Some(why) => why,
                    None if self.used[index] => return None,
                    None => "UnusedException",
                };
                let (id, severity, message) = match why {
                    "UnusedException" => (
                        "UnusedException",
                        catalog::severity("UnusedException"),
                        format!(
                            "the exception for {} on `{}` matched no finding: remove it, or correct its rule or subject",
                            ex.rule, ex.subject
                        ),
                    ),
                    "ExpiredException.MissingReason" => (
                        "ExpiredException.MissingReason",
                        catalog::severity("ExpiredException.MissingReason"),
                        format!(
                            "the exception for {} on `{}` has no reason, so it excepts nothing: add `reason = \"…\"` saying why it is safe to ship",
                            ex.rule, ex.subject
                        ),
                    ),
                    _ => (
                        "ExpiredException.Expired",
                        catalog::severity("ExpiredException.Expired"),
                        format!(
                            "the exception for {} on `{}` expired on {}, so it excepts nothing: renew it with a new date and approval, or fix the finding",
                            ex.rule,
                            ex.subject,
                            ex.expires.as_deref().unwrap_or_default()
                        ),
                    ),
                };
                let subject = format!("exceptions[{index}] {} {}", ex.rule, ex.subject);
                Some(Finding::new(id, severity, &subject, message).at(&self.policy.origin, ex.line))
            })
            .collect();
        // Bookkeeping findings obey `[rules]` too.
        apply_levels(&mut extra, &self.policy.levels);
        extra
    }
}

/// Why an exception excepts nothing whatever it matches: no reason, or past `expires` on `today`.
fn problem(ex: &ExceptionRule, today: Date) -> Option<&'static str> {
    if ex.reason.as_deref().map(str::trim).is_none_or(str::is_empty) {
        return Some("ExpiredException.MissingReason");
    }
    match ex.expires.as_deref().and_then(crate::date::parse) {
        Some(expires) if expires < today => Some("ExpiredException.Expired"),
        _ => None,
    }
}

/// An approval given outside the config for every blocking finding of one run: the Action's
/// `exception-label` (a maintainer labelled the pull request). Recorded like a config exception
/// (reason, who, until when, where it came from), never a silent skip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    pub reason: String,
    pub approved_by: String,
    /// `YYYY-MM-DD`, the last day it holds.
    pub expires: String,
    /// Where it was given, e.g. "pull-request label `shipgate-exception` added by @octocat on 2026-12-01".
    pub source: String,
}

/// Marks every blocking finding (active, at or above `fail_on`) as excepted by `approval`,
/// unless the approval has expired (then it excepts nothing and says so as a finding).
/// Returns how many findings it excepted.
pub fn apply_approval(findings: &mut Vec<Finding>, fail_on: Severity, approval: &Approval, today: Date) -> usize {
    if crate::date::parse(&approval.expires).is_none_or(|d| d < today) {
        findings.push(Finding::new(
            "ExpiredException.Expired",
            catalog::severity("ExpiredException.Expired"),
            &approval.source,
            format!(
                "the approval from {} expired on {}, so it excepts nothing: approve again (remove and re-add the label), or fix the findings",
                approval.source, approval.expires
            ),
        ));
        return 0;
    }
    let mut n = 0;
    for f in findings.iter_mut().filter(|f| f.is_active() && f.severity >= fail_on) {
        f.exception = Some(Box::new(AppliedException {
            index: 0,
            rule: f.id.clone(),
            subject: f.subject.clone(),
            reason: approval.reason.clone(),
            approved_by: Some(approval.approved_by.clone()),
            expires: Some(approval.expires.clone()),
            source: Some(approval.source.clone()),
        }));
        n += 1;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `[[exceptions]]` of a config text, with their lines; no levels. Policy tests must not
    /// depend on which rules the catalog has, so nothing is validated.
    fn cfg(text: &str) -> Policy {
        #[derive(serde::Deserialize)]
        struct Raw {
            #[serde(default)]
            exceptions: Vec<toml::Spanned<ExceptionRule>>,
        }
        let raw: Raw = toml::from_str(text).expect("test config parses");
        let lines = crate::text::LineIndex::new(text.as_bytes());
        let exceptions = raw
            .exceptions
            .into_iter()
            .map(|s| {
                let start = s.span().start;
                ExceptionRule { line: Some(lines.line(start)), ..s.into_inner() }
            })
            .collect();
        Policy::new("shipgate.toml", Levels::default(), exceptions)
    }

    fn findings() -> Vec<Finding> {
        vec![
            Finding::new("RemovedShape", Severity::Error, "com.a#Legacy", "gone"),
            Finding::new("TraitBreakingChange.Remove.smithy.api#paginated", Severity::Error, "com.a#List", "x"),
            Finding::new("MissingPackage", Severity::Error, "aws-config", "missing"),
        ]
    }

    const TODAY: Date = Date::constant(2024, 10, 4);

    #[test]
    fn glob_subject_and_prefix_rule_except_and_are_recorded() {
        let c = cfg(
            "[[exceptions]]\nrule = \"TraitBreakingChange\"\nsubject = \"com.a#*\"\nreason = \"ok\"\napproved_by = \"rm\"\nexpires = \"2099-01-01\"\n",
        );
        let mut f = findings();
        apply_exceptions(&mut f, &c, TODAY);
        let ex = f[1].exception.as_ref().expect("excepted by prefix + glob");
        assert_eq!((ex.reason.as_str(), ex.approved_by.as_deref()), ("ok", Some("rm")));
        assert!(f[0].exception.is_none(), "rule prefix must not match RemovedShape");
        assert!(!f[1].is_active());
        assert_eq!(f.len(), 3, "no bookkeeping finding for a used, valid exception");
    }

    #[test]
    fn expired_exception_excepts_nothing_and_is_a_finding() {
        let c = cfg(
            "[[exceptions]]\nrule = \"RemovedShape\"\nsubject = \"com.a#Legacy\"\nreason = \"r\"\nexpires = \"2020-01-01\"\n",
        );
        let mut f = findings();
        apply_exceptions(&mut f, &c, TODAY);
        assert!(f[0].exception.is_none());
        let e = f.iter().find(|x| x.id == "ExpiredException.Expired").expect("expired finding");
        assert_eq!((e.path.as_deref(), e.line), (Some("shipgate.toml"), Some(1)));
        // The same exception holds on its expiry day.
        let mut f = findings();
        apply_exceptions(&mut f, &c, Date::constant(2020, 1, 1));
        assert!(f[0].exception.is_some());
    }

    #[test]
    fn missing_reason_excepts_nothing() {
        let c = cfg("[[exceptions]]\nrule = \"RemovedShape\"\nsubject = \"com.a#Legacy\"\nreason = \"  \"\n");
        let mut f = findings();
        apply_exceptions(&mut f, &c, TODAY);
        assert!(f[0].exception.is_none());
        assert!(f.iter().any(|x| x.id == "ExpiredException.MissingReason"));
    }

    #[test]
    fn unused_exception_is_a_finding() {
        let c = cfg("[[exceptions]]\nrule = \"RemovedShape\"\nsubject = \"com.b#Other\"\nreason = \"r\"\n");
        let mut f = findings();
        apply_exceptions(&mut f, &c, TODAY);
        assert!(f.iter().any(|x| x.rule == "UnusedException" && x.severity == Severity::Warning));
    }

    #[test]
    fn fingerprint_restricts_an_exception() {
        let fp = findings()[0].fingerprint.clone();
        let c = cfg(&format!(
            "[[exceptions]]\nrule = \"RemovedShape\"\nsubject = \"*\"\nreason = \"r\"\nfingerprint = \"{fp}\"\n[[exceptions]]\nrule = \"MissingPackage\"\nsubject = \"*\"\nreason = \"r\"\nfingerprint = \"0000\"\n"
        ));
        let mut f = findings();
        apply_exceptions(&mut f, &c, TODAY);
        assert!(f[0].exception.is_some() && f[2].exception.is_none());
    }

    #[test]
    fn an_approval_excepts_exactly_the_blocking_findings_and_is_recorded() {
        let mut f = findings();
        f.push(Finding::new("ChangedMemberOrder", Severity::Warning, "com.a#S", "order"));
        let a = Approval {
            reason: "approved on the pull request".into(),
            approved_by: "@octocat".into(),
            expires: "2099-01-01".into(),
            source: "pull-request label `ok`".into(),
        };
        assert_eq!(apply_approval(&mut f, Severity::Danger, &a, TODAY), 3);
        let ex = f[0].exception.as_ref().expect("blocking finding excepted");
        assert_eq!(
            (ex.approved_by.as_deref(), ex.source.as_deref()),
            (Some("@octocat"), Some("pull-request label `ok`"))
        );
        assert!(f[3].exception.is_none(), "below --fail-on: not excepted");
        let mut f = findings();
        let expired = Approval { expires: "2020-01-01".into(), ..a };
        assert_eq!(apply_approval(&mut f, Severity::Danger, &expired, TODAY), 0);
        assert!(f.iter().all(|x| x.exception.is_none()) && f.iter().any(|x| x.id == "ExpiredException.Expired"));
    }

    #[test]
    fn levels_relevel_and_turn_off() {
        let mut c = cfg("");
        c.levels =
            Levels(vec![("TraitBreakingChange.Remove".into(), Some(Severity::Note)), ("MissingPackage".into(), None)]);
        let mut f = findings();
        apply_levels(&mut f, &c.levels);
        assert_eq!(f.len(), 2);
        assert_eq!(f[1].severity, Severity::Note);
    }

    // Regression: exceptions were matched findings × exceptions (10,000 took 5 s, 20,000 19 s).
    #[test]
    fn twenty_thousand_exceptions_are_not_quadratic() {
        let n = 20_000;
        let mut text = String::new();
        for i in 0..n {
            text.push_str(&format!(
                "[[exceptions]]\nrule = \"RemovedShape\"\nsubject = \"com.a#S{i}\"\nreason = \"r\"\n"
            ));
        }
        text.push_str("[[exceptions]]\nrule = \"RemovedShape\"\nsubject = \"com.b#*\"\nreason = \"r\"\n");
        let c = cfg(&text);
        let mut f: Vec<Finding> =
            (0..n).map(|i| Finding::new("RemovedShape", Severity::Error, format!("com.a#S{i}"), "gone")).collect();
        f.push(Finding::new("RemovedShape", Severity::Error, "com.b#T", "gone"));
        let started = std::time::Instant::now();
        apply_exceptions(&mut f, &c, TODAY);
        let took = started.elapsed();
        assert!(f.iter().all(|f| f.exception.is_some()), "every finding is excepted, none unused");
        assert_eq!(f[n].exception.as_ref().map(|e| e.index), Some(n), "the glob exception applies");
        assert!(took < std::time::Duration::from_secs(3), "{n} exceptions took {took:?}");
    }
}
