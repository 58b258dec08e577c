//! A Benchling-compatible API server on loopback, for tests, demos and benchmarks.
//!
//! The simulator serves what Benchling documents for its asynchronous tasks. The
//! task-creating endpoints of the v2 API respond 202 with a task id. Tasks run for a
//! configurable time, then succeed with a response built from the request or fail
//! per item. `GET /api/v2/tasks/{task_id}` reports them, and ended tasks expire
//! after 30 minutes. Around that it enforces API-key, OAuth2 and bearer-token
//! auth, the tenant-wide rate window with its headers and 429 body, and injects
//! faults on request. A time scale makes long scenarios run in seconds.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::Duration;
//! use benchling_sim::{LatencyModel, Simulator};
//!
//! let simulator = Simulator::builder()
//!     .time_scale(60.0)
//!     .latency(LatencyModel::fixed(Duration::from_secs(5)))
//!     .start()
//!     .await?;
//! println!("tenant URL {} with API key {}", simulator.base_url(), simulator.api_key());
//! # Ok(())
//! # }
//! ```
//!
//! The routes `GET /_sim/stats` and `POST /_sim/reset` (outside `/api/v2`, without
//! auth or rate limiting) expose [`Simulator::stats`] and [`Simulator::reset`] to
//! clients in other processes.

mod auth;
mod clock;
mod config;
mod endpoints;
mod error;
mod faults;
mod rate_limit;
mod server;
mod simulator;
mod stats;
mod tasks;

pub use config::{LatencyModel, RateLimit, SimConfig, TaskErrorsShape};
pub use endpoints::{operations, Operation};
pub use error::StartError;
pub use faults::{Fault, FaultRule, FaultScope, FaultTrigger, ParseFaultError};
pub use server::{FAIL_TASK_HEADER, TASK_ERRORS_HEADER};
pub use simulator::{Simulator, SimulatorBuilder};
pub use stats::{Stats, TaskStats};
