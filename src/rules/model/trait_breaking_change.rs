//! Trait changes judged by the `breakingChanges` rules of the trait's definition in the new
//! model (bundled definitions for the prelude and AWS traits), following each rule's JSON-pointer
//! style path into the trait value.
use super::{Event, is_clipped, ticked};
use crate::diff::smithy::view::Side;
use crate::diff::smithy::{Differences, trait_differences};
use crate::finding::Severity;
use crate::parse::json::Node;
use crate::parse::smithy::{Shape, ShapeType, Traits};
use crate::rules::catalog;
use std::collections::BTreeMap;

#[derive(Clone, Copy, PartialEq, Debug)]
enum Change {
    Add,
    Remove,
    Update,
    Presence,
    Any,
}

struct Rule {
    path: Vec<String>,
    change: Change,
    /// The rule's own severity; `None`: the event's from `rules/TraitBreakingChange.toml`.
    severity: Option<Severity>,
    message: Option<String>,
}

fn rules(def: &Shape) -> Vec<Rule> {
    let Some(list) = def.traits.get("smithy.api#trait").and_then(|t| t.get("breakingChanges")).and_then(Node::as_array)
    else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|r| {
            let change = match r.get("change")?.as_str()? {
                "add" => Change::Add,
                "remove" => Change::Remove,
                "update" => Change::Update,
                "presence" => Change::Presence,
                "any" => Change::Any,
                _ => return None,
            };
            let severity = r.get("severity").and_then(Node::as_str).and_then(Severity::parse);
            let path = r
                .get("path")
                .and_then(Node::as_str)
                .map(|p| p.strip_prefix('/').unwrap_or(p).split('/').map(str::to_string).collect())
                .unwrap_or_default();
            let path = if r.get("path").and_then(Node::as_str).is_some_and(str::is_empty) { Vec::new() } else { path };
            Some(Rule { path, change, severity, message: r.get("message").and_then(Node::as_str).map(str::to_string) })
        })
        .collect()
}

pub fn evaluate(d: &Differences<'_>, out: &mut Vec<Event>) {
    for c in &d.changed {
        trait_events(d.new, &c.id, c.old.traits(), c.new.traits(), out);
    }
}

/// The events for one shape's trait changes (also used by `ChangedMemberTarget` for the
/// effective differences of a retargeted member).
pub fn trait_events(side: Side<'_>, subject: &str, old: &Traits, new: &Traits, out: &mut Vec<Event>) {
    for (trait_id, o, n) in trait_differences(old, new) {
        let Some(def) = side.trait_def(trait_id) else {
            continue;
        };
        for rule in rules(def) {
            check(side, def, subject, &rule, o.unwrap_or(&Node::Null), n.unwrap_or(&Node::Null), out);
        }
    }
}

fn check(side: Side<'_>, def: &Shape, subject: &str, rule: &Rule, left: &Node, right: &Node, out: &mut Vec<Event>) {
    if right.is_null() && !rule.path.is_empty() {
        return;
    }
    let mut lv = BTreeMap::new();
    let mut rv = BTreeMap::new();
    extract(side, rule, &mut lv, def, 0, left, String::new());
    extract(side, rule, &mut rv, def, 0, right, String::new());
    let null = Node::Null;
    for (path, l) in &lv {
        compare(def, subject, rule, path, l, rv.get(path).copied().unwrap_or(&null), out);
    }
    for (path, r) in &rv {
        if !lv.contains_key(path) {
            compare(def, subject, rule, path, &null, r, out);
        }
    }
}

fn extract<'n>(
    side: Side<'_>,
    rule: &Rule,
    result: &mut BTreeMap<String, &'n Node>,
    shape: &Shape,
    pos: usize,
    value: &'n Node,
    path: String,
) {
    if pos >= rule.path.len() || rule.path[pos].is_empty() {
        result.insert(path, value);
        return;
    }
    let segment = &rule.path[pos];
    let Some(next) = shape.member(segment).and_then(|m| side.shape(&m.target)) else {
        return;
    };
    match shape.kind {
        ShapeType::List | ShapeType::Set => {
            if let Some(items) = value.as_array() {
                for (i, v) in items.iter().enumerate() {
                    extract(side, rule, result, next, pos + 1, v, format!("{path}/{i}"));
                }
            }
        }
        ShapeType::Map => {
            if let Some(entries) = value.as_object() {
                for e in entries {
                    extract(side, rule, result, next, pos + 1, &e.value, format!("{path}/{}", e.key));
                }
            }
        }
        ShapeType::Structure | ShapeType::Union if value.as_object().is_some() => {
            static NULL: Node = Node::Null;
            let v = value.get(segment).unwrap_or(&NULL);
            extract(side, rule, result, next, pos + 1, v, format!("{path}/{segment}"));
        }
        _ => {}
    }
}

fn breaking(change: Change, left: &Node, right: &Node) -> Option<Change> {
    match change {
        Change::Add => (left.is_null() && !right.is_null()).then_some(Change::Add),
        Change::Remove => (right.is_null() && !left.is_null()).then_some(Change::Remove),
        Change::Update => (!left.is_null() && !right.is_null() && left != right).then_some(Change::Update),
        Change::Any => [Change::Add, Change::Remove, Change::Update].into_iter().find_map(|c| breaking(c, left, right)),
        Change::Presence => [Change::Add, Change::Remove].into_iter().find_map(|c| breaking(c, left, right)),
    }
}

fn compare(def: &Shape, subject: &str, rule: &Rule, path: &str, left: &Node, right: &Node, out: &mut Vec<Event>) {
    if left.is_null() && right.is_null() {
        return;
    }
    let Some(kind) = breaking(rule.change, left, right) else {
        return;
    };
    let t = &def.id;
    let empty_object = |n: &Node| n.as_object().is_some_and(<[_]>::is_empty);
    // Each value is printed once: quoted (clipped) in the message, whole in `change`.
    let printed = |n: &Node, wanted: bool| if wanted { n.to_pretty_json() } else { String::new() };
    let lp = printed(left, kind != Change::Add);
    let rp = printed(right, kind != Change::Remove);
    let (from, to) = (ticked(left, &lp), ticked(right, &rp));
    let mut message = match kind {
        Change::Add if !path.is_empty() => format!("Added trait contents to `{t}` at path `{path}` with value {to}"),
        Change::Add if empty_object(right) => format!("Added trait `{t}`"),
        Change::Add => format!("Added trait `{t}` with value {to}"),
        Change::Remove if !path.is_empty() => {
            format!("Removed trait contents from `{t}` at path `{path}`. Removed value: {from}")
        }
        Change::Remove if empty_object(left) => format!("Removed trait `{t}`"),
        Change::Remove => format!("Removed trait `{t}`. Previous trait value: {from}"),
        _ if !path.is_empty() => format!("Changed trait contents of `{t}` at path `{path}` from {from} to {to}"),
        _ => format!("Changed trait `{t}` from {from} to {to}"),
    };
    if let Some(extra) = &rule.message {
        if !message.ends_with('.') {
            message.push_str("; ");
        }
        message.push_str(extra);
    }
    let (name, declared) = match kind {
        Change::Add => ("Add", catalog::severity("TraitBreakingChange.Add.<trait shape id>")),
        Change::Remove => ("Remove", catalog::severity("TraitBreakingChange.Remove.<trait shape id>")),
        _ => ("Update", catalog::severity("TraitBreakingChange.Update.<trait shape id>")),
    };
    let severity = rule.severity.unwrap_or(declared);
    let mut e = Event::new(format!("TraitBreakingChange.{name}.{t}"), severity, subject, message);
    match kind {
        Change::Update => e = e.with_change(lp, rp),
        Change::Add if is_clipped(right, &rp) => e = e.with_change(String::new(), rp),
        Change::Remove if is_clipped(left, &lp) => e = e.with_change(lp, String::new()),
        _ => {}
    }
    out.push(e);
}
