//! The wait loop: poll a task until it ends or the maximum wait runs out.
//!
//! The loop has no HTTP code. It asks a [`SnapshotSource`] for one
//! snapshot at a time and uses tokio's clock, so tests run it on paused time
//! against a scripted source and check the exact instant of every poll.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use futures::Stream;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use tokio::time::Instant;
use tracing::{debug, Instrument};

use super::model::AsyncTask;
use super::policy::{PollState, WaitOptions};
use crate::error::{Error, Result};

/// A boxed future of one task snapshot.
pub type SnapshotFuture<'a> = Pin<Box<dyn Future<Output = Result<AsyncTask>> + Send + 'a>>;

/// Fetches one snapshot of a task: implemented by [`Benchling`](crate::Benchling);
/// implement it to drive a [`TaskPoller`] from another source, such as a test fake.
pub trait SnapshotSource: Send + Sync {
    /// Fetches one snapshot of the task.
    fn fetch<'a>(&'a self, task_id: &'a str) -> SnapshotFuture<'a>;
}

/// Polls one task step by step.
///
/// Each call to [`TaskPoller::next`] sleeps for the poll policy's delay (never past the
/// deadline), polls once and returns the snapshot. After an ended snapshot, an
/// error or the timeout error, it returns `None`.
///
/// Dropping the poller (or the future of `next`) stops polling at once; the
/// task itself keeps running on the server.
pub struct TaskPoller<S = crate::Benchling> {
    source: S,
    task_id: String,
    options: WaitOptions,
    task_created: Option<Instant>,
    started: Option<Instant>,
    deadline: Option<Instant>,
    attempts: u32,
    last: Option<AsyncTask>,
    rng: SmallRng,
    finished: bool,
}

impl<S> std::fmt::Debug for TaskPoller<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TaskPoller")
            .field("task_id", &self.task_id)
            .field("attempts", &self.attempts)
            .field("finished", &self.finished)
            .finish_non_exhaustive()
    }
}

impl<S: SnapshotSource> TaskPoller<S> {
    /// Creates a poller; `task_created` is when the task was created, when known.
    pub fn new(
        source: S,
        task_id: String,
        options: WaitOptions,
        task_created: Option<Instant>,
    ) -> Self {
        let rng = match options.seed {
            Some(seed) => SmallRng::seed_from_u64(seed),
            None => SmallRng::from_rng(&mut rand::rng()),
        };

        TaskPoller {
            source,
            task_id,
            options,
            task_created,
            started: None,
            deadline: None,
            attempts: 0,
            last: None,
            rng,
            finished: false,
        }
    }

    /// Ends the wait at `deadline` when that comes before the maximum wait runs out.
    pub fn with_deadline(mut self, deadline: Option<Instant>) -> Self {
        self.deadline = deadline;
        self
    }

    /// Returns the id of the polled task.
    pub fn task_id(&self) -> &str {
        &self.task_id
    }

    /// Returns the number of polls sent so far.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// Sleeps for the policy's delay, polls once and returns the snapshot.
    ///
    /// Returns `None` once the task has ended or an error was returned.
    /// Returns [`Error::WaitTimedOut`] when the maximum wait has run out.
    pub async fn next(&mut self) -> Option<Result<AsyncTask>> {
        if self.finished {
            return None;
        }

        let now = Instant::now();
        let started = *self.started.get_or_insert(now);
        let deadline = match self.deadline {
            Some(fixed) => fixed.min(started + self.options.max_wait),
            None => started + self.options.max_wait,
        };

        // Every poll after the first waits; the first goes out at once.
        if self.attempts > 0 {
            let elapsed = now.saturating_duration_since(started);
            if now >= deadline {
                self.finished = true;
                return Some(Err(self.timeout_error(elapsed)));
            }

            let state = PollState {
                attempt: self.attempts,
                elapsed,
                task_age: self
                    .task_created
                    .map_or(elapsed, |created| now.saturating_duration_since(created)),
                jitter: self.rng.random::<f64>(),
            };
            let delay = self.options.policy.next_delay(&state);
            let wake = (now + delay).min(deadline);
            debug!(
                task_id = %self.task_id,
                attempt = self.attempts,
                elapsed_ms = elapsed.as_millis() as u64,
                delay_ms = wake.saturating_duration_since(now).as_millis() as u64,
                "task not ended; sleeping before the next poll"
            );
            tokio::time::sleep_until(wake).await;
        }

        self.attempts += 1;
        let result = self.source.fetch(&self.task_id).await;

        match result {
            Ok(task) => {
                debug!(
                    task_id = %self.task_id,
                    attempt = self.attempts,
                    status = %task.status,
                    elapsed_ms = started.elapsed().as_millis() as u64,
                    "polled task"
                );
                if task.status.is_ended() {
                    self.finished = true;
                } else {
                    self.last = Some(task.clone());
                }
                Some(Ok(task))
            }
            Err(error) => {
                self.finished = true;
                Some(Err(error))
            }
        }
    }

    /// Polls until the task ends and returns the ended snapshot.
    pub async fn wait(mut self) -> Result<AsyncTask> {
        let span = tracing::info_span!("wait_for_task", task_id = %self.task_id);
        async move {
            loop {
                match self.next().await {
                    Some(Ok(task)) if task.status.is_ended() => return Ok(task),
                    Some(Ok(_)) => continue,
                    Some(Err(error)) => return Err(error),
                    None => {
                        return Err(Error::invalid(
                            "poller",
                            self.task_id.clone(),
                            "this poller already returned the final result of the task; start a new wait",
                        ))
                    }
                }
            }
        }
        .instrument(span)
        .await
    }

    /// Turns the poller into a stream of snapshots that ends after the task ends.
    pub fn into_stream(self) -> impl Stream<Item = Result<AsyncTask>> + Send
    where
        S: 'static,
    {
        futures::stream::unfold(self, |mut poller| async move {
            let item = poller.next().await?;
            Some((item, poller))
        })
    }

    fn timeout_error(&mut self, waited: Duration) -> Error {
        let last = self
            .last
            .take()
            .unwrap_or_else(|| AsyncTask::new(super::model::AsyncTaskStatus::Running));
        Error::WaitTimedOut {
            task_id: self.task_id.clone(),
            waited,
            attempts: self.attempts,
            last: Box::new(last),
        }
    }
}
