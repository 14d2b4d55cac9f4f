//! WARNING when the value of a metadata key changes.
use super::Event;
use crate::diff::smithy::Differences;
use crate::rules::catalog;

pub fn evaluate(d: &Differences<'_>, out: &mut Vec<Event>) {
    for (k, old) in &d.old.model.metadata {
        if let Some(new) = d.new.model.metadata.get(k).filter(|n| *n != old) {
            let (o, n) = (old.to_pretty_json(), new.to_pretty_json());
            out.push(
                Event::metadata(
                    "ChangedMetadata",
                    catalog::severity("ChangedMetadata"),
                    k,
                    format!("Metadata key `{k}` was changed from {o} to {n}"),
                )
                .with_change(o, n),
            );
        }
    }
}
