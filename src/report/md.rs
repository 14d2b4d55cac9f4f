//! GitHub-flavoured Markdown: the exception request and audit record, sized for a workflow step
//! summary and a pull-request comment.
//!
//! Sections follow PRODUCT.md's Reports order: header, verdict and counts, diff overview,
//! blocking findings (with introducing commit and a ready-to-paste `[[exceptions]]` entry),
//! exceptions applied, required packages, closest safe commit, sign-off, notes, appendix.
//! Long lists go in `<details>`.
//!
//! Size: `report`'s Markdown is the attachment and is never capped. Every other command's
//! Markdown (the GitHub Action's step summary and pull-request comment) is capped at
//! [`MAX_CHARS`] characters: GitHub allows 1 MiB in a step summary but only 65,536 characters in
//! a pull-request comment; 60,000 leaves room for whatever a bot wraps around it. A longer summary
//! folds the findings that do not fit into a count line, keeps every later section and the
//! appendix, and says how to get the full record (`shipgate report --output md=report.md`).
//!
//! Escaping: text from models, manifests and configs is untrusted. Outside code it has HTML
//! special characters turned into entities and Markdown punctuation backslash-escaped; inside
//! code spans and fences the delimiters are chosen longer than any backtick run in the text.
use super::Style;
use super::common::{self, Split};
use super::view;
use crate::finding::{Finding, Severity};
use crate::outcome::{Command, Outcome};
use std::fmt::Write;

/// The size cap, in characters (see the module docs).
pub const MAX_CHARS: usize = 60_000;

/// Markdown for `o`. `report`'s Markdown is the attachment and is never capped; every other
/// command's Markdown (the GitHub Action's step summary and pull-request comment) is capped at
/// [`MAX_CHARS`].
pub fn render(o: &Outcome, style: Style) -> String {
    if o.command == Command::Report { render_full(o, style) } else { render_capped(o, style, MAX_CHARS) }
}

/// The whole report, uncapped.
pub fn render_full(o: &Outcome, style: Style) -> String {
    body(o, style.details, None) + &appendix(o)
}

/// Renders with a size cap of `cap` characters. When the report is longer, findings that do not
/// fit fold into a count line per section ("… and N more findings: RuleA ×n, …"); every section
/// after the findings (exceptions, required packages, closest safe, sign-off, notes) and the
/// appendix are kept, and a notice says how to get the full record. Only when even that does not
/// fit is the text cut at a line boundary (open `<details>` and fences closed).
pub fn render_capped(o: &Outcome, style: Style, cap: usize) -> String {
    let full = render_full(o, style);
    let full_len = full.chars().count();
    if full_len <= cap {
        return full;
    }
    let split = common::split(o);
    let notice = format!(
        "> [!WARNING]\n> This summary was cut to fit {cap} characters (a GitHub pull-request comment holds 65,536; the full report is {full_len}): \
         findings that did not fit are counted by rule, not shown. \
         For the full record run `shipgate report --output md=report.md` (or `--output html=report.html`), or read the JSON or SARIF output of the same run.\n\n"
    );
    let appendix = appendix(o);
    let fits = |t: &str| t.chars().count() <= cap;
    // Blocking findings fold from the end (other findings are already folded into counts).
    let render_k = |k: usize| body(o, style.details, Some(Limit { blocking: k, notice: &notice })) + &appendix;
    let least = render_k(0);
    if fits(&least) {
        // The largest number of blocking findings that fits (the length grows with k).
        let (mut lo, mut hi) = (0usize, split.blocking.len());
        while lo < hi {
            let mid = (lo + hi).div_ceil(2);
            if fits(&render_k(mid)) { lo = mid } else { hi = mid - 1 }
        }
        return render_k(lo);
    }
    // Even the sections without findings are over the cap: cut at a line boundary.
    let short_notice = "\n> [!WARNING]\n> This summary was cut to fit the size cap; run `shipgate report --output md=report.md` for the full record.\n\n";
    let mut footer = short_notice.to_string() + &appendix;
    if footer.chars().count() > cap / 2 {
        footer = short_notice.to_string();
    }
    let budget = cap.saturating_sub(footer.chars().count());
    let (prefix, closers) = cut(&body(o, style.details, Some(Limit { blocking: 0, notice: "" })), budget);
    prefix + &closers + &footer
}

/// How much of the findings a capped rendering shows.
struct Limit<'a> {
    /// Blocking findings shown (in report order); the rest are counted.
    blocking: usize,
    /// The cut notice, placed after the findings.
    notice: &'a str,
}

/// "… and N more findings: RuleA ×n, RuleB ×m" (rules by count, then id).
fn more_line(findings: &[&Finding]) -> String {
    let mut by: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for f in findings {
        *by.entry(f.rule.as_str()).or_default() += 1;
    }
    let mut rules: Vec<(&str, usize)> = by.into_iter().collect();
    rules.sort_by_key(|(r, n)| (std::cmp::Reverse(*n), *r));
    let list: Vec<String> = rules.iter().map(|(r, n)| format!("{} ×{n}", code(r, false))).collect();
    format!(
        "… and {} more finding{}: {}\n\n",
        findings.len(),
        if findings.len() == 1 { "" } else { "s" },
        list.join(", ")
    )
}

/// The longest prefix of `text` that ends at a line boundary and, with whatever it takes to close
/// its open code fence and `<details>` blocks, fits in `budget` characters.
fn cut(text: &str, budget: usize) -> (String, String) {
    let mut best = (String::new(), String::new());
    let mut used = 0;
    let mut fence: Option<String> = None;
    let mut details = 0usize;
    let mut end = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_end();
        match &fence {
            Some(f) if trimmed == f => fence = None,
            Some(_) => {}
            None if trimmed.starts_with("```") => {
                fence = Some(trimmed.chars().take_while(|c| *c == '`').collect());
            }
            None if trimmed.starts_with("<details") => details += 1,
            None if trimmed == "</details>" => details = details.saturating_sub(1),
            None => {}
        }
        used += line.chars().count();
        end += line.len();
        let mut closers = String::new();
        if let Some(f) = &fence {
            closers.push_str(f);
            closers.push('\n');
        }
        for _ in 0..details {
            closers.push_str("\n</details>\n");
        }
        if used + closers.chars().count() > budget {
            break;
        }
        best = (text[..end].to_string(), closers);
    }
    best
}

/// Inline text outside code: HTML specials as entities, Markdown punctuation escaped, one line.
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\n' | '\r' | '\t' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '#' | '!' | '$' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A code span that holds any text: the delimiter is one backtick longer than the longest run
/// inside. In a table cell, `|` is escaped too (GFM splits cells before it parses code spans).
pub fn code(s: &str, in_table: bool) -> String {
    let s: String = s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let s = if in_table { s.replace('|', "\\|") } else { s };
    let run = longest_run(&s, '`');
    let delim = "`".repeat(run + 1);
    let pad = if run > 0 || s.starts_with(' ') || s.ends_with(' ') || s.is_empty() { " " } else { "" };
    format!("{delim}{pad}{s}{pad}{delim}")
}

/// A fenced code block whose fence is longer than any backtick run in `content`.
fn fenced(lang: &str, content: &str) -> String {
    let fence = "`".repeat(longest_run(content, '`').max(2) + 1);
    let mut content = content.to_string();
    if !content.ends_with('\n') {
        content.push('\n');
    }
    format!("{fence}{lang}\n{content}{fence}\n")
}

fn longest_run(s: &str, ch: char) -> usize {
    let (mut best, mut cur) = (0, 0);
    for c in s.chars() {
        cur = if c == ch { cur + 1 } else { 0 };
        best = best.max(cur);
    }
    best
}

/// Text inside an HTML element (`<summary>`).
fn html(s: &str) -> String {
    super::html::escape(s)
}

fn opt(v: &Option<String>) -> String {
    v.as_deref().map_or_else(|| "–".to_string(), |s| code(s, true))
}

fn body(o: &Outcome, details_all: bool, limit: Option<Limit<'_>>) -> String {
    let mut s = String::new();
    let split = common::split(o);
    let blocking_groups = view::groups(o, &split.blocking);
    header(&mut s, o);
    if o.command == Command::ClosestSafe {
        // The answer first; closest-safe does not gate, so no verdict wording.
        closest_safe(&mut s, o);
        counts(&mut s, o, &split);
    } else {
        verdict(&mut s, o, &split, &blocking_groups);
    }
    overview(&mut s, o, &split, details_all);
    blocking(&mut s, o, &blocking_groups, details_all, limit.as_ref().map(|l| l.blocking));
    exception_request(&mut s, o, &split);
    others(&mut s, o, &split, details_all);
    baseline(&mut s, o, &split);
    if let Some(l) = &limit {
        s.push_str(l.notice);
    }
    exceptions(&mut s, o, &split, details_all);
    packages(&mut s, o);
    if o.command != Command::ClosestSafe {
        closest_safe(&mut s, o);
    }
    if o.command == Command::Report || o.verdict == crate::outcome::Verdict::Fail {
        sign_off(&mut s);
    }
    if !o.notes.is_empty() {
        let _ = writeln!(s, "### Notes\n");
        for n in &o.notes {
            let _ = writeln!(s, "- {}", text(n));
        }
        s.push('\n');
    }
    s
}

/// The repository as the header names it: its origin URL, else its directory name.
fn repo_label(o: &Outcome) -> &str {
    if o.repo_name.is_empty() { &o.repo } else { &o.repo_name }
}

fn header(s: &mut String, o: &Outcome) {
    let title = if o.command == Command::ClosestSafe {
        "closest-safe".to_string()
    } else {
        format!("{}: {}", o.command.name(), common::verdict_word(o))
    };
    let _ = writeln!(s, "## shipgate {title}\n");
    let _ =
        writeln!(s, "{} · {} → {}\n", code(repo_label(o), false), code(&o.base.rev, false), code(&o.head.rev, false));
    let mut t = String::from("| | revision | commit | commit date | summary |\n| --- | --- | --- | --- | --- |\n");
    let mut rows = vec![("base", &o.base), ("head", &o.head)];
    if let Some(m) = &o.mainline {
        rows.push(("mainline", m));
    }
    for (name, r) in rows {
        let _ = writeln!(
            t,
            "| **{name}** | {} | {} | {} | {} |",
            code(&r.rev, true),
            code(&r.commit, true),
            r.date.as_deref().unwrap_or("–"),
            r.summary.as_deref().map_or_else(|| "–".to_string(), text)
        );
    }
    if o.mainline.is_none() {
        let _ = writeln!(t, "| **mainline** | – | – | – | none: mainline rules and closest-safe did not run |");
    }
    s.push_str(&t);
    let _ = writeln!(
        s,
        "\nRepository {} · shipgate {} · rule set {} · config {} · report date {} · {}\n",
        code(repo_label(o), false),
        env!("CARGO_PKG_VERSION"),
        code(common::short(&crate::rules::catalog::digest()), false),
        o.config_path.as_deref().map_or_else(|| "built-in detection".to_string(), |p| code(p, false)),
        o.date.as_deref().map_or_else(|| "not given (`--date`)".to_string(), |d| code(d, false)),
        threshold(o, "**", "**")
    );
}

/// The `--fail-on` line of the header, in the command's words: closest-safe does not gate, it
/// looks for a candidate without such findings.
pub(crate) fn threshold(o: &Outcome, strong: &str, end: &str) -> String {
    if o.command == Command::ClosestSafe {
        format!("a safe candidate has nothing at {strong}{}{end} or above", o.fail_on)
    } else {
        format!("gate fails on {strong}{}{end} and above", o.fail_on)
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn counts(s: &mut String, o: &Outcome, split: &Split<'_>) {
    let c = o.counts();
    let _ = writeln!(
        s,
        "| error | danger | warning | note | excepted | suppressed |\n| ---: | ---: | ---: | ---: | ---: | ---: |\n| {} | {} | {} | {} | {} | {} |\n",
        c[&Severity::Error],
        c[&Severity::Danger],
        c[&Severity::Warning],
        c[&Severity::Note],
        split.excepted.len(),
        split.suppressed.len()
    );
}

fn verdict(s: &mut String, o: &Outcome, split: &Split<'_>, groups: &[view::Group<'_>]) {
    let _ = writeln!(s, "### Verdict: {}\n", common::verdict_word(o));
    let n = split.blocking.len();
    if n == 0 {
        let _ = writeln!(s, "No finding at or above **{}** is left without an exception.\n", o.fail_on);
    } else {
        let services: std::collections::BTreeSet<&str> = groups.iter().filter_map(|g| g.service.as_deref()).collect();
        let rules: std::collections::BTreeSet<&str> = groups.iter().map(|g| g.rule).collect();
        let _ = writeln!(
            s,
            "**{}** at or above **{}** without a valid exception, from {}{}.\n",
            plural(n, "blocking finding", "blocking findings"),
            o.fail_on,
            plural(rules.len(), "rule", "rules"),
            if services.is_empty() {
                String::new()
            } else {
                format!(" over {}", plural(services.len(), "service", "services"))
            }
        );
    }
    counts(s, o, split);
    if groups.is_empty() {
        return;
    }
    let _ = writeln!(s, "#### What blocks\n");
    let t = group_table(groups);
    if groups.len() <= 25 {
        s.push_str(&t);
        s.push('\n');
    } else {
        details(s, &format!("{} rule and service groups", groups.len()), &t, false);
    }
}

/// A group's first subjects, then "and N more".
fn examples(g: &view::Group<'_>) -> String {
    let mut list: Vec<String> = g.examples().iter().map(|x| code(x, true)).collect();
    if g.findings.len() > view::EXAMPLES {
        list.push(format!("and {} more", g.findings.len() - view::EXAMPLES));
    }
    list.join(", ")
}

fn opt_code(v: Option<&str>) -> String {
    v.map_or_else(|| "–".to_string(), |s| code(s, true))
}

/// A `<details>` block (open when `open`).
fn details(s: &mut String, summary: &str, inner: &str, open: bool) {
    let _ = writeln!(s, "<details{}>\n<summary>{}</summary>\n", if open { " open" } else { "" }, html(summary));
    s.push_str(inner);
    if !inner.ends_with('\n') {
        s.push('\n');
    }
    s.push_str("\n</details>\n\n");
}

/// Rows of the per-service table shown before the rest fold (all with `--details`).
const SERVICES_SHOWN: usize = 15;

fn overview(s: &mut String, o: &Outcome, split: &Split<'_>, details_all: bool) {
    let _ = writeln!(s, "### What changed\n");
    if o.command == Command::ClosestSafe {
        let _ = writeln!(
            s,
            "Not computed by `closest-safe` (it compares mainline candidates with base); run `shipgate report` for the diff.\n"
        );
        return;
    }
    let changed_pkgs: Vec<_> = o.packages.iter().filter(|p| p.changed).collect();
    let manifests = o.files.iter().filter(|f| f.kind == "manifest").count();
    let _ = writeln!(
        s,
        "{} and {} changed ({}).\n",
        plural(o.models.len(), "model file", "model files"),
        plural(changed_pkgs.len(), "package", "packages"),
        plural(manifests, "manifest file", "manifest files")
    );
    if !o.models.is_empty() {
        let rows = view::services_overview(o, split);
        let head = "| service | model | operations | shapes | blocking | other findings | lines changed |\n| --- | --- | --- | --- | ---: | ---: | ---: |\n";
        let row = |r: &view::ServiceRow<'_>| {
            let m = r.model;
            format!(
                "| {} | {} | {} | {} | {} | {} | {} |\n",
                code(&r.service, true),
                code(&m.path, true),
                view::triple(m.operations_added.len(), m.operations_removed.len(), m.operations_changed.len()),
                view::triple(m.shapes.added, m.shapes.removed, m.shapes.changed),
                r.blocking,
                r.other,
                m.lines_changed.map_or("–".to_string(), |l| l.to_string())
            )
        };
        let shown = if details_all { rows.len() } else { rows.len().min(SERVICES_SHOWN) };
        let mut t = String::from(head);
        for r in &rows[..shown] {
            t.push_str(&row(r));
        }
        s.push_str(&t);
        let _ = writeln!(
            s,
            "\n<sub>operations and shapes: +added −removed ~changed; \"other findings\" are below {} or excepted.</sub>\n",
            o.fail_on
        );
        if shown < rows.len() {
            let mut rest = String::from(head);
            for r in &rows[shown..] {
                rest.push_str(&row(r));
            }
            details(s, &format!("{} more services", rows.len() - shown), &rest, false);
        }
        let ops: Vec<(&str, &String)> = o
            .models
            .iter()
            .flat_map(|m| {
                m.operations_added
                    .iter()
                    .map(|x| ("added", x))
                    .chain(m.operations_removed.iter().map(|x| ("removed", x)))
            })
            .collect();
        if !ops.is_empty() {
            let mut t = String::from("| operation | |\n| --- | --- |\n");
            for (what, op) in &ops {
                let _ = writeln!(t, "| {} | {what} |", code(op, true));
            }
            details(s, &format!("Operations added or removed ({})", ops.len()), &t, ops.len() <= 10);
        }
    }
    if !changed_pkgs.is_empty() {
        let mut t = String::from(
            "| package | ecosystem | base | head | mainline | status |\n| --- | --- | --- | --- | --- | --- |\n",
        );
        for p in &changed_pkgs {
            let _ = writeln!(
                t,
                "| {} | {} | {} | {} | {} | {} |",
                code(&p.name, true),
                text(&p.ecosystem),
                opt(&p.base_version),
                opt(&p.head_version),
                opt(&p.mainline_version),
                text(&p.status)
            );
        }
        details(s, &format!("Packages changed ({})", changed_pkgs.len()), &t, changed_pkgs.len() <= 10);
    }
    match common::history_summary(o) {
        Some((current, Some(median), n)) => {
            let ratio =
                if median > 0.0 { format!(", {:.1}× the median", current as f64 / median) } else { String::new() };
            let _ = writeln!(
                s,
                "**Diff size against release history:** this diff changes {current} shapes and packages; the median over the {n} previous release(s) is {median}{ratio}.\n"
            );
        }
        Some((current, None, _)) => {
            let _ = writeln!(
                s,
                "**Diff size:** this diff changes {current} shapes and packages; there is no earlier release to compare with.\n"
            );
        }
        None => {
            let _ = writeln!(
                s,
                "**Diff size against release history:** not measured (set `release_tags` in shipgate.toml).\n"
            );
        }
    }
    if o.history.len() > 1 {
        let mut t = String::from(
            "| from | to | shapes changed | packages changed | lines changed |\n| --- | --- | ---: | ---: | ---: |\n",
        );
        for r in &o.history {
            let mark = if r.current { " **(this diff)**" } else { "" };
            let _ = writeln!(
                t,
                "| {} | {}{mark} | {} | {} | {} |",
                code(&r.from, true),
                code(&r.to, true),
                r.shapes_changed,
                r.packages_changed,
                r.lines_changed
            );
        }
        details(s, &format!("Release history ({} diffs)", o.history.len()), &t, false);
    }
}

fn finding_block(s: &mut String, o: &Outcome, f: &Finding) {
    let loc = common::location_text(o, f).map_or_else(|| "no file".to_string(), |l| code(&l, false));
    let _ =
        writeln!(s, "**{}** · {} · {} · {}\n", code(f.display_subject(), false), f.severity, code(&f.id, false), loc);
    let _ = writeln!(s, "{}\n", text(&f.message));
    if let Some(change) = &f.change {
        s.push_str(&fenced("diff", &common::text_diff(change)));
        s.push('\n');
    }
    let introduced = match &f.introduced_by {
        Some(c) => format!("introduced by {}", code(c, false)),
        None => "introducing commit unknown".to_string(),
    };
    let _ = writeln!(s, "<sub>{introduced} · fingerprint {}</sub>\n", code(&f.fingerprint, false));
}

/// One line per finding: every blocking finding is named even when its group is long.
fn finding_rows(o: &Outcome, fs: &[&Finding]) -> String {
    let mut t = String::from("| subject | event | location | introduced by |\n| --- | --- | --- | --- |\n");
    for f in fs {
        let _ = writeln!(
            t,
            "| {} | {} | {} | {} |",
            code(f.display_subject(), true),
            code(&f.id, true),
            common::location_text(o, f).map_or_else(|| "–".to_string(), |l| code(&l, true)),
            f.introduced_by.as_deref().map_or_else(|| "–".to_string(), |c| code(common::short(c), true))
        );
    }
    t
}

fn blocking(s: &mut String, o: &Outcome, groups: &[view::Group<'_>], details_all: bool, limit: Option<usize>) {
    let total: usize = groups.iter().map(|g| g.findings.len()).sum();
    let _ = writeln!(s, "### Blocking findings ({total})\n");
    if groups.is_empty() {
        let _ = writeln!(s, "None.\n");
        return;
    }
    let mut left = limit.unwrap_or(usize::MAX);
    let mut rest: Vec<&Finding> = Vec::new();
    for g in groups {
        let n = g.findings.len().min(left);
        left -= n;
        rest.extend(&g.findings[n..]);
        if n == 0 {
            continue;
        }
        let _ = writeln!(
            s,
            "#### {} in {} — {} ({})\n",
            code(g.rule, false),
            g.service.as_deref().map_or_else(|| "the release".to_string(), |sv| code(sv, false)),
            text(common::rule_title(g.rule)),
            g.findings.len()
        );
        let full = if details_all { n } else { n.min(view::SHOWN_IN_FULL) };
        for f in &g.findings[..full] {
            finding_block(s, o, f);
        }
        if full < n {
            let list = finding_rows(o, &g.findings[full..n]);
            let title = format!("{} more {} finding(s), by name (`--details` shows each in full)", n - full, g.rule);
            details(s, &title, &list, false);
        }
    }
    if !rest.is_empty() {
        s.push_str(&more_line(&rest));
    }
}

fn exception_request(s: &mut String, o: &Outcome, split: &Split<'_>) {
    if split.blocking.is_empty() {
        return;
    }
    let entries = view::exception_entries(o, split);
    let _ = writeln!(
        s,
        "### Exception request ({} covering {})\n",
        plural(entries.len(), "entry", "entries"),
        plural(split.blocking.len(), "blocking finding", "blocking findings")
    );
    let _ = writeln!(
        s,
        "Ready to paste into `shipgate.toml`: one entry per rule and service (a subject glob, with the findings it covers named in its comment), one per finding where a rule has a single subject there. `reason` and `approved_by` are empty on purpose: an exception without a reason excepts nothing.\n"
    );
    let block = fenced("toml", &view::exceptions_block(o, &entries));
    details(s, &format!("[[exceptions]] entries ({})", entries.len()), &block, entries.len() <= 30);
}

fn finding_table(findings: &[&Finding], o: &Outcome) -> String {
    let mut t = String::from("| severity | event | subject | location | message |\n| --- | --- | --- | --- | --- |\n");
    for f in findings {
        let _ = writeln!(
            t,
            "| {} | {} | {} | {} | {} |",
            f.severity,
            code(&f.id, true),
            code(f.display_subject(), true),
            common::location_text(o, f).map_or_else(|| "–".to_string(), |l| code(&l, true)),
            text(&f.message)
        );
    }
    t
}

fn others(s: &mut String, o: &Outcome, split: &Split<'_>, details_all: bool) {
    if split.other.is_empty() {
        return;
    }
    let groups = view::groups(o, &split.other);
    let _ = writeln!(s, "### Other findings ({}, below {})\n", split.other.len(), o.fail_on);
    let _ = writeln!(
        s,
        "Shown, never gating. Folded by rule and service; `--details` lists every one (the JSON always does).\n"
    );
    let t = group_table(&groups);
    details(s, &format!("{} rule and service groups", groups.len()), &t, groups.len() <= 15);
    if details_all {
        for g in &groups {
            let mut inner = finding_table(&g.findings, o);
            for f in g.findings.iter().filter(|f| f.change.is_some()) {
                let change = f.change.as_ref().expect("filtered on change");
                let _ = writeln!(inner, "\n{} changed:\n", code(f.display_subject(), false));
                inner.push_str(&fenced("diff", &common::text_diff(change)));
            }
            details(s, &format!("{} in {} ({})", g.rule, g.service_label(), g.findings.len()), &inner, false);
        }
    }
}

/// Pre-existing and resolved findings, folded to a count per rule (JSON lists each one).
fn baseline(s: &mut String, o: &Outcome, split: &Split<'_>) {
    let lines = common::baseline_lines(o, split, &|t| code(t, false));
    if lines.is_empty() {
        return;
    }
    let _ = writeln!(s, "### Held at base\n");
    for l in lines {
        let _ = writeln!(s, "- {l}");
    }
    s.push('\n');
}

/// Excepted findings listed one per row before they fold into counts per exception entry.
const EXCEPTED_SHOWN: usize = 20;

fn exceptions(s: &mut String, o: &Outcome, split: &Split<'_>, details_all: bool) {
    let _ = writeln!(s, "### Exceptions applied ({})\n", split.excepted.len());
    if split.excepted.is_empty() {
        let _ = writeln!(s, "None.\n");
    } else {
        let mut t = String::from(
            "| event | subject | approved by | reason | expires | config entry |\n| --- | --- | --- | --- | --- | --- |\n",
        );
        for f in &split.excepted {
            let ex = f.exception.as_ref().expect("split put only excepted findings here");
            let _ = writeln!(
                t,
                "| {} | {} | {} | {} | {} | {} |",
                code(&f.id, true),
                code(f.display_subject(), true),
                ex.approved_by.as_deref().map_or_else(|| "**nobody recorded**".to_string(), text),
                text(&ex.reason),
                ex.expires.as_deref().map_or_else(|| "never".to_string(), text),
                ex.source.as_deref().map_or_else(|| code(&common::exception_ref(ex.index), true), text)
            );
        }
        if details_all || split.excepted.len() <= EXCEPTED_SHOWN {
            s.push_str(&t);
            s.push('\n');
        } else {
            let mut by: std::collections::BTreeMap<usize, (&crate::finding::AppliedException, usize)> =
                std::collections::BTreeMap::new();
            for f in &split.excepted {
                let ex = f.exception.as_ref().expect("split put only excepted findings here");
                by.entry(ex.index).or_insert((ex, 0)).1 += 1;
            }
            let mut c = String::from(
                "| config entry | rule | subject | findings | approved by | expires |\n| --- | --- | --- | ---: | --- | --- |\n",
            );
            for (i, (ex, n)) in &by {
                let _ = writeln!(
                    c,
                    "| {} | {} | {} | {n} | {} | {} |",
                    code(&common::exception_ref(*i), true),
                    code(&ex.rule, true),
                    code(&ex.subject, true),
                    ex.approved_by.as_deref().map_or_else(|| "**nobody recorded**".to_string(), text),
                    ex.expires.as_deref().map_or_else(|| "never".to_string(), text)
                );
            }
            s.push_str(&c);
            s.push('\n');
            details(s, &format!("Every excepted finding ({})", split.excepted.len()), &t, false);
        }
    }
    if !split.suppressed.is_empty() {
        let mut t = String::from("| event | subject | location | why |\n| --- | --- | --- | --- |\n");
        for f in &split.suppressed {
            let _ = writeln!(
                t,
                "| {} | {} | {} | {} |",
                code(&f.id, true),
                code(f.display_subject(), true),
                common::location_text(o, f).map_or_else(|| "–".to_string(), |l| code(&l, true)),
                f.suppression.as_deref().map_or_else(|| "–".to_string(), text)
            );
        }
        details(s, &format!("Suppressed by the models' own metadata ({})", split.suppressed.len()), &t, false);
    }
}

fn packages(s: &mut String, o: &Outcome) {
    let rows = view::package_rows(o);
    let _ = writeln!(s, "### Required packages ({})\n", rows.len());
    if rows.is_empty() {
        let _ = writeln!(s, "No package is required by this release.\n");
        return;
    }
    let _ = writeln!(
        s,
        "The authoritative list to publish: every package head ships, mainline needs or `required` names, with the version and the commit to publish it from.\n"
    );
    let disagree = rows.iter().filter(|r| r.why.is_some()).count();
    if disagree > 0 {
        let _ = writeln!(
            s,
            "**{}** not shipped as head's version from head: see *why*.\n",
            plural(disagree, "package", "packages")
        );
    }
    let mut t = String::from(
        "| package | ecosystem | publish version | from commit | head | mainline | path | publish | status | why |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n",
    );
    for r in &rows {
        let p = r.package;
        let from = match r.from {
            view::PublishFrom::Head => code(r.commit, true),
            view::PublishFrom::Mainline => format!("{} (mainline)", code(r.commit, true)),
        };
        let _ = writeln!(
            t,
            "| {} | {} | {} | {from} | {} | {} | {} | {} | {} | {} |",
            code(&p.name, true),
            text(&p.ecosystem),
            opt_code(r.version),
            opt(&p.head_version),
            opt(&p.mainline_version),
            code(&p.path, true),
            if p.publish { "yes" } else { "no" },
            if p.status == "ok" { "ok".to_string() } else { format!("**{}**", text(&p.status)) },
            r.why.as_deref().map_or_else(|| "–".to_string(), text)
        );
    }
    details(s, &format!("Required packages ({})", rows.len()), &t, rows.len() <= 25);
}

fn closest_safe(s: &mut String, o: &Outcome) {
    let _ = writeln!(s, "### Closest safe commit\n");
    let Some(cs) = &o.closest_safe else {
        let _ = writeln!(s, "{}\n", common::closest_safe_missing(o));
        return;
    };
    match (&cs.commit, cs.distance) {
        (Some(c), Some(d)) => {
            let mainline = o.mainline.as_ref().map_or_else(|| "mainline".to_string(), |m| code(&m.rev, false));
            let _ = writeln!(
                s,
                "{} is the newest commit on {mainline} that {}, {d} commit(s) behind its tip ({} candidate(s) checked).\n",
                code(c, false),
                common::passes_gate_text(o),
                cs.candidates_checked
            );
            if cs.left_out.is_empty() {
                let _ = writeln!(s, "It leaves nothing out: mainline's tip is safe.\n");
            } else {
                let by_commit = common::blocking_by_commit(o);
                let mut t =
                    String::from("| commit | summary | blocking findings it introduced |\n| --- | --- | --- |\n");
                for l in &cs.left_out {
                    let list = common::introduced_cell(&by_commit, &l.commit, |t| code(t, true));
                    let _ = writeln!(t, "| {} | {} | {list} |", code(common::short(&l.commit), true), text(&l.summary));
                }
                details(s, &format!("It leaves out {} commit(s)", cs.left_out.len()), &t, cs.left_out.len() <= 10);
            }
        }
        _ => {
            let _ = writeln!(s, "No safe commit among the {} mainline candidate(s) checked.\n", cs.candidates_checked);
        }
    }
}

fn sign_off(s: &mut String) {
    let _ = writeln!(
        s,
        "### Sign-off\n\n| | |\n| --- | --- |\n| Requested by | |\n| Approver | |\n| Decision (ship with exceptions / do not ship) | |\n| Date | |\n| Rollback plan | |\n"
    );
}

fn appendix(o: &Outcome) -> String {
    let mut s = String::from("### Appendix: inputs\n\n| input | digest |\n| --- | --- |\n");
    for (k, v) in &o.digests {
        let _ = writeln!(s, "| {} | {} |", text(k), code(v, true));
    }
    let _ = writeln!(s, "\nReproduce the verdict:\n");
    s.push_str(&fenced("sh", &o.command_line));
    if o.date.is_none() {
        let _ = writeln!(s, "\n{}", common::NO_DATE_NOTE);
    }
    s
}

/// The rule-and-service group table that "What blocks" and "Other findings" share.
fn group_table(groups: &[view::Group<'_>]) -> String {
    let mut t = String::from("| rule | service | severity | findings | examples |\n| --- | --- | --- | ---: | --- |\n");
    for g in groups {
        let _ = writeln!(
            t,
            "| {} | {} | {} | {} | {} |",
            code(g.rule, true),
            opt_code(g.service.as_deref()),
            g.worst,
            g.findings.len(),
            examples(g)
        );
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_hold_backticks_and_pipes() {
        assert_eq!(code("a`b", false), "`` a`b ``");
        assert_eq!(code("x|y", true), "`x\\|y`");
        assert_eq!(fenced("", "```\n"), "````\n```\n````\n");
    }

    #[test]
    fn text_escapes_html_and_markdown() {
        assert_eq!(text("<script>*x*</script> & |"), "&lt;script&gt;\\*x\\*&lt;/script&gt; &amp; \\|");
    }

    #[test]
    fn cut_closes_what_it_opened() {
        let body = "a\n<details>\n<summary>s</summary>\n\n```toml\nx = 1\ny = 2\n```\n\n</details>\n";
        let (prefix, closers) = cut(body, 66);
        assert!(prefix.ends_with("x = 1\n"), "{prefix:?}");
        assert_eq!(closers, "```\n\n</details>\n");
    }
}
