//! Rules: metadata as data files (`catalog`), evaluators that turn diffs into findings, and the
//! policy (levels, exceptions) applied to every finding whatever rule made it, and the baseline
//! (new, pre-existing, resolved) that decides which findings the release introduces.
//!
//! May depend on: `parse`, `diff`, `finding`, `outcome` (package rows), `date`, `globs` (compiled
//! by the config). Never on config: the policy arrives resolved, its globs compiled.
pub mod baseline;
pub mod catalog;
pub mod docs;
pub mod model;
pub mod policy;
pub mod registry;
pub mod release;
