//! The simulator against the Rust SDK: its endpoint catalog agrees with the
//! simulator's table, and its typed task responses decode what the simulator sends.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use benchling_sdk::models::{DnaSequenceBulkCreate, DnaSequencesBulkCreateRequest};
use benchling_sdk::services::{TaskResponseKind, TASK_ENDPOINTS};
use benchling_sdk::{Benchling, Error};
use benchling_sim::{LatencyModel, Simulator};
use common::{concrete_path, minimal_body, Api};
use reqwest::{Method, StatusCode};
use serde_json::Value;

fn names(fields: &[&str]) -> BTreeSet<String> {
    fields.iter().map(|field| (*field).to_owned()).collect()
}

#[test]
fn sdk_catalog_matches_operation_table() {
    let operations = benchling_sim::operations();
    assert_eq!(operations.len(), TASK_ENDPOINTS.len());

    for endpoint in TASK_ENDPOINTS {
        let operation = operations
            .iter()
            .find(|operation| operation.operation_id == endpoint.operation_id)
            .unwrap_or_else(|| panic!("{} is not served", endpoint.operation_id));
        let id = endpoint.operation_id;
        assert_eq!(operation.method, endpoint.method, "{id}");
        assert_eq!(operation.path, endpoint.path, "{id}");
        assert_eq!(
            operation.has_body,
            endpoint.request_schema.is_some(),
            "{id}"
        );
        assert_eq!(names(operation.required), names(endpoint.required), "{id}");
        assert_eq!(operation.item_field, endpoint.item_field, "{id}");
        assert_eq!(
            operation.item_limit,
            endpoint.item_limit.map(|limit| limit as usize),
            "{id}"
        );
        assert_eq!(
            names(operation.item_required),
            names(endpoint.item_required),
            "{id}"
        );
    }
}

/// Decodes a task response with the SDK type the catalog names for the operation.
fn decode_typed(operation_id: &str, response: Value) -> Result<(), String> {
    macro_rules! decode {
        ($($operation:literal => $model:ident),* $(,)?) => {
            match operation_id {
                $($operation => serde_json::from_value::<benchling_sdk::models::$model>(response)
                    .map(drop)
                    .map_err(|error| error.to_string()),)*
                other => Err(format!("no SDK type listed for {other}")),
            }
        };
    }
    decode! {
        "bulkCreateAASequences" => BulkCreateAaSequencesAsyncTaskResponse,
        "bulkUpdateAASequences" => BulkUpdateAaSequencesAsyncTaskResponse,
        "findMatchingRegionsAaSequences" => FindMatchingRegionsAsyncTaskResponse,
        "auditLog" => ExportAuditLogAsyncTaskResponse,
        "bulkCreateContainers" => BulkCreateContainersAsyncTaskResponse,
        "bulkUpdateContainers" => BulkUpdateContainersAsyncTaskResponse,
        "transferIntoContainers" => TransfersAsyncTaskResponse,
        "bulkCreateCustomEntities" => BulkCreateCustomEntitiesAsyncTaskResponse,
        "bulkUpdateCustomEntities" => BulkUpdateCustomEntitiesAsyncTaskResponse,
        "createDnaConsensusAlignment" => DnaAlignment,
        "createDnaTemplateAlignment" => DnaAlignment,
        "bulkCreateDNAOligos" => BulkCreateDnaOligosAsyncTaskResponse,
        "bulkUpdateDNAOligos" => BulkUpdateDnaOligosAsyncTaskResponse,
        "bulkCreateDNASequences" => BulkCreateDnaSequencesAsyncTaskResponse,
        "bulkUpdateDNASequences" => BulkUpdateDnaSequencesAsyncTaskResponse,
        "findMatchingRegionsDnaSequences" => FindMatchingRegionsDnaAsyncTaskResponse,
        "exportItem" => ExportsAsyncTaskResponse,
        "bulkCreateFeatures" => BulkCreateFeaturesAsyncTaskResponse,
        "generateInputWithAutomationInputGenerator" => AutomationInputGenerator,
        "processOutputWithAutomationOutputProcessor" => AutomationOutputProcessor,
        "createConsensusNucleotideAlignment" => NucleotideAlignment,
        "createTemplateNucleotideAlignment" => NucleotideAlignment,
        "bulkCreateRNAOligos" => BulkCreateRnaOligosAsyncTaskResponse,
        "bulkUpdateRNAOligos" => BulkUpdateRnaOligosAsyncTaskResponse,
        "bulkCreateRNASequences" => BulkCreateRnaSequencesAsyncTaskResponse,
        "bulkUpdateRNASequences" => BulkUpdateRnaSequencesAsyncTaskResponse,
    }
}

#[tokio::test]
async fn typed_task_responses_decode_in_sdk() {
    let simulator = common::start().await;
    let api = Api::new(&simulator);

    let typed = TASK_ENDPOINTS
        .iter()
        .filter(|endpoint| matches!(endpoint.response, TaskResponseKind::Typed(_)));
    for endpoint in typed {
        let operation = benchling_sim::operations()
            .iter()
            .find(|operation| operation.operation_id == endpoint.operation_id)
            .unwrap();
        let method = Method::from_bytes(operation.method.as_bytes()).unwrap();
        let mut request = api.request(method, &concrete_path(operation.path));
        if operation.has_body {
            request = request.json(&minimal_body(operation));
        }
        let response = request.send().await.unwrap();
        assert_eq!(
            response.status(),
            StatusCode::ACCEPTED,
            "{}",
            operation.operation_id
        );
        let link: Value = response.json().await.unwrap();

        simulator.advance_time(common::TASK_DURATION);
        let (_, task) = api.poll(link["taskId"].as_str().unwrap()).await;
        assert_eq!(
            task["status"], "SUCCEEDED",
            "{}: {task}",
            operation.operation_id
        );
        let decoded = decode_typed(operation.operation_id, task["response"].clone());
        assert!(
            decoded.is_ok(),
            "{}: {decoded:?}\n{task}",
            operation.operation_id
        );
    }
}

async fn sdk_client(simulator: &Simulator) -> Benchling {
    Benchling::builder()
        .tenant_url(simulator.base_url())
        .api_key(simulator.api_key())
        .build()
        .expect("client builds for a loopback URL")
}

fn sequence(name: &str, bases: &str) -> DnaSequenceBulkCreate {
    DnaSequenceBulkCreate {
        name: name.to_owned(),
        bases: bases.to_owned(),
        is_circular: false,
        ..Default::default()
    }
}

#[tokio::test]
async fn sdk_bulk_create_waits_for_typed_response() {
    let simulator = Simulator::builder()
        .latency(LatencyModel::fixed(Duration::ZERO))
        .start()
        .await
        .unwrap();
    let client = sdk_client(&simulator).await;

    let request = DnaSequencesBulkCreateRequest {
        dna_sequences: Some(vec![
            sequence("first", "ACGTACGT"),
            sequence("second", "ACG"),
        ]),
        ..Default::default()
    };
    let task = client.dna_sequences().bulk_create(&request).await.unwrap();
    let created = task.wait_for_response().await.unwrap();

    let sequences = created.dna_sequences.expect("dnaSequences is present");
    let names: Vec<_> = sequences
        .iter()
        .map(|sequence| sequence.name.clone().unwrap())
        .collect();
    assert_eq!(names, ["first", "second"]);
    let lengths: Vec<_> = sequences
        .iter()
        .map(|sequence| sequence.length.unwrap())
        .collect();
    assert_eq!(lengths, [8, 3]);
    assert!(sequences[0].id.as_deref().unwrap().starts_with("seq_"));
}

#[tokio::test]
async fn sdk_reports_per_item_failure() {
    let simulator = Simulator::builder()
        .latency(LatencyModel::fixed(Duration::ZERO))
        .start()
        .await
        .unwrap();
    let client = sdk_client(&simulator).await;

    let request = DnaSequencesBulkCreateRequest {
        dna_sequences: Some(vec![sequence("good", "ACGT"), sequence("bad", "ACGU")]),
        ..Default::default()
    };
    let task = client.dna_sequences().bulk_create(&request).await.unwrap();
    let error = task.wait_for_response().await.expect_err("the task fails");
    assert!(matches!(error, Error::TaskFailed(_)), "{error:?}");
}
