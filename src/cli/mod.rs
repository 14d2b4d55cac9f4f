//! Command line: parse arguments, run the engine, print, map to exit codes.
use std::process::ExitCode;

pub fn main() -> ExitCode {
    eprintln!("shipgate: under construction");
    ExitCode::from(2)
}
