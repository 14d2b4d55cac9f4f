//! Renderers: each reads an [`Outcome`](crate::outcome::Outcome) and returns text. Nothing here
//! prints or touches the file system; the CLI decides where text goes.
//!
//! The human formats (`md`, `html`, `table`) encode one [`view::View`] of typed sections built
//! from the outcome; `json` encodes its own contract types ([`json::view`]); `sarif` and
//! `github` read the outcome through the helpers in [`common`].
//!
//! May depend on: `outcome`, `finding`, `rules` (the catalog, for rule titles), `date`.
use crate::outcome::Outcome;

pub mod common;
pub mod github;
pub mod html;
pub mod json;
pub mod md;
pub mod replay;
pub mod sarif;
pub mod table;
pub mod view;

/// Every output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    Table,
    Json,
    Md,
    Html,
    Sarif,
    Github,
}

impl Format {
    pub const ALL: [Format; 6] = [Format::Table, Format::Json, Format::Md, Format::Html, Format::Sarif, Format::Github];

    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Md => "md",
            Format::Html => "html",
            Format::Sarif => "sarif",
            Format::Github => "github",
        }
    }

    pub fn parse(s: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == s || (s == "markdown" && *f == Format::Md))
    }
}

/// How text is rendered: `color` and `width` change the look of `table` only; `opts` are the
/// user's choices of what machine formats keep.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    /// ANSI colours (terminal only, `NO_COLOR` unset).
    pub color: bool,
    /// Terminal width for tables, when known.
    pub width: Option<u16>,
    /// `--details`: list every finding in md, html and table instead of folding notes, findings
    /// below `--fail-on` and long groups into counts and examples (JSON always lists everything).
    pub details: bool,
    pub opts: Options,
}

/// Choices a user makes about output content (`--sarif-min-level`).
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Lowest severity SARIF keeps as a result (default `warning`); the rest are counted in
    /// `run.properties`.
    pub sarif_min_level: crate::finding::Severity,
}

impl Default for Options {
    fn default() -> Self {
        Options { sarif_min_level: crate::finding::Severity::Warning }
    }
}

/// Writes [`render`]'s bytes to `w`; JSON is streamed rather than rendered into one string.
pub fn write(format: Format, outcome: &Outcome, style: Style, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    match format {
        Format::Json => json::write(outcome, w),
        _ => w.write_all(render(format, outcome, style).as_bytes()),
    }
}

/// Renders `outcome` in `format`. Every format is a pure function of the outcome: same outcome,
/// same bytes (no clock, no environment; `style` only changes colour and width of `table`).
pub fn render(format: Format, outcome: &Outcome, style: Style) -> String {
    match format {
        Format::Table => table::render(outcome, style),
        Format::Json => json::render(outcome),
        Format::Md => md::render(outcome, style),
        Format::Html => html::render(outcome, style),
        Format::Sarif => sarif::render(outcome, style.opts),
        Format::Github => github::render(outcome),
    }
}
