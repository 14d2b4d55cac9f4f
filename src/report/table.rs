//! The terminal report: a short header, the verdict, what blocks (by rule and service), what
//! changed (per service), then the blocking findings; notes and findings below `--fail-on` fold
//! into counts by rule and service unless `--details` is given. Tables fit the terminal's width,
//! 80 columns when it is unknown. Colour only when the CLI says the output is a terminal and
//! `NO_COLOR` is unset. `closest-safe` leads with its answer and has no verdict line. It encodes
//! the [`View`]; it computes nothing of its own.
use super::view::{self, ClosestSafeSection, View};
use super::{Style, common};
use crate::finding::Severity;
use crate::outcome::{Command, Outcome};
use comfy_table::{Cell, Color, ColumnConstraint, ContentArrangement, Table, Width, presets::UTF8_FULL_CONDENSED};
use std::fmt::Write;

fn table(style: Style, header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Dynamic);
    t.set_width(style.width.unwrap_or(DEFAULT_WIDTH));
    if !style.color {
        t.force_no_tty();
    } else {
        t.enforce_styling();
    }
    t.set_header(header.iter().map(Cell::new));
    t
}

/// Keeps column `index` at least as wide as its widest entry (an id, plus the cell's padding), so
/// comfy-table wraps the other columns instead of splitting the id: a table wider than the
/// terminal is better than an id that cannot be copied.
fn keep_whole<'a>(t: &mut Table, index: usize, entries: impl Iterator<Item = &'a str>) {
    let widest = (entries.map(|e| e.chars().count()).max().unwrap_or(0).max(1) + 2).min(u16::MAX as usize) as u16;
    if let Some(c) = t.column_mut(index) {
        c.set_constraint(ColumnConstraint::LowerBoundary(Width::Fixed(widest)));
    }
}

/// A cell of text from the repository, as one line ([`common::one_line`]): no newline, ESC or
/// NUL reaches the terminal from a name, subject, message or commit summary.
fn cell(text: &str) -> Cell {
    Cell::new(common::one_line(text))
}

fn severity_cell(s: Severity, style: Style) -> Cell {
    let cell = Cell::new(s.as_str());
    if !style.color {
        return cell;
    }
    cell.fg(match s {
        Severity::Error => Color::Red,
        Severity::Danger => Color::Magenta,
        Severity::Warning => Color::Yellow,
        Severity::Note => Color::Cyan,
        Severity::Suppressed => Color::DarkGrey,
    })
}

/// Width when the terminal's is unknown (a pipe, a file, CI logs): readable at 80 columns.
pub const DEFAULT_WIDTH: u16 = 80;
/// Groups and rows shown before "… and N more (--details)".
const SHOWN: usize = 10;
/// Findings per blocking group listed before the rest are counted.
const PER_GROUP: usize = 3;

/// `text` broken into lines of at most `width` characters, between words where it can.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in common::one_line(text).split_whitespace() {
        let mut word = word.to_string();
        while word.chars().count() > width {
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            let head: String = word.chars().take(width).collect();
            word = word.chars().skip(width).collect();
            lines.push(head);
        }
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

fn more(out: &mut String, n: usize, what: &str) {
    if n > 0 {
        let _ = writeln!(out, "… and {n} more {what} (--details lists every one)");
    }
}

fn group_table(style: Style, groups: &[view::Group<'_>], limit: usize) -> Table {
    let mut t = table(style, &["rule", "service", "severity", "findings"]);
    for g in groups.iter().take(limit) {
        t.add_row(vec![
            cell(g.rule),
            cell(g.service_label()),
            severity_cell(g.worst, style),
            Cell::new(g.findings.len()),
        ]);
    }
    keep_whole(&mut t, 0, groups.iter().take(limit).map(|g| g.rule));
    t
}

pub fn render(o: &Outcome, style: Style) -> String {
    let v = View::of(o);
    let h = &v.header;
    let mut out = String::new();
    let groups = &v.blocking;
    let one_line = common::one_line;
    let _ = writeln!(out, "shipgate {} {} — {}", env!("CARGO_PKG_VERSION"), v.command.name(), one_line(h.repo));
    let _ = writeln!(out, "base      {} ({})", one_line(&h.base.rev), common::short(&h.base.commit));
    if v.command != Command::ClosestSafe {
        let _ = writeln!(out, "head      {} ({})", one_line(&h.head.rev), common::short(&h.head.commit));
    }
    if let Some(m) = h.mainline {
        let _ = writeln!(out, "mainline  {} ({})", one_line(&m.rev), common::short(&m.commit));
    }
    out.push('\n');
    let limit = if style.details { usize::MAX } else { SHOWN };

    if v.command == Command::ClosestSafe {
        // The answer first; closest-safe does not gate, so no verdict wording.
        closest_safe(&mut out, &v, style);
    } else {
        let _ = writeln!(out, "{}\n", verdict_line(&v, style));
        if !groups.is_empty() {
            let _ = writeln!(out, "What blocks\n{}", group_table(style, groups, limit));
            more(&mut out, groups.len().saturating_sub(limit), "rule and service groups");
            out.push('\n');
        }
        overview(&mut out, &v, style, limit);
    }

    if !groups.is_empty() {
        let _ = writeln!(out, "Blocking findings ({})", v.counts.blocking);
        let per_group = if style.details { usize::MAX } else { PER_GROUP };
        let width = usize::from(style.width.unwrap_or(DEFAULT_WIDTH));
        for g in groups.iter().take(limit) {
            out.push('\n');
            let heading = format!("{} in {} ({}, {})", g.rule, g.service_label(), g.findings.len(), g.worst);
            for line in wrap(&heading, width) {
                let _ = writeln!(out, "{line}");
            }
            for f in g.findings.iter().take(per_group) {
                for line in wrap(f.display_subject(), width.saturating_sub(2).max(20)) {
                    let _ = writeln!(out, "  {line}");
                }
                let loc = v.block(f).location.map_or_else(String::new, |l| format!(" at {l}"));
                for line in wrap(&format!("{}{loc}", f.id), width.saturating_sub(4).max(20)) {
                    let _ = writeln!(out, "    {line}");
                }
                let mut msg = f.message.clone();
                if let Some(c) = &f.introduced_by {
                    let _ = write!(msg, " [introduced by {}]", common::short(c));
                }
                for line in wrap(&msg, width.saturating_sub(4).max(20)) {
                    let _ = writeln!(out, "    {line}");
                }
            }
            more(&mut out, g.findings.len().saturating_sub(per_group), "findings in this group");
        }
        more(&mut out, groups.len().saturating_sub(limit), "blocking groups");
        out.push('\n');
    }

    for (title, list, gs) in [
        (format!("Other findings (below {}, not gating)", v.fail_on), &v.split.other, &v.other),
        ("Excepted".to_string(), &v.split.excepted, &v.excepted),
    ] {
        if list.is_empty() {
            continue;
        }
        if style.details {
            let mut t = table(style, &["severity", "event", "subject", "message"]);
            for f in list.iter() {
                let mut msg = f.message.clone();
                if let Some(ex) = &f.exception {
                    let _ = write!(msg, " [excepted: {}]", ex.reason);
                }
                t.add_row(vec![severity_cell(f.severity, style), cell(&f.id), cell(f.display_subject()), cell(&msg)]);
            }
            keep_whole(&mut t, 1, list.iter().map(|f| f.id.as_str()));
            let _ = writeln!(out, "{title}: {}\n{t}\n", list.len());
        } else {
            let _ = writeln!(out, "{title}: {}, by rule and service\n{}", list.len(), group_table(style, gs, limit));
            more(&mut out, gs.len().saturating_sub(limit), "groups");
            out.push('\n');
        }
    }
    if v.counts.suppressed > 0 {
        let _ = writeln!(out, "Suppressed by the models' own metadata: {}\n", v.counts.suppressed);
    }
    // Pre-existing and resolved findings, folded to a count per rule (JSON lists each one).
    let width = usize::from(style.width.unwrap_or(DEFAULT_WIDTH));
    for fold in &v.held_at_base {
        for line in wrap(&fold.line(&|t| t.to_string()), width) {
            let _ = writeln!(out, "{line}");
        }
        out.push('\n');
    }

    let rows = &v.packages.rows;
    let notable: Vec<&view::PackageRow<'_>> =
        rows.iter().filter(|r| style.details || r.why.is_some() || r.package.status != "ok").collect();
    if !notable.is_empty() {
        let mut t = table(style, &["package", "publish", "from", "status", "why"]);
        for r in notable.iter().take(limit) {
            let from = match r.from {
                view::PublishFrom::Head => r.commit.to_string(),
                view::PublishFrom::Mainline => format!("{} (mainline)", r.commit),
            };
            t.add_row(vec![
                cell(&r.package.name),
                cell(r.version.unwrap_or("-")),
                Cell::new(from),
                cell(&r.package.status),
                cell(r.why.as_deref().unwrap_or("")),
            ]);
        }
        let what = if style.details { "" } else { ", those to look at" };
        let _ = writeln!(out, "Required packages ({} in all{what})\n{t}", rows.len());
        more(&mut out, notable.len().saturating_sub(limit), "packages");
        out.push('\n');
    } else if !rows.is_empty() {
        let _ = writeln!(
            out,
            "Required packages: {}, every one ok and in step with mainline (--details lists them).\n",
            rows.len()
        );
    }

    if v.command != Command::ClosestSafe {
        closest_safe(&mut out, &v, style);
    }
    let width = usize::from(style.width.unwrap_or(DEFAULT_WIDTH));
    for note in v.notes {
        for (i, line) in wrap(&format!("note: {note}"), width).into_iter().enumerate() {
            let _ = writeln!(out, "{}{line}", if i == 0 { "" } else { "  " });
        }
    }
    if v.command == Command::ClosestSafe {
        if let Some(line) = closest_safe_line(&v.closest_safe) {
            let _ = writeln!(out, "{line}");
        }
    } else {
        let _ = writeln!(out, "{}", verdict_line(&v, style));
    }
    out
}

fn verdict_line(v: &View<'_>, style: Style) -> String {
    let c = &v.counts;
    let word = v.header.verdict_word;
    let verdict = if style.color {
        let code = if v.verdict.as_ref().is_some_and(|x| x.pass) { 32 } else { 31 };
        format!("\x1b[1;{code}m{word}\x1b[0m")
    } else {
        word.to_string()
    };
    format!(
        "{verdict}: {} blocking at {}+ · {} error, {} danger, {} warning, {} note",
        c.blocking, v.fail_on, c.error, c.danger, c.warning, c.note
    )
}

/// The answer in one line; `None` when the command did not compute it.
fn closest_safe_line(cs: &ClosestSafeSection<'_>) -> Option<String> {
    Some(match cs {
        ClosestSafeSection::Missing(_) => return None,
        ClosestSafeSection::Found { commit, distance, candidates, .. } => format!(
            "Closest safe commit: {}, {distance} behind the mainline tip ({candidates} checked)",
            common::short(commit)
        ),
        ClosestSafeSection::NoneSafe { candidates, .. } => {
            format!("No safe commit among the {candidates} mainline candidates checked.")
        }
    })
}

fn closest_safe(out: &mut String, v: &View<'_>, style: Style) {
    let Some(line) = closest_safe_line(&v.closest_safe) else { return };
    let _ = writeln!(out, "{line}");
    let left_out = match &v.closest_safe {
        ClosestSafeSection::Found { left_out, .. } => {
            let _ = writeln!(
                out,
                "  It passes the gate at {} (mainline rules are not applied:\n  every candidate is on mainline).",
                v.fail_on
            );
            left_out
        }
        ClosestSafeSection::NoneSafe { left_out, .. } => left_out,
        ClosestSafeSection::Missing(_) => return,
    };
    if !left_out.is_empty() {
        let mut t = table(style, &["left out", "summary", "blocking findings it introduced"]);
        for l in left_out {
            t.add_row(vec![Cell::new(l.commit), cell(l.summary), cell(&l.cell(|t| t.to_string()))]);
        }
        let _ = writeln!(out, "{t}");
    }
    out.push('\n');
}

fn overview(out: &mut String, v: &View<'_>, style: Style, limit: usize) {
    let Some(ov) = &v.overview else { return };
    let changed_pkgs = ov.changed_packages.len();
    if ov.models == 0 && ov.files == 0 {
        out.push_str("No model or manifest file changed.\n\n");
        return;
    }
    let _ = writeln!(out, "What changed: {} model file(s), {changed_pkgs} package(s)", ov.models);
    let rows = &ov.services;
    if !rows.is_empty() {
        let mut t = table(style, &["service", "ops +/−/~", "shapes +/−/~", "blocking", "other"]);
        for r in rows.iter().take(limit) {
            let m = r.model;
            t.add_row(vec![
                cell(if r.service == "–" { &m.path } else { &r.service }),
                Cell::new(view::triple(
                    m.operations_added.len(),
                    m.operations_removed.len(),
                    m.operations_changed.len(),
                )),
                Cell::new(view::triple(m.shapes.added, m.shapes.removed, m.shapes.changed)),
                Cell::new(r.blocking),
                Cell::new(r.other),
            ]);
        }
        let _ = writeln!(out, "{t}");
        more(out, rows.len().saturating_sub(limit), "services");
    }
    if let Some((current, median, n)) = ov.diff_size {
        match median {
            Some(m) => {
                let _ = writeln!(
                    out,
                    "Diff size: {current} shapes and packages; median of the {n} previous release(s): {m}."
                );
            }
            None => {
                let _ = writeln!(out, "Diff size: {current} shapes and packages; no earlier release to compare with.");
            }
        }
    }
    out.push('\n');
}
