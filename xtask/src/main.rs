//! Repository tasks, run with `cargo xtask <task>`.
//!
//! - `codegen`: regenerate the SDK's models, task endpoints, endpoint catalog and
//!   test fixtures from Benchling's OpenAPI document.
//! - `codegen --check`: regenerate in memory and fail when a committed file differs.

mod codegen;

use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask codegen [--check]

  codegen          regenerate the generated files of crates/benchling-sdk
  codegen --check  regenerate in memory and exit 1 if a committed file differs

environment:
  BENCHLING_CODEGEN_CACHE  folder for the downloaded OpenAPI document
                           (default: target/codegen-cache)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();

    let result = match args.as_slice() {
        ["codegen"] => codegen::run(codegen::Mode::Write),
        ["codegen", "--check"] => codegen::run(codegen::Mode::Check),
        ["help" | "--help" | "-h"] => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!("error: unknown arguments {args:?}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };

    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
