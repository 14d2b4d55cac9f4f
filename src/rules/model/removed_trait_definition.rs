//! ERROR when a trait definition is removed.
use super::Event;
use crate::diff::smithy::Differences;
use crate::rules::catalog;

pub fn evaluate(d: &Differences<'_>, out: &mut Vec<Event>) {
    for v in d.removed.iter().filter(|v| v.has_trait("smithy.api#trait")) {
        let id = v.id();
        out.push(Event::new(
            "RemovedTraitDefinition",
            catalog::severity("RemovedTraitDefinition"),
            &id,
            format!("Trait definition `{id}` was removed"),
        ));
    }
}
