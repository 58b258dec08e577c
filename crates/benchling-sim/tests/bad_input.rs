//! Bad requests get Benchling's error body and the right status, never a crash.

mod common;

use common::{dna, error_message, Api};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn expect_error(response: reqwest::Response, status: StatusCode) -> String {
    assert_eq!(response.status(), status);
    let body: Value = response.json().await.expect("error body is JSON");
    error_message(&body)
}

#[tokio::test]
async fn wrong_method_gets_405() {
    let simulator = common::start().await;
    let api = Api::new(&simulator);

    let response = api
        .request(Method::GET, "/dna-sequences:bulk-create")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["allow"], "POST");
    expect_error(response, StatusCode::METHOD_NOT_ALLOWED).await;

    let response = api
        .request(Method::DELETE, "/tasks/abc")
        .send()
        .await
        .unwrap();
    expect_error(response, StatusCode::METHOD_NOT_ALLOWED).await;
}

#[tokio::test]
async fn wrong_content_type_gets_415() {
    let simulator = common::start().await;
    let api = Api::new(&simulator);
    let response = api
        .request(Method::POST, "/dna-sequences:bulk-create")
        .header("content-type", "text/plain")
        .body(json!({ "dnaSequences": [] }).to_string())
        .send()
        .await
        .unwrap();
    let message = expect_error(response, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
    assert!(message.contains("text/plain"), "{message}");
}

#[tokio::test]
async fn invalid_json_gets_400() {
    let simulator = common::start().await;
    let api = Api::new(&simulator);
    for body in ["{\"dnaSequences\": [", "", "[1, 2]", "\"text\""] {
        let response = api
            .request(Method::POST, "/dna-sequences:bulk-create")
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        expect_error(response, StatusCode::BAD_REQUEST).await;
    }
}

#[tokio::test]
async fn missing_required_field_is_named() {
    let simulator = common::start().await;
    let api = Api::new(&simulator);

    let response = api.post("/dna-sequences:bulk-create", &json!({})).await;
    let message = expect_error(response, StatusCode::BAD_REQUEST).await;
    assert!(message.contains("dnaSequences"), "{message}");

    let body = json!({ "dnaSequences": [dna("a", "ACGT"), { "name": "b", "bases": "ACGT" }] });
    let response = api.post("/dna-sequences:bulk-create", &body).await;
    let message = expect_error(response, StatusCode::BAD_REQUEST).await;
    assert!(
        message.contains("isCircular") && message.contains("dnaSequences[1]"),
        "{message}"
    );

    let response = api.post("/exports", &json!({ "format": "pdf" })).await;
    let message = expect_error(response, StatusCode::BAD_REQUEST).await;
    assert!(message.contains("id"), "{message}");
}

#[tokio::test]
async fn too_many_items_get_400() {
    let simulator = common::start().await;
    let api = Api::new(&simulator);
    let items = vec![dna("a", "ACGT"); 1001];
    let response = api
        .post(
            "/dna-sequences:bulk-create",
            &json!({ "dnaSequences": items }),
        )
        .await;
    let message = expect_error(response, StatusCode::BAD_REQUEST).await;
    assert!(
        message.contains("1001") && message.contains("1000"),
        "{message}"
    );
}

#[tokio::test]
async fn huge_body_gets_413() {
    let simulator = common::builder()
        .max_body_bytes(1024)
        .start()
        .await
        .unwrap();
    let api = Api::new(&simulator);
    let body = json!({ "dnaSequences": [dna("a", &"A".repeat(2048))] });
    let response = api.post("/dna-sequences:bulk-create", &body).await;
    expect_error(response, StatusCode::PAYLOAD_TOO_LARGE).await;
}

#[tokio::test]
async fn unknown_routes_get_404() {
    let simulator = common::start().await;
    let api = Api::new(&simulator);

    let response = api
        .request(Method::GET, "/no-such-thing")
        .send()
        .await
        .unwrap();
    expect_error(response, StatusCode::NOT_FOUND).await;

    let response = api
        .http
        .get(api.url("/api/v3/tasks/x"))
        .send()
        .await
        .unwrap();
    expect_error(response, StatusCode::NOT_FOUND).await;

    let response = api.http.get(api.url("/_sim/nothing")).send().await.unwrap();
    expect_error(response, StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn server_survives_bad_requests() {
    let simulator = common::start().await;
    let api = Api::new(&simulator);
    let response = api
        .request(Method::POST, "/dna-sequences:bulk-create")
        .header("content-type", "application/json")
        .body(vec![0xff, 0xfe, 0x00])
        .send()
        .await
        .unwrap();
    expect_error(response, StatusCode::BAD_REQUEST).await;

    let task = api
        .run_task(
            "/dna-sequences:bulk-create",
            &json!({ "dnaSequences": [dna("a", "ACGT")] }),
        )
        .await;
    assert_eq!(task["status"], "SUCCEEDED");
}
