//! GitHub Actions workflow commands: one annotation per finding, then a one-line summary.
//!
//! Severity → command: `error` and `danger` → `::error` (both break users), `warning` →
//! `::warning`, `note` → `::notice`. An excepted finding is a `::notice` that names the
//! exception; model-suppressed events are left out (they never count), and so are pre-existing
//! findings that do not block (they hold at base: the pull request did not add them; the summary
//! line counts them). Blocking findings come first, then by severity, and at most [`PER_KIND`] of
//! each command are written: GitHub shows no more per step (10 errors, 10 warnings, 10 notices),
//! so thousands of annotations only slow the log. One last `::notice` counts what was left out
//! and says where the rest is.
//!
//! A finding located in the base commit (a removed shape) is annotated on its file without a
//! line, or on the config file when head no longer has the file; the message says where it was
//! in base.
//!
//! Escaping follows GitHub's runner (`ActionCommand` in actions/runner): in the message `%`,
//! `\r`, `\n` become `%25`, `%0D`, `%0A`; in property values (`file`, `line`, `title`) `:` and
//! `,` also become `%3A`, `%2C`.
use super::common;
use crate::finding::{Finding, Severity};
use crate::outcome::Outcome;
use std::fmt::Write;

/// Escapes a workflow-command message.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a workflow-command property value.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// The workflow command for a finding, or `None` for a model-suppressed event.
pub fn command(f: &Finding) -> Option<&'static str> {
    if f.exception.is_some() {
        return Some("notice");
    }
    match f.severity {
        Severity::Error | Severity::Danger => Some("error"),
        Severity::Warning => Some("warning"),
        Severity::Note => Some("notice"),
        Severity::Suppressed => None,
    }
}

/// Annotations GitHub shows per kind (`error`, `warning`, `notice`) per step.
pub const PER_KIND: usize = 10;

fn annotation(out: &mut String, o: &Outcome, f: &Finding, cmd: &str) {
    let mut props = Vec::new();
    if let Some((path, line)) = common::artifact(o, f) {
        props.push(format!("file={}", escape_property(&path)));
        if let Some(l) = line {
            props.push(format!("line={l}"));
        }
    }
    props.push(format!("title={}", escape_property(&f.id)));
    // Text from the repository and the config keeps its line breaks (an annotation shows them,
    // escaped as the runner expects); within a line, [`common::one_line`].
    let one = common::each_line;
    let mut message = format!("[{}] {}: {}", f.severity, one(f.display_subject()), one(&f.message));
    if let Some(loc) = common::location_text(o, f).filter(|_| f.located_on_base()) {
        let _ = write!(message, " (in {})", one(&loc));
    }
    if let Some(ex) = &f.exception {
        let _ = write!(
            message,
            "\nExcepted: {} (approved by {}, expires {})",
            one(&ex.reason),
            one(ex.approved_by.as_deref().unwrap_or("nobody recorded")),
            one(ex.expires.as_deref().unwrap_or("never"))
        );
    }
    if let Some(c) = &f.introduced_by {
        let _ = write!(message, "\nIntroduced by {c}");
    }
    let _ = writeln!(out, "::{cmd} {}::{}", props.join(","), escape_data(&message));
}

pub fn render(o: &Outcome) -> String {
    let split = common::split(o);
    let mut out = String::new();
    let mut shown: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    let mut left_out = 0;
    for f in split.blocking.iter().chain(&split.other).chain(&split.excepted) {
        let Some(cmd) = command(f) else { continue };
        let n = shown.entry(cmd).or_default();
        if *n < PER_KIND {
            *n += 1;
            annotation(&mut out, o, f, cmd);
        } else {
            left_out += 1;
        }
    }
    if left_out > 0 {
        let _ = writeln!(
            out,
            "::notice title=shipgate::{}",
            escape_data(&format!(
                "{left_out} more finding(s) are not annotated (GitHub shows {PER_KIND} annotations of each kind per step); every finding is in the JSON report, and the step summary counts them by rule"
            ))
        );
    }
    let c = o.counts();
    let mut summary = format!(
        "shipgate {}: {} error, {} danger, {} warning, {} note, {} excepted (gate fails on {} and above)",
        common::verdict_word(o),
        c[&Severity::Error],
        c[&Severity::Danger],
        c[&Severity::Warning],
        c[&Severity::Note],
        split.excepted.len(),
        o.fail_on
    );
    if !split.pre_existing.is_empty() || !o.resolved.is_empty() {
        let _ = write!(
            summary,
            "; {} pre-existing (held at base, not annotated, not blocking), {} resolved since base",
            split.pre_existing.len(),
            o.resolved.len()
        );
    }
    if let Some(cs) = &o.closest_safe
        && let Some(commit) = &cs.commit
    {
        let _ = write!(summary, "; closest safe mainline commit {commit}");
    }
    // A plain line: logged as is, not a command. Keep it from being read as one.
    out.push_str(&escape_data(&summary));
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_the_runner() {
        assert_eq!(escape_data("50%\r\nnext"), "50%25%0D%0Anext");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
        assert_eq!(escape_data("a:b,c"), "a:b,c");
    }
}
