//! The HTML report: one self-contained file for an auditor. Inline CSS, no scripts, no external
//! resources, so it works offline, from an attachment, and on paper.
//!
//! - The diff-size chart is inline SVG with its colours in attributes (readable without CSS).
//! - Findings can be filtered by severity without JavaScript: one checkbox per severity (and for
//!   excepted and suppressed findings) precedes the list, and `:not(:checked) ~ …` rules hide the
//!   matching findings. With CSS off every finding is shown; in print every finding is shown and
//!   the filter controls are hidden.
//! - Every piece of text goes through [`escape`]: subjects, messages and summaries come from the
//!   repository and may contain markup.
use super::common::{self, Split};
use crate::finding::{Finding, Severity};
use crate::outcome::{Command, Outcome};
use std::fmt::Write;

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

const CSS: &str = r#"
:root { --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --bg: #ffffff; --soft: #f6f8fa;
  --error: #cf222e; --danger: #8250df; --warning: #9a6700; --note: #0969da; --ok: #1a7f37; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg);
  max-width: 1100px; margin: 0 auto; padding: 24px; }
h1 { font-size: 26px; margin: 0 0 12px; } h2 { font-size: 20px; border-bottom: 1px solid var(--line); padding-bottom: 4px; margin-top: 32px; }
h3 { font-size: 16px; margin-top: 20px; } h4 { font-size: 15px; margin: 0 0 4px; }
code, pre { font: 13px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
code { background: var(--soft); padding: 1px 4px; border-radius: 4px; overflow-wrap: anywhere; }
pre { background: var(--soft); padding: 8px 12px; border-radius: 6px; overflow-x: auto; white-space: pre-wrap; overflow-wrap: anywhere; }
table { border-collapse: collapse; margin: 8px 0 16px; width: 100%; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: var(--soft); white-space: nowrap; } td { overflow-wrap: break-word; } td code { overflow-wrap: anywhere; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
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
  h2, h3, h4 { break-after: avoid; }
  a { color: inherit; text-decoration: none; }
  code, pre { background: none; }
}
"#;

pub fn render(o: &Outcome) -> String {
    let split = common::split(o);
    let mut s = String::new();
    let title = format!("shipgate {}: {} — {} → {}", o.command.name(), common::verdict_word(o), o.base.rev, o.head.rev);
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"shipgate {}\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        env!("CARGO_PKG_VERSION"),
        escape(&title)
    );
    header(&mut s, o);
    verdict(&mut s, o, &split);
    overview(&mut s, o);
    findings(&mut s, o, &split);
    exceptions(&mut s, &split);
    packages(&mut s, o);
    closest_safe(&mut s, o);
    if o.command == Command::Report || o.verdict == crate::outcome::Verdict::Fail {
        s.push_str(
            "<section id=\"sign-off\">\n<h2>Sign-off</h2>\n<table class=\"signoff\">\n<tr><td>Requested by</td><td></td></tr>\n<tr><td>Approver</td><td></td></tr>\n<tr><td>Decision (ship with exceptions / do not ship)</td><td></td></tr>\n<tr><td>Date</td><td></td></tr>\n<tr><td>Rollback plan</td><td></td></tr>\n</table>\n</section>\n",
        );
    }
    if !o.notes.is_empty() {
        s.push_str("<section id=\"notes\">\n<h2>Notes</h2>\n<ul>\n");
        for n in &o.notes {
            let _ = writeln!(s, "<li>{}</li>", escape(n));
        }
        s.push_str("</ul>\n</section>\n");
    }
    s.push_str(
        "<section id=\"appendix\">\n<h2>Appendix: inputs</h2>\n<table>\n<tr><th>input</th><th>digest</th></tr>\n",
    );
    for (k, v) in &o.digests {
        let _ = writeln!(s, "<tr><td>{}</td><td><code>{}</code></td></tr>", escape(k), escape(v));
    }
    let _ = write!(s, "</table>\n<p>Reproduce the verdict:</p>\n<pre>{}</pre>\n", escape(&o.command_line));
    if o.date.is_none() {
        let _ = writeln!(s, "<p>{}</p>", escape(&common::NO_DATE_NOTE.replace('`', "")));
    }
    s.push_str("</section>\n</body>\n</html>\n");
    s
}

/// Trusted Markdown-ish text with `code` spans, as HTML (everything else escaped).
fn code_spans(s: &str) -> String {
    s.split('`').enumerate().map(|(i, part)| if i % 2 == 1 { code(part) } else { escape(part) }).collect()
}

fn code(s: &str) -> String {
    format!("<code>{}</code>", escape(s))
}

fn opt_code(v: Option<&str>) -> String {
    v.map_or_else(|| "–".to_string(), code)
}

fn header(s: &mut String, o: &Outcome) {
    let v = common::verdict_word(o);
    let _ = write!(
        s,
        "<header>\n<h1>shipgate {} <span class=\"verdict {}\">{v}</span></h1>\n<table>\n<tr><th></th><th>revision</th><th>commit</th><th>commit date</th><th>summary</th></tr>\n",
        o.command.name(),
        v.to_lowercase()
    );
    let mut rows = vec![("base", &o.base), ("head", &o.head)];
    if let Some(m) = &o.mainline {
        rows.push(("mainline", m));
    }
    for (name, r) in rows {
        let _ = writeln!(
            s,
            "<tr><th>{name}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            code(&r.rev),
            code(&r.commit),
            escape(r.date.as_deref().unwrap_or("–")),
            escape(r.summary.as_deref().unwrap_or("–"))
        );
    }
    if o.mainline.is_none() {
        s.push_str(
            "<tr><th>mainline</th><td colspan=\"4\">none: mainline rules and closest-safe did not run</td></tr>\n",
        );
    }
    let _ = write!(
        s,
        "</table>\n<p class=\"muted\">Repository {} · shipgate {} · rule set {} · config {} · report date {} · gate fails on <strong>{}</strong> and above</p>\n</header>\n",
        code(&o.repo),
        escape(env!("CARGO_PKG_VERSION")),
        code(common::short(&crate::rules::catalog::digest())),
        o.config_path.as_deref().map_or_else(|| "built-in detection".to_string(), code),
        o.date.as_deref().map_or_else(|| "not given (<code>--date</code>)".to_string(), code),
        o.fail_on
    );
}

fn verdict(s: &mut String, o: &Outcome, split: &Split<'_>) {
    let n = split.blocking.len();
    let _ = write!(s, "<section id=\"verdict\">\n<h2>Verdict: {}</h2>\n<p>", common::verdict_word(o));
    if n == 0 {
        let _ = write!(s, "No finding at or above <strong>{}</strong> is left without an exception.", o.fail_on);
    } else {
        let _ = write!(
            s,
            "<strong>{n} blocking finding{}</strong> at or above <strong>{}</strong> without a valid exception.",
            if n == 1 { "" } else { "s" },
            o.fail_on
        );
    }
    let c = o.counts();
    let _ = write!(
        s,
        "</p>\n<table>\n<tr><th>error</th><th>danger</th><th>warning</th><th>note</th><th>excepted</th><th>suppressed</th></tr>\n<tr><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n</table>\n",
        c[&Severity::Error],
        c[&Severity::Danger],
        c[&Severity::Warning],
        c[&Severity::Note],
        split.excepted.len(),
        split.suppressed.len()
    );
    let rows = common::counts_by_rule(o);
    if !rows.is_empty() {
        s.push_str("<h3>By rule</h3>\n<table>\n<tr><th>rule</th><th>worst severity</th><th>active</th><th>excepted</th><th>suppressed</th></tr>\n");
        for r in rows {
            let _ = writeln!(
                s,
                "<tr><td>{}</td><td><span class=\"sev sev-{sev}\">{sev}</span></td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                code(r.rule),
                r.active,
                r.excepted,
                r.suppressed,
                sev = r.worst
            );
        }
        s.push_str("</table>\n");
    }
    s.push_str("</section>\n");
}

fn status(st: crate::outcome::FileStatus) -> String {
    format!("{st:?}").to_lowercase()
}

fn overview(s: &mut String, o: &Outcome) {
    let changed: Vec<_> = o.packages.iter().filter(|p| p.changed).collect();
    let _ = write!(
        s,
        "<section id=\"changes\">\n<h2>What changed</h2>\n<p>{} model file(s) and {} package(s) changed.</p>\n",
        o.models.len(),
        changed.len()
    );
    if !o.models.is_empty() {
        s.push_str("<h3>Models</h3>\n<table>\n<tr><th>model</th><th>status</th><th>services</th><th>shapes added</th><th>removed</th><th>changed</th><th>operations added</th><th>operations removed</th><th>lines changed</th></tr>\n");
        for m in &o.models {
            let list = |v: &[String]| {
                if v.is_empty() { "–".to_string() } else { v.iter().map(|x| code(x)).collect::<Vec<_>>().join(", ") }
            };
            let _ = writeln!(
                s,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td></tr>",
                code(&m.path),
                status(m.status),
                list(&m.services),
                m.shapes.added,
                m.shapes.removed,
                m.shapes.changed,
                list(&m.operations_added),
                list(&m.operations_removed),
                m.lines_changed.map_or("–".to_string(), |l| l.to_string())
            );
        }
        s.push_str("</table>\n");
    }
    if !changed.is_empty() {
        s.push_str("<h3>Packages changed</h3>\n<table>\n<tr><th>package</th><th>ecosystem</th><th>base</th><th>head</th><th>mainline</th><th>status</th></tr>\n");
        for p in &changed {
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
        s.push_str("</table>\n");
    }
    s.push_str("<h3>Diff size against release history</h3>\n");
    match common::history_summary(o) {
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
            s.push_str(&chart(o));
        }
        None => s.push_str("<p>Not measured: set <code>release_tags</code> in shipgate.toml.</p>\n"),
    }
    s.push_str("</section>\n");
}

/// An SVG bar chart of the diff size (shapes plus packages changed) per release, the current
/// diff highlighted. Colours and sizes are attributes, so it renders without the stylesheet.
pub fn chart(o: &Outcome) -> String {
    let n = o.history.len();
    if n == 0 {
        return String::new();
    }
    let (width, height, left, bottom, top) = (720usize, 240usize, 48usize, 56usize, 20usize);
    let plot_w = width - left - 8;
    let plot_h = height - bottom - top;
    let slot = plot_w / n;
    let bar = (slot * 7 / 10).clamp(4, 64);
    let max = o.history.iter().map(common::release_magnitude).max().unwrap_or(0).max(1);
    let mut s = format!(
        "<figure>\n<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" aria-labelledby=\"chart-title chart-desc\">\n<title id=\"chart-title\">Diff size per release</title>\n<desc id=\"chart-desc\">Shapes plus packages changed in each release diff, oldest first; the last, highlighted bar is this diff.</desc>\n"
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
    for (i, r) in o.history.iter().enumerate() {
        let v = common::release_magnitude(r);
        let h = (v as usize * plot_h).div_ceil(max as usize).max(if v > 0 { 2 } else { 0 });
        let x = left + i * slot + (slot - bar) / 2;
        let y = axis_y - h;
        let fill = if r.current { "#d9480f" } else { "#8c959f" };
        let label = if r.current { "this diff".to_string() } else { truncate(&r.to, 12) };
        let cx = x + bar / 2;
        let _ = writeln!(
            s,
            "<g><title>{} → {}: {} shapes, {} packages, {} lines changed</title><rect x=\"{x}\" y=\"{y}\" width=\"{bar}\" height=\"{h}\" fill=\"{fill}\"/><text x=\"{cx}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#1b1f24\">{v}</text><text x=\"{cx}\" y=\"{}\" font-size=\"10\" text-anchor=\"middle\" fill=\"{}\"{}>{}</text></g>",
            escape(&r.from),
            escape(&r.to),
            r.shapes_changed,
            r.packages_changed,
            r.lines_changed,
            y.saturating_sub(4),
            axis_y + 16,
            if r.current { "#d9480f" } else { "#57606a" },
            if r.current { " font-weight=\"700\"" } else { "" },
            escape(&label)
        );
    }
    s.push_str("</svg>\n<figcaption class=\"muted\">Shapes plus packages changed per release diff; the highlighted bar is this diff.</figcaption>\n</figure>\n");
    s.push_str("<table>\n<tr><th>from</th><th>to</th><th>shapes changed</th><th>packages changed</th><th>lines changed</th></tr>\n");
    for r in &o.history {
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
    s.push_str("</table>\n");
    s
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n { s.to_string() } else { s.chars().take(n - 1).collect::<String>() + "…" }
}

fn finding(s: &mut String, o: &Outcome, f: &Finding, with_entry: bool) {
    let state = if f.exception.is_some() { " excepted" } else { "" };
    let _ = write!(
        s,
        "<article class=\"finding sev-{}{state}\">\n<h4><span class=\"sev\">{}</span> {} on {}</h4>\n",
        f.severity,
        f.severity,
        code(&f.id),
        code(&f.subject)
    );
    if let Some(loc) = common::location_text(o, f) {
        let _ = writeln!(s, "<p class=\"muted\">{}</p>", code(&loc));
    }
    let _ = writeln!(s, "<p>{}</p>", escape(&f.message));
    if let Some(change) = &f.change {
        s.push_str("<pre class=\"diff\">");
        for line in common::text_diff(change).lines() {
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
    if with_entry {
        let _ = writeln!(
            s,
            "<p>Exception entry for shipgate.toml:</p>\n<pre>{}</pre>",
            escape(&common::exception_entry(f, o.date.as_deref()))
        );
    }
    s.push_str("</article>\n");
}

fn findings(s: &mut String, o: &Outcome, split: &Split<'_>) {
    s.push_str("<section id=\"findings\">\n<h2>Findings</h2>\n");
    // The checkboxes must precede `.findings` as siblings for the `~` selectors to reach it.
    let counts = |sev: Severity| o.findings.iter().filter(|f| f.severity == sev && f.exception.is_none()).count();
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
        split.excepted.len(),
        split.suppressed.len()
    );
    s.push_str("<div class=\"findings\">\n");
    let _ = writeln!(s, "<h3>Blocking ({})</h3>", split.blocking.len());
    if split.blocking.is_empty() {
        s.push_str("<p>None.</p>\n");
    }
    for (rule, fs) in common::by_rule(&split.blocking) {
        let _ = writeln!(s, "<h4>{} — {} ({})</h4>", code(rule), escape(common::rule_title(rule)), fs.len());
        for f in fs {
            finding(s, o, f, true);
        }
    }
    for (title, list) in [
        (format!("Below {} ({})", o.fail_on, split.other.len()), &split.other),
        (format!("Excepted ({})", split.excepted.len()), &split.excepted),
        (format!("Suppressed by the models' own metadata ({})", split.suppressed.len()), &split.suppressed),
    ] {
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(s, "<h3>{}</h3>", escape(&title));
        for f in list.iter() {
            finding(s, o, f, false);
        }
    }
    s.push_str("</div>\n</section>\n");
}

fn exceptions(s: &mut String, split: &Split<'_>) {
    let _ = writeln!(s, "<section id=\"exceptions\">\n<h2>Exceptions applied ({})</h2>", split.excepted.len());
    if split.excepted.is_empty() {
        s.push_str("<p>None.</p>\n</section>\n");
        return;
    }
    s.push_str("<table>\n<tr><th>event</th><th>subject</th><th>approved by</th><th>reason</th><th>expires</th><th>config entry</th></tr>\n");
    for f in &split.excepted {
        let ex = f.exception.as_ref().expect("split put only excepted findings here");
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            code(&f.id),
            code(&f.subject),
            ex.approved_by.as_deref().map_or_else(|| "<strong>nobody recorded</strong>".to_string(), escape),
            escape(&ex.reason),
            ex.expires.as_deref().map_or_else(|| "never".to_string(), escape),
            ex.source.as_deref().map_or_else(|| code(&common::exception_ref(ex.index)), escape)
        );
    }
    s.push_str("</table>\n</section>\n");
}

fn packages(s: &mut String, o: &Outcome) {
    let required = common::required_packages(o);
    let _ = writeln!(s, "<section id=\"packages\">\n<h2>Required packages ({})</h2>", required.len());
    if required.is_empty() {
        s.push_str("<p>No package is required by this release.</p>\n</section>\n");
        return;
    }
    s.push_str("<p>The authoritative list to publish: every package head ships, mainline needs or <code>required</code> names.</p>\n<table>\n<tr><th>package</th><th>ecosystem</th><th>version</th><th>path</th><th>source commit</th><th>publish</th><th>status</th></tr>\n");
    for p in &required {
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            code(&p.name),
            escape(&p.ecosystem),
            opt_code(p.head_version.as_deref()),
            code(&p.path),
            code(common::source_commit(o, p)),
            if p.publish { "yes" } else { "no" },
            if p.status == "ok" { "ok".to_string() } else { format!("<strong>{}</strong>", escape(&p.status)) }
        );
    }
    s.push_str("</table>\n</section>\n");
}

fn closest_safe(s: &mut String, o: &Outcome) {
    s.push_str("<section id=\"closest-safe\">\n<h2>Closest safe commit</h2>\n");
    match &o.closest_safe {
        None => {
            let _ = writeln!(s, "<p>{}</p>", code_spans(common::closest_safe_missing(o)));
        }
        Some(cs) => match (&cs.commit, cs.distance) {
            (Some(c), Some(d)) => {
                let _ = writeln!(
                    s,
                    "<p>{} is the newest commit on {} that {}, {d} commit(s) behind its tip ({} candidate(s) checked).</p>",
                    code(c),
                    o.mainline.as_ref().map_or_else(|| "mainline".to_string(), |m| code(&m.rev)),
                    escape(&common::passes_gate_text(o)),
                    cs.candidates_checked
                );
                if cs.left_out.is_empty() {
                    s.push_str("<p>It leaves nothing out: mainline's tip is safe.</p>\n");
                } else {
                    let _ = writeln!(
                        s,
                        "<p>It leaves out {} commit(s):</p>\n<table>\n<tr><th>commit</th><th>summary</th><th>blocking findings it introduced</th></tr>",
                        cs.left_out.len()
                    );
                    let by_commit = common::blocking_by_commit(o);
                    for l in &cs.left_out {
                        let list = common::introduced_cell(&by_commit, &l.commit, code);
                        let _ = writeln!(
                            s,
                            "<tr><td>{}</td><td>{}</td><td>{list}</td></tr>",
                            code(common::short(&l.commit)),
                            escape(&l.summary)
                        );
                    }
                    s.push_str("</table>\n");
                }
            }
            _ => {
                let _ = writeln!(
                    s,
                    "<p>No safe commit among the {} mainline candidate(s) checked.</p>",
                    cs.candidates_checked
                );
            }
        },
    }
    s.push_str("</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_covers_markup_and_quotes() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
    }
}
