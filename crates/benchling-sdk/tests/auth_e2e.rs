//! Authentication end to end: OAuth2 token cache and renewal, bearer tokens.

mod common;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use benchling_sdk::tasks::{AsyncTaskStatus, EmptyTaskResponse};
use benchling_sdk::{Benchling, Error, GovernorConfig, WaitOptions};
use common::{fast_retry, Expect, ScriptedServer};
use serde_json::json;

const TOKEN: &str = "/api/v2/token";
// base64("app_1:cs_secret")
const APP_BASIC: &str = "Basic YXBwXzE6Y3Nfc2VjcmV0";

fn token(access_token: &str, expires_in: u64) -> Expect {
    Expect::post(
        TOKEN,
        200,
        json!({"access_token": access_token, "token_type": "Bearer", "expires_in": expires_in})
            .to_string(),
    )
    .authorization(APP_BASIC)
}

fn poll(status: &str, bearer: &str) -> Expect {
    let body = match status {
        "SUCCEEDED" => json!({"status": status, "response": {}}),
        _ => json!({"status": status}),
    };
    Expect::get("/api/v2/tasks/t1", 200, body.to_string())
        .authorization(&format!("Bearer {bearer}"))
}

fn app_client(url: &str) -> Benchling {
    Benchling::builder()
        .tenant_url(url)
        .client_credentials("app_1", "cs_secret")
        .retry(fast_retry())
        .governor(GovernorConfig::disabled())
        .build()
        .unwrap()
}

#[tokio::test]
async fn token_renewed_during_long_wait() {
    let server = ScriptedServer::start(vec![
        token("A", 2),
        poll("RUNNING", "A"),
        poll("RUNNING", "A"),
        token("B", 2),
        poll("SUCCEEDED", "B"),
    ])
    .await;
    let client = app_client(&server.url);

    let task = client.tasks().helper::<EmptyTaskResponse>("t1").unwrap();
    let options = WaitOptions::new()
        .interval(Duration::from_millis(600))
        .max_wait(Duration::from_secs(10));
    task.wait_for_response_with(options).await.unwrap();

    let form = &server.received()[0].body;
    assert_eq!(form.as_ref(), b"grant_type=client_credentials");
    server.finish();
}

#[tokio::test]
async fn rejected_token_is_renewed_once() {
    let unauthorized =
        json!({"error": {"message": "Token expired", "type": "invalid_request_error"}});
    let server = ScriptedServer::start(vec![
        token("A", 3600),
        Expect::get("/api/v2/tasks/t1", 401, unauthorized.to_string()).authorization("Bearer A"),
        token("B", 3600),
        poll("SUCCEEDED", "B"),
    ])
    .await;
    let client = app_client(&server.url);

    let snapshot = client.tasks().get("t1").await.unwrap();
    assert_eq!(snapshot.status, AsyncTaskStatus::Succeeded);
    server.finish();
}

#[tokio::test]
async fn second_rejection_is_returned() {
    let unauthorized =
        json!({"error": {"message": "Invalid token", "type": "invalid_request_error"}});
    let server = ScriptedServer::start(vec![
        token("A", 3600),
        Expect::get("/api/v2/tasks/t1", 401, unauthorized.to_string()),
        token("B", 3600),
        Expect::get("/api/v2/tasks/t1", 401, unauthorized.to_string()),
    ])
    .await;
    let client = app_client(&server.url);

    let error = client.tasks().get("t1").await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401));
    assert!(error.to_string().contains("client credentials"), "{error}");
    server.finish();
}

#[tokio::test]
async fn concurrent_calls_share_one_token_request() {
    let mut expected = vec![token("A", 3600)];
    expected.extend((0..5).map(|_| poll("RUNNING", "A")));
    let server = ScriptedServer::start(expected).await;
    let client = app_client(&server.url);

    let polls = (0..5).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.tasks().get("t1").await })
    });
    for poll in polls {
        poll.await.unwrap().unwrap();
    }
    server.finish();
}

#[tokio::test]
async fn token_endpoint_failure_is_typed_and_redacted() {
    let server = ScriptedServer::start(vec![Expect::post(
        TOKEN,
        401,
        json!({"error": {"message": "Invalid client", "type": "invalid_client"}}).to_string(),
    )])
    .await;
    let client = app_client(&server.url);

    let error = client.tasks().get("t1").await.unwrap_err();
    let Error::Token {
        status, message, ..
    } = &error
    else {
        panic!("expected a token error, got {error:?}")
    };
    assert_eq!(*status, 401);
    assert_eq!(message, "Invalid client");
    assert!(!error.to_string().contains("cs_secret"), "{error}");
    assert!(!format!("{error:?}").contains("cs_secret"));
    server.finish();
}

#[tokio::test]
async fn static_bearer_token() {
    let server = ScriptedServer::start(vec![poll("RUNNING", "tok_static")]).await;
    let client = Benchling::builder()
        .tenant_url(&server.url)
        .bearer_token("tok_static")
        .build()
        .unwrap();

    client.tasks().get("t1").await.unwrap();
    server.finish();
}

#[tokio::test]
async fn bearer_token_callback_runs_per_request() {
    let server =
        ScriptedServer::start(vec![poll("RUNNING", "tok_1"), poll("RUNNING", "tok_2")]).await;
    let calls = Arc::new(AtomicU32::new(0));
    let counter = calls.clone();
    let client = Benchling::builder()
        .tenant_url(&server.url)
        .bearer_token_provider(move || {
            let call = counter.fetch_add(1, Ordering::SeqCst) + 1;
            format!("tok_{call}").into()
        })
        .build()
        .unwrap();

    client.tasks().get("t1").await.unwrap();
    client.tasks().get("t1").await.unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    server.finish();
}
