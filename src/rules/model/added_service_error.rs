//! WARNING when an error is added to a service (common to all its operations).
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
        for e in new.errors.iter().filter(|e| !old.errors.contains(e)) {
            out.push(Event::new(
                "AddedServiceError",
                catalog::severity("AddedServiceError"),
                &new.id,
                format!(
                    "The `{e}` error was added to the `{}` service, making this error common to all operations within the service. This is backward-compatible if the error is only encountered as a result of a change in behavior of the client (for example, the client sends a new parameter to an operation).",
                    new.id
                ),
            ));
        }
    }
}
