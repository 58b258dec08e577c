//! `benchling tasks get` and `benchling tasks wait`.

use benchling_sdk::tasks::{AdaptivePoll, WaitOptions};
use benchling_sdk::{AsyncTask, AsyncTaskStatus, Benchling, Error};
use futures::future::join_all;
use serde_json::{json, Value};
use tokio::sync::watch;

use crate::cli::{OutputFormat, TaskGetArgs, TaskWaitArgs};
use crate::exit::Status;
use crate::progress;
use crate::report::table;

/// Prints one snapshot of a task; exits 0 whatever the task's status.
pub async fn get(client: &Benchling, args: &TaskGetArgs) -> Status {
    let task = match client.tasks().get(&args.task_id).await {
        Ok(task) => task,
        Err(error) => {
            eprintln!("error: {error}");
            return Status::of_error(&error);
        }
    };

    match args.output {
        OutputFormat::Json => println!("{}", pretty(&task_json(&args.task_id, &task))),
        OutputFormat::Table => {
            let mut rows = vec![
                vec!["TASK".to_string(), args.task_id.clone()],
                vec!["STATUS".to_string(), task.status.to_string()],
            ];
            if let Some(message) = &task.message {
                rows.push(vec!["MESSAGE".into(), message.clone()]);
            }
            if let Some(errors) = &task.errors {
                for error in errors.to_list() {
                    rows.push(vec!["ERROR".into(), error.to_string()]);
                }
            }
            if let Some(response) = task.response_value() {
                rows.push(vec!["RESPONSE".into(), summarize_response(&response)]);
            }
            print!("{}", table(&["FIELD", "VALUE"], &rows));
        }
    }
    Status::Success
}

/// The result of waiting for one task.
struct Waited {
    task_id: String,
    polls: u32,
    result: Result<AsyncTask, Error>,
}

/// Waits for every task at once, with a spinner each on a terminal, and prints how each ended.
pub async fn wait(
    client: &Benchling,
    args: &TaskWaitArgs,
    interrupt: watch::Receiver<bool>,
) -> Status {
    let options = match args.interval {
        Some(interval) => WaitOptions::new().interval(interval),
        None => WaitOptions::new().policy(AdaptivePoll::default()),
    }
    .max_wait(args.timeout);

    let waits = args
        .task_ids
        .iter()
        .map(|task_id| wait_one(client, task_id, options.clone(), interrupt.clone()));
    let results = join_all(waits).await;

    let mut status = Status::Success;
    for waited in &results {
        status = status.worst(match &waited.result {
            Ok(task) if task.status == AsyncTaskStatus::Succeeded => Status::Success,
            Ok(_) => Status::Failed,
            Err(error) => Status::of_error(error),
        });
    }
    if *interrupt.borrow() {
        status = status.worst(Status::Interrupted);
    }

    match args.output {
        OutputFormat::Json => {
            let list: Vec<Value> = results.iter().map(wait_json).collect();
            println!(
                "{}",
                pretty(&json!({ "tasks": list, "exitCode": status.code() }))
            );
        }
        OutputFormat::Table => {
            let rows: Vec<Vec<String>> = results
                .iter()
                .map(|waited| {
                    let (state, detail) = describe(waited);
                    vec![waited.task_id.clone(), state, detail]
                })
                .collect();
            print!("{}", table(&["TASK", "STATUS", "DETAIL"], &rows));
        }
    }
    status
}

async fn wait_one(
    client: &Benchling,
    task_id: &str,
    options: WaitOptions,
    mut interrupt: watch::Receiver<bool>,
) -> Waited {
    let helper = match client.tasks().helper::<Value>(task_id) {
        Ok(helper) => helper,
        Err(error) => {
            return Waited {
                task_id: task_id.to_string(),
                polls: 0,
                result: Err(error),
            }
        }
    };

    let spinner = progress::task_spinner(task_id);
    let mut poller = helper.poller(options);
    let mut last: Option<AsyncTask> = None;
    let result = loop {
        let next = tokio::select! {
            next = poller.next() => next,
            () = interrupted(&mut interrupt) => {
                break Err(Error::InvalidInput {
                    name: "wait",
                    value: task_id.to_string(),
                    reason: "interrupted with Ctrl-C before the task ended".to_string(),
                });
            }
        };
        match next {
            Some(Ok(task)) if task.status.is_ended() => break Ok(task),
            Some(Ok(task)) => {
                spinner.set_message(format!("{} (poll {})", task.status, poller.attempts()));
                last = Some(task);
            }
            Some(Err(error)) => break Err(error),
            None => {
                break last.ok_or_else(|| Error::InvalidInput {
                    name: "wait",
                    value: task_id.to_string(),
                    reason: "the poller ended without a snapshot".to_string(),
                })
            }
        }
    };

    let final_state = match &result {
        Ok(task) => task.status.to_string(),
        Err(Error::WaitTimedOut { .. }) => "timed out".to_string(),
        Err(Error::TaskNotFound { .. }) => "not found".to_string(),
        Err(_) => "error".to_string(),
    };
    spinner.finish_with_message(final_state);
    spinner.finish_and_clear();

    Waited {
        task_id: task_id.to_string(),
        polls: poller.attempts(),
        result,
    }
}

async fn interrupted(interrupt: &mut watch::Receiver<bool>) {
    if interrupt.wait_for(|stop| *stop).await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// Returns the STATUS and DETAIL cells of a wait.
fn describe(waited: &Waited) -> (String, String) {
    match &waited.result {
        Ok(task) => {
            let detail = match task.status {
                AsyncTaskStatus::Succeeded => task.response_value().map_or_else(
                    || "no response".to_string(),
                    |value| summarize_response(&value),
                ),
                _ => {
                    let mut parts = Vec::new();
                    if let Some(message) = &task.message {
                        parts.push(message.clone());
                    }
                    if let Some(errors) = &task.errors {
                        let list = errors.to_list();
                        if let Some(first) = list.first() {
                            parts.push(format!("{} error(s), first: {first}", list.len()));
                        }
                    }
                    parts.join("; ")
                }
            };
            (task.status.to_string(), detail)
        }
        Err(error @ Error::WaitTimedOut { last, .. }) => (
            "TIMED OUT".to_string(),
            format!("last status {}: {error}", last.status),
        ),
        Err(error @ Error::TaskNotFound { .. }) => ("NOT FOUND".to_string(), error.to_string()),
        Err(error) => ("ERROR".to_string(), error.to_string()),
    }
}

fn wait_json(waited: &Waited) -> Value {
    match &waited.result {
        Ok(task) => {
            let mut value = task_json(&waited.task_id, task);
            value["outcome"] = json!(match task.status {
                AsyncTaskStatus::Succeeded => "succeeded",
                _ => "failed",
            });
            value["polls"] = json!(waited.polls);
            value
        }
        Err(error) => {
            let (outcome, status) = match error {
                Error::WaitTimedOut { last, .. } => ("timedOut", Some(last.status.to_string())),
                Error::TaskNotFound { .. } => ("notFound", None),
                _ => ("error", None),
            };
            json!({
                "taskId": waited.task_id,
                "outcome": outcome,
                "status": status,
                "error": error.to_string(),
                "exitCode": Status::of_error(error).code(),
                "polls": waited.polls,
            })
        }
    }
}

fn task_json(task_id: &str, task: &AsyncTask) -> Value {
    let mut value = serde_json::to_value(task).unwrap_or_else(|_| json!({}));
    value["taskId"] = json!(task_id);
    value
}

/// Summarizes a task response: the length of each list, the value of other fields.
fn summarize_response(response: &Value) -> String {
    match response {
        Value::Object(map) if map.is_empty() => "{}".to_string(),
        Value::Object(map) => map
            .iter()
            .map(|(key, value)| match value {
                Value::Array(items) => format!("{key}: {} item(s)", items.len()),
                other => {
                    let text = other.to_string();
                    if text.chars().count() > 60 {
                        format!("{key}: {}…", text.chars().take(60).collect::<String>())
                    } else {
                        format!("{key}: {text}")
                    }
                }
            })
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn response_summary_counts_lists() {
        let text = summarize_response(&json!({"dnaSequences": [1, 2, 3], "note": "x"}));
        assert_eq!(text, "dnaSequences: 3 item(s), note: \"x\"");
        assert_eq!(summarize_response(&json!({})), "{}");
    }

    #[test]
    fn timed_out_wait_reports_last_status() {
        let waited = Waited {
            task_id: "t1".into(),
            polls: 3,
            result: Err(Error::WaitTimedOut {
                task_id: "t1".into(),
                waited: Duration::from_secs(2),
                attempts: 3,
                last: Box::new(AsyncTask::new(AsyncTaskStatus::Running)),
            }),
        };
        let (state, detail) = describe(&waited);
        assert_eq!(state, "TIMED OUT");
        assert!(detail.starts_with("last status RUNNING"), "{detail}");

        let value = wait_json(&waited);
        assert_eq!(value["outcome"], "timedOut");
        assert_eq!(value["exitCode"], 3);
    }
}
