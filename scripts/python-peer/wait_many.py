"""Start N DNA bulk-create tasks and wait for all of them with the Python SDK's defaults.

Usage: wait_many.py URL API_KEY [TASKS]

Each task is created and awaited on its own thread with `wait_for_completion()`
(a poll every second), as a script using Benchling's Python SDK would do. Prints
one JSON line: tasks, succeeded, wall seconds, and the simulator's request and
429 counts from GET /_sim/stats, so runs can be compared with the Rust SDK.
"""

import json
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from benchling_sdk.auth.api_key_auth import ApiKeyAuth
from benchling_sdk.benchling import Benchling
from benchling_sdk.models import DnaSequenceBulkCreate


def main():
    url, api_key = sys.argv[1], sys.argv[2]
    tasks = int(sys.argv[3]) if len(sys.argv) > 3 else 40
    benchling = Benchling(url=url, auth_method=ApiKeyAuth(api_key))

    def create_and_wait(index):
        sequence = DnaSequenceBulkCreate(name=f"wait-many-{index}", bases="ACGT", is_circular=False)
        return benchling.dna_sequences.bulk_create([sequence]).wait_for_completion().success

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=tasks) as pool:
        outcomes = list(pool.map(create_and_wait, range(tasks)))
    elapsed = time.monotonic() - started

    with urllib.request.urlopen(url + "/_sim/stats") as response:
        stats = json.load(response)
    print(json.dumps({
        "tasks": tasks,
        "succeeded": sum(outcomes),
        "wall_seconds": round(elapsed, 1),
        "requests": stats["totalRequests"],
        "too_many_requests": stats["tooManyRequests"],
    }))
    return 0 if all(outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
