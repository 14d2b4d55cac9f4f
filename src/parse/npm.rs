//! npm manifests (`package.json`) read from blobs.
