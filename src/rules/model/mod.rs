//! The Smithy model rules: one evaluator per smithy-diff `DiffEvaluator` (plus the AWS modules'
//! `SigV4Migration` and `EndpointSigV4Migration`), each a function from [`Differences`] to
//! events, and the new model's `suppressions` / `severityOverrides` metadata and `@suppress`
//! traits applied the way Smithy's `ModelBasedEventDecorator` does (ERROR events are never
//! suppressed or re-levelled). Event ids, severities, subjects and messages are smithy-diff's, so
//! existing suppressions carry over.
//!
//! [`diff`] turns two models into findings plus a summary. Findings get the head model's file and
//! line of their subject (the base model's for removals): with assembled models, the file the
//! shape is in now, or was in.
//!
//! May depend on: `diff::smithy`, `parse::smithy`, `finding`.
mod suppress;

use crate::diff::smithy::Differences;
use crate::diff::smithy::view::View;
use crate::finding::{self, Finding, Severity};
use crate::parse::json::Node;
use crate::parse::smithy::{Model, ShapeType};
use std::collections::BTreeSet;

mod added_entity_binding;
mod added_metadata;
mod added_operation_error;
mod added_required_member;
mod added_service_error;
mod added_shape;
mod added_trait_definition;
mod changed_default;
mod changed_enum_trait;
mod changed_length_trait;
mod changed_member_order;
mod changed_member_target;
mod changed_metadata;
mod changed_nullability;
mod changed_operation_input;
mod changed_operation_output;
mod changed_range_trait;
mod changed_resource_identifiers;
mod changed_shape_type;
mod endpoint_sigv4_migration;
mod modified_trait;
mod removed_authentication_scheme;
mod removed_entity_binding;
mod removed_metadata;
mod removed_operation_error;
mod removed_service_error;
mod removed_shape;
mod removed_trait_definition;
mod service_rename;
mod sigv4_migration;
mod trait_breaking_change;

/// An evaluator: reads the differences, appends events.
pub type Evaluator = fn(&Differences<'_>, &mut Vec<Event>);

/// Every evaluator with its rule id (the first segment of the event ids it emits; the binding
/// evaluators emit `Added/RemovedOperationBinding` and `Added/RemovedResourceBinding`).
pub const ALL: [(&str, Evaluator); 31] = [
    ("AddedEntityBinding", added_entity_binding::evaluate),
    ("AddedMetadata", added_metadata::evaluate),
    ("AddedOperationError", added_operation_error::evaluate),
    ("AddedRequiredMember", added_required_member::evaluate),
    ("AddedServiceError", added_service_error::evaluate),
    ("AddedShape", added_shape::evaluate),
    ("AddedTraitDefinition", added_trait_definition::evaluate),
    ("ChangedDefault", changed_default::evaluate),
    ("ChangedEnumTrait", changed_enum_trait::evaluate),
    ("ChangedLengthTrait", changed_length_trait::evaluate),
    ("ChangedMemberOrder", changed_member_order::evaluate),
    ("ChangedMemberTarget", changed_member_target::evaluate),
    ("ChangedMetadata", changed_metadata::evaluate),
    ("ChangedNullability", changed_nullability::evaluate),
    ("ChangedOperationInput", changed_operation_input::evaluate),
    ("ChangedOperationOutput", changed_operation_output::evaluate),
    ("ChangedRangeTrait", changed_range_trait::evaluate),
    ("ChangedResourceIdentifiers", changed_resource_identifiers::evaluate),
    ("ChangedShapeType", changed_shape_type::evaluate),
    ("ModifiedTrait", modified_trait::evaluate),
    ("RemovedAuthenticationScheme", removed_authentication_scheme::evaluate),
    ("RemovedEntityBinding", removed_entity_binding::evaluate),
    ("RemovedMetadata", removed_metadata::evaluate),
    ("RemovedOperationError", removed_operation_error::evaluate),
    ("RemovedServiceError", removed_service_error::evaluate),
    ("RemovedShape", removed_shape::evaluate),
    ("RemovedTraitDefinition", removed_trait_definition::evaluate),
    ("ServiceRename", service_rename::evaluate),
    ("TraitBreakingChange", trait_breaking_change::evaluate),
    ("SigV4Migration", sigv4_migration::evaluate),
    ("EndpointSigV4Migration", endpoint_sigv4_migration::evaluate),
];

pub fn run_all(d: &Differences<'_>, out: &mut Vec<Event>) {
    for (_, evaluate) in ALL {
        evaluate(d, out);
    }
}

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

impl ModelDiff {
    /// Adds another batch's diff (see [`diff_in`]): shapes are in one batch's focus each, the
    /// metadata's events are in every batch's, so findings that are equal are kept once.
    pub fn merge(&mut self, other: ModelDiff) {
        self.findings.extend(other.findings);
        finding::sort_findings(&mut self.findings);
        self.findings.dedup();
        for (into, from) in [
            (&mut self.shapes_added, other.shapes_added),
            (&mut self.shapes_removed, other.shapes_removed),
            (&mut self.shapes_changed, other.shapes_changed),
            (&mut self.operations_added, other.operations_added),
            (&mut self.operations_removed, other.operations_removed),
            (&mut self.operations_changed, other.operations_changed),
        ] {
            into.extend(from);
            into.sort();
            into.dedup();
        }
    }
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
    run_all(d, &mut events);
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
    diff_in(old, new, &|_| true)
}

/// Diffs the shapes of two models whose root id `focus` accepts (see
/// [`Differences::detect_in`]), with the metadata's events: a model diffed in batches is one
/// [`ModelDiff::merge`] of these, one per batch.
pub fn diff_in(old: &Model, new: &Model, focus: &dyn Fn(&str) -> bool) -> ModelDiff {
    let d = Differences::detect_in(old, new, focus);
    let mut findings: Vec<Finding> = decorated_events(&d)
        .into_iter()
        .map(|(e, severity, reason)| {
            let subject = e.shape.clone().unwrap_or_default();
            let mut f = Finding::new(e.id, severity, subject, e.message);
            if let Some(key) = &e.key {
                f = f.keyed(key);
            }
            if let Some(shape) = &e.shape {
                let root = shape.split('$').next().unwrap_or(shape);
                if let Some(s) = new.shape(root) {
                    f.path = Some(s.file.to_string());
                    f.line = new.line_of(shape);
                } else if let Some(s) = old.shape(root) {
                    f.path = Some(s.file.to_string());
                    f.line = old.line_of(shape);
                    f = f.on_base();
                }
            } else if let Some(key) = &e.key {
                // A metadata event: where the key is written (head, else base).
                if let Some((file, line)) = new.metadata_at.get(key) {
                    (f.path, f.line) = (Some(file.to_string()), Some(*line));
                } else if let Some((file, line)) = old.metadata_at.get(key) {
                    (f.path, f.line) = (Some(file.to_string()), Some(*line));
                    f = f.on_base();
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
