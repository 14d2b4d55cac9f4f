//! Trait additions, removals and updates judged by the trait definition's (deprecated)
//! `diff.<severity>.<change>` tags, `diff.contents` crawling into trait values, or by the
//! severities of `rules/ModifiedTrait.toml` (NOTE on add/update and WARNING on remove; WARNING on
//! any change of an unknown trait). Traits whose definitions carry `breakingChanges` are left to
//! `TraitBreakingChange`.
use super::{Event, is_clipped, ticked};
use crate::diff::smithy::view::{Side, View};
use crate::diff::smithy::{Differences, trait_differences};
use crate::finding::Severity;
use crate::parse::json::Node;
use crate::parse::smithy::{Shape, ShapeType, Traits};
use crate::rules::catalog;

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Add,
    Remove,
    Update,
    Const,
    Contents,
}

type Strategy = (Kind, Severity);

const IGNORED: [&str; 4] =
    ["smithy.api#box", "smithy.api#required", "smithy.synthetic#enum", "smithy.synthetic#originalShapeId"];

fn from_tag(tag: &str, allow_contents: bool) -> Option<Strategy> {
    if tag == "diff.contents" {
        // The severity is not used: contents are judged by the tags of the members crawled.
        return allow_contents.then_some((Kind::Contents, Severity::Note));
    }
    let rest = tag.strip_prefix("diff.")?;
    let (sev, change) = rest.split_once('.')?;
    let severity = match sev {
        "error" => Severity::Error,
        "danger" => Severity::Danger,
        "warning" => Severity::Warning,
        _ => return None,
    };
    let kind = match change {
        "add" => Kind::Add,
        "remove" => Kind::Remove,
        "update" => Kind::Update,
        "const" => Kind::Const,
        _ => return None,
    };
    Some((kind, severity))
}

fn tag_strategies(tags: &[&str], allow_contents: bool) -> Vec<Strategy> {
    tags.iter().filter_map(|t| from_tag(t, allow_contents)).collect()
}

fn strategies(side: Side<'_>, trait_id: &str) -> Vec<Strategy> {
    let Some(def) = side.trait_def(trait_id) else {
        return vec![
            (Kind::Add, catalog::severity_in("ModifiedTrait.Add.<trait shape id>", "unknown-trait")),
            (Kind::Remove, catalog::severity_in("ModifiedTrait.Remove.<trait shape id>", "unknown-trait")),
            (Kind::Update, catalog::severity_in("ModifiedTrait.Update.<trait shape id>", "unknown-trait")),
        ];
    };
    let tagged = tag_strategies(&View::Shape(def).tags(), true);
    if !tagged.is_empty() {
        return tagged;
    }
    let has_rules = def
        .traits
        .get("smithy.api#trait")
        .and_then(|t| t.get("breakingChanges"))
        .and_then(Node::as_array)
        .is_some_and(|a| !a.is_empty());
    if has_rules {
        return Vec::new();
    }
    vec![
        (Kind::Add, catalog::severity("ModifiedTrait.Add.<trait shape id>")),
        (Kind::Update, catalog::severity("ModifiedTrait.Update.<trait shape id>")),
        (Kind::Remove, catalog::severity("ModifiedTrait.Remove.<trait shape id>")),
    ]
}

struct Ctx<'a, 'o> {
    side: Side<'a>,
    subject: &'a str,
    trait_id: &'a str,
    out: &'o mut Vec<Event>,
}

pub fn evaluate(d: &Differences<'_>, out: &mut Vec<Event>) {
    for c in &d.changed {
        trait_events(d.new, &c.id, c.old.traits(), c.new.traits(), out);
    }
}

/// The events for one shape's trait changes (also used by `ChangedMemberTarget`).
pub fn trait_events(side: Side<'_>, subject: &str, old: &Traits, new: &Traits, out: &mut Vec<Event>) {
    for (trait_id, o, n) in trait_differences(old, new) {
        if IGNORED.contains(&trait_id) {
            continue;
        }
        let mut cx = Ctx { side, subject, trait_id, out };
        for (kind, severity) in strategies(side, trait_id) {
            validate(&mut cx, kind, severity, "", o, n);
        }
    }
}

fn validate(
    cx: &mut Ctx<'_, '_>,
    kind: Kind,
    severity: Severity,
    path: &str,
    left: Option<&Node>,
    right: Option<&Node>,
) {
    let t = cx.trait_id;
    let id = |k: &str| format!("ModifiedTrait.{k}.{t}");
    match kind {
        Kind::Add => {
            if let (None, Some(r)) = (left, right) {
                let pretty = r.to_pretty_json();
                let value = ticked(r, &pretty);
                let message = if path.is_empty() {
                    format!("Added trait `{t}` with value {value}")
                } else {
                    format!("Added trait contents to `{t}` at path `{path}` with value {value}")
                };
                let mut e = Event::new(id("Add"), severity, cx.subject, message);
                if is_clipped(r, &pretty) {
                    e = e.with_change(String::new(), pretty);
                }
                cx.out.push(e);
            }
        }
        Kind::Remove => {
            if let (Some(l), None) = (left, right) {
                let pretty = l.to_pretty_json();
                let value = ticked(l, &pretty);
                let message = if path.is_empty() {
                    format!("Removed trait `{t}`. Previous trait value: {value}")
                } else {
                    format!("Removed trait contents from `{t}` at path `{path}`. Removed value: {value}")
                };
                let mut e = Event::new(id("Remove"), severity, cx.subject, message);
                if is_clipped(l, &pretty) {
                    e = e.with_change(pretty, String::new());
                }
                cx.out.push(e);
            }
        }
        Kind::Update => {
            if let (Some(l), Some(r)) = (left, right)
                && l != r
            {
                // Each value is printed once: quoted (clipped) in the message, whole in `change`.
                let (lp, rp) = (l.to_pretty_json(), r.to_pretty_json());
                let (from, to) = (ticked(l, &lp), ticked(r, &rp));
                let message = if path.is_empty() {
                    format!("Changed trait `{t}` from {from} to {to}")
                } else {
                    format!("Changed trait contents of `{t}` at path `{path}` from {from} to {to}")
                };
                cx.out.push(Event::new(id("Update"), severity, cx.subject, message).with_change(lp, rp));
            }
        }
        Kind::Const => {
            for k in [Kind::Add, Kind::Remove, Kind::Update] {
                validate(cx, k, severity, path, left, right);
            }
        }
        Kind::Contents => {
            let (Some(l), Some(r)) = (left, right) else {
                return;
            };
            let Some(def) = cx.side.shape(t) else { return };
            crawl(cx, View::Shape(def), Some(l), Some(r), path, 0);
        }
    }
}

/// Walks the trait's shape and its value in step, applying member `diff.*` tags on the way.
fn crawl(cx: &mut Ctx<'_, '_>, shape: View<'_>, left: Option<&Node>, right: Option<&Node>, path: &str, depth: usize) {
    if depth > 64 {
        return;
    }
    match shape {
        View::Member(_, m) => {
            for (kind, severity) in tag_strategies(&shape.tags(), false) {
                validate(cx, kind, severity, path, left, right);
            }
            if let Some(target) = cx.side.shape(&m.target) {
                crawl(cx, View::Shape(target), left, right, path, depth + 1);
            }
        }
        View::Shape(s) => crawl_shape(cx, s, left, right, path, depth),
    }
}

fn crawl_shape(cx: &mut Ctx<'_, '_>, s: &Shape, left: Option<&Node>, right: Option<&Node>, path: &str, depth: usize) {
    let (Some(l), Some(r)) = (left, right) else {
        return;
    };
    match s.kind {
        ShapeType::List | ShapeType::Set => {
            let (Some(la), Some(ra), Some(member)) = (l.as_array(), r.as_array(), s.member("member")) else {
                return;
            };
            for i in 0..la.len().max(ra.len()) {
                crawl(cx, View::Member(s, member), la.get(i), ra.get(i), &format!("{path}/{i}"), depth + 1);
            }
        }
        ShapeType::Map => {
            let (Some(lo), Some(ro), Some(value)) = (l.as_object(), r.as_object(), s.member("value")) else {
                return;
            };
            for e in lo {
                crawl(
                    cx,
                    View::Member(s, value),
                    Some(&e.value),
                    r.get(&e.key),
                    &format!("{path}/{}", e.key),
                    depth + 1,
                );
            }
            for e in ro.iter().filter(|e| l.get(&e.key).is_none()) {
                crawl(cx, View::Member(s, value), None, Some(&e.value), &format!("{path}/{}", e.key), depth + 1);
            }
        }
        ShapeType::Structure | ShapeType::Union => {
            if l.as_object().is_none() || r.as_object().is_none() {
                return;
            }
            for m in &s.members {
                let (lv, rv) = (l.get(&m.name), r.get(&m.name));
                if lv.is_some() || rv.is_some() {
                    crawl(cx, View::Member(s, m), lv, rv, &format!("{path}/{}", m.name), depth + 1);
                }
            }
        }
        _ => {}
    }
}
