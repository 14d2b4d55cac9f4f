//! shipgate: release integrity and SDK diffs for repositories that generate SDKs from API models.
//!
//! The crate is a pipeline, one module per stage, each handing the next plain data:
//!
//! ```text
//! source  git trees at a revision (gix), or the work tree      → paths, object ids, bytes
//! parse   Smithy JSON AST models, Cargo and npm manifests      → models, packages
//! config  shipgate.toml                                        → policy
//! diff    file-level, model-level and package-level changes    → plain change data
//! rules   rule catalog (rules/*.toml) and evaluators           → findings
//! history closest safe commit, release-size baselines          → candidates, culprits
//! engine  runs the stages for one command                      → Outcome
//! report  renderers: table, json, md, html, sarif, github      → text
//! cli     arguments, exit codes (the only place that prints)
//! ```
#![forbid(unsafe_code)]

pub mod cli;
pub mod config;
pub mod date;
pub mod diff;
pub mod engine;
pub mod finding;
pub mod fixture;
pub mod history;
pub mod memo;
pub mod outcome;
pub mod parse;
pub mod report;
pub mod rules;
pub mod source;
