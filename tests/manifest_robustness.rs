//! The parsers of repository content other than models (Cargo.toml, package.json, shipgate.toml,
//! the candidate manifest) never panic and never hang, whatever the text: a deterministic mutation
//! run over fixture files (the same mutations on every machine, so a failure reproduces), plus
//! hostile inputs. Each input is accepted or rejected with an error that names a line and column
//! inside the text. `fuzz/` holds the cargo-fuzz targets for longer, coverage-guided runs.
use shipgate::config::{ConfigError, LoadedConfig};
use shipgate::parse::packages::model::ManifestError;
use shipgate::parse::packages::{cargo, npm};
use shipgate::rules::release::parse_candidate_manifest;

/// xorshift64*: a tiny seeded generator, so the run is the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Fragments that matter to TOML and JSON readers.
const TOKENS: &[&str] = &[
    "[",
    "]",
    "{",
    "}",
    "[[",
    "]]",
    "=",
    ",",
    ":",
    "\"",
    "'",
    "\"\"\"",
    "\\",
    "\n",
    "\r\n",
    "#",
    ".",
    "*",
    "..",
    "\u{feff}",
    "\u{0}",
    "\u{fffd}",
    "é",
    "1e999",
    "-0",
    "9999999999999999999999",
    "true",
    "null",
    "version",
    "name",
    "workspace",
    "dependencies",
    "path",
    "file:../x",
    "workspace:*",
    "^1.2",
    ">=1 <2 || 3",
    "[package]",
    "[workspace]",
    "[[exceptions]]",
    "[rules]",
    "[[package]]",
    "expires = \"2027-02-30\"",
];

/// `n` mutations of `seed`: replace, insert, delete or duplicate a span; splice a token; truncate.
fn mutations(seed: &str, n: usize, rng: &mut Rng) -> Vec<String> {
    let chars: Vec<char> = seed.chars().collect();
    (0..n)
        .map(|_| {
            let mut c = chars.clone();
            for _ in 0..=rng.below(3) {
                let at = rng.below(c.len() + 1);
                match rng.below(6) {
                    0 if !c.is_empty() => {
                        let end = (at + 1 + rng.below(8)).min(c.len());
                        c.drain(at.min(end)..end);
                    }
                    1 => {
                        let t = TOKENS[rng.below(TOKENS.len())];
                        c.splice(at..at, t.chars());
                    }
                    2 if !c.is_empty() => {
                        let i = at.min(c.len() - 1);
                        c[i] = TOKENS[rng.below(TOKENS.len())].chars().next().unwrap_or('x');
                    }
                    3 => c.truncate(at),
                    4 if !c.is_empty() => {
                        let end = (at + rng.below(40)).min(c.len());
                        let dup: Vec<char> = c[at.min(end)..end].to_vec();
                        c.splice(at..at, dup);
                    }
                    _ => {
                        let t = TOKENS[rng.below(TOKENS.len())];
                        c.splice(at..at, t.repeat(1 + rng.below(4)).chars());
                    }
                }
            }
            c.into_iter().collect()
        })
        .collect()
}

/// Hostile inputs every parser sees, besides the mutations.
fn hostile() -> Vec<String> {
    vec![
        String::new(),
        "\u{feff}".into(),
        "[".repeat(100_000),
        "{".repeat(100_000),
        format!("[package]\nname = \"a\"\nversion = \"{}\" x\n", "9".repeat(70_000)),
        format!("{{\"name\": \"a\", \"version\": \"1.0.0\", \"x\": \"{}\" x}}", "y".repeat(70_000)),
        "a = 1\n".repeat(20_000),
        "[[package]]\nname = \"a\"\n".repeat(5_000),
        "\r\r\r\n\n\u{0}\u{1}".into(),
    ]
}

/// The line and column of a manifest error lie inside `text` (a line past the end or column 0
/// would point nowhere).
fn check_manifest_error(e: &ManifestError, text: &str, what: &str) {
    let lines = text.split('\n').count() as u32;
    match e {
        ManifestError::Syntax { line, column, .. } | ManifestError::Invalid { line, column, .. } => {
            assert!(*line >= 1 && *line <= lines && *column >= 1, "{what}: {line}:{column} outside the text: {e}");
            assert!(e.to_string().contains(&format!(":{line}:{column}:")), "{what}: {e}");
        }
    }
}

fn check_config_error(e: &ConfigError, text: &str, what: &str) {
    if let ConfigError::Invalid { span: Some(span), .. } = e {
        assert!(span.offset() <= text.len().max(1), "{what}: span {span:?} past the end ({} bytes): {e}", text.len());
    }
}

fn fixture(path: &str) -> String {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn inputs(seeds: &[&str], per_seed: usize, salt: u64) -> Vec<String> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ salt);
    let mut out = hostile();
    for seed in seeds {
        let text = fixture(seed);
        out.push(text.clone());
        out.extend(mutations(&text, per_seed, &mut rng));
    }
    out
}

const CARGO_SEEDS: &[&str] = &[
    "fixtures/packages/cargo-unsatisfied-misaligned/head/Cargo.toml",
    "fixtures/packages/cargo-unsatisfied-misaligned/head/aws/sdk/aws-sdk-s3/Cargo.toml",
];
const NPM_SEEDS: &[&str] = &[
    "fixtures/packages/npm-clients/head/package.json",
    "fixtures/packages/npm-clients/head/packages/core/package.json",
];

#[test]
fn cargo_manifests_never_panic_and_errors_point_inside() {
    let all = inputs(CARGO_SEEDS, 300, 1);
    let mut rejected = 0;
    for (i, text) in all.iter().enumerate() {
        if let Err(e) = cargo::parse_manifest("Cargo.toml", text) {
            check_manifest_error(&e, text, &format!("Cargo.toml #{i}"));
            rejected += 1;
        }
    }
    assert!(rejected > 50 && rejected < all.len(), "the mutations reach both paths: {rejected}/{}", all.len());
    let files: Vec<(&str, &str)> = all.iter().take(200).map(|t| ("x/Cargo.toml", t.as_str())).collect();
    let _ = cargo::load(&files);
}

#[test]
fn package_json_never_panics_and_errors_point_inside() {
    let all = inputs(NPM_SEEDS, 300, 2);
    let mut rejected = 0;
    for (i, text) in all.iter().enumerate() {
        if let Err(e) = npm::parse_manifest("package.json", text) {
            check_manifest_error(&e, text, &format!("package.json #{i}"));
            rejected += 1;
        }
        let _ = npm::key_lines(text);
    }
    assert!(rejected > 50 && rejected < all.len(), "the mutations reach both paths: {rejected}/{}", all.len());
    let files: Vec<(&str, &str)> = all.iter().take(200).map(|t| ("x/package.json", t.as_str())).collect();
    let _ = npm::load(&files);
}

#[test]
fn shipgate_toml_never_panics_and_errors_point_inside() {
    let mut seeds = inputs(&["fixtures/workspaces/smithy-rs-runtime/shipgate.toml"], 600, 3);
    // The README's example config, with every section.
    let readme = fixture("README.md");
    if let Some(example) = readme.split("```toml\n").nth(1).and_then(|s| s.split("```").next()) {
        let mut rng = Rng(4);
        seeds.push(example.to_string());
        seeds.extend(mutations(example, 600, &mut rng));
    }
    let mut rejected = 0;
    for (i, text) in seeds.iter().enumerate() {
        if let Err(e) = LoadedConfig::parse("shipgate.toml", text) {
            check_config_error(&e, text, &format!("shipgate.toml #{i}"));
            rejected += 1;
        }
    }
    assert!(rejected > 50 && rejected < seeds.len(), "the mutations reach both paths: {rejected}/{}", seeds.len());
}

#[test]
fn candidate_manifests_never_panic_and_errors_point_inside() {
    let json = r#"{"packages": [{"name": "aws-smithy-types", "version": "1.2.3"}, {"name": "b", "version": "0.1.0"}]}"#;
    let mut all = inputs(&["fixtures/packages/cargo-candidate/candidate.toml"], 500, 5);
    let mut rng = Rng(6);
    all.push(json.to_string());
    all.extend(mutations(json, 500, &mut rng));
    let mut accepted = 0;
    for (i, text) in all.iter().enumerate() {
        for path in ["candidate.toml", "candidate.json"] {
            match parse_candidate_manifest(path, text) {
                Err(e) => check_manifest_error(&e, text, &format!("{path} #{i}")),
                Ok(_) => accepted += 1,
            }
        }
    }
    assert!(accepted > 50 && accepted < all.len() * 2, "the mutations reach both paths: {accepted}/{}", all.len() * 2);
}

// Regression: a Cargo or npm package name with a newline, a NUL or an ESC was read as a package
// without a finding (and printed by the reports); Cargo and npm refuse such a manifest. Only what
// they refuse is a finding: every name they accept still reads.
#[test]
fn names_cargo_and_npm_refuse_are_malformed_manifests_at_the_name() {
    let invalid_at_name = |e: &ManifestError, what: &str| {
        let f = e.to_finding();
        assert_eq!(
            (f.rule.as_str(), f.id.as_str(), f.line),
            ("MalformedManifest", "MalformedManifest.Invalid", Some(3)),
            "{what}: {e}"
        );
        assert!(!f.message.chars().any(char::is_control), "{what}: the message quotes the name escaped: {}", f.message);
    };
    // TOML escapes: the name is on line 3.
    let cargo = |name: &str| format!("[package]\nversion = \"1.0.0\"\nname = \"{name}\"\n");
    for bad in ["a\\nb", "a\\u0000", "a\\u001b[31m", "a\\r", "", "1a", "-a", "a.b", "a b", "a\\u00a0"] {
        let e = cargo::parse_manifest("x/Cargo.toml", &cargo(bad)).expect_err(bad);
        invalid_at_name(&e, bad);
        assert!(e.to_string().contains("not one Cargo accepts"), "{e}");
    }
    for good in ["a", "aws-smithy-runtime-api", "_private", "é-crate", "A_b-9", "inlineable"] {
        let m = cargo::parse_manifest("x/Cargo.toml", &cargo(good)).unwrap_or_else(|e| panic!("{good}: {e}"));
        assert_eq!(m.package.expect("a package").name, good);
    }
    // JSON escapes: the name is on line 3.
    let npm = |name: &str| format!("{{\n  \"version\": \"1.0.0\",\n  \"name\": \"{name}\"\n}}\n");
    for bad in [
        "a\\nb",
        "a\\u0000",
        "a\\u001b[31m",
        "a\\n",
        " a",
        ".hidden",
        "a b",
        "a:b",
        "a+b",
        "@scope",
        "@scope/a/b",
        "@/a",
        "node_modules",
        "Favicon.ico",
    ] {
        let e = npm::parse_manifest("x/package.json", &npm(bad)).expect_err(bad);
        invalid_at_name(&e, bad);
        assert!(e.to_string().contains("not one npm accepts"), "{e}");
    }
    for good in ["a", "@smithy/types", "@aws-sdk/client-s3", "a.b", "JSONStream", "_internal", "~x", "a(b)*'!"] {
        let m = npm::parse_manifest("x/package.json", &npm(good)).unwrap_or_else(|e| panic!("{good}: {e}"));
        assert_eq!(m.package.expect("a package").name, good);
    }
    // In a tree: a finding at the manifest's name line, and no package of that name.
    let files = vec![
        ("a/Cargo.toml".to_string(), cargo("a\\nb").into_bytes()),
        ("b/package.json".to_string(), npm("b\\u001b").into_bytes()),
    ];
    let tree = shipgate::parse::packages::tree::load_tree(&files, &Default::default());
    let found: Vec<(&str, Option<&str>, Option<u32>)> =
        tree.problems.iter().map(|f| (f.id.as_str(), f.path.as_deref(), f.line)).collect();
    assert_eq!(
        found,
        vec![
            ("MalformedManifest.Invalid", Some("a/Cargo.toml"), Some(3)),
            ("MalformedManifest.Invalid", Some("b/package.json"), Some(3))
        ]
    );
    assert!(tree.packages.is_empty(), "{:?}", tree.packages.keys());
}
