//! Parsing a model from the Smithy IDL against parsing the same model from JSON AST, measured in
//! the same run (a ratio, since these machines are shared and noisy). The models are the AWS
//! models of `fixtures/idl/aws` (each converted by Smithy's own serializer), plus those of
//! `SHIPGATE_IDL_DIR` when set (a directory of `NAME.json` + `NAME.smithy` pairs).
//!
//!     cargo bench --bench idl
use shipgate::parse::smithy::{idl, parse};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn best_of(n: usize, mut f: impl FnMut()) -> Duration {
    (0..n)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .expect("n > 0")
}

fn pairs(dir: &Path) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| Some(e.ok()?.path())).filter(|p| p.extension().is_some_and(|e| e == "smithy")).collect()
        })
        .unwrap_or_default();
    names.sort();
    names.iter().filter_map(|p| Some((std::fs::read(p.with_extension("json")).ok()?, std::fs::read(p).ok()?))).collect()
}

fn main() {
    let mut models = pairs(&Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/idl/aws"));
    if let Some(dir) = std::env::var_os("SHIPGATE_IDL_DIR") {
        models.extend(pairs(Path::new(&dir)));
    }
    let (json_bytes, idl_bytes): (usize, usize) =
        models.iter().fold((0, 0), |(j, i), (a, b)| (j + a.len(), i + b.len()));
    // Warm up (the bundled prelude is loaded once) and check every pair parses.
    for (j, i) in &models {
        parse("m.json", j).expect("JSON parses");
        idl::parse("m.smithy", i).expect("IDL parses");
    }
    let rounds = 15;
    let json = best_of(rounds, || {
        for (j, _) in &models {
            std::hint::black_box(parse("m.json", j).expect("JSON parses"));
        }
    });
    let idl = best_of(rounds, || {
        for (_, i) in &models {
            std::hint::black_box(idl::parse("m.smithy", i).expect("IDL parses"));
        }
    });
    println!(
        "{} models ({} KB JSON, {} KB IDL): JSON AST {:.1} ms, IDL {:.1} ms, idl / json = {:.2} (target <= 1.5)",
        models.len(),
        json_bytes / 1024,
        idl_bytes / 1024,
        json.as_secs_f64() * 1e3,
        idl.as_secs_f64() * 1e3,
        idl.as_secs_f64() / json.as_secs_f64()
    );
}
