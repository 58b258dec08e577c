#!/usr/bin/env bash
# Runs the benchmarks of the Rust SDK against Benchling's Python SDK.
#
# Usage: scripts/bench/run.sh [SUBCOMMAND [ARGS...]]   (default: all)
#
# Builds benchling-bench and benchling-sim in release mode, installs
# benchling-sdk 1.25.0 into target/python-peer/venv (the environment that
# scripts/python-peer uses; $PYTHON_PEER_VENV overrides it) unless it is
# there already, runs the benchmarks and writes results.md, results.json and
# environment.txt to target/bench (or $BENCH_OUTPUT_DIR).
set -euo pipefail

SDK_VERSION="1.25.0"
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
VENV="${PYTHON_PEER_VENV:-$REPO_ROOT/target/python-peer/venv}"
PYTHON="${PYTHON:-python3}"
OUTPUT_DIR="${BENCH_OUTPUT_DIR:-$REPO_ROOT/target/bench}"

fail() {
    echo "bench: $*" >&2
    exit 1
}

cd "$REPO_ROOT"

# 1. Release builds of the runner and the simulator binary it starts for `scale`.
timeout 1800 cargo build --release --locked -p benchling-bench -p benchling-sim \
    || fail "failed to build benchling-bench and benchling-sim in release mode"
TARGET_DIR="${CARGO_TARGET_DIR:-$REPO_ROOT/target}"

# 2. The Python SDK, in the same environment and version as scripts/python-peer/run.sh.
if [[ ! -x "$VENV/bin/python" ]] || ! "$VENV/bin/python" -c \
    "import importlib.metadata as m, sys; sys.exit(m.version('benchling-sdk') != '$SDK_VERSION')" 2>/dev/null; then
    echo "bench: installing benchling-sdk==$SDK_VERSION into $VENV"
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV" || fail "failed to create a virtual environment with $PYTHON"
    timeout 600 "$VENV/bin/pip" install --quiet --disable-pip-version-check "benchling-sdk==$SDK_VERSION" \
        || fail "failed to install benchling-sdk==$SDK_VERSION from PyPI"
fi

# 3. The machine and toolchain, for the record.
mkdir -p "$OUTPUT_DIR"
{
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "nproc: $(nproc)"
    echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
    echo "memory: $(grep MemTotal /proc/meminfo | awk '{printf "%.1f GiB", $2 / 1048576}')"
    echo "kernel: $(uname -r)"
    echo "rustc: $(rustc --version)"
    echo "python: $("$VENV/bin/python" --version 2>&1)"
    echo "benchling-sdk (Python): $("$VENV/bin/python" -c "import importlib.metadata as m; print(m.version('benchling-sdk'))")"
    echo "git: $(git describe --always --dirty 2>/dev/null || echo unknown)"
} >"$OUTPUT_DIR/environment.txt"
cat "$OUTPUT_DIR/environment.txt"

# 4. The benchmarks; the runner prints the tables and writes both result files.
if [[ $# -eq 0 ]]; then
    set -- all
fi
python_args=()
case "$1" in
    all | budget | decode) python_args=(--python "$VENV/bin/python") ;;
esac
export NO_PROXY="127.0.0.1,localhost" no_proxy="127.0.0.1,localhost"
timeout 1800 "$TARGET_DIR/release/benchling-bench" "$@" "${python_args[@]}" --output-dir "$OUTPUT_DIR"
echo "bench: results written to $OUTPUT_DIR/results.md and $OUTPUT_DIR/results.json"
