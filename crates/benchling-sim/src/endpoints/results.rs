//! Responses of the tasks that do not create entities from their items: exports,
//! alignments, matching regions, transfers, lab automation and data frames.

use rand::Rng;
use serde_json::{json, Map, Value};

use super::entities::{build_entity, BulkMode, EntityKind};
use super::TaskContext;

/// Returns a new UUID drawn from the simulator's seeded random numbers.
fn new_uuid(context: &mut TaskContext<'_>) -> String {
    uuid::Builder::from_random_bytes(context.rng.random())
        .into_uuid()
        .to_string()
}

fn text<'a>(body: &'a Map<String, Value>, field: &str) -> Option<&'a str> {
    body.get(field).and_then(Value::as_str)
}

/// `workflow-tasks:bulk-copy`: one new workflow task per copied id.
pub(super) fn copied_workflow_tasks(ids: &[Value], context: &mut TaskContext<'_>) -> Value {
    let timestamp = context.timestamp();
    let tasks: Vec<Value> = ids
        .iter()
        .map(|source| {
            let id = context.new_id("wftask_");
            json!({
                "id": id,
                "copiedFromId": source,
                "createdAt": timestamp,
                "modifiedAt": timestamp,
                "creator": context.creator(),
                "status": { "id": "wfts_simulated", "displayName": "Pending", "statusType": "PENDING" },
                "webURL": format!("{}/benchling/workflow-tasks/{id}", context.base_url),
            })
        })
        .collect();
    json!({ "workflowTasks": tasks })
}

/// `assay-results:bulk-create`: the UUID of each created result.
pub(super) fn assay_results(items: &[Value], context: &mut TaskContext<'_>) -> Value {
    let ids: Vec<String> = items.iter().map(|_| new_uuid(context)).collect();
    json!({ "assayResults": ids, "errors": null })
}

/// `aa-sequences:back-translate`: one DNA sequence per AA sequence id, with a
/// placeholder coding sequence of three bases per id letter.
pub(super) fn back_translation(
    body: &Map<String, Value>,
    ids: &[Value],
    context: &mut TaskContext<'_>,
) -> Value {
    let folder_id = body.get("folderId").cloned().unwrap_or(Value::Null);
    let sequences: Vec<Value> = ids
        .iter()
        .filter_map(|id| {
            let id = id.as_str().unwrap_or_default();
            let item = json!({
                "name": format!("{id} back-translation"),
                "bases": "ATG".repeat(id.len().max(1)),
                "isCircular": false,
                "folderId": folder_id,
            });
            build_entity(EntityKind::DnaSequence, BulkMode::Create, &item, context).ok()
        })
        .collect();
    json!({ "dnaSequences": sequences })
}

/// `*:find-matching-regions`: every target with an empty list of matches.
pub(super) fn matching_regions(
    targets: &[Value],
    response_key: &str,
    target_key: &str,
    matching_key: &str,
) -> Value {
    let matches: Vec<Value> = targets
        .iter()
        .map(|target| json!({ target_key: target, matching_key: [] }))
        .collect();
    json!({ response_key: matches })
}

/// `*-alignments:create-*-alignment`: an alignment of the request's files.
pub(super) fn alignment(body: &Map<String, Value>, context: &mut TaskContext<'_>) -> Value {
    let id = context.new_id("seqanl_");
    let timestamp = context.timestamp();
    let files = body
        .get("files")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();

    let aligned: Vec<Value> = files
        .iter()
        .map(|file| {
            let sequence_id = file.get("sequenceId").cloned().unwrap_or(Value::Null);
            json!({
                "sequenceId": sequence_id,
                "dnaSequenceId": sequence_id,
                "name": sequence_id.as_str().unwrap_or("uploaded file"),
                "bases": "",
                "trimStart": 0,
                "trimEnd": 0,
            })
        })
        .collect();
    let reference = match text(body, "templateSequenceId") {
        Some(template) => json!(template),
        None => json!(context.new_id("seq_")),
    };

    json!({
        "id": id,
        "name": text(body, "name").unwrap_or("Simulated alignment"),
        "createdAt": timestamp,
        "modifiedAt": timestamp,
        "referenceSequenceId": reference,
        "alignedSequences": aligned,
        "apiURL": format!("{}/api/v2/nucleotide-alignments/{id}", context.base_url),
        "webURL": format!("{}/benchling/alignments/{id}", context.base_url),
    })
}

/// Exports and audit logs: a download link. The simulator does not serve the file.
pub(super) fn download_url(context: &mut TaskContext<'_>) -> Value {
    let file = new_uuid(context);
    json!({ "downloadURL": format!("{}/_sim/downloads/{file}", context.base_url) })
}

/// `transfers`: each destination container once, in request order.
pub(super) fn transfers(items: &[Value], context: &mut TaskContext<'_>) -> Value {
    let timestamp = context.timestamp();
    let mut seen = Vec::new();
    let containers: Vec<Value> = items
        .iter()
        .filter_map(|transfer| {
            transfer
                .get("destinationContainerId")
                .and_then(Value::as_str)
        })
        .filter(|id| {
            let first = !seen.contains(id);
            seen.push(*id);
            first
        })
        .map(|id| {
            json!({
                "id": id,
                "name": id,
                "barcode": id,
                "contents": [],
                "fields": {},
                "createdAt": timestamp,
                "modifiedAt": timestamp,
                "creator": context.creator(),
                "archiveRecord": null,
                "webURL": format!("{}/benchling/containers/{id}", context.base_url),
            })
        })
        .collect();
    json!({ "destinationContainers": containers })
}

/// Builds the `automationFile` fields shared by input generators and output processors.
fn automation_file(id: &str, route: &str, context: &mut TaskContext<'_>) -> Map<String, Value> {
    let timestamp = context.timestamp();
    let blob_id = new_uuid(context);
    let file = json!({
        "id": blob_id,
        "name": "simulated.csv",
        "mimeType": "text/csv",
        "type": "RAW_FILE",
        "uploadStatus": "COMPLETE",
    });
    let value = json!({
        "id": id,
        "apiURL": format!("{}/api/v2/{route}/{id}", context.base_url),
        "createdAt": timestamp,
        "modifiedAt": timestamp,
        "status": "SUCCEEDED",
        "transforms": [],
        "assayRunId": new_uuid(context),
        "automationFileConfig": { "name": "Simulated instrument" },
        "file": file,
    });
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// `automation-input-generators/{id}:generate-input`: the generator with a generated file.
pub(super) fn input_generator(context: &mut TaskContext<'_>) -> Value {
    let id = context
        .path_param("input_generator_id")
        .unwrap_or_default()
        .to_owned();
    Value::Object(automation_file(&id, "automation-input-generators", context))
}

/// `automation-output-processors/{id}:process-output`: the processor, done without errors.
pub(super) fn output_processor(context: &mut TaskContext<'_>) -> Value {
    let id = context
        .path_param("output_processor_id")
        .unwrap_or_default()
        .to_owned();
    let mut processor = automation_file(&id, "automation-output-processors", context);
    processor.insert("completeWithErrors".to_owned(), json!(false));
    processor.insert("errorFile".to_owned(), Value::Null);
    processor.insert("archiveRecord".to_owned(), Value::Null);
    processor.insert(
        "progressStats".to_owned(),
        json!({ "rowsSucceeded": 0, "rowsFailed": 0, "rowsUnprocessed": 0 }),
    );
    Value::Object(processor)
}

/// `PATCH data-frames/{id}`: the data frame, uploaded.
pub(super) fn data_frame(context: &mut TaskContext<'_>) -> Value {
    let id = context
        .path_param("data_frame_id")
        .unwrap_or_default()
        .to_owned();
    json!({
        "id": id,
        "name": id,
        "columns": [],
        "manifest": [],
        "uploadStatus": "SUCCEEDED",
        "errorMessage": null,
    })
}
