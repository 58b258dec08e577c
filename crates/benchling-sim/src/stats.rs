//! Server statistics for tests and benchmarks: request counts and task timelines.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use serde::{Serialize, Serializer};

/// A snapshot of the simulator's counters. Instants are simulated time since the
/// simulator started. Dividing by `time_scale` gives real time, unless
/// [`Simulator::advance_time`](crate::Simulator::advance_time) moved the clock.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Stats {
    /// The clock's speed-up over real time.
    pub time_scale: f64,
    /// Simulated time of the snapshot.
    #[serde(serialize_with = "seconds")]
    pub now: Duration,
    /// Every request except those to the simulator's own `/_sim/` routes, whatever its response.
    pub total_requests: u64,
    /// Requests refused because the rate window was full.
    pub rate_limited: u64,
    /// Responses with status 429, from the full window or injected.
    pub too_many_requests: u64,
    /// Requests that got an injected fault.
    pub faults_injected: u64,
    /// Connections closed without a response by an injected fault.
    pub dropped_connections: u64,
    /// Responses per route and status. Routes are written as `METHOD /api/v2/template`,
    /// or `unmatched` for paths the simulator does not serve.
    pub routes: BTreeMap<String, BTreeMap<u16, u64>>,
    /// Every task created since the start or the last reset, in creation order.
    pub tasks: Vec<TaskStats>,
}

impl Stats {
    /// Returns how many responses a route got with a status.
    pub fn count(&self, route: &str, status: u16) -> u64 {
        self.routes
            .get(route)
            .and_then(|statuses| statuses.get(&status))
            .copied()
            .unwrap_or(0)
    }

    /// Returns the task with this id.
    pub fn task(&self, id: &str) -> Option<&TaskStats> {
        self.tasks.iter().find(|task| task.id == id)
    }
}

/// The timeline of one task, in simulated time since the simulator started.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TaskStats {
    /// The task id (a UUID).
    pub id: String,
    /// Operation that created the task, for example `bulkCreateDNASequences`.
    pub operation_id: String,
    /// Items in the request that created the task (0 for requests without a list).
    pub items: usize,
    /// `SUCCEEDED` or `FAILED`: how the task ends or ended.
    pub outcome: &'static str,
    /// When the task was created.
    #[serde(serialize_with = "seconds")]
    pub created: Duration,
    /// How long the task runs.
    #[serde(serialize_with = "seconds")]
    pub duration: Duration,
    /// When the task ends (`created + duration`).
    #[serde(serialize_with = "seconds")]
    pub completed: Duration,
    /// When the task was first polled.
    #[serde(serialize_with = "optional_seconds")]
    pub first_poll: Option<Duration>,
    /// When a poll first returned the ended task: the instant the client saw the end.
    #[serde(serialize_with = "optional_seconds")]
    pub first_seen_completed: Option<Duration>,
    /// Polls of this task, including those after it ended.
    pub polls: u64,
}

fn seconds<S: Serializer>(duration: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_f64(duration.as_secs_f64())
}

fn optional_seconds<S: Serializer>(
    duration: &Option<Duration>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match duration {
        Some(duration) => serializer.serialize_f64(duration.as_secs_f64()),
        None => serializer.serialize_none(),
    }
}

/// Request counters, updated by every response.
#[derive(Debug, Default)]
pub(crate) struct RequestCounters {
    inner: Mutex<Counters>,
}

#[derive(Debug, Default, Clone)]
struct Counters {
    total: u64,
    rate_limited: u64,
    too_many_requests: u64,
    faults_injected: u64,
    dropped_connections: u64,
    routes: BTreeMap<String, BTreeMap<u16, u64>>,
}

/// The simulator's handling of one request, for the counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Disposition {
    Handled,
    RateLimited,
    Injected,
}

impl RequestCounters {
    /// Records one response. A `status` of 0 means the connection was dropped without one.
    pub(crate) fn record(&self, route: &str, status: u16, disposition: Disposition) {
        let mut counters = self
            .inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        counters.total += 1;
        match disposition {
            Disposition::Handled => {}
            Disposition::RateLimited => counters.rate_limited += 1,
            Disposition::Injected => counters.faults_injected += 1,
        }
        if status == 429 {
            counters.too_many_requests += 1;
        }
        if status == 0 {
            counters.dropped_connections += 1;
        }
        *counters
            .routes
            .entry(route.to_owned())
            .or_default()
            .entry(status)
            .or_default() += 1;
    }

    /// Fills the request counters of a snapshot.
    pub(crate) fn fill(&self, stats: &mut Stats) {
        let counters = self
            .inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone();
        stats.total_requests = counters.total;
        stats.rate_limited = counters.rate_limited;
        stats.too_many_requests = counters.too_many_requests;
        stats.faults_injected = counters.faults_injected;
        stats.dropped_connections = counters.dropped_connections;
        stats.routes = counters.routes;
    }

    pub(crate) fn reset(&self) {
        *self
            .inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Counters::default();
    }
}
