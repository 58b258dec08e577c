//! Starting and stopping a simulator: the builder and the running handle.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tracing::info;

use crate::config::{LatencyModel, RateLimit, SimConfig, TaskErrorsShape};
use crate::error::StartError;
use crate::faults::{FaultRule, FaultTrigger};
use crate::server::{serve, SimState};
use crate::stats::Stats;

/// A running simulator. It stops when dropped or after [`Simulator::shutdown`].
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let simulator = benchling_sim::Simulator::builder().time_scale(60.0).start().await?;
/// assert!(simulator.base_url().starts_with("http://127.0.0.1:"));
/// assert_eq!(simulator.stats().total_requests, 0);
/// simulator.shutdown().await;
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct Simulator {
    state: Arc<SimState>,
    address: SocketAddr,
    shutdown: watch::Sender<bool>,
    server: Option<JoinHandle<()>>,
    /// The runtime started by [`SimulatorBuilder::start_blocking`], if any.
    runtime: Option<tokio::runtime::Runtime>,
}

impl Simulator {
    /// Returns a builder with Benchling's documented defaults.
    pub fn builder() -> SimulatorBuilder {
        SimulatorBuilder::default()
    }

    /// Returns the tenant URL to give a client, such as `http://127.0.0.1:43117`; the API is under `/api/v2`.
    pub fn base_url(&self) -> &str {
        &self.state.base_url
    }

    /// Returns the address the simulator listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Returns the API key accepted with HTTP Basic auth.
    pub fn api_key(&self) -> &str {
        &self.state.config.api_key
    }

    /// Returns the OAuth2 client id accepted by `POST /api/v2/token`.
    pub fn client_id(&self) -> &str {
        &self.state.config.client_id
    }

    /// Returns the OAuth2 client secret accepted by `POST /api/v2/token`.
    pub fn client_secret(&self) -> &str {
        &self.state.config.client_secret
    }

    /// Returns the configuration the simulator runs with.
    pub fn config(&self) -> &SimConfig {
        &self.state.config
    }

    /// Returns a snapshot of the request counters and task timelines.
    pub fn stats(&self) -> Stats {
        self.state.stats()
    }

    /// Forgets every task, token, count and rate window, as `POST /_sim/reset` does.
    pub fn reset(&self) {
        self.state.reset();
    }

    /// Moves the simulated clock forward without waiting, for example past a task's
    /// end or its 30-minute retention.
    pub fn advance_time(&self, by: Duration) {
        self.state.clock.advance(by);
    }

    /// Returns the number of task-creating endpoints served.
    pub fn endpoint_count(&self) -> usize {
        self.state.endpoint_count()
    }

    /// Stops accepting connections, closes the open ones and waits for the server to end.
    pub async fn shutdown(mut self) {
        self.shutdown.send_replace(true);
        if let Some(server) = self.server.take() {
            // A JoinError means the server task panicked or was cancelled; either way it has stopped.
            let _ = server.await;
        }
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        self.shutdown.send_replace(true);
        if let Some(runtime) = self.runtime.take() {
            // Unlike a plain drop, this does not panic inside an async context.
            runtime.shutdown_background();
        }
    }
}

/// Configures and starts a [`Simulator`].
#[derive(Debug, Clone)]
pub struct SimulatorBuilder {
    config: SimConfig,
    address: SocketAddr,
}

impl Default for SimulatorBuilder {
    fn default() -> Self {
        Self {
            config: SimConfig::default(),
            address: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        }
    }
}

impl SimulatorBuilder {
    /// Replaces the whole configuration.
    pub fn config(mut self, config: SimConfig) -> Self {
        self.config = config;
        self
    }

    /// Sets the loopback address to listen on. Default: `127.0.0.1:0` (a free port).
    pub fn address(mut self, address: SocketAddr) -> Self {
        self.address = address;
        self
    }

    /// Sets the API key accepted with HTTP Basic auth.
    pub fn api_key(mut self, api_key: impl Into<String>) -> Self {
        self.config.api_key = api_key.into();
        self
    }

    /// Sets the OAuth2 client credentials accepted by `POST /api/v2/token`.
    pub fn client_credentials(
        mut self,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        self.config.client_id = client_id.into();
        self.config.client_secret = client_secret.into();
        self
    }

    /// Adds a bearer token that is accepted without expiry.
    pub fn bearer_token(mut self, token: impl Into<String>) -> Self {
        self.config.static_bearer_tokens.push(token.into());
        self
    }

    /// Sets the lifetime of issued access tokens (simulated time). Default: 1 hour.
    pub fn token_lifetime(mut self, lifetime: Duration) -> Self {
        self.config.token_lifetime = lifetime;
        self
    }

    /// Sets how much faster than real time the clock runs: 60.0 makes a simulated
    /// minute last one real second. Default: 1.0.
    pub fn time_scale(mut self, scale: f64) -> Self {
        self.config.time_scale = scale;
        self
    }

    /// Sets the tenant-wide rate window. Default: [`RateLimit::personal`].
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.config.rate_limit = Some(limit);
        self
    }

    /// Turns rate limiting off: no 429 from the window and no rate-limit headers.
    pub fn without_rate_limit(mut self) -> Self {
        self.config.rate_limit = None;
        self
    }

    /// Sets the task latency of every operation without its own model.
    pub fn latency(mut self, latency: LatencyModel) -> Self {
        self.config.latency = latency;
        self
    }

    /// Sets the task latency of one operation, by operation id (such as `bulkCreateDNASequences`).
    pub fn operation_latency(
        mut self,
        operation_id: impl Into<String>,
        latency: LatencyModel,
    ) -> Self {
        self.config
            .operation_latency
            .insert(operation_id.into(), latency);
        self
    }

    /// Sets how long ended tasks stay readable (simulated time). Default: 30 minutes.
    pub fn task_retention(mut self, retention: Duration) -> Self {
        self.config.task_retention = retention;
        self
    }

    /// Sets the seed of ids, latency jitter and fault rates. Default: 0.
    pub fn seed(mut self, seed: u64) -> Self {
        self.config.seed = seed;
        self
    }

    /// Adds an injected fault; rules are checked in the order they were added.
    pub fn fault(mut self, rule: FaultRule) -> Self {
        self.config.faults.push(rule);
        self
    }

    /// Makes every task of an operation fail with `message`.
    pub fn fail_operation(
        mut self,
        operation_id: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        self.config
            .failing_operations
            .insert(operation_id.into(), message.into());
        self
    }

    /// Sets the form of failed tasks' per-item `errors`. Default: [`TaskErrorsShape::List`].
    pub fn task_errors_shape(mut self, shape: TaskErrorsShape) -> Self {
        self.config.task_errors = shape;
        self
    }

    /// Sets the largest accepted request body, in bytes. Default: 16 MiB.
    pub fn max_body_bytes(mut self, limit: usize) -> Self {
        self.config.max_body_bytes = limit;
        self
    }

    /// Starts the simulator on a runtime of its own, for synchronous callers such as
    /// tests of a blocking client. The runtime stops with the simulator. Call it outside
    /// async code (Tokio does not allow starting a runtime within one); use
    /// [`SimulatorBuilder::start`] there.
    ///
    /// ```
    /// let simulator = benchling_sim::Simulator::builder().start_blocking()?;
    /// assert!(simulator.base_url().starts_with("http://127.0.0.1:"));
    /// # Ok::<(), benchling_sim::StartError>(())
    /// ```
    pub fn start_blocking(self) -> Result<Simulator, StartError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("benchling-sim")
            .enable_all()
            .build()
            .map_err(StartError::Runtime)?;
        let mut simulator = runtime.block_on(self.start())?;
        simulator.runtime = Some(runtime);
        Ok(simulator)
    }

    /// Checks the configuration, binds the address and starts serving on the current Tokio runtime.
    pub async fn start(self) -> Result<Simulator, StartError> {
        validate(&self.config, self.address)?;

        let listener =
            TcpListener::bind(self.address)
                .await
                .map_err(|source| StartError::Bind {
                    address: self.address,
                    source,
                })?;
        let address = listener.local_addr().map_err(|source| StartError::Bind {
            address: self.address,
            source,
        })?;
        let base_url = format!("http://{address}");

        let state = Arc::new(SimState::new(self.config, base_url));
        let (shutdown, shutdown_receiver) = watch::channel(false);
        let server = tokio::spawn(serve(listener, Arc::clone(&state), shutdown_receiver));
        info!(
            address = %state.base_url,
            time_scale = state.config.time_scale,
            endpoints = state.endpoint_count(),
            "simulator started"
        );

        Ok(Simulator {
            state,
            address,
            shutdown,
            server: Some(server),
            runtime: None,
        })
    }
}

fn validate(config: &SimConfig, address: SocketAddr) -> Result<(), StartError> {
    let invalid = |name, value: String, reason| {
        Err(StartError::InvalidConfig {
            name,
            value,
            reason,
        })
    };

    if !address.ip().is_loopback() {
        return invalid(
            "address",
            address.to_string(),
            "must be a loopback address such as 127.0.0.1",
        );
    }
    if !(config.time_scale.is_finite() && config.time_scale > 0.0) {
        return invalid(
            "time_scale",
            config.time_scale.to_string(),
            "must be a positive number",
        );
    }
    if config.api_key.is_empty() {
        return invalid("api_key", "\"\"".to_owned(), "must not be empty");
    }
    if config.client_id.is_empty() || config.client_secret.is_empty() {
        return invalid(
            "client_credentials",
            "\"\"".to_owned(),
            "client id and secret must not be empty",
        );
    }
    if config.token_lifetime.is_zero() {
        return invalid(
            "token_lifetime",
            "0s".to_owned(),
            "must be longer than zero",
        );
    }
    if let Some(limit) = config.rate_limit {
        if limit.requests == 0 || limit.window.is_zero() {
            return invalid(
                "rate_limit",
                format!("{} per {:?}", limit.requests, limit.window),
                "must allow at least one request per window longer than zero",
            );
        }
    }
    for latency in std::iter::once(&config.latency).chain(config.operation_latency.values()) {
        if !(0.0..=1.0).contains(&latency.jitter) {
            return invalid(
                "latency.jitter",
                latency.jitter.to_string(),
                "must be between 0.0 and 1.0",
            );
        }
    }
    for rule in &config.faults {
        match rule.trigger {
            FaultTrigger::Probability(probability) if !(0.0..=1.0).contains(&probability) => {
                return invalid(
                    "fault.probability",
                    probability.to_string(),
                    "must be between 0.0 and 1.0",
                )
            }
            FaultTrigger::Every(0) => {
                return invalid("fault.every", "0".to_owned(), "must be at least 1")
            }
            _ => {}
        }
    }
    if config.max_body_bytes == 0 {
        return invalid("max_body_bytes", "0".to_owned(), "must be at least 1");
    }
    Ok(())
}
