//! Cargo and npm packages: the data model ([`model`]), the two manifest parsers ([`cargo`],
//! [`npm`]) and one snapshot's tree of selected packages ([`tree`]).
//!
//! May depend on: `finding`.
pub mod cargo;
pub mod model;
pub mod npm;
pub mod tree;
