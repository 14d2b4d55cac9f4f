//! ERROR/DANGER for `@default` changes that break previously generated code.
use super::Event;
use crate::diff::smithy::{Changed, Differences};
use crate::parse::json::Node;
use crate::parse::smithy::ShapeType;
use crate::rules::catalog;

const DEFAULT: &str = "smithy.api#default";

/// `NullableIndex.isDefaultZeroValueOfTypeInV1`.
pub fn is_zero_value(value: &Node, kind: ShapeType) -> bool {
    match kind {
        ShapeType::Boolean => value.as_bool() == Some(false),
        ShapeType::Byte
        | ShapeType::Short
        | ShapeType::Integer
        | ShapeType::IntEnum
        | ShapeType::Long
        | ShapeType::Float
        | ShapeType::Double => value.as_decimal().is_some_and(|d| d.is_zero()),
        _ => false,
    }
}

pub fn evaluate(d: &Differences<'_>, out: &mut Vec<Event>) {
    for c in &d.changed {
        match (c.old_trait(DEFAULT), c.new_trait(DEFAULT)) {
            (Some(old), None) if !inconsequential_removal(d, c, old) => {
                out.push(Event::new(
                    "ChangedDefault",
                    catalog::severity("ChangedDefault"),
                    &c.id,
                    "@default trait was removed. This will break previously generated code.",
                ));
            }
            (None, Some(new)) => {
                if c.new.kind() != ShapeType::Member {
                    out.push(Event::new(
                        "ChangedDefault",
                        catalog::severity("ChangedDefault"),
                        &c.id,
                        format!("Adding the @default trait to a root-level shape will break previously generated code. Added @default: {}", new.to_json()),
                    ));
                } else if !c.new.has_trait("smithy.api#addedDefault") && !new.is_null() {
                    out.push(Event::new(
                        "ChangedDefault",
                        catalog::severity("ChangedDefault"),
                        &c.id,
                        format!(
                            "Adding the @default trait to a member without also adding the @addedDefault trait will break previously generated code. Added @default: {}",
                            new.to_json()
                        ),
                    ));
                }
            }
            (Some(old), Some(new)) if old != new => changed_value(d, c, old, new, out),
            _ => {}
        }
    }
}

fn inconsequential_removal(d: &Differences<'_>, c: &Changed<'_>, old: &Node) -> bool {
    let Some(member) = c.new.member() else {
        return false;
    };
    if !old.is_null() {
        return false;
    }
    d.new.target_of(member).and_then(|t| t.traits.get(DEFAULT)).is_none_or(Node::is_null)
}

fn changed_value(d: &Differences<'_>, c: &Changed<'_>, old: &Node, new: &Node, out: &mut Vec<Event>) {
    let (o, n) = (old.to_json(), new.to_json());
    let Some(member) = c.new.member() else {
        out.push(
            Event::new(
                "ChangedDefault",
                catalog::severity("ChangedDefault"),
                &c.id,
                format!("Changing the @default value of a root-level shape will break previously generated code. Old value: {o}. New value: {n}"),
            )
            .with_change(o, n),
        );
        return;
    };
    let kind = d.new.target_of(member).map_or(ShapeType::Document, |t| t.kind);
    let (old_zero, new_zero) = (is_zero_value(old, kind), is_zero_value(new, kind));
    let (severity, message) = if old_zero == new_zero {
        (
            catalog::severity_in("ChangedDefault", "member-value"),
            format!(
                "Changing the @default value of a member is dangerous and could break previously generated code or lead to subtle errors. Do this only when strictly necessary. Old value: {o}. New value: {n}"
            ),
        )
    } else if old_zero {
        (
            catalog::severity("ChangedDefault"),
            format!(
                "The @default trait of this member changed from the zero value of the target shape, `{o}`, to a value that is not the zero value, `{n}`. This will break previously generated code."
            ),
        )
    } else {
        (
            catalog::severity("ChangedDefault"),
            format!(
                "The @default trait of this member changed from something other than the zero value of the target shape, `{o}`, to the zero value, `{n}`. This will break previously generated code."
            ),
        )
    };
    out.push(Event::new("ChangedDefault", severity, &c.id, message).with_change(o, n));
}
