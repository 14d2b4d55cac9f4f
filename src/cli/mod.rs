//! Command line: parse arguments into plain values, run the engine, print, map to exit codes.
//! The only module that prints or exits. Exit codes: 0 pass (or a command that does not gate),
//! 1 gate failed, 2 the tool could not do its job.
//!
//! May depend on everything; nothing depends on it.
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
    /// Colour: auto (a terminal, unless NO_COLOR is set; CLICOLOR_FORCE=1 forces it), always, never.
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    color: ColorWhen,
    /// Quiet: no report on stdout (--output files are still written) and no progress; errors only.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// Verbose: say on stderr what was compared, which config applied, the notes and the time taken.
    #[arg(short, long, global = true)]
    verbose: bool,
    #[command(subcommand)]
    command: Cmd,
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ColorWhen {
    Auto,
    Always,
    Never,
}

/// What the global flags decided, as plain values.
#[derive(Debug, Clone, Copy)]
struct Ui {
    color: bool,
    quiet: bool,
    verbose: bool,
}

impl Ui {
    /// `--color` against the environment: `never`/`always` win; `auto` is off with a non-empty
    /// `NO_COLOR`, on with `CLICOLOR_FORCE` set to anything but `0`, else on for a terminal.
    fn from_flags(cli: &Cli, stdout_is_terminal: bool, env: impl Fn(&str) -> Option<String>) -> Ui {
        let color = match cli.color {
            ColorWhen::Always => true,
            ColorWhen::Never => false,
            ColorWhen::Auto => {
                if env("NO_COLOR").is_some_and(|v| !v.is_empty()) {
                    false
                } else if env("CLICOLOR_FORCE").is_some_and(|v| !v.is_empty() && v != "0") {
                    true
                } else {
                    stdout_is_terminal
                }
            }
        };
        Ui { color, quiet: cli.quiet, verbose: cli.verbose }
    }

    /// The table's style: colour as decided, width of the terminal, else `COLUMNS`.
    fn style(self) -> Style {
        let width =
            if std::io::stdout().is_terminal() { terminal_size::terminal_size().map(|(w, _)| w.0) } else { None }
                .or_else(|| std::env::var("COLUMNS").ok().and_then(|c| c.trim().parse::<u16>().ok()))
                .filter(|w| *w >= 20);
        Style { color: self.color, width, ..Style::default() }
    }
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
    #[arg(long, value_enum, value_name = "FORMAT")]
    format: Option<Format>,
    /// Also write FORMAT to PATH (repeatable), e.g. --output sarif=r.sarif --output md=summary.md.
    #[arg(long = "output", value_name = "FORMAT=PATH")]
    outputs: Vec<String>,
    /// Today's date for exception expiry, and the only date reports show (YYYY-MM-DD).
    #[arg(long, value_name = "YYYY-MM-DD")]
    date: Option<String>,
    /// Lowest severity SARIF output keeps as results: error, danger, warning, note (lower ones are counted in run.properties).
    #[arg(long, value_enum, ignore_case = true, default_value = "warning", value_name = "LEVEL")]
    sarif_min_level: Severity,
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

/// `--except-blocking`: the GitHub Action's `exception-label`, for one run.
#[derive(Debug, Args, Clone)]
struct ApprovalArgs {
    /// Record every blocking finding as an exception with this reason (an approval given outside the config, e.g. a pull-request label); needs --approved-by and --approval-expires.
    #[arg(long, value_name = "REASON", requires_all = ["approved_by", "approval_expires"])]
    except_blocking: Option<String>,
    /// Who approved (--except-blocking).
    #[arg(long, value_name = "WHO", requires = "except_blocking")]
    approved_by: Option<String>,
    /// The last day the approval holds, YYYY-MM-DD (--except-blocking).
    #[arg(long, value_name = "YYYY-MM-DD", requires = "except_blocking")]
    approval_expires: Option<String>,
    /// Where the approval was given, as the report shows it (default: "--except-blocking").
    #[arg(long, value_name = "TEXT", requires = "except_blocking")]
    approval_source: Option<String>,
}

impl ApprovalArgs {
    fn approval(self) -> Result<Option<crate::rules::policy::Approval>, CliError> {
        let Some(reason) = self.except_blocking.filter(|r| !r.trim().is_empty()) else { return Ok(None) };
        let expires = self.approval_expires.unwrap_or_default();
        if crate::date::parse(&expires).is_none() {
            return Err(usage(
                format!("--approval-expires `{expires}` is not a date"),
                "write it as YYYY-MM-DD, e.g. --approval-expires 2026-12-31",
            ));
        }
        let approved_by = self.approved_by.unwrap_or_default();
        if approved_by.trim().is_empty() {
            return Err(usage("--approved-by is empty", "say who approved, e.g. --approved-by @octocat"));
        }
        Ok(Some(crate::rules::policy::Approval {
            reason,
            approved_by,
            expires,
            source: self.approval_source.unwrap_or_else(|| "--except-blocking".into()),
        }))
    }
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
        #[arg(long, value_enum, ignore_case = true, default_value = "danger", value_name = "LEVEL")]
        fail_on: Severity,
        #[command(flatten)]
        approval: ApprovalArgs,
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
        #[arg(long, value_enum, ignore_case = true, default_value = "danger", value_name = "LEVEL")]
        fail_on: Severity,
        #[command(flatten)]
        common: Common,
    },
    /// Exception request and audit record (Markdown by default; also html, json, sarif, github).
    Report {
        #[command(flatten)]
        revs: Revs,
        /// Lowest severity that fails the gate: error, danger, warning, note.
        #[arg(long, value_enum, ignore_case = true, default_value = "danger", value_name = "LEVEL")]
        fail_on: Severity,
        /// Closest-safe search: check at most N mainline commits, newest first.
        #[arg(long, value_name = "N")]
        max_commits: Option<usize>,
        #[command(flatten)]
        approval: ApprovalArgs,
        #[command(flatten)]
        common: Common,
    },
    /// The rule catalog.
    Rules {
        /// table or json.
        #[arg(long, value_enum, default_value = "table")]
        format: RulesFormat,
    },
    /// One rule's documentation; any event id works too (MissingPackage.Dependency, ChangedEnumTrait.Appended.3).
    Explain {
        /// Rule or event id, e.g. RemovedShape or TraitBreakingChange.Remove.smithy.api#paginated.
        rule: String,
    },
    /// Check every past release against the one before it with this config (never fails the gate).
    Replay {
        /// Only the newest N releases.
        #[arg(long, value_name = "N", conflicts_with = "since")]
        last: Option<usize>,
        /// Only the releases after this release tag.
        #[arg(long, value_name = "TAG")]
        since: Option<String>,
        /// Lowest severity that fails a release: error, danger, warning, note.
        #[arg(long, value_enum, ignore_case = true, default_value = "danger", value_name = "LEVEL")]
        fail_on: Severity,
        #[arg(long, default_value = ".", value_name = "PATH")]
        repo: PathBuf,
        /// Config file (default: shipgate.toml in the work tree, else in HEAD, else detection).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// table, json or md.
        #[arg(long, value_enum, default_value = "table", value_name = "FORMAT")]
        format: ReplayFormat,
        /// Today's date for exception expiry (YYYY-MM-DD).
        #[arg(long, value_name = "YYYY-MM-DD")]
        date: Option<String>,
    },
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell) to stdout.
    Completions {
        /// The shell, e.g. bash: `shipgate completions bash > /etc/bash_completion.d/shipgate`.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) to stdout: `shipgate man > shipgate.1`.
    Man,
    /// Print a JSON Schema: `report` (the --format json contract) or `config` (shipgate.toml, for editors).
    Schema {
        #[arg(value_enum)]
        which: SchemaKind,
    },
    /// Propose a shipgate.toml learned from this repository and its releases (or write it with --write), then replay the last releases with it.
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
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
}

/// `--format` of the report commands: every [`Format`], by its name (`markdown` too for `md`).
impl clap::ValueEnum for Format {
    fn value_variants<'a>() -> &'a [Self] {
        &Format::ALL
    }
    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        let value = clap::builder::PossibleValue::new(self.name());
        Some(if *self == Format::Md { value.alias("markdown") } else { value })
    }
}

/// `--fail-on` and `--sarif-min-level`: the severities that count ([`Severity::COUNTED`]; not
/// `suppressed`).
impl clap::ValueEnum for Severity {
    fn value_variants<'a>() -> &'a [Self] {
        &Severity::COUNTED
    }
    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.as_str()))
    }
}

/// `shipgate rules --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum RulesFormat {
    Table,
    Json,
}

/// `shipgate replay --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ReplayFormat {
    Table,
    Json,
    #[value(alias = "markdown")]
    Md,
}

/// `shipgate schema WHICH`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum SchemaKind {
    Report,
    Config,
}

/// The JSON Schema of the `--format json` report (`schema_version` 1).
pub const REPORT_SCHEMA: &str = include_str!("../../schema/report.schema.json");
/// The JSON Schema of `shipgate.toml`.
pub const CONFIG_SCHEMA: &str = include_str!("../../schema/config.schema.json");

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
    let ui = Ui::from_flags(&cli, std::io::stdout().is_terminal(), |k| std::env::var(k).ok());
    let stderr_color = match cli.color {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => {
            ui.color || std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let _ = miette::set_hook(Box::new(move |_| {
        Box::new(miette::MietteHandlerOpts::new().color(stderr_color).unicode(stderr_color).build())
    }));
    match run(cli, ui) {
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

fn parse_format(s: &str) -> Result<Format, CliError> {
    Format::parse(s)
        .ok_or_else(|| usage(format!("unknown format `{s}`"), "formats: table, json, md, html, sarif, github"))
}

/// "Today" for exception expiry: `--date` (checked by [`check_date`]), else the clock's, in UTC.
/// The one place that reads the clock.
fn today(date: &Option<String>) -> crate::date::Date {
    date.as_deref().and_then(crate::date::parse).unwrap_or_else(crate::date::today_utc)
}

fn check_date(date: &Option<String>) -> Result<(), CliError> {
    if let Some(d) = date
        && crate::date::parse(d).is_none()
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

fn run(cli: Cli, ui: Ui) -> Result<u8, CliError> {
    match cli.command {
        Cmd::Diff { revs, common } => gate(Command::Diff, revs, Severity::Error, None, None, common, ui),
        Cmd::Check { revs, fail_on, approval, common } => {
            gate(Command::Check, revs, fail_on, None, approval.approval()?, common, ui)
        }
        Cmd::Report { revs, fail_on, max_commits, approval, common } => {
            gate(Command::Report, revs, fail_on, max_commits, approval.approval()?, common, ui)
        }
        Cmd::ClosestSafe { base, mainline, max_commits, fail_on, common } => {
            let revs = Revs { base, head: "HEAD".into(), mainline, candidate_manifest: None };
            gate(Command::ClosestSafe, revs, fail_on, max_commits, None, common, ui)
        }
        Cmd::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut cmd, "shipgate", &mut buf);
            print(&String::from_utf8_lossy(&buf))?;
            Ok(0)
        }
        Cmd::Man => {
            let cmd = <Cli as clap::CommandFactory>::command();
            let mut buf = Vec::new();
            clap_mangen::Man::new(cmd)
                .render(&mut buf)
                .map_err(|e| CliError::Write { path: "stdout".into(), detail: e.to_string() })?;
            print(&String::from_utf8_lossy(&buf))?;
            Ok(0)
        }
        Cmd::Schema { which } => {
            print(match which {
                SchemaKind::Report => REPORT_SCHEMA,
                SchemaKind::Config => CONFIG_SCHEMA,
            })?;
            Ok(0)
        }
        Cmd::Rules { format } => {
            let text = match format {
                RulesFormat::Table => crate::rules::docs::table(),
                RulesFormat::Json => crate::rules::docs::json(),
            };
            print(&text)?;
            Ok(0)
        }
        Cmd::Explain { rule } => match crate::rules::catalog::resolve(&rule)
            .map(|(m, f)| (m, f.map(str::to_string)))
            .or_else(|| {
                // Release-rule event ids (`MissingPackage.Dependency`) have no registered forms: their
                // rule is the longest dot-prefix that is a rule id.
                let mut prefix = rule.trim();
                while let Some(i) = prefix.rfind('.') {
                    prefix = &prefix[..i];
                    if let Some(meta) = crate::rules::catalog::get(prefix) {
                        return Some((meta, Some(format!("{prefix}.…"))));
                    }
                }
                None
            }) {
            Some((meta, form)) => {
                if let Some(form) = form {
                    print(&format!("`{rule}` is an event id of {} (form `{form}`).\n\n", meta.id))?;
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
        Cmd::Replay { last, since, fail_on, repo, config, format, date } => {
            check_date(&date)?;
            if last == Some(0) {
                return Err(usage("--last 0 replays nothing", "pass --last N with N ≥ 1, or leave it out"));
            }
            let req = crate::engine::replay::ReplayRequest { repo, config, fail_on, last, since, today: today(&date) };
            let replay = crate::engine::replay::replay(&req)?;
            print(&match format {
                ReplayFormat::Json => crate::report::replay::json(&replay),
                ReplayFormat::Table => crate::report::replay::table(&replay, ui.style()),
                ReplayFormat::Md => crate::report::replay::md(&replay),
            })?;
            Ok(0)
        }
        Cmd::Init { repo, rev, write } => init::run(&repo, &rev, write, ui.style()),
        Cmd::Demo { dir, keep, format } => demo::run(dir, keep, format, ui),
    }
}

fn gate(
    command: Command,
    revs: Revs,
    fail_on: Severity,
    max_commits: Option<usize>,
    approval: Option<crate::rules::policy::Approval>,
    common: Common,
    ui: Ui,
) -> Result<u8, CliError> {
    check_date(&common.date)?;
    let render_opts = crate::report::Options { sarif_min_level: common.sarif_min_level };
    let started = std::time::Instant::now();
    let format = common.format.unwrap_or(match command {
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
        // `r.json`, `./r.json` and a symlink to it are one file: compare where they resolve to.
        if outputs.iter().any(|(_, p): &(Format, PathBuf)| resolve_output(p) == resolve_output(&path)) {
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
        today: today(&common.date),
        max_commits,
        candidate_manifest: revs.candidate_manifest,
        command_line: command_line(),
        approval,
    };
    let outcome = match command {
        Command::ClosestSafe => {
            let tty = std::io::stderr().is_terminal() && !ui.quiet;
            let progress = move |done: usize, total: usize| {
                if tty {
                    eprint!("\rchecking mainline candidates: {done}/{total}");
                    if done == total {
                        eprintln!();
                    }
                }
            };
            crate::engine::closest_safe(&req, &progress)?
        }
        _ => crate::engine::run(&req)?,
    };
    emit(&outcome, format, &outputs, ui, common.details, render_opts)?;
    if ui.verbose {
        verbose_summary(&outcome, started.elapsed());
    }
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
        if resolve_output(path).starts_with(&git_dir) {
            return Err(usage(
                format!("--output {} is inside the git directory {}", path.display(), git_dir.display()),
                "shipgate never writes into the repository's git data: write the output outside .git",
            ));
        }
    }
    Ok(())
}

/// Where an `--output` path writes: the file itself resolved (symlinks, `..`) when it exists,
/// else its resolved directory joined with its name, else the path as given.
fn resolve_output(path: &std::path::Path) -> PathBuf {
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    path.canonicalize()
        .or_else(|_| parent.canonicalize().map(|d| d.join(path.file_name().unwrap_or_default())))
        .unwrap_or_else(|_| path.to_path_buf())
}

/// Prints `format` to stdout and writes every `--output`. Each format is rendered once, so an
/// `--output` file and stdout in the same format are the same bytes (table aside: on a terminal
/// stdout gets colour, files never do).
fn emit(
    outcome: &Outcome,
    format: Format,
    outputs: &[(Format, PathBuf)],
    ui: Ui,
    details: bool,
    opts: crate::report::Options,
) -> Result<(), CliError> {
    let plain = Style { details, opts, ..Style::default() };
    let mut rendered: std::collections::BTreeMap<Format, String> = std::collections::BTreeMap::new();
    for (f, path) in outputs {
        let failed = |e: std::io::Error| CliError::Write { path: path.display().to_string(), detail: e.to_string() };
        if *f == Format::Json {
            // Streamed (to each destination: rendering is a pure function, so the bytes agree).
            let mut file = std::io::BufWriter::new(std::fs::File::create(path).map_err(failed)?);
            crate::report::write(*f, outcome, plain, &mut file).and_then(|()| file.flush()).map_err(failed)?;
            continue;
        }
        let text = rendered.entry(*f).or_insert_with(|| crate::report::render(*f, outcome, plain));
        std::fs::write(path, text.as_bytes()).map_err(failed)?;
    }
    if ui.quiet {
        return Ok(());
    }
    let text = match format {
        Format::Json => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            return crate::report::write(format, outcome, plain, &mut out)
                .and_then(|()| out.flush())
                .map_err(|e| CliError::Write { path: "standard output".into(), detail: e.to_string() });
        }
        Format::Table => crate::report::render(format, outcome, Style { details, opts, ..ui.style() }),
        _ => rendered.remove(&format).unwrap_or_else(|| crate::report::render(format, outcome, plain)),
    };
    print(&text)
}

/// `-v`: what was compared and how long it took, on stderr (stdout stays the report).
fn verbose_summary(o: &Outcome, took: std::time::Duration) {
    let mut lines = vec![
        format!("shipgate: base {} ({})", o.base.rev, o.base.commit),
        format!("shipgate: head {} ({})", o.head.rev, o.head.commit),
    ];
    if let Some(m) = &o.mainline {
        lines.push(format!("shipgate: mainline {} ({})", m.rev, m.commit));
    }
    lines.push(format!("shipgate: config {}", o.config_origin));
    lines.push(format!(
        "shipgate: {} file(s), {} model(s), {} package(s) compared; {} finding(s)",
        o.files.len(),
        o.models.len(),
        o.packages.len(),
        o.findings.len()
    ));
    for note in &o.notes {
        lines.push(format!("shipgate: note: {note}"));
    }
    lines.push(format!("shipgate: {} in {:.2}s", crate::report::common::verdict_word(o), took.as_secs_f64()));
    eprintln!("{}", lines.join("\n"));
}

/// Writes to stdout. A failed write (a full disk, a closed pipe) is an error, exit 2: a gate
/// whose report was lost must not look like a pass.
fn print(text: &str) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| CliError::Write { path: "standard output".into(), detail: e.to_string() })
}
