//! Smithy model differences, as plain data: the shapes and members of two resolved models paired
//! up (changed, added, removed) and read through [`view`], which sees members as shapes the way
//! smithy-diff does. What the differences mean (events, severities, suppressions) is for the
//! evaluators in [`crate::rules::model`].
//!
//! May depend on: `parse::smithy`.
pub mod view;

use crate::parse::smithy::node::Node;
use crate::parse::smithy::{Model, ShapeType};
use view::{Side, View};

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
        Differences::detect_in(old, new, &|_| true)
    }

    /// The differences of the shapes whose root id `focus` accepts (members go with their
    /// shape): the rest of the models is context the evaluators may look at. A model diffed in
    /// batches ([`crate::parse::smithy::prune`]) is diffed once per batch with that batch's
    /// shapes in focus.
    pub fn detect_in(old: &'a Model, new: &'a Model, focus: &dyn Fn(&str) -> bool) -> Differences<'a> {
        let (old, new) = (Side::new(old), Side::new(new));
        let focused = |id: &str| focus(id.split_once('$').map_or(id, |(c, _)| c));
        let mut changed = Vec::new();
        let mut removed = Vec::new();
        for (id, o) in old.all_views().into_iter().filter(|(id, _)| focused(id)) {
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
            .filter(|(id, _)| focused(id) && !(in_file(old.model, id) && old.view(id).is_some()))
            .map(|(_, v)| v)
            .collect();
        Differences { old, new, changed, added, removed }
    }

    /// Changed shapes whose old and new versions are both of one of these kinds.
    pub fn changed_of(&self, kinds: &'a [ShapeType]) -> impl Iterator<Item = &Changed<'a>> + '_ {
        self.changed.iter().filter(move |c| c.both(kinds))
    }
}

/// Whether a side has the shape: defined by its model files, or bundled (smithy-diff loads the
/// prelude and trait libraries on both sides, so a model file that drops its copy of a bundled
/// shape has not removed it).
fn in_file(model: &Model, id: &str) -> bool {
    let container = id.split_once('$').map_or(id, |(c, _)| c);
    model.has(container) || crate::parse::smithy::bundled::shape(container).is_some()
}
