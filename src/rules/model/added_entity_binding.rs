//! NOTE when an operation or resource is bound to an existing service or resource.
use super::{Event, name_of};
use crate::diff::smithy::Differences;
use crate::parse::smithy::ShapeType;
use crate::rules::catalog;

const ENTITIES: [ShapeType; 2] = [ShapeType::Service, ShapeType::Resource];

pub fn evaluate(d: &Differences<'_>, out: &mut Vec<Event>) {
    for c in d.changed_of(&ENTITIES) {
        let (Some(old), Some(new)) = (c.old.shape(), c.new.shape()) else {
            continue;
        };
        let to_resource = new.kind == ShapeType::Resource;
        let to = if to_resource { "ToResource" } else { "ToService" };
        let operation = match to_resource {
            true => catalog::severity("AddedOperationBinding.ToResource.<operation name>"),
            false => catalog::severity("AddedOperationBinding.ToService.<operation name>"),
        };
        let resource = match to_resource {
            true => catalog::severity("AddedResourceBinding.ToResource.<resource name>"),
            false => catalog::severity("AddedResourceBinding.ToService.<resource name>"),
        };
        for (kind, id, severity, old_list, new_list) in [
            ("Operation", "AddedOperationBinding", operation, &old.operations, &new.operations),
            ("Resource", "AddedResourceBinding", resource, &old.resources, &new.resources),
        ] {
            for child in new_list.iter().filter(|x| !old_list.contains(x)) {
                out.push(Event::new(
                    format!("{id}.{to}.{}", name_of(child)),
                    severity,
                    &new.id,
                    format!("{kind} binding of `{child}` was added to the {} shape, `{}`", new.kind, new.id),
                ));
            }
        }
    }
}
