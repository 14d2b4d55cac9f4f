//! Enum values: NOTE when appended, ERROR when removed, renamed or inserted before the end.
//! Covers the `@enum` trait on strings, enum shapes (through their members, as Smithy's
//! synthetic enum trait does) and string-with-`@enum` → enum shape conversions.
use super::Event;
use crate::diff::smithy::view::View;
use crate::diff::smithy::{Changed, Differences};
use crate::parse::json::Node;
use crate::parse::smithy::ShapeType;
use crate::rules::catalog;

struct Def {
    value: String,
    name: Option<String>,
}

fn definitions(v: &View<'_>) -> Option<Vec<Def>> {
    if let Some(list) = v.traits().get("smithy.api#enum").and_then(Node::as_array) {
        return Some(
            list.iter()
                .map(|d| Def {
                    value: d.get("value").and_then(Node::as_str).unwrap_or_default().to_string(),
                    name: d.get("name").and_then(Node::as_str).map(str::to_string),
                })
                .collect(),
        );
    }
    let shape = v.shape().filter(|s| s.kind == ShapeType::Enum)?;
    Some(
        shape
            .members
            .iter()
            .map(|m| Def {
                value: m.traits.get("smithy.api#enumValue").and_then(Node::as_str).unwrap_or(&m.name).to_string(),
                name: Some(m.name.clone()),
            })
            .collect(),
    )
}

fn pair(c: &Changed<'_>) -> Option<(Vec<Def>, Vec<Def>)> {
    let has_enum = |v: &View<'_>| v.has_trait("smithy.api#enum") || v.kind() == ShapeType::Enum;
    if !(has_enum(&c.old) && has_enum(&c.new)) {
        return None;
    }
    // Two plain strings with the trait, two enum shapes, or a string converted to an enum.
    let compatible = c.old.kind() == c.new.kind() || super::changed_shape_type::string_to_enum(c);
    if !compatible {
        return None;
    }
    Some((definitions(&c.old)?, definitions(&c.new)?))
}

pub fn evaluate(d: &Differences<'_>, out: &mut Vec<Event>) {
    for c in &d.changed {
        let Some((old, new)) = pair(c) else { continue };
        let mut old_end = old.len() as i64 - 1;
        for (index, def) in old.iter().enumerate() {
            match new.iter().find(|n| n.value == def.value) {
                None => {
                    out.push(Event::new(
                        format!("ChangedEnumTrait.Removed.{index}"),
                        catalog::severity("ChangedEnumTrait.Removed.<index>"),
                        &c.id,
                        format!("Enum value `{}` was removed", def.value),
                    ));
                    old_end -= 1;
                }
                Some(n) if n.name != def.name => {
                    let show = |x: &Option<String>| x.clone().unwrap_or_else(|| "null".into());
                    out.push(
                        Event::new(
                            format!("ChangedEnumTrait.NameChanged.{index}"),
                            catalog::severity("ChangedEnumTrait.NameChanged.<index>"),
                            &c.id,
                            format!(
                                "Enum `name` changed from `{}` to `{}` for the `{}` value",
                                show(&def.name),
                                show(&n.name),
                                def.value
                            ),
                        )
                        .with_change(show(&def.name), show(&n.name)),
                    );
                }
                Some(_) => {}
            }
        }
        for (pos, def) in new.iter().enumerate() {
            if old.iter().any(|o| o.value == def.value) {
                continue;
            }
            // An insertion shifts every later old value one place: smithy-diff moves the end of
            // the old values with it, so a second value inserted after the first is still before
            // the end.
            if (pos as i64) <= old_end {
                old_end += 1;
                out.push(Event::new(
                    format!("ChangedEnumTrait.OrderChanged.{pos}"),
                    catalog::severity("ChangedEnumTrait.OrderChanged.<position>"),
                    &c.id,
                    format!(
                        "Enum value `{}` was inserted before the end of the list of existing values. This can cause compatibility issues when ordinal values are used for iteration, serialization, etc.",
                        def.value
                    ),
                ));
            } else {
                out.push(Event::new(
                    format!("ChangedEnumTrait.Appended.{pos}"),
                    catalog::severity("ChangedEnumTrait.Appended.<position>"),
                    &c.id,
                    format!("Enum value `{}` was appended", def.value),
                ));
            }
        }
    }
}
