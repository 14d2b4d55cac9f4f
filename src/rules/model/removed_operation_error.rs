//! WARNING when an error is removed from an operation.
use super::{Event, name_of};
use crate::diff::smithy::Differences;
use crate::parse::smithy::ShapeType;
use crate::rules::catalog;

pub fn evaluate(d: &Differences<'_>, out: &mut Vec<Event>) {
    for c in d.changed_of(&[ShapeType::Operation]) {
        let (Some(old), Some(new)) = (c.old.shape(), c.new.shape()) else {
            continue;
        };
        if old.errors == new.errors {
            continue;
        }
        for e in old.errors.iter().filter(|e| !new.errors.contains(e)) {
            out.push(Event::new(
                format!("RemovedOperationError.{}", name_of(e)),
                catalog::severity("RemovedOperationError.<error name>"),
                &new.id,
                format!("The `{e}` error was removed from the `{}` operation.", new.id),
            ));
        }
    }
}
