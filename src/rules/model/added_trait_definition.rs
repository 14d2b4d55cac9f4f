//! NOTE when a trait definition is added.
use super::Event;
use crate::diff::smithy::Differences;
use crate::finding::Severity;

pub fn evaluate(d: &Differences<'_>, out: &mut Vec<Event>) {
    for v in d.added.iter().filter(|v| v.has_trait("smithy.api#trait")) {
        let id = v.id();
        out.push(Event::new("AddedTraitDefinition", Severity::Note, &id, format!("Trait definition `{id}` was added")));
    }
}
