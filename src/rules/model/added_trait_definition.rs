//! NOTE when a trait definition is added.
use super::Event;
use crate::diff::smithy::Differences;
use crate::rules::catalog;

pub fn evaluate(d: &Differences<'_>, out: &mut Vec<Event>) {
    for v in d.added.iter().filter(|v| v.has_trait("smithy.api#trait")) {
        let id = v.id();
        out.push(Event::new(
            "AddedTraitDefinition",
            catalog::severity("AddedTraitDefinition"),
            &id,
            format!("Trait definition `{id}` was added"),
        ));
    }
}
