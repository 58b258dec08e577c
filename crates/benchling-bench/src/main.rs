//! `benchling-bench`: benchmarks of the Rust Benchling SDK against Benchling's
//! Python SDK, on the simulator.
//!
//! `budget` runs a batch of tasks under the tenant's rate window, `decode` times
//! the decoding of a large task response, `scale` awaits 10,000 tasks in one
//! process, and `all` runs the three. Results print as Markdown tables, or as
//! JSON with `--json`; `--output-dir` also writes both to files.

mod alloc;
mod budget;
mod decode;
mod error;
mod machine;
mod procfs;
mod python;
mod report;
mod scale;
mod schedule;
mod summary;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::budget::BudgetOptions;
use crate::decode::DecodeOptions;
use crate::error::{BenchError, Result};
use crate::python::PythonPeer;
use crate::report::{shell_words, Report};
use crate::scale::ScaleOptions;

#[global_allocator]
static ALLOCATOR: alloc::CountingAllocator = alloc::CountingAllocator;

/// Benchmarks of the Rust Benchling SDK against Benchling's Python SDK, on the simulator.
#[derive(Debug, Parser)]
#[command(name = "benchling-bench", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,

    /// Print the results as JSON instead of Markdown tables.
    #[arg(long, global = true)]
    json: bool,

    /// Also write the results to DIR/results.md and DIR/results.json.
    #[arg(long, global = true, value_name = "DIR")]
    output_dir: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Tasks created and awaited concurrently under the rate window: Python SDK vs this SDK.
    Budget {
        #[command(flatten)]
        budget: BudgetArgs,
        #[command(flatten)]
        python: PythonArgs,
    },
    /// Decoding of one large bulk-create task response: this SDK vs the Python SDK.
    Decode {
        #[command(flatten)]
        decode: DecodeArgs,
        #[command(flatten)]
        python: PythonArgs,
    },
    /// Memory and CPU of one client process awaiting many tasks at once.
    Scale {
        #[command(flatten)]
        scale: ScaleArgs,
        /// Path of the `benchling-sim` binary; by default the one next to this program.
        #[arg(long, value_name = "PATH")]
        sim_bin: Option<PathBuf>,
    },
    /// Runs budget, decode and scale with their default settings.
    All {
        #[command(flatten)]
        python: PythonArgs,
        /// Run the budget contenders one after another instead of side by side.
        #[arg(long)]
        sequential: bool,
        /// Path of the `benchling-sim` binary; by default the one next to this program.
        #[arg(long, value_name = "PATH")]
        sim_bin: Option<PathBuf>,
    },
    /// The client process of `scale`; started by the runner, not by hand.
    #[command(hide = true)]
    ScaleClient {
        /// Tenant URL of the simulator.
        #[arg(long)]
        url: String,
        #[command(flatten)]
        scale: ScaleArgs,
    },
}

#[derive(Debug, Args)]
struct PythonArgs {
    /// Python interpreter with benchling-sdk installed; default
    /// target/python-peer/venv/bin/python of this repository.
    #[arg(long, value_name = "PATH")]
    python: Option<PathBuf>,

    /// Folder of budget_peer.py and decode_peer.py; default scripts/bench of this repository.
    #[arg(long, value_name = "DIR")]
    scripts_dir: Option<PathBuf>,

    /// Skip the Python SDK rows.
    #[arg(long)]
    no_python: bool,
}

impl PythonArgs {
    fn locate(&self) -> Result<Option<PythonPeer>> {
        if self.no_python {
            return Ok(None);
        }
        PythonPeer::locate(self.python.clone(), self.scripts_dir.clone()).map(Some)
    }
}

#[derive(Debug, Args)]
struct BudgetArgs {
    /// Tasks created and awaited at once.
    #[arg(long, default_value_t = 40, value_parser = clap::value_parser!(u32).range(1..=1000))]
    tasks: u32,

    /// Duration of every task, in seconds.
    #[arg(long, default_value_t = 20.0, value_parser = positive_seconds)]
    task_seconds: f64,

    /// Requests per rate window of the simulator.
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u32).range(1..))]
    rate_limit: u32,

    /// Length of the simulator's rate window, in seconds.
    #[arg(long, default_value_t = 30.0, value_parser = positive_seconds)]
    rate_window: f64,

    /// Skip the second round, in which the window does not bind.
    #[arg(long)]
    no_unlimited: bool,

    /// Run the contenders one after another instead of side by side.
    #[arg(long)]
    sequential: bool,

    /// Diagnostic: in the Rust contenders, send the first create alone and the
    /// others after its response.
    #[arg(long)]
    first_create_alone: bool,
}

impl BudgetArgs {
    fn options(&self) -> BudgetOptions {
        BudgetOptions {
            tasks: self.tasks as usize,
            task_seconds: self.task_seconds,
            rate_limit: self.rate_limit,
            rate_window_seconds: self.rate_window,
            unlimited: !self.no_unlimited,
            sequential: self.sequential,
            first_create_alone: self.first_create_alone,
        }
    }
}

#[derive(Debug, Args)]
struct DecodeArgs {
    /// DNA sequences in the task response.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    sequences: u32,

    /// Bases per sequence.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    bases: u32,

    /// Annotations per sequence.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(0..=1000))]
    annotations: u32,

    /// Fewest timed iterations of each Rust decoder.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..))]
    min_iterations: u32,

    /// Minimum total time of each Rust decoder's timed iterations, in seconds.
    #[arg(long, default_value_t = 3.0, value_parser = non_negative_seconds)]
    min_seconds: f64,

    /// Timed iterations of each Python decoder.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
    python_iterations: u32,
}

impl DecodeArgs {
    fn options(&self) -> DecodeOptions {
        DecodeOptions {
            sequences: self.sequences as usize,
            bases: self.bases as usize,
            annotations: self.annotations as usize,
            min_iterations: self.min_iterations,
            min_seconds: self.min_seconds,
            python_iterations: self.python_iterations,
        }
    }
}

#[derive(Debug, Args)]
struct ScaleArgs {
    /// Tasks awaited at once.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    tasks: u32,

    /// Duration of every task, in seconds.
    #[arg(long, default_value_t = 30.0, value_parser = positive_seconds)]
    task_seconds: f64,

    /// Shortest delay between two polls of a task (AdaptivePoll min_delay), in seconds.
    #[arg(long = "min-delay", default_value_t = 5.0, value_parser = non_negative_seconds)]
    min_delay_seconds: f64,

    /// Polls in flight at once.
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    polls_in_flight: u32,
}

impl ScaleArgs {
    fn options(&self) -> ScaleOptions {
        ScaleOptions {
            tasks: self.tasks as usize,
            task_seconds: self.task_seconds,
            min_delay_seconds: self.min_delay_seconds,
            polls_in_flight: self.polls_in_flight as usize,
        }
    }
}

fn positive_seconds(text: &str) -> std::result::Result<f64, String> {
    match text.parse::<f64>() {
        Ok(seconds) if seconds.is_finite() && seconds > 0.0 && seconds <= 86_400.0 => Ok(seconds),
        _ => Err(format!(
            "`{text}` is not a number of seconds above 0 and at most 86400"
        )),
    }
}

fn non_negative_seconds(text: &str) -> std::result::Result<f64, String> {
    match text.parse::<f64>() {
        Ok(seconds) if seconds.is_finite() && (0.0..=86_400.0).contains(&seconds) => Ok(seconds),
        _ => Err(format!(
            "`{text}` is not a number of seconds from 0 to 86400"
        )),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if matches!(cli.command, Command::ScaleClient { .. }) {
        alloc::enable();
    }

    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: failed to start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<()> {
    let command = shell_words(std::env::args());

    let mut report = Report {
        command: command.clone(),
        machine: machine::Machine::detect(),
        budget: None,
        decode: None,
        scale: None,
    };

    match &cli.command {
        Command::ScaleClient { url, scale } => {
            let measured = scale::run_client(url, &scale.options()).await?;
            let line = serde_json::to_string(&measured)
                .map_err(|error| BenchError::output("the scale client", error.to_string()))?;
            println!("{line}");
            return Ok(());
        }
        Command::Budget { budget, python } => {
            let peer = python.locate()?;
            report.budget = Some(run_budget(&budget.options(), peer.as_ref(), &command).await?);
        }
        Command::Decode { decode, python } => {
            let peer = python.locate()?;
            report.decode = Some(run_decode(&decode.options(), peer.as_ref(), &command).await?);
        }
        Command::Scale { scale, sim_bin } => {
            report.scale = Some(run_scale(&scale.options(), sim_bin.clone(), &command).await?);
        }
        Command::All {
            python,
            sequential,
            sim_bin,
        } => {
            let peer = python.locate()?;
            let budget_options = BudgetOptions {
                sequential: *sequential,
                ..default_args::<BudgetArgs>().options()
            };
            report.budget = Some(run_budget(&budget_options, peer.as_ref(), &command).await?);
            let decode_options = default_args::<DecodeArgs>().options();
            report.decode = Some(run_decode(&decode_options, peer.as_ref(), &command).await?);
            let scale_options = default_args::<ScaleArgs>().options();
            report.scale = Some(run_scale(&scale_options, sim_bin.clone(), &command).await?);
        }
    }

    let json = serde_json::to_string_pretty(&report)
        .map_err(|error| BenchError::output("the report", error.to_string()))?;
    let markdown = report.to_markdown();
    if let Some(dir) = &cli.output_dir {
        write_file(&dir.join("results.json"), &json)?;
        write_file(&dir.join("results.md"), &markdown)?;
    }
    if cli.json {
        println!("{json}");
    } else {
        print!("{markdown}");
    }
    Ok(())
}

/// Returns the default values of an argument group, as clap fills them in.
fn default_args<T: clap::FromArgMatches + Args>() -> T {
    let command = T::augment_args(clap::Command::new("defaults"));
    let matches = command.get_matches_from(["defaults"]);
    // Every field of these groups has a default value, so this cannot fail.
    T::from_arg_matches(&matches).expect("argument groups have defaults for every field")
}

async fn run_budget(
    options: &BudgetOptions,
    python: Option<&PythonPeer>,
    command: &str,
) -> Result<budget::BudgetReport> {
    let rounds = if options.unlimited { 2 } else { 1 };
    eprintln!(
        "budget: {} tasks of {} s, {} requests per {} s window, {} contenders x {rounds} round(s), {}",
        options.tasks,
        options.task_seconds,
        options.rate_limit,
        options.rate_window_seconds,
        if python.is_some() { 3 } else { 2 },
        if options.sequential {
            "one after another"
        } else {
            "side by side"
        }
    );
    budget::run(options, python, command).await
}

async fn run_decode(
    options: &DecodeOptions,
    python: Option<&PythonPeer>,
    command: &str,
) -> Result<decode::DecodeReport> {
    eprintln!(
        "decode: {} sequences of {} bases with {} annotations each",
        options.sequences, options.bases, options.annotations
    );
    decode::run(options, python, command).await
}

async fn run_scale(
    options: &ScaleOptions,
    sim_bin: Option<PathBuf>,
    command: &str,
) -> Result<scale::ScaleReport> {
    eprintln!(
        "scale: {} tasks of {} s awaited at once",
        options.tasks, options.task_seconds
    );
    scale::run(options, sim_bin, command).await
}

fn write_file(path: &std::path::Path, text: &str) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|source| BenchError::Write {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    std::fs::write(path, text).map_err(|source| BenchError::Write {
        path: path.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_defaults() {
        let options = default_args::<BudgetArgs>().options();
        assert_eq!(options.tasks, 40);
        assert_eq!(options.task_seconds, 20.0);
        assert_eq!(options.rate_limit, 60);
        assert_eq!(options.rate_window_seconds, 30.0);
        assert!(options.unlimited);
        assert!(!options.sequential);
    }

    #[test]
    fn decode_defaults() {
        let options = default_args::<DecodeArgs>().options();
        assert_eq!(options.sequences, 1000);
        assert_eq!(options.bases, 10_000);
        assert_eq!(options.annotations, 20);
    }

    #[test]
    fn scale_defaults() {
        let options = default_args::<ScaleArgs>().options();
        assert_eq!(options.tasks, 10_000);
        assert_eq!(options.polls_in_flight, 16);
    }

    #[test]
    fn cli_definition_is_valid() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
