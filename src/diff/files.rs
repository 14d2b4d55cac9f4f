//! File-level diff: which model files and package manifests were added, removed or modified
//! between two snapshots. Starts from the tree diff, so unchanged files are never read; only the
//! changed `*.json` blobs are sniffed when models are detected by content.
use crate::memo::Memo;
use crate::outcome::{FileChange, FileStatus};
use crate::source::{ChangeKind, Oid, PathChange, Repo, Snapshot, SourceError};
use globset::GlobSet;

/// What kind of file shipgate reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Model,
    Manifest,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Model => "model",
            Kind::Manifest => "manifest",
        }
    }
}

/// Decides which paths are models and manifests, from config globs or built-in detection.
#[derive(Debug, Clone)]
pub struct Classifier {
    /// `None`: detect Smithy models by content.
    smithy: Option<GlobSet>,
    cargo_on: bool,
    npm_on: bool,
    /// Content-detection answers by blob id: a history search sees the same blobs many times.
    sniffed: Memo<Oid, bool>,
}

impl Classifier {
    /// `smithy`: the `[models] smithy` globs (`None`: detect by content); `cargo_on` / `npm_on`:
    /// whether `[packages]` leaves that ecosystem on.
    pub fn new(smithy: Option<GlobSet>, cargo_on: bool, npm_on: bool) -> Classifier {
        Classifier { smithy, cargo_on, npm_on, sniffed: Memo::default() }
    }

    /// Classifies by path alone: every `.smithy` file is a model (unless globs say otherwise);
    /// `Some(Kind::Model)` for a `.json` only when globs decide it.
    /// Returns `None` for a `.json` that needs content detection: see [`Classifier::needs_sniff`].
    pub fn by_path(&self, path: &str) -> Option<Kind> {
        let name = path.rsplit('/').next().unwrap_or(path);
        if (self.cargo_on && name == "Cargo.toml") || (self.npm_on && name == "package.json") {
            return Some(Kind::Manifest);
        }
        match &self.smithy {
            Some(set) if set.is_match(path) => Some(Kind::Model),
            None if crate::parse::smithy::is_idl_path(path) => Some(Kind::Model),
            _ => None,
        }
    }

    /// Whether a path may be a model that only its content can tell.
    pub fn needs_sniff(&self, path: &str) -> bool {
        self.smithy.is_none()
            && path.ends_with(".json")
            && !path.ends_with("package.json")
            && !path.contains("node_modules/")
    }

    /// Full classification of blob `oid` at `path`, reading it (once per blob id) when content
    /// decides.
    pub fn classify(
        &self,
        path: &str,
        oid: Oid,
        read: impl FnOnce() -> Result<Vec<u8>, SourceError>,
    ) -> Result<Option<Kind>, SourceError> {
        if let Some(kind) = self.by_path(path) {
            return Ok(Some(kind));
        }
        if self.needs_sniff(path)
            && self.sniffed.get_or_try(oid, || read().map(|bytes| crate::parse::smithy::looks_like_smithy(&bytes)))?
        {
            return Ok(Some(Kind::Model));
        }
        Ok(None)
    }
}

/// The model and manifest files that differ between `base` and `head`, sorted by path.
pub fn changed_files(
    repo: &Repo,
    base: &Snapshot,
    head: &Snapshot,
    classifier: &Classifier,
    changes: &[PathChange],
) -> Result<Vec<FileChange>, SourceError> {
    let mut out = Vec::new();
    for change in changes {
        let classify = |snap: &Snapshot, oid: Option<Oid>| -> Result<Option<Kind>, SourceError> {
            let Some(oid) = oid else { return Ok(None) };
            let read = || repo.read(snap, &crate::source::FileEntry { path: change.path.clone(), oid });
            classifier.classify(&change.path, oid, read)
        };
        // Each side is classified on its own: a model at base stays a model at head whatever its
        // head content (lost its `"smithy"` key, UTF-16, a symlink: the model stage reports it
        // as InvalidModel instead of the file vanishing from the diff), and a file that becomes
        // a model only at head is an added model, not a modified one.
        let (at_base, at_head) = (classify(base, change.old)?, classify(head, change.new)?);
        let (kind, status) = match (at_base, at_head, change.kind) {
            (Some(k), _, ChangeKind::Modified | ChangeKind::Removed) => (k, change.kind),
            (None, Some(k), ChangeKind::Modified) => (k, ChangeKind::Added),
            (_, Some(k), kind) => (k, kind),
            _ => continue,
        };
        let change =
            &PathChange { kind: status, old: change.old.filter(|_| status != ChangeKind::Added), ..change.clone() };
        let size = |snap: &Snapshot, oid: Option<crate::source::Oid>| -> Result<Option<u64>, SourceError> {
            match (snap, oid) {
                (_, None) => Ok(None),
                (Snapshot::Worktree(dir), Some(_)) => {
                    Ok(std::fs::symlink_metadata(dir.join(crate::source::fs_path(&change.path))).ok().map(|m| m.len()))
                }
                (Snapshot::Commit(_), Some(oid)) => repo.blob_size(oid, &change.path).map(Some),
            }
        };
        out.push(FileChange {
            path: change.path.clone(),
            kind: kind.name().to_string(),
            status: match change.kind {
                ChangeKind::Added => FileStatus::Added,
                ChangeKind::Removed => FileStatus::Removed,
                ChangeKind::Modified => FileStatus::Modified,
            },
            base_size: size(base, change.old)?,
            head_size: size(head, change.new)?,
        });
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}
