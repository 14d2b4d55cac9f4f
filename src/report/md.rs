//! GitHub-flavoured Markdown: the exception request and audit record, sized for a workflow step
//! summary and a pull-request comment. It encodes the [`View`]; it computes nothing of its own.
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
//! Every piece is encoded once and measured; the cap keeps the most blocking findings whose
//! measured sizes fit, in one pass over them ([`Blocking::most_that_fit`]).
//!
//! Escaping: text from models, manifests and configs is untrusted. Outside code it has HTML
//! special characters turned into entities and Markdown punctuation backslash-escaped; inside
//! code spans and fences the delimiters are chosen longer than any backtick run in the text.
use super::Style;
use super::common;
use super::view::{self, ClosestSafeSection, FindingBlock, View};
use crate::finding::Finding;
use crate::outcome::{Command, Outcome};
use std::collections::BTreeMap;
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
    let v = View::of(o);
    let parts = Parts::of(&v, style.details);
    parts.join(parts.blocking.total, "")
}

/// Renders with a size cap of `cap` characters. When the report is longer, findings that do not
/// fit fold into a count line per section ("… and N more findings: RuleA ×n, …"); every section
/// after the findings (exceptions, required packages, closest safe, sign-off, notes) and the
/// appendix are kept, and a notice says how to get the full record. Only when even that does not
/// fit is the text cut at a line boundary (open `<details>` and fences closed).
pub fn render_capped(o: &Outcome, style: Style, cap: usize) -> String {
    let v = View::of(o);
    let parts = Parts::of(&v, style.details);
    let full_len = parts.len_without_blocking() + parts.blocking.len(parts.blocking.total);
    if full_len <= cap {
        return parts.join(parts.blocking.total, "");
    }
    let notice = format!(
        "> [!WARNING]\n> This summary was cut to fit {cap} characters (a GitHub pull-request comment holds 65,536; the full report is {full_len}): \
         findings that did not fit are counted by rule, not shown. \
         For the full record run `shipgate report --output md=report.md` (or `--output html=report.html`), or read the JSON or SARIF output of the same run.\n\n"
    );
    // Blocking findings fold from the end (other findings are already folded into counts).
    let fixed = parts.len_without_blocking() + chars(&notice);
    if let Some(k) = parts.blocking.most_that_fit(cap.saturating_sub(fixed)) {
        return parts.join(k, &notice);
    }
    // Even the sections without findings are over the cap: cut at a line boundary.
    let short_notice = "\n> [!WARNING]\n> This summary was cut to fit the size cap; run `shipgate report --output md=report.md` for the full record.\n\n";
    let mut footer = short_notice.to_string() + &parts.appendix;
    if chars(&footer) > cap / 2 {
        footer = short_notice.to_string();
    }
    let budget = cap.saturating_sub(chars(&footer));
    let body = parts.body(0, "");
    let (prefix, closers) = cut(&body, budget);
    prefix + &closers + &footer
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// The report encoded in pieces, each once: everything but the blocking findings as text, the
/// blocking findings as measured blocks, so a capped rendering chooses how many to show without
/// encoding anything twice.
struct Parts {
    /// Header, verdict (or closest-safe's answer), counts, what changed.
    before: String,
    blocking: Blocking,
    /// Exception request, other findings, held at base: before the cut notice.
    middle: String,
    /// Exceptions applied, packages, closest safe, sign-off, notes: after the cut notice.
    after: String,
    appendix: String,
}

impl Parts {
    fn of(v: &View<'_>, details_all: bool) -> Parts {
        let mut before = String::new();
        header(&mut before, v);
        if v.command == Command::ClosestSafe {
            // The answer first; closest-safe does not gate, so no verdict wording.
            closest_safe(&mut before, v);
            counts(&mut before, v);
        } else {
            verdict(&mut before, v);
        }
        overview(&mut before, v, details_all);
        let mut middle = String::new();
        exception_request(&mut middle, v);
        others(&mut middle, v, details_all);
        baseline(&mut middle, v);
        let mut after = String::new();
        exceptions(&mut after, v, details_all);
        packages(&mut after, v);
        if v.command != Command::ClosestSafe {
            closest_safe(&mut after, v);
        }
        if v.sign_off {
            sign_off(&mut after);
        }
        if !v.notes.is_empty() {
            let _ = writeln!(after, "### Notes\n");
            for n in v.notes {
                let _ = writeln!(after, "- {}", text(n));
            }
            after.push('\n');
        }
        Parts { before, blocking: Blocking::of(v, details_all), middle, after, appendix: appendix(v) }
    }

    fn len_without_blocking(&self) -> usize {
        chars(&self.before) + chars(&self.middle) + chars(&self.after) + chars(&self.appendix)
    }

    /// The sections with the first `k` blocking findings shown, and `notice` after the findings.
    fn body(&self, k: usize, notice: &str) -> String {
        let mut s = self.before.clone();
        self.blocking.write(&mut s, k);
        s.push_str(&self.middle);
        s.push_str(notice);
        s.push_str(&self.after);
        s
    }

    fn join(&self, k: usize, notice: &str) -> String {
        self.body(k, notice) + &self.appendix
    }
}

/// The blocking section, encoded: its heading, then per rule-and-service group a heading, the
/// findings shown in full and the rest as one row each (in a `<details>` table).
struct Blocking {
    /// `### Blocking findings (N)`, or that and `None.`.
    heading: String,
    groups: Vec<GroupParts>,
    /// Every blocking finding's rule, in report order: what the count line names.
    rules: Vec<String>,
    total: usize,
}

struct GroupParts {
    heading: String,
    rule: String,
    /// How many findings are shown in full when all are shown.
    in_full: usize,
    /// The first `in_full` findings in full, then one row per finding.
    pieces: Vec<String>,
}

/// The `<details>` fold of a group's findings listed by name.
fn rows_fold(n: usize, rule: &str) -> (String, &'static str) {
    let title = format!("{n} more {rule} finding(s), by name (`--details` shows each in full)");
    let mut open = String::new();
    let _ = writeln!(open, "<details>\n<summary>{}</summary>\n", html(&title));
    open.push_str(ROWS_HEAD);
    (open, "\n</details>\n\n")
}

const ROWS_HEAD: &str = "| subject | event | location | introduced by |\n| --- | --- | --- | --- |\n";

impl Blocking {
    fn of(v: &View<'_>, details_all: bool) -> Blocking {
        let total: usize = v.blocking.iter().map(|g| g.findings.len()).sum();
        let mut heading = format!("### Blocking findings ({total})\n\n");
        if v.blocking.is_empty() {
            heading.push_str("None.\n\n");
        }
        let groups = v
            .blocking
            .iter()
            .map(|g| {
                let in_full = if details_all { g.findings.len() } else { g.findings.len().min(view::SHOWN_IN_FULL) };
                let pieces = g
                    .findings
                    .iter()
                    .enumerate()
                    .map(|(i, f)| {
                        let b = v.block(f);
                        if i < in_full { finding_block(&b) } else { finding_row(&b) }
                    })
                    .collect();
                GroupParts {
                    heading: format!(
                        "#### {} in {} — {} ({})\n\n",
                        code(g.rule, false),
                        g.service.as_deref().map_or_else(|| "the release".to_string(), |sv| code(sv, false)),
                        text(common::rule_title(g.rule)),
                        g.findings.len()
                    ),
                    rule: g.rule.to_string(),
                    in_full,
                    pieces,
                }
            })
            .collect();
        let rules = v.blocking.iter().flat_map(|g| g.findings.iter().map(|f| f.rule.clone())).collect();
        Blocking { heading, groups, rules, total }
    }

    /// Writes the section with the first `k` findings (in report order) shown, the rest counted.
    fn write(&self, s: &mut String, k: usize) {
        s.push_str(&self.heading);
        let mut left = k;
        for g in &self.groups {
            let n = g.pieces.len().min(left);
            left -= n;
            if n == 0 {
                continue;
            }
            s.push_str(&g.heading);
            let full = n.min(g.in_full);
            for p in &g.pieces[..full] {
                s.push_str(p);
            }
            if full < n {
                let (open, close) = rows_fold(n - full, &g.rule);
                s.push_str(&open);
                for p in &g.pieces[full..n] {
                    s.push_str(p);
                }
                s.push_str(close);
            }
        }
        if k < self.total {
            s.push_str(&more_line(&self.rules[k..]));
        }
    }

    /// The length of [`Blocking::write`] with `k` findings shown.
    fn len(&self, k: usize) -> usize {
        let mut s = String::new();
        self.write(&mut s, k);
        chars(&s)
    }

    /// The largest `k` whose section fits in `budget` characters, `None` when not even `k = 0`
    /// does: one pass over the findings, adding each one's measured size and taking it out of
    /// the count line.
    fn most_that_fit(&self, budget: usize) -> Option<usize> {
        // The count line: "… and {n} more finding{s}: " + entries joined by ", " + "\n\n", an
        // entry being "{code(rule)} ×{count}".
        let mut per_rule: BTreeMap<&str, usize> = BTreeMap::new();
        for r in &self.rules {
            *per_rule.entry(r.as_str()).or_default() += 1;
        }
        let code_len: BTreeMap<&str, usize> = per_rule.keys().map(|r| (*r, chars(&code(r, false)))).collect();
        let entry = |rule: &str, n: usize| code_len[rule] + " ×".chars().count() + digits(n);
        let mut entries_len: usize = per_rule.iter().map(|(r, n)| entry(r, *n)).sum();
        let mut entries = per_rule.len();
        let more_len = |rest: usize, entries: usize, entries_len: usize| {
            if rest == 0 {
                return 0;
            }
            "… and ".chars().count()
                + digits(rest)
                + " more finding".len()
                + usize::from(rest != 1)
                + ": ".len()
                + entries_len
                + 2 * (entries - 1)
                + "\n\n".len()
        };
        let mut shown = chars(&self.heading);
        let fits = |shown: usize, rest: usize, entries: usize, entries_len: usize| {
            shown + more_len(rest, entries, entries_len) <= budget
        };
        let mut best = fits(shown, self.total, entries, entries_len).then_some(0);
        let mut k = 0;
        for g in &self.groups {
            // Measured with one row: `0` and `1` have one digit each.
            let (fold_open, fold_close) = rows_fold(0, &g.rule);
            let fold_len = chars(&fold_open) + chars(fold_close);
            for (i, piece) in g.pieces.iter().enumerate() {
                if i == 0 {
                    shown += chars(&g.heading);
                }
                if i >= g.in_full {
                    // The fold's title counts the rows: one more row, maybe one more digit.
                    let rows = i - g.in_full + 1;
                    if rows == 1 {
                        shown += fold_len;
                    } else {
                        shown = shown + digits(rows) - digits(rows - 1);
                    }
                }
                shown += chars(piece);
                k += 1;
                let rule = g.rule.as_str();
                let n = per_rule.get_mut(rule).expect("every rule is counted");
                entries_len -= entry(rule, *n);
                *n -= 1;
                if *n > 0 {
                    entries_len += entry(rule, *n);
                } else {
                    entries -= 1;
                }
                if fits(shown, self.total - k, entries, entries_len) {
                    best = Some(k);
                }
            }
        }
        debug_assert!(best.is_none_or(|k| self.len(k) <= budget), "the measured size is the written size");
        best
    }
}

fn digits(n: usize) -> usize {
    n.to_string().len()
}

/// "… and N more findings: RuleA ×n, RuleB ×m" (rules by count, then id).
fn more_line(rules: &[String]) -> String {
    let mut by: BTreeMap<&str, usize> = BTreeMap::new();
    for r in rules {
        *by.entry(r.as_str()).or_default() += 1;
    }
    let mut counted: Vec<(&str, usize)> = by.into_iter().collect();
    counted.sort_by_key(|(r, n)| (std::cmp::Reverse(*n), *r));
    let list: Vec<String> = counted.iter().map(|(r, n)| format!("{} ×{n}", code(r, false))).collect();
    format!("… and {} more finding{}: {}\n\n", rules.len(), if rules.len() == 1 { "" } else { "s" }, list.join(", "))
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
    for c in common::one_line(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '#' | '!' | '$' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// A code span that holds any text: the delimiter is one backtick longer than the longest run
/// inside. In a table cell, `|` is escaped too (GFM splits cells before it parses code spans).
pub fn code(s: &str, in_table: bool) -> String {
    let s = common::one_line(s);
    let s = if in_table { s.replace('|', "\\|") } else { s.into_owned() };
    let run = longest_run(&s, '`');
    let delim = "`".repeat(run + 1);
    let pad = if run > 0 || s.starts_with(' ') || s.ends_with(' ') || s.is_empty() { " " } else { "" };
    format!("{delim}{pad}{s}{pad}{delim}")
}

/// A fenced code block whose fence is longer than any backtick run in `content`. Its lines are
/// kept; within a line, control characters become spaces ([`common::one_line`]).
fn fenced(lang: &str, content: &str) -> String {
    let fence = "`".repeat(longest_run(content, '`').max(2) + 1);
    let mut content = common::each_line(content);
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

fn header(s: &mut String, v: &View<'_>) {
    let h = &v.header;
    let title = if v.command == Command::ClosestSafe {
        "closest-safe".to_string()
    } else {
        format!("{}: {}", v.command.name(), h.verdict_word)
    };
    let _ = writeln!(s, "## shipgate {title}\n");
    let _ = writeln!(s, "{} · {} → {}\n", code(h.repo, false), code(&h.base.rev, false), code(&h.head.rev, false));
    let mut t = String::from("| | revision | commit | commit date | summary |\n| --- | --- | --- | --- | --- |\n");
    for (name, r) in &h.revs {
        let _ = writeln!(
            t,
            "| **{name}** | {} | {} | {} | {} |",
            code(&r.rev, true),
            code(&r.commit, true),
            r.date.as_deref().unwrap_or("–"),
            r.summary.as_deref().map_or_else(|| "–".to_string(), text)
        );
    }
    if h.mainline.is_none() {
        let _ = writeln!(t, "| **mainline** | – | – | – | none: mainline rules and closest-safe did not run |");
    }
    s.push_str(&t);
    let _ = writeln!(
        s,
        "\nRepository {} · shipgate {} · rule set {} · config {} · report date {} · {}\n",
        code(h.repo, false),
        env!("CARGO_PKG_VERSION"),
        code(&h.rule_set, false),
        h.config.map_or_else(|| "built-in detection".to_string(), |p| code(p, false)),
        h.date.map_or_else(|| "not given (`--date`)".to_string(), |d| code(d, false)),
        h.threshold("**", "**")
    );
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn counts(s: &mut String, v: &View<'_>) {
    let c = &v.counts;
    let _ = writeln!(
        s,
        "| error | danger | warning | note | excepted | suppressed |\n| ---: | ---: | ---: | ---: | ---: | ---: |\n| {} | {} | {} | {} | {} | {} |\n",
        c.error, c.danger, c.warning, c.note, c.excepted, c.suppressed
    );
}

fn verdict(s: &mut String, v: &View<'_>) {
    let Some(verdict) = &v.verdict else { return };
    let _ = writeln!(s, "### Verdict: {}\n", verdict.word);
    if verdict.blocking == 0 {
        let _ = writeln!(s, "No finding at or above **{}** is left without an exception.\n", v.fail_on);
    } else {
        let _ = writeln!(
            s,
            "**{}** at or above **{}** without a valid exception, from {}{}.\n",
            plural(verdict.blocking, "blocking finding", "blocking findings"),
            v.fail_on,
            plural(verdict.rules, "rule", "rules"),
            if verdict.services == 0 {
                String::new()
            } else {
                format!(" over {}", plural(verdict.services, "service", "services"))
            }
        );
    }
    counts(s, v);
    if v.blocking.is_empty() {
        return;
    }
    let _ = writeln!(s, "#### What blocks\n");
    let t = group_table(&v.blocking);
    if v.blocking.len() <= 25 {
        s.push_str(&t);
        s.push('\n');
    } else {
        details(s, &format!("{} rule and service groups", v.blocking.len()), &t, false);
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

fn overview(s: &mut String, v: &View<'_>, details_all: bool) {
    let _ = writeln!(s, "### What changed\n");
    let Some(ov) = &v.overview else {
        let _ = writeln!(
            s,
            "Not computed by `closest-safe` (it compares mainline candidates with base); run `shipgate report` for the diff.\n"
        );
        return;
    };
    let _ = writeln!(
        s,
        "{} and {} changed ({}).\n",
        plural(ov.models, "model file", "model files"),
        plural(ov.changed_packages.len(), "package", "packages"),
        plural(ov.manifests, "manifest file", "manifest files")
    );
    if ov.models > 0 {
        let rows = &ov.services;
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
            v.fail_on
        );
        if shown < rows.len() {
            let mut rest = String::from(head);
            for r in &rows[shown..] {
                rest.push_str(&row(r));
            }
            details(s, &format!("{} more services", rows.len() - shown), &rest, false);
        }
        if !ov.operations.is_empty() {
            let mut t = String::from("| operation | |\n| --- | --- |\n");
            for (what, op) in &ov.operations {
                let _ = writeln!(t, "| {} | {what} |", code(op, true));
            }
            details(
                s,
                &format!("Operations added or removed ({})", ov.operations.len()),
                &t,
                ov.operations.len() <= 10,
            );
        }
    }
    if !ov.changed_packages.is_empty() {
        let mut t = String::from(
            "| package | ecosystem | base | head | mainline | status |\n| --- | --- | --- | --- | --- | --- |\n",
        );
        for p in &ov.changed_packages {
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
        let n = ov.changed_packages.len();
        details(s, &format!("Packages changed ({n})"), &t, n <= 10);
    }
    match ov.diff_size {
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
    if ov.history.len() > 1 {
        let mut t = String::from(
            "| from | to | shapes changed | packages changed | lines changed |\n| --- | --- | ---: | ---: | ---: |\n",
        );
        for r in ov.history {
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
        details(s, &format!("Release history ({} diffs)", ov.history.len()), &t, false);
    }
}

/// A blocking finding in full: subject, severity, event, location, message, diff, provenance.
fn finding_block(b: &FindingBlock<'_>) -> String {
    let f = b.finding;
    let mut s = String::new();
    let loc = b.location.as_deref().map_or_else(|| "no file".to_string(), |l| code(l, false));
    let _ =
        writeln!(s, "**{}** · {} · {} · {}\n", code(f.display_subject(), false), f.severity, code(&f.id, false), loc);
    let _ = writeln!(s, "{}\n", text(&f.message));
    if let Some(diff) = b.diff() {
        s.push_str(&fenced("diff", &diff));
        s.push('\n');
    }
    let introduced = match &f.introduced_by {
        Some(c) => format!("introduced by {}", code(c, false)),
        None => "introducing commit unknown".to_string(),
    };
    let _ = writeln!(s, "<sub>{introduced} · fingerprint {}</sub>\n", code(&f.fingerprint, false));
    s
}

/// One line per finding: every blocking finding is named even when its group is long.
fn finding_row(b: &FindingBlock<'_>) -> String {
    let f = b.finding;
    format!(
        "| {} | {} | {} | {} |\n",
        code(f.display_subject(), true),
        code(&f.id, true),
        b.location.as_deref().map_or_else(|| "–".to_string(), |l| code(l, true)),
        f.introduced_by.as_deref().map_or_else(|| "–".to_string(), |c| code(common::short(c), true))
    )
}

fn exception_request(s: &mut String, v: &View<'_>) {
    let Some(req) = &v.exception_request else { return };
    let _ = writeln!(
        s,
        "### Exception request ({} covering {})\n",
        plural(req.entries.len(), "entry", "entries"),
        plural(req.blocking, "blocking finding", "blocking findings")
    );
    let _ = writeln!(
        s,
        "Ready to paste into `shipgate.toml`: one entry per rule and service (a subject glob, with the findings it covers named in its comment), one per finding where a rule has a single subject there. `reason` and `approved_by` are empty on purpose: an exception without a reason excepts nothing.\n"
    );
    let block = fenced("toml", &req.toml);
    details(s, &format!("[[exceptions]] entries ({})", req.entries.len()), &block, req.open);
}

fn finding_table(v: &View<'_>, findings: &[&Finding]) -> String {
    let mut t = String::from("| severity | event | subject | location | message |\n| --- | --- | --- | --- | --- |\n");
    for f in findings {
        let b = v.block(f);
        let _ = writeln!(
            t,
            "| {} | {} | {} | {} | {} |",
            f.severity,
            code(&f.id, true),
            code(f.display_subject(), true),
            b.location.as_deref().map_or_else(|| "–".to_string(), |l| code(l, true)),
            text(&f.message)
        );
    }
    t
}

fn others(s: &mut String, v: &View<'_>, details_all: bool) {
    if v.other.is_empty() {
        return;
    }
    let _ = writeln!(s, "### Other findings ({}, below {})\n", v.split.other.len(), v.fail_on);
    let _ = writeln!(
        s,
        "Shown, never gating. Folded by rule and service; `--details` lists every one (the JSON always does).\n"
    );
    let t = group_table(&v.other);
    details(s, &format!("{} rule and service groups", v.other.len()), &t, v.other.len() <= 15);
    if details_all {
        for g in &v.other {
            let mut inner = finding_table(v, &g.findings);
            for f in &g.findings {
                if let Some(diff) = v.block(f).diff() {
                    let _ = writeln!(inner, "\n{} changed:\n", code(f.display_subject(), false));
                    inner.push_str(&fenced("diff", &diff));
                }
            }
            details(s, &format!("{} in {} ({})", g.rule, g.service_label(), g.findings.len()), &inner, false);
        }
    }
}

/// Pre-existing and resolved findings, folded to a count per rule (JSON lists each one).
fn baseline(s: &mut String, v: &View<'_>) {
    if v.held_at_base.is_empty() {
        return;
    }
    let _ = writeln!(s, "### Held at base\n");
    for fold in &v.held_at_base {
        let _ = writeln!(s, "- {}", fold.line(&|t| code(t, false)));
    }
    s.push('\n');
}

/// Excepted findings listed one per row before they fold into counts per exception entry.
const EXCEPTED_SHOWN: usize = 20;

fn exceptions(s: &mut String, v: &View<'_>, details_all: bool) {
    let ex = &v.exceptions_applied;
    let _ = writeln!(s, "### Exceptions applied ({})\n", ex.excepted.len());
    if ex.excepted.is_empty() {
        let _ = writeln!(s, "None.\n");
    } else {
        let mut t = String::from(
            "| event | subject | approved by | reason | expires | config entry |\n| --- | --- | --- | --- | --- | --- |\n",
        );
        for f in &ex.excepted {
            let e = f.exception.as_ref().expect("the view put only excepted findings here");
            let _ = writeln!(
                t,
                "| {} | {} | {} | {} | {} | {} |",
                code(&f.id, true),
                code(f.display_subject(), true),
                e.approved_by.as_deref().map_or_else(|| "**nobody recorded**".to_string(), text),
                text(&e.reason),
                e.expires.as_deref().map_or_else(|| "never".to_string(), text),
                e.source.as_deref().map_or_else(|| code(&common::exception_ref(e.index), true), text)
            );
        }
        if details_all || ex.excepted.len() <= EXCEPTED_SHOWN {
            s.push_str(&t);
            s.push('\n');
        } else {
            let mut c = String::from(
                "| config entry | rule | subject | findings | approved by | expires |\n| --- | --- | --- | ---: | --- | --- |\n",
            );
            for (i, e, n) in &ex.by_entry {
                let _ = writeln!(
                    c,
                    "| {} | {} | {} | {n} | {} | {} |",
                    code(&common::exception_ref(*i), true),
                    code(&e.rule, true),
                    code(&e.subject, true),
                    e.approved_by.as_deref().map_or_else(|| "**nobody recorded**".to_string(), text),
                    e.expires.as_deref().map_or_else(|| "never".to_string(), text)
                );
            }
            s.push_str(&c);
            s.push('\n');
            details(s, &format!("Every excepted finding ({})", ex.excepted.len()), &t, false);
        }
    }
    if !ex.suppressed.is_empty() {
        let mut t = String::from("| event | subject | location | why |\n| --- | --- | --- | --- |\n");
        for b in &ex.suppressed {
            let f = b.finding;
            let _ = writeln!(
                t,
                "| {} | {} | {} | {} |",
                code(&f.id, true),
                code(f.display_subject(), true),
                b.location.as_deref().map_or_else(|| "–".to_string(), |l| code(l, true)),
                f.suppression.as_deref().map_or_else(|| "–".to_string(), text)
            );
        }
        details(s, &format!("Suppressed by the models' own metadata ({})", ex.suppressed.len()), &t, false);
    }
}

fn packages(s: &mut String, v: &View<'_>) {
    let p = &v.packages;
    let _ = writeln!(s, "### Required packages ({})\n", p.rows.len());
    if p.rows.is_empty() {
        let _ = writeln!(s, "No package is required by this release.\n");
        return;
    }
    let _ = writeln!(
        s,
        "The authoritative list to publish: every package head ships, mainline needs or `required` names, with the version and the commit to publish it from.\n"
    );
    if p.disagree > 0 {
        let _ = writeln!(
            s,
            "**{}** not shipped as head's version from head: see *why*.\n",
            plural(p.disagree, "package", "packages")
        );
    }
    let mut t = String::from(
        "| package | ecosystem | publish version | from commit | head | mainline | path | publish | status | why |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n",
    );
    for r in &p.rows {
        let pkg = r.package;
        let from = match r.from {
            view::PublishFrom::Head => code(r.commit, true),
            view::PublishFrom::Mainline => format!("{} (mainline)", code(r.commit, true)),
        };
        let _ = writeln!(
            t,
            "| {} | {} | {} | {from} | {} | {} | {} | {} | {} | {} |",
            code(&pkg.name, true),
            text(&pkg.ecosystem),
            opt_code(r.version),
            opt(&pkg.head_version),
            opt(&pkg.mainline_version),
            code(&pkg.path, true),
            if pkg.publish { "yes" } else { "no" },
            if pkg.status == "ok" { "ok".to_string() } else { format!("**{}**", text(&pkg.status)) },
            r.why.as_deref().map_or_else(|| "–".to_string(), text)
        );
    }
    details(s, &format!("Required packages ({})", p.rows.len()), &t, p.open);
}

fn closest_safe(s: &mut String, v: &View<'_>) {
    let _ = writeln!(s, "### Closest safe commit\n");
    match &v.closest_safe {
        ClosestSafeSection::Missing(why) => {
            let _ = writeln!(s, "{why}\n");
        }
        ClosestSafeSection::Found { commit, distance, mainline, candidates, passes, left_out } => {
            let mainline = mainline.map_or_else(|| "mainline".to_string(), |m| code(m, false));
            let _ = writeln!(
                s,
                "{} is the newest commit on {mainline} that {passes}, {distance} commit(s) behind its tip ({candidates} candidate(s) checked).\n",
                code(commit, false),
            );
            if left_out.is_empty() {
                let _ = writeln!(s, "It leaves nothing out: mainline's tip is safe.\n");
            } else {
                let mut t =
                    String::from("| commit | summary | blocking findings it introduced |\n| --- | --- | --- |\n");
                for l in left_out {
                    let _ = writeln!(
                        t,
                        "| {} | {} | {} |",
                        code(l.commit, true),
                        text(l.summary),
                        l.cell(|t| code(t, true))
                    );
                }
                details(s, &format!("It leaves out {} commit(s)", left_out.len()), &t, left_out.len() <= 10);
            }
        }
        ClosestSafeSection::NoneSafe { candidates, .. } => {
            let _ = writeln!(s, "No safe commit among the {candidates} mainline candidate(s) checked.\n");
        }
    }
}

fn sign_off(s: &mut String) {
    let _ = writeln!(
        s,
        "### Sign-off\n\n| | |\n| --- | --- |\n| Requested by | |\n| Approver | |\n| Decision (ship with exceptions / do not ship) | |\n| Date | |\n| Rollback plan | |\n"
    );
}

fn appendix(v: &View<'_>) -> String {
    let a = &v.appendix;
    let mut s = String::from("### Appendix: inputs\n\n| input | digest |\n| --- | --- |\n");
    for (k, d) in a.digests {
        let _ = writeln!(s, "| {} | {} |", text(k), code(d, true));
    }
    let _ = writeln!(s, "\nReproduce the verdict:\n");
    s.push_str(&fenced("sh", a.reproduce));
    if a.no_date {
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

    /// The one-pass measure picks what re-rendering every `k` would: the largest `k` whose
    /// section fits, over groups with blocks, folded rows (whose title counts them), multi-digit
    /// counts and rules that leave the count line.
    #[test]
    fn most_that_fit_is_the_largest_k_that_fits() {
        let group = |rule: &str, in_full: usize, n: usize| GroupParts {
            heading: format!("#### `{rule}` in the release — Title ({n})\n\n"),
            rule: rule.to_string(),
            in_full,
            pieces: (0..n)
                .map(|i| {
                    if i < in_full {
                        format!("block {i} {}\n\n", "x".repeat(i * 7 % 40))
                    } else {
                        format!("| row {i} |\n")
                    }
                })
                .collect(),
        };
        let groups = vec![group("Alpha", 3, 14), group("B", 3, 2), group("Gamma", 2, 9), group("Alpha2", 0, 12)];
        let rules: Vec<String> = groups.iter().flat_map(|g| g.pieces.iter().map(|_| g.rule.clone())).collect();
        let b = Blocking { heading: "### Blocking findings (37)\n\n".into(), total: rules.len(), rules, groups };
        for budget in 0..b.len(b.total) + 10 {
            let brute = (0..=b.total).rev().find(|k| b.len(*k) <= budget);
            assert_eq!(b.most_that_fit(budget), brute, "budget {budget}");
        }
    }

    #[test]
    fn cut_closes_what_it_opened() {
        let body = "a\n<details>\n<summary>s</summary>\n\n```toml\nx = 1\ny = 2\n```\n\n</details>\n";
        let (prefix, closers) = cut(body, 66);
        assert!(prefix.ends_with("x = 1\n"), "{prefix:?}");
        assert_eq!(closers, "```\n\n</details>\n");
    }
}
