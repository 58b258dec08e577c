//! Simulator settings. Every duration is in simulated time (see [`SimConfig::time_scale`]).

use std::collections::HashMap;
use std::time::Duration;

use rand::Rng;

use crate::faults::FaultRule;

/// The settings a simulator starts with. [`SimConfig::default`] has Benchling's
/// documented limits, and [`SimulatorBuilder`](crate::SimulatorBuilder) changes single settings.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SimConfig {
    /// API key accepted as the user name of HTTP Basic auth (with an empty password).
    pub api_key: String,
    /// OAuth2 client id accepted by `POST /api/v2/token`.
    pub client_id: String,
    /// OAuth2 client secret accepted by `POST /api/v2/token`.
    pub client_secret: String,
    /// Bearer tokens accepted without expiry, in addition to the tokens the simulator issues.
    pub static_bearer_tokens: Vec<String>,
    /// Lifetime of issued access tokens. Default: 1 hour.
    pub token_lifetime: Duration,
    /// How much faster than real time the simulator's clock runs. Default: 1.0.
    pub time_scale: f64,
    /// The tenant-wide rate window, or `None` to turn rate limiting off.
    /// Default: [`RateLimit::personal`], 60 requests per 30 seconds.
    pub rate_limit: Option<RateLimit>,
    /// How long tasks run, for operations without an entry in `operation_latency`.
    pub latency: LatencyModel,
    /// Task latency per operation id (for example `bulkCreateDNASequences`).
    pub operation_latency: HashMap<String, LatencyModel>,
    /// How long a task's result stays readable after the task ended. Default: 30 minutes.
    pub task_retention: Duration,
    /// Seed of the random numbers behind ids, latency jitter and fault rates.
    pub seed: u64,
    /// Injected faults, checked in order; the first rule that fires wins.
    pub faults: Vec<FaultRule>,
    /// Operations whose tasks always fail, with the failure message, by operation id.
    pub failing_operations: HashMap<String, String>,
    /// The form of a failed bulk task's per-item `errors`. Default: a list.
    pub task_errors: TaskErrorsShape,
    /// Largest request body accepted, in bytes; larger bodies get 413. Default: 16 MiB.
    pub max_body_bytes: usize,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            api_key: "sim_api_key".to_owned(),
            client_id: "sim_client_id".to_owned(),
            client_secret: "sim_client_secret".to_owned(),
            static_bearer_tokens: Vec::new(),
            token_lifetime: Duration::from_secs(3600),
            time_scale: 1.0,
            rate_limit: Some(RateLimit::personal()),
            latency: LatencyModel::default(),
            operation_latency: HashMap::new(),
            task_retention: Duration::from_secs(30 * 60),
            seed: 0,
            faults: Vec::new(),
            failing_operations: HashMap::new(),
            task_errors: TaskErrorsShape::List,
            max_body_bytes: 16 * 1024 * 1024,
        }
    }
}

impl SimConfig {
    /// Returns the latency model of an operation.
    pub fn latency_for(&self, operation_id: &str) -> LatencyModel {
        self.operation_latency
            .get(operation_id)
            .copied()
            .unwrap_or(self.latency)
    }
}

/// The form of the `errors` member of a failed task. Benchling documents both a list
/// and a single object, so clients must accept either.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum TaskErrorsShape {
    /// `"errors": [{"index": 0, "message": "..."}, ...]`.
    #[default]
    List,
    /// `"errors": {"index": 0, "message": "..."}`, the first error only.
    Object,
    /// No `errors` member, only `message`.
    Absent,
}

impl std::str::FromStr for TaskErrorsShape {
    type Err = String;

    /// Parses `list`, `object` or `none`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "list" => Ok(Self::List),
            "object" => Ok(Self::Object),
            "none" => Ok(Self::Absent),
            other => Err(format!(
                "invalid task errors shape `{other}`: use list, object or none"
            )),
        }
    }
}

/// A fixed rate window shared by every credential of the tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests allowed per window, counting refused ones.
    pub requests: u32,
    /// Length of one window.
    pub window: Duration,
}

impl RateLimit {
    /// Benchling's limit for personal API keys: 60 requests per 30 seconds for the tenant.
    pub fn personal() -> Self {
        Self {
            requests: 60,
            window: Duration::from_secs(30),
        }
    }

    /// Benchling's limit for one Benchling App: 300 requests per 30 seconds.
    pub fn app() -> Self {
        Self {
            requests: 300,
            window: Duration::from_secs(30),
        }
    }
}

/// How long a task runs: `base + per_item * items`, then varied by up to `jitter`
/// (a fraction: 0.1 means ±10%) with the simulator's seeded random numbers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LatencyModel {
    /// Duration of a task with no items.
    pub base: Duration,
    /// Duration added per item of a bulk request.
    pub per_item: Duration,
    /// Largest relative deviation, between 0.0 and 1.0.
    pub jitter: f64,
}

impl Default for LatencyModel {
    /// 2 seconds plus 10 milliseconds per item, ±10%.
    fn default() -> Self {
        Self {
            base: Duration::from_secs(2),
            per_item: Duration::from_millis(10),
            jitter: 0.1,
        }
    }
}

impl LatencyModel {
    /// Creates a model without per-item cost or jitter.
    pub fn fixed(duration: Duration) -> Self {
        Self {
            base: duration,
            per_item: Duration::ZERO,
            jitter: 0.0,
        }
    }

    /// Draws the duration of a task with `items` items.
    pub(crate) fn sample(&self, items: usize, rng: &mut impl Rng) -> Duration {
        let items = u32::try_from(items).unwrap_or(u32::MAX);
        let nominal = self.base + self.per_item.saturating_mul(items);
        if self.jitter <= 0.0 {
            return nominal;
        }
        let factor = 1.0 + rng.random_range(-self.jitter..=self.jitter);
        nominal.mul_f64(factor.max(0.0))
    }
}
