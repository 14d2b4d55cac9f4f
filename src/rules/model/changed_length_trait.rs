//! ERROR when `@length` is tightened (min raised or max lowered / added).
use super::Event;
use crate::diff::smithy::Differences;
use crate::rules::catalog;

pub fn evaluate(d: &Differences<'_>, out: &mut Vec<Event>) {
    let severity = catalog::severity("ChangedLengthTrait");
    super::changed_range_trait::tightened(d, "smithy.api#length", "ChangedLengthTrait", severity, out);
}
