//! Task lifecycle: creation, polling, per-item failures, forced failures and expiry.

mod common;

use std::time::Duration;

use common::{dna, error_message, Api, TASK_DURATION};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn dna_bulk_create_runs_then_succeeds() {
    let simulator = common::start().await;
    let api = Api::new(&simulator);

    let body = json!({ "dnaSequences": [
        {
            "name": "pPCP1", "bases": "ATGCATGCNN", "isCircular": true, "folderId": "lib_1",
            "schemaId": "ts_1", "aliases": ["p1"],
            "annotations": [{ "name": "promoter", "start": 0, "end": 4, "strand": 1, "type": "promoter" }],
            "fields": { "Resistance": { "value": "Amp" } }
        },
        dna("second", "acgt"),
    ]});
    let task_id = api.start_task("/dna-sequences:bulk-create", &body).await;

    let (status, task) = api.poll(&task_id).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(task, json!({ "status": "RUNNING" }));

    simulator.advance_time(TASK_DURATION);
    let (_, task) = api.poll(&task_id).await;
    assert_eq!(task["status"], "SUCCEEDED");
    let sequences = task["response"]["dnaSequences"]
        .as_array()
        .expect("dnaSequences list");
    assert_eq!(sequences.len(), 2);

    let first = &sequences[0];
    let id = first["id"].as_str().unwrap();
    assert!(id.starts_with("seq_"), "id {id}");
    assert_eq!(id.len(), 12, "id {id}");
    assert_eq!(first["name"], "pPCP1");
    assert_eq!(first["bases"], "ATGCATGCNN");
    assert_eq!(first["length"], 10);
    assert_eq!(first["isCircular"], true);
    assert_eq!(first["folderId"], "lib_1");
    assert_eq!(first["schema"]["id"], "ts_1");
    assert_eq!(first["aliases"], json!(["p1"]));
    assert!(first["annotations"][0]["id"].is_string());
    assert_eq!(first["annotations"][0]["name"], "promoter");
    assert_eq!(first["fields"]["Resistance"]["value"], "Amp");
    assert!(first["createdAt"].as_str().unwrap().ends_with('Z'));
    assert_eq!(first["createdAt"], first["modifiedAt"]);
    assert_eq!(sequences[1]["length"], 4);
    assert_ne!(sequences[0]["id"], sequences[1]["id"]);
}

#[tokio::test]
async fn sequence_kinds_use_their_prefixes_and_keys() {
    let simulator = common::start().await;
    let api = Api::new(&simulator);
    let cases = [
        (
            "/aa-sequences:bulk-create",
            json!({ "aaSequences": [{ "name": "p", "aminoAcids": "MKTAYIAKQR*" }] }),
            "aaSequences",
            "prtn_",
            11,
        ),
        (
            "/rna-sequences:bulk-create",
            json!({ "rnaSequences": [{ "name": "r", "bases": "ACGU", "isCircular": false }] }),
            "rnaSequences",
            "seq_",
            4,
        ),
        (
            "/dna-oligos:bulk-create",
            json!({ "dnaOligos": [{ "name": "o", "bases": "ACGTAC" }] }),
            "dnaOligos",
            "seq_",
            6,
        ),
        (
            "/rna-oligos:bulk-create",
            json!({ "rnaOligos": [{ "name": "o", "bases": "ACGUA" }] }),
            "rnaOligos",
            "seq_",
            5,
        ),
        (
            "/oligos:bulk-create",
            json!({ "oligos": [{ "name": "o", "bases": "ACG" }] }),
            "dnaOligos",
            "seq_",
            3,
        ),
    ];
    for (path, body, key, prefix, length) in cases {
        let task = api.run_task(path, &body).await;
        assert_eq!(task["status"], "SUCCEEDED", "{path}: {task}");
        let entity = &task["response"][key][0];
        assert!(
            entity["id"].as_str().unwrap().starts_with(prefix),
            "{path}: {entity}"
        );
        assert_eq!(entity["length"], length, "{path}");
    }
}

#[tokio::test]
async fn invalid_items_fail_the_task_per_index() {
    let simulator = common::start().await;
    let api = Api::new(&simulator);

    let body =
        json!({ "dnaSequences": [dna("good", "ACGT"), dna("uracil", "ACGU"), dna("empty", "")] });
    let task = api.run_task("/dna-sequences:bulk-create", &body).await;
    assert_eq!(task["status"], "FAILED");
    assert!(task["message"].is_string());
    assert!(task.get("response").is_none());
    let errors = task["errors"].as_array().expect("errors list");
    assert_eq!(errors.len(), 2);
    assert_eq!(errors[0]["index"], 1);
    assert!(errors[0]["message"]
        .as_str()
        .unwrap()
        .contains("'U' at position 4"));
    assert_eq!(errors[1]["index"], 2);
}

#[tokio::test]
async fn alphabets_reject_foreign_letters() {
    let simulator = common::start().await;
    let api = Api::new(&simulator);
    let cases = [
        (
            "/rna-sequences:bulk-create",
            json!({ "rnaSequences": [{ "name": "r", "bases": "ACGT" }] }),
        ),
        (
            "/aa-sequences:bulk-create",
            json!({ "aaSequences": [{ "name": "a", "aminoAcids": "MK1" }] }),
        ),
        (
            "/dna-oligos:bulk-create",
            json!({ "dnaOligos": [{ "name": "o", "bases": "AC GT" }] }),
        ),
    ];
    for (path, body) in cases {
        let task = api.run_task(path, &body).await;
        assert_eq!(task["status"], "FAILED", "{path}: {task}");
        assert_eq!(task["errors"][0]["index"], 0, "{path}");
    }
}

#[tokio::test]
async fn fail_header_forces_failure() {
    let simulator = common::start().await;
    let api = Api::new(&simulator);

    let response = api
        .request(reqwest::Method::POST, "/dna-sequences:bulk-create")
        .header(benchling_sim::FAIL_TASK_HEADER, "Registry is locked")
        .json(&json!({ "dnaSequences": [dna("a", "ACGT")] }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let task_id = response.json::<serde_json::Value>().await.unwrap()["taskId"]
        .as_str()
        .unwrap()
        .to_owned();

    simulator.advance_time(TASK_DURATION);
    let (_, task) = api.poll(&task_id).await;
    assert_eq!(task["status"], "FAILED");
    assert_eq!(task["message"], "Registry is locked");
    assert_eq!(task["errors"][0]["message"], "Registry is locked");
}

#[tokio::test]
async fn failing_operation_config_fails_tasks() {
    let simulator = common::builder()
        .fail_operation("exportItem", "Export service down")
        .start()
        .await
        .unwrap();
    let api = Api::new(&simulator);

    let task = api.run_task("/exports", &json!({ "id": "etr_1" })).await;
    assert_eq!(task["status"], "FAILED");
    assert_eq!(task["message"], "Export service down");
    assert!(
        task.get("errors").is_none(),
        "non-bulk task has no errors: {task}"
    );
}

#[tokio::test]
async fn unknown_task_is_not_found() {
    let simulator = common::start().await;
    let api = Api::new(&simulator);

    let (status, body) = api.poll("00000000-0000-0000-0000-000000000000").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(error_message(&body).contains("not found"));
    assert_eq!(body["error"]["type"], "invalid_request_error");
}

#[tokio::test]
async fn ended_task_expires_after_thirty_minutes() {
    let simulator = common::start().await;
    let api = Api::new(&simulator);

    let task_id = api
        .start_task(
            "/dna-sequences:bulk-create",
            &json!({ "dnaSequences": [dna("a", "ACGT")] }),
        )
        .await;
    simulator.advance_time(TASK_DURATION + Duration::from_secs(29 * 60));
    let (status, task) = api.poll(&task_id).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(task["status"], "SUCCEEDED");

    simulator.advance_time(Duration::from_secs(61));
    let (status, body) = api.poll(&task_id).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(error_message(&body).contains("30 minutes"));
}

#[tokio::test]
async fn time_scale_runs_tasks_faster() {
    // 10 simulated seconds at 1000x last 10 real milliseconds.
    let simulator = common::builder().time_scale(1000.0).start().await.unwrap();
    let api = Api::new(&simulator);

    let task_id = api
        .start_task(
            "/dna-sequences:bulk-create",
            &json!({ "dnaSequences": [dna("a", "ACGT")] }),
        )
        .await;
    let mut status = String::new();
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let (_, task) = api.poll(&task_id).await;
        status = task["status"].as_str().unwrap().to_owned();
        if status != "RUNNING" {
            break;
        }
    }
    assert_eq!(status, "SUCCEEDED");
}

#[tokio::test]
async fn latency_model_scales_with_items() {
    let simulator = benchling_sim::Simulator::builder()
        .without_rate_limit()
        .operation_latency(
            "bulkCreateDNASequences",
            benchling_sim::LatencyModel {
                base: Duration::from_secs(1),
                per_item: Duration::from_secs(2),
                jitter: 0.0,
            },
        )
        .start()
        .await
        .unwrap();
    let api = Api::new(&simulator);

    let items: Vec<_> = (0..3)
        .map(|index| dna(&format!("s{index}"), "ACGT"))
        .collect();
    let task_id = api
        .start_task(
            "/dna-sequences:bulk-create",
            &json!({ "dnaSequences": items }),
        )
        .await;
    let stats = simulator.stats();
    let task = stats.task(&task_id).expect("task is in the stats");
    assert_eq!(task.duration, Duration::from_secs(7));
    assert_eq!(task.items, 3);
    assert_eq!(task.operation_id, "bulkCreateDNASequences");
}

#[tokio::test]
async fn errors_header_selects_single_object() {
    let simulator = common::start().await;
    let api = Api::new(&simulator);

    let response = api
        .request(reqwest::Method::POST, "/dna-sequences:bulk-create")
        .header(benchling_sim::TASK_ERRORS_HEADER, "object")
        .json(&json!({ "dnaSequences": [dna("a", "ACGT"), dna("b", "XYZ")] }))
        .send()
        .await
        .unwrap();
    let link: serde_json::Value = response.json().await.unwrap();
    simulator.advance_time(TASK_DURATION);
    let (_, task) = api.poll(link["taskId"].as_str().unwrap()).await;
    assert_eq!(task["status"], "FAILED");
    assert!(task["errors"].is_object(), "{task}");
    assert_eq!(task["errors"]["index"], 1);
}

#[tokio::test]
async fn errors_shape_config_can_omit_errors() {
    let simulator = common::builder()
        .task_errors_shape(benchling_sim::TaskErrorsShape::Absent)
        .start()
        .await
        .unwrap();
    let api = Api::new(&simulator);
    let task = api
        .run_task(
            "/dna-sequences:bulk-create",
            &json!({ "dnaSequences": [dna("b", "XYZ")] }),
        )
        .await;
    assert_eq!(task["status"], "FAILED");
    assert!(task["message"].is_string());
    assert!(task.get("errors").is_none(), "{task}");
}

#[tokio::test]
async fn invalid_errors_header_gets_400() {
    let simulator = common::start().await;
    let api = Api::new(&simulator);
    let response = api
        .request(reqwest::Method::POST, "/dna-sequences:bulk-create")
        .header(benchling_sim::TASK_ERRORS_HEADER, "table")
        .json(&json!({ "dnaSequences": [dna("a", "ACGT")] }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}
