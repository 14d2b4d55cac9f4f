//! `shipgate.toml`: read ([`raw`], serde with spans) and resolved once ([`policy`]) into the
//! values the pipeline uses: compiled globs, the package selection, the release policy, rule
//! levels and exceptions. A bad value (glob, rule id, level, date) fails here, at load, with its
//! line and column; nothing past the engine sees the raw config.
//!
//! May depend on: `finding`, `date`, `parse::packages` (the selection), `rules` (the catalog,
//! the release and finding policies it resolves into).
pub mod policy;
pub mod raw;

pub use policy::Policy;
pub use raw::ConfigError;

/// A loaded config: where it came from, its text (for diagnostics and the report's digest), and
/// the policy resolved from it.
#[derive(Debug, Clone)]
pub struct LoadedConfig {
    /// Where it came from: a path, `HEAD:shipgate.toml`, or `built-in`.
    pub origin: String,
    /// Its path inside the repository (`shipgate.toml`) when it was read from the work tree or
    /// the head commit rather than from `--config`.
    pub repo_path: Option<String>,
    pub text: String,
    pub policy: Policy,
}

impl LoadedConfig {
    /// Built-in detection, no policy.
    pub fn builtin() -> LoadedConfig {
        let policy = Policy::resolve(&raw::Config::default(), "built-in", "").expect("the empty config resolves");
        LoadedConfig { origin: "built-in".into(), repo_path: None, text: String::new(), policy }
    }

    /// Parses `text` read from `origin` and resolves it.
    pub fn parse(origin: &str, text: &str) -> Result<LoadedConfig, ConfigError> {
        let config = raw::parse(origin, text)?;
        let policy = Policy::resolve(&config, origin, text)?;
        Ok(LoadedConfig { origin: origin.to_string(), repo_path: None, text: text.to_string(), policy })
    }

    /// The `release_tags` glob as written, if set.
    pub fn release_tags(&self) -> Option<&str> {
        self.policy.release_tags.as_ref().map(|t| t.pattern.as_str())
    }

    /// SHA-256 of the config text (empty for built-in).
    pub fn digest(&self) -> String {
        use sha2::{Digest, Sha256};
        hex::encode(Sha256::digest(self.text.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_points_at_line_and_column() {
        let err = LoadedConfig::parse("shipgate.toml", "mainline = \"main\"\n[packages]\ncargoo = []\n")
            .expect_err("unknown key");
        let ConfigError::Invalid { message, span, .. } = err else { panic!("wrong error") };
        assert!(message.contains("unknown field `cargoo`"), "{message}");
        assert_eq!(span.map(|s| s.offset()), Some(29));
    }

    #[test]
    fn wrong_type_and_bad_glob_and_level() {
        assert!(LoadedConfig::parse("c", "release_tags = 3").is_err());
        assert!(LoadedConfig::parse("c", "[models]\nsmithy = [\"a/[b\"]").is_err());
        let e = LoadedConfig::parse("c", "[[alignment]]\nname = \"x\"\npackages = [\"a*\"]\npolicy = \"same\"");
        assert!(e.is_err());
    }

    // Regression: a bad `[packages] required` glob was not checked at load; every run then
    // reported it as a MalformedManifest.Glob finding instead of failing on the config.
    #[test]
    fn every_glob_is_compiled_at_load_and_a_bad_one_points_at_itself() {
        let text = "[packages]\nrequired = [\"aws-config\", \"aws-[\"]\n";
        let ConfigError::Invalid { message, span, .. } = LoadedConfig::parse("c", text).expect_err("bad glob") else {
            panic!("wrong error")
        };
        assert!(message.contains("`aws-[` is not a valid glob"), "{message}");
        assert_eq!(span.map(|s| &text[s.offset()..s.offset() + s.len()]), Some("\"aws-[\""));
        let text = "[packages]\ncargo = [\"./rt/*/\"]\nexclude = [\"@x/*\"]\nignore_files = [\"**/*.md\"]\nrequired = [\"a-*\"]\n\n[[alignment]]\nname = \"g\"\npackages = [\"a-*\"]\n";
        let p = LoadedConfig::parse("c", text).expect("valid").policy;
        let cargo = p.selection.cargo.as_ref().expect("cargo globs");
        assert!(cargo.is_match("rt/a") && !cargo.is_match("rt/a/b"), "path globs: `*` stays in one segment");
        assert!(p.selection.exclude.is_match("@x/y"), "name globs: `*` crosses `/`");
        assert!(p.release.ignore_files.is_match("docs/a/README.md") && p.release.required.is_match("a-b"));
        assert!(p.release.alignment[0].packages.is_match("a-c"));
    }

    #[test]
    fn gate_table_takes_pre_existing_and_rejects_unknown_keys() {
        use crate::finding::PreExisting;
        assert_eq!(LoadedConfig::builtin().policy.pre_existing, PreExisting::Report);
        let c = LoadedConfig::parse("c", "[gate]\npre_existing = \"block\"\n").expect("valid");
        assert_eq!(c.policy.pre_existing, PreExisting::Block);
        let c = LoadedConfig::parse("c", "[gate]\npre_existing = \"report\"\n").expect("valid");
        assert_eq!(c.policy.pre_existing, PreExisting::Report);
        let err = LoadedConfig::parse("c", "[gate]\npre_existing = \"warn\"\n").expect_err("bad value");
        let ConfigError::Invalid { message, span, .. } = err else { panic!("wrong error") };
        assert!(message.contains("report") && message.contains("block"), "{message}");
        assert_eq!(span.map(|s| s.offset()), Some(22));
        let err = LoadedConfig::parse("c", "[gate]\npre_exsting = \"block\"\n").expect_err("unknown key");
        let ConfigError::Invalid { message, span, .. } = err else { panic!("wrong error") };
        assert!(message.contains("unknown field `pre_exsting`"), "{message}");
        assert_eq!(span.map(|s| s.offset()), Some(7));
    }

    // Regression: a bad `expires` was labelled at `[[exceptions]]`, not at the `expires` line.
    #[test]
    fn exception_errors_point_at_their_field() {
        let text =
            "[[exceptions]]\nrule = \"RemovedShape\"\nsubject = \"a#B\"\nreason = \"r\"\nexpires = \"2027-02-30\"\n";
        let ConfigError::Invalid { span, .. } = LoadedConfig::parse("c", text).expect_err("not a date") else {
            panic!("wrong error")
        };
        let span = span.expect("a span");
        assert_eq!(&text[span.offset()..span.offset() + span.len()], "expires = \"2027-02-30\"");
        let text = "[[exceptions]]\nrule = \"NoSuchRule\"\nsubject = \"a#B\"\n";
        let ConfigError::Invalid { span, .. } = LoadedConfig::parse("c", text).expect_err("unknown rule") else {
            panic!("wrong error")
        };
        assert_eq!(span.map(|s| s.offset()), Some(15));
        let text = "exceptions = [{ rule = \"RemovedShape\", subject = \"a[\" }]\n";
        assert!(matches!(LoadedConfig::parse("c", text), Err(ConfigError::Invalid { span: Some(_), .. })));
    }

    #[test]
    fn empty_list_is_kept_distinct_from_absent() {
        let c = LoadedConfig::parse("c", "[packages]\nnpm = []").expect("valid");
        assert!(c.policy.selection.npm.as_ref().is_some_and(|v| v.is_empty()));
        assert!(c.policy.selection.cargo.is_none());
        assert!(!c.policy.npm_on && c.policy.cargo_on);
    }
}
