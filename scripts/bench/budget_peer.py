"""Create DNA bulk-create tasks and wait for each with the Python SDK's defaults.

Usage: BENCHLING_SIM_API_KEY=KEY budget_peer.py URL [TASKS]

Each task is created and awaited on its own thread with `wait_for_response()`
(a poll every second for at most 600 s), as a script built on Benchling's Python
SDK would do. Prints one JSON line: the wall time and, per task, the instant
its wait returned on the simulator's clock. The benchmark runner combines these
with the simulator's task statistics to compute detection lag.
"""

import importlib.metadata
import json
import os
import platform
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from benchling_sdk.auth.api_key_auth import ApiKeyAuth
from benchling_sdk.benchling import Benchling
from benchling_sdk.models import DnaSequenceBulkCreate


def simulator_clock_offset(url):
    """Return monotonic time minus simulated time, from one GET /_sim/stats.

    The simulator's `now` is taken while the request is served, so the midpoint
    of the two local clock reads around the request estimates the same instant.
    """
    before = time.monotonic()
    with urllib.request.urlopen(url + "/_sim/stats", timeout=30) as response:
        body = response.read()
    after = time.monotonic()
    return (before + after) / 2 - json.loads(body)["now"]


def main():
    if len(sys.argv) < 2:
        print("usage: BENCHLING_SIM_API_KEY=KEY budget_peer.py URL [TASKS]", file=sys.stderr)
        return 2
    url = sys.argv[1]
    tasks = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    api_key = os.environ.get("BENCHLING_SIM_API_KEY")
    if not api_key:
        print("missing BENCHLING_SIM_API_KEY: set it to the simulator's API key", file=sys.stderr)
        return 2

    benchling = Benchling(url=url, auth_method=ApiKeyAuth(api_key))

    def create_and_wait(index):
        sequence = DnaSequenceBulkCreate(name=f"budget-{index}", bases="ACGT", is_circular=False)
        task = benchling.dna_sequences.bulk_create([sequence])
        error = None
        try:
            task.wait_for_response()
        except Exception as caught:  # a failed or expired wait is a result to report
            error = repr(caught)
        return {"taskId": task.task_id, "waitReturned": time.monotonic(), "error": error}

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=tasks) as pool:
        results = list(pool.map(create_and_wait, range(tasks)))
    wall_seconds = max(result["waitReturned"] for result in results) - started

    offset = simulator_clock_offset(url)
    print(json.dumps({
        "tasks": tasks,
        "succeeded": sum(result["error"] is None for result in results),
        "wallSeconds": wall_seconds,
        "python": platform.python_version(),
        "sdkVersion": importlib.metadata.version("benchling-sdk"),
        "results": [
            {
                "taskId": result["taskId"],
                "waitReturnedSim": result["waitReturned"] - offset,
                "error": result["error"],
            }
            for result in results
        ],
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
