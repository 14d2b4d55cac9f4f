//! Trait definitions that model files never carry: the Smithy prelude and every trait library
//! smithy-diff 1.73.0 has on its classpath, bundled as Smithy JSON AST under `rules/traits/`
//! (generated from the `.smithy` originals next to them; see its README for sources).
//!
//! smithy-diff always sees these shapes (the prelude is implicit; the libraries are on its
//! classpath), so the diff engine resolves any shape a model does not define itself here.
use super::{Model, Shape};
use crate::rules::catalog;
use std::sync::OnceLock;

/// The bundled JSON AST files (`traits/*.json` below `rules/`), sorted.
pub fn files() -> impl Iterator<Item = (&'static str, &'static str)> {
    catalog::DATA_FILES.iter().copied().filter(|(p, _)| p.starts_with("traits/") && p.ends_with(".json"))
}

/// Every bundled shape, merged into one model. Panics only if a bundled file is invalid, which
/// the unit test below rules out.
pub fn model() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| {
        let mut merged = Model { version: "2.0".into(), ..Model::default() };
        for (file, text) in files() {
            let m =
                super::parse_library(file, text.as_bytes()).unwrap_or_else(|e| panic!("rules/{file} is valid: {e}"));
            merged.shapes.extend(m.shapes);
        }
        merged
    })
}

/// A bundled shape by id.
pub fn shape(id: &str) -> Option<&'static Shape> {
    model().shapes.get(id)
}

/// Folds the copies of bundled shapes that a model file carries into what Smithy's loader makes
/// of them, since smithy-diff loads the bundled libraries on both sides of every diff (measured
/// with smithy-diff 1.73.0 on files that add and drop such copies):
///
/// * a copy of a prelude shape (`smithy.api`) is replaced by the prelude's own shape: dropped;
/// * a copy of a trait-library shape keeps the library's type and members; its traits are the
///   library's with the copy's on top (the copy's value wins where they conflict, which Smithy
///   reports as a conflicting trait while loading). A copy that adds nothing is dropped, so
///   adding or dropping identical copies is no change at all; one that differs stays, at the
///   copy's file and line, and diffs like any shape (a dropped copy whose documentation differed
///   is a `ModifiedTrait` note, as smithy-diff reports it).
pub fn fold_copies(model: &mut Model) {
    let copies: Vec<String> = model.shapes.keys().filter(|id| shape(id).is_some()).cloned().collect();
    for id in copies {
        let copy = model.shapes.remove(&id).expect("the id comes from the model");
        if id.starts_with("smithy.api#") {
            continue;
        }
        let library = shape(&id).expect("checked above");
        let mut folded = Shape { line: copy.line, file: copy.file.clone(), ..library.clone() };
        for (k, v) in copy.traits.iter() {
            folded.traits.set(k, v.clone());
        }
        for m in &mut folded.members {
            if let Some(c) = copy.member(&m.name) {
                for (k, v) in c.traits.iter() {
                    m.traits.set(k, v.clone());
                }
                m.line = c.line;
            } else {
                m.line = copy.line;
            }
        }
        if !folded.same_as(library) {
            model.shapes.insert(id, folded);
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn bundled_files_parse_and_define_the_traits_diffs_need() {
        let m = super::model();
        for id in [
            "smithy.api#jsonName",
            "smithy.api#paginated",
            "smithy.api#String",
            "aws.auth#sigv4",
            "aws.protocols#httpChecksum",
            "smithy.rules#endpointRuleSet",
            "smithy.test#smokeTests",
            "smithy.waiters#waitable",
            "aws.api#data",
            "aws.iam#actionPermissionDescription",
            "aws.cloudformation#cfnResource",
            "aws.apigateway#integration",
            "aws.endpoints#standardRegionalEndpoints",
            "smithy.protocols#rpcv2Cbor",
            "smithy.mqtt#publish",
            "smithy.contracts#conditions",
            "smithy.openapi#specificationExtension",
        ] {
            assert!(m.shapes.contains_key(id), "{id} is bundled");
        }
        assert!(m.shapes.values().filter(|s| s.traits.has("smithy.api#trait")).count() > 150);
        assert_eq!(super::files().count(), 18, "one JSON file per trait library source file");
    }
}
