//! The `shipgate` binary: everything happens in `shipgate::cli`; this maps the outcome to an
//! exit code (0 pass, 1 gate failed, 2 the tool could not do its job).
fn main() -> std::process::ExitCode {
    shipgate::cli::main()
}
