//! The new model's own suppressions and severity overrides, applied like Smithy's
//! `ModelBasedEventDecorator`: ERROR (and already suppressed) events are left alone; a `@suppress`
//! trait on the event's shape wins, then `metadata.suppressions` in order; otherwise the highest
//! matching `metadata.severityOverrides` level (WARNING or DANGER) that is above the event's own.
use super::Event;
use crate::finding::{Severity, id_matches};
use crate::parse::json::Node;
use crate::parse::smithy::Model;

struct Rule {
    id: String,
    namespace: String,
    reason: Option<String>,
    severity: Severity,
}

impl Rule {
    fn matches(&self, e: &Event) -> bool {
        id_matches(&self.id, &e.id)
            && (self.namespace == "*"
                || e.shape.as_deref().and_then(|s| s.split_once('#')).is_some_and(|(ns, _)| ns == self.namespace))
    }
}

pub struct Decorator {
    suppressions: Vec<Rule>,
    overrides: Vec<Rule>,
}

impl Decorator {
    pub fn from_model(model: &Model) -> Decorator {
        let read = |key: &str, want_severity: bool| -> Vec<Rule> {
            let Some(items) = model.metadata.get(key).and_then(Node::as_array) else {
                return Vec::new();
            };
            items
                .iter()
                .filter_map(|n| {
                    let id = n.get("id")?.as_str()?.to_string();
                    let namespace = n.get("namespace")?.as_str()?.to_string();
                    let severity = if want_severity {
                        match n.get("severity")?.as_str()? {
                            "WARNING" => Severity::Warning,
                            "DANGER" => Severity::Danger,
                            _ => return None,
                        }
                    } else {
                        Severity::Suppressed
                    };
                    let reason = n.get("reason").and_then(Node::as_str).map(str::to_string);
                    Some(Rule { id, namespace, reason, severity })
                })
                .collect()
        };
        Decorator { suppressions: read("suppressions", false), overrides: read("severityOverrides", true) }
    }

    /// The event's final severity and, when suppressed, the suppression's reason.
    pub fn decorate(&self, model: &Model, e: &Event) -> (Severity, Option<String>) {
        if matches!(e.severity, Severity::Error | Severity::Suppressed) {
            return (e.severity, None);
        }
        if let Some(shape) = e.shape.as_deref() {
            let traits = match shape.split_once('$') {
                Some((c, m)) => model.shape(c).and_then(|s| s.member(m)).map(|m| &m.traits),
                None => model.shape(shape).map(|s| &s.traits),
            };
            if let Some(list) = traits.and_then(|t| t.get("smithy.api#suppress")).and_then(Node::as_array)
                && list.iter().filter_map(Node::as_str).any(|id| id_matches(id, &e.id))
            {
                return (Severity::Suppressed, None);
            }
        }
        if let Some(s) = self.suppressions.iter().find(|s| s.matches(e)) {
            return (Severity::Suppressed, s.reason.clone());
        }
        let level = self.overrides.iter().filter(|o| o.matches(e)).map(|o| o.severity).fold(e.severity, Severity::max);
        (level, None)
    }
}
