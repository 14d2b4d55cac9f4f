//! Cargo manifests (`Cargo.toml`) read from blobs.
