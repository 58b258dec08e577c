#!/usr/bin/env bash
# Checks benchling-sim against Benchling's own Python SDK (PyPI `benchling-sdk`).
#
# Creates a virtual environment under target/python-peer (or $PYTHON_PEER_VENV),
# installs the pinned SDK, starts the benchling-sim binary on loopback and runs
# check_sim.py against it. Exits 0 when every check passes, 1 otherwise.
# Bounded: pip install, simulator start-up and the checks each have a timeout.
set -euo pipefail

SDK_VERSION="1.25.0"
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
VENV="${PYTHON_PEER_VENV:-$REPO_ROOT/target/python-peer/venv}"
PYTHON="${PYTHON:-python3}"

fail() {
    echo "python peer: $*" >&2
    exit 1
}

# 1. The virtual environment with the pinned SDK, reused while the version matches.
if [[ ! -x "$VENV/bin/python" ]] || ! "$VENV/bin/python" -c \
    "import importlib.metadata as m, sys; sys.exit(m.version('benchling-sdk') != '$SDK_VERSION')" 2>/dev/null; then
    echo "python peer: installing benchling-sdk==$SDK_VERSION into $VENV"
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV" || fail "failed to create a virtual environment with $PYTHON"
    timeout 600 "$VENV/bin/pip" install --quiet --disable-pip-version-check "benchling-sdk==$SDK_VERSION" \
        || fail "failed to install benchling-sdk==$SDK_VERSION from PyPI"
fi

# 2. The simulator binary.
SIM_BIN="${BENCHLING_SIM_BIN:-}"
if [[ -z "$SIM_BIN" ]]; then
    (cd "$REPO_ROOT" && timeout 900 cargo build --quiet -p benchling-sim --bin benchling-sim) \
        || fail "failed to build benchling-sim"
    SIM_BIN="${CARGO_TARGET_DIR:-$REPO_ROOT/target}/debug/benchling-sim"
fi

# 3. Start it on a free loopback port. Tasks take 2 simulated seconds (0.1 s real at 20x),
# and the first task poll gets an injected 503 that the SDK must retry.
WORK_DIR="$(mktemp -d)"
SIM_PID=""
cleanup() {
    if [[ -n "$SIM_PID" ]]; then
        kill "$SIM_PID" 2>/dev/null || true
        wait "$SIM_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK_DIR"
}
trap cleanup EXIT

"$SIM_BIN" --port 0 --time-scale 20 --task-base 2 --task-jitter 0 \
    --fault "503:n=1:polls" >"$WORK_DIR/stdout" 2>"$WORK_DIR/stderr" &
SIM_PID=$!

for _ in $(seq 1 100); do
    if grep -q '^BENCHLING_SIM_CLIENT_SECRET=' "$WORK_DIR/stdout" 2>/dev/null; then
        break
    fi
    kill -0 "$SIM_PID" 2>/dev/null || { cat "$WORK_DIR/stderr" >&2; fail "benchling-sim exited at start-up"; }
    sleep 0.1
done
value() { grep "^$1=" "$WORK_DIR/stdout" | head -n 1 | cut -d= -f2-; }
URL="$(value BENCHLING_SIM_URL)"
[[ -n "$URL" ]] || fail "benchling-sim printed no URL within 10 seconds"

# 4. The checks, with the SDK pointed at http://127.0.0.1:PORT and no proxy.
export NO_PROXY="127.0.0.1,localhost" no_proxy="127.0.0.1,localhost"
status=0
timeout 180 "$VENV/bin/python" "$SCRIPT_DIR/check_sim.py" "$URL" \
    "$(value BENCHLING_SIM_API_KEY)" "$(value BENCHLING_SIM_CLIENT_ID)" "$(value BENCHLING_SIM_CLIENT_SECRET)" \
    || status=$?

if [[ $status -ne 0 ]]; then
    echo "python peer: checks failed (exit $status); simulator log follows" >&2
    tail -n 40 "$WORK_DIR/stderr" >&2
    exit 1
fi
curl_stats="$(timeout 5 "$VENV/bin/python" -c "import urllib.request,sys; print(urllib.request.urlopen(sys.argv[1] + '/_sim/stats').read().decode())" "$URL" 2>/dev/null || true)"
echo "python peer: simulator stats: ${curl_stats:0:300}"
exit 0
