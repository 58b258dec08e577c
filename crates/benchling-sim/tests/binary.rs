//! The `benchling-sim` binary: flags, the printed URL and credentials, serving requests.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

/// Kills the child process when the test ends, even on a failed assert.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the binary and returns it with the `KEY=VALUE` lines it prints.
fn start(args: &[&str]) -> (Running, Vec<(String, String)>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_benchling-sim"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("binary starts");
    let stdout = child.stdout.take().expect("stdout is piped");
    let running = Running(child);

    let mut lines = Vec::new();
    for line in BufReader::new(stdout).lines().take(4) {
        let line = line.expect("stdout is readable");
        let (key, value) = line.split_once('=').expect("KEY=VALUE line");
        lines.push((key.to_owned(), value.to_owned()));
    }
    (running, lines)
}

fn value<'a>(lines: &'a [(String, String)], key: &str) -> &'a str {
    &lines
        .iter()
        .find(|(name, _)| name == key)
        .unwrap_or_else(|| panic!("{key} not printed"))
        .1
}

#[test]
fn help_documents_units_and_defaults() {
    let output = Command::new(env!("CARGO_BIN_EXE_benchling-sim"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    for expected in [
        "--time-scale",
        "simulated seconds",
        "--fault",
        "--rate-limit",
        "[default: 1]",
        "--no-rate-limit",
    ] {
        assert!(help.contains(expected), "help lacks {expected}:\n{help}");
    }
}

#[test]
fn invalid_flag_values_are_rejected() {
    for args in [
        &["--time-scale", "0"][..],
        &["--fault", "418:p=0.5"],
        &["--host", "10.0.0.1"],
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_benchling-sim"))
            .args(args)
            .output()
            .unwrap();
        assert!(!output.status.success(), "{args:?} was accepted");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("error"), "{args:?}: {stderr}");
    }
}

#[test]
fn unknown_operation_ids_are_rejected() {
    for (args, expected) in [
        (
            &["--fail-operation", "bulkCreateDnaSequences=boom"][..],
            "did you mean `bulkCreateDNASequences`",
        ),
        (
            &["--operation-latency", "bogus=20"],
            "unknown operation id `bogus`",
        ),
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_benchling-sim"))
            .args(args)
            .output()
            .unwrap();
        assert!(!output.status.success(), "{args:?} was accepted");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
}

#[tokio::test]
async fn binary_serves_printed_url_with_printed_key() {
    let (_running, lines) = start(&["--port", "0", "--api-key", "bin_key", "--time-scale", "60"]);
    let url = value(&lines, "BENCHLING_SIM_URL");
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    assert_eq!(value(&lines, "BENCHLING_SIM_API_KEY"), "bin_key");

    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let response = client
        .post(format!("{url}/api/v2/dna-sequences:bulk-create"))
        .basic_auth("bin_key", Some(""))
        .json(&serde_json::json!({ "dnaSequences": [{ "name": "a", "bases": "ACGT", "isCircular": false }] }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::ACCEPTED);
    assert_eq!(response.headers()["x-rate-limit-limit"], "60");

    let stats: Value = client
        .get(format!("{url}/_sim/stats"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats["timeScale"], 60.0);
    assert_eq!(stats["tasks"].as_array().unwrap().len(), 1);
}
