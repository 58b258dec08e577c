//! Waiting on many tasks at once.
//!
//! All waits share the client, so they share its rate governor: polls of many
//! tasks queue for the tenant's window instead of earning 429s. A bound on
//! polls in flight keeps a burst of due polls from holding thousands of
//! connections open at once.
//!
//! ```no_run
//! # async fn example(tasks: Vec<benchling_sdk::TaskHelper<benchling_sdk::EmptyTaskResponse>>) {
//! use benchling_sdk::tasks::{wait_all, AdaptivePoll, WaitAllOptions, WaitOptions};
//!
//! let options = WaitAllOptions::new(WaitOptions::new().policy(AdaptivePoll::default()));
//! for (task, outcome) in tasks.iter().zip(wait_all(&tasks, &options).await) {
//!     match outcome {
//!         Ok(completion) if completion.success => println!("{} succeeded", task.task_id()),
//!         Ok(completion) => println!("{} failed: {:?}", task.task_id(), completion.message),
//!         Err(error) => println!("{}: {error}", task.task_id()),
//!     }
//! }
//! # }
//! ```

use std::sync::Arc;

use futures::stream::{FuturesUnordered, Stream, StreamExt};
use tokio::sync::Semaphore;

use super::helper::{TaskCompletion, TaskHelper, TaskResponse};
use super::policy::WaitOptions;
use super::poller::{SnapshotFuture, SnapshotSource, TaskPoller};
use crate::error::Result;
use crate::Benchling;

/// Options of a wait on many tasks.
///
/// # Defaults
/// The wait options of each task ([`WaitOptions::default`]) and at most 16
/// polls in flight.
#[derive(Debug, Clone)]
pub struct WaitAllOptions {
    /// Options of each task's wait; every task gets its own deadline.
    pub wait: WaitOptions,
    /// Maximum number of polls sent and still waiting for a response, at least 1.
    pub max_polls_in_flight: usize,
}

impl Default for WaitAllOptions {
    fn default() -> Self {
        WaitAllOptions {
            wait: WaitOptions::default(),
            max_polls_in_flight: 16,
        }
    }
}

impl WaitAllOptions {
    /// Options with these per-task wait options and at most 16 polls in flight.
    pub fn new(wait: WaitOptions) -> Self {
        WaitAllOptions {
            wait,
            ..Self::default()
        }
    }

    /// Sets the maximum number of polls in flight.
    pub fn max_polls_in_flight(mut self, limit: usize) -> Self {
        self.max_polls_in_flight = limit.max(1);
        self
    }
}

/// A snapshot source that holds a shared permit while a poll is in flight.
#[derive(Clone)]
struct BoundedSource {
    client: Benchling,
    permits: Arc<Semaphore>,
}

impl SnapshotSource for BoundedSource {
    fn fetch<'a>(&'a self, task_id: &'a str) -> SnapshotFuture<'a> {
        Box::pin(async move {
            // The semaphore is never closed, so acquiring only waits.
            let _permit = self.permits.acquire().await;

            // The request future is about 2 KB; it is allocated only once a slot is
            // free, so thousands of due polls waiting here stay small.
            let tasks = self.client.tasks();
            let poll = Box::pin(tasks.get(task_id));
            poll.await
        })
    }
}

/// Waits for every task and returns each outcome, in input order.
///
/// A task that fails, times out or cannot be polled does not stop the others;
/// see [`try_wait_all`] to stop at the first failure.
pub async fn wait_all<T: TaskResponse>(
    tasks: &[TaskHelper<T>],
    options: &WaitAllOptions,
) -> Vec<Result<TaskCompletion<T>>> {
    let mut outcomes: Vec<Option<Result<TaskCompletion<T>>>> =
        (0..tasks.len()).map(|_| None).collect();

    let mut each = std::pin::pin!(wait_each(tasks, options));
    while let Some((index, outcome)) = each.next().await {
        outcomes[index] = Some(outcome);
    }

    // `wait_each` yields exactly one outcome per task, so every slot is filled.
    outcomes.into_iter().flatten().collect()
}

/// Waits for every task and returns their responses in input order, or the
/// first failure (a failed task, a timeout or a poll error) as soon as it happens.
///
/// Returning early drops the other waits; their tasks keep running on the server.
pub async fn try_wait_all<T: TaskResponse>(
    tasks: &[TaskHelper<T>],
    options: &WaitAllOptions,
) -> Result<Vec<T>> {
    let mut responses: Vec<Option<T>> = (0..tasks.len()).map(|_| None).collect();

    let mut each = std::pin::pin!(wait_each(tasks, options));
    while let Some((index, outcome)) = each.next().await {
        responses[index] = Some(outcome?.into_result()?);
    }

    Ok(responses.into_iter().flatten().collect())
}

/// Waits for every task and yields `(index, outcome)` for each as it ends.
///
/// Dropping the stream stops all waits; the tasks keep running on the server.
pub fn wait_each<'a, T: TaskResponse>(
    tasks: &'a [TaskHelper<T>],
    options: &WaitAllOptions,
) -> impl Stream<Item = (usize, Result<TaskCompletion<T>>)> + Send + 'a {
    let permits = Arc::new(Semaphore::new(options.max_polls_in_flight.max(1)));
    let wait = options.wait.clone();

    tasks
        .iter()
        .enumerate()
        .map(move |(index, task)| {
            let source = BoundedSource {
                client: task.client().clone(),
                permits: permits.clone(),
            };
            let poller = TaskPoller::new(
                source,
                task.task_id().to_string(),
                wait.clone(),
                task.created_instant(),
            )
            .with_deadline(task.deadline_instant());
            async move {
                let outcome = match poller.wait().await {
                    Ok(snapshot) => TaskCompletion::from_task(task.task_id(), &snapshot),
                    Err(error) => Err(error),
                };
                (index, outcome)
            }
        })
        .collect::<FuturesUnordered<_>>()
}
