//! Member target changes: WARNING when the new target is a compatible stand-in (same simple
//! type with the same traits, or a list/map whose members target the same shapes with the same
//! traits), ERROR otherwise, with the reasons.
use crate::diff::smithy::{Differences, Event, trait_differences};
use crate::finding::Severity;
use crate::parse::smithy::{Member, Shape, ShapeType, Traits};

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
        let issues = compatibility(old_target, new_target);
        let kind = |s: Option<&Shape>| s.map_or("unknown", |s| s.kind.as_str());
        let mut message = format!(
            "The shape targeted by the member `{}` changed from `{}` ({}) to `{}` ({}). ",
            c.id,
            old.target,
            kind(old_target),
            new.target,
            kind(new_target)
        );
        let severity = if issues.is_empty() {
            message.push_str("This was determined backward compatible.");
            Severity::Warning
        } else {
            message.push_str(&issues.join(". "));
            message.push('.');
            Severity::Error
        };
        out.push(
            Event::new("ChangedMemberTarget", severity, &c.id, message)
                .with_change(&old.target, &new.target),
        );
    }
}

fn compatibility(old: Option<&Shape>, new: Option<&Shape>) -> Vec<String> {
    let (Some(old), Some(new)) = (old, new) else {
        return Vec::new();
    };
    if old.kind != new.kind {
        return vec![format!(
            "The type of the targeted shape changed from {} to {}",
            old.kind, new.kind
        )];
    }
    if !(old.kind.is_simple() || old.kind.is_collection() || old.kind == ShapeType::Map) {
        return vec![format!("The name of a {} is significant", old.kind)];
    }
    let mut out = Vec::new();
    if old.traits.has("smithy.api#enum") {
        out.push("The `smithy.api#enum` trait was found on the target, so the name of the targeted shape matters for codegen".into());
    }
    if old.traits != new.traits {
        out.push(trait_diff_message(&old.traits, &new.traits));
    }
    let member = |s: &'_ Shape, n: &str| s.member(n).cloned();
    let names: &[&str] = if old.kind == ShapeType::Map {
        &["key", "value"]
    } else if old.kind.is_collection() {
        &["member"]
    } else {
        &[]
    };
    for name in names {
        if let (Some(a), Some(b)) = (member(old, name), member(new, name)) {
            evaluate_member(old.kind, &mut out, &a, &b);
        }
    }
    out
}

fn evaluate_member(kind: ShapeType, out: &mut Vec<String>, old: &Member, new: &Member) {
    let slug = if kind == ShapeType::Map {
        format!("{} ", old.name)
    } else {
        String::new()
    };
    if old.target != new.target {
        out.push(format!(
            "Both the old and new shapes are a {kind}, but the old shape {slug}targeted `{}` while the new shape targets `{}`",
            old.target, new.target
        ));
    } else if old.traits != new.traits {
        out.push(format!(
            "Both the old and new shapes are a {kind}, but their {slug}members have differing traits. {}",
            trait_diff_message(&old.traits, &new.traits)
        ));
    }
}

fn trait_diff_message(old: &Traits, new: &Traits) -> String {
    let diffs = trait_differences(old, new);
    let list = |pick: &dyn Fn(&(&str, Option<&_>, Option<&_>)) -> bool| -> Vec<&str> {
        let mut v: Vec<&str> = diffs.iter().filter(|x| pick(x)).map(|x| x.0).collect();
        v.sort_unstable();
        v
    };
    let removed = list(&|x| x.2.is_none());
    let added = list(&|x| x.1.is_none());
    let changed = list(&|x| x.1.is_some() && x.2.is_some());
    let mut parts = Vec::new();
    if !removed.is_empty() {
        parts.push(format!(
            "The targeted shape no longer has the following traits: [{}]",
            removed.join(", ")
        ));
    }
    if !added.is_empty() {
        parts.push(format!(
            "The newly targeted shape now has the following additional traits: [{}]",
            added.join(", ")
        ));
    }
    if !changed.is_empty() {
        parts.push(format!(
            "The newly targeted shape has traits that differ from the previous shape: [{}]",
            changed.join(", ")
        ));
    }
    parts.join(". ")
}
