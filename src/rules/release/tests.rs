use super::requirements::*;
use super::*;
use semver::Version;

fn v(s: &str) -> Version {
    Version::parse(s).expect("test version")
}

#[test]
fn cargo_bump_rules_for_breaking_changes() {
    // ≥1.0.0: only a new major may break
    assert!(is_breaking_bump(&v("1.2.3"), &v("2.0.0")));
    assert!(!is_breaking_bump(&v("1.2.3"), &v("1.3.0")));
    // 0.x: the minor is the major
    assert!(is_breaking_bump(&v("0.2.3"), &v("0.3.0")));
    assert!(is_breaking_bump(&v("0.2.3"), &v("1.0.0")));
    assert!(!is_breaking_bump(&v("0.2.3"), &v("0.2.4")));
    // 0.0.x: every patch is a major
    assert!(is_breaking_bump(&v("0.0.3"), &v("0.0.4")));
    assert!(!is_breaking_bump(&v("0.0.3"), &v("0.0.3")));
    // going down is never a bump
    assert!(!is_breaking_bump(&v("2.0.0"), &v("1.0.0")));
    assert_eq!(next_breaking(&v("0.2.3")), v("0.3.0"));
    assert_eq!(next_breaking(&v("0.0.3")), v("0.0.4"));
    assert_eq!(next_breaking(&v("1.9.3")), v("2.0.0"));
}

#[test]
fn requirements_per_ecosystem() {
    assert_eq!(satisfies(Ecosystem::Cargo, "1.2", "1.9.0"), Some(true));
    assert_eq!(satisfies(Ecosystem::Cargo, "0.2", "0.3.0"), Some(false));
    assert_eq!(satisfies(Ecosystem::Cargo, "=1.2.0", "1.2.1"), Some(false));
    assert_eq!(satisfies(Ecosystem::Npm, "workspace:*", "9.9.9"), Some(true));
    assert_eq!(satisfies(Ecosystem::Npm, "workspace:^2.0.0", "1.9.0"), Some(false));
    assert_eq!(satisfies(Ecosystem::Npm, "file:../x", "1.0.0"), None);
    assert_eq!(normalized_req(Ecosystem::Cargo, "1.2", None).as_deref(), Some("^1.2"));
    assert_eq!(normalized_req(Ecosystem::Cargo, "*", None), None);
    assert_eq!(normalized_req(Ecosystem::Npm, "workspace:^", Some("3.1.0")).as_deref(), Some("^3.1.0"));
    assert_eq!(req_floor(Ecosystem::Cargo, ">=1.4, <2", None), Some(v("1.4.0")));
    assert_eq!(req_floor(Ecosystem::Npm, "~2.3", None), Some(v("2.3.0")));
}

fn tree(files: &[(&str, &str)], exclude: &[&str]) -> PackageTree {
    let files: Vec<(String, Vec<u8>)> = files.iter().map(|(p, t)| (p.to_string(), t.as_bytes().to_vec())).collect();
    let exclude: Vec<String> = exclude.iter().map(|e| e.to_string()).collect();
    let sel = crate::parse::packages::tree::Selection::new(None, None, &exclude).expect("valid globs");
    crate::parse::packages::tree::load_tree(&files, &sel)
}

fn krate(name: &str, deps: &str) -> String {
    format!("[package]\nname = \"{name}\"\nversion = \"1.0.0\"\n\n[dependencies]\n{deps}\n")
}

fn run(head: &PackageTree, mainline: Option<&PackageTree>) -> Vec<Finding> {
    let (policy, none) = (ReleasePolicy::default(), BTreeSet::new());
    let input = ReleaseInput {
        base: head,
        head,
        mainline,
        changed_files: &[],
        base_label: None,
        breaking_models: &none,
        policy: &policy,
    };
    evaluate(&input).0
}

fn rows(findings: &[Finding], rule: &str) -> Vec<(String, u32)> {
    findings.iter().filter(|f| f.id == rule).map(|f| (f.subject.clone(), f.line.unwrap_or(0))).collect()
}

#[test]
fn requirements_of_equal_meaning_agree() {
    let m = |r: &str| req_meaning(Ecosystem::Cargo, &normalized_req(Ecosystem::Cargo, r, None).expect("req"));
    for same in ["1", "^1", "1.0", "^1.0.0", "1.*", ">=1.0.0, <2.0.0", "1.x"] {
        assert_eq!(m(same), ">=1.0.0, <2.0.0", "{same}");
    }
    assert_ne!(m("1"), m("1.2"));
    assert_eq!(m("0.2"), m("^0.2.0"));
    assert_eq!(m("0.2"), ">=0.2.0, <0.3.0");
    assert_ne!(m("0.2"), m("0.2.9"));
    assert_eq!(m("~1.2"), m("1.2.*"));
    assert_eq!(m("=1.2.3"), ">=1.2.3, <=1.2.3");
    assert_eq!(m("^0.0.3"), ">=0.0.3, <0.0.4");
    assert_eq!(m(">1.2, <=1.4"), ">=1.3.0, <1.5.0");
    assert_eq!(m("1.2.3-beta.1"), "^1.2.3-beta.1", "pre-releases keep their text");
    let line = |r: &str| compat_line(Ecosystem::Cargo, r).map(|v| v.to_string());
    assert_eq!(line("0.2.9").as_deref(), Some("0.2.0"));
    assert_eq!(line("1.40").as_deref(), Some("1.0.0"));
    assert_eq!(line("=0.0.3").as_deref(), Some("0.0.3"));
    assert_eq!(line("<2"), None);
}

// Regression: a package using `http` 0.2 and `http-1x` 1 made every 1.x user of http look
// misaligned with the 0.2 users, and `1`, `^1`, `1.0` looked like three requirements.
#[test]
fn misaligned_compares_within_a_compatibility_line_when_a_package_uses_two() {
    let two_lines = [
        ("a/Cargo.toml", krate("a", "http = \"0.2.9\"\nhttp-1x = { package = \"http\", version = \"1\" }")),
        ("b/Cargo.toml", krate("b", "http = \"1.0\"")),
        ("c/Cargo.toml", krate("c", "http = \"^1\"")),
        ("d/Cargo.toml", krate("d", "http = \"0.2.9\"")),
        ("e/Cargo.toml", krate("e", "http = \"0.2.4\"")),
        ("f/Cargo.toml", krate("f", "http = \"1.1.0\"")),
    ];
    let files: Vec<(&str, &str)> = two_lines.iter().map(|(p, t)| (*p, t.as_str())).collect();
    let found = run(&tree(&files, &[]), None);
    // Within each line every requirement can select one version (`0.2.9` and `0.2.4`; `1.0`,
    // `^1` and `1.1.0`): aligned.
    assert_eq!(rows(&found, "MisalignedDependency"), vec![], "{found:#?}");
    // Without a package that uses both lines, 0.2 against 1 is a real misalignment.
    let files: Vec<(&str, &str)> = two_lines[1..].iter().map(|(p, t)| (*p, t.as_str())).collect();
    let found = run(&tree(&files, &[]), None);
    assert_eq!(rows(&found, "MisalignedDependency"), vec![("d".into(), 6), ("e".into(), 6)], "{found:#?}");
    // Regression: `1` vs `^1.3.1` and `1.13.1` vs `^1.49` were flagged; they select one version.
    for (a, b, flagged) in [
        ("1", "^1.3.1", false),
        ("1.13.1", "^1.49", false),
        ("0.3", "0.4", true),
        ("1", "2", true),
        ("=1.2.3", "^1.3", true),
    ] {
        let files = [
            ("a/Cargo.toml", krate("a", &format!("t = \"{a}\""))),
            ("b/Cargo.toml", krate("b", &format!("t = \"{b}\""))),
        ];
        let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
        let found = run(&tree(&files, &[]), None);
        assert_eq!(rows(&found, "MisalignedDependency").len() == 1, flagged, "{a} vs {b}: {found:#?}");
    }
}

// Regression: BehindMainline compared `http = "0.2"` with mainline's `http-1x` (same package).
#[test]
fn behind_mainline_matches_dependencies_by_key() {
    let at = |http1: &str| {
        krate("a", &format!("http = \"0.2.9\"\nhttp-1x = {{ package = \"http\", version = \"{http1}\" }}"))
    };
    let (head, main) = (at("1.1"), at("1.1"));
    let found = run(&tree(&[("a/Cargo.toml", &head)], &[]), Some(&tree(&[("a/Cargo.toml", &main)], &[])));
    assert!(found.is_empty(), "{found:#?}");
    let main = at("1.2");
    let found = run(&tree(&[("a/Cargo.toml", &head)], &[]), Some(&tree(&[("a/Cargo.toml", &main)], &[])));
    assert_eq!(rows(&found, "BehindMainline.Dependency"), vec![("a".into(), 7)]);
    assert!(found[0].message.contains("http 1.1 at head but 1.2 on mainline"), "{}", found[0].message);
}

// Regression: a path dependency on a name in `[packages] exclude` was reported missing.
#[test]
fn excluded_names_are_never_missing() {
    let cfg = krate(
        "aws-config",
        "aws-sdk-sts = { path = \"../../sdk/build/aws-sdk/sdk/sts\", default-features = false }\n\
         inlineable = { path = \"../inlineable\" }",
    );
    let files = [("rt/aws-config/Cargo.toml", cfg.as_str())];
    let found = run(&tree(&files, &[]), None);
    assert_eq!(rows(&found, "UnresolvedGeneratedDependency").len(), 2, "{found:#?}");
    let found = run(&tree(&files, &["aws-sdk-*", "inlineable"]), None);
    assert!(found.is_empty(), "{found:#?}");
}
