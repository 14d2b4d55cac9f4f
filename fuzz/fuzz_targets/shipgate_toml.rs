//! Any text as a shipgate.toml: a config or an error with a span inside the text, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use shipgate::config::{ConfigError, LoadedConfig};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Err(ConfigError::Invalid { span: Some(span), .. }) = LoadedConfig::parse("shipgate.toml", text) {
        assert!(span.offset() <= text.len().max(1));
    }
});
