//! Shared helpers: a simulator on its own runtime, and runs of the built binary.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use benchling_sim::{Simulator, SimulatorBuilder};
use serde_json::Value;

/// A simulator serving on a runtime of its own while the test thread runs the binary.
pub struct Sim {
    pub simulator: Simulator,
    // Dropped after `simulator`, which stops serving when dropped.
    _runtime: tokio::runtime::Runtime,
}

impl Sim {
    /// Starts a simulator built by `builder` on a fresh runtime.
    pub fn start(builder: SimulatorBuilder) -> Sim {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime starts");
        let simulator = runtime.block_on(builder.start()).expect("simulator starts");
        Sim {
            simulator,
            _runtime: runtime,
        }
    }

    /// Returns a command for the binary with this simulator's URL and API key in the environment.
    pub fn command(&self) -> Command {
        let mut command = bare_command();
        command
            .env("BENCHLING_TENANT_URL", self.simulator.base_url())
            .env("BENCHLING_API_KEY", self.simulator.api_key());
        command
    }
}

/// Returns a command for the binary without any Benchling settings from the environment.
pub fn bare_command() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_benchling"));
    for variable in [
        "BENCHLING_TENANT_URL",
        "BENCHLING_API_KEY",
        "BENCHLING_CLIENT_ID",
        "BENCHLING_CLIENT_SECRET",
        "RUST_LOG",
    ] {
        command.env_remove(variable);
    }
    command
}

/// Runs a command and returns its output.
pub fn run(command: &mut Command) -> Output {
    command.output().expect("the benchling binary runs")
}

/// Returns the exit code, failing the test when the process was killed by a signal.
pub fn code(output: &Output) -> i32 {
    output
        .status
        .code()
        .unwrap_or_else(|| panic!("killed by a signal; stderr: {}", stderr(output)))
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Parses stdout as JSON, showing both streams when it is not.
pub fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!(
            "stdout is not JSON ({error})\nstdout: {}\nstderr: {}",
            stdout(output),
            stderr(output)
        )
    })
}

/// Returns the path of a file in the repository's `data` folder.
pub fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data")
        .join(name)
}

/// Returns the number of records in a FASTA text.
pub fn fasta_count(text: &str) -> usize {
    text.lines().filter(|line| line.starts_with('>')).count()
}

/// Returns the record lengths of a FASTA text, in order.
pub fn fasta_lengths(text: &str) -> Vec<usize> {
    let mut lengths = Vec::new();
    for line in text.lines() {
        if line.starts_with('>') {
            lengths.push(0);
        } else if let Some(last) = lengths.last_mut() {
            *last += line.trim().len();
        }
    }
    lengths
}
