//! Every task-creating operation: a minimal valid request gets 202 and its task succeeds
//! with a response of the documented shape.

mod common;

use common::Api;
use common::{concrete_path, minimal_body};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

#[tokio::test]
async fn all_operations_succeed_with_minimal_requests() {
    let simulator = common::start().await;
    let api = Api::new(&simulator);
    let operations = benchling_sim::operations();
    assert_eq!(operations.len(), 61);
    assert_eq!(simulator.endpoint_count(), 61);

    for operation in operations {
        let method = Method::from_bytes(operation.method.as_bytes()).unwrap();
        let path = concrete_path(operation.path);
        let mut request = api.request(method, &path);
        if operation.has_body {
            request = request.json(&minimal_body(operation));
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let link: Value = response.json().await.unwrap();
        assert_eq!(
            status,
            StatusCode::ACCEPTED,
            "{}: {link}",
            operation.operation_id
        );

        simulator.advance_time(common::TASK_DURATION);
        let (_, task) = api.poll(link["taskId"].as_str().unwrap()).await;
        assert_eq!(
            task["status"], "SUCCEEDED",
            "{}: {task}",
            operation.operation_id
        );
        assert!(
            task["response"].is_object(),
            "{}: {task}",
            operation.operation_id
        );
    }
}

#[tokio::test]
async fn documented_response_shapes() {
    let simulator = common::start().await;
    let api = Api::new(&simulator);

    let task = api.run_task("/exports", &json!({ "id": "etr_1" })).await;
    assert!(task["response"]["downloadURL"].is_string(), "{task}");

    let task = api
        .run_task("/audit/log/seq_1", &json!({ "format": "CSV" }))
        .await;
    assert!(task["response"]["downloadURL"].is_string(), "{task}");

    let task = api
        .run_task(
            "/dna-sequences:autofill-parts",
            &json!({ "dnaSequenceIds": ["seq_1"] }),
        )
        .await;
    assert_eq!(task["response"], json!({}));

    let task = api
        .run_task(
            "/dna-sequences:find-matching-regions",
            &json!({ "targetDnaSequenceIds": ["seq_1", "seq_2"], "schemaId": "ts_1" }),
        )
        .await;
    let matches = task["response"]["dnaSequenceMatches"].as_array().unwrap();
    assert_eq!(matches.len(), 2);
    assert_eq!(matches[1]["targetDnaSequenceId"], "seq_2");

    let task = api
        .run_task(
            "/dna-alignments:create-template-alignment",
            &json!({ "algorithm": "mafft", "templateSequenceId": "seq_t", "files": [{ "sequenceId": "seq_1" }] }),
        )
        .await;
    assert!(task["response"]["id"]
        .as_str()
        .unwrap()
        .starts_with("seqanl_"));
    assert_eq!(task["response"]["referenceSequenceId"], "seq_t");
    assert_eq!(
        task["response"]["alignedSequences"][0]["sequenceId"],
        "seq_1"
    );

    let task = api
        .run_task(
            "/transfers",
            &json!({ "transfers": [{ "destinationContainerId": "con_1" }, { "destinationContainerId": "con_1" }] }),
        )
        .await;
    assert_eq!(
        task["response"]["destinationContainers"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let task = api
        .run_task(
            "/custom-entities:bulk-create",
            &json!({ "customEntities": [{ "name": "c", "schemaId": "ts_1" }] }),
        )
        .await;
    assert!(task["response"]["customEntities"][0]["id"]
        .as_str()
        .unwrap()
        .starts_with("bfi_"));

    let task = api
        .run_task(
            "/containers:bulk-update",
            &json!({ "containers": [{ "containerId": "con_9", "name": "box" }] }),
        )
        .await;
    assert_eq!(task["response"]["containers"][0]["id"], "con_9");

    let task = api
        .run_task(
            "/registries/src_1:bulk-register-entities",
            &json!({ "entityIds": ["bfi_1"], "namingStrategy": "NEW_IDS" }),
        )
        .await;
    assert_eq!(task["response"], json!({}));
}

#[tokio::test]
async fn custom_entity_limit_is_2500() {
    let simulator = common::start().await;
    let api = Api::new(&simulator);
    let item = json!({ "name": "c", "schemaId": "ts_1" });

    let accepted = json!({ "customEntities": vec![item.clone(); 2500] });
    assert_eq!(
        api.post("/custom-entities:bulk-create", &accepted)
            .await
            .status(),
        StatusCode::ACCEPTED
    );

    let rejected = json!({ "customEntities": vec![item; 2501] });
    let response = api.post("/custom-entities:bulk-create", &rejected).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let message = common::error_message(&response.json().await.unwrap());
    assert!(
        message.contains("2501") && message.contains("2500"),
        "{message}"
    );
}

#[tokio::test]
async fn unlimited_bulk_update_fails_over_1000() {
    let simulator = common::start().await;
    let api = Api::new(&simulator);

    let items: Vec<Value> = (0..1001)
        .map(|index| json!({ "id": format!("seq_{index}") }))
        .collect();
    let task = api
        .run_task(
            "/dna-sequences:bulk-update",
            &json!({ "dnaSequences": items }),
        )
        .await;
    assert_eq!(task["status"], "FAILED");
    assert!(task["message"].as_str().unwrap().contains("1000"));
    assert_eq!(task["errors"][0]["index"], 1000);
}
