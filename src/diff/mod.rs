//! Diffs: what changed between two snapshots, as plain data.
pub mod files;
pub mod packages;
pub mod smithy;
