//! NOTE for every added shape (members only when added to an existing shape, and not the
//! members of a string-with-`@enum` converted to an enum shape).
use super::Event;
use crate::diff::smithy::Differences;
use crate::diff::smithy::view::View;
use crate::parse::smithy::ShapeType;
use crate::rules::catalog;

pub fn evaluate(d: &Differences<'_>, out: &mut Vec<Event>) {
    for v in &d.added {
        if let View::Member(container, _) = v {
            let old = d.old.model.shape(&container.id);
            let Some(old) = old else { continue };
            if old.kind == ShapeType::String && old.traits.has("smithy.api#enum") && container.kind == ShapeType::Enum {
                continue;
            }
        }
        let id = v.id();
        out.push(Event::new("AddedShape", catalog::severity("AddedShape"), &id, format!("Added {} `{id}`", v.kind())));
    }
}
