//! ERROR when a shape is removed, WARNING (`RemovedShape.ScalarShape`) for scalars; `@private`
//! shapes and the members of removed shapes are skipped.
use super::Event;
use crate::diff::smithy::Differences;
use crate::diff::smithy::view::View;
use crate::parse::smithy::ShapeType;
use crate::rules::catalog;

pub fn evaluate(d: &Differences<'_>, out: &mut Vec<Event>) {
    for v in &d.removed {
        if v.has_trait("smithy.api#private") {
            continue;
        }
        if let View::Member(container, _) = v
            && !d.new.model.has(&container.id)
        {
            continue;
        }
        let id = v.id();
        let message = format!("Removed {} `{id}`", v.kind());
        use ShapeType::*;
        let scalar = match v.kind() {
            BigDecimal | BigInteger | Blob | Boolean | Byte | Double | Float | Short | Timestamp | Long | Integer => {
                true
            }
            String => !v.has_trait("smithy.api#enum"),
            _ => false,
        };
        if scalar {
            out.push(Event::new(
                "RemovedShape.ScalarShape",
                catalog::severity("RemovedShape.ScalarShape"),
                &id,
                message,
            ));
        } else {
            out.push(Event::new("RemovedShape", catalog::severity("RemovedShape"), &id, message));
        }
    }
}
