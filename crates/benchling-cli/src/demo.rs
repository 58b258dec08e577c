//! `benchling demo`: the bundled records imported into a simulated tenant.

use std::time::Duration;

use benchling_sdk::Benchling;
use benchling_sim::{LatencyModel, Simulator};
use serde_json::json;
use tokio::sync::watch;

use crate::cli::{DemoArgs, OutputFormat};
use crate::entity::EntityKind;
use crate::exit::Status;
use crate::import::{self, ImportSettings};
use crate::input::{self, FormatChoice};
use crate::report;
use crate::request::Destination;

/// The pPCP1 plasmid of Yersinia pestis, NCBI RefSeq NC_005816 (GenBank).
const PLASMID: &[u8] = include_bytes!("../../../data/NC_005816.gb");
/// The proteins of the Arabidopsis thaliana chloroplast, NCBI RefSeq NC_000932 (FASTA).
const PROTEINS: &[u8] = include_bytes!("../../../data/NC_000932.faa");

/// Folder id given to the simulated tenant; it accepts any id.
const DEMO_FOLDER: &str = "lib_demo";

/// Task latency of the simulated bulk-create endpoints, in simulated time.
fn demo_latency() -> LatencyModel {
    LatencyModel {
        base: Duration::from_secs(20),
        per_item: Duration::from_millis(100),
        jitter: 0.1,
    }
}

/// Runs the demo and returns its exit status.
pub async fn run(args: &DemoArgs, interrupt: watch::Receiver<bool>) -> Status {
    if !(args.time_scale.is_finite() && args.time_scale > 0.0) {
        eprintln!(
            "error: invalid --time-scale {}: use a positive number such as 10",
            args.time_scale
        );
        return Status::Usage;
    }

    let simulator = match Simulator::builder()
        .time_scale(args.time_scale)
        .operation_latency("bulkCreateDNASequences", demo_latency())
        .operation_latency("bulkCreateAASequences", demo_latency())
        .start()
        .await
    {
        Ok(simulator) => simulator,
        Err(error) => {
            eprintln!("error: the simulated tenant did not start: {error}");
            return Status::Failed;
        }
    };
    eprintln!(
        "Simulated tenant at {} (tasks run {}x faster than real time)",
        simulator.base_url(),
        args.time_scale
    );

    let client = match Benchling::builder()
        .tenant_url(simulator.base_url())
        .api_key(simulator.api_key())
        .build()
    {
        Ok(client) => client,
        Err(error) => {
            eprintln!("error: {error}");
            return Status::Failed;
        }
    };

    let imports = [
        ("data/NC_005816.gb", PLASMID, EntityKind::DnaSequences),
        ("data/NC_000932.faa", PROTEINS, EntityKind::AaSequences),
    ];
    let mut status = Status::Success;
    let mut documents = Vec::new();
    for (label, bytes, entity) in imports {
        let entries = match input::parse_bytes(label, None, bytes, FormatChoice::Auto) {
            Ok(entries) => entries,
            Err(error) => {
                eprintln!("error: {error}");
                return Status::Failed;
            }
        };
        let settings = ImportSettings {
            entity,
            destination: Destination {
                folder_id: Some(DEMO_FOLDER.to_string()),
                ..Destination::default()
            },
            batch_size: args.batch_size,
            concurrency: 4,
            wait: true,
            timeout: Duration::from_secs(120),
            circular_fasta: false,
        };

        let prepared = import::prepare(entries, &settings);
        eprintln!(
            "Importing {label} as {entity}: {} record(s) in batches of {}",
            prepared.valid_count(),
            args.batch_size
        );
        let report = import::execute(&client, prepared, &settings, interrupt.clone()).await;
        status = status.worst(report.status);

        let failed_files = match report::write_failed_files(&report, None) {
            Ok(files) => files,
            Err(error) => {
                eprintln!("error: {error}");
                status = status.worst(Status::Failed);
                Vec::new()
            }
        };
        match args.output {
            OutputFormat::Table => {
                println!("== {label} -> {entity}");
                println!("{}", report::to_table(&report, &failed_files));
            }
            OutputFormat::Json => {
                let mut document = report::to_json(&report, &failed_files);
                document["input"] = json!(label);
                documents.push(document);
            }
        }
        if status == Status::Interrupted {
            break;
        }
    }

    let stats = simulator.stats();
    let tasks = stats.tasks.len();
    match args.output {
        OutputFormat::Table => println!(
            "Simulated tenant: {} API request(s), {} answered 429, {tasks} task(s).",
            stats.total_requests, stats.too_many_requests
        ),
        OutputFormat::Json => {
            let document = json!({
                "tenantUrl": simulator.base_url(),
                "imports": documents,
                "simulator": {
                    "requests": stats.total_requests,
                    "tooManyRequests": stats.too_many_requests,
                    "tasks": tasks,
                },
                "exitCode": status.code(),
            });
            println!(
                "{}",
                serde_json::to_string_pretty(&document).unwrap_or_else(|_| document.to_string())
            );
        }
    }
    simulator.shutdown().await;
    status
}
