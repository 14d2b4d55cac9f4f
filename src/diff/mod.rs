//! Diffs: what changed between two snapshots, as plain data.
//!
//! May depend on: `source`, `parse`, `outcome` (its file rows), `memo`. Never on rules or config.
pub mod files;
pub mod packages;
pub mod smithy;
