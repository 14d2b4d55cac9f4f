//! Read access to one side of a diff: the model's own shapes first, then the bundled trait
//! definitions (smithy-diff always has the prelude and the AWS trait libraries loaded), with
//! members addressable as shapes (`ns#Shape$member`) the way smithy-diff sees them.
use crate::parse::smithy::node::Node;
use crate::parse::smithy::{Member, Model, Shape, ShapeType, Traits, bundled};
use std::collections::{BTreeSet, HashMap};

/// A shape or a member, as one value.
#[derive(Debug, Clone, Copy)]
pub enum View<'a> {
    Shape(&'a Shape),
    Member(&'a Shape, &'a Member),
}

impl<'a> View<'a> {
    pub fn id(&self) -> String {
        match self {
            View::Shape(s) => s.id.clone(),
            View::Member(s, m) => format!("{}${}", s.id, m.name),
        }
    }
    pub fn kind(&self) -> ShapeType {
        match self {
            View::Shape(s) => s.kind,
            View::Member(..) => ShapeType::Member,
        }
    }
    pub fn traits(&self) -> &'a Traits {
        match self {
            View::Shape(s) => &s.traits,
            View::Member(_, m) => &m.traits,
        }
    }
    pub fn has_trait(&self, id: &str) -> bool {
        self.traits().has(id)
    }
    pub fn member(&self) -> Option<&'a Member> {
        match self {
            View::Member(_, m) => Some(m),
            View::Shape(_) => None,
        }
    }
    pub fn shape(&self) -> Option<&'a Shape> {
        match self {
            View::Shape(s) => Some(s),
            View::Member(..) => None,
        }
    }
    /// The containing shape of a member.
    pub fn container(&self) -> Option<&'a Shape> {
        match self {
            View::Member(s, _) => Some(s),
            View::Shape(_) => None,
        }
    }
    /// Tags of the shape (`smithy.api#tags`).
    pub fn tags(&self) -> Vec<&'a str> {
        self.traits()
            .get("smithy.api#tags")
            .and_then(Node::as_array)
            .map(|a| a.iter().filter_map(Node::as_str).collect())
            .unwrap_or_default()
    }
    /// Whether two versions are equal in everything smithy-diff compares.
    pub fn same_as(&self, other: &View<'_>) -> bool {
        match (self, other) {
            (View::Shape(a), View::Shape(b)) => a.same_as(b),
            (View::Member(_, a), View::Member(_, b)) => a.target == b.target && a.traits == b.traits,
            _ => false,
        }
    }
}

/// One model plus the bundled definitions.
#[derive(Clone, Copy)]
pub struct Side<'a> {
    pub model: &'a Model,
}

impl<'a> Side<'a> {
    pub fn new(model: &'a Model) -> Side<'a> {
        Side { model }
    }

    pub fn shape(&self, id: &str) -> Option<&'a Shape> {
        self.model.shape(id).or_else(|| bundled::shape(id))
    }

    /// The type of a shape (of the model, read or not, else bundled).
    pub fn kind_of(&self, id: &str) -> Option<ShapeType> {
        self.model.kind_of(id).or_else(|| bundled::shape(id).map(|s| s.kind))
    }

    pub fn view(&self, id: &str) -> Option<View<'a>> {
        match id.split_once('$') {
            Some((c, m)) => {
                let s = self.shape(c)?;
                s.member(m).map(|mm| View::Member(s, mm))
            }
            None => self.shape(id).map(View::Shape),
        }
    }

    /// The trait definition shape (a shape marked `@trait`).
    pub fn trait_def(&self, id: &str) -> Option<&'a Shape> {
        self.shape(id).filter(|s| s.traits.has("smithy.api#trait"))
    }

    /// The shape a member targets.
    pub fn target_of(&self, member: &Member) -> Option<&'a Shape> {
        self.shape(&member.target)
    }

    /// Every shape and member defined in the model file (not the bundled ones), by id.
    pub fn all_views(&self) -> Vec<(String, View<'a>)> {
        let mut out = Vec::with_capacity(self.model.shapes.len() * 4);
        for s in self.model.shapes.values() {
            out.push((s.id.clone(), View::Shape(s)));
            for m in &s.members {
                out.push((format!("{}${}", s.id, m.name), View::Member(s, m)));
            }
        }
        out
    }

    /// Operations contained in a service or resource, transitively through resources
    /// (Smithy's `TopDownIndex.getContainedOperations`), sorted.
    pub fn contained_operations(&self, entity: &Shape) -> BTreeSet<String> {
        let mut ops = BTreeSet::new();
        let mut seen = BTreeSet::new();
        let mut stack = vec![entity];
        while let Some(e) = stack.pop() {
            if !seen.insert(e.id.clone()) {
                continue;
            }
            for op in e.all_operations() {
                if self.kind_of(op) == Some(ShapeType::Operation) {
                    ops.insert(op.to_string());
                }
            }
            for r in &e.resources {
                if let Some(rs) = self.shape(r) {
                    stack.push(rs);
                }
            }
        }
        ops
    }

    /// Operation id → services (in this model) that contain it.
    pub fn operation_services(&self) -> HashMap<String, Vec<&'a Shape>> {
        let mut out: HashMap<String, Vec<&'a Shape>> = HashMap::new();
        for s in self.model.shapes.values().filter(|s| s.kind == ShapeType::Service) {
            for op in self.contained_operations(s) {
                out.entry(op).or_default().push(s);
            }
        }
        out
    }

    /// Auth scheme traits applied to a service, sorted by id (`ServiceIndex.getAuthSchemes`).
    pub fn auth_schemes(&self, service: &Shape) -> Vec<String> {
        let mut out: Vec<String> = service
            .traits
            .iter()
            .filter(|(id, _)| self.shape(id).is_some_and(|d| d.traits.has("smithy.api#authDefinition")))
            .map(|(id, _)| id.to_string())
            .collect();
        out.sort();
        out
    }

    /// `ServiceIndex.getEffectiveAuthSchemes(service[, operation])`: the `@auth` order when
    /// present (restricted to schemes the service has), else every scheme sorted by id.
    pub fn effective_auth(&self, service: &Shape, operation: Option<&Shape>) -> Vec<String> {
        let schemes = self.auth_schemes(service);
        let ordered = |traits: &Traits| -> Option<Vec<String>> {
            let list = traits.get("smithy.api#auth")?.as_array()?;
            Some(
                list.iter()
                    .filter_map(Node::as_str)
                    .filter(|id| schemes.iter().any(|s| s == id))
                    .map(str::to_string)
                    .collect(),
            )
        };
        if let Some(op) = operation
            && let Some(list) = ordered(&op.traits)
        {
            return list;
        }
        ordered(&service.traits).unwrap_or(schemes.clone())
    }

    /// Every shape id reachable from a shape through non-trait relationships (Smithy's
    /// `Walker`), including the shape itself.
    pub fn closure(&self, root: &Shape) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![root.id.clone()];
        while let Some(id) = stack.pop() {
            if !seen.insert(id.clone()) {
                continue;
            }
            let Some(s) = self.shape(&id) else { continue };
            for m in &s.members {
                seen.insert(format!("{}${}", s.id, m.name));
                stack.push(m.target.clone());
            }
            let refs = s
                .operations
                .iter()
                .chain(&s.resources)
                .chain(&s.errors)
                .chain(&s.collection_operations)
                .chain(s.lifecycle.values())
                .chain(s.identifiers.values())
                .chain(s.properties.values())
                .chain(&s.mixins);
            stack.extend(refs.cloned());
            if s.kind == ShapeType::Operation {
                stack.push(s.input.clone());
                stack.push(s.output.clone());
            }
        }
        seen
    }
}
