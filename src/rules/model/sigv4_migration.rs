//! DANGER when the effective auth schemes of a service or operation move between
//! `aws.auth#sigv4` and `aws.auth#sigv4a` in a way existing clients may not survive (from
//! smithy-aws-traits' `SigV4Migration`).
use super::Event;
use crate::diff::smithy::Differences;
use crate::parse::smithy::ShapeType;
use crate::rules::catalog;

pub const SIGV4: &str = "aws.auth#sigv4";
pub const SIGV4A: &str = "aws.auth#sigv4a";

/// Which kind of migration happened, given where SigV4 and SigV4A sit in the old and new lists.
#[allow(clippy::enum_variant_names)] // named after smithy-diff's own flags
pub enum Migration {
    SigV4Replaced,
    SigV4AReplaced,
    SigV4AMovedFirst,
    SigV4MovedFirst,
    SigV4AddedFirst,
    SigV4AAddedFirst,
}

/// `index_of(list, sigv4a?)` finds the first SigV4 (or SigV4A) equivalent scheme.
pub fn classify(
    old: &[String],
    new: &[String],
    index_of: &dyn Fn(&[String], bool) -> Option<usize>,
) -> Option<Migration> {
    let (o4, o4a, n4, n4a) = (index_of(old, false), index_of(old, true), index_of(new, false), index_of(new, true));
    match (o4, o4a, n4, n4a) {
        (Some(_), None, None, Some(_)) => Some(Migration::SigV4Replaced),
        (None, Some(_), Some(_), None) => Some(Migration::SigV4AReplaced),
        (Some(a), Some(b), Some(c), Some(d)) => {
            let (old_first, new_first) = (a < b, c < d);
            if old_first && !new_first {
                Some(Migration::SigV4AMovedFirst)
            } else if !old_first && new_first {
                Some(Migration::SigV4MovedFirst)
            } else {
                None
            }
        }
        (None, Some(_), Some(c), Some(d)) => (c < d).then_some(Migration::SigV4AddedFirst),
        (Some(_), None, Some(c), Some(d)) => (d < c).then_some(Migration::SigV4AAddedFirst),
        _ => None,
    }
}

/// The sentence pair smithy-diff uses for each migration, given the "in the effective auth
/// schemes for ..." location text.
pub fn message(m: &Migration, location: &str) -> String {
    let breaks = "is not backward compatible since not all credentials usable by `aws.auth#sigv4` are compatible with `aws.auth#sigv4a`, and can break existing clients' authentication.";
    let narrowed = "may not be backward compatible if the signing scope was narrowed (typically from `*`).";
    match m {
        Migration::SigV4Replaced => format!(
            "The `aws.auth#sigv4` authentication scheme was replaced by the `aws.auth#sigv4a` authentication scheme in the effective auth schemes for {location}. Replacing the `aws.auth#sigv4` authentication scheme with the `aws.auth#sigv4a` authentication scheme directly {breaks}"
        ),
        Migration::SigV4AReplaced => format!(
            "The `aws.auth#sigv4a` authentication scheme was replaced by the `aws.auth#sigv4` authentication scheme in the effective auth schemes for {location}. Replacing the `aws.auth#sigv4` authentication scheme with the `aws.auth#sigv4a` authentication scheme directly {narrowed}"
        ),
        Migration::SigV4AMovedFirst => format!(
            "The `aws.auth#sigv4a` authentication scheme was moved before the `aws.auth#sigv4` authentication scheme in the effective auth schemes for {location}. Moving the `aws.auth#sigv4a` authentication scheme before the `aws.auth#sigv4` authentication scheme {breaks}"
        ),
        Migration::SigV4MovedFirst => format!(
            "The `aws.auth#sigv4` authentication scheme was moved before the `aws.auth#sigv4a` authentication scheme in the effective auth schemes for {location}. Moving the `aws.auth#sigv4` authentication scheme before the `aws.auth#sigv4a` authentication scheme {narrowed}"
        ),
        Migration::SigV4AddedFirst => format!(
            "The `aws.auth#sigv4` authentication scheme was added before the `aws.auth#sigv4a` authentication scheme in the effective auth schemes for {location}. Adding the `aws.auth#sigv4` authentication scheme before an existing `aws.auth#sigv4a` authentication scheme {narrowed}"
        ),
        Migration::SigV4AAddedFirst => format!(
            "The `aws.auth#sigv4a` authentication scheme was added before the `aws.auth#sigv4` authentication scheme in the effective auth schemes for {location}. Adding the `aws.auth#sigv4a` authentication scheme before an existing `aws.auth#sigv4` authentication scheme {breaks}"
        ),
    }
}

fn exact(list: &[String], sigv4a: bool) -> Option<usize> {
    list.iter().position(|s| s == if sigv4a { SIGV4A } else { SIGV4 })
}

fn check(shape: &str, old: &[String], new: &[String], out: &mut Vec<Event>) {
    if let Some(m) = classify(old, new, &exact) {
        out.push(
            Event::new(
                "SigV4Migration",
                catalog::severity("SigV4Migration"),
                shape,
                message(&m, &format!("`{shape}`")),
            )
            .with_change(old.join(", "), new.join(", ")),
        );
    }
}

pub fn evaluate(d: &Differences<'_>, out: &mut Vec<Event>) {
    for c in d.changed_of(&[ShapeType::Service]) {
        let (Some(old), Some(new)) = (c.old.shape(), c.new.shape()) else {
            continue;
        };
        check(&new.id, &d.old.effective_auth(old, None), &d.new.effective_auth(new, None), out);
    }
    let bindings = d.new.operation_services();
    for c in d.changed_of(&[ShapeType::Operation]) {
        let (Some(old_op), Some(new_op)) = (c.old.shape(), c.new.shape()) else {
            continue;
        };
        let Some(services) = bindings.get(&new_op.id) else {
            continue;
        };
        for new_service in services {
            let Some(old_service) = d.old.model.shape(&new_service.id).filter(|s| s.kind == ShapeType::Service) else {
                continue;
            };
            let old_schemes = d.old.effective_auth(old_service, Some(old_op));
            let new_schemes = d.new.effective_auth(new_service, Some(new_op));
            check(&new_op.id, &old_schemes, &new_schemes, out);
        }
    }
}
