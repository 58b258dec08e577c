//! A Rust client for the Benchling API, built around its asynchronous tasks.
//!
//! Expensive Benchling operations (bulk-create of up to 1,000 sequences,
//! exports, alignments, registration, …) run as tasks: the endpoint returns
//! `202 {"taskId": …}` and the result is read later from
//! `GET /api/v2/tasks/{taskId}`. Every task-creating endpoint of this crate
//! returns a [`TaskHelper<T>`](tasks::TaskHelper), typed with its task's
//! response `T`, that waits for the task:
//!
//! ```
//! use benchling_sdk::models::{DnaSequenceBulkCreate, DnaSequencesBulkCreateRequest};
//! use benchling_sdk::Benchling;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let simulator = benchling_sim::Simulator::builder().time_scale(50.0).start().await?;
//! # let tenant_url = simulator.base_url().to_string();
//! # let api_key = simulator.api_key().to_string();
//! // `tenant_url` is your tenant, such as https://example.benchling.com.
//! let client = Benchling::builder()
//!     .tenant_url(tenant_url)
//!     .api_key(api_key)
//!     .build()?;
//!
//! let request = DnaSequencesBulkCreateRequest {
//!     dna_sequences: Some(vec![DnaSequenceBulkCreate {
//!         name: "pPCP1 fragment".into(),
//!         bases: "ATGCATGCAATT".into(),
//!         is_circular: false,
//!         folder_id: Some("lib_abc123".into()),
//!         ..Default::default()
//!     }]),
//!     ..Default::default()
//! };
//!
//! let task = client.dna_sequences().bulk_create(&request).await?;
//! let created = task.wait_for_response().await?;
//! let sequences = created.dna_sequences.unwrap_or_default();
//! assert_eq!(sequences[0].length, Some(12));
//! # Ok(())
//! # }
//! ```
//!
//! # What the crate does for you
//! - **Typed tasks**: [`tasks::TaskHelper::wait_for_completion`] and
//!   [`tasks::TaskHelper::wait_for_response`] keep the semantics of Benchling's
//!   Python SDK (a poll every second, at most 600 s), and [`tasks::WaitOptions`]
//!   takes other intervals or poll policies such as [`tasks::AdaptivePoll`].
//! - **Rate limits**: a client-wide [`governor`] paces requests from the
//!   tenant's `x-rate-limit-*` headers so that polling does not earn 429s,
//!   which would count against the tenant's shared window.
//! - **Retries**: [`retry::RetryStrategy`] retries 429, 502, 503 and 504 with
//!   exponential backoff and jitter, honouring `Retry-After`.
//! - **Auth**: API keys, OAuth2 client credentials with a shared token cache,
//!   or a bearer token; secrets never appear in `Debug` output, logs or errors.
//! - **Blocking use**: the `blocking` feature adds `benchling_sdk::blocking`, a synchronous
//!   facade for scripts.
//!
//! # Features
//! - `blocking`: the synchronous facade in `benchling_sdk::blocking`.
//!
//! # Logs
//! The crate logs through `tracing`: one `info` span per wait (with the task
//! id), one `debug` event per poll and per retry decision, transport details at
//! `trace`.

#![warn(missing_docs)]

pub mod auth;
#[cfg(feature = "blocking")]
pub mod blocking;
pub mod client;
pub mod error;
pub mod governor;
pub mod models;
pub mod retry;
pub mod services;
pub mod tasks;

pub use client::{Benchling, BenchlingBuilder};
pub use error::{ApiError, Error, Result, TaskFailure};
pub use governor::{GovernorConfig, RateLimit};
pub use retry::RetryStrategy;
pub use tasks::{
    AsyncTask, AsyncTaskErrors, AsyncTaskLink, AsyncTaskStatus, EmptyTaskResponse, TaskCompletion,
    TaskHelper, WaitOptions,
};
