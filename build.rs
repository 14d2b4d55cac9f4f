//! Embeds every rule metadata file under `rules/` (and bundled data under `rules/traits/`) into
//! the binary: the list is generated, so adding a rule is adding a file, and a test checks that
//! every generated entry parses and names the file it lives in.
//!
//! It also sets `cfg(shipgate_chromium)` when `chromium` is on PATH (or
//! `SHIPGATE_REQUIRE_CHROMIUM=1`), so the browser tests run there and are reported as ignored,
//! with the reason, where it is missing, instead of passing without checking anything.
use std::{env, fs, path::Path};

fn main() {
    println!("cargo:rustc-check-cfg=cfg(shipgate_chromium)");
    println!("cargo:rerun-if-env-changed=PATH");
    println!("cargo:rerun-if-env-changed=SHIPGATE_REQUIRE_CHROMIUM");
    let on_path = env::var_os("PATH").is_some_and(|p| env::split_paths(&p).any(|d| d.join("chromium").is_file()));
    if on_path || env::var("SHIPGATE_REQUIRE_CHROMIUM").as_deref() == Ok("1") {
        println!("cargo:rustc-cfg=shipgate_chromium");
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut rules = Vec::new();
    let mut data = Vec::new();
    collect(&root, &root, &mut rules, &mut data);
    rules.sort();
    data.sort();
    let mut out = String::from("/// `(file stem, contents)` of every `rules/*.toml`, sorted by stem.\n");
    out.push_str("pub static RULE_FILES: &[(&str, &str)] = &[\n");
    for (stem, path) in &rules {
        out.push_str(&format!("    ({stem:?}, include_str!({path:?})),\n"));
    }
    out.push_str("];\n");
    let out_dir = env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    fs::write(Path::new(&out_dir).join("rule_files.rs"), out).expect("OUT_DIR is writable");
    // The bundled data (trait libraries) is the Smithy parser's, in a file of its own: the
    // parser embeds it without depending on the rules.
    let mut out =
        String::from("/// `(path below rules/, contents)` of every bundled data file in subfolders of `rules/`.\n");
    out.push_str("pub static DATA_FILES: &[(&str, &str)] = &[\n");
    for (rel, path) in &data {
        out.push_str(&format!("    ({rel:?}, include_str!({path:?})),\n"));
    }
    out.push_str("];\n");
    fs::write(Path::new(&out_dir).join("data_files.rs"), out).expect("OUT_DIR is writable");
}

fn collect(root: &Path, dir: &Path, rules: &mut Vec<(String, String)>, data: &mut Vec<(String, String)>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        println!("cargo:rerun-if-changed={}", path.display());
        if path.is_dir() {
            collect(root, &path, rules, data);
            continue;
        }
        let rel = path.strip_prefix(root).expect("walked below root").to_string_lossy().replace('\\', "/");
        let abs = path.to_string_lossy().into_owned();
        if dir == root {
            if path.extension().is_some_and(|e| e == "toml") {
                let stem = path.file_stem().expect("file has a stem").to_string_lossy().into_owned();
                rules.push((stem, abs));
            }
        } else if !rel.ends_with(".md") {
            data.push((rel, abs));
        }
    }
}
