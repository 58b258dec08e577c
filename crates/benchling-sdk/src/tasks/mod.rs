//! Asynchronous tasks: snapshots, typed helpers, poll policies and waits.
//!
//! A task-creating endpoint returns `202 {"taskId": ...}` and returns a
//! [`TaskHelper<T>`], where `T` is the type of the task's response. The helper
//! polls `GET /api/v2/tasks/{taskId}` until the status leaves `RUNNING`:
//!
//! - [`TaskHelper::wait_for_completion`] returns a [`TaskCompletion<T>`] for both
//!   outcomes;
//! - [`TaskHelper::wait_for_response`] returns `T` or [`Error::TaskFailed`](crate::Error::TaskFailed);
//! - both return [`Error::WaitTimedOut`](crate::Error::WaitTimedOut) when the maximum
//!   wait runs out, with the last snapshot seen.
//!
//! The defaults match Benchling's Python SDK: a poll every second for at most
//! 600 seconds. [`WaitOptions`] takes another interval, another maximum wait
//! or another [`PollPolicy`], such as [`AdaptivePoll`], which uses fewer
//! requests of the tenant's shared rate budget on long tasks.
//!
//! A status the API does not document (for example `QUEUED`) counts as not
//! ended: the wait goes on until its deadline.

mod helper;
mod many;
mod model;
mod policy;
mod poller;
mod service;

pub use helper::{EmptyTaskResponse, SavedTask, TaskCompletion, TaskHelper, TaskResponse};
pub use many::{try_wait_all, wait_all, wait_each, WaitAllOptions};
pub use model::{AsyncTask, AsyncTaskErrors, AsyncTaskLink, AsyncTaskStatus};
pub use policy::{
    AdaptivePoll, ExponentialBackoff, FixedInterval, PollPolicy, PollState, WaitOptions,
};
pub use poller::{SnapshotFuture, SnapshotSource, TaskPoller};
pub use service::TaskService;

#[cfg(test)]
mod tests;
