//! WARNING when an error is removed from a service.
use super::Event;
use crate::diff::smithy::Differences;
use crate::parse::smithy::ShapeType;
use crate::rules::catalog;

pub fn evaluate(d: &Differences<'_>, out: &mut Vec<Event>) {
    for c in d.changed_of(&[ShapeType::Service]) {
        let (Some(old), Some(new)) = (c.old.shape(), c.new.shape()) else {
            continue;
        };
        if old.errors == new.errors {
            continue;
        }
        for e in old.errors.iter().filter(|e| !new.errors.contains(e)) {
            // smithy-diff passes the service id and the error id in this order; kept for parity.
            out.push(Event::new(
                "RemovedServiceError",
                catalog::severity("RemovedServiceError"),
                &new.id,
                format!(
                    "The `{}` error was removed from the `{e}` service. This means that it is no longer considered an error common to all operations within the service.",
                    new.id
                ),
            ));
        }
    }
}
