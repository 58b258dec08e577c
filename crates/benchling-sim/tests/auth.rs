//! Authentication: API keys, OAuth2 client credentials, bearer tokens and their expiry.

mod common;

use std::time::Duration;

use common::{error_message, http};
use reqwest::StatusCode;
use serde_json::Value;

const UNKNOWN_TASK: &str = "/api/v2/tasks/00000000-0000-0000-0000-000000000000";

#[tokio::test]
async fn api_key_is_accepted() {
    let simulator = common::start().await;
    let response = http()
        .get(format!("{}{UNKNOWN_TASK}", simulator.base_url()))
        .basic_auth(simulator.api_key(), Some(""))
        .send()
        .await
        .unwrap();
    // Authenticated requests reach the route, which does not know the task.
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn missing_or_wrong_credentials_get_401() {
    let simulator = common::start().await;
    let url = format!("{}{UNKNOWN_TASK}", simulator.base_url());
    let requests = [
        http().get(&url),
        http().get(&url).basic_auth("wrong_key", Some("")),
        http().get(&url).bearer_auth("not_issued"),
        http().get(&url).header("authorization", "Digest abc"),
        http().get(&url).header("authorization", "Basic %%%"),
    ];
    for request in requests {
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        let body: Value = response.json().await.unwrap();
        let message = error_message(&body);
        assert!(
            !message.contains("wrong_key"),
            "the key is echoed: {message}"
        );
        assert_eq!(body["error"]["type"], "invalid_request_error");
    }
}

async fn request_token(
    simulator: &benchling_sim::Simulator,
    id: &str,
    secret: &str,
) -> reqwest::Response {
    http()
        .post(format!("{}/api/v2/token", simulator.base_url()))
        .basic_auth(id, Some(secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn client_credentials_issue_working_token() {
    let simulator = common::start().await;
    let response =
        request_token(&simulator, simulator.client_id(), simulator.client_secret()).await;
    assert_eq!(response.status(), StatusCode::OK);
    let token: Value = response.json().await.unwrap();
    assert_eq!(token["token_type"], "Bearer");
    assert_eq!(token["expires_in"], 3600);
    let access_token = token["access_token"].as_str().unwrap();

    let response = http()
        .get(format!("{}{UNKNOWN_TASK}", simulator.base_url()))
        .bearer_auth(access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn token_expires_in_real_seconds() {
    let simulator = common::builder()
        .time_scale(60.0)
        .token_lifetime(Duration::from_secs(600))
        .start()
        .await
        .unwrap();
    let token: Value = request_token(&simulator, simulator.client_id(), simulator.client_secret())
        .await
        .json()
        .await
        .unwrap();
    // 600 simulated seconds at 60x are 10 real seconds.
    assert_eq!(token["expires_in"], 10);
}

#[tokio::test]
async fn expired_token_gets_401() {
    let simulator = common::builder()
        .token_lifetime(Duration::from_secs(60))
        .start()
        .await
        .unwrap();
    let token: Value = request_token(&simulator, simulator.client_id(), simulator.client_secret())
        .await
        .json()
        .await
        .unwrap();
    simulator.advance_time(Duration::from_secs(61));

    let response = http()
        .get(format!("{}{UNKNOWN_TASK}", simulator.base_url()))
        .bearer_auth(token["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let message = error_message(&response.json().await.unwrap());
    assert!(message.contains("expired"), "{message}");
}

#[tokio::test]
async fn wrong_client_secret_gets_401() {
    let simulator = common::start().await;
    let response = request_token(&simulator, simulator.client_id(), "wrong").await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    error_message(&response.json().await.unwrap());
}

#[tokio::test]
async fn token_request_needs_client_credentials_grant() {
    let simulator = common::start().await;
    let response = http()
        .post(format!("{}/api/v2/token", simulator.base_url()))
        .basic_auth(simulator.client_id(), Some(simulator.client_secret()))
        .form(&[("grant_type", "password")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let message = error_message(&response.json().await.unwrap());
    assert!(message.contains("password"), "{message}");
}

#[tokio::test]
async fn form_fields_carry_client_credentials() {
    let simulator = common::start().await;
    let response = http()
        .post(format!("{}/api/v2/token", simulator.base_url()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", simulator.client_id()),
            ("client_secret", simulator.client_secret()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn static_bearer_token_is_accepted() {
    let simulator = common::builder()
        .bearer_token("fixed-token")
        .start()
        .await
        .unwrap();
    let response = http()
        .get(format!("{}{UNKNOWN_TASK}", simulator.base_url()))
        .bearer_auth("fixed-token")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}
