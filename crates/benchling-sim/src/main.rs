//! `benchling-sim`: runs the Benchling-compatible simulator on loopback until Ctrl-C.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

use benchling_sim::{FaultRule, LatencyModel, RateLimit, Simulator};
use clap::{Parser, ValueEnum};
use tracing_subscriber::EnvFilter;

/// A Benchling-compatible API server on loopback, for tests, demos and benchmarks.
///
/// Durations are in simulated seconds: with `--time-scale 60` a simulated minute
/// lasts one real second. Statistics: `GET /_sim/stats`; reset: `POST /_sim/reset`.
#[derive(Debug, Parser)]
#[command(name = "benchling-sim", version)]
struct Args {
    /// Loopback address to listen on.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    host: IpAddr,

    /// Port to listen on; 0 picks a free port.
    #[arg(long, default_value_t = 0)]
    port: u16,

    /// API key accepted as the HTTP Basic user name (empty password).
    #[arg(long, env = "BENCHLING_SIM_API_KEY", default_value = "sim_api_key")]
    api_key: String,

    /// OAuth2 client id accepted by POST /api/v2/token.
    #[arg(long, default_value = "sim_client_id")]
    client_id: String,

    /// OAuth2 client secret accepted by POST /api/v2/token.
    #[arg(
        long,
        env = "BENCHLING_SIM_CLIENT_SECRET",
        default_value = "sim_client_secret"
    )]
    client_secret: String,

    /// Bearer token accepted without expiry; repeat for several.
    #[arg(long = "bearer-token")]
    bearer_tokens: Vec<String>,

    /// Lifetime of issued access tokens, in simulated seconds.
    #[arg(long, default_value_t = 3600.0)]
    token_lifetime: f64,

    /// Speed of the simulated clock relative to real time (60 = one simulated minute per real second).
    #[arg(long, default_value_t = 1.0)]
    time_scale: f64,

    /// Rate-limit preset: `personal` (60 requests per 30 s) or `app` (300 per 30 s).
    #[arg(long, value_enum, default_value_t = RatePreset::Personal)]
    rate_mode: RatePreset,

    /// Requests per rate window; overrides the preset.
    #[arg(long)]
    rate_limit: Option<u32>,

    /// Length of the rate window in simulated seconds; overrides the preset.
    #[arg(long)]
    rate_window: Option<f64>,

    /// Turn rate limiting off (no 429 from the window, no rate-limit headers).
    #[arg(long)]
    no_rate_limit: bool,

    /// Base duration of every task, in simulated seconds.
    #[arg(long, default_value_t = 2.0)]
    task_base: f64,

    /// Duration added per item of a bulk request, in simulated seconds.
    #[arg(long, default_value_t = 0.01)]
    task_per_item: f64,

    /// Random deviation of task durations, as a fraction (0.1 = ±10%).
    #[arg(long, default_value_t = 0.1)]
    task_jitter: f64,

    /// Latency of one operation: OPERATION_ID=BASE[,PER_ITEM[,JITTER]] in simulated seconds;
    /// repeat for several (for example `bulkCreateDNASequences=20,0.05`).
    #[arg(long = "operation-latency", value_parser = parse_operation_latency)]
    operation_latency: Vec<(String, LatencyModel)>,

    /// How long ended tasks stay readable, in simulated seconds.
    #[arg(long, default_value_t = 1800.0)]
    task_retention: f64,

    /// Seed of ids, latency jitter and fault rates.
    #[arg(long, default_value_t = 0)]
    seed: u64,

    /// Injected fault KIND:TRIGGER[:SCOPE]; repeat for several. KIND: 429, 500, 502, 503, 504,
    /// slow=SECONDS, drop, truncate, malformed. TRIGGER: p=PROBABILITY, n=N[,N...] (request
    /// numbers from 1), every=N. SCOPE: all (default) or polls.
    #[arg(long = "fault")]
    faults: Vec<FaultRule>,

    /// Make every task of an operation fail: OPERATION_ID=MESSAGE; repeat for several.
    #[arg(long = "fail-operation", value_parser = parse_failing_operation)]
    failing_operations: Vec<(String, String)>,

    /// Form of a failed task's per-item errors: list, object (the first error) or none.
    #[arg(long, default_value = "list")]
    task_errors: benchling_sim::TaskErrorsShape,

    /// Largest accepted request body, in bytes.
    #[arg(long, default_value_t = 16 * 1024 * 1024)]
    max_body_bytes: usize,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum RatePreset {
    Personal,
    App,
}

fn seconds(value: f64, name: &str) -> Result<Duration, String> {
    Duration::try_from_secs_f64(value)
        .map_err(|_| format!("{name} must be a non-negative number of seconds, got {value}"))
}

/// Checks that `operation_id` names a task-creating operation, suggesting the
/// right spelling when only the case differs.
fn known_operation(operation_id: &str) -> Result<(), String> {
    let operations = benchling_sim::operations();
    if operations.iter().any(|op| op.operation_id == operation_id) {
        return Ok(());
    }
    match operations
        .iter()
        .find(|op| op.operation_id.eq_ignore_ascii_case(operation_id))
    {
        Some(op) => Err(format!(
            "unknown operation id `{operation_id}`; did you mean `{}`?",
            op.operation_id
        )),
        None => Err(format!(
            "unknown operation id `{operation_id}`; use an operationId of a task-creating \
             endpoint, such as bulkCreateDNASequences"
        )),
    }
}

fn parse_operation_latency(text: &str) -> Result<(String, LatencyModel), String> {
    let (operation_id, values) = text
        .split_once('=')
        .ok_or_else(|| format!("expected OPERATION_ID=BASE[,PER_ITEM[,JITTER]], got `{text}`"))?;
    known_operation(operation_id)?;
    let numbers = values
        .split(',')
        .map(|value| {
            value
                .trim()
                .parse::<f64>()
                .map_err(|_| format!("`{value}` is not a number"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let (base, per_item, jitter) = match numbers.as_slice() {
        [base] => (*base, 0.0, 0.0),
        [base, per_item] => (*base, *per_item, 0.0),
        [base, per_item, jitter] => (*base, *per_item, *jitter),
        _ => {
            return Err(format!(
                "expected one to three numbers after `=`, got `{values}`"
            ))
        }
    };
    let model = LatencyModel {
        base: seconds(base, "BASE")?,
        per_item: seconds(per_item, "PER_ITEM")?,
        jitter,
    };
    Ok((operation_id.to_owned(), model))
}

fn parse_failing_operation(text: &str) -> Result<(String, String), String> {
    let (operation_id, message) = text
        .split_once('=')
        .ok_or_else(|| format!("expected OPERATION_ID=MESSAGE, got `{text}`"))?;
    known_operation(operation_id)?;
    Ok((operation_id.to_owned(), message.to_owned()))
}

fn builder_from(args: Args) -> Result<benchling_sim::SimulatorBuilder, String> {
    let mut builder = Simulator::builder()
        .address(SocketAddr::new(args.host, args.port))
        .api_key(args.api_key)
        .client_credentials(args.client_id, args.client_secret)
        .token_lifetime(seconds(args.token_lifetime, "--token-lifetime")?)
        .time_scale(args.time_scale)
        .latency(LatencyModel {
            base: seconds(args.task_base, "--task-base")?,
            per_item: seconds(args.task_per_item, "--task-per-item")?,
            jitter: args.task_jitter,
        })
        .task_retention(seconds(args.task_retention, "--task-retention")?)
        .seed(args.seed)
        .task_errors_shape(args.task_errors)
        .max_body_bytes(args.max_body_bytes);

    for token in args.bearer_tokens {
        builder = builder.bearer_token(token);
    }
    for (operation_id, latency) in args.operation_latency {
        builder = builder.operation_latency(operation_id, latency);
    }
    for rule in args.faults {
        builder = builder.fault(rule);
    }
    for (operation_id, message) in args.failing_operations {
        builder = builder.fail_operation(operation_id, message);
    }

    if args.no_rate_limit {
        builder = builder.without_rate_limit();
    } else {
        let mut limit = match args.rate_mode {
            RatePreset::Personal => RateLimit::personal(),
            RatePreset::App => RateLimit::app(),
        };
        if let Some(requests) = args.rate_limit {
            limit.requests = requests;
        }
        if let Some(window) = args.rate_window {
            limit.window = seconds(window, "--rate-window")?;
        }
        builder = builder.rate_limit(limit);
    }
    Ok(builder)
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();

    let builder = match builder_from(Args::parse()) {
        Ok(builder) => builder,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let simulator = match builder.start().await {
        Ok(simulator) => simulator,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };

    // These are the simulator's own test credentials, printed so that clients can be pointed at it.
    // Flushing matters when stdout is a pipe read by a test harness.
    println!("BENCHLING_SIM_URL={}", simulator.base_url());
    println!("BENCHLING_SIM_API_KEY={}", simulator.api_key());
    println!("BENCHLING_SIM_CLIENT_ID={}", simulator.client_id());
    println!("BENCHLING_SIM_CLIENT_SECRET={}", simulator.client_secret());
    // The same settings under the names the `benchling` CLI reads, ready to paste.
    println!(
        "# export BENCHLING_TENANT_URL={} BENCHLING_API_KEY={}",
        simulator.base_url(),
        simulator.api_key()
    );
    if let Err(error) = std::io::Write::flush(&mut std::io::stdout()) {
        tracing::warn!(%error, "failed to flush stdout");
    }

    wait_for_stop_signal().await;
    simulator.shutdown().await;
    ExitCode::SUCCESS
}

/// Waits for Ctrl-C or, on Unix, SIGTERM.
async fn wait_for_stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = terminate.recv() => {}
                }
                return;
            }
            Err(error) => tracing::warn!(%error, "failed to listen for SIGTERM; stop with Ctrl-C"),
        }
    }
    if let Err(error) = tokio::signal::ctrl_c().await {
        tracing::error!(%error, "failed to listen for Ctrl-C; stopping now");
    }
}
