//! Parsers: bytes in, plain data out. No git, no printing.
pub mod cargo;
pub mod npm;
pub mod smithy;
