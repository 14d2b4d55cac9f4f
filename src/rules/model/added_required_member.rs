//! ERROR when a new member of an existing structure is `@required` without `@default`.
use super::Event;
use crate::diff::smithy::Differences;
use crate::parse::smithy::ShapeType;
use crate::rules::catalog;

pub fn evaluate(d: &Differences<'_>, out: &mut Vec<Event>) {
    for c in d.changed_of(&[ShapeType::Structure]) {
        let (Some(old), Some(new)) = (c.old.shape(), c.new.shape()) else {
            continue;
        };
        for m in &new.members {
            if m.traits.has("smithy.api#required")
                && !m.traits.has("smithy.api#default")
                && old.member(&m.name).is_none()
            {
                out.push(Event::new(
                    "AddedRequiredMember",
                    catalog::severity("AddedRequiredMember"),
                    format!("{}${}", new.id, m.name),
                    "Adding a new member with the `required` trait but not the `default` trait is backwards-incompatible.",
                ));
            }
        }
    }
}
