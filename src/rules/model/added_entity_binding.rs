//! NOTE when an operation or resource is bound to an existing service or resource.
use super::{Event, name_of};
use crate::diff::smithy::Differences;
use crate::finding::Severity;
use crate::parse::smithy::ShapeType;

const ENTITIES: [ShapeType; 2] = [ShapeType::Service, ShapeType::Resource];

pub fn evaluate(d: &Differences<'_>, out: &mut Vec<Event>) {
    for c in d.changed_of(&ENTITIES) {
        let (Some(old), Some(new)) = (c.old.shape(), c.new.shape()) else {
            continue;
        };
        let to = if new.kind == ShapeType::Resource { "ToResource" } else { "ToService" };
        for (kind, id, old_list, new_list) in [
            ("Operation", "AddedOperationBinding", &old.operations, &new.operations),
            ("Resource", "AddedResourceBinding", &old.resources, &new.resources),
        ] {
            for child in new_list.iter().filter(|x| !old_list.contains(x)) {
                out.push(Event::new(
                    format!("{id}.{to}.{}", name_of(child)),
                    Severity::Note,
                    &new.id,
                    format!("{kind} binding of `{child}` was added to the {} shape, `{}`", new.kind, new.id),
                ));
            }
        }
    }
}
