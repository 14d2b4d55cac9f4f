//! Any text as a package.json: a manifest or an error naming a line and column, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use shipgate::parse::packages::npm;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Err(e) = npm::parse_manifest("package.json", text) {
        let _ = e.to_string();
    }
    let _ = npm::key_lines(text);
    let _ = npm::load(&[("a/package.json", text)]);
});
