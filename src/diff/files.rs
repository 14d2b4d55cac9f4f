//! File-level diff: which model files and manifests were added, removed or modified.
