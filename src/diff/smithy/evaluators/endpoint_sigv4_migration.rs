//! DANGER for the same SigV4 ↔ SigV4A migrations as `SigV4Migration`, but in the `authSchemes`
//! of each endpoint of a service's `@smithy.rules#endpointRuleSet` (from smithy-aws-endpoints'
//! `EndpointSigV4Migration`). An endpoint without `authSchemes` uses the service's schemes.
use super::sigv4_migration::{classify, message};
use crate::diff::smithy::{Differences, Event};
use crate::finding::Severity;
use crate::parse::smithy::ShapeType;
use crate::parse::smithy::node::Node;
use std::collections::BTreeMap;

const RULE_SET: &str = "smithy.rules#endpointRuleSet";

fn is_sigv4(name: &str) -> bool {
    matches!(name, "sigv4" | "aws.auth#sigv4" | "sigv4-s3express")
}

fn is_sigv4a(name: &str) -> bool {
    matches!(name, "sigv4a" | "aws.auth#sigv4a")
}

fn index_of(list: &[String], sigv4a: bool) -> Option<usize> {
    list.iter().position(|s| if sigv4a { is_sigv4a(s) } else { is_sigv4(s) })
}

/// JSON path → endpoint object, for every endpoint rule, recursing into tree rules.
fn endpoints(rule_set: &Node) -> BTreeMap<String, &Node> {
    let mut out = BTreeMap::new();
    collect(rule_set.get("rules"), "/rules", &mut out, 0);
    out
}

fn collect<'n>(rules: Option<&'n Node>, path: &str, out: &mut BTreeMap<String, &'n Node>, depth: usize) {
    let Some(rules) = rules.and_then(Node::as_array) else {
        return;
    };
    if depth > 64 {
        return;
    }
    for (i, rule) in rules.iter().enumerate() {
        let here = format!("{path}/{i}");
        match rule.get("type").and_then(Node::as_str) {
            Some("endpoint") => {
                if let Some(e) = rule.get("endpoint") {
                    out.insert(format!("{here}/endpoint"), e);
                }
            }
            Some("tree") => collect(rule.get("rules"), &format!("{here}/rules"), out, depth + 1),
            _ => {}
        }
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
                    Event::new("EndpointSigV4Migration", Severity::Danger, &new.id, message(&m, &location))
                        .with_change(o.join(", "), n.join(", ")),
                );
            }
        }
    }
}
