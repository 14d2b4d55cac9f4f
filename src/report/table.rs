//! The terminal report: a short header, then comfy-table tables. Colour only when the CLI says
//! so (`--color`, `NO_COLOR`, `CLICOLOR_FORCE`). Tables are fitted to [`Style::width`] (the
//! terminal's width, or `COLUMNS`; [`DEFAULT_WIDTH`] when neither is known); identifier columns
//! (rule ids, package names, paths) are never split mid-word: the free-text columns wrap instead.
use super::Style;
use crate::finding::Severity;
use crate::outcome::{Outcome, Verdict};
use comfy_table::{Cell, Color, ColumnConstraint, ContentArrangement, Table, Width, presets::UTF8_FULL_CONDENSED};
use std::fmt::Write;

/// Width of a table when neither a terminal nor `COLUMNS` says.
pub const DEFAULT_WIDTH: u16 = 120;
/// Below this width the findings table stacks its columns.
const NARROW: u16 = 100;

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

/// Keeps column `index` at least as wide as its widest entry (an id), so comfy-table wraps the
/// other columns instead of splitting the id. A table wider than the terminal is better than an
/// id that cannot be copied.
fn keep_whole(t: &mut Table, index: usize, entries: impl Iterator<Item = usize>) {
    // + 2: the constraint counts the cell's padding.
    let widest = (entries.max().unwrap_or(0).max(1) + 2).min(u16::MAX as usize) as u16;
    if let Some(c) = t.column_mut(index) {
        c.set_constraint(ColumnConstraint::LowerBoundary(Width::Fixed(widest)));
    }
}

/// Display width of an id (ids are ASCII in practice; count chars to be safe).
fn width_of(s: &str) -> usize {
    s.chars().count()
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

fn short(commit: &str) -> &str {
    commit.get(..12).unwrap_or(commit)
}

pub fn render(o: &Outcome, style: Style) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "shipgate {} — {}", env!("CARGO_PKG_VERSION"), o.repo);
    let _ = writeln!(out, "base      {} ({})", o.base.rev, short(&o.base.commit));
    let _ = writeln!(out, "head      {} ({})", o.head.rev, short(&o.head.commit));
    if let Some(m) = &o.mainline {
        let _ = writeln!(out, "mainline  {} ({})", m.rev, short(&m.commit));
    }
    out.push('\n');

    if !o.files.is_empty() {
        let mut t = table(style, &["status", "kind", "path", "base bytes", "head bytes"]);
        for f in &o.files {
            let size = |s: Option<u64>| s.map_or("-".to_string(), |v| v.to_string());
            t.add_row(vec![
                Cell::new(format!("{:?}", f.status).to_lowercase()),
                Cell::new(&f.kind),
                Cell::new(&f.path),
                Cell::new(size(f.base_size)),
                Cell::new(size(f.head_size)),
            ]);
        }
        keep_whole(&mut t, 2, o.files.iter().map(|f| width_of(&f.path)));
        let _ = writeln!(out, "Changed files ({})\n{t}\n", o.files.len());
    } else {
        out.push_str("No model or manifest file changed.\n\n");
    }

    if !o.models.is_empty() {
        let mut t = table(style, &["model", "status", "added", "removed", "changed"]);
        for m in &o.models {
            t.add_row(vec![
                Cell::new(&m.path),
                Cell::new(format!("{:?}", m.status).to_lowercase()),
                Cell::new(m.shapes.added),
                Cell::new(m.shapes.removed),
                Cell::new(m.shapes.changed),
            ]);
        }
        keep_whole(&mut t, 0, o.models.iter().map(|m| width_of(&m.path)));
        let _ = writeln!(out, "Models\n{t}\n");
    }

    if !o.packages.is_empty() {
        let mut t = table(style, &["package", "base", "head", "mainline", "changed", "status"]);
        for p in &o.packages {
            let v = |s: &Option<String>| s.clone().unwrap_or_else(|| "-".into());
            t.add_row(vec![
                Cell::new(format!("{} ({})", p.name, p.ecosystem)),
                Cell::new(v(&p.base_version)),
                Cell::new(v(&p.head_version)),
                Cell::new(v(&p.mainline_version)),
                Cell::new(if p.changed { "yes" } else { "no" }),
                Cell::new(&p.status),
            ]);
        }
        keep_whole(&mut t, 0, o.packages.iter().map(|p| width_of(&p.name) + width_of(&p.ecosystem) + 3));
        let _ = writeln!(out, "Packages\n{t}\n");
    }

    let shown: Vec<_> = o.findings.iter().filter(|f| f.severity != Severity::Suppressed).collect();
    if !shown.is_empty() {
        // Narrow terminals get two columns (severity, then id / subject and location / message
        // stacked in one cell): five columns at 80 characters leave each a few letters.
        let narrow = style.width.unwrap_or(DEFAULT_WIDTH) < NARROW;
        let mut t = if narrow {
            let mut t = table(style, &["severity", "finding"]);
            t.set_content_arrangement(ContentArrangement::DynamicFullWidth);
            t
        } else {
            table(style, &["severity", "rule", "subject", "location", "message"])
        };
        for f in &shown {
            let loc = match (&f.path, f.line) {
                (Some(p), Some(l)) => format!("{p}:{l}"),
                (Some(p), None) => p.clone(),
                _ => String::new(),
            };
            let mut msg = f.message.clone();
            if let Some(ex) = &f.exception {
                let _ = write!(msg, " [excepted: {}]", ex.reason);
            }
            if let Some(c) = &f.introduced_by {
                let _ = write!(msg, " [introduced by {}]", short(c));
            }
            if narrow {
                let place = if loc.is_empty() { f.subject.clone() } else { format!("{}  {loc}", f.subject) };
                t.add_row(vec![severity_cell(f.severity, style), Cell::new(format!("{}\n{place}\n{msg}", f.id))]);
            } else {
                t.add_row(vec![
                    severity_cell(f.severity, style),
                    Cell::new(&f.id),
                    Cell::new(&f.subject),
                    Cell::new(loc),
                    Cell::new(msg),
                ]);
            }
        }
        keep_whole(&mut t, 0, std::iter::once(width_of("severity")));
        // The id column (or the stacked cell, whose first line is the id) never splits an id.
        keep_whole(&mut t, 1, shown.iter().map(|f| width_of(&f.id)));
        let _ = writeln!(out, "Findings ({})\n{t}\n", shown.len());
    }

    if let Some(cs) = &o.closest_safe {
        match (&cs.commit, cs.distance) {
            (Some(c), Some(d)) => {
                let _ = writeln!(out, "Closest safe commit: {c} ({d} commit(s) behind the mainline tip)");
                for l in &cs.left_out {
                    let _ = writeln!(out, "  leaves out {} {}", short(&l.commit), l.summary);
                }
            }
            _ => {
                let _ =
                    writeln!(out, "No safe commit among the {} mainline candidates checked.", cs.candidates_checked);
            }
        }
        out.push('\n');
    }

    for note in &o.notes {
        let _ = writeln!(out, "note: {note}");
    }
    let counts = o.counts();
    let verdict = match o.verdict {
        Verdict::Pass => "PASS",
        Verdict::Fail => "FAIL",
    };
    let verdict = if style.color {
        let code = if o.verdict == Verdict::Pass { 32 } else { 31 };
        format!("\x1b[1;{code}m{verdict}\x1b[0m")
    } else {
        verdict.to_string()
    };
    let _ = writeln!(
        out,
        "{verdict}: {} error, {} danger, {} warning, {} note (gate fails on {} and above)",
        counts[&Severity::Error],
        counts[&Severity::Danger],
        counts[&Severity::Warning],
        counts[&Severity::Note],
        o.fail_on
    );
    out
}
