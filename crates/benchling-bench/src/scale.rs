//! The scale benchmark: 10,000 tasks awaited at once by one client process.
//!
//! The simulator runs as its own process (the `benchling-sim` binary), so its
//! memory and CPU do not count. The client runs as a child process of this
//! runner (the hidden `scale-client` subcommand). Its peak resident set size
//! and CPU time therefore cover nothing but the client, because the runner's
//! own work, such as the decode benchmark, happens in another process.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use benchling_sdk::models::{
    BulkCreateDnaSequencesAsyncTaskResponse, DnaSequenceBulkCreate, DnaSequencesBulkCreateRequest,
};
use benchling_sdk::tasks::{wait_all, AdaptivePoll, TaskHelper, WaitAllOptions, WaitOptions};
use benchling_sdk::Benchling;
use futures::{StreamExt, TryStreamExt};
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::alloc;
use crate::error::{BenchError, Result};
use crate::procfs;
use crate::python::{display_path, tail};
use crate::report::{shell_words, Table, TargetCheck};

/// The target for peak memory per waiting task, in bytes.
const TARGET_BYTES_PER_TASK: f64 = 4096.0;
/// Requests per window of the simulator, so that the window never binds.
const RATE_LIMIT: u32 = 100_000_000;
/// Creates in flight at once while the tasks are started.
const CREATES_IN_FLIGHT: usize = 64;
const POLL_ROUTE: &str = "GET /api/v2/tasks/{task_id}";
const CLIENT_ID_VARIABLE: &str = "BENCHLING_SIM_CLIENT_ID";
const CLIENT_SECRET_VARIABLE: &str = "BENCHLING_SIM_CLIENT_SECRET";

/// Settings of the scale benchmark.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ScaleOptions {
    /// Tasks awaited at once.
    pub tasks: usize,
    /// Duration of every task, in seconds; long enough that all tasks are created
    /// and polled once before the first one ends.
    pub task_seconds: f64,
    /// `min_delay` of the adaptive poll policy, in seconds.
    pub min_delay_seconds: f64,
    /// Polls in flight at once (`WaitAllOptions::max_polls_in_flight`).
    pub polls_in_flight: usize,
}

impl ScaleOptions {
    fn policy(&self) -> AdaptivePoll {
        AdaptivePoll {
            min_delay: Duration::from_secs_f64(self.min_delay_seconds.max(0.0)),
            ..AdaptivePoll::default()
        }
    }

    fn policy_text(&self) -> String {
        let policy = self.policy();
        format!(
            "wait_all, AdaptivePoll {{ fraction {}, min_delay {} s, max_delay {} s, jitter {} }}, {} polls in flight",
            policy.fraction,
            self.min_delay_seconds,
            policy.max_delay.as_secs_f64(),
            policy.jitter,
            self.polls_in_flight
        )
    }
}

/// The client process's measurements of itself.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientMeasurement {
    /// Tasks created.
    pub tasks: usize,
    /// Waits that returned a `SUCCEEDED` completion.
    pub succeeded: usize,
    /// Tasks created before the baseline (the warm-up); the simulator lists them first.
    pub warmup_tasks: usize,
    /// Polls sent before the baseline (the warm-up).
    pub warmup_polls: u64,
    /// Resident set size after the warm-up, before any task was created, in bytes.
    pub baseline_rss: u64,
    /// Live heap bytes at the baseline.
    pub baseline_heap: i64,
    /// Live heap bytes once every task was created, before the waits started.
    pub created_heap: i64,
    /// When the waiting snapshot was taken, in seconds after the creates started:
    /// half a second before the first task can end.
    pub snapshot_seconds: f64,
    /// Peak resident set size (`VmHWM`) at the waiting snapshot, in bytes.
    pub waiting_peak_rss: u64,
    /// Largest live heap byte count from the baseline to the waiting snapshot.
    pub waiting_peak_heap: i64,
    /// Live heap bytes at the waiting snapshot.
    pub snapshot_live_heap: i64,
    /// Peak resident set size (`VmHWM`) after every wait returned, decoded responses included.
    pub final_peak_rss: u64,
    /// Largest live heap byte count from the baseline to the end, decoded responses included.
    pub final_peak_heap: i64,
    /// Seconds spent creating the tasks.
    pub create_seconds: f64,
    /// Seconds from the start of `wait_all` to its return.
    pub wait_seconds: f64,
    /// User plus system CPU seconds of the process while the waits ran.
    pub wait_cpu_seconds: f64,
}

/// The results of the scale benchmark.
#[derive(Debug, Serialize)]
pub struct ScaleReport {
    /// The settings.
    pub options: ScaleOptions,
    /// The poll policy, as text.
    pub policy: String,
    /// The command that produced the results.
    pub command: String,
    /// The simulator's command line.
    pub simulator_command: String,
    /// The client's own figures.
    pub client: ClientMeasurement,
    /// The batch as the simulator saw it.
    pub timeline: Option<BatchTimeline>,
    /// Task polls the simulator received while the waits ran.
    pub polls: u64,
    /// True when every task had been polled, and none had ended, at the waiting snapshot.
    pub all_waiting_at_snapshot: bool,
    /// Peak resident set size up to the waiting snapshot, above the baseline, per task, in bytes.
    pub waiting_rss_bytes_per_task: f64,
    /// Peak live heap up to the waiting snapshot, above the baseline, per task, in bytes.
    pub waiting_heap_bytes_per_task: f64,
    /// Live heap of the created task helpers alone, per task, in bytes.
    pub helper_heap_bytes_per_task: f64,
    /// Live heap at the waiting snapshot, above the baseline, per task, in bytes:
    /// the steady state between two polls, without the first poll round's peak.
    pub snapshot_heap_bytes_per_task: f64,
    /// Peak resident set size of the whole run, decoded responses included, per task, in bytes.
    pub final_rss_bytes_per_task: f64,
    /// Peak live heap of the whole run, decoded responses included, per task, in bytes.
    pub final_heap_bytes_per_task: f64,
    /// Client CPU time per poll while the waits ran, in microseconds.
    pub cpu_microseconds_per_poll: f64,
    /// In-memory sizes of what a waiting task keeps, from this build of the SDK.
    pub sizes: Option<WaitSizes>,
    /// The targets and whether they were met.
    pub targets: Vec<TargetCheck>,
}

/// In-memory sizes, in bytes, of the SDK values and futures behind one waiting
/// task, from `std::mem::size_of_val` on values that are built and never polled.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct WaitSizes {
    /// `TaskHelper<BulkCreateDnaSequencesAsyncTaskResponse>`.
    pub task_helper: usize,
    /// The future of `TaskPoller::wait` with an adaptive policy.
    pub wait_future: usize,
    /// The future of `client.tasks().get(id)`, one poll request. `wait_all`
    /// boxes one such request per poll once a slot for polls in flight is free.
    pub poll_request_future: usize,
}

impl WaitSizes {
    fn measure() -> Option<WaitSizes> {
        let client = Benchling::builder()
            .tenant_url("http://127.0.0.1:9")
            .api_key("size-measurement")
            .build()
            .ok()?;
        let task_id = "00000000-0000-4000-8000-000000000000";
        let helper =
            TaskHelper::<BulkCreateDnaSequencesAsyncTaskResponse>::from_task_id(&client, task_id)
                .ok()?;
        let wait = helper
            .poller(WaitOptions::new().policy(AdaptivePoll::default()))
            .wait();
        let tasks = client.tasks();
        let request = tasks.get(task_id);
        Some(WaitSizes {
            task_helper: std::mem::size_of_val(&helper),
            wait_future: std::mem::size_of_val(&wait),
            poll_request_future: std::mem::size_of_val(&request),
        })
    }
}

/// Instants of the batch on the simulator's clock, in seconds after its first create.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct BatchTimeline {
    /// When the last task of the batch was created.
    pub last_created: f64,
    /// When the last task of the batch got its first poll.
    pub last_first_poll: f64,
    /// When the first task of the batch ended.
    pub first_end: f64,
}

impl BatchTimeline {
    /// Reads the timeline from `GET /_sim/stats`, skipping the first `skip` tasks (the warm-up).
    fn from_stats(stats: &serde_json::Value, skip: usize) -> Option<BatchTimeline> {
        let tasks = stats["tasks"].as_array()?.get(skip..)?;
        let field = |name: &str| -> Option<Vec<f64>> {
            tasks.iter().map(|task| task[name].as_f64()).collect()
        };
        let created = field("created")?;
        let first_polls = field("firstPoll")?;
        let ends = field("completed")?;
        let first_created = created.iter().copied().reduce(f64::min)?;
        Some(BatchTimeline {
            last_created: created.iter().copied().reduce(f64::max)? - first_created,
            last_first_poll: first_polls.iter().copied().reduce(f64::max)? - first_created,
            first_end: ends.iter().copied().reduce(f64::min)? - first_created,
        })
    }

    /// Returns true when a snapshot taken `at` seconds after the first create saw
    /// every task polled and none ended.
    ///
    /// The client counts `at` from just before its first create was sent, so the
    /// comparison errs towards `false` by the create's transfer time.
    fn all_waiting_at(&self, at: f64) -> bool {
        self.last_first_poll < at && at < self.first_end
    }
}

/// Starts the simulator binary, runs the client process against it and checks the target.
pub async fn run(
    options: &ScaleOptions,
    sim_bin: Option<PathBuf>,
    command: &str,
) -> Result<ScaleReport> {
    let sim_bin = locate_simulator(sim_bin)?;
    let sim_args = vec![
        "--port".to_string(),
        "0".to_string(),
        "--rate-mode".to_string(),
        "app".to_string(),
        "--rate-limit".to_string(),
        RATE_LIMIT.to_string(),
        "--operation-latency".to_string(),
        format!("bulkCreateDNASequences={}", options.task_seconds),
    ];
    let simulator_command =
        shell_words(std::iter::once(display_path(&sim_bin)).chain(sim_args.iter().cloned()));
    let mut simulator = SimulatorProcess::start(&sim_bin, &sim_args).await?;

    let measured = run_client_process(options, &simulator).await;
    let stats = match &measured {
        Ok(_) => fetch_stats(&simulator.url).await,
        Err(_) => Ok(serde_json::Value::Null),
    };
    simulator.stop().await;
    let client = measured?;
    let stats = stats?;

    let polls_total: u64 = stats["routes"][POLL_ROUTE]
        .as_object()
        .map_or(0, |statuses| {
            statuses.values().filter_map(|count| count.as_u64()).sum()
        });
    let polls = polls_total.saturating_sub(client.warmup_polls);
    let timeline = BatchTimeline::from_stats(&stats, client.warmup_tasks);
    let all_waiting_at_snapshot =
        timeline.is_some_and(|timeline| timeline.all_waiting_at(client.snapshot_seconds));

    let tasks = client.tasks.max(1) as f64;
    let per_task_rss = |peak: u64| peak.saturating_sub(client.baseline_rss) as f64 / tasks;
    let per_task_heap = |peak: i64| (peak - client.baseline_heap).max(0) as f64 / tasks;
    let waiting_rss_bytes_per_task = per_task_rss(client.waiting_peak_rss);
    let waiting_heap_bytes_per_task = per_task_heap(client.waiting_peak_heap);
    let cpu_microseconds_per_poll = if polls == 0 {
        0.0
    } else {
        client.wait_cpu_seconds * 1e6 / polls as f64
    };

    let targets = vec![TargetCheck::new(
        "scale: peak RSS per waiting task",
        format!("< {TARGET_BYTES_PER_TASK:.0} bytes"),
        format!(
            "{waiting_rss_bytes_per_task:.0} bytes (live heap {waiting_heap_bytes_per_task:.0} bytes){}",
            if all_waiting_at_snapshot { "" } else { "; NOT all tasks were waiting at the snapshot" }
        ),
        all_waiting_at_snapshot && waiting_rss_bytes_per_task < TARGET_BYTES_PER_TASK,
    )];

    Ok(ScaleReport {
        options: options.clone(),
        policy: options.policy_text(),
        command: command.to_string(),
        simulator_command,
        timeline,
        polls,
        all_waiting_at_snapshot,
        waiting_rss_bytes_per_task,
        waiting_heap_bytes_per_task,
        helper_heap_bytes_per_task: per_task_heap(client.created_heap),
        snapshot_heap_bytes_per_task: per_task_heap(client.snapshot_live_heap),
        final_rss_bytes_per_task: per_task_rss(client.final_peak_rss),
        final_heap_bytes_per_task: per_task_heap(client.final_peak_heap),
        cpu_microseconds_per_poll,
        sizes: WaitSizes::measure(),
        client,
        targets,
    })
}

fn locate_simulator(sim_bin: Option<PathBuf>) -> Result<PathBuf> {
    let path = match sim_bin {
        Some(path) => path,
        None => std::env::current_exe()
            .ok()
            .and_then(|exe| exe.parent().map(|dir| dir.join("benchling-sim")))
            .unwrap_or_else(|| PathBuf::from("benchling-sim")),
    };
    if path.exists() {
        Ok(path)
    } else {
        Err(BenchError::Setup(format!(
            "no simulator binary at {}: build it with `cargo build --release -p benchling-sim` \
             or pass --sim-bin PATH",
            path.display()
        )))
    }
}

/// A `benchling-sim` process, killed when stopped or dropped.
struct SimulatorProcess {
    child: tokio::process::Child,
    url: String,
    client_id: String,
    client_secret: String,
}

impl SimulatorProcess {
    async fn start(binary: &Path, args: &[String]) -> Result<SimulatorProcess> {
        let program = display_path(binary);
        let mut child = tokio::process::Command::new(binary)
            .args(args)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .map_err(|source| BenchError::Spawn {
                program: program.clone(),
                source,
            })?;

        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| BenchError::output(&program, "its standard output was not captured"))?;
        let mut lines = BufReader::new(stdout).lines();
        let mut values = std::collections::HashMap::new();
        let read_values = async {
            while let Some(line) = lines.next_line().await.ok().flatten() {
                if let Some((name, value)) = line.split_once('=') {
                    values.insert(name.to_string(), value.to_string());
                }
                if values.contains_key("BENCHLING_SIM_CLIENT_SECRET") {
                    break;
                }
            }
        };
        if tokio::time::timeout(Duration::from_secs(20), read_values)
            .await
            .is_err()
        {
            return Err(BenchError::output(
                &program,
                "it printed no BENCHLING_SIM_CLIENT_SECRET line within 20 seconds",
            ));
        }

        let value = |name: &str| {
            values.get(name).cloned().ok_or_else(|| {
                BenchError::output(&program, format!("it exited without printing {name}"))
            })
        };
        Ok(SimulatorProcess {
            url: value("BENCHLING_SIM_URL")?,
            client_id: value("BENCHLING_SIM_CLIENT_ID")?,
            client_secret: value("BENCHLING_SIM_CLIENT_SECRET")?,
            child,
        })
    }

    async fn stop(&mut self) {
        // The simulator keeps no state worth saving, so a plain kill is enough.
        if let Err(error) = self.child.kill().await {
            eprintln!("warning: failed to stop the simulator process: {error}");
        }
    }
}

async fn fetch_stats(url: &str) -> Result<serde_json::Value> {
    let stats_url = format!("{url}/_sim/stats");
    let fetch = async {
        let response = reqwest::Client::builder()
            .no_proxy()
            .build()?
            .get(&stats_url)
            .send()
            .await?
            .error_for_status()?;
        response.json::<serde_json::Value>().await
    };
    fetch
        .await
        .map_err(|error| BenchError::output(&stats_url, error.to_string()))
}

async fn run_client_process(
    options: &ScaleOptions,
    simulator: &SimulatorProcess,
) -> Result<ClientMeasurement> {
    let exe = std::env::current_exe()
        .map_err(|error| BenchError::Setup(format!("cannot find this program's path: {error}")))?;
    let args = vec![
        "scale-client".to_string(),
        "--url".to_string(),
        simulator.url.clone(),
        "--tasks".to_string(),
        options.tasks.to_string(),
        "--task-seconds".to_string(),
        options.task_seconds.to_string(),
        "--min-delay".to_string(),
        options.min_delay_seconds.to_string(),
        "--polls-in-flight".to_string(),
        options.polls_in_flight.to_string(),
    ];
    let program = shell_words(std::iter::once(display_path(&exe)).chain(args.iter().cloned()));
    let child = tokio::process::Command::new(&exe)
        .args(&args)
        .env(CLIENT_ID_VARIABLE, &simulator.client_id)
        .env(CLIENT_SECRET_VARIABLE, &simulator.client_secret)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|source| BenchError::Spawn {
            program: program.clone(),
            source,
        })?;

    let timeout = Duration::from_secs_f64(options.task_seconds * 4.0 + 300.0);
    let output = tokio::time::timeout(timeout, child.wait_with_output())
        .await
        .map_err(|_| BenchError::ChildFailed {
            program: program.clone(),
            status: format!("killed after the timeout of {} s", timeout.as_secs()),
            stderr: String::new(),
        })?
        .map_err(|source| BenchError::Spawn {
            program: program.clone(),
            source,
        })?;
    let stderr = tail(&String::from_utf8_lossy(&output.stderr), 20);
    if !output.status.success() {
        return Err(BenchError::ChildFailed {
            program,
            status: output.status.to_string(),
            stderr,
        });
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout
        .lines()
        .rev()
        .find(|line| !line.trim().is_empty())
        .ok_or_else(|| BenchError::output(&program, format!("no output; stderr:\n{stderr}")))?;
    serde_json::from_str(line).map_err(|error| BenchError::output(&program, error.to_string()))
}

fn create_request(index: usize) -> DnaSequencesBulkCreateRequest {
    DnaSequencesBulkCreateRequest {
        dna_sequences: Some(vec![DnaSequenceBulkCreate {
            name: format!("scale-{index}"),
            bases: "ACGT".to_string(),
            is_circular: false,
            ..Default::default()
        }]),
        ..Default::default()
    }
}

/// Runs the client side: the hidden `scale-client` subcommand, in its own process.
///
/// Reads the client credentials from `BENCHLING_SIM_CLIENT_ID` and
/// `BENCHLING_SIM_CLIENT_SECRET`, so they do not appear in the process list.
pub async fn run_client(url: &str, options: &ScaleOptions) -> Result<ClientMeasurement> {
    let credential = |name: &str| {
        std::env::var(name).map_err(|_| {
            BenchError::Setup(format!(
                "missing {name}: set it to the simulator's OAuth2 client credential"
            ))
        })
    };
    let client = Benchling::builder()
        .tenant_url(url)
        .client_credentials(
            credential(CLIENT_ID_VARIABLE)?,
            credential(CLIENT_SECRET_VARIABLE)?,
        )
        .build()
        .map_err(BenchError::sdk("building the client"))?;

    // The warm-up fetches the token, opens a connection and teaches the governor
    // the simulator's window, so that none of it counts against the tasks.
    let warmup = client
        .dna_sequences()
        .bulk_create(&create_request(usize::MAX))
        .await
        .map_err(BenchError::sdk("creating the warm-up task"))?;
    warmup
        .poll()
        .await
        .map_err(BenchError::sdk("polling the warm-up task"))?;

    let baseline = procfs::memory()
        .ok_or_else(|| BenchError::Setup("cannot read /proc/self/status".to_string()))?;
    let baseline_heap = alloc::live_bytes();
    alloc::reset_peak();

    let create_started = Instant::now();
    let tasks: Vec<_> = futures::stream::iter(0..options.tasks)
        .map(|index| {
            let client = client.clone();
            async move {
                client
                    .dna_sequences()
                    .bulk_create(&create_request(index))
                    .await
            }
        })
        .buffer_unordered(CREATES_IN_FLIGHT)
        .try_collect()
        .await
        .map_err(BenchError::sdk("creating the tasks"))?;
    let create_seconds = create_started.elapsed().as_secs_f64();
    let created_heap = alloc::live_bytes();
    eprintln!(
        "scale client: created {} tasks in {create_seconds:.1} s; waiting",
        tasks.len()
    );

    // No task ends before `create_started + task_seconds`, so at a snapshot half a
    // second earlier every task is waiting and no response is decoded yet.
    let snapshot_at =
        create_started + Duration::from_secs_f64((options.task_seconds - 0.5).max(0.0));
    let snapshot = tokio::spawn(async move {
        tokio::time::sleep_until(snapshot_at.into()).await;
        let memory = procfs::memory();
        (
            create_started.elapsed().as_secs_f64(),
            memory.map_or(0, |memory| memory.high_water_mark),
            alloc::peak_bytes(),
            alloc::live_bytes(),
        )
    });

    let cpu_before = procfs::cpu_time().unwrap_or_default();
    let wait_started = Instant::now();
    let wait_options = WaitAllOptions::new(WaitOptions::new().policy(options.policy()))
        .max_polls_in_flight(options.polls_in_flight);
    let outcomes = wait_all(&tasks, &wait_options).await;
    let wait_seconds = wait_started.elapsed().as_secs_f64();
    let cpu_after = procfs::cpu_time().unwrap_or_default();

    let (snapshot_seconds, waiting_peak_rss, waiting_peak_heap, snapshot_live_heap) = snapshot
        .await
        .map_err(|error| BenchError::Setup(format!("the memory snapshot task failed: {error}")))?;
    let end = procfs::memory().unwrap_or(baseline);

    let succeeded = outcomes
        .iter()
        .filter(|outcome| matches!(outcome, Ok(completion) if completion.success))
        .count();
    if let Some(Err(error)) = outcomes.iter().find(|outcome| outcome.is_err()) {
        eprintln!("scale client: a wait failed, for example: {error}");
    }

    Ok(ClientMeasurement {
        tasks: tasks.len(),
        succeeded,
        warmup_tasks: 1,
        warmup_polls: 1,
        baseline_rss: baseline.rss,
        baseline_heap: baseline_heap as i64,
        created_heap: created_heap as i64,
        snapshot_seconds,
        waiting_peak_rss,
        waiting_peak_heap: waiting_peak_heap as i64,
        snapshot_live_heap: snapshot_live_heap as i64,
        final_peak_rss: end.high_water_mark,
        final_peak_heap: alloc::peak_bytes() as i64,
        create_seconds,
        wait_seconds,
        wait_cpu_seconds: cpu_after.saturating_sub(cpu_before).as_secs_f64(),
    })
}

impl ScaleReport {
    /// Renders the results as Markdown.
    pub fn to_markdown(&self) -> String {
        let client = &self.client;
        let mib = |bytes: u64| bytes as f64 / (1024.0 * 1024.0);
        let mut text = format!(
            "### Scale: {} tasks of {} s awaited at once in one client process\n\n\
             Policy: {}. Simulator out of process, app mode with {} requests per 30 s. \
             The waiting snapshot is taken half a second before the first task can end.\n\n",
            self.options.tasks, self.options.task_seconds, self.policy, RATE_LIMIT
        );

        let mut table = Table::new(["figure", "value"]);
        let mut row = |name: &str, value: String| table.row([name.to_string(), value]);
        row(
            "tasks succeeded",
            format!("{}/{}", client.succeeded, client.tasks),
        );
        if let Some(timeline) = &self.timeline {
            row(
                "simulator: last create / last first poll / first end",
                format!(
                    "{:.2} s / {:.2} s / {:.2} s after the first create",
                    timeline.last_created, timeline.last_first_poll, timeline.first_end
                ),
            );
        }
        row(
            "waiting snapshot",
            format!(
                "{:.2} s after the creates started; all tasks waiting: {}",
                client.snapshot_seconds,
                if self.all_waiting_at_snapshot {
                    "yes"
                } else {
                    "NO"
                }
            ),
        );
        row("create phase", format!("{:.2} s", client.create_seconds));
        row("wait phase", format!("{:.1} s", client.wait_seconds));
        row(
            "baseline RSS (after warm-up)",
            format!("{:.1} MiB", mib(client.baseline_rss)),
        );
        row(
            "peak RSS up to the snapshot (VmHWM)",
            format!("{:.1} MiB", mib(client.waiting_peak_rss)),
        );
        row(
            "peak RSS per waiting task",
            format!("{:.0} bytes", self.waiting_rss_bytes_per_task),
        );
        row(
            "peak live heap per waiting task",
            format!("{:.0} bytes", self.waiting_heap_bytes_per_task),
        );
        row(
            "of which task helpers (live heap after the creates)",
            format!("{:.0} bytes", self.helper_heap_bytes_per_task),
        );
        row(
            "live heap per task at the snapshot (between polls)",
            format!("{:.0} bytes", self.snapshot_heap_bytes_per_task),
        );
        row(
            "whole run, decoded responses included: RSS / heap per task",
            format!(
                "{:.0} / {:.0} bytes",
                self.final_rss_bytes_per_task, self.final_heap_bytes_per_task
            ),
        );
        row("polls during the waits", self.polls.to_string());
        row(
            "polls per task",
            format!("{:.1}", self.polls as f64 / client.tasks.max(1) as f64),
        );
        row(
            "client CPU during the waits (user + system)",
            format!("{:.2} s", client.wait_cpu_seconds),
        );
        row(
            "client CPU per poll",
            format!("{:.1} µs", self.cpu_microseconds_per_poll),
        );
        if let Some(sizes) = &self.sizes {
            row(
                "sizes: TaskHelper / wait future / one poll request future",
                format!(
                    "{} / {} / {} bytes",
                    sizes.task_helper, sizes.wait_future, sizes.poll_request_future
                ),
            );
        }
        text.push_str(&table.render());
        text.push_str(&format!(
            "\nCommand: `{}`\n\nSimulator: `{}`\n",
            self.command, self.simulator_command
        ));
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn stats() -> serde_json::Value {
        json!({"tasks": [
            {"created": 0.0, "firstPoll": 0.1, "completed": 5.0},
            {"created": 1.0, "firstPoll": 1.5, "completed": 31.0},
            {"created": 1.2, "firstPoll": 2.0, "completed": 31.2}
        ]})
    }

    #[test]
    fn timeline_skips_warmup_tasks() {
        let timeline = BatchTimeline::from_stats(&stats(), 1).unwrap();
        assert!((timeline.last_created - 0.2).abs() < 1e-9);
        assert!((timeline.last_first_poll - 1.0).abs() < 1e-9);
        assert!((timeline.first_end - 30.0).abs() < 1e-9);
    }

    #[test]
    fn waiting_needs_every_first_poll_and_no_end() {
        let timeline = BatchTimeline::from_stats(&stats(), 1).unwrap();
        assert!(timeline.all_waiting_at(29.5));
        assert!(!timeline.all_waiting_at(0.5));
        assert!(!timeline.all_waiting_at(30.5));
    }

    #[test]
    fn timeline_needs_every_first_poll() {
        let never_polled =
            json!({"tasks": [{"created": 0.0, "firstPoll": null, "completed": 10.0}]});
        assert!(BatchTimeline::from_stats(&never_polled, 0).is_none());
    }
}
