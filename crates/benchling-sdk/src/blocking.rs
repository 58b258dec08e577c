//! A synchronous facade over the async client, for scripts (feature `blocking`).
//!
//! Each blocking client owns a small tokio runtime and runs every call on it.
//! Do not call it from async code: inside a tokio runtime every method returns
//! [`Error::BlockingInAsync`] instead of blocking the runtime's thread.
//!
//! ```no_run
//! use benchling_sdk::blocking::Benchling;
//! use benchling_sdk::EmptyTaskResponse;
//!
//! let client = Benchling::builder()
//!     .tenant_url("https://example.benchling.com")
//!     .api_key("sk_example")
//!     .build()?;
//! let task = client.task::<EmptyTaskResponse>("5e5fd9ab-0000-4c39-8e44-7e2d6c6b1a90")?;
//! let completion = task.wait_for_completion()?;
//! println!("succeeded: {}", completion.success);
//! # Ok::<(), benchling_sdk::Error>(())
//! ```

use std::future::Future;
use std::sync::Arc;

use tokio::runtime::Runtime;

use crate::error::{Error, Result};
use crate::tasks::{AsyncTask, SavedTask, TaskCompletion, TaskResponse, WaitOptions};

/// A blocking Benchling client.
#[derive(Debug, Clone)]
pub struct Benchling {
    inner: crate::Benchling,
    runtime: Arc<OwnedRuntime>,
}

/// Builder of a blocking client; takes the same settings as the async builder.
#[derive(Debug, Default)]
pub struct BenchlingBuilder {
    inner: crate::BenchlingBuilder,
}

impl Benchling {
    /// Starts a builder.
    pub fn builder() -> BenchlingBuilder {
        BenchlingBuilder::default()
    }

    /// Wraps an async client.
    pub fn from_async(inner: crate::Benchling) -> Result<Self> {
        Ok(Benchling {
            inner,
            runtime: Arc::new(new_runtime()?),
        })
    }

    /// Returns the async client.
    pub fn inner(&self) -> &crate::Benchling {
        &self.inner
    }

    /// Runs a future on this client's runtime.
    ///
    /// Returns [`Error::BlockingInAsync`] when called from inside a tokio runtime.
    pub fn block_on<F: Future>(&self, future: F) -> Result<F::Output> {
        self.runtime.block_on(future)
    }

    /// Wraps an async task helper.
    pub fn wrap<T: TaskResponse>(&self, helper: crate::TaskHelper<T>) -> TaskHelper<T> {
        TaskHelper {
            inner: helper,
            runtime: self.runtime.clone(),
        }
    }

    /// Rebuilds a task helper from a saved task id.
    pub fn task<T: TaskResponse>(&self, task_id: &str) -> Result<TaskHelper<T>> {
        Ok(self.wrap(crate::TaskHelper::from_task_id(&self.inner, task_id)?))
    }

    /// Fetches one snapshot of a task.
    pub fn get_task(&self, task_id: &str) -> Result<AsyncTask> {
        self.block_on(self.inner.tasks().get(task_id))?
    }

    /// Waits for a task to end and returns its last snapshot.
    pub fn wait_task(&self, task_id: &str, options: WaitOptions) -> Result<AsyncTask> {
        self.block_on(self.inner.tasks().wait(task_id, options))?
    }
}

impl BenchlingBuilder {
    /// Changes the async builder's settings, for example
    /// `.configure(|b| b.tenant_url(url).api_key(key))`.
    pub fn configure(
        mut self,
        change: impl FnOnce(crate::BenchlingBuilder) -> crate::BenchlingBuilder,
    ) -> Self {
        self.inner = change(self.inner);
        self
    }

    /// Sets the tenant URL.
    pub fn tenant_url(self, url: impl Into<String>) -> Self {
        self.configure(|builder| builder.tenant_url(url))
    }

    /// Authenticates with a personal API key.
    pub fn api_key(self, key: impl Into<String>) -> Self {
        self.configure(|builder| builder.api_key(key))
    }

    /// Authenticates as a Benchling App with OAuth2 client credentials.
    pub fn client_credentials(
        self,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        self.configure(|builder| builder.client_credentials(client_id, client_secret))
    }

    /// Sets the retry strategy.
    pub fn retry(self, retry: crate::RetryStrategy) -> Self {
        self.configure(|builder| builder.retry(retry))
    }

    /// Validates the settings and builds the client with its own runtime.
    pub fn build(self) -> Result<Benchling> {
        Benchling::from_async(self.inner.build()?)
    }
}

fn new_runtime() -> Result<OwnedRuntime> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| {
            Error::invalid(
                "runtime",
                error.to_string(),
                "the blocking client could not start its runtime",
            )
        })?;
    Ok(OwnedRuntime(Some(runtime)))
}

/// The blocking client's runtime; safe to drop anywhere, an async context included.
#[derive(Debug)]
struct OwnedRuntime(Option<Runtime>);

impl OwnedRuntime {
    fn block_on<F: Future>(&self, future: F) -> Result<F::Output> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(Error::BlockingInAsync);
        }
        match &self.0 {
            Some(runtime) => Ok(runtime.block_on(future)),
            None => Err(Error::BlockingInAsync),
        }
    }
}

impl Drop for OwnedRuntime {
    fn drop(&mut self) {
        // Dropping a runtime normally blocks, which tokio forbids inside another runtime.
        if let Some(runtime) = self.0.take() {
            if tokio::runtime::Handle::try_current().is_ok() {
                runtime.shutdown_background();
            }
        }
    }
}

/// A blocking [`crate::TaskHelper`].
#[derive(Debug, Clone)]
pub struct TaskHelper<T> {
    inner: crate::TaskHelper<T>,
    runtime: Arc<OwnedRuntime>,
}

impl<T: TaskResponse> TaskHelper<T> {
    fn block_on<F: Future>(&self, future: F) -> Result<F::Output> {
        self.runtime.block_on(future)
    }

    /// Returns the task id.
    pub fn task_id(&self) -> &str {
        self.inner.task_id()
    }

    /// Returns the async helper.
    pub fn inner(&self) -> &crate::TaskHelper<T> {
        &self.inner
    }

    /// Returns the helper's state for saving.
    pub fn saved(&self) -> SavedTask {
        self.inner.saved()
    }

    /// Fetches one snapshot of the task.
    pub fn poll(&self) -> Result<AsyncTask> {
        self.block_on(self.inner.poll())?
    }

    /// Waits with the Python SDK's defaults and returns the outcome.
    pub fn wait_for_completion(&self) -> Result<TaskCompletion<T>> {
        self.block_on(self.inner.wait_for_completion())?
    }

    /// Waits with the given options and returns the outcome.
    pub fn wait_for_completion_with(&self, options: WaitOptions) -> Result<TaskCompletion<T>> {
        self.block_on(self.inner.wait_for_completion_with(options))?
    }

    /// Waits with the Python SDK's defaults and returns the response.
    pub fn wait_for_response(&self) -> Result<T> {
        self.block_on(self.inner.wait_for_response())?
    }

    /// Waits with the given options and returns the response.
    pub fn wait_for_response_with(&self, options: WaitOptions) -> Result<T> {
        self.block_on(self.inner.wait_for_response_with(options))?
    }
}
