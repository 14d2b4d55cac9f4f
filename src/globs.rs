//! Glob lists compiled once: the patterns as written plus one matcher over all of them (and one
//! per pattern, for rules that report each pattern on its own). The config compiles every glob
//! it holds into these when it loads (a bad one is a config error there, with its span), and
//! the parsers compile the globs manifests declare (workspace members) when they read them;
//! nothing downstream compiles a glob again.
//!
//! Two kinds, for the two things globs name: [`PathGlobs`] over repo-relative paths (`*` never
//! crosses `/`, as in Cargo workspace members and npm workspaces; a leading `./` and a trailing
//! `/` are ignored) and [`NameGlobs`] over package names (`*` may cross `/`, so `@smithy/*`
//! matches scoped names). Both serialise as the list of patterns.
//!
//! May depend on: nothing in the crate.
use globset::{GlobBuilder, GlobMatcher, GlobSet, GlobSetBuilder};

/// A glob that does not compile: which one (its position in the list, and as written) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlobError {
    pub index: usize,
    pub glob: String,
    pub message: String,
}

#[derive(Debug, Clone, Default)]
struct Compiled {
    patterns: Vec<String>,
    set: GlobSet,
    each: Vec<GlobMatcher>,
}

impl Compiled {
    fn new(patterns: &[String], build: fn(&str) -> GlobBuilder<'_>) -> Result<Compiled, GlobError> {
        let mut set = GlobSetBuilder::new();
        let mut each = Vec::with_capacity(patterns.len());
        for (index, p) in patterns.iter().enumerate() {
            let glob =
                build(p).build().map_err(|e| GlobError { index, glob: p.clone(), message: e.kind().to_string() })?;
            each.push(glob.compile_matcher());
            set.add(glob);
        }
        let set = set.build().map_err(|e| GlobError { index: 0, glob: patterns.join(", "), message: e.to_string() })?;
        Ok(Compiled { patterns: patterns.to_vec(), set, each })
    }
}

macro_rules! glob_list {
    ($(#[$doc:meta])* $name:ident, $build:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
        #[serde(try_from = "Vec<String>", into = "Vec<String>")]
        pub struct $name(Compiled);

        impl $name {
            /// Compiles `patterns`; the first that does not compile is the error.
            pub fn new(patterns: &[String]) -> Result<$name, GlobError> {
                Compiled::new(patterns, $build).map($name)
            }

            /// Whether any pattern matches.
            pub fn is_match(&self, s: &str) -> bool {
                self.0.set.is_match(s)
            }

            /// Whether pattern `index` matches (`false` past the end).
            pub fn is_match_at(&self, index: usize, s: &str) -> bool {
                self.0.each.get(index).is_some_and(|m| m.is_match(s))
            }

            /// The patterns as written.
            pub fn patterns(&self) -> &[String] {
                &self.0.patterns
            }

            pub fn is_empty(&self) -> bool {
                self.0.patterns.is_empty()
            }
        }

        impl PartialEq for $name {
            fn eq(&self, other: &$name) -> bool {
                self.0.patterns == other.0.patterns
            }
        }

        impl Eq for $name {}

        impl TryFrom<Vec<String>> for $name {
            type Error = String;
            fn try_from(patterns: Vec<String>) -> Result<$name, String> {
                $name::new(&patterns).map_err(|e| format!("`{}` is not a valid glob: {}", e.glob, e.message))
            }
        }

        impl From<$name> for Vec<String> {
            fn from(globs: $name) -> Vec<String> {
                globs.0.patterns
            }
        }
    };
}

glob_list!(
    /// Repo-relative path globs: `*` never crosses `/`; a leading `./` and a trailing `/` are
    /// ignored (`./rust-runtime/*/`).
    PathGlobs,
    |p| {
        let mut b = GlobBuilder::new(p.trim().trim_start_matches("./").trim_end_matches('/'));
        b.literal_separator(true);
        b
    }
);

glob_list!(
    /// Package-name globs (`aws-smithy-*`, `@smithy/*`): `*` may match `/`, so scoped names
    /// behave as users expect.
    NameGlobs,
    |p| GlobBuilder::new(p.trim())
);

#[cfg(test)]
mod tests {
    use super::*;

    fn list(p: &[&str]) -> Vec<String> {
        p.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn paths_and_names_match_as_their_kind_says() {
        let paths = PathGlobs::new(&list(&["./rt/*/", "**/Cargo.lock"])).expect("valid");
        assert!(paths.is_match("rt/a") && !paths.is_match("rt/a/b") && paths.is_match("x/y/Cargo.lock"));
        assert!(
            paths.is_match_at(1, "Cargo.lock") && !paths.is_match_at(0, "Cargo.lock") && !paths.is_match_at(2, "x")
        );
        let names = NameGlobs::new(&list(&["@smithy/*"])).expect("valid");
        assert!(names.is_match("@smithy/types"));
        assert_eq!(names.patterns(), ["@smithy/*"]);
    }

    #[test]
    fn a_bad_glob_names_itself_and_its_position() {
        let e = NameGlobs::new(&list(&["ok", "a/["])).expect_err("unclosed class");
        assert_eq!((e.index, e.glob.as_str()), (1, "a/["));
        let v: Result<PathGlobs, _> = serde_json::from_str(r#"["a/["]"#);
        assert!(v.expect_err("invalid").to_string().contains("`a/[` is not a valid glob"));
        let back: Vec<String> = serde_json::from_str(&serde_json::to_string(&paths()).expect("json")).expect("list");
        assert_eq!(back, ["a/*"]);
    }

    fn paths() -> PathGlobs {
        PathGlobs::new(&list(&["a/*"])).expect("valid")
    }
}
