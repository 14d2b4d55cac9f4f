//! smithy-diff registers `RemovedAuthenticationScheme` without logic (its source is a TODO that
//! returns no events); removing an auth trait is reported by `TraitBreakingChange` through the
//! auth traits' `breakingChanges` instead. Mirrored here for parity: no events.
use super::Event;
use crate::diff::smithy::Differences;

pub fn evaluate(_d: &Differences<'_>, _out: &mut Vec<Event>) {}
