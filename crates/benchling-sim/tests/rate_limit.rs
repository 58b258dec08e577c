//! The tenant-wide fixed rate window: headers, 429 body, refused requests, reset.

mod common;

use std::time::Duration;

use benchling_sim::{RateLimit, Simulator};
use common::Api;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const UNKNOWN_TASK: &str = "/tasks/00000000-0000-0000-0000-000000000000";

fn header(response: &reqwest::Response, name: &str) -> Option<u64> {
    response.headers().get(name)?.to_str().ok()?.parse().ok()
}

async fn poll_unknown(api: &Api<'_>) -> reqwest::Response {
    api.request(Method::GET, UNKNOWN_TASK).send().await.unwrap()
}

#[tokio::test]
async fn default_window_allows_sixty_then_429() {
    let simulator = Simulator::builder().start().await.unwrap();
    let api = Api::new(&simulator);

    for expected_remaining in (0..60).rev() {
        let response = poll_unknown(&api).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        assert_eq!(header(&response, "x-rate-limit-limit"), Some(60));
        assert_eq!(
            header(&response, "x-rate-limit-remaining"),
            Some(expected_remaining)
        );
        let reset = header(&response, "x-rate-limit-reset").unwrap();
        assert!((1..=30).contains(&reset), "reset {reset}");
    }

    let response = poll_unknown(&api).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(header(&response, "x-rate-limit-remaining"), Some(0));
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body,
        json!({ "error": {
            "message": "Rate limit exceeded.",
            "type": "invalid_request_error",
            "userMessage": "Rate limit exceeded.",
        }})
    );

    let stats = simulator.stats();
    assert_eq!(stats.rate_limited, 1);
    assert_eq!(stats.too_many_requests, 1);
}

#[tokio::test]
async fn refused_requests_count_and_window_resets() {
    let limit = RateLimit {
        requests: 3,
        window: Duration::from_secs(30),
    };
    let simulator = Simulator::builder()
        .rate_limit(limit)
        .start()
        .await
        .unwrap();
    let api = Api::new(&simulator);

    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(poll_unknown(&api).await.status().as_u16());
    }
    assert_eq!(statuses, [404, 404, 404, 429, 429, 429]);
    assert_eq!(simulator.stats().rate_limited, 3);

    simulator.advance_time(Duration::from_secs(30));
    let response = poll_unknown(&api).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(header(&response, "x-rate-limit-remaining"), Some(2));
}

#[tokio::test]
async fn window_is_shared_by_all_credentials() {
    let limit = RateLimit {
        requests: 2,
        window: Duration::from_secs(30),
    };
    let simulator = Simulator::builder()
        .rate_limit(limit)
        .start()
        .await
        .unwrap();
    let api = Api::new(&simulator);

    assert_eq!(poll_unknown(&api).await.status(), StatusCode::NOT_FOUND);
    // Requests without valid credentials count against the same window.
    let anonymous = common::http()
        .get(api.url(&format!("/api/v2{UNKNOWN_TASK}")))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        poll_unknown(&api).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn reset_header_reports_real_seconds() {
    let simulator = Simulator::builder().time_scale(10.0).start().await.unwrap();
    let api = Api::new(&simulator);
    let response = poll_unknown(&api).await;
    // A 30-second window at 10x lasts 3 real seconds.
    assert_eq!(header(&response, "x-rate-limit-reset"), Some(3));
}

#[tokio::test]
async fn app_mode_allows_three_hundred() {
    let simulator = Simulator::builder()
        .rate_limit(RateLimit::app())
        .start()
        .await
        .unwrap();
    let api = Api::new(&simulator);
    let response = poll_unknown(&api).await;
    assert_eq!(header(&response, "x-rate-limit-limit"), Some(300));
    assert_eq!(header(&response, "x-rate-limit-remaining"), Some(299));
}

#[tokio::test]
async fn disabled_rate_limit_sends_no_headers() {
    let simulator = common::start().await;
    let api = Api::new(&simulator);
    for _ in 0..70 {
        let response = poll_unknown(&api).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        assert!(response.headers().get("x-rate-limit-limit").is_none());
    }
}

#[tokio::test]
async fn simulator_routes_are_not_rate_limited() {
    let limit = RateLimit {
        requests: 1,
        window: Duration::from_secs(30),
    };
    let simulator = Simulator::builder()
        .rate_limit(limit)
        .start()
        .await
        .unwrap();
    let api = Api::new(&simulator);
    for _ in 0..3 {
        let response = api.http.get(api.url("/_sim/stats")).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }
    assert_eq!(poll_unknown(&api).await.status(), StatusCode::NOT_FOUND);
}
