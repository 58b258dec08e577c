//! A simulator started from synchronous code runs on its own runtime.

use serde_json::Value;

fn stats_over_http(base_url: &str) -> Value {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = reqwest::Client::builder().no_proxy().build().unwrap();
        client
            .get(format!("{base_url}/_sim/stats"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    })
}

#[test]
fn start_blocking_serves_without_caller_runtime() {
    let simulator = benchling_sim::Simulator::builder()
        .start_blocking()
        .unwrap();
    let stats = stats_over_http(simulator.base_url());
    assert_eq!(stats["totalRequests"], 0);
}

#[test]
fn blocking_simulator_drops_inside_async_code() {
    let simulator = benchling_sim::Simulator::builder()
        .start_blocking()
        .unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime.block_on(async move { drop(simulator) });
}
