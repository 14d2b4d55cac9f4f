//! ERROR when a service `rename` entry is removed or changed, or added for a shape that was
//! already in the service's closure.
use super::Event;
use crate::diff::smithy::Differences;
use crate::parse::smithy::ShapeType;
use crate::rules::catalog;

pub fn evaluate(d: &Differences<'_>, out: &mut Vec<Event>) {
    for c in d.changed_of(&[ShapeType::Service]) {
        let (Some(old), Some(new)) = (c.old.shape(), c.new.shape()) else {
            continue;
        };
        if old.rename == new.rename {
            continue;
        }
        for (shape, to) in &old.rename {
            match new.rename.get(shape) {
                None => out.push(Event::new(
                    "ServiceRename",
                    catalog::severity("ServiceRename"),
                    &new.id,
                    format!("Service rename of `{shape}` to `{to}` was removed"),
                )),
                Some(n) if n != to => out.push(
                    Event::new(
                        "ServiceRename",
                        catalog::severity("ServiceRename"),
                        &new.id,
                        format!("Service rename of `{shape}` was changed from `{to}` to `{n}`"),
                    )
                    .with_change(to, n),
                ),
                Some(_) => {}
            }
        }
        let closure = d.old.closure(old);
        for (shape, to) in &new.rename {
            if !old.rename.contains_key(shape) && closure.contains(shape) {
                out.push(Event::new(
                    "ServiceRename",
                    catalog::severity("ServiceRename"),
                    &new.id,
                    format!("Service rename of `{shape}` to `{to}` was added to an old shape"),
                ));
            }
        }
    }
}
