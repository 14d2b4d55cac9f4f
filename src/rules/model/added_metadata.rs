//! NOTE when a metadata key is added.
use super::Event;
use crate::diff::smithy::Differences;
use crate::rules::catalog;

pub fn evaluate(d: &Differences<'_>, out: &mut Vec<Event>) {
    for (k, v) in &d.new.model.metadata {
        if !d.old.model.metadata.contains_key(k) {
            out.push(Event::metadata(
                "AddedMetadata",
                catalog::severity("AddedMetadata"),
                k,
                format!("Metadata key `{k}` was added with the following value: {}", v.to_pretty_json()),
            ));
        }
    }
}
