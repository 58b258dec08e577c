//! The rate-budget benchmark: a batch of bulk-create tasks created and awaited
//! concurrently under the tenant's fixed rate window.
//!
//! Three contenders run, each against a fresh in-process simulator: Benchling's
//! Python SDK with its defaults, this SDK with the same defaults, and this SDK
//! with [`AdaptivePoll`]. Every figure comes from the simulator's statistics
//! (requests, 429s, per-task completion and the first poll that saw the end)
//! and from the client's clock (when each wait returned, when each poll was due).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use benchling_sdk::models::{DnaSequenceBulkCreate, DnaSequencesBulkCreateRequest};
use benchling_sdk::tasks::{AdaptivePoll, PollPolicy, PollState, WaitOptions};
use benchling_sdk::Benchling;
use benchling_sim::{LatencyModel, RateLimit, Simulator, Stats};
use serde::{Deserialize, Serialize};

use crate::error::{BenchError, Result};
use crate::python::PythonPeer;
use crate::report::{seconds_p50_p95, Table, TargetCheck};
use crate::schedule::BestSchedule;
use crate::summary::Summary;

/// The operation whose latency the simulator is configured with.
const OPERATION: &str = "bulkCreateDNASequences";
const CREATE_ROUTE: &str = "POST /api/v2/dna-sequences:bulk-create";
const POLL_ROUTE: &str = "GET /api/v2/tasks/{task_id}";
/// Requests per window of the runs where the window does not bind.
const UNLIMITED_REQUESTS: u32 = 1_000_000;

/// Settings of the rate-budget benchmark.
#[derive(Debug, Clone, Serialize)]
pub struct BudgetOptions {
    /// Tasks created and awaited at once.
    pub tasks: usize,
    /// Duration of every task, in seconds.
    pub task_seconds: f64,
    /// Requests per rate window.
    pub rate_limit: u32,
    /// Length of the rate window, in seconds.
    pub rate_window_seconds: f64,
    /// Also run every contender with a window that does not bind.
    pub unlimited: bool,
    /// Run the contenders one after another instead of side by side.
    pub sequential: bool,
    /// In the Rust contenders, send the first create alone and start the others
    /// after its response: a diagnostic that keeps the governor from adopting the
    /// server's window while other requests are in flight.
    pub first_create_alone: bool,
}

/// A client configuration under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Contender {
    /// Benchling's Python SDK, `wait_for_response()` with its defaults.
    PythonDefaults,
    /// This SDK, `wait_for_response()` with its defaults and the governor on.
    RustDefaults,
    /// This SDK, `AdaptivePoll::default()` and the governor on.
    RustAdaptive,
}

impl Contender {
    fn label(self) -> &'static str {
        match self {
            Contender::PythonDefaults => "(a) Python SDK, wait_for_response() defaults",
            Contender::RustDefaults => "(b) Rust SDK, wait_for_response() defaults",
            Contender::RustAdaptive => "(c) Rust SDK, AdaptivePoll::default()",
        }
    }
}

/// Whether the simulator's window binds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum WindowMode {
    /// The configured window, 60 requests per 30 s by default.
    Budget,
    /// A window of 1,000,000 requests, which no contender reaches.
    Unlimited,
}

/// The measured figures of one contender in one window mode.
#[derive(Debug, Clone, Serialize)]
pub struct ContenderRun {
    /// The client configuration.
    pub contender: Contender,
    /// Its description.
    pub label: &'static str,
    /// The window mode.
    pub window: WindowMode,
    /// The simulator's window, for example `60 per 30 s`.
    pub window_text: String,
    /// The command that produced this row.
    pub command: String,
    /// Tasks created.
    pub tasks: usize,
    /// Waits that returned the task's response.
    pub succeeded: usize,
    /// Requests the simulator received, refused ones included.
    pub total_requests: u64,
    /// Responses with status 429.
    pub too_many_requests: u64,
    /// Task-creating requests, refused ones included.
    pub create_requests: u64,
    /// Task polls, refused ones included.
    pub poll_requests: u64,
    /// Seconds from the first create to the last wait's return.
    pub wall_seconds: f64,
    /// Seconds from each task's end to the first poll that saw it ended (simulator clock).
    pub lag_seen: Option<Summary>,
    /// Seconds from each task's end to its wait returning (client clock).
    pub lag_returned: Option<Summary>,
    /// Seconds the detecting poll was held between its due instant (from the
    /// poll policy) and its arrival at the simulator. Set only where the due instant is recorded.
    pub hold: Option<Summary>,
    /// Detection lag minus that hold: seconds from the task's end to the detecting
    /// poll's due instant, at least 0 and at most the whole lag.
    pub lag_excluding_hold: Option<Summary>,
    /// Error messages of waits that failed, at most five.
    pub errors: Vec<String>,
    /// Python and SDK version of the Python contender.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub python_versions: Option<String>,
}

/// The results of the rate-budget benchmark.
#[derive(Debug, Serialize)]
pub struct BudgetReport {
    /// The settings.
    pub options: BudgetOptions,
    /// Speed-up of the simulator's clock; 1.0 means real time.
    pub time_scale: f64,
    /// The best possible schedule of the batch under the window.
    pub best_possible: BestSchedule,
    /// One row per contender and window mode.
    pub runs: Vec<ContenderRun>,
    /// The targets and whether they were met.
    pub targets: Vec<TargetCheck>,
}

/// Runs every contender (the Python one only when `python` is given) and checks the targets.
pub async fn run(
    options: &BudgetOptions,
    python: Option<&PythonPeer>,
    command: &str,
) -> Result<BudgetReport> {
    let mut plans = Vec::new();
    let modes: &[WindowMode] = if options.unlimited {
        &[WindowMode::Budget, WindowMode::Unlimited]
    } else {
        &[WindowMode::Budget]
    };
    for mode in modes {
        if python.is_some() {
            plans.push((Contender::PythonDefaults, *mode));
        }
        plans.push((Contender::RustDefaults, *mode));
        plans.push((Contender::RustAdaptive, *mode));
    }

    let runs = if options.sequential {
        let mut runs = Vec::new();
        for (contender, mode) in plans {
            runs.push(run_contender(contender, mode, options, python, command).await?);
        }
        runs
    } else {
        let futures = plans
            .into_iter()
            .map(|(contender, mode)| run_contender(contender, mode, options, python, command));
        futures::future::try_join_all(futures).await?
    };

    let best_possible = BestSchedule::compute(
        options.tasks,
        options.task_seconds,
        options.rate_limit,
        options.rate_window_seconds,
    );
    let targets = check_targets(options, &best_possible, &runs);
    Ok(BudgetReport {
        options: options.clone(),
        time_scale: 1.0,
        best_possible,
        runs,
        targets,
    })
}

/// One client's record of one task, on the simulator's clock.
#[derive(Debug, Clone)]
struct ClientTask {
    task_id: String,
    returned_sim: f64,
    /// When the detecting poll was due by the poll policy, when recorded.
    due_sim: Option<f64>,
    error: Option<String>,
}

/// The client side of one run.
struct ClientRun {
    wall_seconds: f64,
    tasks: Vec<ClientTask>,
    command: String,
    python_versions: Option<String>,
}

async fn run_contender(
    contender: Contender,
    mode: WindowMode,
    options: &BudgetOptions,
    python: Option<&PythonPeer>,
    command: &str,
) -> Result<ContenderRun> {
    let window = Duration::try_from_secs_f64(options.rate_window_seconds).map_err(|_| {
        BenchError::Setup(format!(
            "invalid rate window {} s: use a positive number of seconds",
            options.rate_window_seconds
        ))
    })?;
    let task_duration = Duration::try_from_secs_f64(options.task_seconds).map_err(|_| {
        BenchError::Setup(format!(
            "invalid task duration {} s: use a positive number of seconds",
            options.task_seconds
        ))
    })?;
    let requests = match mode {
        WindowMode::Budget => options.rate_limit,
        WindowMode::Unlimited => UNLIMITED_REQUESTS,
    };
    let mut limit = RateLimit::personal();
    limit.requests = requests;
    limit.window = window;

    let simulator = Simulator::builder()
        .rate_limit(limit)
        .operation_latency(OPERATION, LatencyModel::fixed(task_duration))
        .start()
        .await?;

    let client_run = match contender {
        Contender::PythonDefaults => {
            let peer = python.ok_or_else(|| {
                BenchError::Setup("the Python contender needs the Python peer".to_string())
            })?;
            run_python(&simulator, options.tasks, peer).await
        }
        Contender::RustDefaults => run_rust(&simulator, options, false, command).await,
        Contender::RustAdaptive => run_rust(&simulator, options, true, command).await,
    };
    let stats = simulator.stats();
    simulator.shutdown().await;
    let client_run = client_run?;

    let window_text = match mode {
        WindowMode::Budget => format!("{requests} per {} s", options.rate_window_seconds),
        WindowMode::Unlimited => {
            format!("not binding (10^6 per {} s)", options.rate_window_seconds)
        }
    };
    Ok(analyse(contender, mode, window_text, &stats, client_run))
}

/// Maps instants of this process onto the simulator's clock.
#[derive(Debug, Clone, Copy)]
struct ClockAnchor {
    instant: Instant,
    simulated: f64,
}

impl ClockAnchor {
    /// Reads the simulator's clock between two reads of this process's clock.
    fn take(simulator: &Simulator) -> ClockAnchor {
        let before = Instant::now();
        let simulated = simulator.stats().now.as_secs_f64();
        let after = Instant::now();
        ClockAnchor {
            instant: before + (after - before) / 2,
            simulated,
        }
    }

    fn simulated(&self, at: Instant) -> f64 {
        if at >= self.instant {
            self.simulated + (at - self.instant).as_secs_f64()
        } else {
            self.simulated - (self.instant - at).as_secs_f64()
        }
    }
}

/// A poll policy that records when the next poll is due, then defers to `inner`.
///
/// The poller sleeps until `now + delay` and then sends the poll through the
/// governor. The recorded instant is therefore when the poll would go out if
/// the rate window never held it back.
#[derive(Debug)]
struct RecordDue<P> {
    inner: P,
    last_due: Arc<Mutex<Option<Instant>>>,
}

impl<P: PollPolicy> PollPolicy for RecordDue<P> {
    fn next_delay(&self, state: &PollState) -> Duration {
        let delay = self.inner.next_delay(state);
        let mut last_due = self
            .last_due
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *last_due = Some(Instant::now() + delay);
        delay
    }
}

fn create_request(index: usize) -> DnaSequencesBulkCreateRequest {
    DnaSequencesBulkCreateRequest {
        dna_sequences: Some(vec![DnaSequenceBulkCreate {
            name: format!("budget-{index}"),
            bases: "ACGT".to_string(),
            is_circular: false,
            ..Default::default()
        }]),
        ..Default::default()
    }
}

struct RustTask {
    task_id: String,
    wait_started: Instant,
    returned: Instant,
    last_due: Option<Instant>,
    record_due: bool,
    error: Option<String>,
}

async fn run_rust(
    simulator: &Simulator,
    options: &BudgetOptions,
    adaptive: bool,
    command: &str,
) -> Result<ClientRun> {
    let client = Benchling::builder()
        .tenant_url(simulator.base_url())
        .api_key(simulator.api_key())
        .build()
        .map_err(BenchError::sdk("building the client"))?;

    // Set once the first create has its response, when the others wait for it.
    let (first_created, first_created_receiver) =
        tokio::sync::watch::channel(!options.first_create_alone);
    let first_created = &first_created;

    let started = Instant::now();
    let waits = (0..options.tasks).map(|index| {
        let client = client.clone();
        let mut first_created_receiver = first_created_receiver.clone();
        async move {
            if index > 0 {
                // The sender outlives every wait, so this returns once it is set.
                let _ = first_created_receiver.wait_for(|created| *created).await;
            }
            let task = client
                .dna_sequences()
                .bulk_create(&create_request(index))
                .await
                .map_err(BenchError::sdk("creating a task"))?;
            if index == 0 {
                first_created.send_replace(true);
            }

            let wait_started = Instant::now();
            let last_due = Arc::new(Mutex::new(None));
            let outcome = if adaptive {
                let policy = RecordDue {
                    inner: AdaptivePoll::default(),
                    last_due: Arc::clone(&last_due),
                };
                task.wait_for_response_with(WaitOptions::new().policy(policy))
                    .await
            } else {
                task.wait_for_response().await
            };
            let returned = Instant::now();

            let last_due = *last_due
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            Ok::<_, BenchError>(RustTask {
                task_id: task.task_id().to_string(),
                wait_started,
                returned,
                last_due,
                record_due: adaptive,
                error: outcome.err().map(|error| error.to_string()),
            })
        }
    });
    let finished = futures::future::try_join_all(waits).await?;

    let anchor = ClockAnchor::take(simulator);
    let last_return = finished
        .iter()
        .map(|task| task.returned)
        .max()
        .unwrap_or(started);
    let tasks = finished
        .into_iter()
        .map(|task| ClientTask {
            returned_sim: anchor.simulated(task.returned),
            // A wait whose first poll saw the end never asked the policy for a delay:
            // that poll was due when the wait started.
            due_sim: task
                .record_due
                .then(|| anchor.simulated(task.last_due.unwrap_or(task.wait_started))),
            task_id: task.task_id,
            error: task.error,
        })
        .collect();

    Ok(ClientRun {
        wall_seconds: (last_return - started).as_secs_f64(),
        tasks,
        command: command.to_string(),
        python_versions: None,
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PeerOutput {
    wall_seconds: f64,
    python: String,
    sdk_version: String,
    results: Vec<PeerTask>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PeerTask {
    task_id: String,
    wait_returned_sim: f64,
    error: Option<String>,
}

async fn run_python(simulator: &Simulator, tasks: usize, peer: &PythonPeer) -> Result<ClientRun> {
    let script = "budget_peer.py";
    let args = vec![simulator.base_url().to_string(), tasks.to_string()];
    let command = format!(
        "BENCHLING_SIM_API_KEY=… {}",
        peer.command_line(script, &args)
    );
    let value = peer
        .run_json(
            script,
            &args,
            &[("BENCHLING_SIM_API_KEY", simulator.api_key())],
            Duration::from_secs(900),
        )
        .await?;
    let output: PeerOutput = serde_json::from_value(value)
        .map_err(|error| BenchError::output(&command, error.to_string()))?;

    Ok(ClientRun {
        wall_seconds: output.wall_seconds,
        tasks: output
            .results
            .into_iter()
            .map(|task| ClientTask {
                task_id: task.task_id,
                returned_sim: task.wait_returned_sim,
                due_sim: None,
                error: task.error,
            })
            .collect(),
        command,
        python_versions: Some(format!(
            "Python {}, benchling-sdk {}",
            output.python, output.sdk_version
        )),
    })
}

fn analyse(
    contender: Contender,
    mode: WindowMode,
    window_text: String,
    stats: &Stats,
    client: ClientRun,
) -> ContenderRun {
    let mut lag_seen = Vec::new();
    let mut lag_returned = Vec::new();
    let mut hold = Vec::new();
    let mut lag_excluding_hold = Vec::new();
    let mut errors = Vec::new();

    for task in &client.tasks {
        if let Some(error) = &task.error {
            errors.push(format!("task {}: {error}", task.task_id));
            continue;
        }
        let Some(server) = stats.task(&task.task_id) else {
            errors.push(format!(
                "task {} is missing from the simulator's statistics",
                task.task_id
            ));
            continue;
        };
        let completed = server.completed.as_secs_f64();
        lag_returned.push(task.returned_sim - completed);

        let Some(seen) = server.first_seen_completed.map(|seen| seen.as_secs_f64()) else {
            continue;
        };
        let lag = seen - completed;
        lag_seen.push(lag);
        if let Some(due) = task.due_sim {
            hold.push((seen - due).max(0.0));
            lag_excluding_hold.push((due - completed).clamp(0.0, lag.max(0.0)));
        }
    }

    let polls: u64 = stats
        .routes
        .get(POLL_ROUTE)
        .map_or(0, |statuses| statuses.values().sum());
    let creates: u64 = stats
        .routes
        .get(CREATE_ROUTE)
        .map_or(0, |statuses| statuses.values().sum());
    let failed = errors.len();
    errors.truncate(5);

    ContenderRun {
        contender,
        label: contender.label(),
        window: mode,
        window_text,
        command: client.command,
        tasks: client.tasks.len(),
        succeeded: client.tasks.len().saturating_sub(failed),
        total_requests: stats.total_requests,
        too_many_requests: stats.too_many_requests,
        create_requests: creates,
        poll_requests: polls,
        wall_seconds: client.wall_seconds,
        lag_seen: Summary::of(&lag_seen),
        lag_returned: Summary::of(&lag_returned),
        hold: Summary::of(&hold),
        lag_excluding_hold: Summary::of(&lag_excluding_hold),
        errors,
        python_versions: client.python_versions,
    }
}

fn check_targets(
    options: &BudgetOptions,
    best: &BestSchedule,
    runs: &[ContenderRun],
) -> Vec<TargetCheck> {
    let find = |contender: Contender| {
        runs.iter()
            .find(|run| run.contender == contender && run.window == WindowMode::Budget)
    };
    let mut targets = Vec::new();

    for contender in [Contender::RustDefaults, Contender::RustAdaptive] {
        if let Some(run) = find(contender) {
            targets.push(TargetCheck::new(
                format!("budget: 429 responses, {}", run.label),
                "0",
                run.too_many_requests.to_string(),
                run.too_many_requests == 0,
            ));
        }
    }

    if let Some(adaptive) = find(Contender::RustAdaptive) {
        let limit = 0.1 * options.task_seconds;
        let p95 = adaptive.lag_excluding_hold.map(|summary| summary.p95);
        targets.push(TargetCheck::new(
            "budget: detection lag p95 excluding rate-window hold, (c)",
            format!("≤ {limit:.2} s (10% of {} s)", options.task_seconds),
            p95.map_or("n/a".to_string(), |p95| format!("{p95:.3} s")),
            p95.is_some_and(|p95| p95 <= limit),
        ));

        // In the budget round the window usually delays every detecting poll from
        // before the task's end to after it, so the policy's own lag shows only
        // where the window does not bind.
        let unlimited = runs.iter().find(|run| {
            run.contender == Contender::RustAdaptive && run.window == WindowMode::Unlimited
        });
        if let Some(unlimited) = unlimited {
            let p95 = unlimited.lag_seen.map(|summary| summary.p95);
            targets.push(TargetCheck::new(
                "budget: detection lag p95 with the window not binding, (c)",
                format!("≤ {limit:.2} s (10% of {} s)", options.task_seconds),
                p95.map_or("n/a".to_string(), |p95| format!("{p95:.3} s")),
                p95.is_some_and(|p95| p95 <= limit),
            ));
        }

        if let Some(python) = find(Contender::PythonDefaults) {
            let limit = python.total_requests as f64 / 3.0;
            targets.push(TargetCheck::new(
                "budget: total requests of (c) vs (a)",
                format!("≤ {limit:.1} (a third of {})", python.total_requests),
                adaptive.total_requests.to_string(),
                adaptive.total_requests as f64 <= limit,
            ));
        }
    }

    let wall_limit = best.wall_seconds * 1.1;
    for contender in [Contender::RustAdaptive, Contender::RustDefaults] {
        if let Some(run) = find(contender) {
            targets.push(TargetCheck::new(
                format!("budget: wall time, {}", run.label),
                format!(
                    "≤ {wall_limit:.2} s (best possible {:.1} s + 10%)",
                    best.wall_seconds
                ),
                format!("{:.2} s", run.wall_seconds),
                run.wall_seconds <= wall_limit,
            ));
        }
    }
    targets
}

impl BudgetReport {
    /// Renders the results as Markdown.
    pub fn to_markdown(&self) -> String {
        let options = &self.options;
        let mut text = format!(
            "### Budget: {} bulk-create tasks of {} s, created and awaited concurrently\n\n\
             Simulator time scale {} (real time). Lags are in seconds, p50 / p95.\n\n",
            options.tasks, options.task_seconds, self.time_scale
        );

        if options.first_create_alone {
            text.push_str(
                "Diagnostic run: the Rust contenders sent their first create alone and the \
                 others after its response.\n\n",
            );
        }

        let mut table = Table::new([
            "contender",
            "window",
            "ok",
            "requests",
            "429s",
            "polls",
            "wall s",
            "lag to seen",
            "lag to return",
            "hold",
            "lag excl. hold",
        ]);
        for run in &self.runs {
            table.row([
                run.label.to_string(),
                run.window_text.clone(),
                format!("{}/{}", run.succeeded, run.tasks),
                run.total_requests.to_string(),
                run.too_many_requests.to_string(),
                run.poll_requests.to_string(),
                format!("{:.2}", run.wall_seconds),
                seconds_p50_p95(&run.lag_seen),
                seconds_p50_p95(&run.lag_returned),
                seconds_p50_p95(&run.hold),
                seconds_p50_p95(&run.lag_excluding_hold),
            ]);
        }
        text.push_str(&table.render());

        text.push_str("\nCommands:\n\n");
        for run in &self.runs {
            text.push_str(&format!(
                "- {}, window {}: `{}`\n",
                run.label, run.window_text, run.command
            ));
        }
        for run in &self.runs {
            if let Some(versions) = &run.python_versions {
                text.push_str(&format!("\nPython contender: {versions}.\n"));
                break;
            }
        }
        for run in self.runs.iter().filter(|run| !run.errors.is_empty()) {
            text.push_str(&format!(
                "\nErrors of {}, window {}:\n",
                run.label, run.window_text
            ));
            for error in &run.errors {
                text.push_str(&format!("- {error}\n"));
            }
        }

        text.push_str("\nBest possible schedule:\n\n```\n");
        text.push_str(&self.best_possible.describe());
        text.push_str("\n```\n");
        text
    }
}
