//! `replay` output: one row a release (verdict, blocking findings by rule, the top blockers),
//! then a summary per rule, in table, JSON or Markdown. Pure functions of the [`Replay`].
use super::Style;
use crate::outcome::Verdict;
use crate::outcome::{ReleaseCheck, Replay};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write;

/// The verdict word of a row.
fn verdict(r: &ReleaseCheck) -> &'static str {
    match r.verdict {
        Some(Verdict::Pass) => "pass",
        Some(Verdict::Fail) => "FAIL",
        None => "not checked",
    }
}

/// `Rule ×n, Rule ×n` (or `–`).
fn rules_cell(rules: &BTreeMap<String, usize>) -> String {
    if rules.is_empty() {
        return "–".into();
    }
    rules.iter().map(|(r, n)| format!("{r} ×{n}")).collect::<Vec<_>>().join(", ")
}

/// The top blockers of a row, one per line (or the error that stopped it).
fn blockers_cell(r: &ReleaseCheck, code: &dyn Fn(&str) -> String) -> Vec<String> {
    if let Some(e) = &r.error {
        return vec![format!("could not be checked: {e}")];
    }
    let shown: usize = r.top_blockers.len();
    let total: usize = r.blocking.values().sum();
    let mut out: Vec<String> = r.top_blockers.iter().map(|b| format!("{} {}", code(&b.id), code(&b.subject))).collect();
    if total > shown {
        out.push(format!("and {} more", total - shown));
    }
    out
}

/// The summary lines shared by table and Markdown.
fn summary(r: &Replay, code: &dyn Fn(&str) -> String) -> Vec<String> {
    let mut out = vec![format!(
        "{} release(s) replayed: {} pass, {} fail{} (gate fails on {} and above; pre-existing findings {}).",
        r.releases.len(),
        r.passed(),
        r.failed(),
        if r.unchecked() > 0 { format!(", {} could not be checked", r.unchecked()) } else { String::new() },
        r.fail_on,
        match r.pre_existing {
            crate::finding::PreExisting::Report => "are reported, not blocking",
            crate::finding::PreExisting::Block => "block",
        }
    )];
    let by_rule = r.by_rule();
    let blocking: Vec<String> = by_rule
        .iter()
        .filter(|(_, (releases, _, _))| *releases > 0)
        .map(|(rule, (releases, findings, _))| {
            format!("{} on {releases} release(s) ({findings} finding(s))", code(rule))
        })
        .collect();
    out.push(if blocking.is_empty() {
        "Nothing blocked any release.".into()
    } else {
        format!("Blocking, by rule: {}.", blocking.join("; "))
    });
    let new: Vec<String> = by_rule
        .iter()
        .filter(|(_, (_, _, new))| *new > 0)
        .map(|(rule, (_, _, new))| format!("{} {new}", code(rule)))
        .collect();
    if !new.is_empty() {
        out.push(format!("Releases with new findings, by rule (any severity): {}.", new.join(", ")));
    }
    out
}

pub fn table(r: &Replay, style: Style) -> String {
    use comfy_table::{Cell, ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
    let mut out = String::new();
    let _ = writeln!(out, "shipgate replay — {}", r.repository);
    let _ = writeln!(out, "config    {}", r.config);
    let _ = writeln!(out, "releases  tags matching `{}`\n", r.release_tags);
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Dynamic);
    t.set_width(style.width.unwrap_or(120));
    if style.color {
        t.enforce_styling();
    } else {
        t.force_no_tty();
    }
    t.set_header(["release", "against", "verdict", "blocking by rule", "top blockers", "new/pre-existing/resolved"]);
    for row in &r.releases {
        t.add_row(vec![
            Cell::new(&row.head.rev),
            Cell::new(&row.base.rev),
            Cell::new(verdict(row)),
            Cell::new(rules_cell(&row.blocking)),
            Cell::new(
                Some(blockers_cell(row, &|s| s.to_string()).join("\n"))
                    .filter(|b| !b.is_empty())
                    .unwrap_or_else(|| "–".into()),
            ),
            Cell::new(format!("{} / {} / {}", row.new.values().sum::<usize>(), row.pre_existing, row.resolved)),
        ]);
    }
    let _ = writeln!(out, "{t}\n");
    for line in summary(r, &|s| s.to_string()) {
        let _ = writeln!(out, "{line}");
    }
    for n in &r.notes {
        let _ = writeln!(out, "note: {n}");
    }
    out
}

pub fn md(r: &Replay) -> String {
    use super::md::{code, text};
    let mut s = String::new();
    let _ = writeln!(s, "## shipgate replay\n");
    let _ = writeln!(
        s,
        "Repository {} · config {} · releases: tags matching {} · gate fails on **{}** and above\n",
        code(&r.repository, false),
        code(&r.config, false),
        code(&r.release_tags, false),
        r.fail_on
    );
    s.push_str("| release | against | verdict | blocking by rule | top blockers | new / pre-existing / resolved |\n");
    s.push_str("| --- | --- | --- | --- | --- | ---: |\n");
    for row in &r.releases {
        let rules = if row.blocking.is_empty() {
            "–".to_string()
        } else {
            row.blocking.iter().map(|(rule, n)| format!("{} ×{n}", code(rule, true))).collect::<Vec<_>>().join(", ")
        };
        let blockers = blockers_cell(row, &|t| code(t, true));
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} / {} / {} |",
            code(&row.head.rev, true),
            code(&row.base.rev, true),
            if row.verdict == Some(Verdict::Fail) { "**fail**" } else { verdict(row) },
            rules,
            if blockers.is_empty() { "–".to_string() } else { blockers.join("<br>") },
            row.new.values().sum::<usize>(),
            row.pre_existing,
            row.resolved
        );
    }
    s.push('\n');
    for line in summary(r, &|t| code(t, false)) {
        let _ = writeln!(s, "{line}\n");
    }
    for n in &r.notes {
        let _ = writeln!(s, "- {}", text(n));
    }
    if !r.notes.is_empty() {
        s.push('\n');
    }
    s
}

#[derive(Serialize)]
struct RuleSummary {
    /// Releases it blocks.
    releases_blocked: usize,
    /// Blocking findings over every release.
    blocking_findings: usize,
    /// Releases where it has a new finding, blocking or not.
    releases_with_new: usize,
}

#[derive(Serialize)]
struct Summary {
    releases: usize,
    pass: usize,
    fail: usize,
    not_checked: usize,
    rules: BTreeMap<String, RuleSummary>,
}

#[derive(Serialize)]
struct Json<'a> {
    schema_version: u32,
    tool: serde_json::Value,
    command: &'static str,
    #[serde(flatten)]
    replay: &'a Replay,
    summary: Summary,
}

pub fn json(r: &Replay) -> String {
    let rules = r
        .by_rule()
        .into_iter()
        .map(|(rule, (releases_blocked, blocking_findings, releases_with_new))| {
            (rule.to_string(), RuleSummary { releases_blocked, blocking_findings, releases_with_new })
        })
        .collect();
    let report = Json {
        schema_version: super::json::SCHEMA_VERSION,
        tool: serde_json::json!({ "name": "shipgate", "version": env!("CARGO_PKG_VERSION") }),
        command: "replay",
        replay: r,
        summary: Summary {
            releases: r.releases.len(),
            pass: r.passed(),
            fail: r.failed(),
            not_checked: r.unchecked(),
            rules,
        },
    };
    let mut s = serde_json::to_string_pretty(&report).expect("the replay is plain data and always serialises");
    s.push('\n');
    s
}
