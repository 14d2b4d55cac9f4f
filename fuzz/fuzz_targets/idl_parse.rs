//! Any bytes as a `.smithy` file: parsing returns a model or an error naming the file, never a
//! panic or a hang; a model that parses diffs against itself with no events. Seed it with
//! Smithy's own loader cases:
//!   cargo +nightly fuzz run idl_parse ../fixtures/conformance/smithy-idl
#![no_main]
use libfuzzer_sys::fuzz_target;
use shipgate::rules::model::diff;
use shipgate::parse::smithy::idl::parse;

fuzz_target!(|data: &[u8]| {
    match parse("fuzz.smithy", data) {
        Ok(model) => {
            assert!(diff(&model, &model).findings.is_empty());
            let empty = parse("empty.smithy", b"namespace a.b\n").expect("empty model");
            let _ = diff(&empty, &model);
            let _ = diff(&model, &empty);
        }
        Err(e) => assert!(e.to_string().starts_with("fuzz.smithy")),
    }
});
