//! Any text as a Cargo.toml: a manifest or an error naming a line and column, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use shipgate::parse::packages::cargo;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Err(e) = cargo::parse_manifest("Cargo.toml", text) {
        let _ = e.to_string();
    }
    let _ = cargo::load(&[("a/Cargo.toml", text)]);
});
