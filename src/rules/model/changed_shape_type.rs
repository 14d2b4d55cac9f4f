//! ERROR when a shape's type changes, except set → list with `@uniqueItems` and
//! string-with-`@enum` → enum (both recommended migrations).
use super::Event;
use crate::diff::smithy::{Changed, Differences};
use crate::parse::smithy::ShapeType;
use crate::rules::catalog;

/// A string with the `@enum` trait became an enum shape.
pub fn string_to_enum(c: &Changed<'_>) -> bool {
    c.old.has_trait("smithy.api#enum") && c.new.kind() == ShapeType::Enum
}

pub fn evaluate(d: &Differences<'_>, out: &mut Vec<Event>) {
    for c in &d.changed {
        let (o, n) = (c.old.kind(), c.new.kind());
        if o == n
            || string_to_enum(c)
            || (o == ShapeType::Set && n == ShapeType::List && c.new.has_trait("smithy.api#uniqueItems"))
        {
            continue;
        }
        out.push(
            Event::new(
                "ChangedShapeType",
                catalog::severity("ChangedShapeType"),
                &c.id,
                format!("Shape `{}` type was changed from `{o}` to `{n}`.", c.id),
            )
            .with_change(o.as_str(), n.as_str()),
        );
    }
}
