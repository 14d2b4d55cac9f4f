//! ERROR when `@range` is tightened (min raised or max lowered / added). Shared with
//! `ChangedLengthTrait`.
use super::Event;
use crate::diff::smithy::Differences;
use crate::finding::Severity;
use crate::parse::json::{Decimal, Node};
use crate::rules::catalog;

pub fn evaluate(d: &Differences<'_>, out: &mut Vec<Event>) {
    tightened(d, "smithy.api#range", "ChangedRangeTrait", catalog::severity("ChangedRangeTrait"), out);
}

/// A bound's exact value (compared as Smithy's `BigDecimal`, never rounded through `f64`) and
/// its text as written.
fn bound(trait_value: &Node, key: &str) -> Option<(Decimal, String)> {
    match trait_value.get(key)? {
        Node::Number(raw) => Some((Decimal::parse(raw)?, raw.to_string())),
        _ => None,
    }
}

/// `severity`: the event's, from its rule file.
pub(super) fn tightened(d: &Differences<'_>, trait_id: &str, event_id: &str, severity: Severity, out: &mut Vec<Event>) {
    for c in &d.changed {
        let Some((old, new)) = c.changed_trait(trait_id) else {
            continue;
        };
        let zero = || (Decimal::parse("0").expect("a number"), "0".to_string());
        let (old_min, new_min) = (bound(old, "min").unwrap_or_else(zero), bound(new, "min").unwrap_or_else(zero));
        if new_min.0 > old_min.0 {
            out.push(
                Event::new(
                    event_id,
                    severity,
                    &c.id,
                    format!(
                        "{trait_id} trait value `min` was made more restrictive by raising from {} to {}",
                        old_min.1, new_min.1
                    ),
                )
                .with_change(&old_min.1, &new_min.1),
            );
        }
        let (old_max, new_max) = (bound(old, "max"), bound(new, "max"));
        if let Some(new_max) = new_max
            && old_max.as_ref().is_none_or(|o| o.0 > new_max.0)
        {
            let old_text = old_max.map_or_else(|| "null".to_string(), |o| o.1);
            out.push(
                Event::new(
                    event_id,
                    severity,
                    &c.id,
                    format!(
                        "{trait_id} trait value `max` was made more restrictive by lowering from {old_text} to {}",
                        new_max.1
                    ),
                )
                .with_change(old_text, &new_max.1),
            );
        }
    }
}
