//! Any text as a candidate manifest (TOML or JSON): entries or an error naming a line and
//! column, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use shipgate::rules::release::parse_candidate_manifest;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for path in ["candidate.toml", "candidate.json"] {
        if let Err(e) = parse_candidate_manifest(path, text) {
            let _ = e.to_string();
        }
    }
});
