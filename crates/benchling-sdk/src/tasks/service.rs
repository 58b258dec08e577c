//! `client.tasks()`: read and wait on tasks by id.

use reqwest::Method;

use super::helper::{validate_task_id, TaskHelper, TaskResponse};
use super::model::AsyncTask;
use super::policy::WaitOptions;
use super::poller::{SnapshotFuture, SnapshotSource, TaskPoller};
use crate::client::{encode_path_segment, RequestKind};
use crate::error::{DecodeError, Error, Result};
use crate::Benchling;

/// Task endpoints: `GET /api/v2/tasks/{taskId}` and waits built on it.
///
/// Returned by [`Benchling::tasks`]. These are the Python SDK's
/// `TaskService.get_by_id` and `wait_for_task`: the snapshot's `response` is
/// raw JSON; use a [`TaskHelper`] for a typed response.
///
/// ```
/// use std::time::Duration;
/// use benchling_sdk::{AsyncTaskStatus, Benchling, Error, WaitOptions};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let simulator = benchling_sim::Simulator::builder().time_scale(50.0).start().await?;
/// # let client = Benchling::builder().tenant_url(simulator.base_url()).api_key(simulator.api_key()).build()?;
/// # let body = serde_json::json!({"dnaSequences": [{"name": "a", "bases": "ACGT", "isCircular": false}]});
/// # let task_id = client
/// #     .start_task_at::<serde_json::Value, _>(reqwest::Method::POST, "/dna-sequences:bulk-create", Some(&body))
/// #     .await?
/// #     .task_id()
/// #     .to_string();
/// let snapshot = client.tasks().get(&task_id).await?;
/// println!("task {task_id} is {}", snapshot.status);
///
/// let options = WaitOptions::new().interval(Duration::from_millis(200));
/// let ended = client.tasks().wait(&task_id, options).await?;
/// assert_eq!(ended.status, AsyncTaskStatus::Succeeded);
///
/// // An unknown id, or a task that ended more than 30 minutes ago:
/// let missing = client.tasks().get("00000000-0000-0000-0000-000000000000").await;
/// assert!(matches!(missing, Err(Error::TaskNotFound { .. })));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct TaskService {
    client: Benchling,
}

impl TaskService {
    pub(crate) fn new(client: Benchling) -> Self {
        TaskService { client }
    }

    /// Fetches one snapshot of a task.
    ///
    /// Returns [`Error::TaskNotFound`] on 404: the id is wrong, or the task ended
    /// more than 30 minutes ago and Benchling no longer keeps its data.
    pub async fn get(&self, task_id: &str) -> Result<AsyncTask> {
        validate_task_id(task_id)?;
        let path = format!("/tasks/{}", encode_path_segment("task id", task_id)?);

        let response = match self
            .client
            .send(Method::GET, &path, None, RequestKind::TaskPoll)
            .await
        {
            Ok(response) => response,
            Err(error) if error.status() == Some(reqwest::StatusCode::NOT_FOUND) => {
                return Err(Error::TaskNotFound {
                    task_id: task_id.to_string(),
                })
            }
            Err(error) => return Err(error),
        };

        DecodeError::decode(&response.body, || format!("response of GET /api/v2{path}"))
    }

    /// Waits for a task to end and returns its last snapshot, whatever its status.
    ///
    /// Returns [`Error::WaitTimedOut`] when the maximum wait runs out.
    pub async fn wait(&self, task_id: &str, options: WaitOptions) -> Result<AsyncTask> {
        validate_task_id(task_id)?;
        TaskPoller::new(self.client.clone(), task_id.to_string(), options, None)
            .wait()
            .await
    }

    /// Rebuilds a typed helper for a task id.
    pub fn helper<T: TaskResponse>(&self, task_id: &str) -> Result<TaskHelper<T>> {
        TaskHelper::from_task_id(&self.client, task_id)
    }
}

impl SnapshotSource for Benchling {
    fn fetch<'a>(&'a self, task_id: &'a str) -> SnapshotFuture<'a> {
        Box::pin(async move { self.tasks().get(task_id).await })
    }
}
