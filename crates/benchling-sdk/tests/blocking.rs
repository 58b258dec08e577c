//! The blocking facade, outside and inside an async runtime.

#![cfg(feature = "blocking")]

mod common;

use std::time::Duration;

use benchling_sdk::blocking;
use benchling_sdk::tasks::EmptyTaskResponse;
use benchling_sdk::{Error, WaitOptions};
use common::{Expect, ScriptedServer};
use serde_json::json;

#[test]
fn waits_without_a_runtime() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(ScriptedServer::start(vec![
        Expect::get(
            "/api/v2/tasks/t1",
            200,
            json!({"status": "RUNNING"}).to_string(),
        ),
        Expect::get(
            "/api/v2/tasks/t1",
            200,
            json!({"status": "SUCCEEDED", "response": {}}).to_string(),
        ),
    ]));

    let client = blocking::Benchling::from_async(common::client(&server.url)).unwrap();
    let task = client.task::<EmptyTaskResponse>("t1").unwrap();
    let options = WaitOptions::new()
        .interval(Duration::from_millis(10))
        .max_wait(Duration::from_secs(5));
    let completion = task.wait_for_completion_with(options).unwrap();
    assert!(completion.success);
    server.finish();
}

#[tokio::test]
async fn refuses_to_block_inside_a_runtime() {
    let client = blocking::Benchling::builder()
        .tenant_url("http://127.0.0.1:9")
        .api_key("sk_test")
        .build()
        .unwrap();
    let error = client.get_task("t1").unwrap_err();
    assert!(matches!(error, Error::BlockingInAsync), "{error:?}");
}
