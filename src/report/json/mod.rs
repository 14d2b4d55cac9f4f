//! The JSON report: the stable contract (`schema_version` 1, schema in `schema/report.schema.json`).
//! The contract's own types are in [`view`], converted from the outcome; every list is already
//! sorted in the outcome.
//!
//! May depend on: `outcome`, `finding`, `rules::catalog`.
pub mod view;

pub use view::SCHEMA_VERSION;

pub fn render(o: &crate::outcome::Outcome) -> String {
    let mut out = Vec::new();
    write(o, &mut out).expect("writing to memory cannot fail");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// [`render`], streamed to `w` (the report of a bulk update is tens of megabytes; it is never
/// held whole in memory on its way to a file or stdout).
pub fn write(o: &crate::outcome::Outcome, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, &view::Report::of(o)).map_err(std::io::Error::from)?;
    w.write_all(b"\n")
}
