//! ERROR when an operation's output shape changes.
use super::Event;
use crate::diff::smithy::Differences;
use crate::parse::smithy::ShapeType;
use crate::rules::catalog;

pub fn evaluate(d: &Differences<'_>, out: &mut Vec<Event>) {
    for c in d.changed_of(&[ShapeType::Operation]) {
        let (Some(old), Some(new)) = (c.old.shape(), c.new.shape()) else {
            continue;
        };
        if old.output != new.output {
            out.push(
                Event::new(
                    format!("ChangedOperationOutput.From.{}.To.{}", old.output, new.output),
                    catalog::severity("ChangedOperationOutput.From.<old output shape id>.To.<new output shape id>"),
                    &new.id,
                    format!("Changed operation output of `{}` from `{}` to `{}`", new.id, old.output, new.output),
                )
                .with_change(&old.output, &new.output),
            );
        }
    }
}
