//! DANGER for the same SigV4 ↔ SigV4A migrations as `SigV4Migration`, but in the `authSchemes`
//! of each endpoint of a service's `@smithy.rules#endpointRuleSet` (from smithy-aws-endpoints'
//! `EndpointSigV4Migration`). An endpoint without `authSchemes` uses the service's schemes.
use super::Event;
use super::sigv4_migration::{classify, message};
use crate::diff::smithy::Differences;
use crate::parse::json::Node;
use crate::parse::smithy::ShapeType;
use crate::rules::catalog;
use std::collections::BTreeMap;

const RULE_SET: &str = "smithy.rules#endpointRuleSet";

/// `EndpointAuthUtils.isSigV4EquivalentAuthScheme`: `sigv4`, its shape id, and every `sigv4-*`
/// variant except `sigv4-s3express`.
fn is_sigv4(name: &str) -> bool {
    matches!(name, "sigv4" | "aws.auth#sigv4") || (name.starts_with("sigv4-") && name != "sigv4-s3express")
}

/// `EndpointAuthUtils.isSigV4AEquivalentAuthScheme`: `sigv4a`, its shape id, and
/// `sigv4-s3express` (S3 Express signing counts as SigV4A).
fn is_sigv4a(name: &str) -> bool {
    matches!(name, "sigv4a" | "aws.auth#sigv4a" | "sigv4-s3express")
}

fn index_of(list: &[String], sigv4a: bool) -> Option<usize> {
    list.iter().position(|s| if sigv4a { is_sigv4a(s) } else { is_sigv4(s) })
}

/// JSON path → endpoint object, for every object with `"type": "endpoint"` below the rule set's
/// `rules` (smithy-rules-engine's `EndpointPathCollector` walks every object and array member,
/// not only tree rules).
fn endpoints(rule_set: &Node) -> BTreeMap<String, &Node> {
    let mut out = BTreeMap::new();
    if let Some(rules) = rule_set.get("rules") {
        collect(rules, "/rules", &mut out, 0);
    }
    out
}

fn collect<'n>(node: &'n Node, path: &str, out: &mut BTreeMap<String, &'n Node>, depth: usize) {
    if depth > 256 {
        return;
    }
    match node {
        Node::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                collect(item, &format!("{path}/{i}"), out, depth + 1);
            }
        }
        Node::Object(entries) => {
            if node.get("type").and_then(Node::as_str) == Some("endpoint") {
                if let Some(e) = node.get("endpoint") {
                    out.insert(format!("{path}/endpoint"), e);
                }
                return;
            }
            for e in entries {
                if matches!(e.value, Node::Array(_) | Node::Object(_)) {
                    collect(&e.value, &format!("{path}/{}", e.key), out, depth + 1);
                }
            }
        }
        _ => {}
    }
}

fn auth_schemes(endpoint: &Node, modeled: &[String]) -> Vec<String> {
    let names: Vec<String> = endpoint
        .get("properties")
        .and_then(|p| p.get("authSchemes"))
        .and_then(Node::as_array)
        .map(|a| a.iter().filter_map(|s| s.get("name").and_then(Node::as_str)).map(str::to_string).collect())
        .unwrap_or_default();
    if names.is_empty() { modeled.to_vec() } else { names }
}

pub fn evaluate(d: &Differences<'_>, out: &mut Vec<Event>) {
    for c in d.changed_of(&[ShapeType::Service]) {
        let (Some(old), Some(new)) = (c.old.shape(), c.new.shape()) else {
            continue;
        };
        let (Some(old_rs), Some(new_rs)) = (old.traits.get(RULE_SET), new.traits.get(RULE_SET)) else {
            continue;
        };
        let old_modeled = d.old.effective_auth(old, None);
        let new_modeled = d.new.effective_auth(new, None);
        if old_rs == new_rs && c.changed_trait("smithy.api#auth").is_none() && old_modeled == new_modeled {
            continue;
        }
        let old_endpoints = endpoints(old_rs);
        for (path, new_endpoint) in endpoints(new_rs) {
            let Some(old_endpoint) = old_endpoints.get(&path) else {
                continue;
            };
            if *old_endpoint == new_endpoint {
                continue;
            }
            let (o, n) = (auth_schemes(old_endpoint, &old_modeled), auth_schemes(new_endpoint, &new_modeled));
            if let Some(m) = classify(&o, &n, &index_of) {
                let location = format!(
                    "an endpoint in the `@smithy.rules#endpointRuleSet` trait applied to `{}` at: `{path}`",
                    new.id
                );
                out.push(
                    Event::new(
                        "EndpointSigV4Migration",
                        catalog::severity("EndpointSigV4Migration"),
                        &new.id,
                        message(&m, &location),
                    )
                    .with_change(o.join(", "), n.join(", ")),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // smithy-aws-endpoints counts `sigv4-s3express` as SigV4A-equivalent and other `sigv4-*`
    // names as SigV4: replacing `sigv4` by `sigv4-s3express` is a SigV4 → SigV4A migration.
    #[test]
    fn s3express_counts_as_sigv4a() {
        assert!(is_sigv4a("sigv4-s3express") && !is_sigv4("sigv4-s3express"));
        assert!(is_sigv4("sigv4-foo") && !is_sigv4a("sigv4-foo"));
        let (old, new) = (vec!["sigv4".to_string()], vec!["sigv4-s3express".to_string()]);
        assert!(matches!(
            classify(&old, &new, &index_of),
            Some(super::super::sigv4_migration::Migration::SigV4Replaced)
        ));
    }

    // Endpoints are found below any object or array member of the rule set, as
    // `EndpointPathCollector` walks them, not only below tree rules.
    #[test]
    fn endpoints_are_collected_below_every_member() {
        let rs = crate::parse::json::parse(
            br#"{"rules": [{"type": "tree", "rules": [{"type": "endpoint", "endpoint": {"url": "a"}}]},
                          {"type": "error", "x": [{"type": "endpoint", "endpoint": {"url": "b"}}]}]}"#,
        )
        .expect("valid JSON");
        let found: Vec<String> = endpoints(&rs).into_keys().collect();
        assert_eq!(found, ["/rules/0/rules/0/endpoint", "/rules/1/x/0/endpoint"]);
    }
}
