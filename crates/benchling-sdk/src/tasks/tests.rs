//! The wait rules of Benchling's Python SDK, checked on paused tokio time
//! against a scripted snapshot source that records the instant of each poll.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Deserialize;
use serde_json::json;
use tokio::time::Instant;

use super::poller::{SnapshotFuture, SnapshotSource, TaskPoller};
use super::*;
use crate::error::Error;

/// Returns scripted snapshots, one per poll; the last entry repeats forever.
#[derive(Clone)]
struct Script {
    answers: Arc<Mutex<VecDeque<Result<AsyncTask, u16>>>>,
    polls: Arc<Mutex<Vec<Duration>>>,
    start: Instant,
    request_time: Duration,
}

impl Script {
    fn new(answers: Vec<Result<serde_json::Value, u16>>) -> Self {
        let answers = answers
            .into_iter()
            .map(|answer| answer.map(|value| serde_json::from_value::<AsyncTask>(value).unwrap()))
            .collect();
        Script {
            answers: Arc::new(Mutex::new(answers)),
            polls: Arc::new(Mutex::new(Vec::new())),
            start: Instant::now(),
            request_time: Duration::ZERO,
        }
    }

    fn with_request_time(mut self, request_time: Duration) -> Self {
        self.request_time = request_time;
        self
    }

    /// Instants of the polls, in seconds since the script was made.
    fn poll_instants(&self) -> Vec<f64> {
        self.polls
            .lock()
            .unwrap()
            .iter()
            .map(Duration::as_secs_f64)
            .collect()
    }

    fn poller(&self, options: WaitOptions) -> TaskPoller<Script> {
        TaskPoller::new(self.clone(), "task-1".to_string(), options, None)
    }
}

impl SnapshotSource for Script {
    fn fetch<'a>(&'a self, task_id: &'a str) -> SnapshotFuture<'a> {
        Box::pin(async move {
            self.polls.lock().unwrap().push(self.start.elapsed());
            tokio::time::sleep(self.request_time).await;

            let answer = {
                let mut answers = self.answers.lock().unwrap();
                if answers.len() > 1 {
                    answers.pop_front().unwrap()
                } else {
                    answers.front().cloned().expect("script has no answers")
                }
            };
            answer.map_err(|status| match status {
                404 => Error::TaskNotFound {
                    task_id: task_id.to_string(),
                },
                _ => Error::invalid("test status", status.to_string(), "scripted failure"),
            })
        })
    }
}

fn running() -> Result<serde_json::Value, u16> {
    Ok(json!({"status": "RUNNING"}))
}

fn succeeded(response: serde_json::Value) -> Result<serde_json::Value, u16> {
    Ok(json!({"status": "SUCCEEDED", "response": response}))
}

#[derive(Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Created {
    dna_sequences: Vec<serde_json::Value>,
}

impl TaskResponse for Created {}

async fn complete<T: TaskResponse>(
    script: &Script,
    options: WaitOptions,
) -> crate::Result<TaskCompletion<T>> {
    let task = script.poller(options).wait().await?;
    TaskCompletion::from_task("task-1", &task)
}

#[tokio::test(start_paused = true)]
async fn first_poll_is_immediate() {
    let script = Script::new(vec![succeeded(json!({}))]);
    let completion = complete::<EmptyTaskResponse>(&script, WaitOptions::default())
        .await
        .unwrap();
    assert!(completion.success);
    assert_eq!(script.poll_instants(), vec![0.0]);
}

#[tokio::test(start_paused = true)]
async fn polls_at_fixed_interval_until_ended() {
    let script = Script::new(vec![
        running(),
        running(),
        running(),
        succeeded(json!({"dnaSequences": []})),
    ]);
    let completion = complete::<Created>(&script, WaitOptions::python(1, 600))
        .await
        .unwrap();
    assert_eq!(script.poll_instants(), vec![0.0, 1.0, 2.0, 3.0]);
    assert_eq!(
        completion.response,
        Some(Created {
            dna_sequences: vec![]
        })
    );
}

#[tokio::test(start_paused = true)]
async fn success_sets_only_response() {
    let script = Script::new(vec![succeeded(json!({"dnaSequences": [{"id": "seq_1"}]}))]);
    let completion = complete::<Created>(&script, WaitOptions::default())
        .await
        .unwrap();
    assert!(completion.success);
    assert_eq!(completion.errors, None);
    assert_eq!(completion.message, None);
    assert_eq!(completion.response.unwrap().dna_sequences.len(), 1);
}

#[tokio::test(start_paused = true)]
async fn failure_sets_errors_and_message_only() {
    let script = Script::new(vec![Ok(json!({
        "status": "FAILED",
        "message": "Invalid bases",
        "errors": [{"index": 2, "message": "bases contain Z"}]
    }))]);
    let completion = complete::<Created>(&script, WaitOptions::default())
        .await
        .unwrap();
    assert!(!completion.success);
    assert_eq!(completion.message.as_deref(), Some("Invalid bases"));
    assert_eq!(
        completion.errors.as_ref().map(AsyncTaskErrors::len),
        Some(1)
    );
    assert_eq!(completion.response, None);
}

#[tokio::test(start_paused = true)]
async fn failure_with_error_object() {
    let script = Script::new(vec![Ok(
        json!({"status": "FAILED", "errors": {"message": "one"}}),
    )]);
    let completion = complete::<Created>(&script, WaitOptions::default())
        .await
        .unwrap();
    assert!(matches!(
        completion.errors,
        Some(AsyncTaskErrors::Object(_))
    ));
    assert_eq!(completion.message, None);
}

#[tokio::test(start_paused = true)]
async fn response_error_carries_empty_errors() {
    let script = Script::new(vec![Ok(json!({"status": "FAILED", "message": "boom"}))]);
    let error = complete::<Created>(&script, WaitOptions::default())
        .await
        .unwrap()
        .into_result()
        .unwrap_err();
    let failure = error.as_task_failure().expect("a task failure");
    assert!(failure.errors.is_empty());
    assert_eq!(failure.errors, AsyncTaskErrors::List(vec![]));
    assert_eq!(failure.message.as_deref(), Some("boom"));
    assert_eq!(failure.task_id, "task-1");
}

#[tokio::test(start_paused = true)]
async fn empty_response_from_empty_object() {
    let script = Script::new(vec![succeeded(json!({}))]);
    let completion = complete::<EmptyTaskResponse>(&script, WaitOptions::default())
        .await
        .unwrap();
    assert_eq!(completion.response, Some(EmptyTaskResponse));
}

#[tokio::test(start_paused = true)]
async fn empty_response_when_absent() {
    let script = Script::new(vec![Ok(json!({"status": "SUCCEEDED"}))]);
    let completion = complete::<EmptyTaskResponse>(&script, WaitOptions::default())
        .await
        .unwrap();
    assert_eq!(completion.response, Some(EmptyTaskResponse));
}

#[tokio::test(start_paused = true)]
async fn typed_response_absent_is_decode_error() {
    let script = Script::new(vec![Ok(json!({"status": "SUCCEEDED"}))]);
    let error = complete::<Created>(&script, WaitOptions::default())
        .await
        .unwrap_err();
    let Error::Decode(decode) = &error else {
        panic!("expected a decode error, got {error:?}")
    };
    assert!(decode.context.contains("task-1"), "{error}");
}

#[tokio::test(start_paused = true)]
async fn typed_response_mismatch_names_path() {
    let script = Script::new(vec![succeeded(json!({"dnaSequences": "nope"}))]);
    let error = complete::<Created>(&script, WaitOptions::default())
        .await
        .unwrap_err();
    let Error::Decode(decode) = &error else {
        panic!("expected a decode error, got {error:?}")
    };
    assert_eq!(decode.path, "dnaSequences");
    assert!(error.to_string().contains("task-1"), "{error}");
}

#[tokio::test(start_paused = true)]
async fn timeout_reports_task_and_last_snapshot() {
    let script = Script::new(vec![running()]);
    let error = complete::<Created>(&script, WaitOptions::python(1, 5))
        .await
        .unwrap_err();
    assert_eq!(script.poll_instants(), vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);

    let Error::WaitTimedOut {
        task_id,
        waited,
        attempts,
        last,
    } = &error
    else {
        panic!("expected a timeout, got {error:?}")
    };
    assert_eq!(task_id, "task-1");
    assert_eq!(*waited, Duration::from_secs(5));
    assert_eq!(*attempts, 6);
    assert_eq!(last.status, AsyncTaskStatus::Running);
    assert!(error.to_string().contains("task-1"), "{error}");
}

#[tokio::test(start_paused = true)]
async fn last_sleep_clipped_to_deadline() {
    let script = Script::new(vec![running()]);
    let options = WaitOptions::new()
        .interval(Duration::from_secs(2))
        .max_wait(Duration::from_secs(5));
    let error = complete::<Created>(&script, options).await.unwrap_err();
    assert!(error.is_wait_timeout());
    assert_eq!(script.poll_instants(), vec![0.0, 2.0, 4.0, 5.0]);
}

#[tokio::test(start_paused = true)]
async fn max_wait_counts_request_time() {
    let script = Script::new(vec![running()]).with_request_time(Duration::from_millis(300));
    let options = WaitOptions::python(1, 3);
    let error = complete::<Created>(&script, options).await.unwrap_err();
    assert_eq!(script.poll_instants(), vec![0.0, 1.3, 2.6, 3.0]);
    let Error::WaitTimedOut { waited, .. } = error else {
        panic!("expected a timeout")
    };
    assert_eq!(waited, Duration::from_millis(3300));
}

#[tokio::test(start_paused = true)]
async fn zero_max_wait_polls_once() {
    let script = Script::new(vec![running()]);
    let error = complete::<Created>(&script, WaitOptions::python(1, 0))
        .await
        .unwrap_err();
    assert!(error.is_wait_timeout());
    assert_eq!(script.poll_instants(), vec![0.0]);
}

#[tokio::test(start_paused = true)]
async fn unknown_status_keeps_waiting() {
    let script = Script::new(vec![
        Ok(json!({"status": "QUEUED"})),
        running(),
        succeeded(json!({})),
    ]);
    let completion = complete::<EmptyTaskResponse>(&script, WaitOptions::default())
        .await
        .unwrap();
    assert!(completion.success);
    assert_eq!(script.poll_instants(), vec![0.0, 1.0, 2.0]);
}

#[tokio::test(start_paused = true)]
async fn unknown_status_shows_in_timeout() {
    let script = Script::new(vec![Ok(json!({"status": "QUEUED"}))]);
    let error = complete::<EmptyTaskResponse>(&script, WaitOptions::python(1, 2))
        .await
        .unwrap_err();
    let Error::WaitTimedOut { last, .. } = &error else {
        panic!("expected a timeout")
    };
    assert_eq!(last.status, AsyncTaskStatus::Other("QUEUED".into()));
    assert!(error.to_string().contains("QUEUED"), "{error}");
}

#[tokio::test(start_paused = true)]
async fn not_found_stops_the_wait() {
    let script = Script::new(vec![running(), Err(404)]);
    let error = complete::<Created>(&script, WaitOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(error, Error::TaskNotFound { .. }));
    assert!(error.to_string().contains("30 minutes"), "{error}");
    assert_eq!(script.poll_instants(), vec![0.0, 1.0]);
}

#[tokio::test(start_paused = true)]
async fn backoff_policy_instants() {
    let script = Script::new(vec![
        running(),
        running(),
        running(),
        running(),
        succeeded(json!({})),
    ]);
    let options = WaitOptions::new().policy(ExponentialBackoff {
        jitter: 0.0,
        ..ExponentialBackoff::default()
    });
    complete::<EmptyTaskResponse>(&script, options)
        .await
        .unwrap();
    assert_eq!(script.poll_instants(), vec![0.0, 1.0, 3.0, 7.0, 15.0]);
}

#[tokio::test(start_paused = true)]
async fn snapshots_stream_ends_after_task_ends() {
    use futures::StreamExt;

    let script = Script::new(vec![
        running(),
        Ok(json!({"status": "QUEUED"})),
        succeeded(json!({})),
    ]);
    let statuses: Vec<String> = script
        .poller(WaitOptions::default())
        .into_stream()
        .map(|snapshot| snapshot.unwrap().status.to_string())
        .collect()
        .await;
    assert_eq!(statuses, vec!["RUNNING", "QUEUED", "SUCCEEDED"]);
}

#[tokio::test(start_paused = true)]
async fn poller_after_end_returns_none() {
    let script = Script::new(vec![succeeded(json!({}))]);
    let mut poller = script.poller(WaitOptions::default());
    assert!(poller.next().await.unwrap().is_ok());
    assert!(poller.next().await.is_none());
    assert_eq!(poller.attempts(), 1);
}
