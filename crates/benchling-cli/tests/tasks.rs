//! `benchling tasks get` and `tasks wait`, exit codes and configuration errors.

mod common;

use std::net::TcpListener;
use std::time::Duration;

use benchling_sim::{LatencyModel, Simulator};
use common::{bare_command, code, data, json, run, stderr, stdout, Sim};

/// Starts tasks through `import --no-wait` and returns their ids.
fn start_tasks(sim: &Sim, batch_size: &str) -> Vec<String> {
    let output = run(sim.command().args([
        "import",
        data("NC_005816.faa").to_str().unwrap(),
        "--entity",
        "aa-sequences",
        "--folder-id",
        "lib_test",
        "--batch-size",
        batch_size,
        "--no-wait",
        "--output",
        "json",
    ]));
    assert_eq!(code(&output), 0, "stderr: {}", stderr(&output));
    json(&output)["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|task| task["taskId"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn wait_reports_every_task_succeeded() {
    let sim = Sim::start(Simulator::builder().time_scale(100.0));
    let ids = start_tasks(&sim, "4");
    assert_eq!(ids.len(), 3);

    let mut command = sim.command();
    command
        .args(["tasks", "wait"])
        .args(&ids)
        .args(["--output", "json"]);
    let output = run(&mut command);
    assert_eq!(code(&output), 0, "stderr: {}", stderr(&output));

    let report = json(&output);
    let tasks = report["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 3);
    for (task, id) in tasks.iter().zip(&ids) {
        assert_eq!(task["taskId"], id.as_str());
        assert_eq!(task["status"], "SUCCEEDED");
        assert_eq!(task["outcome"], "succeeded");
    }
    let created: usize = tasks
        .iter()
        .map(|task| task["response"]["aaSequences"].as_array().unwrap().len())
        .sum();
    assert_eq!(created, 10);
}

#[test]
fn wait_table_shows_response_summary() {
    let sim = Sim::start(Simulator::builder().time_scale(100.0));
    let ids = start_tasks(&sim, "1000");

    let output = run(sim
        .command()
        .args(["tasks", "wait", &ids[0], "--interval", "50ms"]));
    assert_eq!(code(&output), 0, "stderr: {}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("SUCCEEDED"), "{text}");
    assert!(text.contains("aaSequences: 10 item(s)"), "{text}");
}

#[test]
fn failed_task_exits_one() {
    let sim = Sim::start(
        Simulator::builder()
            .time_scale(100.0)
            .fail_operation("bulkCreateAASequences", "Simulated failure."),
    );
    let ids = start_tasks(&sim, "1000");

    let output = run(sim
        .command()
        .args(["tasks", "wait", &ids[0], "--output", "json"]));
    assert_eq!(code(&output), 1, "stderr: {}", stderr(&output));
    let task = &json(&output)["tasks"][0];
    assert_eq!(task["status"], "FAILED");
    assert_eq!(task["message"], "Simulated failure.");
    assert_eq!(task["errors"][0]["index"], 0);
}

#[test]
fn wait_timeout_exits_three() {
    let sim =
        Sim::start(Simulator::builder().latency(LatencyModel::fixed(Duration::from_secs(3600))));
    let ids = start_tasks(&sim, "1000");

    let output = run(sim.command().args([
        "tasks",
        "wait",
        &ids[0],
        "--timeout",
        "500ms",
        "--interval",
        "100ms",
        "--output",
        "json",
    ]));
    assert_eq!(code(&output), 3, "stderr: {}", stderr(&output));
    let task = &json(&output)["tasks"][0];
    assert_eq!(task["outcome"], "timedOut");
    assert_eq!(task["status"], "RUNNING");
    assert!(task["polls"].as_u64().unwrap() >= 2, "{task}");
}

#[test]
fn mixed_outcomes_use_most_serious_code() {
    let sim =
        Sim::start(Simulator::builder().latency(LatencyModel::fixed(Duration::from_secs(3600))));
    let ids = start_tasks(&sim, "1000");

    let output = run(sim.command().args([
        "tasks",
        "wait",
        &ids[0],
        "5e5fd9ab-0000-4c39-8e44-7e2d6c6b1a90",
        "--timeout",
        "300ms",
    ]));
    // Not found (4) ranks above timed out (3).
    assert_eq!(code(&output), 4, "stderr: {}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("TIMED OUT"), "{text}");
    assert!(text.contains("NOT FOUND"), "{text}");
}

#[test]
fn unknown_task_exits_four() {
    let sim = Sim::start(Simulator::builder());
    let output = run(sim
        .command()
        .args(["tasks", "get", "5e5fd9ab-0000-4c39-8e44-7e2d6c6b1a90"]));
    assert_eq!(code(&output), 4);
    let text = stderr(&output);
    assert!(text.contains("was not found"), "{text}");
    assert!(text.contains("30 minutes"), "{text}");
}

#[test]
fn expired_task_exits_four() {
    let sim = Sim::start(Simulator::builder().latency(LatencyModel::fixed(Duration::from_secs(1))));
    let ids = start_tasks(&sim, "1000");

    let output = run(sim
        .command()
        .args(["tasks", "get", &ids[0], "--output", "json"]));
    assert_eq!(code(&output), 0, "stderr: {}", stderr(&output));

    // Task data stays readable for 30 minutes after the task ends.
    sim.simulator.advance_time(Duration::from_secs(31 * 60));
    let output = run(sim.command().args(["tasks", "get", &ids[0]]));
    assert_eq!(code(&output), 4, "stdout: {}", stdout(&output));
    let output = run(sim
        .command()
        .args(["tasks", "wait", &ids[0], "--output", "json"]));
    assert_eq!(code(&output), 4, "stdout: {}", stdout(&output));
    assert_eq!(json(&output)["tasks"][0]["outcome"], "notFound");
}

#[test]
fn wrong_api_key_exits_five() {
    let sim = Sim::start(Simulator::builder());
    let output = run(sim
        .command()
        .env("BENCHLING_API_KEY", "wrong_key_value")
        .args(["tasks", "get", "5e5fd9ab-0000-4c39-8e44-7e2d6c6b1a90"]));
    assert_eq!(code(&output), 5, "stderr: {}", stderr(&output));
    let text = stderr(&output);
    assert!(text.contains("401"), "{text}");
    assert!(!text.contains("wrong_key_value"), "{text}");
}

#[test]
fn wrong_api_key_on_import_exits_five() {
    let sim = Sim::start(Simulator::builder());
    let folder = tempfile::tempdir().unwrap();
    let output = run(sim
        .command()
        .env("BENCHLING_API_KEY", "wrong_key_value")
        .args([
            "import",
            data("NC_005816.faa").to_str().unwrap(),
            "--entity",
            "aa-sequences",
            "--folder-id",
            "lib_test",
            "--failed-dir",
            folder.path().to_str().unwrap(),
            "--output",
            "json",
        ]));
    assert_eq!(code(&output), 5, "stderr: {}", stderr(&output));
    let report = json(&output);
    assert_eq!(report["summary"]["failed"], 10);
    assert!(folder.path().join("NC_005816.faa.failed.fasta").exists());
}

/// Returns a loopback URL on which nothing listens.
fn dead_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

#[test]
fn unreachable_tenant_exits_six() {
    let output = run(bare_command()
        .env("BENCHLING_TENANT_URL", dead_url())
        .env("BENCHLING_API_KEY", "sim_api_key")
        .args([
            "--max-tries",
            "1",
            "tasks",
            "wait",
            "5e5fd9ab-0000-4c39-8e44-7e2d6c6b1a90",
        ]));
    assert_eq!(code(&output), 6, "stdout: {}", stdout(&output));
    assert!(stdout(&output).contains("ERROR"), "{}", stdout(&output));
}

#[test]
fn unreachable_tenant_on_import_exits_six() {
    let folder = tempfile::tempdir().unwrap();
    let output = run(bare_command()
        .env("BENCHLING_TENANT_URL", dead_url())
        .env("BENCHLING_API_KEY", "sim_api_key")
        .args([
            "import",
            data("NC_005816.faa").to_str().unwrap(),
            "--entity",
            "aa-sequences",
            "--folder-id",
            "lib_test",
            "--failed-dir",
            folder.path().to_str().unwrap(),
            "--output",
            "json",
        ]));
    assert_eq!(code(&output), 6, "stderr: {}", stderr(&output));
    // A refused connection proves nothing was sent, so the records are listed as not created.
    let report = json(&output);
    assert_eq!(report["summary"]["failed"], 10);
    let reason = report["notCreated"][0]["reason"].as_str().unwrap();
    assert!(reason.contains("request failed"), "{reason}");
}

#[test]
fn missing_configuration_names_variable() {
    let output = run(bare_command().args(["tasks", "get", "abc"]));
    assert_eq!(code(&output), 2);
    let text = stderr(&output);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.contains("BENCHLING_TENANT_URL"), "{text}");

    let output = run(bare_command()
        .env("BENCHLING_TENANT_URL", "https://example.benchling.com")
        .args(["tasks", "get", "abc"]));
    assert_eq!(code(&output), 2);
    let text = stderr(&output);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.contains("BENCHLING_API_KEY"), "{text}");
    assert!(text.contains("BENCHLING_CLIENT_ID"), "{text}");
}

#[test]
fn malformed_tenant_url_is_one_line() {
    let output = run(bare_command()
        .env("BENCHLING_TENANT_URL", "example.benchling.com/x y")
        .env("BENCHLING_API_KEY", "k")
        .args(["tasks", "get", "abc"]));
    assert_eq!(code(&output), 2);
    let text = stderr(&output);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.contains("tenant URL"), "{text}");
}

#[test]
fn help_hides_secrets_and_lists_exit_codes() {
    let output = run(bare_command()
        .env("BENCHLING_API_KEY", "secret_key_value")
        .env("BENCHLING_CLIENT_SECRET", "secret_client_value")
        .args(["tasks", "wait", "--help"]));
    assert_eq!(code(&output), 0);
    let text = stdout(&output);
    assert!(!text.contains("secret_key_value"), "{text}");
    assert!(!text.contains("secret_client_value"), "{text}");
    assert!(text.contains("BENCHLING_API_KEY"), "{text}");
    for line in [
        "  3    waiting for a task timed out",
        "  6    network error",
    ] {
        assert!(text.contains(line), "{line:?} missing from {text}");
    }
}

#[test]
fn oauth_client_credentials_work() {
    let sim = Sim::start(Simulator::builder().time_scale(100.0));
    let ids = start_tasks(&sim, "1000");
    let output = run(common::bare_command()
        .env("BENCHLING_TENANT_URL", sim.simulator.base_url())
        .env("BENCHLING_CLIENT_ID", sim.simulator.client_id())
        .env("BENCHLING_CLIENT_SECRET", sim.simulator.client_secret())
        .args(["tasks", "wait", &ids[0]]));
    assert_eq!(code(&output), 0, "stderr: {}", stderr(&output));
}
