//! Smoke tests of the runner's argument parsing and JSON output. They time
//! nothing: the decode run below is tiny and its figures are not checked.

use std::process::Command;

fn bench() -> Command {
    Command::new(env!("CARGO_BIN_EXE_benchling-bench"))
}

#[test]
fn help_lists_subcommands() {
    let output = bench().arg("--help").output().unwrap();
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    for subcommand in ["budget", "decode", "scale", "all"] {
        assert!(
            help.contains(subcommand),
            "{subcommand} missing from:\n{help}"
        );
    }
    assert!(
        !help.contains("scale-client"),
        "hidden subcommand shown:\n{help}"
    );
}

#[test]
fn zero_task_seconds_rejected() {
    let output = bench()
        .args(["budget", "--task-seconds", "0", "--no-python"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("--task-seconds"), "{stderr}");
    assert!(stderr.contains("above 0"), "{stderr}");
}

#[test]
fn missing_python_named_with_fix() {
    let output = bench()
        .args([
            "decode",
            "--python",
            "/nonexistent/python",
            "--sequences",
            "1",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("/nonexistent/python"), "{stderr}");
    assert!(stderr.contains("--no-python"), "{stderr}");
}

#[test]
fn tiny_decode_prints_json() {
    let output = bench()
        .args([
            "decode",
            "--sequences",
            "2",
            "--bases",
            "20",
            "--annotations",
            "1",
            "--min-iterations",
            "1",
            "--min-seconds",
            "0",
            "--no-python",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(report["command"].as_str().unwrap().contains("decode"));
    assert!(report["machine"]["cpus"].as_u64().unwrap() >= 1);
    assert!(report.get("budget").is_none());

    let decode = &report["decode"];
    assert!(decode["snapshot_bytes"].as_u64().unwrap() > 0);
    assert_eq!(decode["sha256"].as_str().unwrap().len(), 64);
    let decoders = decode["decoders"].as_array().unwrap();
    assert_eq!(decoders.len(), 3);
    for decoder in decoders {
        assert!(decoder["decoder"].as_str().unwrap().starts_with("Rust: "));
        assert_eq!(decoder["iterations"].as_u64(), Some(1));
    }
    assert_eq!(decode["targets"].as_array().map(Vec::len), Some(0));
}
