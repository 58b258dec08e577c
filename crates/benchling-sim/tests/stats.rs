//! Statistics and reset, through the handle and through `/_sim/stats` and `/_sim/reset`.

mod common;

use std::time::Duration;

use common::{dna, Api, TASK_DURATION};
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn stats_count_routes_and_statuses() {
    let simulator = common::start().await;
    let api = Api::new(&simulator);

    let task_id = api
        .start_task(
            "/dna-sequences:bulk-create",
            &json!({ "dnaSequences": [dna("a", "ACGT")] }),
        )
        .await;
    api.poll(&task_id).await;
    api.poll("missing").await;
    api.http
        .get(api.url("/api/v2/tasks/x"))
        .send()
        .await
        .unwrap();

    let stats = simulator.stats();
    assert_eq!(stats.total_requests, 4);
    assert_eq!(
        stats.count("POST /api/v2/dna-sequences:bulk-create", 202),
        1
    );
    assert_eq!(stats.count("GET /api/v2/tasks/{task_id}", 200), 1);
    assert_eq!(stats.count("GET /api/v2/tasks/{task_id}", 404), 1);
    assert_eq!(stats.count("GET /api/v2/tasks/{task_id}", 401), 1);
}

#[tokio::test]
async fn task_timeline_records_polls() {
    let simulator = common::start().await;
    let api = Api::new(&simulator);

    let task_id = api
        .start_task(
            "/dna-sequences:bulk-create",
            &json!({ "dnaSequences": [dna("a", "ACGT")] }),
        )
        .await;
    simulator.advance_time(Duration::from_secs(4));
    api.poll(&task_id).await;
    simulator.advance_time(TASK_DURATION);
    api.poll(&task_id).await;
    api.poll(&task_id).await;

    let stats = simulator.stats();
    let task = stats.task(&task_id).expect("task is recorded");
    assert_eq!(task.outcome, "SUCCEEDED");
    assert_eq!(task.polls, 3);
    assert_eq!(task.duration, TASK_DURATION);
    assert_eq!(task.completed, task.created + TASK_DURATION);
    let first_poll = task.first_poll.expect("first poll is recorded");
    assert!(first_poll >= task.created + Duration::from_secs(4));
    assert!(first_poll < task.completed);
    let seen = task.first_seen_completed.expect("end is seen");
    assert!(seen >= task.completed);
}

#[tokio::test]
async fn stats_route_serves_json() {
    let simulator = common::start().await;
    let api = Api::new(&simulator);
    let task_id = api
        .start_task(
            "/aa-sequences:bulk-create",
            &json!({ "aaSequences": [{ "name": "p", "aminoAcids": "MK" }] }),
        )
        .await;

    let response = api.http.get(api.url("/_sim/stats")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let stats: Value = response.json().await.unwrap();
    assert_eq!(stats["totalRequests"], 1);
    assert_eq!(stats["timeScale"], 1.0);
    assert_eq!(
        stats["routes"]["POST /api/v2/aa-sequences:bulk-create"]["202"],
        1
    );
    let task = &stats["tasks"][0];
    assert_eq!(task["id"], task_id.as_str());
    assert_eq!(task["operationId"], "bulkCreateAASequences");
    assert_eq!(task["duration"], 10.0);
    assert_eq!(task["firstPoll"], Value::Null);
    assert_eq!(task["polls"], 0);
}

#[tokio::test]
async fn reset_clears_tasks_and_counts() {
    let simulator = common::start().await;
    let api = Api::new(&simulator);
    let task_id = api
        .start_task(
            "/dna-sequences:bulk-create",
            &json!({ "dnaSequences": [dna("a", "ACGT")] }),
        )
        .await;

    let response = api.http.post(api.url("/_sim/reset")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    let stats = simulator.stats();
    assert_eq!(stats.total_requests, 0);
    assert!(stats.tasks.is_empty());
    let (status, _) = api.poll(&task_id).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn handle_reset_clears_rate_window() {
    let limit = benchling_sim::RateLimit {
        requests: 1,
        window: Duration::from_secs(30),
    };
    let simulator = benchling_sim::Simulator::builder()
        .rate_limit(limit)
        .start()
        .await
        .unwrap();
    let api = Api::new(&simulator);
    api.poll("a").await;
    assert_eq!(api.poll("a").await.0, StatusCode::TOO_MANY_REQUESTS);

    simulator.reset();
    assert_eq!(api.poll("a").await.0, StatusCode::NOT_FOUND);
}
