//! Helpers shared by the simulator's integration tests: a plain reqwest client
//! and shortcuts for the requests most tests make.

#![allow(dead_code)]

use std::time::Duration;

use benchling_sim::{LatencyModel, Simulator, SimulatorBuilder};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::{json, Map, Value};

/// Simulated duration of every task in tests that use [`builder`].
pub const TASK_DURATION: Duration = Duration::from_secs(10);

/// Returns a builder with fixed 10-second tasks and no rate limit, so tests control time with
/// [`Simulator::advance_time`] and are not throttled.
pub fn builder() -> SimulatorBuilder {
    Simulator::builder()
        .latency(LatencyModel::fixed(TASK_DURATION))
        .without_rate_limit()
}

pub async fn start() -> Simulator {
    builder().start().await.expect("simulator starts")
}

pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("HTTP client builds")
}

/// A client for one simulator that sends its API key with every request.
pub struct Api<'a> {
    pub simulator: &'a Simulator,
    pub http: reqwest::Client,
}

impl<'a> Api<'a> {
    pub fn new(simulator: &'a Simulator) -> Self {
        Self {
            simulator,
            http: http(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.simulator.base_url())
    }

    /// Builds a request to `/api/v2{path}` with the API key.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.http
            .request(method, self.url(&format!("/api/v2{path}")))
            .basic_auth(self.simulator.api_key(), Some(""))
    }

    pub async fn post(&self, path: &str, body: &Value) -> Response {
        self.request(Method::POST, path)
            .json(body)
            .send()
            .await
            .expect("request gets a response")
    }

    /// Starts a task and returns its id, checking for 202.
    pub async fn start_task(&self, path: &str, body: &Value) -> String {
        let response = self.post(path, body).await;
        let status = response.status();
        let text = response.text().await.expect("body is readable");
        assert_eq!(status, StatusCode::ACCEPTED, "unexpected response: {text}");
        let link: Value = serde_json::from_str(&text).expect("task link is JSON");
        link["taskId"]
            .as_str()
            .expect("taskId is a string")
            .to_owned()
    }

    /// Polls a task once and returns status and body.
    pub async fn poll(&self, task_id: &str) -> (StatusCode, Value) {
        let response = self
            .request(Method::GET, &format!("/tasks/{task_id}"))
            .send()
            .await
            .expect("poll gets a response");
        let status = response.status();
        let body = response.json().await.expect("poll body is JSON");
        (status, body)
    }

    /// Starts a task, moves the clock past its end and returns the ended task.
    pub async fn run_task(&self, path: &str, body: &Value) -> Value {
        let task_id = self.start_task(path, body).await;
        self.simulator.advance_time(TASK_DURATION);
        let (status, task) = self.poll(&task_id).await;
        assert_eq!(status, StatusCode::OK, "poll failed: {task}");
        task
    }
}

/// Checks that a body is Benchling's error body and returns its message.
pub fn error_message(body: &Value) -> String {
    let error = &body["error"];
    assert!(error.is_object(), "not an error body: {body}");
    assert!(error["type"].is_string(), "error type missing: {body}");
    assert!(
        error["userMessage"].is_string(),
        "userMessage missing: {body}"
    );
    error["message"]
        .as_str()
        .expect("message is a string")
        .to_owned()
}

pub fn dna(name: &str, bases: &str) -> Value {
    json!({ "name": name, "bases": bases, "isCircular": false })
}

/// Returns a placeholder for a required field, typed by the usual shape of its name.
pub fn placeholder(field: &str) -> Value {
    match field {
        "isCircular" => json!(false),
        // Valid for DNA and RNA alike.
        "bases" => json!("ACG"),
        "aminoAcids" => json!("MKT"),
        "annotations" | "primers" | "ingredients" | "files" => json!([]),
        "fields" => json!({}),
        "algorithm" => json!("mafft"),
        "format" => json!("CSV"),
        "namingStrategy" => json!("NEW_IDS"),
        "units" => json!("L"),
        name if name.ends_with("Ids") => json!(["id_1"]),
        name => json!(format!("{name}_1")),
    }
}

/// Builds a minimal request body that passes the operation's validation.
pub fn minimal_body(operation: &benchling_sim::Operation) -> Value {
    let mut body = Map::new();
    for field in operation.required {
        body.insert((*field).to_owned(), placeholder(field));
    }
    if let Some(item_field) = operation.item_field {
        let mut item = Map::new();
        for field in operation.item_required {
            item.insert((*field).to_owned(), placeholder(field));
        }
        for field in ["id", "containerId"] {
            item.insert(field.to_owned(), json!(format!("{field}_1")));
        }
        for field in ["bases", "aminoAcids"] {
            item.insert(field.to_owned(), placeholder(field));
        }
        if item_field.ends_with("Ids") {
            body.insert(item_field.to_owned(), json!(["id_1"]));
        } else {
            body.insert(item_field.to_owned(), json!([item]));
        }
    }
    if operation.operation_id == "bulkUpsertEntities" {
        body.insert("customEntities".to_owned(), json!([{ "name": "e", "schemaId": "ts_1", "registryId": "src_1", "entityRegistryId": "E1" }]));
    }
    Value::Object(body)
}

/// Fills `{name}` path parameters with a value.
pub fn concrete_path(template: &str) -> String {
    let mut path = String::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        path.push_str(&rest[..start]);
        let end = rest[start..].find('}').expect("closed parameter") + start;
        path.push_str(&format!("{}_1", &rest[start + 1..end]));
        rest = &rest[end + 1..];
    }
    path.push_str(rest);
    path
}
