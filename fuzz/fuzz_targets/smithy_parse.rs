//! Any bytes: parsing returns a model or an error naming the file, never a panic; a model that
//! parses diffs against itself with no events and against an empty model without panicking.
#![no_main]
use libfuzzer_sys::fuzz_target;
use shipgate::rules::model::diff;
use shipgate::parse::smithy::parse;

fuzz_target!(|data: &[u8]| {
    match parse("fuzz.json", data) {
        Ok(model) => {
            assert!(diff(&model, &model).findings.is_empty());
            let empty = parse("empty.json", br#"{"smithy":"2.0","shapes":{}}"#).expect("empty model");
            let _ = diff(&empty, &model);
            let _ = diff(&model, &empty);
        }
        Err(e) => assert!(e.to_string().starts_with("fuzz.json")),
    }
});
