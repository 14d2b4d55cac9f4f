//! Parsers: bytes in, plain data out. No git, no printing.
pub mod packages;
pub mod smithy;
