//! `benchling`: register sequences in Benchling and follow its asynchronous tasks.
//!
//! Results go to stdout, logs and progress bars to stderr. `benchling --help`
//! lists the commands and the exit codes.

mod bulk;
mod cli;
mod config;
mod demo;
mod entity;
mod exit;
mod import;
mod input;
mod progress;
mod report;
mod request;
mod tasks_cmd;
mod validate;

use std::process::ExitCode;

use clap::Parser;
use tokio::sync::watch;
use tracing_subscriber::EnvFilter;

use crate::cli::{Cli, Command, ImportArgs, OutputFormat, TasksCommand};
use crate::entity::EntityKind;
use crate::exit::Status;
use crate::import::ImportSettings;
use crate::request::Destination;

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.global.verbose);

    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::from(Status::Failed.code());
        }
    };

    let status = runtime.block_on(async {
        let interrupt = watch_ctrl_c();
        run(cli, interrupt).await
    });
    ExitCode::from(status.code())
}

async fn run(cli: Cli, interrupt: watch::Receiver<bool>) -> Status {
    match &cli.command {
        Command::Demo(args) => demo::run(args, interrupt).await,
        Command::Import(args) => {
            let client = match config::build_client(&cli.connection, &cli.global) {
                Ok(client) => client,
                Err(error) => return usage_error(&error),
            };
            import_command(&client, args, interrupt).await
        }
        Command::Tasks(command) => {
            let client = match config::build_client(&cli.connection, &cli.global) {
                Ok(client) => client,
                Err(error) => return usage_error(&error),
            };
            match command {
                TasksCommand::Get(args) => tasks_cmd::get(&client, args).await,
                TasksCommand::Wait(args) => tasks_cmd::wait(&client, args, interrupt).await,
            }
        }
    }
}

async fn import_command(
    client: &benchling_sdk::Benchling,
    args: &ImportArgs,
    interrupt: watch::Receiver<bool>,
) -> Status {
    if args.circular && args.entity != EntityKind::DnaSequences {
        eprintln!(
            "error: --circular applies only to --entity dna-sequences, not {}",
            args.entity
        );
        return Status::Usage;
    }

    let mut entries = Vec::new();
    for path in &args.files {
        match input::read_file(path, args.format) {
            Ok(file_entries) => entries.extend(file_entries),
            Err(error) => return usage_error(&error),
        }
    }

    let settings = ImportSettings {
        entity: args.entity,
        destination: Destination {
            folder_id: args.folder_id.clone(),
            schema_id: args.schema_id.clone(),
            registry_id: args.registry_id.clone(),
            naming_strategy: args.naming_strategy,
        },
        batch_size: args.batch_size,
        concurrency: usize::from(args.concurrency),
        wait: !args.no_wait,
        timeout: args.timeout,
        circular_fasta: args.circular,
    };
    let prepared = import::prepare(entries, &settings);
    tracing::info!(
        records = prepared.valid_count(),
        batch_size = settings.batch_size,
        "sending valid records"
    );
    let report = import::execute(client, prepared, &settings, interrupt).await;

    let mut status = report.status;
    let failed_files = match report::write_failed_files(&report, args.failed_dir.as_deref()) {
        Ok(files) => files,
        Err(error) => {
            eprintln!("error: {error}");
            status = status.worst(Status::Failed);
            Vec::new()
        }
    };

    match args.output {
        OutputFormat::Table => print!("{}", report::to_table(&report, &failed_files)),
        OutputFormat::Json => {
            let mut document = report::to_json(&report, &failed_files);
            document["exitCode"] = serde_json::json!(status.code());
            println!(
                "{}",
                serde_json::to_string_pretty(&document).unwrap_or_else(|_| document.to_string())
            );
        }
    }
    status
}

fn usage_error(error: &dyn std::fmt::Display) -> Status {
    eprintln!("error: {error}");
    Status::Usage
}

/// Returns a flag that turns true on the first Ctrl-C; a second Ctrl-C exits at once.
fn watch_ctrl_c() -> watch::Receiver<bool> {
    let (sender, receiver) = watch::channel(false);
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_err() {
            return;
        }
        eprintln!("Interrupted: reporting what is known; press Ctrl-C again to exit at once.");
        sender.send_replace(true);
        if tokio::signal::ctrl_c().await.is_ok() {
            std::process::exit(i32::from(Status::Interrupted.code()));
        }
    });
    receiver
}

/// Sends logs to stderr at the level of `-v` (warn by default); `RUST_LOG` overrides it.
fn init_logging(verbose: u8) {
    let directives = match verbose {
        0 => "warn",
        1 => "warn,benchling=info,benchling_sdk=info,benchling_sim=info",
        2 => "info,benchling=debug,benchling_sdk=debug,benchling_sim=debug",
        _ => "trace",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(directives));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(progress::make_log_writer)
        .with_ansi(false)
        .init();
}
