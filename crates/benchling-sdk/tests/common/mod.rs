//! A scripted HTTP server on 127.0.0.1:0 for end-to-end tests.
//!
//! Each test queues the responses to send, in order, each with the method and
//! path it must match. A request that does not match the next expectation gets
//! HTTP 500 and is recorded; [`ScriptedServer::finish`] fails the test on any
//! unexpected or missing request.

#![allow(dead_code)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;

/// One expected request and the response to send.
#[derive(Clone)]
pub struct Expect {
    pub method: Method,
    pub path: String,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// When set, the `Authorization` header must equal it.
    pub authorization: Option<String>,
}

impl Expect {
    pub fn new(method: Method, path: &str, status: u16, body: impl Into<String>) -> Self {
        Expect {
            method,
            path: path.to_string(),
            status,
            headers: Vec::new(),
            body: body.into(),
            authorization: None,
        }
    }

    pub fn get(path: &str, status: u16, body: impl Into<String>) -> Self {
        Self::new(Method::GET, path, status, body)
    }

    pub fn post(path: &str, status: u16, body: impl Into<String>) -> Self {
        Self::new(Method::POST, path, status, body)
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub fn authorization(mut self, value: &str) -> Self {
        self.authorization = Some(value.to_string());
        self
    }
}

/// A request the server received.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: Method,
    pub path: String,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub at: Instant,
}

#[derive(Default)]
struct Script {
    expected: VecDeque<Expect>,
    received: Vec<Received>,
    unexpected: Vec<String>,
}

pub struct ScriptedServer {
    pub url: String,
    script: Arc<Mutex<Script>>,
    started: Instant,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl ScriptedServer {
    pub async fn start(expected: Vec<Expect>) -> Self {
        let script = Arc::new(Mutex::new(Script {
            expected: expected.into(),
            ..Script::default()
        }));
        let app = Router::new().fallback(answer).with_state(script.clone());

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (shutdown, stop) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stop.await;
                })
                .await
                .unwrap();
        });

        ScriptedServer {
            url,
            script,
            started: Instant::now(),
            shutdown: Some(shutdown),
        }
    }

    pub fn received(&self) -> Vec<Received> {
        self.script.lock().unwrap().received.clone()
    }

    /// Seconds since the server started at which each request arrived.
    pub fn arrival_seconds(&self) -> Vec<f64> {
        self.received()
            .iter()
            .map(|request| request.at.duration_since(self.started).as_secs_f64())
            .collect()
    }

    /// Fails the test if a request was unexpected or an expected one never came.
    pub fn finish(mut self) {
        let script = self.script.lock().unwrap();
        assert!(
            script.unexpected.is_empty(),
            "unexpected requests: {:?}",
            script.unexpected
        );
        let missing: Vec<String> = script
            .expected
            .iter()
            .map(|expect| format!("{} {}", expect.method, expect.path))
            .collect();
        assert!(
            missing.is_empty(),
            "expected requests that never came: {missing:?}"
        );
        drop(script);
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

async fn answer(
    State(script): State<Arc<Mutex<Script>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let mut script = script.lock().unwrap();
    script.received.push(Received {
        method: method.clone(),
        path: path.clone(),
        headers: headers.clone(),
        body,
        at: Instant::now(),
    });

    let matches = script
        .expected
        .front()
        .is_some_and(|expect| expect.method == method && expect.path == path);
    if !matches {
        let next = script
            .expected
            .front()
            .map(|e| format!("{} {}", e.method, e.path));
        script
            .unexpected
            .push(format!("{method} {path} (expected {next:?})"));
        return (StatusCode::INTERNAL_SERVER_ERROR, "unexpected request").into_response();
    }

    let expect = script.expected.pop_front().unwrap();
    if let Some(authorization) = &expect.authorization {
        let sent = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if sent != authorization {
            script.unexpected.push(format!(
                "{method} {path} with authorization {sent:?}, expected {authorization:?}"
            ));
            return (StatusCode::INTERNAL_SERVER_ERROR, "wrong authorization").into_response();
        }
    }

    let mut response = Response::builder().status(expect.status);
    for (name, value) in &expect.headers {
        response = response.header(name, value);
    }
    if !expect
        .headers
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case("content-type"))
    {
        response = response.header("content-type", "application/json");
    }
    response.body(axum::body::Body::from(expect.body)).unwrap()
}

/// Builds a client for the server with fast, jitter-free retries and no pacing.
pub fn client(url: &str) -> benchling_sdk::Benchling {
    benchling_sdk::Benchling::builder()
        .tenant_url(url)
        .api_key("sk_test_key")
        .retry(fast_retry())
        .governor(benchling_sdk::GovernorConfig::disabled())
        .build()
        .unwrap()
}

pub fn fast_retry() -> benchling_sdk::RetryStrategy {
    benchling_sdk::RetryStrategy::new()
        .backoff_factor(0.01)
        .max_jitter(Duration::ZERO)
}

/// Wait options polling every 10 ms for at most 5 s.
pub fn quick_wait() -> benchling_sdk::WaitOptions {
    benchling_sdk::WaitOptions::new()
        .interval(Duration::from_millis(10))
        .max_wait(Duration::from_secs(5))
}
