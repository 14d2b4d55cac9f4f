//! Nullability changes of structure members as clients see them (`NullableIndex`, client mode:
//! `@clientOptional` and `@input` make members nullable; `@required` or a non-null `@default`
//! make them non-nullable), with a specific event id for the usual causes.
use super::Event;
use crate::diff::smithy::Differences;
use crate::diff::smithy::view::Side;
use crate::parse::smithy::{Member, Shape, ShapeType};
use crate::rules::catalog;
use std::collections::BTreeSet;

/// `NullableIndex.isMemberNullable` in client mode.
pub fn is_nullable(container: &Shape, member: &Member) -> bool {
    match container.kind {
        ShapeType::Structure => {
            if member.traits.has("smithy.api#clientOptional") || container.traits.has("smithy.api#input") {
                return true;
            }
            if member.traits.has("smithy.api#required") {
                return false;
            }
            member.traits.get("smithy.api#default").is_none_or(|d| d.is_null())
        }
        ShapeType::List => container.traits.has("smithy.api#sparse"),
        ShapeType::Map => member.name == "value" && container.traits.has("smithy.api#sparse"),
        _ => false,
    }
}

pub fn evaluate(d: &Differences<'_>, out: &mut Vec<Event>) {
    // (old container, old member, new container, new member, member id)
    let mut pairs: Vec<(&Shape, &Member, &Shape, &Member, String)> = Vec::new();
    for c in d.changed_of(&[ShapeType::Member]) {
        if let (Some(oc), Some(om), Some(nc), Some(nm)) =
            (c.old.container(), c.old.member(), c.new.container(), c.new.member())
        {
            pairs.push((oc, om, nc, nm, c.id.clone()));
        }
    }
    for c in d.changed_of(&[ShapeType::Structure]) {
        if !(c.trait_added("smithy.api#input") || c.trait_removed("smithy.api#input")) {
            continue;
        }
        let (Some(old), Some(new)) = (c.old.shape(), c.new.shape()) else {
            continue;
        };
        for nm in &new.members {
            if let Some(om) = old.member(&nm.name) {
                pairs.push((old, om, new, nm, format!("{}${}", new.id, nm.name)));
            }
        }
    }
    let mut seen = BTreeSet::new();
    for (oc, om, nc, nm, id) in pairs {
        let was = is_nullable(oc, om);
        let now = is_nullable(nc, nm);
        if was == now {
            continue;
        }
        for e in events(d.new, oc, om, nc, nm, &id, was) {
            if seen.insert((e.id.clone(), e.shape.clone(), e.message.clone())) {
                out.push(e);
            }
        }
    }
}

fn events(
    new_side: Side<'_>,
    oc: &Shape,
    om: &Member,
    nc: &Shape,
    nm: &Member,
    id: &str,
    was_nullable: bool,
) -> Vec<Event> {
    let (from, to) = if was_nullable { ("nullable", "non-nullable") } else { ("non-nullable", "nullable") };
    let change = format!("Member `{}` changed from {from} to {to}", om.name);
    let emit = |severity, suffix: &str, msg: String| {
        Event::new(format!("ChangedNullability.{suffix}"), severity, id, format!("{change}: {msg}"))
    };
    let old_input = oc.traits.has("smithy.api#input");
    let new_input = nc.traits.has("smithy.api#input");
    let has = |m: &Member, t: &str| m.traits.has(t);
    let added = |t: &str| !has(om, t) && has(nm, t);
    let removed = |t: &str| has(om, t) && !has(nm, t);
    let both = |t: &str| has(om, t) && has(nm, t);
    let structure_or_union =
        || new_side.target_of(nm).map(|t| t.kind).filter(|k| matches!(k, ShapeType::Structure | ShapeType::Union));
    let mut out = Vec::new();
    if old_input && !new_input {
        out.push(emit(
            catalog::severity("ChangedNullability.RemovedInputTrait"),
            "RemovedInputTrait",
            format!("The `@input` trait was removed from {}", nc.id),
        ));
    } else if !old_input && new_input {
        out.push(emit(
            catalog::severity("ChangedNullability.AddedInputTrait"),
            "AddedInputTrait",
            format!("The `@input` trait was added to {}", nc.id),
        ));
    } else if !new_input {
        if added("smithy.api#clientOptional") && both("smithy.api#required") {
            out.push(emit(
                catalog::severity("ChangedNullability.AddedClientOptionalTrait"),
                "AddedClientOptionalTrait",
                "The `@clientOptional` trait was added to a `@required` member.".into(),
            ));
        } else if removed("smithy.api#clientOptional") && both("smithy.api#required") {
            out.push(emit(
                catalog::severity("ChangedNullability.RemovedClientOptionalTrait"),
                "RemovedClientOptionalTrait",
                "The `@clientOptional` trait was removed from a `@required` member.".into(),
            ));
        } else if added("smithy.api#required") && !has(nm, "smithy.api#clientOptional") {
            match structure_or_union() {
                Some(kind) => out.push(emit(
                    catalog::severity("ChangedNullability.AddedRequiredTrait.StructureOrUnion"),
                    "AddedRequiredTrait.StructureOrUnion",
                    format!(
                        "The `@required` trait was added to a member that targets a {kind}. This is backward compatible in generators that always treat structures and unions as optional (e.g., AWS generators)"
                    ),
                )),
                None => out.push(emit(
                    catalog::severity("ChangedNullability.AddedRequiredTrait"),
                    "AddedRequiredTrait",
                    "The `@required` trait was added to a member.".into(),
                )),
            }
        }
        if added("smithy.api#default") && !removed("smithy.api#required") {
            out.push(emit(
                catalog::severity("ChangedNullability.AddedDefaultTrait"),
                "AddedDefaultTrait",
                "The `@default` trait was added to a member that was not previously `@required`.".into(),
            ));
        }
        if removed("smithy.api#required") && !has(nm, "smithy.api#default") && !has(om, "smithy.api#clientOptional") {
            match structure_or_union() {
                Some(kind) => out.push(emit(
                    catalog::severity("ChangedNullability.RemovedRequiredTrait.StructureOrUnion"),
                    "RemovedRequiredTrait.StructureOrUnion",
                    format!(
                        "The @required trait was removed from a member that targets a {kind}. This is backward compatible in generators that always treat structures and unions as optional (e.g., AWS generators)."
                    ),
                )),
                None => out.push(emit(
                    catalog::severity("ChangedNullability.RemovedRequiredTrait"),
                    "RemovedRequiredTrait",
                    "The @required trait was removed and not replaced with the @default trait and @addedDefault trait.".into(),
                )),
            }
        }
    }
    // Java's `Node.toString`: a string's raw value, other nodes as JSON.
    let shown = |n: &crate::parse::json::Node| n.as_str().map_or_else(|| n.to_json(), str::to_string);
    if let (Some(o), Some(n)) = (om.traits.get("smithy.api#default"), nm.traits.get("smithy.api#default")) {
        if !o.is_null() && n.is_null() {
            out.push(emit(
                catalog::severity("ChangedNullability.AddedNullDefault"),
                "AddedNullDefault",
                format!("The `@default` trait was changed from `{}` to `null`.", shown(o)),
            ));
        } else if o.is_null() && !n.is_null() {
            out.push(emit(
                catalog::severity("ChangedNullability.RemovedNullDefault"),
                "RemovedNullDefault",
                format!("The `@default` trait was changed from `null` to `{}`.", shown(n)),
            ));
        }
    }
    if out.is_empty() {
        out.push(Event::new("ChangedNullability", catalog::severity("ChangedNullability"), id, format!("{change}.")));
    }
    out
}
