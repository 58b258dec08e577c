//! Waiting on many tasks, and saved task state, against a local task server.

mod common;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use benchling_sdk::tasks::{
    try_wait_all, wait_all, wait_each, EmptyTaskResponse, SavedTask, TaskHelper, WaitAllOptions,
};
use benchling_sdk::{Benchling, Error, WaitOptions};
use futures::StreamExt;
use serde_json::{json, Value};

/// Serves `GET /api/v2/tasks/{id}` from a queue of responses per task; the last one repeats.
#[derive(Clone, Default)]
struct TaskServer {
    answers: Arc<Mutex<HashMap<String, Vec<Value>>>>,
    unexpected: Arc<Mutex<Vec<String>>>,
    in_flight: Arc<AtomicUsize>,
    max_in_flight: Arc<AtomicUsize>,
    delay: Duration,
}

impl TaskServer {
    fn with(tasks: &[(&str, Vec<Value>)]) -> Self {
        let server = TaskServer::default();
        for (id, answers) in tasks {
            server
                .answers
                .lock()
                .unwrap()
                .insert(id.to_string(), answers.clone());
        }
        server
    }

    async fn start(self) -> (String, TaskServer) {
        let app = Router::new()
            .route("/api/v2/tasks/{id}", get(answer))
            .with_state(self.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (url, self)
    }

    fn assert_no_unexpected(&self) {
        assert!(
            self.unexpected.lock().unwrap().is_empty(),
            "{:?}",
            self.unexpected.lock().unwrap()
        );
    }
}

async fn answer(State(server): State<TaskServer>, Path(id): Path<String>) -> (StatusCode, String) {
    let now = server.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    server.max_in_flight.fetch_max(now, Ordering::SeqCst);
    tokio::time::sleep(server.delay).await;
    server.in_flight.fetch_sub(1, Ordering::SeqCst);

    let mut answers = server.answers.lock().unwrap();
    let Some(queue) = answers.get_mut(&id) else {
        server.unexpected.lock().unwrap().push(id);
        return (StatusCode::INTERNAL_SERVER_ERROR, "unexpected task".into());
    };
    let next = if queue.len() > 1 {
        queue.remove(0)
    } else {
        queue[0].clone()
    };
    (StatusCode::OK, next.to_string())
}

fn running() -> Value {
    json!({"status": "RUNNING"})
}

fn done() -> Value {
    json!({"status": "SUCCEEDED", "response": {}})
}

fn failed() -> Value {
    json!({"status": "FAILED", "message": "bad item", "errors": [{"index": 0, "message": "x"}]})
}

fn helpers(client: &Benchling, ids: &[&str]) -> Vec<TaskHelper<EmptyTaskResponse>> {
    ids.iter()
        .map(|id| TaskHelper::from_task_id(client, *id).unwrap())
        .collect()
}

fn fast_options() -> WaitAllOptions {
    WaitAllOptions::new(
        WaitOptions::new()
            .interval(Duration::from_millis(10))
            .max_wait(Duration::from_secs(5)),
    )
}

#[tokio::test]
async fn wait_all_keeps_input_order() {
    let (url, server) = TaskServer::with(&[
        ("t1", vec![running(), running(), running(), done()]),
        ("t2", vec![failed()]),
        ("t3", vec![done()]),
    ])
    .start()
    .await;
    let client = common::client(&url);
    let tasks = helpers(&client, &["t1", "t2", "t3"]);

    let outcomes = wait_all(&tasks, &fast_options()).await;
    assert_eq!(outcomes.len(), 3);
    let completions: Vec<_> = outcomes.into_iter().map(Result::unwrap).collect();
    assert_eq!(completions[0].task_id, "t1");
    assert!(completions[0].success);
    assert!(!completions[1].success);
    assert_eq!(completions[1].message.as_deref(), Some("bad item"));
    assert!(completions[2].success);
    server.assert_no_unexpected();
}

#[tokio::test]
async fn try_wait_all_stops_at_first_failure() {
    let (url, server) = TaskServer::with(&[("t1", vec![running()]), ("t2", vec![failed()])])
        .start()
        .await;
    let client = common::client(&url);
    let tasks = helpers(&client, &["t1", "t2"]);

    let started = std::time::Instant::now();
    let error = try_wait_all(&tasks, &fast_options()).await.unwrap_err();
    let failure = error.as_task_failure().expect("a task failure");
    assert_eq!(failure.task_id, "t2");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "it waited for t1's deadline"
    );
    server.assert_no_unexpected();
}

#[tokio::test]
async fn wait_each_yields_in_completion_order() {
    let (url, server) = TaskServer::with(&[
        (
            "slow",
            vec![running(), running(), running(), running(), done()],
        ),
        ("fast", vec![done()]),
    ])
    .start()
    .await;
    let client = common::client(&url);
    let tasks = helpers(&client, &["slow", "fast"]);

    let order: Vec<usize> = wait_each(&tasks, &fast_options())
        .map(|(index, outcome)| {
            assert!(outcome.unwrap().success);
            index
        })
        .collect()
        .await;
    assert_eq!(order, vec![1, 0]);
    server.assert_no_unexpected();
}

#[tokio::test]
async fn polls_in_flight_are_bounded() {
    let ids: Vec<String> = (0..20).map(|i| format!("t{i}")).collect();
    let mut server = TaskServer::with(
        &ids.iter()
            .map(|id| (id.as_str(), vec![running(), done()]))
            .collect::<Vec<_>>(),
    );
    server.delay = Duration::from_millis(30);
    let (url, server) = server.start().await;
    let client = common::client(&url);
    let tasks = helpers(&client, &ids.iter().map(String::as_str).collect::<Vec<_>>());

    let outcomes = wait_all(&tasks, &fast_options().max_polls_in_flight(4)).await;
    assert!(outcomes
        .iter()
        .all(|outcome| outcome.as_ref().unwrap().success));
    assert_eq!(server.max_in_flight.load(Ordering::SeqCst), 4);
    server.assert_no_unexpected();
}

#[tokio::test]
async fn saved_state_keeps_deadline() {
    let (url, server) = TaskServer::with(&[("t1", vec![running()])]).start().await;
    let client = common::client(&url);

    let deadline = SystemTime::now() + Duration::from_millis(300);
    let task = TaskHelper::<EmptyTaskResponse>::from_task_id(&client, "t1")
        .unwrap()
        .with_deadline(deadline);
    let saved = serde_json::to_string(&task.saved()).unwrap();

    let restored: SavedTask = serde_json::from_str(&saved).unwrap();
    let resumed = TaskHelper::<EmptyTaskResponse>::restore(&client, &restored).unwrap();
    assert_eq!(resumed.task_id(), "t1");

    let started = std::time::Instant::now();
    let options = WaitOptions::new().interval(Duration::from_millis(20));
    let error = resumed.wait_for_completion_with(options).await.unwrap_err();
    assert!(matches!(error, Error::WaitTimedOut { .. }), "{error:?}");
    let waited = started.elapsed();
    assert!(
        waited < Duration::from_secs(2),
        "the saved deadline was not kept: {waited:?}"
    );
    server.assert_no_unexpected();
}

#[tokio::test]
async fn restore_rejects_other_response_type() {
    let client = common::client("http://127.0.0.1:9");
    let task = TaskHelper::<EmptyTaskResponse>::from_task_id(&client, "t1").unwrap();
    let error = TaskHelper::<Value>::restore(&client, &task.saved()).unwrap_err();
    assert!(matches!(error, Error::InvalidInput { .. }), "{error:?}");
    assert!(error.to_string().contains("EmptyTaskResponse"), "{error}");
}
