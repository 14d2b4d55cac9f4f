//! Trait definitions that model files never carry: the Smithy prelude and the AWS trait
//! libraries, bundled as Smithy JSON AST under `rules/traits/` (see its README for sources).
//!
//! smithy-diff always sees these shapes (the prelude is implicit; the AWS libraries are on its
//! classpath), so the diff engine resolves any shape a model does not define itself here.
use super::{Model, Shape};
use crate::rules::catalog;
use std::sync::OnceLock;

/// The bundled files, in lookup order.
pub const FILES: [&str; 5] = [
    "traits/prelude.json",
    "traits/aws.auth.json",
    "traits/aws.protocols.json",
    "traits/aws.api.json",
    "traits/smithy.rules.json",
];

/// Every bundled shape, merged into one model. Panics only if a bundled file is invalid, which
/// the unit test below rules out.
pub fn model() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| {
        let mut merged = Model { version: "2.0".into(), ..Model::default() };
        for file in FILES {
            let text = catalog::data_file(file).unwrap_or_else(|| panic!("rules/{file} is bundled"));
            let m = super::parse(file, text.as_bytes()).unwrap_or_else(|e| panic!("rules/{file} is valid: {e}"));
            merged.shapes.extend(m.shapes);
        }
        merged
    })
}

/// A bundled shape by id.
pub fn shape(id: &str) -> Option<&'static Shape> {
    model().shapes.get(id)
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
        ] {
            assert!(m.shapes.contains_key(id), "{id} is bundled");
        }
        assert!(m.shapes.values().filter(|s| s.traits.has("smithy.api#trait")).count() > 90);
    }
}
