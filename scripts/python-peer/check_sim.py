"""Drive benchling-sim with Benchling's own Python SDK and check what it decodes.

Usage: check_sim.py URL API_KEY CLIENT_ID CLIENT_SECRET

Exits 0 when every check passes and 1 with a message on the first failure.
The simulator is expected to run with `--fault 503:n=1:polls`, so the first task
poll gets 503 and the SDK's retry strategy has to recover from it.
"""

import datetime
import sys

from benchling_sdk.auth.api_key_auth import ApiKeyAuth
from benchling_sdk.auth.client_credentials_oauth2 import ClientCredentialsOAuth2
from benchling_sdk.benchling import Benchling
from benchling_sdk.helpers.serialization_helpers import fields
from benchling_sdk.helpers.task_helpers import EmptyTaskResponse, TaskFailureException
from benchling_sdk.models import (
    AaSequenceBulkCreate,
    AutofillSequences,
    DnaAnnotation,
    DnaSequenceBulkCreate,
    ExportItemRequest,
)

# Seconds between polls and the longest wait; the simulator's tasks end well before.
POLL_INTERVAL = 1
MAX_WAIT = 60


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def check_dna_bulk_create(benchling):
    items = [
        DnaSequenceBulkCreate(
            name="peer-plasmid",
            bases="ATGCATGCATGC",
            is_circular=True,
            folder_id="lib_peer0001",
            annotations=[DnaAnnotation(name="promoter", start=0, end=6, strand=1, type="promoter", color="#F58A5E")],
            fields=fields({"Resistance": {"value": "Amp"}}),
        ),
        DnaSequenceBulkCreate(name="peer-linear", bases="acgtn", is_circular=False),
    ]
    task = benchling.dna_sequences.bulk_create(items)
    check(len(task.task_id) == 36, f"task id is not a UUID: {task.task_id!r}")

    response = task.wait_for_response(interval_wait_seconds=POLL_INTERVAL, max_wait_seconds=MAX_WAIT)
    sequences = response.dna_sequences
    check([sequence.name for sequence in sequences] == ["peer-plasmid", "peer-linear"],
          f"names: {[sequence.name for sequence in sequences]}")
    check([sequence.length for sequence in sequences] == [12, 5],
          f"lengths: {[sequence.length for sequence in sequences]}")
    for sequence in sequences:
        check(sequence.id.startswith("seq_") and len(sequence.id) == 12, f"id: {sequence.id!r}")
        check(isinstance(sequence.created_at, datetime.datetime), f"createdAt: {sequence.created_at!r}")
    first = sequences[0]
    check(first.is_circular is True, f"isCircular: {first.is_circular!r}")
    check(first.folder_id == "lib_peer0001", f"folderId: {first.folder_id!r}")
    check(first.annotations[0].name == "promoter", f"annotations: {first.annotations!r}")
    check(first.fields["Resistance"].value == "Amp", f"fields: {first.fields!r}")
    print(f"ok   dna_sequences.bulk_create: {[sequence.id for sequence in sequences]}")
    return [sequence.id for sequence in sequences]


def check_aa_bulk_create(benchling):
    task = benchling.aa_sequences.bulk_create([AaSequenceBulkCreate(name="peer-protein", amino_acids="MKTAYIAKQR")])
    response = task.wait_for_response(interval_wait_seconds=POLL_INTERVAL, max_wait_seconds=MAX_WAIT)
    protein = response.aa_sequences[0]
    check(protein.id.startswith("prtn_"), f"id: {protein.id!r}")
    check(protein.length == 10, f"length: {protein.length!r}")
    print(f"ok   aa_sequences.bulk_create: {protein.id}")


def check_failed_task(benchling):
    items = [
        DnaSequenceBulkCreate(name="good", bases="ACGT", is_circular=False),
        DnaSequenceBulkCreate(name="bad", bases="ACGU", is_circular=False),
    ]
    completion = benchling.dna_sequences.bulk_create(items).wait_for_completion(
        interval_wait_seconds=POLL_INTERVAL, max_wait_seconds=MAX_WAIT
    )
    check(completion.success is False, f"success: {completion.success!r}")
    check(completion.response is None, f"response: {completion.response!r}")
    check(bool(completion.message), f"message: {completion.message!r}")
    check(completion.errors is not None, "errors are missing")
    errors = completion.errors if isinstance(completion.errors, list) else [completion.errors]
    first = errors[0].to_dict()
    check(first.get("index") == 1, f"errors: {[error.to_dict() for error in errors]}")
    print(f"ok   failed task: {completion.message} {first}")

    try:
        benchling.dna_sequences.bulk_create(items).wait_for_response(
            interval_wait_seconds=POLL_INTERVAL, max_wait_seconds=MAX_WAIT
        )
    except TaskFailureException as failure:
        check(bool(failure.message), f"exception message: {failure.message!r}")
        print("ok   wait_for_response raised TaskFailureException")
    else:
        raise AssertionError("wait_for_response returned for a failed task")


def check_empty_and_export_tasks(benchling, sequence_ids):
    task = benchling.dna_sequences.autofill_parts(sequence_ids)
    response = task.wait_for_response(interval_wait_seconds=POLL_INTERVAL, max_wait_seconds=MAX_WAIT)
    check(isinstance(response, EmptyTaskResponse), f"autofill response: {response!r}")
    print("ok   dna_sequences.autofill_parts: EmptyTaskResponse")

    task = benchling.exports.export(ExportItemRequest(id="etr_peer0001"))
    response = task.wait_for_response(interval_wait_seconds=POLL_INTERVAL, max_wait_seconds=MAX_WAIT)
    check(response.download_url.startswith("http"), f"downloadURL: {response.download_url!r}")
    print(f"ok   exports.export: {response.download_url}")


def check_client_credentials(url, client_id, client_secret):
    benchling = Benchling(url=url, auth_method=ClientCredentialsOAuth2(client_id=client_id, client_secret=client_secret))
    task = benchling.aa_sequences.bulk_create([AaSequenceBulkCreate(name="oauth-protein", amino_acids="MK")])
    response = task.wait_for_response(interval_wait_seconds=POLL_INTERVAL, max_wait_seconds=MAX_WAIT)
    check(response.aa_sequences[0].name == "oauth-protein", f"response: {response!r}")
    print("ok   OAuth2 client credentials")


def main():
    url, api_key, client_id, client_secret = sys.argv[1:5]
    benchling = Benchling(url=url, auth_method=ApiKeyAuth(api_key))
    sequence_ids = ["seq_missing1"]

    def dna_bulk_create():
        sequence_ids[:] = check_dna_bulk_create(benchling)

    checks = [
        dna_bulk_create,
        lambda: check_aa_bulk_create(benchling),
        lambda: check_failed_task(benchling),
        lambda: check_empty_and_export_tasks(benchling, sequence_ids),
        lambda: check_client_credentials(url, client_id, client_secret),
    ]
    passed = failed = 0
    for run_check in checks:
        try:
            run_check()
            passed += 1
        except Exception as failure:  # noqa: BLE001 - any SDK error is a failed check
            print(f"FAIL {type(failure).__name__}: {failure}")
            failed += 1
    # The closing line in the form CI runners count.
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
