//! Parsers: bytes in, plain data out. No git, no printing.
//!
//! May depend on: `finding` (a manifest problem is reported as a finding), `globs`, `text`. Never on diff,
//! rules or config.
pub mod candidate;
pub mod json;
pub mod packages;
pub mod smithy;
