//! Member target changes. ERROR when the targeted shape's type changed, when the target is a
//! named type whose name matters (structures, unions, services, ...), or when the old target has
//! the `@enum` trait. Otherwise the old and new targets are compared like two versions of one
//! shape (their traits, and for lists and maps their members, recursively), the resulting events
//! are listed as "effective differences", and the event is an ERROR when any of them is DANGER or
//! worse, a WARNING ("backward compatible") otherwise.
use super::{modified_trait, trait_breaking_change};
use crate::diff::smithy::{Differences, Event};
use crate::finding::Severity;
use crate::parse::smithy::{Member, Shape, ShapeType};

/// Nested retargets deeper than this are summarised by their first level only.
const MAX_DEPTH: usize = 32;

pub fn evaluate(d: &Differences<'_>, out: &mut Vec<Event>) {
    for c in d.changed_of(&[ShapeType::Member]) {
        let (Some(old), Some(new)) = (c.old.member(), c.new.member()) else {
            continue;
        };
        if old.target == new.target {
            continue;
        }
        let (severity, message) = describe(d, &c.id, old, new, 0);
        out.push(Event::new("ChangedMemberTarget", severity, &c.id, message).with_change(&old.target, &new.target));
    }
}

fn describe(d: &Differences<'_>, id: &str, old: &Member, new: &Member, depth: usize) -> (Severity, String) {
    let old_target = d.old.shape(&old.target);
    let new_target = d.new.shape(&new.target);
    let kind = |s: Option<&Shape>| s.map_or("unknown", |s| s.kind.as_str());
    let mut message = format!(
        "The shape targeted by the member `{id}` changed from `{}` ({}) to `{}` ({}). ",
        old.target,
        kind(old_target),
        new.target,
        kind(new_target)
    );
    let (Some(ot), Some(nt)) = (old_target, new_target) else {
        message.push_str("This was determined backward compatible.");
        return (Severity::Warning, message);
    };
    let issues = naming_issues(ot, nt);
    if !issues.is_empty() {
        message.push_str(&issues.join(". "));
        message.push('.');
        return (Severity::Error, message);
    }
    let mut nested: Vec<(Severity, String)> = Vec::new();
    let trait_changes = |subject: &str, a, b| {
        let mut events = Vec::new();
        trait_breaking_change::trait_events(d.new, subject, a, b, &mut events);
        modified_trait::trait_events(d.new, subject, a, b, &mut events);
        events.into_iter().map(|e| (e.severity, e.message)).collect::<Vec<_>>()
    };
    nested.extend(trait_changes(&ot.id, &ot.traits, &nt.traits));
    let names: &[&str] = match ot.kind {
        ShapeType::Map => &["key", "value"],
        ShapeType::List | ShapeType::Set => &["member"],
        _ => &[],
    };
    for name in names {
        let (Some(om), Some(nm)) = (ot.member(name), nt.member(name)) else {
            continue;
        };
        let member_id = format!("{}${name}", ot.id);
        if om.target != nm.target && depth < MAX_DEPTH {
            nested.push(describe(d, &member_id, om, nm, depth + 1));
        }
        nested.extend(trait_changes(&member_id, &om.traits, &nm.traits));
    }
    let severity = if nested.iter().any(|(s, _)| *s >= Severity::Danger) { Severity::Error } else { Severity::Warning };
    if severity == Severity::Warning {
        message.push_str("This was determined backward compatible.");
    }
    if !nested.is_empty() {
        if severity == Severity::Warning {
            message.push(' ');
        }
        message.push_str("This will result in the following effective differences:\n\n");
        let lines: Vec<String> = nested
            .iter()
            .map(|(s, m)| format!("- [{}] {}", s.as_str().to_ascii_uppercase(), m.replace('\n', "\n  ")))
            .collect();
        message.push_str(&lines.join("\n"));
    }
    (severity, message)
}

/// Reasons the name of the targeted shape matters, which make any retarget an ERROR.
fn naming_issues(old: &Shape, new: &Shape) -> Vec<String> {
    if old.kind != new.kind {
        return vec![format!("The type of the targeted shape changed from {} to {}", old.kind, new.kind)];
    }
    if !(old.kind.is_simple() || old.kind.is_collection() || old.kind == ShapeType::Map) {
        return vec![format!("The name of a {} is significant", old.kind)];
    }
    if old.traits.has("smithy.api#enum") {
        return vec!["The `smithy.api#enum` trait was found on the target, so the name of the targeted shape matters for codegen".into()];
    }
    Vec::new()
}
