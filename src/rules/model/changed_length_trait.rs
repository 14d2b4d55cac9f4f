//! ERROR when `@length` is tightened (min raised or max lowered / added).
use super::Event;
use crate::diff::smithy::Differences;

pub fn evaluate(d: &Differences<'_>, out: &mut Vec<Event>) {
    super::changed_range_trait::tightened(d, "smithy.api#length", "ChangedLengthTrait", out);
}
