//! shipgate: release integrity and SDK diffs for repositories that generate SDKs from API models.
//!
//! The crate is a pipeline, one module per stage, each handing the next plain data; a stage
//! depends only on the stages above it (`tests/architecture.rs` checks that no module depends
//! on another in a cycle and that no stage reaches a later one):
//!
//! ```text
//! source  git trees at a revision (gix, only here), the work tree  → paths, object ids, bytes
//! parse   Smithy models (JSON AST, IDL), Cargo and npm manifests   → models, package trees
//! diff    file-, model- and package-level changes                  → plain change data
//! rules   catalog (rules/*.toml), model and release evaluators     → findings
//! config  shipgate.toml, resolved once                             → policy
//! history closest safe commit, release-size baselines              → its own result rows
//! engine  runs the stages for one command                          → Outcome
//! report  renderers: table, json, md, html, sarif, github          → text
//! cli     arguments, "today", exit codes (the only place that prints)
//! ```
//!
//! Shared plain types: `finding` (the one result type), `outcome` (what renderers read), `date`,
//! `globs` (glob lists compiled once), `memo` (content-keyed caches), `packed` (large bytes held
//! compressed while read a part at a time).
#![forbid(unsafe_code)]

pub mod cli;
pub mod config;
pub mod date;
pub mod diff;
pub mod engine;
pub mod finding;
pub mod globs;
pub mod history;
pub mod memo;
pub mod outcome;
pub mod packed;
pub mod parse;
pub mod report;
pub mod rules;
pub mod source;
pub mod text;
