"""Time the Python SDK's decoding of one bulk-create task snapshot.

Usage: decode_peer.py FILE [ITERATIONS]

FILE contains the JSON body of GET /api/v2/tasks/{id} for a SUCCEEDED DNA bulk
create, as written by `benchling-bench decode`. Each iteration times
`json.loads` of the bytes and the generated model's `from_dict` of the parsed
`response` separately, then the SDK's own path for a final poll: the
generated get-task response parser, the SDK's AsyncTask conversion and the
TaskHelper's response decoder. Prints one JSON line with every timing in
seconds and the SHA-256 of the bytes read.
"""

import hashlib
import importlib.metadata
import json
import platform
import sys
import time

import httpx
from benchling_api_client.v2.alpha.extensions import UnknownType as UnknownTypeAlpha
from benchling_api_client.v2.beta.extensions import UnknownType as UnknownTypeBeta
from benchling_api_client.v2.stable.api.tasks import get_task
from benchling_api_client.v2.stable.extensions import UnknownType
from benchling_sdk.models import AsyncTask, BulkCreateDnaSequencesAsyncTaskResponse
from benchling_sdk.services.v2.stable import task_service


def decode_like_the_sdk(data):
    """Decode the bytes as TaskService.get_by_id and TaskHelper.wait_for_response do."""
    http_response = httpx.Response(200, content=data, headers={"content-type": "application/json"})
    task_model = get_task._parse_response(response=http_response)
    if isinstance(task_model, (UnknownTypeAlpha, UnknownTypeBeta, UnknownType)):
        task = AsyncTask.from_dict(task_model.value)
    else:
        task = task_service._deserialize_task_from_instance(task_model)
    return BulkCreateDnaSequencesAsyncTaskResponse.from_dict(task.response.to_dict())


def main():
    if len(sys.argv) < 2:
        print("usage: decode_peer.py FILE [ITERATIONS]", file=sys.stderr)
        return 2
    with open(sys.argv[1], "rb") as file:
        data = file.read()
    iterations = int(sys.argv[2]) if len(sys.argv) > 2 else 5

    # One untimed warm-up of each path, which also checks that the bytes decode.
    sequences = BulkCreateDnaSequencesAsyncTaskResponse.from_dict(json.loads(data)["response"]).dna_sequences
    if len(sequences) == 0:
        print("the snapshot decoded to no DNA sequences", file=sys.stderr)
        return 1

    json_loads, from_dict, total = [], [], []
    for _ in range(iterations):
        started = time.perf_counter()
        parsed = json.loads(data)
        parsed_at = time.perf_counter()
        model = BulkCreateDnaSequencesAsyncTaskResponse.from_dict(parsed["response"])
        finished = time.perf_counter()
        json_loads.append(parsed_at - started)
        from_dict.append(finished - parsed_at)
        total.append(finished - started)
        del parsed, model

    sdk_path, sdk_path_error = [], None
    try:
        decode_like_the_sdk(data)
        for _ in range(iterations):
            started = time.perf_counter()
            model = decode_like_the_sdk(data)
            sdk_path.append(time.perf_counter() - started)
            del model
    except Exception as error:  # reported, not fatal: these are private SDK functions
        sdk_path, sdk_path_error = None, repr(error)

    print(json.dumps({
        "sha256": hashlib.sha256(data).hexdigest(),
        "sequences": len(sequences),
        "python": platform.python_version(),
        "sdkVersion": importlib.metadata.version("benchling-sdk"),
        "apiClientVersion": importlib.metadata.version("benchling-api-client"),
        "jsonLoads": json_loads,
        "fromDict": from_dict,
        "total": total,
        "sdkPath": sdk_path,
        "sdkPathError": sdk_path_error,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
