//! The only module that uses gix: revisions, trees, blobs, tree diffs; plus the work tree.
