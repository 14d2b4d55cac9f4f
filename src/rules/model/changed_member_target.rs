//! Member target changes (smithy-diff's `ChangedMemberTarget`). ERROR when the targeted shape's
//! type changed, when the target is a shape whose name matters (structures, unions, enums,
//! intEnums, services, ...), or when the old target has the `@enum` trait. Otherwise the old and
//! new targets (and, for lists and maps, their members) are diffed with every evaluator, as
//! smithy-diff re-runs its whole rule set on them: the event takes the highest severity of those
//! "effective differences" (at least WARNING) and lists them.
use super::Event;
use crate::diff::smithy::view::View;
use crate::diff::smithy::{Changed, Differences};
use crate::finding::Severity;
use crate::parse::smithy::{Shape, ShapeType};
use crate::rules::catalog;

pub fn evaluate(d: &Differences<'_>, out: &mut Vec<Event>) {
    for c in d.changed_of(&[ShapeType::Member]) {
        let (Some(old), Some(new)) = (c.old.member(), c.new.member()) else {
            continue;
        };
        if old.target == new.target {
            continue;
        }
        let old_target = d.old.shape(&old.target);
        let new_target = d.new.shape(&new.target);
        let kind = |s: Option<&Shape>| s.map_or("null", |s| s.kind.as_str());
        let (severity, detail) = evaluate_targets(d, old_target, new_target);
        let message = format!(
            "The shape targeted by the member `{}` changed from `{}` ({}) to `{}` ({}). {detail}",
            c.id,
            old.target,
            kind(old_target),
            new.target,
            kind(new_target)
        );
        out.push(Event::new("ChangedMemberTarget", severity, &c.id, message).with_change(&old.target, &new.target));
    }
}

const COMPATIBLE: &str = "This was determined backward compatible.";

fn evaluate_targets(d: &Differences<'_>, old: Option<&Shape>, new: Option<&Shape>) -> (Severity, String) {
    let compatible = catalog::severity_in("ChangedMemberTarget", "compatible");
    let (Some(old), Some(new)) = (old, new) else {
        return (compatible, COMPATIBLE.into());
    };
    if old.kind != new.kind {
        return (
            catalog::severity("ChangedMemberTarget"),
            format!("The type of the targeted shape changed from {} to {}.", old.kind, new.kind),
        );
    }
    let unnamed = old.kind.is_simple() || old.kind.is_collection() || old.kind == ShapeType::Map;
    if !unnamed || matches!(old.kind, ShapeType::Enum | ShapeType::IntEnum) {
        return (catalog::severity("ChangedMemberTarget"), format!("The name of a {} is significant.", old.kind));
    }
    if old.traits.has("smithy.api#enum") {
        return (
            catalog::severity("ChangedMemberTarget"),
            "The `smithy.api#enum` trait was found on the target, so the name of the targeted shape matters for codegen."
                .into(),
        );
    }
    // The targets as one changed shape, plus their list/map members: a synthetic set of
    // differences that every evaluator runs on (this one too, for retargeted members). It cannot
    // recurse forever: a cycle needs a structure or union, which stops above.
    let mut changed = vec![Changed { id: old.id.clone(), old: View::Shape(old), new: View::Shape(new) }];
    let names: &[&str] = match old.kind {
        ShapeType::Map => &["key", "value"],
        ShapeType::List | ShapeType::Set => &["member"],
        _ => &[],
    };
    for name in names {
        if let (Some(om), Some(nm)) = (old.member(name), new.member(name)) {
            changed.push(Changed {
                id: format!("{}${name}", old.id),
                old: View::Member(old, om),
                new: View::Member(new, nm),
            });
        }
    }
    let nested = Differences { old: d.old, new: d.new, changed, added: Vec::new(), removed: Vec::new() };
    let events = super::decorated_events(&nested);
    if events.is_empty() {
        return (compatible, COMPATIBLE.into());
    }
    let mut severity = compatible;
    let mut message = String::from("This will result in the following effective differences:\n\n");
    for (e, level, _) in &events {
        severity = severity.max(*level);
        let indented = e.message.replace('\n', "\n  ");
        message.push_str(&format!("- [{}] {}\n", level.as_str().to_ascii_uppercase(), indented.trim()));
    }
    let mut message = message.trim().to_string();
    if severity <= compatible {
        message.insert_str(0, &format!("{COMPATIBLE} "));
    }
    (severity, message)
}
