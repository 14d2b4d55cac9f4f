//! Builds small git repositories in-process, with a pinned identity and clock, so the object ids
//! are the same on every machine and no `git` binary is needed. Used by `shipgate demo`, the test
//! suite and the benchmarks; never by the analysis commands (they only read).
use crate::source::Oid;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// 2026-01-01T00:00:00Z: the fixture clock starts here and moves one hour per commit.
pub const EPOCH: i64 = 1_767_225_600;

pub struct FixtureRepo {
    repo: gix::Repository,
    pub dir: PathBuf,
    files: BTreeMap<String, Vec<u8>>,
    /// Blob ids of unchanged files, so a commit hashes only what was written since the last one.
    blob_ids: BTreeMap<String, Oid>,
    /// Paths committed as symlinks (mode 120000): their content is the link's target.
    links: std::collections::BTreeSet<String>,
    branch: String,
    clock: i64,
}

type Result<T> = std::result::Result<T, String>;

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

impl FixtureRepo {
    /// A new repository at `dir` (created), with `main` checked out and nothing committed.
    pub fn init(dir: &Path) -> Result<FixtureRepo> {
        std::fs::create_dir_all(dir).map_err(err)?;
        let repo = gix::init(dir).map_err(err)?;
        std::fs::write(repo.git_dir().join("HEAD"), "ref: refs/heads/main\n").map_err(err)?;
        Ok(FixtureRepo {
            repo,
            dir: dir.to_path_buf(),
            files: BTreeMap::new(),
            blob_ids: BTreeMap::new(),
            links: Default::default(),
            branch: "main".into(),
            clock: EPOCH,
        })
    }

    pub fn write(&mut self, path: &str, content: impl AsRef<[u8]>) -> &mut Self {
        self.files.insert(path.to_string(), content.as_ref().to_vec());
        self.blob_ids.remove(path);
        self.links.remove(path);
        self
    }

    /// Makes `path` a symlink to `target` (committed with mode 120000, its blob the target path).
    pub fn link(&mut self, path: &str, target: &str) -> &mut Self {
        self.write(path, target);
        self.links.insert(path.to_string());
        self
    }

    pub fn remove(&mut self, path: &str) -> &mut Self {
        self.files.remove(path);
        self.blob_ids.remove(path);
        self.links.remove(path);
        self
    }

    pub fn read(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).map(Vec::as_slice)
    }

    /// Commits the current file set on the current branch and returns the commit id.
    pub fn commit(&mut self, message: &str) -> Result<Oid> {
        let mut editor = self.repo.empty_tree().edit().map_err(err)?;
        for (path, data) in &self.files {
            let blob = match self.blob_ids.get(path) {
                Some(id) => *id,
                None => {
                    let id = self.repo.write_blob(data).map_err(err)?.detach();
                    self.blob_ids.insert(path.clone(), id);
                    id
                }
            };
            let kind = if self.links.contains(path) {
                gix::objs::tree::EntryKind::Link
            } else {
                gix::objs::tree::EntryKind::Blob
            };
            editor.upsert(path.as_str(), kind, blob).map_err(err)?;
        }
        let tree = editor.write().map_err(err)?.detach();
        let reference = format!("refs/heads/{}", self.branch);
        let parent: Vec<Oid> = self
            .repo
            .try_find_reference(reference.as_str())
            .map_err(err)?
            .and_then(|r| r.try_id().map(|id| id.detach()))
            .into_iter()
            .collect();
        self.clock += 3600;
        let time = gix::date::Time::new(self.clock, 0);
        let mut buf = gix::date::parse::TimeBuf::default();
        let sig = gix::actor::SignatureRef {
            name: "shipgate fixture".into(),
            email: "fixture@shipgate.invalid".into(),
            time: time.to_str(&mut buf),
        };
        let id = self.repo.commit_as(sig, sig, reference.as_str(), message, tree, parent).map_err(err)?;
        Ok(id.detach())
    }

    /// A lightweight tag.
    pub fn tag(&mut self, name: &str, target: Oid) -> Result<()> {
        self.repo.tag_reference(name, target, gix::refs::transaction::PreviousValue::Any).map_err(err)?;
        Ok(())
    }

    /// Creates or moves a reference (`refs/remotes/origin/main`, `refs/heads/x`).
    pub fn set_ref(&mut self, full_name: &str, target: Oid) -> Result<()> {
        self.repo.reference(full_name, target, gix::refs::transaction::PreviousValue::Any, "fixture").map_err(err)?;
        Ok(())
    }

    /// Switches the branch new commits go to, starting it at `from` with that commit's files.
    pub fn switch(&mut self, branch: &str, from: Oid) -> Result<()> {
        self.set_ref(&format!("refs/heads/{branch}"), from)?;
        self.branch = branch.to_string();
        let repo = crate::source::Repo::open(&self.dir).map_err(err)?;
        let snap = crate::source::Snapshot::Commit(repo.commit(from).map_err(err)?);
        self.files.clear();
        self.blob_ids.clear();
        self.links.clear();
        for entry in repo.files(&snap, &|_| true).map_err(err)? {
            let data = repo.read(&snap, &entry).map_err(err)?;
            if repo.is_link(&snap, &entry.path).map_err(err)? {
                self.links.insert(entry.path.clone());
            }
            self.blob_ids.insert(entry.path.clone(), entry.oid);
            self.files.insert(entry.path, data);
        }
        Ok(())
    }

    /// Writes the current file set to the work tree (for `--head worktree`).
    pub fn materialize(&self) -> Result<()> {
        for (path, data) in &self.files {
            let p = self.dir.join(path);
            if let Some(parent) = p.parent() {
                std::fs::create_dir_all(parent).map_err(err)?;
            }
            #[cfg(unix)]
            if self.links.contains(path) {
                let _ = std::fs::remove_file(&p);
                std::os::unix::fs::symlink(String::from_utf8_lossy(data).as_ref(), &p).map_err(err)?;
                continue;
            }
            std::fs::write(p, data).map_err(err)?;
        }
        Ok(())
    }
}

/// The revisions of the demo repository built by [`sdk_demo`].
#[derive(Debug, Clone)]
pub struct DemoRevs {
    /// The last release tag.
    pub base: String,
    /// The release candidate branch (checked out as HEAD).
    pub head: String,
    /// The mainline branch.
    pub mainline: String,
}

/// A Smithy JSON AST weather service with the given operations (`GetForecast`, `ListCities`,
/// `GetAlerts`), each with input and output structures.
pub fn weather_model(operations: &[&str], forecast_days_required: bool) -> String {
    use serde_json::{Map, Value, json};
    let mut shapes = Map::new();
    let ops: Vec<Value> = operations.iter().map(|op| json!({ "target": format!("example.weather#{op}") })).collect();
    shapes.insert(
        "example.weather#Weather".into(),
        json!({ "type": "service", "version": "2026-01-01", "operations": ops,
                "traits": { "smithy.api#documentation": "Forecasts and alerts for cities." } }),
    );
    shapes.insert(
        "example.weather#CityId".into(),
        json!({ "type": "string", "traits": { "smithy.api#pattern": "^[a-z0-9-]+$" } }),
    );
    for op in operations {
        shapes.insert(
            format!("example.weather#{op}"),
            json!({ "type": "operation",
                    "input": { "target": format!("example.weather#{op}Input") },
                    "output": { "target": format!("example.weather#{op}Output") },
                    "traits": { "smithy.api#readonly": {} } }),
        );
        let mut input =
            json!({ "cityId": { "target": "example.weather#CityId", "traits": { "smithy.api#required": {} } } });
        if *op == "GetForecast" {
            let mut days = json!({ "target": "smithy.api#Integer" });
            if forecast_days_required {
                days["traits"] = json!({ "smithy.api#required": {} });
            }
            input["days"] = days;
        }
        shapes.insert(
            format!("example.weather#{op}Input"),
            json!({ "type": "structure", "members": input, "traits": { "smithy.api#input": {} } }),
        );
        shapes.insert(
            format!("example.weather#{op}Output"),
            json!({ "type": "structure", "members": { "summary": { "target": "smithy.api#String" } }, "traits": { "smithy.api#output": {} } }),
        );
    }
    let model = json!({ "smithy": "2.0", "shapes": Value::Object(shapes) });
    let mut s = serde_json::to_string_pretty(&model).expect("plain JSON");
    s.push('\n');
    s
}

fn crate_manifest(name: &str, version: &str, deps: &[(&str, &str, &str)]) -> String {
    let mut s = format!("[package]\nname = \"{name}\"\nversion = \"{version}\"\nedition = \"2021\"\n");
    if !deps.is_empty() {
        s.push_str("\n[dependencies]\n");
        for (dep, path, req) in deps {
            s.push_str(&format!("{dep} = {{ path = \"{path}\", version = \"{req}\" }}\n"));
        }
    }
    s
}

/// Builds the demo: a small SDK repository whose release candidate picked packages and
/// dependency versions that are misaligned with mainline, as in the story behind shipgate.
///
/// History: `release-2026-01` (the last release) → mainline bumps `smithy-types` to 1.1.0,
/// makes `smithy-runtime` 1.1.0 require it, adds `GetAlerts`, then removes `ListCities` (breaking)
/// while bumping `weather-sdk` only to 1.2.0. The `release-candidate` branch, cut from the
/// release, took `smithy-runtime` and the model from mainline but kept `smithy-types` 1.0.0 and
/// edited it without a version bump.
pub fn sdk_demo(dir: &Path) -> Result<DemoRevs> {
    let mut r = FixtureRepo::init(dir)?;
    r.write("Cargo.toml", "[workspace]\nmembers = [\"runtime/*\", \"sdk/*\"]\nresolver = \"2\"\n");
    r.write(
        "shipgate.toml",
        "mainline = \"origin/main\"\nrelease_tags = \"release-*\"\n\n[models]\nsmithy = [\"models/*.json\"]\n\n\
         [packages]\ncargo = [\"runtime/*\", \"sdk/*\"]\n\n[[packages.generated_from]]\npackage = \"weather-sdk\"\nmodel = \"models/weather.json\"\n",
    );
    r.write("README.md", "# weather SDK\n");
    r.write("models/weather.json", weather_model(&["GetForecast", "ListCities"], false));
    r.write("runtime/smithy-types/Cargo.toml", crate_manifest("smithy-types", "1.0.0", &[]));
    r.write("runtime/smithy-types/src/lib.rs", "pub struct Blob(pub Vec<u8>);\n");
    r.write(
        "runtime/smithy-runtime/Cargo.toml",
        crate_manifest("smithy-runtime", "1.0.0", &[("smithy-types", "../smithy-types", "1.0.0")]),
    );
    r.write("runtime/smithy-runtime/src/lib.rs", "pub use smithy_types::Blob;\n");
    let sdk_deps = [
        ("smithy-runtime", "../../runtime/smithy-runtime", "1.0.0"),
        ("smithy-types", "../../runtime/smithy-types", "1.0.0"),
    ];
    r.write("sdk/weather/Cargo.toml", crate_manifest("weather-sdk", "1.0.0", &sdk_deps));
    r.write(
        "sdk/weather/src/lib.rs",
        "//! Generated from models/weather.json\npub mod get_forecast;\npub mod list_cities;\n",
    );
    let release = r.commit("Release 2026-01")?;
    r.tag("release-2026-01", release)?;

    r.write("runtime/smithy-types/Cargo.toml", crate_manifest("smithy-types", "1.1.0", &[]));
    r.write("runtime/smithy-types/src/lib.rs", "pub struct Blob(pub Vec<u8>);\npub struct DateTime(pub i64);\n");
    r.commit("smithy-types: add DateTime (1.1.0)")?;
    r.write(
        "runtime/smithy-runtime/Cargo.toml",
        crate_manifest("smithy-runtime", "1.1.0", &[("smithy-types", "../smithy-types", "1.1.0")]),
    );
    r.write("runtime/smithy-runtime/src/lib.rs", "pub use smithy_types::{Blob, DateTime};\n");
    r.commit("smithy-runtime: use DateTime (1.1.0)")?;
    r.write("models/weather.json", weather_model(&["GetForecast", "ListCities", "GetAlerts"], false));
    let sdk_deps_11 = [
        ("smithy-runtime", "../../runtime/smithy-runtime", "1.1.0"),
        ("smithy-types", "../../runtime/smithy-types", "1.1.0"),
    ];
    r.write("sdk/weather/Cargo.toml", crate_manifest("weather-sdk", "1.1.0", &sdk_deps_11));
    r.write(
        "sdk/weather/src/lib.rs",
        "//! Generated from models/weather.json\npub mod get_alerts;\npub mod get_forecast;\npub mod list_cities;\n",
    );
    let good = r.commit("weather: add GetAlerts")?;
    r.write("models/weather.json", weather_model(&["GetForecast", "GetAlerts"], true));
    r.write("sdk/weather/Cargo.toml", crate_manifest("weather-sdk", "1.2.0", &sdk_deps_11));
    r.write(
        "sdk/weather/src/lib.rs",
        "//! Generated from models/weather.json\npub mod get_alerts;\npub mod get_forecast;\n",
    );
    let tip = r.commit("weather: drop ListCities, require days")?;
    r.set_ref("refs/remotes/origin/main", tip)?;
    let _ = good;

    // The release candidate: cut from the release, with files picked from mainline by hand.
    r.switch("release-candidate", release)?;
    r.write(
        "runtime/smithy-runtime/Cargo.toml",
        crate_manifest("smithy-runtime", "1.1.0", &[("smithy-types", "../smithy-types", "1.1.0")]),
    );
    r.write("runtime/smithy-runtime/src/lib.rs", "pub use smithy_types::{Blob, DateTime};\n");
    r.write(
        "runtime/smithy-types/src/lib.rs",
        "pub struct Blob(pub Vec<u8>);\n#[derive(Debug)]\npub struct DateTime(pub i64);\n",
    );
    r.write("models/weather.json", weather_model(&["GetForecast", "GetAlerts"], true));
    r.write("sdk/weather/Cargo.toml", crate_manifest("weather-sdk", "1.2.0", &sdk_deps_11));
    r.write(
        "sdk/weather/src/lib.rs",
        "//! Generated from models/weather.json\npub mod get_alerts;\npub mod get_forecast;\n",
    );
    r.commit("Release candidate 2026-02: pick runtime and weather model from main")?;
    std::fs::write(r.repo.git_dir().join("HEAD"), "ref: refs/heads/release-candidate\n").map_err(err)?;
    Ok(DemoRevs { base: "release-2026-01".into(), head: "release-candidate".into(), mainline: "origin/main".into() })
}
