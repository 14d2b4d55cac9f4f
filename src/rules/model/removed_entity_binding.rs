//! ERROR when an operation or resource binding is removed from a service or resource; only a
//! NOTE when an operation removed from a service stays in its closure through a resource.
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
        let from = if new.kind == ShapeType::Resource { "FromResource" } else { "FromService" };
        let contained =
            if new.kind == ShapeType::Service { d.new.contained_operations(new) } else { Default::default() };
        for op in old.operations.iter().filter(|x| !new.operations.contains(x)) {
            let id = format!("RemovedOperationBinding.{from}.{}", name_of(op));
            if contained.contains(op) {
                out.push(Event::new(
                    id,
                    catalog::severity_in("RemovedOperationBinding.FromService.<operation name>", "still-in-closure"),
                    &new.id,
                    format!(
                        "Operation binding of `{op}` was removed from service shape, `{}`, but the operation remains in the service closure through a resource",
                        new.id
                    ),
                ));
            } else {
                let severity = match new.kind {
                    ShapeType::Resource => catalog::severity("RemovedOperationBinding.FromResource.<operation name>"),
                    _ => catalog::severity("RemovedOperationBinding.FromService.<operation name>"),
                };
                out.push(Event::new(
                    id,
                    severity,
                    &new.id,
                    format!("Operation binding of `{op}` was removed from {} shape, `{}`", new.kind, new.id),
                ));
            }
        }
        let severity = match new.kind {
            ShapeType::Resource => catalog::severity("RemovedResourceBinding.FromResource.<resource name>"),
            _ => catalog::severity("RemovedResourceBinding.FromService.<resource name>"),
        };
        for r in old.resources.iter().filter(|x| !new.resources.contains(x)) {
            out.push(Event::new(
                format!("RemovedResourceBinding.{from}.{}", name_of(r)),
                severity,
                &new.id,
                format!("Resource binding of `{r}` was removed from {} shape, `{}`", new.kind, new.id),
            ));
        }
    }
}
