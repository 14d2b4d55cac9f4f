//! ERROR when `@length` is tightened (min raised or max lowered / added).
use crate::diff::smithy::{Differences, Event};

pub fn evaluate(d: &Differences<'_>, out: &mut Vec<Event>) {
    super::changed_range_trait::tightened(d, "smithy.api#length", "ChangedLengthTrait", out);
}
