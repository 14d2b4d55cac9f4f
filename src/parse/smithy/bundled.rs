//! Trait definitions that model files never carry: the Smithy prelude and every trait library
//! smithy-diff 1.73.0 has on its classpath, bundled as their `.smithy` originals under
//! `rules/traits/` (see its README for sources) and read with the IDL reader on first use.
//!
//! smithy-diff always sees these shapes (the prelude is implicit; the libraries are on its
//! classpath), so the diff engine resolves any shape a model does not define itself here.
use super::{Model, Shape};
use std::sync::OnceLock;

include!(concat!(env!("OUT_DIR"), "/data_files.rs"));

/// The bundled IDL files (`traits/*.smithy` below `rules/`): the prelude first, then the
/// libraries by name.
pub fn files() -> Vec<(&'static str, &'static str)> {
    let mut files: Vec<(&str, &str)> =
        DATA_FILES.iter().copied().filter(|(p, _)| p.starts_with("traits/") && p.ends_with(".smithy")).collect();
    files.sort_by_key(|(p, _)| (!p.ends_with("--prelude.smithy"), *p));
    files
}

/// Every bundled shape, merged into one model. Panics only if a bundled file is invalid, which
/// the unit test below rules out.
pub fn model() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| from_idl().unwrap_or_else(|e| panic!("rules/traits is valid IDL: {e}")))
}

/// Builds the bundled model from the `.smithy` originals, each file's ids resolved against the
/// files read before it (the prelude first; one pass is enough: checked, when the JSON AST
/// Smithy serialized from them was still bundled, to give the same model shape for shape).
pub fn from_idl() -> Result<Model, super::SmithyError> {
    let mut library = Model { version: "2.0".into(), ..Model::default() };
    for (file, text) in files() {
        let m = super::idl::parse_against(file, text.as_bytes(), &Model::default(), &library)?;
        library.shapes.extend(m.shapes);
    }
    Ok(library)
}

/// A bundled shape by id. Every bundled namespace is `smithy.*` or `aws.*` (pinned by the test
/// below), so most ids are answered without a lookup: the diff asks for every id of a model.
pub fn shape(id: &str) -> Option<&'static Shape> {
    if !(id.starts_with("smithy.") || id.starts_with("aws.")) {
        return None;
    }
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
        assert!(m.shapes.keys().all(|id| id.starts_with("smithy.") || id.starts_with("aws.")), "see `shape`");
        assert_eq!(super::files().len(), 18, "one file per trait library source file");
    }
}
