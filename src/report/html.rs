//! The HTML report: one self-contained file for an auditor. Inline CSS, no scripts, no external
//! resources, so it works offline, from an attachment, and on paper. It encodes the [`View`]; it
//! computes nothing of its own.
//!
//! - The diff-size chart is inline SVG with its colours in attributes (readable without CSS).
//! - Findings can be filtered by severity without JavaScript: one checkbox per severity (and for
//!   excepted and suppressed findings) precedes the list, and `:not(:checked) ~ …` rules hide the
//!   matching findings. With CSS off every finding is shown; in print every finding is shown and
//!   the filter controls are hidden.
//! - Finding messages and commit summaries show their Markdown code spans (and fenced values) as
//!   code ([`code_spans`]).
//! - Every piece of text goes through [`escape`]: subjects, messages and summaries come from the
//!   repository and may contain markup and control characters; `escape` writes them as one line.
use super::Style;
use super::common;
use super::view::{self, ClosestSafeSection, FindingBlock, View};
use crate::finding::{Finding, Severity};
use crate::outcome::{Command, Outcome, ReleaseSize};
use std::fmt::Write;

/// Escapes text for HTML element content and quoted attribute values, as one line: control
/// characters (newlines too) become spaces ([`common::one_line`]), so no text from the
/// repository starts a line of the file (or of stdout, where a line `::warning::…` is a GitHub
/// workflow command).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in common::one_line(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// [`escape`] for a `<pre>` block whose line breaks are the renderer's own (the exception
/// request's TOML, the reproduce command): each line escaped as one line.
fn escape_lines(s: &str) -> String {
    s.split('\n').map(escape).collect::<Vec<_>>().join("\n")
}

const CSS: &str = r#"
:root { --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --bg: #ffffff; --soft: #f6f8fa;
  --error: #cf222e; --danger: #8250df; --warning: #9a6700; --note: #0969da; --ok: #1a7f37; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg);
  max-width: 1100px; margin: 0 auto; padding: 24px; overflow-wrap: break-word; }
h1 { font-size: 26px; margin: 0 0 12px; } h2 { font-size: 20px; border-bottom: 1px solid var(--line); padding-bottom: 4px; margin-top: 32px; }
h3 { font-size: 16px; margin-top: 20px; } h4 { font-size: 15px; margin: 0 0 4px; }
code, pre { font: 13px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
code { background: var(--soft); padding: 1px 4px; border-radius: 4px; overflow-wrap: break-word; }
code.block { display: block; white-space: pre-wrap; margin: 4px 0; padding: 4px 8px; }
pre { background: var(--soft); padding: 8px 12px; border-radius: 6px; overflow-x: auto; white-space: pre-wrap; overflow-wrap: anywhere; }
table { border-collapse: collapse; margin: 8px 0 16px; width: 100%; }
/* A table wider than a narrow screen scrolls in its own box; the page itself never sideways. */
.wide { overflow-x: auto; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: var(--soft); white-space: nowrap; } td { overflow-wrap: break-word; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
.verdict { display: inline-block; padding: 2px 12px; border-radius: 6px; color: #fff; font-weight: 700; }
.verdict.pass { background: var(--ok); } .verdict.fail { background: var(--error); }
.muted { color: var(--muted); }
.sev { display: inline-block; min-width: 64px; padding: 0 6px; border-radius: 4px; color: #fff; font-size: 12px; font-weight: 600; text-align: center; text-transform: uppercase; }
.sev-error .sev, .sev.sev-error { background: var(--error); } .sev-danger .sev, .sev.sev-danger { background: var(--danger); }
.sev-warning .sev, .sev.sev-warning { background: var(--warning); } .sev-note .sev, .sev.sev-note { background: var(--note); }
.sev-suppressed .sev, .sev.sev-suppressed { background: var(--muted); }
.finding { border: 1px solid var(--line); border-left: 4px solid var(--line); border-radius: 6px; padding: 8px 12px; margin: 8px 0; }
.finding.sev-error { border-left-color: var(--error); } .finding.sev-danger { border-left-color: var(--danger); }
.finding.sev-warning { border-left-color: var(--warning); } .finding.sev-note { border-left-color: var(--note); }
.finding p { margin: 4px 0; } .tag { font-size: 12px; border: 1px solid var(--line); border-radius: 10px; padding: 0 8px; }
.diff .del { color: var(--error); } .diff .ins { color: var(--ok); } .diff .hdr { color: var(--muted); font-weight: 600; }
.filters { margin: 8px 0; } .filters input { margin-left: 12px; }
.filter-input { margin: 0 4px 0 12px; }
#show-error:not(:checked) ~ .findings .sev-error,
#show-danger:not(:checked) ~ .findings .sev-danger,
#show-warning:not(:checked) ~ .findings .sev-warning,
#show-note:not(:checked) ~ .findings .sev-note,
#show-excepted:not(:checked) ~ .findings .excepted,
#show-suppressed:not(:checked) ~ .findings .sev-suppressed { display: none; }
.signoff td { height: 36px; } .signoff td:first-child { width: 30%; }
svg text { font-family: system-ui, sans-serif; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  .filter-input, .filter-label, .filters { display: none !important; }
  .findings .finding { display: block !important; }
  .finding, table, svg, pre { break-inside: avoid; }
  .wide { overflow: visible; }
  h2, h3, h4 { break-after: avoid; }
  a { color: inherit; text-decoration: none; }
  code, pre { background: none; }
  /* Paper cannot scroll: a table wider than the page breaks an id rather than losing its end. */
  td code { overflow-wrap: anywhere; }
  td code.rule { overflow-wrap: normal; }
}
"#;

pub fn render(o: &Outcome, style: Style) -> String {
    let v = View::of(o);
    let h = &v.header;
    let mut s = String::new();
    let title = if v.command == Command::ClosestSafe {
        format!("shipgate closest-safe — {} from {}", h.repo, h.base.rev)
    } else {
        format!("shipgate {}: {} — {} → {}", v.command.name(), h.verdict_word, h.base.rev, h.head.rev)
    };
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"shipgate {}\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        env!("CARGO_PKG_VERSION"),
        escape(&title)
    );
    header(&mut s, &v);
    if v.command == Command::ClosestSafe {
        // The answer first; closest-safe does not gate, so no verdict wording.
        closest_safe(&mut s, &v);
    } else {
        verdict(&mut s, &v);
    }
    overview(&mut s, &v);
    findings(&mut s, &v, style.details);
    exception_request(&mut s, &v);
    exceptions(&mut s, &v);
    packages(&mut s, &v);
    if v.command != Command::ClosestSafe {
        closest_safe(&mut s, &v);
    }
    if v.sign_off {
        s.push_str("<section id=\"sign-off\">\n<h2>Sign-off</h2>\n");
        table_start(&mut s, "signoff", &[]);
        for what in
            ["Requested by", "Approver", "Decision (ship with exceptions / do not ship)", "Date", "Rollback plan"]
        {
            let _ = writeln!(s, "<tr><td>{what}</td><td></td></tr>");
        }
        s.push_str(TABLE_END);
        s.push_str("</section>\n");
    }
    if !v.notes.is_empty() {
        s.push_str("<section id=\"notes\">\n<h2>Notes</h2>\n<ul>\n");
        for n in v.notes {
            let _ = writeln!(s, "<li>{}</li>", escape(n));
        }
        s.push_str("</ul>\n</section>\n");
    }
    s.push_str("<section id=\"appendix\">\n<h2>Appendix: inputs</h2>\n");
    table_start(&mut s, "", &["input", "digest"]);
    for (k, d) in v.appendix.digests {
        let _ = writeln!(s, "<tr><td>{}</td><td><code>{}</code></td></tr>", escape(k), escape(d));
    }
    s.push_str(TABLE_END);
    let _ = write!(s, "<p>Reproduce the verdict:</p>\n<pre>{}</pre>\n", escape_lines(v.appendix.reproduce));
    if v.appendix.no_date {
        let _ = writeln!(s, "<p>{}</p>", escape(&common::NO_DATE_NOTE.replace('`', "")));
    }
    s.push_str("</section>\n</body>\n</html>\n");
    s
}

/// Text with Markdown code, as HTML: finding messages (smithy-diff's convention: `` `x` `` for a
/// name or a one-line value, a multi-line value fenced by ```` ``` ```` lines) and the renderers'
/// own notes. A span opens at a run of backticks and closes at the next run of the same length,
/// as in CommonMark; a fence (three or more backticks alone on a line, closed by the same alone on
/// a later line) becomes a block of code with its lines kept. A backtick that closes nothing stays
/// a backtick. Everything is escaped, so a subject that holds backticks or markup only moves
/// where a span ends.
fn code_spans(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    let mut rest = s;
    while let Some(start) = rest.find('`') {
        out.push_str(&escape(&rest[..start]));
        let run = rest[start..].bytes().take_while(|&b| b == b'`').count();
        let after = &rest[start + run..];
        let at_line_start = start == 0 || rest[..start].ends_with('\n');
        if run >= 3
            && at_line_start
            && let Some(body) = after.strip_prefix('\n')
            && let Some(end) = closing_fence(body, run)
        {
            let lines: Vec<String> = body[..end].split('\n').map(escape).collect();
            let _ = write!(out, "<code class=\"block\">{}</code>", lines.join("<br>"));
            rest = &body[end + 1 + run..];
            continue;
        }
        match closing_run(after, run) {
            Some(end) => {
                out.push_str(&code(&after[..end]));
                rest = &after[end + run..];
            }
            None => {
                out.push_str(&rest[start..start + run]);
                rest = after;
            }
        }
    }
    out.push_str(&escape(rest));
    out
}

/// `s` (a message cut short) with the code span it was cut inside closed, so the shortened row
/// shows the value as code rather than a stray backtick.
fn close_open_span(s: &str) -> String {
    let mut rest = s;
    while let Some(start) = rest.find('`') {
        let run = rest[start..].bytes().take_while(|&b| b == b'`').count();
        let after = &rest[start + run..];
        match closing_run(after, run) {
            Some(end) => rest = &after[end + run..],
            None => return format!("{s}{}", "`".repeat(run)),
        }
    }
    s.to_string()
}

/// Where the first run of exactly `run` backticks in `s` starts.
fn closing_run(s: &str, run: usize) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'`' {
            let n = b[i..].iter().take_while(|&&c| c == b'`').count();
            if n == run {
                return Some(i);
            }
            i += n;
        } else {
            i += 1;
        }
    }
    None
}

/// Where the line break before a closing fence of `run` backticks (alone on its line) is in
/// `body`.
fn closing_fence(body: &str, run: usize) -> Option<usize> {
    let fence = "`".repeat(run);
    body.match_indices(&format!("\n{fence}"))
        .map(|(i, _)| i)
        .find(|&i| matches!(body.as_bytes().get(i + 1 + run), None | Some(b'\n')))
}

/// Opens a table (with `class`, unless empty) and its header row (unless `heads` is empty) in a
/// box of its own that scrolls sideways when the table is wider than the screen, so the page
/// never does; [`TABLE_END`] closes both.
fn table_start(s: &mut String, class: &str, heads: &[&str]) {
    s.push_str("<div class=\"wide\"><table");
    if !class.is_empty() {
        let _ = write!(s, " class=\"{class}\"");
    }
    s.push_str(">\n");
    if !heads.is_empty() {
        s.push_str("<tr>");
        for h in heads {
            let _ = write!(s, "<th>{h}</th>");
        }
        s.push_str("</tr>\n");
    }
}

/// Closes what [`table_start`] opened.
const TABLE_END: &str = "</table></div>\n";

/// Where an id may wrap: after the separators of namespaces, members, paths and constant names.
const WRAP_AFTER: [char; 7] = ['.', '#', '$', '/', ':', '_', '@'];

/// An id, path or value as code, escaped, with a `<wbr>` after each [`WRAP_AFTER`] separator: a
/// long shape id wraps as `com.amazonaws.s3#` / `PutObjectRequest$` / `Bucket`, never inside a
/// word, and a rule id (`ChangedWithoutVersionBump`) keeps its column as wide as it needs.
fn code(s: &str) -> String {
    format!("<code>{}</code>", wrap_points(s))
}

/// `s` escaped, a `<wbr>` after each [`WRAP_AFTER`] separator.
fn wrap_points(s: &str) -> String {
    s.split_inclusive(WRAP_AFTER).map(escape).collect::<Vec<_>>().join("<wbr>")
}

/// A rule or event id as code that never breaks inside a word, not even on paper (where other
/// table code may, to fit the page).
fn rule_code(id: &str) -> String {
    format!("<code class=\"rule\">{}</code>", wrap_points(id))
}

fn opt_code(v: Option<&str>) -> String {
    v.map_or_else(|| "–".to_string(), code)
}

fn header(s: &mut String, v: &View<'_>) {
    let h = &v.header;
    let word = h.verdict_word;
    let badge = if v.command == Command::ClosestSafe {
        String::new()
    } else {
        format!(" <span class=\"verdict {}\">{word}</span>", word.to_lowercase())
    };
    let _ =
        write!(s, "<header>\n<h1>shipgate {}{badge}</h1>\n<p class=\"repo\">{}</p>\n", v.command.name(), code(h.repo));
    table_start(s, "", &["", "revision", "commit", "commit date", "summary"]);
    for (name, r) in &h.revs {
        let _ = writeln!(
            s,
            "<tr><th>{name}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            code(&r.rev),
            code(&r.commit),
            escape(r.date.as_deref().unwrap_or("–")),
            code_spans(r.summary.as_deref().unwrap_or("–"))
        );
    }
    if h.mainline.is_none() {
        s.push_str(
            "<tr><th>mainline</th><td colspan=\"4\">none: mainline rules and closest-safe did not run</td></tr>\n",
        );
    }
    s.push_str(TABLE_END);
    let _ = write!(
        s,
        "<p class=\"muted\">Repository {} · shipgate {} · rule set {} · config {} · report date {} · {}</p>\n</header>\n",
        code(h.repo),
        escape(env!("CARGO_PKG_VERSION")),
        code(&h.rule_set),
        h.config.map_or_else(|| "built-in detection".to_string(), code),
        h.date.map_or_else(|| "not given (<code>--date</code>)".to_string(), code),
        h.threshold("<strong>", "</strong>")
    );
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A group's first subjects, then "and N more".
fn examples(g: &view::Group<'_>) -> String {
    let mut list: Vec<String> = g.examples().iter().map(|x| code(x)).collect();
    if g.findings.len() > view::EXAMPLES {
        list.push(format!("and {} more", g.findings.len() - view::EXAMPLES));
    }
    list.join(", ")
}

/// A table of groups: rule, service, severity, count, examples.
fn group_table(s: &mut String, groups: &[view::Group<'_>]) {
    table_start(s, "", &["rule", "service", "severity", "findings", "examples"]);
    for g in groups {
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td>{}</td><td><span class=\"sev sev-{sev}\">{sev}</span></td><td class=\"n\">{}</td><td>{}</td></tr>",
            rule_code(g.rule),
            opt_code(g.service.as_deref()),
            g.findings.len(),
            examples(g),
            sev = g.worst
        );
    }
    s.push_str(TABLE_END);
}

fn verdict(s: &mut String, v: &View<'_>) {
    let Some(verdict) = &v.verdict else { return };
    let n = verdict.blocking;
    let _ = write!(s, "<section id=\"verdict\">\n<h2>Verdict: {}</h2>\n<p>", verdict.word);
    if n == 0 {
        let _ = write!(s, "No finding at or above <strong>{}</strong> is left without an exception.", v.fail_on);
    } else {
        let _ = write!(
            s,
            "<strong>{}</strong> at or above <strong>{}</strong> without a valid exception, from {}{}.",
            plural(n, "blocking finding", "blocking findings"),
            v.fail_on,
            plural(verdict.rules, "rule", "rules"),
            if verdict.services == 0 {
                String::new()
            } else {
                format!(" over {}", plural(verdict.services, "service", "services"))
            }
        );
    }
    counts_table(s, v);
    if !v.blocking.is_empty() {
        s.push_str("<h3>What blocks</h3>\n");
        group_table(s, &v.blocking);
    }
    s.push_str("</section>\n");
}

fn counts_table(s: &mut String, v: &View<'_>) {
    let c = &v.counts;
    s.push_str("</p>\n");
    table_start(s, "", &["error", "danger", "warning", "note", "excepted", "suppressed"]);
    s.push_str("<tr>");
    for n in [c.error, c.danger, c.warning, c.note, c.excepted, c.suppressed] {
        let _ = write!(s, "<td class=\"n\">{n}</td>");
    }
    s.push_str("</tr>\n");
    s.push_str(TABLE_END);
}

fn status(st: crate::outcome::FileStatus) -> String {
    format!("{st:?}").to_lowercase()
}

/// Services shown before the rest fold into a disclosure widget.
const SERVICES_SHOWN: usize = 15;

fn overview(s: &mut String, v: &View<'_>) {
    s.push_str("<section id=\"changes\">\n<h2>What changed</h2>\n");
    let Some(ov) = &v.overview else {
        s.push_str("<p>Not computed by <code>closest-safe</code> (it compares mainline candidates with base); run <code>shipgate report</code> for the diff.</p>\n</section>\n");
        return;
    };
    let changed = &ov.changed_packages;
    let _ = writeln!(
        s,
        "<p>{} and {} changed.</p>",
        plural(ov.models, "model file", "model files"),
        plural(changed.len(), "package", "packages")
    );
    if ov.models > 0 {
        let rows = &ov.services;
        let head = |s: &mut String| {
            let heads =
                ["service", "model", "status", "operations", "shapes", "blocking", "other findings", "lines changed"];
            table_start(s, "", &heads);
        };
        let row = |r: &view::ServiceRow<'_>| {
            let m = r.model;
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n",
                code(&r.service),
                code(&m.path),
                status(m.status),
                view::triple(m.operations_added.len(), m.operations_removed.len(), m.operations_changed.len()),
                view::triple(m.shapes.added, m.shapes.removed, m.shapes.changed),
                r.blocking,
                r.other,
                m.lines_changed.map_or("–".to_string(), |l| l.to_string())
            )
        };
        s.push_str("<h3>Services</h3>\n");
        head(s);
        for r in rows.iter().take(SERVICES_SHOWN) {
            s.push_str(&row(r));
        }
        s.push_str(TABLE_END);
        if rows.len() > SERVICES_SHOWN {
            let _ = writeln!(s, "<details>\n<summary>{} more services</summary>", rows.len() - SERVICES_SHOWN);
            head(s);
            for r in &rows[SERVICES_SHOWN..] {
                s.push_str(&row(r));
            }
            s.push_str(TABLE_END);
            s.push_str("</details>\n");
        }
        let _ = writeln!(
            s,
            "<p class=\"muted\">Operations and shapes: +added −removed ~changed; other findings are below {} or excepted.</p>",
            v.fail_on
        );
        let ops = &ov.operations;
        if !ops.is_empty() {
            let _ = writeln!(s, "<details>\n<summary>Operations added or removed ({})</summary>", ops.len());
            table_start(s, "", &["operation", ""]);
            for (what, op) in ops {
                let _ = writeln!(s, "<tr><td>{}</td><td>{what}</td></tr>", code(op));
            }
            s.push_str(TABLE_END);
            s.push_str("</details>\n");
        }
    }
    if !changed.is_empty() {
        let _ = writeln!(
            s,
            "<details{}>\n<summary>Packages changed ({})</summary>",
            if changed.len() <= 10 { " open" } else { "" },
            changed.len()
        );
        table_start(s, "", &["package", "ecosystem", "base", "head", "mainline", "status"]);
        for p in changed {
            let _ = writeln!(
                s,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                code(&p.name),
                escape(&p.ecosystem),
                opt_code(p.base_version.as_deref()),
                opt_code(p.head_version.as_deref()),
                opt_code(p.mainline_version.as_deref()),
                escape(&p.status)
            );
        }
        s.push_str(TABLE_END);
        s.push_str("</details>\n");
    }
    s.push_str("<h3>Diff size against release history</h3>\n");
    match ov.diff_size {
        Some((current, median, n)) => {
            let _ = write!(s, "<p>This diff changes <strong>{current}</strong> shapes and packages");
            match median {
                Some(m) if m > 0.0 => {
                    let _ = write!(
                        s,
                        "; the median over the {n} previous release(s) is {m} ({:.1}× the median).",
                        current as f64 / m
                    );
                }
                Some(m) => {
                    let _ = write!(s, "; the median over the {n} previous release(s) is {m}.");
                }
                None => s.push_str("; there is no earlier release to compare with."),
            }
            s.push_str("</p>\n");
            s.push_str(&chart(ov.history));
        }
        None => s.push_str("<p>Not measured: set <code>release_tags</code> in shipgate.toml.</p>\n"),
    }
    s.push_str("</section>\n");
}

/// Approximate advance of one character of the chart's 10px labels (system-ui is narrower; this
/// errs on the wide side so labels never collide).
const LABEL_CHAR_W: usize = 7;
/// Height a vertical label takes across the axis (10px font plus leading).
const LABEL_LINE_H: usize = 13;

/// Chart labels for release tags: the part that varies. A common prefix up to a separator
/// (`release-2024-`) is dropped and said once in the caption; the current diff reads
/// "this diff".
pub fn chart_labels(history: &[ReleaseSize]) -> (Vec<String>, String) {
    let tags: Vec<&str> = history.iter().filter(|r| !r.current).map(|r| r.to.as_str()).collect();
    let mut prefix_len = 0;
    if tags.len() > 1 {
        let first = tags[0];
        let common = tags[1..]
            .iter()
            .map(|t| first.bytes().zip(t.bytes()).take_while(|(a, b)| a == b).count())
            .min()
            .unwrap_or(0);
        // Cut back to just after a separator, so `release-2024-01-10` keeps `01-10`, not `1-10`.
        prefix_len = first[..common].rfind(['-', '_', '.', '/', '@']).map_or(0, |i| i + 1);
    }
    let prefix = tags.first().map_or("", |t| &t[..prefix_len]).to_string();
    let labels = history
        .iter()
        .map(|r| {
            if r.current {
                "this diff".to_string()
            } else {
                let rest = r.to.get(prefix_len..).filter(|x| !x.is_empty()).unwrap_or(&r.to);
                truncate(rest, 16)
            }
        })
        .collect();
    (labels, prefix)
}

/// How the chart lays out its x labels: horizontal when every label fits its slot, else vertical;
/// every `step`-th label (counted back from the current diff, which always has its label) when
/// even vertical labels are wider than a slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LabelLayout {
    pub vertical: bool,
    pub step: usize,
}

pub fn label_layout(labels: &[String], slot: usize) -> LabelLayout {
    let widest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0) * LABEL_CHAR_W;
    if widest + 4 <= slot {
        return LabelLayout { vertical: false, step: 1 };
    }
    LabelLayout { vertical: true, step: LABEL_LINE_H.div_ceil(slot.max(1)).max(1) }
}

/// An SVG bar chart of the diff size (shapes plus packages changed) per release, the current
/// diff highlighted. Colours and sizes are attributes, so it renders without the stylesheet.
/// Labels never overlap: see [`label_layout`].
pub fn chart(history: &[ReleaseSize]) -> String {
    let n = history.len();
    if n == 0 {
        return String::new();
    }
    let (labels, prefix) = chart_labels(history);
    let (width, left, top) = (720usize, 48usize, 20usize);
    let plot_w = width - left - 8;
    let slot = plot_w / n;
    let layout = label_layout(&labels, slot);
    let longest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    let bottom = if layout.vertical { 16 + longest * LABEL_CHAR_W } else { 32 };
    let plot_h = 184usize;
    let height = top + plot_h + bottom;
    let bar = (slot * 7 / 10).clamp(2, 64);
    let max = history.iter().map(common::release_magnitude).max().unwrap_or(0).max(1);
    let mut s = format!(
        "<figure>\n<div class=\"wide\"><svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" aria-labelledby=\"chart-title chart-desc\">\n<title id=\"chart-title\">Diff size per release</title>\n<desc id=\"chart-desc\">Shapes plus packages changed in each release diff, oldest first; the last, highlighted bar is this diff.</desc>\n"
    );
    let axis_y = top + plot_h;
    let _ = writeln!(
        s,
        "<line x1=\"{left}\" y1=\"{axis_y}\" x2=\"{}\" y2=\"{axis_y}\" stroke=\"#57606a\" stroke-width=\"1\"/>",
        width - 8
    );
    let _ = writeln!(
        s,
        "<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"end\" fill=\"#57606a\">{max}</text>\n<text x=\"{}\" y=\"{axis_y}\" font-size=\"11\" text-anchor=\"end\" fill=\"#57606a\">0</text>",
        left - 6,
        top + 4,
        left - 6
    );
    // Bar values only where they fit above the bar without touching the next one.
    let values_fit = slot >= 7 * (max.to_string().len()) + 2;
    for (i, r) in history.iter().enumerate() {
        let v = common::release_magnitude(r);
        let h = (v as usize * plot_h).div_ceil(max as usize).max(if v > 0 { 2 } else { 0 });
        let x = left + i * slot + (slot - bar) / 2;
        let y = axis_y - h;
        let fill = if r.current { "#d9480f" } else { "#8c959f" };
        let cx = x + bar / 2;
        let _ = write!(
            s,
            "<g><title>{} → {}: {} shapes, {} packages, {} lines changed</title><rect x=\"{x}\" y=\"{y}\" width=\"{bar}\" height=\"{h}\" fill=\"{fill}\"/>",
            escape(&r.from),
            escape(&r.to),
            r.shapes_changed,
            r.packages_changed,
            r.lines_changed,
        );
        if values_fit || r.current {
            let _ = write!(
                s,
                "<text class=\"value\" x=\"{cx}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#1b1f24\">{v}</text>",
                y.saturating_sub(4)
            );
        }
        let shown = (n - 1 - i).is_multiple_of(layout.step);
        if shown {
            let colour = if r.current { "#d9480f" } else { "#57606a" };
            let weight = if r.current { " font-weight=\"700\"" } else { "" };
            let label = escape(&labels[i]);
            if layout.vertical {
                let ly = axis_y + 8;
                let _ = write!(
                    s,
                    "<text class=\"label\" x=\"{cx}\" y=\"{ly}\" dy=\"0.35em\" font-size=\"10\" text-anchor=\"end\" fill=\"{colour}\"{weight} transform=\"rotate(-90 {cx} {ly})\">{label}</text>"
                );
            } else {
                let _ = write!(
                    s,
                    "<text class=\"label\" x=\"{cx}\" y=\"{}\" font-size=\"10\" text-anchor=\"middle\" fill=\"{colour}\"{weight}>{label}</text>",
                    axis_y + 16
                );
            }
        }
        s.push_str("</g>\n");
    }
    let caption =
        if prefix.is_empty() { String::new() } else { format!(" Labels drop the common prefix {}.", code(&prefix)) };
    let thinned = if layout.step > 1 {
        format!(" Every {}th release is labelled; the table below lists all.", layout.step)
    } else {
        String::new()
    };
    let _ = write!(
        s,
        "</svg></div>\n<figcaption class=\"muted\">Shapes plus packages changed per release diff; the highlighted bar is this diff.{caption}{thinned}</figcaption>\n</figure>\n"
    );
    s.push_str("<details>\n<summary>Release history table</summary>\n");
    table_start(&mut s, "", &["from", "to", "shapes changed", "packages changed", "lines changed"]);
    for r in history {
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td>{}{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            code(&r.from),
            code(&r.to),
            if r.current { " <strong>(this diff)</strong>" } else { "" },
            r.shapes_changed,
            r.packages_changed,
            r.lines_changed
        );
    }
    s.push_str(TABLE_END);
    s.push_str("</details>\n");
    s
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n { s.to_string() } else { s.chars().take(n - 1).collect::<String>() + "…" }
}

fn finding(s: &mut String, b: &FindingBlock<'_>) {
    let f = b.finding;
    let state = if f.exception.is_some() { " excepted" } else { "" };
    let _ = write!(
        s,
        "<article class=\"finding sev-{}{state}\">\n<h4><span class=\"sev\">{}</span> {} on {}</h4>\n",
        f.severity,
        f.severity,
        rule_code(&f.id),
        code(f.display_subject())
    );
    if let Some(loc) = &b.location {
        let _ = writeln!(s, "<p class=\"muted\">{}</p>", code(loc));
    }
    let _ = writeln!(s, "<p>{}</p>", code_spans(&f.message));
    if let Some(diff) = b.diff() {
        s.push_str("<pre class=\"diff\">");
        for line in diff.lines() {
            let class = match line.chars().next() {
                _ if line.starts_with("--- ") || line.starts_with("+++ ") => "hdr",
                Some('-') => "del",
                Some('+') => "ins",
                _ => "ctx",
            };
            let _ = writeln!(s, "<span class=\"{class}\">{}</span>", escape(line));
        }
        s.push_str("</pre>\n");
    }
    if let Some(ex) = &f.exception {
        let _ = writeln!(
            s,
            "<p><span class=\"tag\">excepted</span> {} — approved by {}, expires {}</p>",
            escape(&ex.reason),
            ex.approved_by.as_deref().map_or_else(|| "<strong>nobody recorded</strong>".to_string(), escape),
            ex.expires.as_deref().map_or_else(|| "never".to_string(), escape)
        );
    }
    if let Some(why) = &f.suppression {
        let _ = writeln!(s, "<p><span class=\"tag\">suppressed by the model</span> {}</p>", escape(why));
    }
    let _ = writeln!(
        s,
        "<p class=\"muted\">{} · fingerprint {}</p>",
        f.introduced_by
            .as_deref()
            .map_or_else(|| "introducing commit unknown".to_string(), |c| format!("introduced by {}", code(c))),
        code(&f.fingerprint)
    );
    s.push_str("</article>\n");
}

/// Findings of a group as compact rows (severity, event, subject, location, message).
/// Longest message a folded row shows; the rest is in `--details`, the JSON and SARIF.
const ROW_MESSAGE_CHARS: usize = 300;

fn finding_rows(s: &mut String, v: &View<'_>, fs: &[&Finding], details_all: bool) {
    table_start(s, "", &["severity", "event", "subject", "location", "message"]);
    for f in fs {
        let state = if f.exception.is_some() { " excepted" } else { "" };
        let _ = writeln!(
            s,
            "<tr class=\"sev-{sev}{state}\"><td><span class=\"sev\">{sev}</span></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            rule_code(&f.id),
            code(f.display_subject()),
            v.block(f).location.map_or_else(|| "–".to_string(), |l| code(&l)),
            if details_all || f.message.chars().count() <= ROW_MESSAGE_CHARS {
                code_spans(&f.message)
            } else {
                format!(
                    "{} <em>(shortened; <code>--details</code> shows it all)</em>",
                    code_spans(&close_open_span(&truncate(&f.message, ROW_MESSAGE_CHARS)))
                )
            },
            sev = f.severity
        );
    }
    s.push_str(TABLE_END);
}

/// Rows of one group of findings below the gate that the HTML lists before the rest are only
/// counted (`--details` lists every one; the JSON always does): a rewrite of every documentation
/// string of a 100 MB model made a page of 101,419 rows, 49 MB.
const OTHER_ROWS_SHOWN: usize = 1_000;

fn findings(s: &mut String, v: &View<'_>, details_all: bool) {
    s.push_str("<section id=\"findings\">\n<h2>Findings</h2>\n");
    // The checkboxes must precede `.findings` as siblings for the `~` selectors to reach it.
    let counts = |sev: Severity| v.counts.at(sev);
    s.push_str("<p class=\"filters\">Show (works without scripts; everything prints):</p>\n");
    for sev in Severity::COUNTED {
        let _ = writeln!(
            s,
            "<input type=\"checkbox\" class=\"filter-input\" id=\"show-{sev}\" checked><label class=\"filter-label\" for=\"show-{sev}\"><span class=\"sev sev-{sev}\">{sev}</span> {}</label>",
            counts(sev)
        );
    }
    let _ = writeln!(
        s,
        "<input type=\"checkbox\" class=\"filter-input\" id=\"show-excepted\" checked><label class=\"filter-label\" for=\"show-excepted\">excepted {}</label>\n<input type=\"checkbox\" class=\"filter-input\" id=\"show-suppressed\" checked><label class=\"filter-label\" for=\"show-suppressed\">suppressed {}</label>",
        v.counts.excepted, v.counts.suppressed
    );
    s.push_str("<div class=\"findings\">\n");
    let _ = writeln!(s, "<h3>Blocking ({})</h3>", v.counts.blocking);
    if v.blocking.is_empty() {
        s.push_str("<p>None.</p>\n");
    }
    for g in &v.blocking {
        let _ = writeln!(
            s,
            "<h4>{} in {} — {} ({})</h4>",
            rule_code(g.rule),
            g.service.as_deref().map_or_else(|| "the release".to_string(), code),
            escape(common::rule_title(g.rule)),
            g.findings.len()
        );
        let full = if details_all { g.findings.len() } else { g.findings.len().min(view::SHOWN_IN_FULL) };
        for f in &g.findings[..full] {
            finding(s, &v.block(f));
        }
        if full < g.findings.len() {
            let _ = writeln!(
                s,
                "<details>\n<summary>{} more {} finding(s)</summary>",
                g.findings.len() - full,
                escape(g.rule)
            );
            for f in &g.findings[full..] {
                finding(s, &v.block(f));
            }
            s.push_str("</details>\n");
        }
    }
    for (below, title, gs) in [
        (true, format!("Below {} ({})", v.fail_on, v.split.other.len()), &v.other),
        (false, format!("Excepted ({})", v.split.excepted.len()), &v.excepted),
        (false, format!("Suppressed by the models' own metadata ({})", v.split.suppressed.len()), &v.suppressed),
    ] {
        if gs.is_empty() {
            continue;
        }
        let _ = writeln!(s, "<h3>{}</h3>", escape(&title));
        if gs.len() > 1 {
            group_table(s, gs);
        }
        for g in gs {
            let open = if details_all { " open" } else { "" };
            let _ = writeln!(
                s,
                "<details{open}>\n<summary>{} in {} ({})</summary>",
                rule_code(g.rule),
                opt_code(g.service.as_deref()),
                g.findings.len()
            );
            let listed = if below && !details_all { g.findings.len().min(OTHER_ROWS_SHOWN) } else { g.findings.len() };
            let listed = &g.findings[..listed];
            finding_rows(s, v, listed, details_all);
            if listed.len() < g.findings.len() {
                let _ = writeln!(
                    s,
                    "<p class=\"muted\">{} more not listed here: <code>--details</code> lists every one, the JSON report always does.</p>",
                    g.findings.len() - listed.len()
                );
            }
            // Excepted and suppressed findings say why in full; changes are diffed with --details.
            let full =
                |f: &&&Finding| f.exception.is_some() || f.suppression.is_some() || (details_all && f.change.is_some());
            for f in listed.iter().filter(full) {
                finding(s, &v.block(f));
            }
            s.push_str("</details>\n");
        }
    }
    // Pre-existing and resolved findings, folded to a count per rule (JSON lists each one);
    // the static text has nothing to escape, rule ids go through `code`.
    if !v.held_at_base.is_empty() {
        s.push_str("<h3>Held at base</h3>\n<ul>\n");
        for fold in &v.held_at_base {
            let _ = writeln!(s, "<li>{}</li>", fold.line(&|t| code(t)));
        }
        s.push_str("</ul>\n");
    }
    s.push_str("</div>\n</section>\n");
}

fn exception_request(s: &mut String, v: &View<'_>) {
    let Some(req) = &v.exception_request else { return };
    let entries = &req.entries;
    let _ = writeln!(
        s,
        "<section id=\"exception-request\">\n<h2>Exception request ({} covering {})</h2>\n<p>Ready to paste into <code>shipgate.toml</code>: one entry per rule and service (a subject glob, with the findings it covers named in its comment), one per finding where a rule has a single subject there. <code>reason</code> and <code>approved_by</code> are empty on purpose: an exception without a reason excepts nothing.</p>",
        plural(entries.len(), "entry", "entries"),
        plural(req.blocking, "blocking finding", "blocking findings")
    );
    let _ = writeln!(
        s,
        "<details{}>\n<summary>[[exceptions]] entries ({})</summary>\n<pre>{}</pre>\n</details>\n</section>",
        if req.open { " open" } else { "" },
        entries.len(),
        escape_lines(&req.toml)
    );
}

fn exceptions(s: &mut String, v: &View<'_>) {
    let excepted = &v.exceptions_applied.excepted;
    let _ = writeln!(s, "<section id=\"exceptions\">\n<h2>Exceptions applied ({})</h2>", excepted.len());
    if excepted.is_empty() {
        s.push_str("<p>None.</p>\n</section>\n");
        return;
    }
    table_start(s, "", &["event", "subject", "approved by", "reason", "expires", "config entry"]);
    for f in excepted {
        let ex = f.exception.as_ref().expect("the view put only excepted findings here");
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            rule_code(&f.id),
            code(f.display_subject()),
            ex.approved_by.as_deref().map_or_else(|| "<strong>nobody recorded</strong>".to_string(), escape),
            escape(&ex.reason),
            ex.expires.as_deref().map_or_else(|| "never".to_string(), escape),
            ex.source.as_deref().map_or_else(|| code(&common::exception_ref(ex.index)), escape)
        );
    }
    s.push_str(TABLE_END);
    s.push_str("</section>\n");
}

fn packages(s: &mut String, v: &View<'_>) {
    let rows = &v.packages.rows;
    let _ = writeln!(s, "<section id=\"packages\">\n<h2>Required packages ({})</h2>", rows.len());
    if rows.is_empty() {
        s.push_str("<p>No package is required by this release.</p>\n</section>\n");
        return;
    }
    s.push_str("<p>The authoritative list to publish: every package head ships, mainline needs or <code>required</code> names, with the version and the commit to publish it from.</p>\n");
    let disagree = v.packages.disagree;
    if disagree > 0 {
        let _ = writeln!(
            s,
            "<p><strong>{}</strong> not shipped as head&#39;s version from head: see <em>why</em>.</p>",
            plural(disagree, "package", "packages")
        );
    }
    let _ = writeln!(
        s,
        "<details{}>\n<summary>Required packages ({})</summary>",
        if v.packages.open { " open" } else { "" },
        rows.len()
    );
    table_start(
        s,
        "",
        &[
            "package",
            "ecosystem",
            "publish version",
            "from commit",
            "head",
            "mainline",
            "path",
            "publish",
            "status",
            "why",
        ],
    );
    for r in rows {
        let p = r.package;
        let from = match r.from {
            view::PublishFrom::Head => code(r.commit),
            view::PublishFrom::Mainline => format!("{} (mainline)", code(r.commit)),
        };
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{from}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            code(&p.name),
            escape(&p.ecosystem),
            opt_code(r.version),
            opt_code(p.head_version.as_deref()),
            opt_code(p.mainline_version.as_deref()),
            code(&p.path),
            if p.publish { "yes" } else { "no" },
            if p.status == "ok" { "ok".to_string() } else { format!("<strong>{}</strong>", escape(&p.status)) },
            r.why.as_deref().map_or_else(|| "–".to_string(), escape)
        );
    }
    s.push_str(TABLE_END);
    s.push_str("</details>\n</section>\n");
}

fn closest_safe(s: &mut String, v: &View<'_>) {
    s.push_str("<section id=\"closest-safe\">\n<h2>Closest safe commit</h2>\n");
    match &v.closest_safe {
        ClosestSafeSection::Missing(why) => {
            let _ = writeln!(s, "<p>{}</p>", code_spans(why));
        }
        ClosestSafeSection::Found { commit, distance, mainline, candidates, passes, left_out } => {
            let _ = writeln!(
                s,
                "<p>{} is the newest commit on {} that {}, {distance} commit(s) behind its tip ({candidates} candidate(s) checked).</p>",
                code(commit),
                mainline.map_or_else(|| "mainline".to_string(), code),
                escape(passes),
            );
            if left_out.is_empty() {
                s.push_str("<p>It leaves nothing out: mainline's tip is safe.</p>\n");
            } else {
                let _ = writeln!(s, "<p>It leaves out {} commit(s):</p>", left_out.len());
                table_start(s, "", &["commit", "summary", "blocking findings it introduced"]);
                for l in left_out {
                    let _ = writeln!(
                        s,
                        "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                        code(l.commit),
                        code_spans(l.summary),
                        l.cell(code)
                    );
                }
                s.push_str(TABLE_END);
            }
        }
        ClosestSafeSection::NoneSafe { candidates, .. } => {
            let _ = writeln!(s, "<p>No safe commit among the {candidates} mainline candidate(s) checked.</p>");
        }
    }
    s.push_str("</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Labels that fit stay horizontal; longer ones turn vertical; when even vertical labels are
    /// wider than a slot, every `step`-th is kept so neighbours are at least a line apart.
    #[test]
    fn chart_labels_rotate_and_thin_instead_of_overlapping() {
        let short: Vec<String> = vec!["1".into(), "2".into(), "this diff".into()];
        assert_eq!(label_layout(&short, 221), LabelLayout { vertical: false, step: 1 });
        let tags: Vec<String> = (0..40).map(|i| format!("01-{i:02}")).collect();
        assert_eq!(label_layout(&tags, 16), LabelLayout { vertical: true, step: 1 });
        for slot in 1..40 {
            let l = label_layout(&tags, slot);
            assert!(l.step * slot >= LABEL_LINE_H, "slot {slot}: {l:?}");
            assert!((l.step - 1) * slot < LABEL_LINE_H, "slot {slot} thins no more than it must: {l:?}");
        }
    }

    // Regression: finding messages showed their Markdown backticks literally in the HTML.
    #[test]
    fn messages_show_code_spans_and_fenced_values_as_code() {
        assert_eq!(code_spans("Removed member `ns#A$b`"), "Removed member <code>ns#<wbr>A$<wbr>b</code>");
        assert_eq!(code_spans("`<b>` & ``a`b``"), "<code>&lt;b&gt;</code> &amp; <code>a`b</code>");
        assert_eq!(code_spans("one ` closes nothing"), "one ` closes nothing");
        assert_eq!(code_spans("`` a ` b `` c"), "<code> a ` b </code> c");
        assert_eq!(code_spans("run `` once"), "run `` once");
        // smithy-diff's multi-line value, fenced on its own lines; the lines stay lines.
        let m = "Changed trait `smithy.api#range` from \n```\n{\n    \"max\": 1\n}\n```\n to `x`";
        assert_eq!(
            code_spans(m),
            "Changed trait <code>smithy.<wbr>api#<wbr>range</code> from  <code class=\"block\">{<br>    &quot;max&quot;: 1<br>}</code>  to <code>x</code>"
        );
        // A fence cut short (a shortened row) is backticks, not an open block.
        assert_eq!(code_spans("from \n```\n{\n  \"max"), "from  ``` {   &quot;max");
        // A row's shortened message keeps its open span as code.
        assert_eq!(
            code_spans(&close_open_span("from `Sentence 0 of a long…")),
            "from <code>Sentence 0 of a long…</code>"
        );
        assert_eq!(close_open_span("`a` and `b`"), "`a` and `b`");
        // Newlines and control characters never pass: one line of HTML.
        assert!(!code_spans("`a\nb` c\u{1b}\n::warning::x").contains(['\n', '\u{1b}']));
    }

    #[test]
    fn escape_covers_markup_and_quotes() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
    }
}
