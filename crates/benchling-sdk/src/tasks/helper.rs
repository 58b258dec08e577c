//! `TaskHelper<T>`: a task id typed with its task's response.

use std::fmt;
use std::marker::PhantomData;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures::Stream;
use serde::de::{DeserializeOwned, IgnoredAny};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use tokio::time::Instant;

use super::model::{AsyncTask, AsyncTaskErrors, AsyncTaskLink, AsyncTaskStatus};
use super::policy::WaitOptions;
use super::poller::TaskPoller;
use crate::error::{DecodeError, Error, Result, TaskFailure};
use crate::Benchling;

/// A type that a task's `response` decodes into.
///
/// Implemented by every generated `*AsyncTaskResponse` model, by
/// [`EmptyTaskResponse`] for tasks that return no data, and by
/// `serde_json::Value` for tasks whose response the API does not document.
pub trait TaskResponse: DeserializeOwned + Send + Sync + 'static {
    /// Returns the value for a `SUCCEEDED` task that sent no `response`,
    /// or `None` when such a task is an error for this type.
    fn when_absent() -> Option<Self> {
        None
    }
}

/// The response of a task that returns no data, decoded from `{}` or from an absent response.
///
/// Any fields the task does send are ignored.
///
/// ```
/// use benchling_sdk::{AsyncTask, EmptyTaskResponse, TaskCompletion};
///
/// let done: AsyncTask = serde_json::from_str(r#"{"status": "SUCCEEDED"}"#)?;
/// let completion = TaskCompletion::<EmptyTaskResponse>::from_task("task-1", &done)?;
/// assert_eq!(completion.response, Some(EmptyTaskResponse));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct EmptyTaskResponse;

impl<'de> Deserialize<'de> for EmptyTaskResponse {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        IgnoredAny::deserialize(deserializer)?;
        Ok(EmptyTaskResponse)
    }
}

impl Serialize for EmptyTaskResponse {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        serializer.serialize_map(Some(0))?.end()
    }
}

impl TaskResponse for EmptyTaskResponse {
    fn when_absent() -> Option<Self> {
        Some(EmptyTaskResponse)
    }
}

impl TaskResponse for serde_json::Value {
    fn when_absent() -> Option<Self> {
        Some(serde_json::Value::Null)
    }
}

/// The outcome of a task that ended, with its response decoded as `T`.
///
/// As in the Python SDK: `success` is true only for `SUCCEEDED`; `errors` and
/// `message` are set only for `FAILED`; `response` is set only for `SUCCEEDED`.
///
/// ```
/// use benchling_sdk::{AsyncTask, EmptyTaskResponse, TaskCompletion};
///
/// let failed: AsyncTask = serde_json::from_str(
///     r#"{"status": "FAILED", "message": "Invalid bases", "errors": [{"index": 0, "message": "Z is not a base"}]}"#,
/// )?;
/// let completion = TaskCompletion::<EmptyTaskResponse>::from_task("task-1", &failed)?;
/// assert!(!completion.success);
/// assert_eq!(completion.errors.as_ref().map(|errors| errors.len()), Some(1));
/// assert!(completion.response.is_none());
///
/// let error = completion.into_result().unwrap_err();
/// assert_eq!(error.as_task_failure().unwrap().message.as_deref(), Some("Invalid bases"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TaskCompletion<T> {
    /// Id of the task.
    pub task_id: String,
    /// True when the task `SUCCEEDED`.
    pub success: bool,
    /// The task's errors, set only when it `FAILED` (and it sent some).
    pub errors: Option<AsyncTaskErrors>,
    /// The task's message, set only when it `FAILED`.
    pub message: Option<String>,
    /// The decoded response, set only when the task `SUCCEEDED`.
    pub response: Option<T>,
}

impl<T> TaskCompletion<T> {
    /// Returns the response, or the task's failure as [`Error::TaskFailed`].
    pub fn into_result(self) -> Result<T> {
        match (self.success, self.response) {
            (true, Some(response)) => Ok(response),
            _ => Err(Error::TaskFailed(Box::new(TaskFailure {
                task_id: self.task_id,
                errors: self.errors.unwrap_or_default(),
                message: self.message,
            }))),
        }
    }
}

impl<T: TaskResponse> TaskCompletion<T> {
    /// Builds the completion of an ended task, decoding its response as `T`.
    ///
    /// Returns a decode error naming the task when the response does not match `T`,
    /// or when a `SUCCEEDED` task sent no response and `T` needs one.
    pub fn from_task(task_id: &str, task: &AsyncTask) -> Result<Self> {
        match task.status {
            AsyncTaskStatus::Succeeded => {
                let response = match &task.response {
                    Some(raw) => DecodeError::decode::<T>(raw.get().as_bytes(), || {
                        format!("response of task {task_id}")
                    })?,
                    None => T::when_absent().ok_or_else(|| missing_response::<T>(task_id))?,
                };
                Ok(TaskCompletion {
                    task_id: task_id.to_string(),
                    success: true,
                    errors: None,
                    message: None,
                    response: Some(response),
                })
            }
            _ => Ok(TaskCompletion {
                task_id: task_id.to_string(),
                success: false,
                errors: task.errors.clone(),
                message: task.message.clone(),
                response: None,
            }),
        }
    }
}

fn missing_response<T>(task_id: &str) -> Error {
    Error::Decode(Box::new(DecodeError {
        type_name: std::any::type_name::<T>(),
        context: format!("response of task {task_id}"),
        path: "response".to_string(),
        message: "the task SUCCEEDED without a response".to_string(),
        excerpt: String::new(),
    }))
}

/// A running or ended task whose response decodes as `T`.
///
/// Every task-creating endpoint returns one. It contains the task id, the link's
/// extra fields and a handle to the client, and polls
/// `GET /api/v2/tasks/{taskId}` through the client's retry strategy and rate
/// governor.
///
/// Dropping a wait future stops polling; the task itself keeps running on the
/// server, and its data stays readable for 30 minutes after it ends.
///
/// ```no_run
/// # async fn example() -> benchling_sdk::Result<()> {
/// use benchling_sdk::tasks::{EmptyTaskResponse, TaskHelper};
/// use benchling_sdk::Benchling;
///
/// let client = Benchling::builder()
///     .tenant_url("https://example.benchling.com")
///     .api_key("sk_...")
///     .build()?;
///
/// // Rebuild a helper from a task id saved earlier.
/// let task = TaskHelper::<EmptyTaskResponse>::from_task_id(&client, "5e5fd9ab-0000-4c39-8e44-7e2d6c6b1a90")?;
/// let completion = task.wait_for_completion().await?;
/// println!("succeeded: {}", completion.success);
/// # Ok(())
/// # }
/// ```
pub struct TaskHelper<T> {
    link: AsyncTaskLink,
    client: Benchling,
    created: Option<Instant>,
    created_at: SystemTime,
    deadline: Option<SystemTime>,
    response_type: PhantomData<fn() -> T>,
}

impl<T> Clone for TaskHelper<T> {
    fn clone(&self) -> Self {
        TaskHelper {
            link: self.link.clone(),
            client: self.client.clone(),
            created: self.created,
            created_at: self.created_at,
            deadline: self.deadline,
            response_type: PhantomData,
        }
    }
}

impl<T> fmt::Debug for TaskHelper<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskHelper")
            .field("task_id", &self.link.task_id)
            .field("response_type", &std::any::type_name::<T>())
            .finish_non_exhaustive()
    }
}

impl<T> From<TaskHelper<T>> for AsyncTaskLink {
    fn from(helper: TaskHelper<T>) -> Self {
        helper.link
    }
}

impl<T: TaskResponse> TaskHelper<T> {
    /// Wraps the link returned by a task-creating endpoint; the task counts as created now.
    pub fn new(client: &Benchling, link: AsyncTaskLink) -> Result<Self> {
        validate_task_id(&link.task_id)?;
        Ok(TaskHelper {
            link,
            client: client.clone(),
            created: Some(Instant::now()),
            created_at: SystemTime::now(),
            deadline: None,
            response_type: PhantomData,
        })
    }

    /// Rebuilds a helper from a saved task id; the task's age is unknown.
    pub fn from_task_id(client: &Benchling, task_id: impl Into<String>) -> Result<Self> {
        let link = AsyncTaskLink::new(task_id);
        validate_task_id(&link.task_id)?;
        Ok(TaskHelper {
            link,
            client: client.clone(),
            created: None,
            created_at: SystemTime::now(),
            deadline: None,
            response_type: PhantomData,
        })
    }

    /// Returns the task id.
    pub fn task_id(&self) -> &str {
        &self.link.task_id
    }

    /// Returns the link, with any extra fields the API sent.
    pub fn link(&self) -> &AsyncTaskLink {
        &self.link
    }

    /// Returns the client this helper polls through.
    pub fn client(&self) -> &Benchling {
        &self.client
    }

    /// Returns when the task was created, as seen by this process.
    pub fn created_at(&self) -> SystemTime {
        self.created_at
    }

    /// Sets a fixed deadline for every wait of this helper: a wait ends at the
    /// earlier of this instant and its own maximum wait. It is saved by
    /// [`TaskHelper::saved`], so a wait resumed after a restart keeps it.
    pub fn with_deadline(mut self, deadline: SystemTime) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// Returns the fixed deadline, when one was set.
    pub fn deadline(&self) -> Option<SystemTime> {
        self.deadline
    }

    pub(crate) fn created_instant(&self) -> Option<Instant> {
        self.created
    }

    /// Converts the fixed deadline to the runtime's clock.
    pub(crate) fn deadline_instant(&self) -> Option<Instant> {
        let deadline = self.deadline?;
        let now = Instant::now();
        Some(match deadline.duration_since(SystemTime::now()) {
            Ok(ahead) => now + ahead,
            Err(_) => now,
        })
    }

    /// Fetches one snapshot of the task.
    pub async fn poll(&self) -> Result<AsyncTask> {
        self.client.tasks().get(self.task_id()).await
    }

    /// Waits with the Python SDK's defaults (a poll every second, at most 600 s)
    /// and returns the task's outcome.
    ///
    /// Returns [`Error::WaitTimedOut`] when the task is still running at the deadline.
    pub async fn wait_for_completion(&self) -> Result<TaskCompletion<T>> {
        self.wait_for_completion_with(WaitOptions::default()).await
    }

    /// Waits with the given options and returns the task's outcome.
    pub async fn wait_for_completion_with(
        &self,
        options: WaitOptions,
    ) -> Result<TaskCompletion<T>> {
        let task = self.poller(options).wait().await?;
        TaskCompletion::from_task(self.task_id(), &task)
    }

    /// Waits with the Python SDK's defaults and returns the response.
    ///
    /// Returns [`Error::TaskFailed`] when the task failed, with an empty errors
    /// list when the task sent none, and [`Error::WaitTimedOut`] on timeout.
    pub async fn wait_for_response(&self) -> Result<T> {
        self.wait_for_response_with(WaitOptions::default()).await
    }

    /// Waits with the given options and returns the response.
    pub async fn wait_for_response_with(&self, options: WaitOptions) -> Result<T> {
        self.wait_for_completion_with(options).await?.into_result()
    }

    /// Returns a step-by-step poller, for callers that show progress or stop early.
    pub fn poller(&self, options: WaitOptions) -> TaskPoller {
        TaskPoller::new(
            self.client.clone(),
            self.task_id().to_string(),
            options,
            self.created,
        )
        .with_deadline(self.deadline_instant())
    }

    /// Returns a stream of snapshots that ends after the task ends, on an error or on timeout.
    ///
    /// ```
    /// use futures::StreamExt;
    /// use benchling_sdk::{Benchling, WaitOptions};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let simulator = benchling_sim::Simulator::builder().time_scale(50.0).start().await?;
    /// # let client = Benchling::builder().tenant_url(simulator.base_url()).api_key(simulator.api_key()).build()?;
    /// # let body = serde_json::json!({"dnaSequences": [{"name": "a", "bases": "ACGT", "isCircular": false}]});
    /// # let task = client
    /// #     .start_task_at::<serde_json::Value, _>(reqwest::Method::POST, "/dna-sequences:bulk-create", Some(&body))
    /// #     .await?;
    /// let mut snapshots = std::pin::pin!(task.snapshots(WaitOptions::new()));
    /// while let Some(snapshot) = snapshots.next().await {
    ///     eprintln!("task {} is {}", task.task_id(), snapshot?.status);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn snapshots(&self, options: WaitOptions) -> impl Stream<Item = Result<AsyncTask>> + Send {
        self.poller(options).into_stream()
    }

    /// Returns the helper's state for saving; see [`TaskHelper::restore`].
    pub fn saved(&self) -> SavedTask {
        SavedTask {
            task_id: self.link.task_id.clone(),
            response_type: std::any::type_name::<T>().to_string(),
            created_at_ms: unix_millis(self.created_at),
            deadline_ms: self.deadline.map(unix_millis),
        }
    }

    /// Rebuilds a helper from a saved state, keeping the task's creation time so
    /// adaptive polling and deadlines counted from creation carry over.
    ///
    /// Returns [`Error::InvalidInput`] when the state was saved for another response type.
    pub fn restore(client: &Benchling, saved: &SavedTask) -> Result<Self> {
        let expected = std::any::type_name::<T>();
        if saved.response_type != expected {
            return Err(Error::invalid(
                "saved task response type",
                saved.response_type.clone(),
                format!(
                    "this helper decodes {expected}; restore it with the type it was saved with"
                ),
            ));
        }

        let created_at = UNIX_EPOCH + Duration::from_millis(saved.created_at_ms);
        let age = SystemTime::now()
            .duration_since(created_at)
            .unwrap_or_default();
        let mut helper = Self::from_task_id(client, saved.task_id.clone())?;
        helper.created = Instant::now().checked_sub(age);
        helper.created_at = created_at;
        helper.deadline = saved
            .deadline_ms
            .map(|millis| UNIX_EPOCH + Duration::from_millis(millis));
        Ok(helper)
    }
}

/// The saved state of a [`TaskHelper`]: task id, response type and creation time.
///
/// Serialize it (for example as JSON) to resume a wait after a restart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SavedTask {
    /// Id of the task.
    pub task_id: String,
    /// Rust type name of the task's response.
    pub response_type: String,
    /// Creation time in milliseconds since the Unix epoch.
    pub created_at_ms: u64,
    /// Fixed deadline of the waits in milliseconds since the Unix epoch, when one was set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline_ms: Option<u64>,
}

fn unix_millis(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_millis() as u64)
}

/// Checks that a task id can go into a URL path segment; it is percent-encoded there.
pub(crate) fn validate_task_id(task_id: &str) -> Result<()> {
    if task_id.trim().is_empty() {
        return Err(Error::invalid(
            "task id",
            task_id,
            "a task id must not be empty; use the taskId returned by the endpoint that created the task",
        ));
    }
    if task_id.len() > 256 {
        return Err(Error::invalid(
            "task id",
            crate::error::excerpt(task_id, 80),
            "a task id is at most 256 characters; use the taskId returned by the endpoint that created the task",
        ));
    }
    if let Some(bad) = task_id
        .chars()
        .find(|c| c.is_whitespace() || c.is_control() || matches!(c, '/' | '\\' | '?' | '#'))
    {
        return Err(Error::invalid(
            "task id",
            task_id,
            format!("a task id cannot contain {bad:?}; Benchling task ids are UUIDs such as 5e5fd9ab-0000-4c39-8e44-7e2d6c6b1a90"),
        ));
    }
    Ok(())
}
