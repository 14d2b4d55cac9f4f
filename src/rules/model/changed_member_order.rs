//! DANGER when structure or union members are reordered or inserted before existing ones.
use super::Event;
use crate::diff::smithy::Differences;
use crate::parse::smithy::ShapeType;
use crate::rules::catalog;

pub fn evaluate(d: &Differences<'_>, out: &mut Vec<Event>) {
    for kind in [ShapeType::Structure, ShapeType::Union] {
        for c in d.changed.iter().filter(|c| c.old.kind() == kind && c.new.kind() == kind) {
            let (Some(old), Some(new)) = (c.old.shape(), c.new.shape()) else {
                continue;
            };
            // Removed trailing members are other evaluators' business.
            if old.members.iter().zip(&new.members).any(|(a, b)| a.name != b.name) {
                out.push(Event::new(
                    "ChangedMemberOrder",
                    catalog::severity("ChangedMemberOrder"),
                    &new.id,
                    format!(
                        "{} shape members were reordered. This can cause ABI compatibility issues in languages like C and C++ where the layout and alignment of a data structure matters.",
                        old.kind
                    ),
                ));
            }
        }
    }
}
