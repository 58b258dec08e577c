//! Injected faults: error statuses, HTML proxy pages, dropped connections, broken
//! JSON, slow responses, scopes and seeded rates.

mod common;

use std::time::Duration;

use benchling_sim::{Fault, FaultRule, FaultScope, Simulator};
use common::{dna, Api};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const UNKNOWN_TASK: &str = "/tasks/00000000-0000-0000-0000-000000000000";

async fn simulator_with(rule: FaultRule) -> Simulator {
    common::builder().fault(rule).start().await.unwrap()
}

async fn poll_unknown(api: &Api<'_>) -> Result<reqwest::Response, reqwest::Error> {
    api.request(Method::GET, UNKNOWN_TASK).send().await
}

#[tokio::test]
async fn status_faults_fire_on_schedule() {
    let cases = [
        (
            Fault::TooManyRequests,
            StatusCode::TOO_MANY_REQUESTS,
            "application/json",
        ),
        (
            Fault::InternalServerError,
            StatusCode::INTERNAL_SERVER_ERROR,
            "application/json",
        ),
        (Fault::BadGateway, StatusCode::BAD_GATEWAY, "text/html"),
        (
            Fault::ServiceUnavailable,
            StatusCode::SERVICE_UNAVAILABLE,
            "application/json",
        ),
        (
            Fault::GatewayTimeout,
            StatusCode::GATEWAY_TIMEOUT,
            "text/html",
        ),
    ];
    for (fault, status, content_type) in cases {
        let simulator = simulator_with(FaultRule::on_requests(
            fault.clone(),
            [2],
            FaultScope::AllRoutes,
        ))
        .await;
        let api = Api::new(&simulator);

        assert_eq!(
            poll_unknown(&api).await.unwrap().status(),
            StatusCode::NOT_FOUND,
            "{fault}"
        );
        let response = poll_unknown(&api).await.unwrap();
        assert_eq!(response.status(), status, "{fault}");
        assert_eq!(response.headers()["content-type"], content_type, "{fault}");
        let body = response.text().await.unwrap();
        if content_type == "text/html" {
            assert!(body.starts_with("<html>"), "{fault}: {body}");
        } else {
            let body: Value = serde_json::from_str(&body).unwrap();
            common::error_message(&body);
        }
        assert_eq!(
            poll_unknown(&api).await.unwrap().status(),
            StatusCode::NOT_FOUND,
            "{fault}"
        );
        assert_eq!(simulator.stats().faults_injected, 1, "{fault}");
    }
}

#[tokio::test]
async fn dropped_connection_gets_no_response() {
    let simulator = simulator_with(FaultRule::on_requests(
        Fault::DropConnection,
        [1],
        FaultScope::AllRoutes,
    ))
    .await;
    let api = Api::new(&simulator);

    let error = poll_unknown(&api).await.expect_err("connection is dropped");
    assert!(!error.is_status(), "{error}");
    assert_eq!(
        poll_unknown(&api).await.unwrap().status(),
        StatusCode::NOT_FOUND
    );

    let stats = simulator.stats();
    assert_eq!(stats.dropped_connections, 1);
    assert_eq!(stats.count("GET /api/v2/tasks/{task_id}", 0), 1);
}

#[tokio::test]
async fn truncated_and_malformed_json_do_not_parse() {
    for fault in [Fault::TruncatedJson, Fault::MalformedJson] {
        let simulator = simulator_with(FaultRule::on_requests(
            fault.clone(),
            [2],
            FaultScope::AllRoutes,
        ))
        .await;
        let api = Api::new(&simulator);
        let task_id = api
            .start_task(
                "/dna-sequences:bulk-create",
                &json!({ "dnaSequences": [dna("a", "ACGT")] }),
            )
            .await;

        let response = api
            .request(Method::GET, &format!("/tasks/{task_id}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{fault}");
        let text = response.text().await.unwrap();
        assert!(
            serde_json::from_str::<Value>(&text).is_err(),
            "{fault}: {text}"
        );

        let (_, task) = api.poll(&task_id).await;
        assert_eq!(task["status"], "RUNNING", "{fault}");
    }
}

#[tokio::test]
async fn poll_scope_spares_task_creation() {
    let rule = FaultRule::on_requests(Fault::ServiceUnavailable, [1, 2], FaultScope::TaskPolls);
    let simulator = simulator_with(rule).await;
    let api = Api::new(&simulator);

    // Creation is not a poll, so it is neither counted nor hit.
    let task_id = api
        .start_task(
            "/dna-sequences:bulk-create",
            &json!({ "dnaSequences": [dna("a", "ACGT")] }),
        )
        .await;
    let polls: Vec<u16> = {
        let mut statuses = Vec::new();
        for _ in 0..3 {
            let response = api
                .request(Method::GET, &format!("/tasks/{task_id}"))
                .send()
                .await
                .unwrap();
            statuses.push(response.status().as_u16());
        }
        statuses
    };
    assert_eq!(polls, [503, 503, 200]);
}

#[tokio::test]
async fn slow_fault_delays_response() {
    // 60 simulated seconds at 200x are 300 real milliseconds.
    let rule = FaultRule::on_requests(
        Fault::Slow(Duration::from_secs(60)),
        [1],
        FaultScope::AllRoutes,
    );
    let simulator = common::builder()
        .time_scale(200.0)
        .fault(rule)
        .start()
        .await
        .unwrap();
    let api = Api::new(&simulator);

    let started = std::time::Instant::now();
    assert_eq!(
        poll_unknown(&api).await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn client_timeout_sees_slow_response() {
    let rule = FaultRule::on_requests(
        Fault::Slow(Duration::from_secs(30)),
        [1],
        FaultScope::AllRoutes,
    );
    let simulator = simulator_with(rule).await;
    let api = Api::new(&simulator);
    let error = api
        .request(Method::GET, UNKNOWN_TASK)
        .timeout(Duration::from_millis(200))
        .send()
        .await
        .expect_err("the response comes after the timeout");
    assert!(error.is_timeout(), "{error}");
}

#[tokio::test]
async fn probability_faults_repeat_per_seed() {
    async fn run(seed: u64) -> Vec<u16> {
        let rule =
            FaultRule::with_probability(Fault::InternalServerError, 0.3, FaultScope::AllRoutes);
        let simulator = common::builder()
            .seed(seed)
            .fault(rule)
            .start()
            .await
            .unwrap();
        let api = Api::new(&simulator);
        let mut statuses = Vec::new();
        for _ in 0..40 {
            statuses.push(poll_unknown(&api).await.unwrap().status().as_u16());
        }
        statuses
    }

    let first = run(11).await;
    assert_eq!(first, run(11).await);
    assert!(first.contains(&500), "{first:?}");
    assert!(first.contains(&404), "{first:?}");
}

#[tokio::test]
async fn fault_spec_parses_from_text() {
    let rule: FaultRule = "502:every=2:polls".parse().unwrap();
    let simulator = simulator_with(rule).await;
    let api = Api::new(&simulator);
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(poll_unknown(&api).await.unwrap().status().as_u16());
    }
    assert_eq!(statuses, [404, 502, 404, 502]);
}
