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
use super::common::{self, Split};
use crate::finding::{Finding, Severity};
use crate::outcome::{Command, Outcome};
use std::fmt::Write;

/// The size cap, in characters (see the module docs).
pub const MAX_CHARS: usize = 60_000;
/// Findings shown in full per rule before the rest fold into `<details>`.
const SHOWN_PER_RULE: usize = 10;

/// Markdown for `o`. `report`'s Markdown is the attachment and is never capped; every other
/// command's Markdown (the GitHub Action's step summary and pull-request comment) is capped at
/// [`MAX_CHARS`].
pub fn render(o: &Outcome) -> String {
    if o.command == Command::Report { render_full(o) } else { render_capped(o, MAX_CHARS) }
}

/// The whole report, uncapped.
pub fn render_full(o: &Outcome) -> String {
    body(o, None) + &appendix(o)
}

/// Renders with a size cap of `cap` characters. When the report is longer, findings that do not
/// fit fold into a count line per section ("… and N more findings: RuleA ×n, …"); every section
/// after the findings (exceptions, required packages, closest safe, sign-off, notes) and the
/// appendix are kept, and a notice says how to get the full record. Only when even that does not
/// fit is the text cut at a line boundary (open `<details>` and fences closed).
pub fn render_capped(o: &Outcome, cap: usize) -> String {
    let full = render_full(o);
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
    // Other (non-blocking) findings fold first, then blocking ones from the end.
    let folded_others =
        body(o, Some(Limit { blocking: split.blocking.len(), others: false, notice: &notice })) + &appendix;
    if fits(&folded_others) {
        return folded_others;
    }
    let render_k = |k: usize| body(o, Some(Limit { blocking: k, others: false, notice: &notice })) + &appendix;
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
    let (prefix, closers) = cut(&body(o, Some(Limit { blocking: 0, others: false, notice: "" })), budget);
    prefix + &closers + &footer
}

/// How much of the findings a capped rendering shows.
struct Limit<'a> {
    /// Blocking findings shown (in report order); the rest are counted.
    blocking: usize,
    /// Whether the other (below `--fail-on`) findings are shown or only counted.
    others: bool,
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

fn body(o: &Outcome, limit: Option<Limit<'_>>) -> String {
    let mut s = String::new();
    let split = common::split(o);
    header(&mut s, o);
    verdict(&mut s, o, &split);
    overview(&mut s, o);
    blocking(&mut s, o, &split, limit.as_ref().map(|l| l.blocking));
    if limit.as_ref().is_none_or(|l| l.others) {
        others(&mut s, o, &split);
    } else if !split.other.is_empty() {
        let _ = writeln!(s, "### Other findings ({}, below {})\n", split.other.len(), o.fail_on);
        s.push_str(&more_line(&split.other));
    }
    if let Some(l) = &limit {
        s.push_str(l.notice);
    }
    exceptions(&mut s, o, &split);
    packages(&mut s, o);
    closest_safe(&mut s, o);
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

fn header(s: &mut String, o: &Outcome) {
    let _ = writeln!(s, "## shipgate {}: {}\n", o.command.name(), common::verdict_word(o));
    let _ = writeln!(s, "| | revision | commit | commit date | summary |\n| --- | --- | --- | --- | --- |");
    let mut rows = vec![("base", &o.base), ("head", &o.head)];
    if let Some(m) = &o.mainline {
        rows.push(("mainline", m));
    }
    for (name, r) in rows {
        let _ = writeln!(
            s,
            "| **{name}** | {} | {} | {} | {} |",
            code(&r.rev, true),
            code(&r.commit, true),
            r.date.as_deref().unwrap_or("–"),
            r.summary.as_deref().map_or_else(|| "–".to_string(), text)
        );
    }
    if o.mainline.is_none() {
        let _ = writeln!(s, "| **mainline** | – | – | – | none: mainline rules and closest-safe did not run |");
    }
    let _ = writeln!(
        s,
        "\nRepository {} · shipgate {} · rule set {} · config {} · report date {} · gate fails on **{}** and above\n",
        code(&o.repo, false),
        env!("CARGO_PKG_VERSION"),
        code(common::short(&crate::rules::catalog::digest()), false),
        o.config_path.as_deref().map_or_else(|| "built-in detection".to_string(), |p| code(p, false)),
        o.date.as_deref().map_or_else(|| "not given (`--date`)".to_string(), |d| code(d, false)),
        o.fail_on
    );
}

fn verdict(s: &mut String, o: &Outcome, split: &Split<'_>) {
    let _ = writeln!(s, "### Verdict: {}\n", common::verdict_word(o));
    let n = split.blocking.len();
    if n == 0 {
        let _ = writeln!(s, "No finding at or above **{}** is left without an exception.\n", o.fail_on);
    } else {
        let _ = writeln!(
            s,
            "**{n} blocking finding{}** at or above **{}** without a valid exception.\n",
            if n == 1 { "" } else { "s" },
            o.fail_on
        );
    }
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
    let rows = common::counts_by_rule(o);
    if rows.is_empty() {
        return;
    }
    let mut t = String::from(
        "| rule | worst severity | active | excepted | suppressed |\n| --- | --- | ---: | ---: | ---: |\n",
    );
    for r in &rows {
        let _ =
            writeln!(t, "| {} | {} | {} | {} | {} |", code(r.rule, true), r.worst, r.active, r.excepted, r.suppressed);
    }
    details(s, &format!("Counts by rule ({} rules)", rows.len()), &t, rows.len() <= 8);
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

fn overview(s: &mut String, o: &Outcome) {
    let _ = writeln!(s, "### What changed\n");
    let changed_pkgs: Vec<_> = o.packages.iter().filter(|p| p.changed).collect();
    let manifests = o.files.iter().filter(|f| f.kind == "manifest").count();
    let _ = writeln!(
        s,
        "{} model file(s) and {} package(s) changed ({} manifest file(s)).\n",
        o.models.len(),
        changed_pkgs.len(),
        manifests
    );
    if !o.models.is_empty() {
        let mut t = String::from(
            "| model | status | services | shapes added | removed | changed | operations added | operations removed | lines changed |\n| --- | --- | --- | ---: | ---: | ---: | --- | --- | ---: |\n",
        );
        for m in &o.models {
            let list = |v: &[String]| {
                if v.is_empty() {
                    "–".to_string()
                } else {
                    v.iter().map(|x| code(x, true)).collect::<Vec<_>>().join(", ")
                }
            };
            let _ = writeln!(
                t,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                code(&m.path, true),
                format!("{:?}", m.status).to_lowercase(),
                list(&m.services),
                m.shapes.added,
                m.shapes.removed,
                m.shapes.changed,
                list(&m.operations_added),
                list(&m.operations_removed),
                m.lines_changed.map_or("–".to_string(), |l| l.to_string())
            );
        }
        details(s, &format!("Models ({})", o.models.len()), &t, o.models.len() <= 10);
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

fn finding_block(s: &mut String, o: &Outcome, f: &Finding, with_entry: bool) {
    let loc = common::location_text(o, f).map_or_else(|| "no file".to_string(), |l| code(&l, false));
    let _ = writeln!(s, "**{}** · {} · {} · {}\n", code(&f.subject, false), f.severity, code(&f.id, false), loc);
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
    if with_entry {
        let entry = fenced("toml", &common::exception_entry(f, o.date.as_deref()));
        details(s, "Exception entry for shipgate.toml", &entry, false);
    }
}

fn blocking(s: &mut String, o: &Outcome, split: &Split<'_>, limit: Option<usize>) {
    let _ = writeln!(s, "### Blocking findings ({})\n", split.blocking.len());
    if split.blocking.is_empty() {
        let _ = writeln!(s, "None.\n");
        return;
    }
    let groups = common::by_rule(&split.blocking);
    let Some(limit) = limit.filter(|l| *l < split.blocking.len()) else {
        return blocking_groups(s, o, groups);
    };
    // Capped: the first `limit` findings in report order, then a count of the rest.
    let mut shown = Vec::new();
    let mut rest: Vec<&Finding> = Vec::new();
    let mut left = limit;
    for (rule, fs) in groups {
        let n = fs.len().min(left);
        left -= n;
        rest.extend(&fs[n..]);
        if n > 0 {
            shown.push((rule, fs[..n].to_vec()));
        }
    }
    blocking_groups(s, o, shown);
    s.push_str(&more_line(&rest));
}

fn blocking_groups(s: &mut String, o: &Outcome, groups: Vec<(&str, Vec<&Finding>)>) {
    for (rule, fs) in groups {
        let _ = writeln!(s, "#### {} — {} ({})\n", code(rule, false), text(common::rule_title(rule)), fs.len());
        for f in fs.iter().take(SHOWN_PER_RULE) {
            finding_block(s, o, f, true);
        }
        if fs.len() > SHOWN_PER_RULE {
            let mut inner = String::new();
            for f in &fs[SHOWN_PER_RULE..] {
                finding_block(&mut inner, o, f, true);
            }
            details(s, &format!("{} more {rule} finding(s)", fs.len() - SHOWN_PER_RULE), &inner, false);
        }
    }
}

fn finding_table(findings: &[&Finding], o: &Outcome) -> String {
    let mut t = String::from("| severity | event | subject | location | message |\n| --- | --- | --- | --- | --- |\n");
    for f in findings {
        let _ = writeln!(
            t,
            "| {} | {} | {} | {} | {} |",
            f.severity,
            code(&f.id, true),
            code(&f.subject, true),
            common::location_text(o, f).map_or_else(|| "–".to_string(), |l| code(&l, true)),
            text(&f.message)
        );
    }
    t
}

fn others(s: &mut String, o: &Outcome, split: &Split<'_>) {
    if split.other.is_empty() {
        return;
    }
    let _ = writeln!(s, "### Other findings ({}, below {})\n", split.other.len(), o.fail_on);
    for (rule, fs) in common::by_rule(&split.other) {
        let mut inner = finding_table(&fs, o);
        for f in fs.iter().filter(|f| f.change.is_some()) {
            let change = f.change.as_ref().expect("filtered on change");
            let _ = writeln!(inner, "\n{} changed:\n", code(&f.subject, false));
            inner.push_str(&fenced("diff", &common::text_diff(change)));
        }
        details(s, &format!("{rule} ({})", fs.len()), &inner, false);
    }
}

fn exceptions(s: &mut String, o: &Outcome, split: &Split<'_>) {
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
                code(&f.subject, true),
                ex.approved_by.as_deref().map_or_else(|| "**nobody recorded**".to_string(), text),
                text(&ex.reason),
                ex.expires.as_deref().map_or_else(|| "never".to_string(), text),
                ex.source.as_deref().map_or_else(|| code(&common::exception_ref(ex.index), true), text)
            );
        }
        s.push_str(&t);
        s.push('\n');
    }
    if !split.suppressed.is_empty() {
        let mut t = String::from("| event | subject | location | why |\n| --- | --- | --- | --- |\n");
        for f in &split.suppressed {
            let _ = writeln!(
                t,
                "| {} | {} | {} | {} |",
                code(&f.id, true),
                code(&f.subject, true),
                common::location_text(o, f).map_or_else(|| "–".to_string(), |l| code(&l, true)),
                f.suppression.as_deref().map_or_else(|| "–".to_string(), text)
            );
        }
        details(s, &format!("Suppressed by the models' own metadata ({})", split.suppressed.len()), &t, false);
    }
}

fn packages(s: &mut String, o: &Outcome) {
    let required = common::required_packages(o);
    let _ = writeln!(s, "### Required packages ({})\n", required.len());
    if required.is_empty() {
        let _ = writeln!(s, "No package is required by this release.\n");
        return;
    }
    let _ = writeln!(
        s,
        "The authoritative list to publish: every package head ships, mainline needs or `required` names.\n"
    );
    let mut t = String::from(
        "| package | ecosystem | version | path | source commit | publish | status |\n| --- | --- | --- | --- | --- | --- | --- |\n",
    );
    for p in &required {
        let _ = writeln!(
            t,
            "| {} | {} | {} | {} | {} | {} | {} |",
            code(&p.name, true),
            text(&p.ecosystem),
            opt(&p.head_version),
            code(&p.path, true),
            code(common::source_commit(o, p), true),
            if p.publish { "yes" } else { "no" },
            if p.status == "ok" { "ok".to_string() } else { format!("**{}**", text(&p.status)) }
        );
    }
    details(s, &format!("Required packages ({})", required.len()), &t, required.len() <= 25);
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
