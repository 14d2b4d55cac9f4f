//! Rules: metadata as data files (`catalog`), evaluators that turn diffs into findings.
pub mod catalog;
pub mod release;
