//! The task store: what each task returns, when it ends and how long it stays readable.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use serde_json::{json, Value};

use crate::config::TaskErrorsShape;
use crate::error::ApiError;
use crate::stats::TaskStats;

/// The outcome of an ended task.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TaskOutcome {
    /// `SUCCEEDED` with this `response` object.
    Succeeded(Value),
    /// `FAILED` with a message and, for bulk tasks, per-item errors.
    Failed {
        message: String,
        errors: Option<Value>,
    },
}

impl TaskOutcome {
    /// Returns the outcome with its per-item errors in the requested form.
    pub(crate) fn with_errors_shape(self, shape: TaskErrorsShape) -> Self {
        let Self::Failed { message, errors } = self else {
            return self;
        };
        let errors = match (shape, errors) {
            (TaskErrorsShape::Object, Some(Value::Array(list))) => list.into_iter().next(),
            (TaskErrorsShape::Absent, _) => None,
            (_, errors) => errors,
        };
        Self::Failed { message, errors }
    }

    fn label(&self) -> &'static str {
        match self {
            Self::Succeeded(_) => "SUCCEEDED",
            Self::Failed { .. } => "FAILED",
        }
    }

    fn to_async_task(&self) -> Value {
        match self {
            Self::Succeeded(response) => json!({ "status": "SUCCEEDED", "response": response }),
            Self::Failed { message, errors } => {
                let mut task = json!({ "status": "FAILED", "message": message });
                if let Some(errors) = errors {
                    task["errors"] = errors.clone();
                }
                task
            }
        }
    }
}

/// A new task, as an endpoint hands it to the store.
#[derive(Debug)]
pub(crate) struct NewTask {
    pub(crate) operation_id: String,
    pub(crate) items: usize,
    pub(crate) created: Duration,
    pub(crate) duration: Duration,
    pub(crate) outcome: TaskOutcome,
}

#[derive(Debug)]
struct TaskRecord {
    operation_id: String,
    items: usize,
    created: Duration,
    duration: Duration,
    outcome_label: &'static str,
    /// The result; `None` once the task expired and its data was dropped.
    outcome: Option<TaskOutcome>,
    polls: u64,
    first_poll: Option<Duration>,
    first_seen_completed: Option<Duration>,
}

impl TaskRecord {
    fn completed(&self) -> Duration {
        self.created + self.duration
    }
}

/// Tasks by id. Records stay for the statistics after a task expires, without its data.
#[derive(Debug)]
pub(crate) struct TaskStore {
    retention: Duration,
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    by_id: HashMap<String, TaskRecord>,
    order: Vec<String>,
    inserted_since_sweep: usize,
}

/// Inserts between two sweeps that drop the data of expired tasks.
const SWEEP_EVERY: usize = 256;

impl TaskStore {
    pub(crate) fn new(retention: Duration) -> Self {
        Self {
            retention,
            inner: Mutex::new(Inner::default()),
        }
    }

    pub(crate) fn insert(&self, id: String, task: NewTask, now: Duration) {
        let mut inner = self.lock();

        inner.inserted_since_sweep += 1;
        if inner.inserted_since_sweep >= SWEEP_EVERY {
            inner.inserted_since_sweep = 0;
            let retention = self.retention;
            for record in inner.by_id.values_mut() {
                if now >= record.completed() + retention {
                    record.outcome = None;
                }
            }
        }

        inner.order.push(id.clone());
        inner.by_id.insert(
            id,
            TaskRecord {
                operation_id: task.operation_id,
                items: task.items,
                created: task.created,
                duration: task.duration,
                outcome_label: task.outcome.label(),
                outcome: Some(task.outcome),
                polls: 0,
                first_poll: None,
                first_seen_completed: None,
            },
        );
    }

    /// Returns the `AsyncTask` body of a task at simulated time `now`, counting the poll.
    pub(crate) fn poll(&self, id: &str, now: Duration) -> Result<Value, ApiError> {
        let mut inner = self.lock();
        let retention = self.retention;
        let not_found = || {
            ApiError::not_found(
                format!(
                    "Task {id} not found. Task results can be read for {} minutes after the task ends.",
                    retention.as_secs() / 60
                ),
                Some(id.to_owned()),
            )
        };

        let Some(record) = inner.by_id.get_mut(id) else {
            return Err(not_found());
        };
        record.polls += 1;
        record.first_poll.get_or_insert(now);

        let completed = record.completed();
        if now >= completed + retention {
            record.outcome = None;
            return Err(not_found());
        }
        if now < completed {
            return Ok(json!({ "status": "RUNNING" }));
        }

        record.first_seen_completed.get_or_insert(now);
        match &record.outcome {
            Some(outcome) => Ok(outcome.to_async_task()),
            None => Err(not_found()),
        }
    }

    pub(crate) fn stats(&self) -> Vec<TaskStats> {
        let inner = self.lock();
        inner
            .order
            .iter()
            .filter_map(|id| {
                let record = inner.by_id.get(id)?;
                Some(TaskStats {
                    id: id.clone(),
                    operation_id: record.operation_id.clone(),
                    items: record.items,
                    outcome: record.outcome_label,
                    created: record.created,
                    duration: record.duration,
                    completed: record.completed(),
                    first_poll: record.first_poll,
                    first_seen_completed: record.first_seen_completed,
                    polls: record.polls,
                })
            })
            .collect()
    }

    pub(crate) fn reset(&self) {
        *self.lock() = Inner::default();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);

    fn store_with_task(outcome: TaskOutcome) -> TaskStore {
        let store = TaskStore::new(30 * MINUTE);
        let task = NewTask {
            operation_id: "bulkCreateDNASequences".to_owned(),
            items: 1,
            created: Duration::ZERO,
            duration: Duration::from_secs(10),
            outcome,
        };
        store.insert("t1".to_owned(), task, Duration::ZERO);
        store
    }

    #[test]
    fn task_runs_then_succeeds() {
        let store = store_with_task(TaskOutcome::Succeeded(json!({ "dnaSequences": [] })));
        assert_eq!(
            store.poll("t1", Duration::from_secs(5)).unwrap(),
            json!({ "status": "RUNNING" })
        );
        assert_eq!(
            store.poll("t1", Duration::from_secs(10)).unwrap(),
            json!({ "status": "SUCCEEDED", "response": { "dnaSequences": [] } })
        );
    }

    #[test]
    fn failed_task_carries_message_and_errors() {
        let outcome = TaskOutcome::Failed {
            message: "Your request was invalid.".to_owned(),
            errors: Some(json!([{ "index": 0, "message": "bad bases" }])),
        };
        let store = store_with_task(outcome);
        let task = store.poll("t1", Duration::from_secs(11)).unwrap();
        assert_eq!(task["status"], "FAILED");
        assert_eq!(task["message"], "Your request was invalid.");
        assert_eq!(task["errors"][0]["index"], 0);
    }

    #[test]
    fn task_expires_after_retention() {
        let store = store_with_task(TaskOutcome::Succeeded(json!({})));
        assert!(store
            .poll("t1", Duration::from_secs(10) + 29 * MINUTE)
            .is_ok());
        let error = store
            .poll("t1", Duration::from_secs(10) + 30 * MINUTE)
            .unwrap_err();
        assert_eq!(error.status, axum::http::StatusCode::NOT_FOUND);
    }

    #[test]
    fn errors_shape_converts_list() {
        let failed = || TaskOutcome::Failed {
            message: "invalid".to_owned(),
            errors: Some(json!([{ "index": 2 }, { "index": 3 }])),
        };
        let object = failed().with_errors_shape(TaskErrorsShape::Object);
        assert_eq!(
            object,
            TaskOutcome::Failed {
                message: "invalid".to_owned(),
                errors: Some(json!({ "index": 2 }))
            }
        );
        let absent = failed().with_errors_shape(TaskErrorsShape::Absent);
        assert_eq!(
            absent,
            TaskOutcome::Failed {
                message: "invalid".to_owned(),
                errors: None
            }
        );
        assert_eq!(failed().with_errors_shape(TaskErrorsShape::List), failed());
    }

    #[test]
    fn unknown_task_is_not_found() {
        let store = store_with_task(TaskOutcome::Succeeded(json!({})));
        let error = store.poll("nope", Duration::ZERO).unwrap_err();
        assert_eq!(error.status, axum::http::StatusCode::NOT_FOUND);
        assert_eq!(error.invalid_id.as_deref(), Some("nope"));
    }

    #[test]
    fn stats_record_polls_and_first_seen_end() {
        let store = store_with_task(TaskOutcome::Succeeded(json!({})));
        store.poll("t1", Duration::from_secs(3)).unwrap();
        store.poll("t1", Duration::from_secs(12)).unwrap();
        store.poll("t1", Duration::from_secs(13)).unwrap();
        let stats = store.stats();
        assert_eq!(stats[0].polls, 3);
        assert_eq!(stats[0].first_poll, Some(Duration::from_secs(3)));
        assert_eq!(stats[0].first_seen_completed, Some(Duration::from_secs(12)));
        assert_eq!(stats[0].completed, Duration::from_secs(10));
    }
}
