//! Smithy model diff with smithy-diff parity.
//!
//! [`diff`] pairs up the shapes and members of two resolved models (changed, added, removed),
//! runs every evaluator in [`evaluators`] over those differences, then applies the new model's
//! `suppressions` / `severityOverrides` metadata and `@suppress` traits the way Smithy's
//! `ModelBasedEventDecorator` does (ERROR events are never suppressed or re-levelled). Event ids,
//! severities, subjects and messages are smithy-diff's, so existing suppressions carry over.
//!
//! Findings get the head model's line of their subject (the base model's for removals); `path`
//! is left for the engine to fill.
pub mod evaluators;
mod suppress;
pub mod view;

use crate::finding::{self, Finding, Severity};
use crate::parse::smithy::node::Node;
use crate::parse::smithy::{Model, ShapeType};
use std::collections::BTreeSet;
use view::{Side, View};

/// The result of comparing two models: smithy-diff's events as findings plus a summary.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ModelDiff {
    /// Sorted with [`finding::sort_findings`].
    pub findings: Vec<Finding>,
    /// Top-level shape ids (members are folded into their shape), sorted.
    pub shapes_added: Vec<String>,
    pub shapes_removed: Vec<String>,
    pub shapes_changed: Vec<String>,
    pub operations_added: Vec<String>,
    pub operations_removed: Vec<String>,
    /// Operation shapes present on both sides whose own definition changed (input, output,
    /// errors, traits), sorted. Changes deeper in their input or output shapes are not counted.
    pub operations_changed: Vec<String>,
}

/// One shape or member present in both models but not equal.
#[derive(Debug, Clone)]
pub struct Changed<'a> {
    pub id: String,
    pub old: View<'a>,
    pub new: View<'a>,
}

impl<'a> Changed<'a> {
    pub fn old_trait(&self, id: &str) -> Option<&'a Node> {
        self.old.traits().get(id)
    }
    pub fn new_trait(&self, id: &str) -> Option<&'a Node> {
        self.new.traits().get(id)
    }
    pub fn trait_added(&self, id: &str) -> bool {
        !self.old.has_trait(id) && self.new.has_trait(id)
    }
    pub fn trait_removed(&self, id: &str) -> bool {
        self.old.has_trait(id) && !self.new.has_trait(id)
    }
    pub fn trait_in_both(&self, id: &str) -> bool {
        self.old.has_trait(id) && self.new.has_trait(id)
    }
    /// `(trait id, old value, new value)` for every trait that was added, removed or changed,
    /// sorted by trait id.
    pub fn trait_differences(&self) -> Vec<(&'a str, Option<&'a Node>, Option<&'a Node>)> {
        trait_differences(self.old.traits(), self.new.traits())
    }
    /// Both old and new traits of this id exist and differ.
    pub fn changed_trait(&self, id: &str) -> Option<(&'a Node, &'a Node)> {
        match (self.old_trait(id), self.new_trait(id)) {
            (Some(a), Some(b)) if !crate::parse::smithy::trait_values_equal(id, a, b) => Some((a, b)),
            _ => None,
        }
    }
    /// Both versions are shapes of the given kinds (Smithy's `changedShapes(Class)`).
    pub fn both(&self, kinds: &[ShapeType]) -> bool {
        kinds.contains(&self.old.kind()) && kinds.contains(&self.new.kind())
    }
}

/// Trait differences between two trait sets, sorted by trait id.
pub fn trait_differences<'a>(
    old: &'a crate::parse::smithy::Traits,
    new: &'a crate::parse::smithy::Traits,
) -> Vec<(&'a str, Option<&'a Node>, Option<&'a Node>)> {
    let mut out = Vec::new();
    for (id, v) in old.iter() {
        match new.get(id) {
            None => out.push((id, Some(v), None)),
            Some(n) if !crate::parse::smithy::trait_values_equal(id, v, n) => out.push((id, Some(v), Some(n))),
            Some(_) => {}
        }
    }
    for (id, v) in new.iter() {
        if !old.has(id) {
            out.push((id, None, Some(v)));
        }
    }
    out.sort_by(|a, b| a.0.cmp(b.0));
    out
}

/// Everything an evaluator can look at.
pub struct Differences<'a> {
    pub old: Side<'a>,
    pub new: Side<'a>,
    pub changed: Vec<Changed<'a>>,
    pub added: Vec<View<'a>>,
    pub removed: Vec<View<'a>>,
}

impl<'a> Differences<'a> {
    pub fn detect(old: &'a Model, new: &'a Model) -> Differences<'a> {
        let (old, new) = (Side::new(old), Side::new(new));
        let mut changed = Vec::new();
        let mut removed = Vec::new();
        for (id, o) in old.all_views() {
            match new.view(&id).filter(|_| in_file(new.model, &id)) {
                Some(n) => {
                    if !o.same_as(&n) {
                        changed.push(Changed { id, old: o, new: n });
                    }
                }
                None => removed.push(o),
            }
        }
        let added = new
            .all_views()
            .into_iter()
            .filter(|(id, _)| !(in_file(old.model, id) && old.view(id).is_some()))
            .map(|(_, v)| v)
            .collect();
        Differences { old, new, changed, added, removed }
    }

    /// Changed shapes whose old and new versions are both of one of these kinds.
    pub fn changed_of(&self, kinds: &'a [ShapeType]) -> impl Iterator<Item = &Changed<'a>> + '_ {
        self.changed.iter().filter(move |c| c.both(kinds))
    }
}

fn in_file(model: &Model, id: &str) -> bool {
    let container = id.split_once('$').map_or(id, |(c, _)| c);
    model.shapes.contains_key(container)
}

/// An event as smithy-diff builds it, before suppression.
#[derive(Debug, Clone)]
pub struct Event {
    pub id: String,
    pub severity: Severity,
    /// Shape id, or `None` for model-level (metadata) events, which have no subject (as in
    /// smithy-diff).
    pub shape: Option<String>,
    /// The metadata key of a metadata event: part of the fingerprint, so two keys changed in
    /// one file stay two findings.
    pub key: Option<String>,
    pub message: String,
    pub change: Option<(String, String)>,
}

impl Event {
    pub fn new(
        id: impl Into<String>,
        severity: Severity,
        shape: impl Into<String>,
        message: impl Into<String>,
    ) -> Event {
        Event { id: id.into(), severity, shape: Some(shape.into()), key: None, message: message.into(), change: None }
    }
    pub fn metadata(id: impl Into<String>, severity: Severity, key: &str, message: impl Into<String>) -> Event {
        Event {
            id: id.into(),
            severity,
            shape: None,
            key: Some(key.to_string()),
            message: message.into(),
            change: None,
        }
    }
    pub fn with_change(mut self, old: impl Into<String>, new: impl Into<String>) -> Event {
        self.change = Some((old.into(), new.into()));
        self
    }
}

/// Runs every evaluator over a set of differences and applies the new model's suppressions and
/// severity overrides, as smithy-diff's `ModelDiff.compare` does: each event with its final
/// severity and, when suppressed, the suppression's reason.
pub fn decorated_events(d: &Differences<'_>) -> Vec<(Event, Severity, Option<String>)> {
    let mut events = Vec::new();
    evaluators::run_all(d, &mut events);
    let decorator = suppress::Decorator::from_model(d.new.model);
    events
        .into_iter()
        .map(|e| {
            let (severity, reason) = decorator.decorate(d.new.model, &e);
            (e, severity, reason)
        })
        .collect()
}

/// Diffs two models.
pub fn diff(old: &Model, new: &Model) -> ModelDiff {
    let d = Differences::detect(old, new);
    let mut findings: Vec<Finding> = decorated_events(&d)
        .into_iter()
        .map(|(e, severity, reason)| {
            let subject = e.shape.clone().unwrap_or_default();
            let mut f = Finding::new(e.id, severity, subject, e.message);
            if let Some(key) = &e.key {
                f = f.keyed(key);
            }
            if let Some(shape) = &e.shape {
                f.line =
                    new.line_of(shape).filter(|_| new.shapes.contains_key(shape.split('$').next().unwrap_or(shape)));
                if f.line.is_none() {
                    f.line = old.line_of(shape);
                    if f.line.is_some() {
                        f = f.on_base();
                    }
                }
            }
            // Suppressed: the suppression's own reason, when it gives one (Smithy appends it to
            // the message). Re-levelled: say so, since nothing else in the finding would.
            if severity == Severity::Suppressed {
                f.suppression = reason;
            } else if severity != e.severity {
                f.suppression = Some(format!("severity raised from {} by metadata.severityOverrides", e.severity));
            }
            if let Some((o, n)) = e.change {
                f = f.with_change(o, n);
            }
            f
        })
        .collect();
    finding::sort_findings(&mut findings);

    let top = |views: &[View<'_>]| -> Vec<String> {
        let set: BTreeSet<String> = views.iter().filter_map(|v| v.shape().map(|s| s.id.clone())).collect();
        set.into_iter().collect()
    };
    let ops = |views: &[View<'_>]| -> Vec<String> {
        let set: BTreeSet<String> = views
            .iter()
            .filter_map(|v| v.shape())
            .filter(|s| s.kind == ShapeType::Operation)
            .map(|s| s.id.clone())
            .collect();
        set.into_iter().collect()
    };
    let changed: BTreeSet<String> =
        d.changed.iter().map(|c| c.id.split('$').next().unwrap_or(&c.id).to_string()).collect();
    let added_ids: BTreeSet<String> = top(&d.added).into_iter().collect();
    ModelDiff {
        findings,
        shapes_added: top(&d.added),
        shapes_removed: top(&d.removed),
        shapes_changed: changed.into_iter().filter(|id| !added_ids.contains(id)).collect(),
        operations_added: ops(&d.added),
        operations_removed: ops(&d.removed),
        operations_changed: {
            let set: BTreeSet<String> = d
                .changed
                .iter()
                .filter(|c| c.new.shape().is_some_and(|s| s.kind == ShapeType::Operation) && !c.id.contains('$'))
                .map(|c| c.id.clone())
                .collect();
            set.into_iter().collect()
        },
    }
}

/// Smithy's `ValidationUtils.tickedPrettyPrintedNode`: strings in backticks, one-line JSON in
/// backticks, multi-line JSON in a fenced block on its own lines.
///
/// A value longer than [`QUOTE_LIMIT`] characters is clipped there, with a count of what was
/// left out: a message quotes at most that much (one real `@documentation` update quoted 3.2 MB);
/// the full value stays in the finding's `change`. `pretty` is the node's pretty JSON, which the
/// caller prints once for both the message and the `change` (unused for a string node).
pub fn ticked(node: &Node, pretty: &str) -> String {
    match node {
        Node::String(s) => format!("`{}`", clip(s)),
        _ => ticked_json(pretty),
    }
}

fn ticked_json(pretty: &str) -> String {
    let pretty = clip(pretty);
    if pretty.contains('\n') { format!("\n```\n{pretty}\n```\n") } else { format!("`{pretty}`") }
}

/// At most this many characters of a value are quoted in a finding's message.
pub const QUOTE_LIMIT: usize = 500;

/// Whether [`ticked`] clips this value (so the finding should carry it whole in
/// `change`).
pub fn is_clipped(node: &Node, pretty: &str) -> bool {
    let text = match node {
        Node::String(s) => s.as_str(),
        _ => pretty,
    };
    text.len() > QUOTE_LIMIT && text.chars().nth(QUOTE_LIMIT).is_some()
}

fn clip(s: &str) -> std::borrow::Cow<'_, str> {
    match s.char_indices().nth(QUOTE_LIMIT) {
        None => s.into(),
        Some((cut, _)) => format!(
            "{}… ({} more characters; the full value is in the finding's change)",
            &s[..cut],
            s[cut..].chars().count()
        )
        .into(),
    }
}

/// The simple name of a shape id (`ns#Name` → `Name`).
pub fn name_of(id: &str) -> &str {
    id.rsplit_once('#').map_or(id, |(_, n)| n)
}

#[cfg(test)]
mod tests;
