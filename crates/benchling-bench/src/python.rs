//! Running the Python peer scripts (Benchling's Python SDK) from `scripts/bench`.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use crate::error::{BenchError, Result};

/// The repository root, as seen when this crate was compiled.
pub const WORKSPACE_ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// A Python interpreter with `benchling-sdk` installed, and the peer scripts.
#[derive(Debug, Clone)]
pub struct PythonPeer {
    python: PathBuf,
    scripts: PathBuf,
}

impl PythonPeer {
    /// Finds the interpreter and the scripts, by default the virtual environment
    /// that `scripts/python-peer` and `scripts/bench/run.sh` create.
    ///
    /// Returns a setup error naming the missing path and how to create it.
    pub fn locate(python: Option<PathBuf>, scripts: Option<PathBuf>) -> Result<PythonPeer> {
        let root = Path::new(WORKSPACE_ROOT);
        let python = python.unwrap_or_else(|| root.join("target/python-peer/venv/bin/python"));
        let scripts = scripts.unwrap_or_else(|| root.join("scripts/bench"));

        if !python.exists() {
            return Err(BenchError::Setup(format!(
                "no Python interpreter at {}: run scripts/bench/run.sh, which installs \
                 benchling-sdk 1.25.0 into target/python-peer/venv, pass --python PATH, \
                 or pass --no-python to skip the Python rows",
                python.display()
            )));
        }
        for script in ["budget_peer.py", "decode_peer.py"] {
            if !scripts.join(script).exists() {
                return Err(BenchError::Setup(format!(
                    "missing {} in {}: pass --scripts-dir with the folder of the peer scripts",
                    script,
                    scripts.display()
                )));
            }
        }

        Ok(PythonPeer {
            python: normalize(&python),
            scripts: normalize(&scripts),
        })
    }

    /// Returns the command line that runs `script` with `args`, as shown in reports.
    pub fn command_line(&self, script: &str, args: &[String]) -> String {
        let mut words = vec![
            display_path(&self.python),
            display_path(&self.scripts.join(script)),
        ];
        words.extend(args.iter().cloned());
        words.join(" ")
    }

    /// Runs `script` with `args` and extra environment variables, and parses the
    /// JSON object on the last line of its standard output.
    ///
    /// The script is killed after `timeout`. Returns an error with the end of
    /// its standard error when it fails or prints no JSON.
    pub async fn run_json(
        &self,
        script: &str,
        args: &[String],
        env: &[(&str, &str)],
        timeout: Duration,
    ) -> Result<serde_json::Value> {
        let program = self.command_line(script, args);
        let mut command = tokio::process::Command::new(&self.python);
        command
            .arg(self.scripts.join(script))
            .args(args)
            .env("NO_PROXY", "127.0.0.1,localhost")
            .env("no_proxy", "127.0.0.1,localhost")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        for (name, value) in env {
            command.env(name, value);
        }

        let child = command.spawn().map_err(|source| BenchError::Spawn {
            program: program.clone(),
            source,
        })?;
        let output = tokio::time::timeout(timeout, child.wait_with_output())
            .await
            .map_err(|_| BenchError::ChildFailed {
                program: program.clone(),
                status: format!("killed after the timeout of {} s", timeout.as_secs()),
                stderr: String::new(),
            })?
            .map_err(|source| BenchError::Spawn {
                program: program.clone(),
                source,
            })?;

        let stderr = tail(&String::from_utf8_lossy(&output.stderr), 20);
        if !output.status.success() {
            return Err(BenchError::ChildFailed {
                program,
                status: output.status.to_string(),
                stderr,
            });
        }

        let stdout = String::from_utf8_lossy(&output.stdout);
        let last_line = stdout.lines().rev().find(|line| !line.trim().is_empty());
        let line = last_line.ok_or_else(|| {
            BenchError::output(
                &program,
                format!("it printed nothing on stdout; stderr ends with:\n{stderr}"),
            )
        })?;
        serde_json::from_str(line)
            .map_err(|error| BenchError::output(&program, format!("{error} in `{line}`")))
    }
}

/// Returns the last `lines` lines of `text`.
pub fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

fn normalize(path: &Path) -> PathBuf {
    // The interpreter of a virtual environment is a symbolic link; resolving it
    // would leave the environment, so only `..` components are resolved.
    match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) => parent
            .canonicalize()
            .map(|parent| parent.join(name))
            .unwrap_or_else(|_| path.to_path_buf()),
        _ => path.to_path_buf(),
    }
}

/// Shows `path` relative to the working directory when it is inside it.
pub fn display_path(path: &Path) -> String {
    let relative = std::env::current_dir()
        .ok()
        .and_then(|dir| path.strip_prefix(dir).ok().map(Path::to_path_buf));
    relative
        .unwrap_or_else(|| path.to_path_buf())
        .display()
        .to_string()
}
