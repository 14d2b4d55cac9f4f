//! File-level diff: which model files and package manifests were added, removed or modified
//! between two snapshots. Starts from the tree diff, so unchanged files are never read; only the
//! changed `*.json` blobs are sniffed when models are detected by content. Paths are classified
//! in parallel; the result is sorted by path whatever the order they finish in.
use crate::memo::Memo;
use crate::outcome::{FileChange, FileStatus};
use crate::source::{ChangeKind, Oid, PathChange, Repo, Snapshot, SourceError};
use globset::GlobSet;
use rayon::prelude::*;

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

    /// Classifies by path alone: manifests, and `.smithy` files (those the globs match, or every
    /// one without globs). Returns `None` for a `.json`: whether it is a model is decided by its
    /// content (see [`Classifier::needs_sniff`]), with or without globs.
    pub fn by_path(&self, path: &str) -> Option<Kind> {
        let name = path.rsplit('/').next().unwrap_or(path);
        if (self.cargo_on && name == "Cargo.toml") || (self.npm_on && name == "package.json") {
            return Some(Kind::Manifest);
        }
        if !crate::parse::smithy::is_idl_path(path) {
            return None;
        }
        match &self.smithy {
            Some(set) if set.is_match(path) => Some(Kind::Model),
            None => Some(Kind::Model),
            _ => None,
        }
    }

    /// Whether a path may be a model that only its content can tell: a `.json` (outside
    /// `node_modules`) that the `[models] smithy` globs match, or any one without globs. A glob
    /// narrows where models are; it does not make a JSON file that is not a Smithy model one
    /// (`sdk-endpoints.json` beside the models it configures).
    pub fn needs_sniff(&self, path: &str) -> bool {
        path.ends_with(".json")
            && !path.ends_with("package.json")
            && !path.contains("node_modules/")
            && self.smithy.as_ref().is_none_or(|set| set.is_match(path))
    }

    /// Full classification of blob `oid` at `path`, reading it (once per blob id) when content
    /// decides.
    pub fn classify(
        &self,
        path: &str,
        oid: Oid,
        read: impl FnOnce() -> Result<std::sync::Arc<Vec<u8>>, SourceError>,
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
///
/// `on_model` is called with each side (snapshot, path, blob) of every model file found, in the
/// same task that classified it: the model stage reads each model blob's links there, right
/// after the content check read the blob, so the second read finds it in the repository's
/// memory of recent reads instead of inflating it again.
pub fn changed_files<E>(
    repo: &Repo,
    base: &Snapshot,
    head: &Snapshot,
    classifier: &Classifier,
    changes: &[PathChange],
    on_model: &(dyn Fn(&Snapshot, &str, Oid) -> Result<(), E> + Sync),
) -> Result<Vec<FileChange>, E>
where
    E: From<SourceError> + Send,
{
    let found: Vec<Option<FileChange>> = changes
        .par_iter()
        .map(|change| changed_file(repo, base, head, classifier, change, on_model))
        .collect::<Result<_, E>>()?;
    let mut out: Vec<FileChange> = found.into_iter().flatten().collect();
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// One path of [`changed_files`]: its row, or `None` when it is neither a model nor a manifest.
fn changed_file<E>(
    repo: &Repo,
    base: &Snapshot,
    head: &Snapshot,
    classifier: &Classifier,
    change: &PathChange,
    on_model: &(dyn Fn(&Snapshot, &str, Oid) -> Result<(), E> + Sync),
) -> Result<Option<FileChange>, E>
where
    E: From<SourceError>,
{
    let classify = |snap: &Snapshot, oid: Option<Oid>| -> Result<Option<Kind>, SourceError> {
        let Some(oid) = oid else { return Ok(None) };
        let read = || repo.read_shared(snap, &crate::source::FileEntry { path: change.path.clone(), oid });
        classifier.classify(&change.path, oid, read)
    };
    // Each side is classified on its own: a model at base stays a model at head whatever its
    // head content (lost its `"smithy"` key, UTF-16, a symlink: the model stage reports it
    // as InvalidModel instead of the file vanishing from the diff), and a file that becomes
    // a model only at head is an added model, not a modified one.
    // Of two large blobs, the one stored as a delta is read first, while nothing else is held
    // (see `Repo::blob_deltas`): the peak of a 100 MB model's diff is this read.
    let large = |snap: &Snapshot, oid: Option<Oid>| {
        matches!(snap, Snapshot::Commit(_))
            && oid.is_some_and(|o| repo.blob_size(o, &change.path).is_ok_and(|s| s > crate::source::LARGE_BLOB))
    };
    let head_first = large(base, change.old)
        && large(head, change.new)
        && change.new.map(|o| repo.blob_deltas(o)) > change.old.map(|o| repo.blob_deltas(o));
    let (at_base, at_head) = if head_first {
        let at_head = classify(head, change.new)?;
        (classify(base, change.old)?, at_head)
    } else {
        (classify(base, change.old)?, classify(head, change.new)?)
    };
    let (kind, status) = match (at_base, at_head, change.kind) {
        (Some(k), _, ChangeKind::Modified | ChangeKind::Removed) => (k, change.kind),
        (None, Some(k), ChangeKind::Modified) => (k, ChangeKind::Added),
        (_, Some(k), kind) => (k, kind),
        _ => return Ok(None),
    };
    let change =
        &PathChange { kind: status, old: change.old.filter(|_| status != ChangeKind::Added), ..change.clone() };
    if kind == Kind::Model {
        for (snap, oid) in [(base, change.old), (head, change.new)] {
            if let Some(oid) = oid {
                on_model(snap, &change.path, oid)?;
            }
        }
    }
    let size = |snap: &Snapshot, oid: Option<crate::source::Oid>| -> Result<Option<u64>, SourceError> {
        match (snap, oid) {
            (_, None) => Ok(None),
            (Snapshot::Worktree(dir), Some(_)) => {
                Ok(std::fs::symlink_metadata(dir.join(crate::source::fs_path(&change.path))).ok().map(|m| m.len()))
            }
            (Snapshot::Commit(_), Some(oid)) => repo.blob_size(oid, &change.path).map(Some),
        }
    };
    Ok(Some(FileChange {
        path: change.path.clone(),
        kind: kind.name().to_string(),
        status: match change.kind {
            ChangeKind::Added => FileStatus::Added,
            ChangeKind::Removed => FileStatus::Removed,
            ChangeKind::Modified => FileStatus::Modified,
        },
        base_size: size(base, change.old)?,
        head_size: size(head, change.new)?,
    }))
}
