//! DANGER when a metadata key is removed.
use super::Event;
use crate::diff::smithy::Differences;
use crate::rules::catalog;

pub fn evaluate(d: &Differences<'_>, out: &mut Vec<Event>) {
    for (k, v) in &d.old.model.metadata {
        if !d.new.model.metadata.contains_key(k) {
            out.push(Event::metadata(
                format!("RemovedMetadata.{k}"),
                catalog::severity("RemovedMetadata.<metadata key>"),
                k,
                format!("Metadata key `{k}` was removed with the following value: {}", v.to_pretty_json()),
            ));
        }
    }
}
