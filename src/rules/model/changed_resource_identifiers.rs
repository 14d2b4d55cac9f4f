//! ERROR when a resource's identifiers change.
use super::Event;
use crate::diff::smithy::Differences;
use crate::parse::smithy::ShapeType;
use crate::rules::catalog;
use std::collections::BTreeMap;

fn java_map(m: &BTreeMap<String, String>) -> String {
    let parts: Vec<String> = m.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("{{{}}}", parts.join(", "))
}

pub fn evaluate(d: &Differences<'_>, out: &mut Vec<Event>) {
    for c in d.changed_of(&[ShapeType::Resource]) {
        let (Some(old), Some(new)) = (c.old.shape(), c.new.shape()) else {
            continue;
        };
        if old.identifiers != new.identifiers {
            let (o, n) = (java_map(&old.identifiers), java_map(&new.identifiers));
            out.push(
                Event::new(
                    "ChangedResourceIdentifiers",
                    catalog::severity("ChangedResourceIdentifiers"),
                    &new.id,
                    format!("Identifiers of resource `{}` changed from {o} to {n}.", new.id),
                )
                .with_change(o, n),
            );
        }
    }
}
