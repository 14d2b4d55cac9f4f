//! Command line: parse arguments into plain values, run the engine, print, map to exit codes.
//! The only module that prints or exits. Exit codes: 0 pass (or a command that does not gate),
//! 1 gate failed, 2 the tool could not do its job.
use crate::engine::{EngineError, Request};
use crate::finding::Severity;
use crate::outcome::{Command, Outcome, Verdict};
use crate::report::{Format, Style};
use clap::{Args, Parser, Subcommand};
use miette::Diagnostic;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use thiserror::Error;

mod demo;
mod init;

#[derive(Debug, Parser)]
#[command(
    name = "shipgate",
    version,
    about = "Release integrity and SDK diffs: what changed in your API models and packages, whether it is safe to ship, and the closest safe commit",
    after_help = "Exit codes: 0 gate passed, 1 gate failed, 2 shipgate could not do its job.\nDocs: shipgate rules, shipgate explain RULE"
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Debug, Args, Clone)]
struct Common {
    /// Repository to read (work tree or bare); never written to.
    #[arg(long, default_value = ".", value_name = "PATH")]
    repo: PathBuf,
    /// Config file (default: shipgate.toml in the work tree, else in the head commit, else detection).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Output format on stdout: table, json, md, html, sarif, github (default: table; md for `report`).
    #[arg(long, value_name = "FORMAT")]
    format: Option<String>,
    /// Also write FORMAT to PATH (repeatable), e.g. --output sarif=r.sarif --output md=summary.md.
    #[arg(long = "output", value_name = "FORMAT=PATH")]
    outputs: Vec<String>,
    /// Today's date for exception expiry, and the only date reports show (YYYY-MM-DD).
    #[arg(long, value_name = "YYYY-MM-DD")]
    date: Option<String>,
    /// List every finding in table, md and html instead of folding notes and long groups into
    /// counts and examples (JSON, SARIF and annotations always list everything).
    #[arg(long)]
    details: bool,
}

#[derive(Debug, Args, Clone)]
struct Revs {
    /// The last release (default: newest tag matching `release_tags` that is an ancestor of head).
    #[arg(long, value_name = "REV")]
    base: Option<String>,
    /// The release candidate; `worktree` reads the files on disk.
    #[arg(long, value_name = "REV", default_value = "HEAD")]
    head: String,
    /// The branch releases are cut from (default: config `mainline`, else origin/main, else main).
    #[arg(long, value_name = "REV")]
    mainline: Option<String>,
    /// The release as the publish workflow selected it (TOML `[[package]]` name/version/commit, or JSON).
    #[arg(long, value_name = "FILE")]
    candidate_manifest: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Structured diff of models and packages between two revisions (never fails the gate).
    Diff {
        #[command(flatten)]
        revs: Revs,
        #[command(flatten)]
        common: Common,
    },
    /// Run every rule and gate: exit 1 when a finding at or above --fail-on is not excepted.
    Check {
        #[command(flatten)]
        revs: Revs,
        /// Lowest severity that fails the gate: error, danger, warning, note.
        #[arg(long, default_value = "danger", value_name = "LEVEL")]
        fail_on: String,
        #[command(flatten)]
        common: Common,
    },
    /// Find the newest mainline commit that passes every rule, and what introduced each blocker.
    ClosestSafe {
        /// The last release.
        #[arg(long, value_name = "REV")]
        base: Option<String>,
        /// The branch to search, newest first (default: config `mainline`, else origin/main, else main).
        #[arg(long, value_name = "REV")]
        mainline: Option<String>,
        /// Check at most N mainline commits, newest first.
        #[arg(long, value_name = "N")]
        max_commits: Option<usize>,
        /// Lowest severity a candidate must not have: error, danger, warning, note.
        #[arg(long, default_value = "danger", value_name = "LEVEL")]
        fail_on: String,
        #[command(flatten)]
        common: Common,
    },
    /// Exception request and audit record (Markdown by default; also html, json, sarif, github).
    Report {
        #[command(flatten)]
        revs: Revs,
        /// Lowest severity that fails the gate: error, danger, warning, note.
        #[arg(long, default_value = "danger", value_name = "LEVEL")]
        fail_on: String,
        /// Closest-safe search: check at most N mainline commits, newest first.
        #[arg(long, value_name = "N")]
        max_commits: Option<usize>,
        #[command(flatten)]
        common: Common,
    },
    /// The rule catalog.
    Rules {
        /// table or json.
        #[arg(long, default_value = "table")]
        format: String,
    },
    /// One rule's documentation.
    Explain {
        /// Rule id, e.g. RemovedShape.
        rule: String,
    },
    /// Print a starter shipgate.toml for this repository (or write it with --write).
    Init {
        #[arg(long, default_value = ".", value_name = "PATH")]
        repo: PathBuf,
        /// Revision to inspect.
        #[arg(long, default_value = "HEAD", value_name = "REV")]
        rev: String,
        /// Write shipgate.toml into the work tree (refuses to overwrite).
        #[arg(long)]
        write: bool,
    },
    /// Build a small SDK repository with a real release problem in a temporary directory and check it.
    Demo {
        /// Build it here instead of a temporary directory (must not exist yet); it is kept.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// Keep the temporary repository, to run the suggested `shipgate report` on it.
        #[arg(long)]
        keep: bool,
        /// Output format on stdout.
        #[arg(long, default_value = "table")]
        format: String,
    },
}

#[derive(Debug, Error, Diagnostic)]
pub enum CliError {
    #[error("{message}")]
    #[diagnostic(code(shipgate::usage), help("{help}"))]
    Usage { message: String, help: String },

    #[error("could not write {path}: {detail}")]
    #[diagnostic(code(shipgate::output), help("check that the directory exists and is writable"))]
    Write { path: String, detail: String },

    #[error(transparent)]
    #[diagnostic(transparent)]
    Engine(Box<EngineError>),
}

impl From<EngineError> for CliError {
    fn from(e: EngineError) -> Self {
        CliError::Engine(Box::new(e))
    }
}

fn usage(message: impl Into<String>, help: impl Into<String>) -> CliError {
    CliError::Usage { message: message.into(), help: help.into() }
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("{}", render_error(miette::Report::new(e)));
            ExitCode::from(2)
        }
    }
}

/// The graphical rendering of an error, or, when miette's formatter panics (it does on a label
/// past column 65,535: a long line in a config or manifest), a plain one with the message, the
/// line and column, and the help. An error must never become exit 101.
fn render_error(report: miette::Report) -> String {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let graphical = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| format!("{report:?}")));
    std::panic::set_hook(previous);
    graphical.unwrap_or_else(|_| plain_error(&report))
}

fn plain_error(report: &miette::Report) -> String {
    let mut out = format!("Error: {report}");
    if let Some(code) = report.code() {
        out = format!("Error: {code}: {report}");
    }
    let mut source = report.source();
    while let Some(e) = source {
        out.push_str(&format!("\n  caused by: {e}"));
        source = e.source();
    }
    if let (Some(src), Some(label)) = (report.source_code(), report.labels().and_then(|mut l| l.next()))
        && let Ok(at) = src.read_span(label.inner(), 0, 0)
    {
        let name = at.name().map(|n| format!("{n}:")).unwrap_or_default();
        out.push_str(&format!("\n  at {name}{}:{}", at.line() + 1, at.column() + 1));
    }
    if let Some(help) = report.help() {
        out.push_str(&format!("\n  help: {help}"));
    }
    out
}

fn parse_level(s: &str) -> Result<Severity, CliError> {
    Severity::parse(s)
        .filter(|l| *l != Severity::Suppressed)
        .ok_or_else(|| usage(format!("`{s}` is not a severity level"), "use one of: error, danger, warning, note"))
}

fn parse_format(s: &str) -> Result<Format, CliError> {
    Format::parse(s)
        .ok_or_else(|| usage(format!("unknown format `{s}`"), "formats: table, json, md, html, sarif, github"))
}

fn check_date(date: &Option<String>) -> Result<(), CliError> {
    if let Some(d) = date
        && crate::config::parse_date(d).is_none()
    {
        return Err(usage(format!("--date `{d}` is not a date"), "write it as YYYY-MM-DD, e.g. --date 2026-11-22"));
    }
    Ok(())
}

/// The command as typed: `shipgate` and the arguments, without the presentation-only `--output`
/// and `--format` (so every output of one run states the same command). Reports show it as a
/// comment next to the reproduce command, which the engine builds from resolved commit ids.
fn command_line() -> String {
    let mut parts = vec!["shipgate".to_string()];
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--output" || a == "--format" {
            args.next();
            continue;
        }
        if a.starts_with("--output=") || a.starts_with("--format=") {
            continue;
        }
        parts.push(crate::engine::shell_word(&a));
    }
    parts.join(" ")
}

/// The terminal's style: colour on a terminal unless `NO_COLOR`, and `details` as given.
fn style(details: bool) -> Style {
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    Style { color, width: None, details }
}

fn run(cli: Cli) -> Result<u8, CliError> {
    match cli.command {
        Cmd::Diff { revs, common } => gate(Command::Diff, revs, Severity::Error, None, common),
        Cmd::Check { revs, fail_on, common } => gate(Command::Check, revs, parse_level(&fail_on)?, None, common),
        Cmd::Report { revs, fail_on, max_commits, common } => {
            gate(Command::Report, revs, parse_level(&fail_on)?, max_commits, common)
        }
        Cmd::ClosestSafe { base, mainline, max_commits, fail_on, common } => {
            let revs = Revs { base, head: "HEAD".into(), mainline, candidate_manifest: None };
            gate(Command::ClosestSafe, revs, parse_level(&fail_on)?, max_commits, common)
        }
        Cmd::Rules { format } => {
            let text = match format.as_str() {
                "table" => crate::rules::docs::table(),
                "json" => crate::rules::docs::json(),
                other => {
                    return Err(usage(
                        format!("unknown format `{other}` for rules"),
                        "use --format table or --format json",
                    ));
                }
            };
            print(&text)?;
            Ok(0)
        }
        Cmd::Explain { rule } => match crate::rules::catalog::resolve(&rule) {
            Some((meta, form)) => {
                if let Some(form) = form {
                    print(&format!("`{rule}` is an event id of {} (form `{form}`).

", meta.id))?;
                }
                print(&crate::rules::docs::explain(meta))?;
                Ok(0)
            }
            None => {
                let ids: Vec<&str> = crate::rules::catalog::all().iter().map(|r| r.id.as_str()).collect();
                let mut close: Vec<(usize, &str)> =
                    ids.iter().map(|id| (strsim::levenshtein(&id.to_lowercase(), &rule.to_lowercase()), *id)).collect();
                close.sort();
                let hint = close.first().filter(|(d, _)| *d <= 4).map(|(_, id)| format!("did you mean `{id}`? "));
                Err(usage(
                    format!("unknown rule `{rule}`"),
                    format!("{}`shipgate rules` lists every rule", hint.unwrap_or_default()),
                ))
            }
        },
        Cmd::Init { repo, rev, write } => init::run(&repo, &rev, write),
        Cmd::Demo { dir, keep, format } => demo::run(dir, keep, parse_format(&format)?),
    }
}

fn gate(
    command: Command,
    revs: Revs,
    fail_on: Severity,
    max_commits: Option<usize>,
    common: Common,
) -> Result<u8, CliError> {
    check_date(&common.date)?;
    let format = common.format.as_deref().map(parse_format).transpose()?.unwrap_or(match command {
        Command::Report => Format::Md,
        _ => Format::Table,
    });
    let mut outputs = Vec::new();
    for spec in &common.outputs {
        let (f, path) = spec
            .split_once('=')
            .ok_or_else(|| usage(format!("--output `{spec}` is not FORMAT=PATH"), "e.g. --output json=report.json"))?;
        if path.is_empty() {
            return Err(usage(format!("--output `{spec}` has no path"), "e.g. --output json=report.json"));
        }
        let path = PathBuf::from(path);
        if outputs.iter().any(|(_, p): &(Format, PathBuf)| *p == path) {
            return Err(usage(format!("--output names {} twice", path.display()), "give each --output its own path"));
        }
        outputs.push((parse_format(f)?, path));
    }
    if max_commits == Some(0) {
        return Err(usage(
            "--max-commits 0 leaves no commit to check",
            "pass --max-commits 1 or more, or leave it out",
        ));
    }
    refuse_outputs_in_git_dir(&common.repo, &outputs)?;
    let req = Request {
        command,
        repo: common.repo.clone(),
        config: common.config.clone(),
        base: revs.base,
        head: revs.head,
        mainline: revs.mainline,
        fail_on,
        date: common.date.clone(),
        max_commits,
        candidate_manifest: revs.candidate_manifest,
        command_line: command_line(),
    };
    let outcome = match command {
        Command::ClosestSafe => {
            let tty = std::io::stderr().is_terminal();
            let progress = move |done: usize, total: usize| {
                if tty {
                    eprint!("\rchecking mainline candidates: {done}/{total}");
                    if done == total {
                        eprintln!();
                    }
                }
            };
            crate::history::closest_safe(&req, &progress)?
        }
        _ => crate::engine::run(&req)?,
    };
    emit(&outcome, format, &outputs, common.details)?;
    Ok(match outcome.verdict {
        Verdict::Fail => 1,
        Verdict::Pass => 0,
    })
}

/// Refuses an `--output` inside the git directory of the repository being read (it would
/// overwrite HEAD, config or objects): shipgate never writes to the repository's git data.
fn refuse_outputs_in_git_dir(repo: &std::path::Path, outputs: &[(Format, PathBuf)]) -> Result<(), CliError> {
    if outputs.is_empty() {
        return Ok(());
    }
    let Ok(repo) = crate::source::Repo::open(repo) else {
        return Ok(()); // the engine reports the repository error itself
    };
    let Ok(git_dir) = repo.git_dir().canonicalize() else {
        return Ok(());
    };
    for (_, path) in outputs {
        // The file may not exist yet: resolve its directory, which must.
        let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
        let resolved = parent.canonicalize().map(|d| d.join(path.file_name().unwrap_or_default()));
        let resolved = path.canonicalize().or(resolved);
        if resolved.is_ok_and(|r| r.starts_with(&git_dir)) {
            return Err(usage(
                format!("--output {} is inside the git directory {}", path.display(), git_dir.display()),
                "shipgate never writes into the repository's git data: write the output outside .git",
            ));
        }
    }
    Ok(())
}

/// Prints `format` to stdout and writes every `--output`. Each format is rendered once, so an
/// `--output` file and stdout in the same format are the same bytes (table aside: on a terminal
/// stdout gets colour, files never do).
pub(crate) fn emit(
    outcome: &Outcome,
    format: Format,
    outputs: &[(Format, PathBuf)],
    details: bool,
) -> Result<(), CliError> {
    let plain = Style { details, ..Style::default() };
    let mut rendered: std::collections::BTreeMap<Format, String> = std::collections::BTreeMap::new();
    for (f, path) in outputs {
        let text = rendered.entry(*f).or_insert_with(|| crate::report::render(*f, outcome, plain));
        std::fs::write(path, text.as_bytes())
            .map_err(|e| CliError::Write { path: path.display().to_string(), detail: e.to_string() })?;
    }
    let text = match format {
        Format::Table => crate::report::render(format, outcome, style(details)),
        _ => rendered.remove(&format).unwrap_or_else(|| crate::report::render(format, outcome, plain)),
    };
    print(&text)
}

/// Writes to stdout. A failed write (a full disk, a closed pipe) is an error, exit 2: a gate
/// whose report was lost must not look like a pass.
fn print(text: &str) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| CliError::Write { path: "standard output".into(), detail: e.to_string() })
}
