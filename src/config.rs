//! shipgate.toml: policy, globs, exceptions.
