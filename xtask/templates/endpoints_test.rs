//! Each task-creating endpoint method sends the documented method, path and body to a
//! local server, and the typed response of the task it starts comes back.
//!
//! The server accepts exactly the request that the current case expects, then one poll
//! of the task. It rejects any other request with HTTP 500 and records a failure.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use benchling_sdk::services::catalog::{self, TaskEndpoint};
#[allow(unused_imports)]
use benchling_sdk::{models, Benchling, BenchlingBuilder, EmptyTaskResponse, GovernorConfig, RetryStrategy};
use percent_encoding::percent_decode_str;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

/// One endpoint call: the arguments the test passes and the response its task returns.
struct Case {
    operation_id: &'static str,
    path_args: &'static [&'static str],
    /// JSON request body, decoded into the method's request type.
    request: Option<&'static str>,
    /// `response` of the succeeded task.
    response: Value,
}

/// The request the server accepts next.
struct Expectation {
    endpoint: &'static TaskEndpoint,
    path_args: Vec<String>,
    body: Option<Value>,
    task_id: String,
    response: Value,
    created: bool,
    polled: bool,
}

#[derive(Default)]
struct ServerState {
    expected: Mutex<Option<Expectation>>,
    failures: Mutex<Vec<String>>,
}

struct TestServer {
    address: SocketAddr,
    state: Arc<ServerState>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl TestServer {
    async fn start() -> TestServer {
        let state = Arc::new(ServerState::default());
        let app = Router::new().fallback(handle).with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port");
        let address = listener.local_addr().expect("local address");
        tokio::spawn(async move {
            axum::serve(listener, app).await.expect("serve");
        });
        TestServer { address, state }
    }

    fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Makes the server accept the call of `case`, then one poll of its task.
    fn expect(&self, case: &Case, index: usize) {
        let endpoint = catalog::find(case.operation_id)
            .unwrap_or_else(|| panic!("{} is not in the catalog", case.operation_id));
        let body = case.request.map(|text| {
            serde_json::from_str(text).unwrap_or_else(|error| panic!("{}: {error}", case.operation_id))
        });
        *lock(&self.state.expected) = Some(Expectation {
            endpoint,
            path_args: case.path_args.iter().map(|arg| arg.to_string()).collect(),
            body,
            task_id: format!("task-{index}"),
            response: case.response.clone(),
            created: false,
            polled: false,
        });
    }

    /// Panics with the recorded failures, if any, and checks that the call and its poll arrived.
    fn finish(&self, operation_id: &str) {
        let failures = std::mem::take(&mut *lock(&self.state.failures));
        assert!(failures.is_empty(), "{operation_id}: the server rejected requests: {failures:#?}");
        let expected = lock(&self.state.expected).take().expect("an expectation");
        assert!(expected.created, "{operation_id}: the endpoint was not called");
        assert!(expected.polled, "{operation_id}: the task was not polled");
    }

    fn failures(&self) -> Vec<String> {
        lock(&self.state.failures).clone()
    }
}

async fn handle(
    State(state): State<Arc<ServerState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match check(&state, &method, &uri, &headers, &body) {
        Ok(response) => response,
        Err(failure) => {
            lock(&state.failures).push(failure.clone());
            (StatusCode::INTERNAL_SERVER_ERROR, failure).into_response()
        }
    }
}

/// Returns the response to the expected request, or why the request is wrong.
fn check(
    state: &ServerState,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, String> {
    let mut expected = lock(&state.expected);
    let Some(expectation) = expected.as_mut() else {
        return Err(format!("unexpected request {method} {uri}: no call is in progress"));
    };
    let authorized = headers
        .get("authorization")
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("Basic "));
    if !authorized {
        return Err(format!("{method} {uri} has no HTTP Basic authorization"));
    }

    let task_path = format!("/api/v2/tasks/{}", expectation.task_id);
    if expectation.created {
        if method == Method::GET && uri.path() == task_path && !expectation.polled {
            expectation.polled = true;
            let task = json!({"status": "SUCCEEDED", "response": expectation.response});
            return Ok(Json(task).into_response());
        }
        return Err(format!("unexpected request {method} {uri} after the call; expected one GET {task_path}"));
    }

    let endpoint = expectation.endpoint;
    let wanted = format!("{} /api/v2{}", endpoint.method, endpoint.path);
    if uri.query().is_some() {
        return Err(format!("{method} {uri} has a query; expected {wanted}"));
    }
    let path = uri
        .path()
        .strip_prefix("/api/v2")
        .ok_or_else(|| format!("{method} {uri} is not below /api/v2; expected {wanted}"))?;
    let args = endpoint
        .match_request(method.as_str(), path)
        .ok_or_else(|| format!("{method} {uri} does not match {wanted}"))?;
    let args: Vec<String> = args
        .iter()
        .map(|arg| percent_decode_str(arg).decode_utf8_lossy().into_owned())
        .collect();
    if args != expectation.path_args {
        return Err(format!("{method} {uri}: path parameters {args:?}, expected {:?}", expectation.path_args));
    }

    let sent: Option<Value> = if body.is_empty() {
        None
    } else {
        Some(serde_json::from_slice(body).map_err(|error| format!("{method} {uri}: body is not JSON: {error}"))?)
    };
    let same = match (&sent, &expectation.body) {
        (Some(sent), Some(wanted)) => same_json(wanted, sent),
        (None, None) => true,
        _ => false,
    };
    if !same {
        return Err(format!("{method} {uri}: body {sent:?}, expected {:?}", expectation.body));
    }

    expectation.created = true;
    let link = json!({"taskId": expectation.task_id});
    Ok((StatusCode::ACCEPTED, Json(link)).into_response())
}

/// Compares JSON values; numbers are equal when their `f64` values are, so `1` equals `1.0`.
fn same_json(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::Number(left), Value::Number(right)) => left.as_f64() == right.as_f64(),
        (Value::Array(left), Value::Array(right)) => {
            left.len() == right.len() && left.iter().zip(right).all(|(l, r)| same_json(l, r))
        }
        (Value::Object(left), Value::Object(right)) => {
            left.len() == right.len()
                && left
                    .iter()
                    .all(|(key, value)| right.get(key).is_some_and(|other| same_json(value, other)))
        }
        _ => expected == actual,
    }
}

/// Decodes the case's request body into the method's request type.
#[allow(dead_code)]
fn request<T: DeserializeOwned>(case: &Case) -> T {
    let text = case.request.unwrap_or_else(|| panic!("{} has no request", case.operation_id));
    serde_json::from_str(text)
        .unwrap_or_else(|error| panic!("{}: the sample request does not decode: {error}", case.operation_id))
}

fn to_json<T: Serialize>(value: T) -> Value {
    serde_json::to_value(value).expect("a task response encodes")
}

/// Reads the example task of an operation and returns its `response`.
#[allow(dead_code)]
fn example_response(operation_id: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/task_examples/{operation_id}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("cannot read {path}: {error}"));
    let task: Value = serde_json::from_str(&text).unwrap_or_else(|error| panic!("{path}: {error}"));
    task["response"].clone()
}

/// Returns the example response of an operation with the one-element list at each
/// pointer replaced by its element, where the example contradicts its schema.
#[allow(dead_code)]
fn fixed_example_response(operation_id: &str, pointers: &[&str]) -> Value {
    let mut response = example_response(operation_id);
    for pointer in pointers {
        let slot = response
            .pointer_mut(pointer)
            .unwrap_or_else(|| panic!("{operation_id}: the example has nothing at {pointer}"));
        if let Value::Array(items) = slot {
            let element = items.remove(0);
            *slot = element;
        }
    }
    response
}

/// Points a client at the test server, without retries (a rejected request fails at
/// once) and without pacing (the server sends no rate-limit headers).
fn configure(builder: BenchlingBuilder, server: &TestServer) -> BenchlingBuilder {
    builder
        .tenant_url(server.url())
        .api_key("test-key")
        .retry(RetryStrategy::none())
        .governor(GovernorConfig::disabled())
}

#[tokio::test]
async fn every_task_endpoint_round_trips() {
    let server = TestServer::start().await;
    let client = configure(Benchling::builder(), &server)
        .build()
        .expect("a client for the local server");

    let cases = cases();
    assert_eq!(cases.len(), catalog::TASK_ENDPOINTS.len(), "one case per endpoint");
    for (index, case) in cases.iter().enumerate() {
        server.expect(case, index);
        let returned = call(&client, case).await.unwrap_or_else(|error| {
            panic!("{}: {error}; server failures: {:#?}", case.operation_id, server.failures())
        });
        server.finish(case.operation_id);
        assert!(
            same_json(&case.response, &returned),
            "{}: typed response differs\nserved:   {}\nreturned: {returned}",
            case.operation_id,
            case.response
        );
    }
}

#[cfg(feature = "blocking")]
#[test]
fn every_task_endpoint_round_trips_blocking() {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime for the server");
    let server = runtime.block_on(TestServer::start());
    let client = benchling_sdk::blocking::Benchling::builder()
        .configure(|builder| configure(builder, &server))
        .build()
        .expect("a blocking client for the local server");

    for (index, case) in cases().iter().enumerate() {
        server.expect(case, index);
        let returned = call_blocking(&client, case).unwrap_or_else(|error| {
            panic!("{}: {error}; server failures: {:#?}", case.operation_id, server.failures())
        });
        server.finish(case.operation_id);
        assert!(same_json(&case.response, &returned), "{}: typed response differs", case.operation_id);
    }
}

#[test]
fn catalog_matches_paths_with_parameters() {
    let endpoint = catalog::find("registerEntities").expect("registerEntities");
    assert_eq!(
        endpoint.match_request("POST", "/registries/src_1:bulk-register-entities"),
        Some(vec!["src_1"])
    );
    assert_eq!(endpoint.match_request("GET", "/registries/src_1:bulk-register-entities"), None);
    assert_eq!(endpoint.match_request("POST", "/registries/:bulk-register-entities"), None);
    assert_eq!(endpoint.match_request("POST", "/registries/a/b:bulk-register-entities"), None);

    let (found, args) = catalog::match_request("POST", "/dna-sequences:bulk-create").expect("a match");
    assert_eq!(found.operation_id, "bulkCreateDNASequences");
    assert!(args.is_empty());
}
