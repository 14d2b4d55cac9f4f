//! ERROR when an operation's input shape changes.
use super::Event;
use crate::diff::smithy::Differences;
use crate::parse::smithy::ShapeType;
use crate::rules::catalog;

pub fn evaluate(d: &Differences<'_>, out: &mut Vec<Event>) {
    for c in d.changed_of(&[ShapeType::Operation]) {
        let (Some(old), Some(new)) = (c.old.shape(), c.new.shape()) else {
            continue;
        };
        if old.input != new.input {
            out.push(
                Event::new(
                    format!("ChangedOperationInput.From.{}.To.{}", old.input, new.input),
                    catalog::severity("ChangedOperationInput.From.<old input shape id>.To.<new input shape id>"),
                    &new.id,
                    format!("Changed operation input of `{}` from `{}` to `{}`", new.id, old.input, new.input),
                )
                .with_change(&old.input, &new.input),
            );
        }
    }
}
