//! Views shared by the md, html, sarif and github renderers: findings split by what they do to
//! the gate, grouped by rule, counted; locations as a reader of the repository finds them;
//! compact text diffs of changed values. (Exception entries are in [`super::view`].)
//!
//! Everything here is a pure function of the [`Outcome`]: same outcome, same bytes. No clock is
//! read: a date only appears when `--date` gave one.
use crate::finding::{Change, Finding, Severity};
use crate::outcome::{Outcome, PackageSummary, ReleaseSize};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// How many days a suggested exception holds past `--date`: one quarter, long enough for a
/// release train, short enough that it comes back for review.
pub const EXCEPTION_DAYS: i64 = 90;

/// Said in the appendix when no `--date` was given (Markdown; html drops the backticks).
pub const NO_DATE_NOTE: &str = "No `--date` was given: exception expiry was judged against the day this report was made, so the same command may give another verdict on another day. Pass `--date YYYY-MM-DD` to make it reproducible.";

/// Findings split by what they do to the gate, each list in report order.
pub struct Split<'a> {
    /// These fail the gate ([`Outcome::is_blocking`]): active, at or above `--fail-on`, and new
    /// (or pre-existing under `[gate] pre_existing = "block"`).
    pub blocking: Vec<&'a Finding>,
    /// New, active, below `--fail-on`: shown, never gating.
    pub other: Vec<&'a Finding>,
    /// Active and pre-existing (they hold at base too) without blocking: folded, never gating.
    pub pre_existing: Vec<&'a Finding>,
    /// Covered by a valid exception.
    pub excepted: Vec<&'a Finding>,
    /// Silenced by the model's own `suppressions` metadata.
    pub suppressed: Vec<&'a Finding>,
}

pub fn split(o: &Outcome) -> Split<'_> {
    let mut s = Split {
        blocking: Vec::new(),
        other: Vec::new(),
        pre_existing: Vec::new(),
        excepted: Vec::new(),
        suppressed: Vec::new(),
    };
    for f in &o.findings {
        if f.severity == Severity::Suppressed {
            s.suppressed.push(f);
        } else if f.exception.is_some() {
            s.excepted.push(f);
        } else if o.is_blocking(f) {
            s.blocking.push(f);
        } else if o.is_inherited(f) {
            s.pre_existing.push(f);
        } else {
            s.other.push(f);
        }
    }
    s
}

/// `findings` folded to one `(rule, worst severity, count)` per top-level rule, worst first then
/// by rule id: how pre-existing and resolved findings are shown.
pub fn fold_by_rule<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> Vec<(&'a str, Severity, usize)> {
    let mut rows: BTreeMap<&str, (Severity, usize)> = BTreeMap::new();
    for f in findings {
        let row = rows.entry(f.rule.as_str()).or_insert((f.severity, 0));
        row.0 = row.0.max(f.severity);
        row.1 += 1;
    }
    let mut out: Vec<(&str, Severity, usize)> = rows.into_iter().map(|(r, (w, n))| (r, w, n)).collect();
    out.sort_by_key(|(rule, worst, _)| (std::cmp::Reverse(*worst), *rule));
    out
}

/// Blocking findings (active, at or above `--fail-on`) by the mainline commit that introduced
/// them, in report order.
pub fn blocking_by_commit(o: &Outcome) -> BTreeMap<&str, Vec<&Finding>> {
    let mut out: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in o.blocking() {
        if let Some(c) = &f.introduced_by {
            out.entry(c.as_str()).or_default().push(f);
        }
    }
    out
}

/// How many blocking findings a left-out row lists before "and N more".
pub const LEFT_OUT_SHOWN: usize = 5;

/// The packages the release must ship, in report order.
pub fn required_packages(o: &Outcome) -> Vec<&PackageSummary> {
    o.packages.iter().filter(|p| p.required).collect()
}

/// The commit a required package ships from: its own source commit, else head.
pub fn source_commit<'a>(o: &'a Outcome, p: &'a PackageSummary) -> &'a str {
    short(p.source_commit.as_deref().unwrap_or(&o.head.commit))
}

/// What closest-safe's "passes" means: candidates are judged at `--fail-on` without the mainline
/// rules (every candidate is on mainline).
pub fn passes_gate_text(o: &Outcome) -> String {
    format!("passes the gate at {} (mainline rules are not applied: every candidate is on mainline)", o.fail_on)
}

/// Why a command's outcome has no closest-safe answer (Markdown).
pub fn closest_safe_missing(o: &Outcome) -> &'static str {
    match o.command {
        crate::outcome::Command::Check => "Not computed by `check`; run `shipgate closest-safe` or `shipgate report`.",
        crate::outcome::Command::Diff => "Not computed by `diff`; run `shipgate closest-safe` or `shipgate report`.",
        _ => "Not computed for this run (see the notes).",
    }
}

/// An `[[exceptions]]` entry as findings name it (`exceptions[0]`: 0-based, the notation of the
/// `ExpiredException` subjects).
pub fn exception_ref(index: usize) -> String {
    format!("exceptions[{index}]")
}

/// `PASS` or `FAIL`.
pub fn verdict_word(o: &Outcome) -> &'static str {
    match o.verdict {
        crate::outcome::Verdict::Pass => "PASS",
        crate::outcome::Verdict::Fail => "FAIL",
    }
}

/// The first 12 characters of a commit id (or the whole label, e.g. `worktree`).
pub fn short(commit: &str) -> &str {
    commit.get(..12).unwrap_or(commit)
}

/// A path as a reader of the repository finds it: the config's origin becomes the config path,
/// a `<commit>:path` label loses its commit.
pub fn display_path(o: &Outcome, path: &str) -> String {
    if path == o.config_origin
        && let Some(p) = &o.config_path
    {
        return p.clone();
    }
    if let Some((commit, rest)) = path.split_once(':')
        && commit.len() == 12
        && commit.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return rest.to_string();
    }
    path.to_string()
}

/// Where a finding is, for `path:line` displays: its own path, else nothing. A location in the
/// base commit reads `base:path:line`.
pub fn location_text(o: &Outcome, f: &Finding) -> Option<String> {
    let path = display_path(o, f.path.as_deref()?);
    let side = if f.located_on_base() { "base:" } else { "" };
    Some(match f.line {
        Some(l) => format!("{side}{path}:{l}"),
        None => format!("{side}{path}"),
    })
}

/// The base-commit location of a finding located on base: (path, line).
pub fn base_location(o: &Outcome, f: &Finding) -> Option<(String, Option<u32>)> {
    if !f.located_on_base() {
        return None;
    }
    Some((display_path(o, f.path.as_deref()?), f.line))
}

/// The manifest file of a package (`path/Cargo.toml` or `path/package.json`).
pub fn manifest_of(p: &PackageSummary) -> String {
    let file = if p.ecosystem == "npm" { "package.json" } else { "Cargo.toml" };
    if p.path.is_empty() || p.path == "." {
        file.to_string()
    } else {
        format!("{}/{file}", p.path.trim_end_matches('/'))
    }
}

/// The repository file a finding points at, for SARIF and annotations: the finding's own path;
/// else the manifest of the package it names; else the model of its namespace; else the config
/// file when it is a file of the repository. `None` when there is no such file: a location in a
/// file that does not exist is worse than none. The line only comes with the first, and only
/// when it is a head line: a location in base (a removed shape) gives the file without a line,
/// and a file that head no longer has (a removed package or model) falls through to the config.
pub fn artifact(o: &Outcome, f: &Finding) -> Option<(String, Option<u32>)> {
    let config = || o.config_path.clone().filter(|_| o.config_in_repo).map(|p| (p, None));
    if let Some(p) = &f.path {
        let path = display_path(o, p);
        if path == o.config_origin || Some(&path) == o.config_path.as_ref() {
            // A finding about the config (an exception) is located in it, when it is in the repository.
            return o.config_in_repo.then_some((path, f.line));
        }
        if !f.located_on_base() {
            return Some((path, f.line));
        }
        // Only a file head is known to have: one the diff saw on head's side.
        let on_head = o.files.iter().any(|c| c.path == path && c.head_size.is_some())
            || o.models.iter().any(|m| m.path == path && m.head_size.is_some());
        if on_head {
            return Some((path, None));
        }
        return config();
    }
    if let Some(p) = o.packages.iter().find(|p| p.name == f.subject && p.head_version.is_some()) {
        return Some((manifest_of(p), None));
    }
    if let Some(m) =
        o.models.iter().find(|m| m.head_size.is_some() && f.subject.starts_with(&format!("{}#", namespace_of(m))))
    {
        return Some((m.path.clone(), None));
    }
    config()
}

/// The namespace of a model's first service (`example.weather`), or `""`.
fn namespace_of(m: &crate::outcome::ModelSummary) -> &str {
    m.services.first().and_then(|s| s.split_once('#')).map_or("", |(ns, _)| ns)
}

/// `--date` plus `days`, as `YYYY-MM-DD`; `None` without a (valid) `--date`.
pub fn date_plus(date: Option<&str>, days: i64) -> Option<String> {
    let d = crate::date::parse(date?)?;
    Some(crate::date::plus_days(d, days).to_string())
}

/// A TOML basic string on one line (quoted and escaped as TOML, not as Rust). The toml crate
/// writes a string with a newline as a multi-line `"""` string, whose raw lines a subject from
/// the repository could fill; here every control character is an escape instead.
pub fn toml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Text from the repository (a package name, a subject, a message, a commit summary) as one line
/// of printable text: every control character (newline, carriage return, tab, NUL, ESC, DEL, the
/// C1 controls) and the line and paragraph separators (U+2028, U+2029) become a space. So no such
/// text can start a line of its own in a report (on a CI step's stdout, a line `::warning::…` is
/// a GitHub workflow command) or reach a terminal as an escape sequence. The invisible characters
/// that reorder the text around them (bidirectional embeddings, overrides, isolates and marks,
/// the "Trojan Source" characters) are shown as `<U+202E>`, so a documentation string cannot make
/// a report line read as something it is not. Every renderer's escaping starts here; paths come
/// escaped as `\xNN` already ([`crate::source::path_text`]).
pub fn one_line(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(|c| c.is_control() || is_separator(c) || reorders(c)) {
        return s.into();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c.is_control() || is_separator(c) {
            out.push(' ');
        } else if reorders(c) {
            let _ = write!(out, "<U+{:04X}>", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out.into()
}

/// [`one_line`] for each line of `s`, its line breaks kept: for the places where a report shows
/// text on several lines of its own (a fenced block, a GitHub annotation).
pub fn each_line(s: &str) -> String {
    s.split('\n').map(one_line).collect::<Vec<_>>().join("\n")
}

/// U+2028 LINE SEPARATOR and U+2029 PARAGRAPH SEPARATOR: line breaks to some renderers.
fn is_separator(c: char) -> bool {
    matches!(c, '\u{2028}' | '\u{2029}')
}

/// The Unicode bidirectional formatting characters (UAX #9): the embeddings and overrides
/// U+202A–U+202E, the isolates U+2066–U+2069 and the marks U+200E, U+200F and U+061C.
fn reorders(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Longest input (old plus new, bytes) that gets a line diff; longer values are summarised, so a
/// report never spends quadratic time on one finding.
const MAX_DIFF_INPUT: usize = 64 * 1024;
/// At most this many diff lines per finding.
const MAX_DIFF_LINES: usize = 40;

/// A compact unified diff of a finding's old and new value: `--- base`/`+++ head` side labels
/// (`--- mainline` for a value compared with mainline), then `-`/`+` lines with two lines of
/// context, at most [`MAX_DIFF_LINES`] lines. Single-line values give one `-` and one `+` line.
pub fn text_diff(change: &Change) -> String {
    let header = format!("--- {}\n+++ {}\n", change.old_side(), change.new_side());
    if change.old.len() + change.new.len() > MAX_DIFF_INPUT {
        return format!(
            "(values too long to diff here: {} bytes in {}, {} bytes in {})\n",
            change.old.len(),
            change.old_side(),
            change.new.len(),
            change.new_side()
        );
    }
    let mut old = change.old.clone();
    let mut new = change.new.clone();
    for s in [&mut old, &mut new] {
        if !s.ends_with('\n') {
            s.push('\n');
        }
    }
    // No deadline: the output must not depend on how fast the machine is.
    let diff = similar::TextDiff::from_lines(old.as_str(), new.as_str());
    let mut lines = Vec::new();
    for (i, group) in diff.grouped_ops(2).iter().enumerate() {
        if i > 0 {
            lines.push("…".to_string());
        }
        for op in group {
            for change in diff.iter_changes(op) {
                let sign = match change.tag() {
                    similar::ChangeTag::Delete => '-',
                    similar::ChangeTag::Insert => '+',
                    similar::ChangeTag::Equal => ' ',
                };
                lines.push(format!("{sign} {}", change.value().trim_end_matches('\n')));
            }
        }
    }
    let total = lines.len();
    if total > MAX_DIFF_LINES {
        lines.truncate(MAX_DIFF_LINES);
        lines.push(format!("… ({} more lines)", total - MAX_DIFF_LINES));
    }
    let mut out = header + &lines.join("\n");
    out.push('\n');
    out
}

/// Sum of what a release diff changed, the magnitude `UnusuallyLargeDiff` compares.
pub fn release_magnitude(r: &ReleaseSize) -> u64 {
    r.shapes_changed + r.packages_changed
}

/// The current diff against the releases before it: (current magnitude, median of the past).
pub fn history_summary(o: &Outcome) -> Option<(u64, Option<f64>, usize)> {
    let current = o.history.iter().find(|r| r.current)?;
    let mut past: Vec<u64> = o.history.iter().filter(|r| !r.current).map(release_magnitude).collect();
    past.sort_unstable();
    let median = match past.len() {
        0 => None,
        n if n % 2 == 1 => Some(past[n / 2] as f64),
        n => Some((past[n / 2 - 1] + past[n / 2]) as f64 / 2.0),
    };
    Some((release_magnitude(current), median, past.len()))
}

/// Rule title from the catalog, or the id for an unknown rule.
pub fn rule_title(rule: &str) -> &str {
    crate::rules::catalog::get(rule).map_or(rule, |m| m.title.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_diff_is_compact() {
        let d = text_diff(&Change::new("1.0.0", "1.1.0"));
        assert_eq!(d, "--- base\n+++ head\n- 1.0.0\n+ 1.1.0\n");
        let mut c = Change::new("1.1.0", "1.0.0");
        c.old_label = Some("mainline".into());
        assert_eq!(text_diff(&c), "--- mainline\n+++ head\n- 1.1.0\n+ 1.0.0\n");
        let old: String = (0..20).map(|i| format!("line {i}\n")).collect();
        let new = old.replace("line 10\n", "line ten\n");
        let d = text_diff(&Change::new(old, new));
        assert_eq!(d, "--- base\n+++ head\n  line 8\n  line 9\n- line 10\n+ line ten\n  line 11\n  line 12\n");
    }

    // Regression: a subject with a newline became a multi-line `"""` string whose second line
    // (`::warning::…`) stood alone in the exception request.
    #[test]
    fn toml_strings_are_one_line_and_read_back() {
        for s in ["plain", "a\"b\\c", "x\n::warning::y", "\r\t\u{0}\u{1b}[2J\u{7f}\u{9b}é", "'''\"\"\""] {
            let t = toml_string(s);
            assert!(!t.chars().any(char::is_control), "{t}");
            let back: toml::Table = toml::from_str(&format!("v = {t}")).expect("valid TOML");
            assert_eq!(back["v"].as_str(), Some(s), "{t}");
        }
        assert_eq!(toml_string("ns#A"), "\"ns#A\"");
    }

    #[test]
    fn control_characters_become_spaces_on_one_line() {
        assert_eq!(one_line("a\nb\r\tc\u{0}\u{1b}[2J\u{9b}"), "a b  c  [2J ");
        assert!(matches!(one_line("plain é"), std::borrow::Cow::Borrowed("plain é")));
        assert_eq!(one_line("a\u{2028}b\u{2029}c\u{85}d"), "a b c d");
    }

    // Regression: a documentation string with a right-to-left override reached every report as
    // is, where it reversed the rest of its line ("Trojan Source", CVE-2021-42574).
    #[test]
    fn bidirectional_controls_are_shown_not_applied() {
        assert_eq!(one_line("ok \u{202E}lanigiro\u{202C} done"), "ok <U+202E>lanigiro<U+202C> done");
        assert_eq!(one_line("\u{2066}x\u{2069}\u{200E}\u{200F}\u{61C}"), "<U+2066>x<U+2069><U+200E><U+200F><U+061C>");
        // Right-to-left text itself is text, not a control.
        assert!(matches!(one_line("שלום مرحبا"), std::borrow::Cow::Borrowed(_)));
    }

    #[test]
    fn dates_add_across_years() {
        assert_eq!(date_plus(Some("2026-12-15"), 90).as_deref(), Some("2027-03-15"));
        assert_eq!(date_plus(None, 90), None);
        assert_eq!(date_plus(Some("not a date"), 90), None);
    }
}
