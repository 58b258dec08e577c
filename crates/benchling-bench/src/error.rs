//! The error type of the benchmark runner.

use std::path::PathBuf;

/// A failure that keeps a benchmark from running or reporting.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// The in-process simulator did not start.
    #[error("failed to start the in-process simulator: {0}")]
    Simulator(#[from] benchling_sim::StartError),

    /// An SDK call failed, so the benchmark has no result.
    #[error("SDK call failed while {stage}: {source}")]
    Sdk {
        /// The step the benchmark was in.
        stage: &'static str,
        /// The SDK's error.
        #[source]
        source: benchling_sdk::Error,
    },

    /// A child process could not be started.
    #[error("failed to start {program}: {source}")]
    Spawn {
        /// The program, as given to the OS.
        program: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },

    /// A child process exited with a failure.
    #[error("{program} failed ({status}); the end of its stderr follows:\n{stderr}")]
    ChildFailed {
        /// The program.
        program: String,
        /// The exit status.
        status: String,
        /// The last lines of its standard error.
        stderr: String,
    },

    /// A child process or server returned output the runner cannot read.
    #[error("invalid output from {source_name}: {message}")]
    Output {
        /// The source of the output.
        source_name: String,
        /// The problem with it.
        message: String,
    },

    /// A setting or a required file is missing or invalid.
    #[error("{0}")]
    Setup(String),

    /// A result file could not be written.
    #[error("failed to write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
}

impl BenchError {
    /// Wraps an SDK error with the step that failed.
    pub fn sdk(stage: &'static str) -> impl FnOnce(benchling_sdk::Error) -> BenchError {
        move |source| BenchError::Sdk { stage, source }
    }

    /// Builds an output error.
    pub fn output(source_name: impl Into<String>, message: impl Into<String>) -> BenchError {
        BenchError::Output {
            source_name: source_name.into(),
            message: message.into(),
        }
    }
}

/// The result type of the runner.
pub type Result<T, E = BenchError> = std::result::Result<T, E>;
