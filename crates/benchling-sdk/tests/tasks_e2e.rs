//! End-to-end task behaviour against a scripted local server.

mod common;

use std::time::Duration;

use benchling_sdk::tasks::{
    AsyncTaskErrors, AsyncTaskStatus, EmptyTaskResponse, TaskHelper, TaskResponse,
};
use benchling_sdk::{Error, WaitOptions};
use common::{client, quick_wait, Expect, ScriptedServer};
use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

#[derive(Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
struct Created {
    dna_sequences: Vec<Sequence>,
}

#[derive(Debug, Deserialize, PartialEq)]
struct Sequence {
    id: String,
    length: u64,
}

impl TaskResponse for Created {}

const CREATE: &str = "/api/v2/dna-sequences:bulk-create";

fn accepted(task_id: &str) -> Expect {
    Expect::post(CREATE, 202, json!({"taskId": task_id}).to_string())
}

fn poll(task_id: &str, body: serde_json::Value) -> Expect {
    Expect::get(&format!("/api/v2/tasks/{task_id}"), 200, body.to_string())
}

async fn create<T: TaskResponse>(client: &benchling_sdk::Benchling) -> TaskHelper<T> {
    let body = json!({"dnaSequences": [{"name": "a", "bases": "ACGT"}]});
    client
        .start_task_at::<T, _>(Method::POST, "/dna-sequences:bulk-create", Some(&body))
        .await
        .unwrap()
}

#[tokio::test]
async fn success_with_typed_response() {
    let server = ScriptedServer::start(vec![
        accepted("t1").authorization("Basic c2tfdGVzdF9rZXk6"),
        poll("t1", json!({"status": "RUNNING"})),
        poll(
            "t1",
            json!({"status": "SUCCEEDED", "response": {"dnaSequences": [{"id": "seq_1", "length": 4}]}}),
        ),
    ])
    .await;
    let client = client(&server.url);

    let task = create::<Created>(&client).await;
    assert_eq!(task.task_id(), "t1");
    let created = task.wait_for_response_with(quick_wait()).await.unwrap();
    assert_eq!(
        created.dna_sequences,
        vec![Sequence {
            id: "seq_1".into(),
            length: 4
        }]
    );

    let received = server.received();
    let agent = received[0]
        .headers
        .get("user-agent")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(agent.starts_with("benchling-sdk-rust/"), "{agent}");
    let sent: serde_json::Value = serde_json::from_slice(&received[0].body).unwrap();
    assert_eq!(
        sent,
        json!({"dnaSequences": [{"name": "a", "bases": "ACGT"}]})
    );
    let content_type = received[0].headers.get("content-type").unwrap();
    assert_eq!(content_type, "application/json");
    server.finish();
}

#[tokio::test]
async fn empty_object_into_empty_response() {
    let server = ScriptedServer::start(vec![
        accepted("t2"),
        poll("t2", json!({"status": "SUCCEEDED", "response": {}})),
    ])
    .await;
    let client = client(&server.url);

    let completion = create::<EmptyTaskResponse>(&client)
        .await
        .wait_for_completion_with(quick_wait())
        .await
        .unwrap();
    assert!(completion.success);
    assert_eq!(completion.response, Some(EmptyTaskResponse));
    server.finish();
}

#[tokio::test]
async fn failure_with_error_list() {
    let server = ScriptedServer::start(vec![
        accepted("t3"),
        poll(
            "t3",
            json!({"status": "FAILED", "message": "Invalid request", "errors": [
                {"index": 0, "message": "Invalid base Z"},
                {"index": 3, "message": "Name is empty"}
            ]}),
        ),
    ])
    .await;
    let client = client(&server.url);

    let completion = create::<Created>(&client)
        .await
        .wait_for_completion()
        .await
        .unwrap();
    assert!(!completion.success);
    assert_eq!(completion.message.as_deref(), Some("Invalid request"));
    let errors = completion.errors.unwrap();
    assert_eq!(errors.len(), 2);
    assert_eq!(errors.to_list()[1]["index"], json!(3));
    assert!(completion.response.is_none());
    server.finish();
}

#[tokio::test]
async fn failure_with_error_object() {
    let server = ScriptedServer::start(vec![
        accepted("t4"),
        poll(
            "t4",
            json!({"status": "FAILED", "message": "m", "errors": {"detail": "x"}}),
        ),
    ])
    .await;
    let client = client(&server.url);

    let error = create::<Created>(&client)
        .await
        .wait_for_response()
        .await
        .unwrap_err();
    let failure = error.as_task_failure().expect("a task failure");
    assert!(matches!(failure.errors, AsyncTaskErrors::Object(_)));
    assert_eq!(failure.errors.len(), 1);
    assert!(error.to_string().contains("task t4 failed: m"), "{error}");
    server.finish();
}

#[tokio::test]
async fn failure_without_errors() {
    let server = ScriptedServer::start(vec![
        accepted("t5"),
        poll("t5", json!({"status": "FAILED"})),
    ])
    .await;
    let client = client(&server.url);

    let error = create::<Created>(&client)
        .await
        .wait_for_response()
        .await
        .unwrap_err();
    let Error::TaskFailed(failure) = error else {
        panic!("expected a task failure")
    };
    assert_eq!(failure.errors, AsyncTaskErrors::List(vec![]));
    assert_eq!(failure.message, None);
    server.finish();
}

#[tokio::test]
async fn unknown_status_keeps_waiting() {
    let server = ScriptedServer::start(vec![
        accepted("t6"),
        poll("t6", json!({"status": "QUEUED"})),
        poll("t6", json!({"status": "SUCCEEDED", "response": {}})),
    ])
    .await;
    let client = client(&server.url);

    let completion = create::<EmptyTaskResponse>(&client)
        .await
        .wait_for_completion_with(quick_wait())
        .await
        .unwrap();
    assert!(completion.success);
    server.finish();
}

#[tokio::test]
async fn timeout_reports_last_snapshot() {
    let running = json!({"status": "RUNNING", "progress": 0.5});
    let server = ScriptedServer::start(vec![
        accepted("t7"),
        poll("t7", running.clone()),
        poll("t7", running.clone()),
        poll("t7", running.clone()),
        poll("t7", running.clone()),
    ])
    .await;
    let client = client(&server.url);

    let options = WaitOptions::new()
        .interval(Duration::from_millis(100))
        .max_wait(Duration::from_millis(250));
    let error = create::<Created>(&client)
        .await
        .wait_for_completion_with(options)
        .await
        .unwrap_err();
    let Error::WaitTimedOut {
        task_id,
        waited,
        attempts,
        last,
    } = &error
    else {
        panic!("expected a timeout, got {error:?}")
    };
    assert_eq!(task_id, "t7");
    assert_eq!(*attempts, 4);
    assert!(*waited >= Duration::from_millis(250), "{waited:?}");
    assert_eq!(last.status, AsyncTaskStatus::Running);
    assert_eq!(last.extra.get("progress"), Some(&json!(0.5)));
    server.finish();
}

#[tokio::test]
async fn not_found_after_expiry() {
    let server = ScriptedServer::start(vec![
        accepted("t8"),
        Expect::get(
            "/api/v2/tasks/t8",
            404,
            json!({"error": {"message": "Task not found", "type": "invalid_request_error", "userMessage": "Not found"}})
                .to_string(),
        ),
    ])
    .await;
    let client = client(&server.url);

    let error = create::<Created>(&client)
        .await
        .wait_for_response()
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::TaskNotFound { task_id } if task_id == "t8"),
        "{error:?}"
    );
    assert!(error.to_string().contains("30 minutes"), "{error}");
    server.finish();
}

#[tokio::test]
async fn too_many_requests_with_reset_header_is_retried() {
    let limited = json!({"error": {"message": "Rate limit exceeded.", "type": "invalid_request_error", "userMessage": "Rate limit exceeded."}});
    let server = ScriptedServer::start(vec![
        accepted("t9"),
        Expect::get("/api/v2/tasks/t9", 429, limited.to_string())
            .header("x-rate-limit-limit", "60")
            .header("x-rate-limit-remaining", "0")
            .header("x-rate-limit-reset", "0.2"),
        poll("t9", json!({"status": "SUCCEEDED", "response": {}})),
    ])
    .await;
    let client = client(&server.url);

    let task = create::<EmptyTaskResponse>(&client).await;
    task.wait_for_response_with(quick_wait()).await.unwrap();

    let arrivals = server.arrival_seconds();
    assert!(
        arrivals[2] - arrivals[1] >= 0.2,
        "retry came after {:?}",
        arrivals[2] - arrivals[1]
    );
    let limit = client.rate_limit().expect("rate-limit headers were seen");
    assert_eq!(limit.limit, Some(60));
    server.finish();
}

#[tokio::test]
async fn too_many_requests_without_headers_is_retried() {
    let server = ScriptedServer::start(vec![
        accepted("t10"),
        Expect::get("/api/v2/tasks/t10", 429, "{}"),
        Expect::get("/api/v2/tasks/t10", 429, "{}"),
        poll("t10", json!({"status": "SUCCEEDED", "response": {}})),
    ])
    .await;
    let client = client(&server.url);

    create::<EmptyTaskResponse>(&client)
        .await
        .wait_for_response_with(quick_wait())
        .await
        .unwrap();
    server.finish();
}

#[tokio::test]
async fn bad_gateway_html_is_kept_raw() {
    let html = "<html><body><h1>502 Bad Gateway</h1></body></html>";
    let gateway =
        || Expect::get("/api/v2/tasks/t11", 502, html).header("content-type", "text/html");
    let server = ScriptedServer::start(vec![
        accepted("t11"),
        gateway(),
        gateway(),
        gateway(),
        gateway(),
        gateway(),
    ])
    .await;
    let client = client(&server.url);

    let error = create::<Created>(&client)
        .await
        .wait_for_response_with(quick_wait())
        .await
        .unwrap_err();
    let api = error.as_api().expect("an API error");
    assert_eq!(api.status.as_u16(), 502);
    assert!(api.body.is_none());
    assert_eq!(api.raw.as_deref(), Some(html));
    assert!(error.to_string().contains("502 Bad Gateway"), "{error}");
    server.finish();
}

#[tokio::test]
async fn malformed_json_is_a_decode_error() {
    let server = ScriptedServer::start(vec![
        accepted("t12"),
        Expect::get("/api/v2/tasks/t12", 200, r#"{"status": "RUNN"#),
    ])
    .await;
    let client = client(&server.url);

    let error = create::<Created>(&client)
        .await
        .wait_for_response()
        .await
        .unwrap_err();
    let Error::Decode(decode) = &error else {
        panic!("expected a decode error, got {error:?}")
    };
    assert!(decode.context.contains("/api/v2/tasks/t12"), "{error}");
    assert!(decode.excerpt.contains("RUNN"), "{error}");
    server.finish();
}

#[tokio::test]
async fn legacy_rate_limit_headers_are_read() {
    let server = ScriptedServer::start(vec![Expect::get(
        "/api/v2/tasks/t13",
        200,
        r#"{"status":"RUNNING"}"#,
    )
    .header("x-ratelimit-limit", "300")
    .header("x-ratelimit-remaining", "299")
    .header("x-ratelimit-reset", "30")])
    .await;
    let client = client(&server.url);

    client.tasks().get("t13").await.unwrap();
    let limit = client.rate_limit().unwrap();
    assert_eq!((limit.limit, limit.remaining), (Some(300), Some(299)));
    assert_eq!(limit.reset, Some(Duration::from_secs(30)));
    server.finish();
}

#[tokio::test]
async fn task_ids_are_percent_encoded() {
    let server = ScriptedServer::start(vec![Expect::get(
        "/api/v2/tasks/t%3A1%C3%A9",
        200,
        r#"{"status":"RUNNING"}"#,
    )])
    .await;
    let client = client(&server.url);

    let task = client.tasks().get("t:1é").await.unwrap();
    assert_eq!(task.status, AsyncTaskStatus::Running);
    server.finish();
}

#[tokio::test]
async fn bad_task_ids_are_rejected_without_a_request() {
    let server = ScriptedServer::start(vec![]).await;
    let client = client(&server.url);

    for bad in ["", "a/b", "a b", "x\ny"] {
        let error = client.tasks().get(bad).await.unwrap_err();
        assert!(
            matches!(
                error,
                Error::InvalidInput {
                    name: "task id",
                    ..
                }
            ),
            "{bad:?}: {error:?}"
        );
        assert!(TaskHelper::<EmptyTaskResponse>::from_task_id(&client, bad).is_err());
    }
    server.finish();
}

#[tokio::test]
async fn create_rejected_with_error_body() {
    let body = json!({"error": {"message": "Missing field dnaSequences", "type": "invalid_request_error", "userMessage": "dnaSequences is required"}});
    let server = ScriptedServer::start(vec![Expect::post(CREATE, 400, body.to_string())]).await;
    let client = client(&server.url);

    let error = client
        .start_task_at::<Created, _>(Method::POST, "/dna-sequences:bulk-create", Some(&json!({})))
        .await
        .unwrap_err();
    let api = error.as_api().unwrap();
    assert_eq!(api.status.as_u16(), 400);
    assert_eq!(
        api.body.as_ref().unwrap().error.kind.as_deref(),
        Some("invalid_request_error")
    );
    assert!(
        error.to_string().contains("dnaSequences is required"),
        "{error}"
    );
    server.finish();
}

#[tokio::test]
async fn post_is_not_retried_after_transport_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let client = client(&url);

    let error = client
        .start_task_at::<Created, _>(Method::POST, "/dna-sequences:bulk-create", Some(&json!({})))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    assert!(error.to_string().contains(&url), "{error}");
    assert!(
        error
            .to_string()
            .to_lowercase()
            .contains("connection refused"),
        "{error}"
    );
}

#[tokio::test]
async fn snapshot_stream_shows_progress() {
    use futures::StreamExt;

    let server = ScriptedServer::start(vec![
        accepted("t14"),
        poll("t14", json!({"status": "RUNNING"})),
        poll("t14", json!({"status": "SUCCEEDED", "response": {}})),
    ])
    .await;
    let client = client(&server.url);

    let task = create::<EmptyTaskResponse>(&client).await;
    let statuses: Vec<AsyncTaskStatus> = task
        .snapshots(quick_wait())
        .map(|snapshot| snapshot.unwrap().status)
        .collect()
        .await;
    assert_eq!(
        statuses,
        vec![AsyncTaskStatus::Running, AsyncTaskStatus::Succeeded]
    );
    server.finish();
}

#[tokio::test]
async fn beta_endpoint_task_polls_stable_endpoint() {
    let server = ScriptedServer::start(vec![
        Expect::post(
            "/api/v2-beta/widgets:bulk-create",
            202,
            json!({"taskId": "t15"}).to_string(),
        ),
        poll(
            "t15",
            json!({"status": "SUCCEEDED", "response": {"widgets": []}}),
        ),
    ])
    .await;
    let client = client(&server.url);

    let task = client
        .start_task_at::<serde_json::Value, _>(
            Method::POST,
            "/api/v2-beta/widgets:bulk-create",
            Some(&json!({})),
        )
        .await
        .unwrap();
    let response = task.wait_for_response_with(quick_wait()).await.unwrap();
    assert_eq!(response, json!({"widgets": []}));
    server.finish();
}

#[tokio::test]
async fn send_json_reaches_other_endpoints() {
    let server = ScriptedServer::start(vec![Expect::get(
        "/api/v2/dna-sequences/seq_1",
        200,
        json!({"id": "seq_1"}).to_string(),
    )])
    .await;
    let client = client(&server.url);

    let sequence = client
        .send_json::<()>(Method::GET, "/dna-sequences/seq_1", None)
        .await
        .unwrap();
    assert_eq!(sequence["id"], "seq_1");
    server.finish();
}
