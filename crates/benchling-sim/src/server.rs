//! The HTTP server: connection handling and the request pipeline.
//!
//! Every request under `/api/v2` goes through the same steps: the rate window
//! counts it, an injected fault may replace it, authentication checks it, the
//! route handles it, and the counters record the response.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, Method, Request, Response, StatusCode};
use axum::response::IntoResponse;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify};
use tokio::task::JoinSet;
use tracing::{debug, info, warn};

use crate::auth::Authenticator;
use crate::clock::{format_rfc3339, SimClock};
use crate::config::{SimConfig, TaskErrorsShape};
use crate::endpoints::{Route, RouteMatch, Routes, TaskContext};
use crate::error::ApiError;
use crate::faults::{Fault, FaultInjector};
use crate::rate_limit::{RateDecision, RateWindow};
use crate::stats::{Disposition, RequestCounters, Stats};
use crate::tasks::{NewTask, TaskOutcome, TaskStore};

/// Request header that makes the task of this request fail with the header's value as message.
pub const FAIL_TASK_HEADER: &str = "x-sim-fail-task";

/// Request header that sets the form of a failed task's `errors`: `list`, `object` or `none`.
pub const TASK_ERRORS_HEADER: &str = "x-sim-task-errors";

const API_PREFIX: &str = "/api/v2";
const TASK_POLL_ROUTE: &str = "GET /api/v2/tasks/{task_id}";
const TOKEN_ROUTE: &str = "POST /api/v2/token";
const UNMATCHED_ROUTE: &str = "unmatched";

/// Everything the request handlers share.
#[derive(Debug)]
pub(crate) struct SimState {
    pub(crate) config: SimConfig,
    pub(crate) clock: SimClock,
    pub(crate) base_url: String,
    auth: Authenticator,
    rate: Option<RateWindow>,
    faults: FaultInjector,
    tasks: TaskStore,
    counters: RequestCounters,
    routes: Routes,
    /// Random numbers for ids and latency jitter.
    rng: Mutex<SmallRng>,
}

impl SimState {
    pub(crate) fn new(config: SimConfig, base_url: String) -> Self {
        Self {
            clock: SimClock::start(config.time_scale),
            base_url,
            auth: Authenticator::new(&config),
            rate: config.rate_limit.map(RateWindow::new),
            faults: FaultInjector::new(config.faults.clone(), config.seed),
            tasks: TaskStore::new(config.task_retention),
            counters: RequestCounters::default(),
            routes: Routes::new(),
            rng: Mutex::new(SmallRng::seed_from_u64(config.seed)),
            config,
        }
    }

    pub(crate) fn stats(&self) -> Stats {
        let mut stats = Stats {
            time_scale: self.clock.scale(),
            now: self.clock.now(),
            tasks: self.tasks.stats(),
            ..Stats::default()
        };
        self.counters.fill(&mut stats);
        stats
    }

    /// Forgets every task, token, count and rate window; the clock keeps running.
    pub(crate) fn reset(&self) {
        self.tasks.reset();
        self.counters.reset();
        self.faults.reset();
        self.auth.reset();
        if let Some(rate) = &self.rate {
            rate.reset();
        }
    }

    pub(crate) fn endpoint_count(&self) -> usize {
        self.routes.len()
    }
}

/// Accepts connections until `shutdown` changes, then closes every open connection.
pub(crate) async fn serve(
    listener: TcpListener,
    state: Arc<SimState>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    connections.spawn(serve_connection(stream, Arc::clone(&state)));
                }
                Err(error) => {
                    // Usually too many open files; wait a moment instead of spinning.
                    warn!(%error, "failed to accept a connection");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            _ = shutdown.changed() => break,
        }
    }

    connections.abort_all();
    while connections.join_next().await.is_some() {}
    info!(address = %state.base_url, "simulator stopped");
}

async fn serve_connection(stream: TcpStream, state: Arc<SimState>) {
    if let Err(error) = stream.set_nodelay(true) {
        debug!(%error, "failed to set TCP_NODELAY");
    }

    // An injected `DropConnection` fault notifies this, and the connection is dropped
    // without a response.
    let drop_signal = Arc::new(Notify::new());
    let service = {
        let drop_signal = Arc::clone(&drop_signal);
        hyper::service::service_fn(move |request| {
            let state = Arc::clone(&state);
            let drop_signal = Arc::clone(&drop_signal);
            async move { Ok::<_, Infallible>(handle(state, request, drop_signal).await) }
        })
    };

    let builder = auto::Builder::new(TokioExecutor::new());
    let connection = builder.serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        result = connection => {
            if let Err(error) = result {
                debug!(%error, "connection ended with an error");
            }
        }
        _ = drop_signal.notified() => debug!("connection dropped by an injected fault"),
    }
}

/// The destination of a request under `/api/v2`.
enum Target<'a> {
    Token,
    TaskPoll(String),
    Endpoint {
        route: &'a Route,
        params: Vec<(&'static str, String)>,
    },
    WrongMethod(&'static str),
    NotFound,
}

impl Target<'_> {
    fn stats_key(&self) -> String {
        match self {
            Self::Token => TOKEN_ROUTE.to_owned(),
            Self::TaskPoll(_) => TASK_POLL_ROUTE.to_owned(),
            Self::Endpoint { route, .. } => {
                format!("{} {API_PREFIX}{}", route.spec.method, route.spec.path)
            }
            Self::WrongMethod(_) | Self::NotFound => UNMATCHED_ROUTE.to_owned(),
        }
    }
}

fn classify<'a>(routes: &'a Routes, method: &Method, api_path: &str) -> Target<'a> {
    if api_path == "/token" {
        return if method == Method::POST {
            Target::Token
        } else {
            Target::WrongMethod("POST")
        };
    }
    if let Some(task_id) = api_path.strip_prefix("/tasks/") {
        if !task_id.is_empty() && !task_id.contains('/') {
            return if method == Method::GET {
                Target::TaskPoll(task_id.to_owned())
            } else {
                Target::WrongMethod("GET")
            };
        }
    }
    match routes.find(method.as_str(), api_path) {
        RouteMatch::Found { route, params } => Target::Endpoint { route, params },
        RouteMatch::WrongMethod(allowed) => Target::WrongMethod(allowed),
        RouteMatch::NotFound => Target::NotFound,
    }
}

async fn handle(
    state: Arc<SimState>,
    request: Request<Incoming>,
    drop_signal: Arc<Notify>,
) -> Response<Body> {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();

    if let Some(control) = path.strip_prefix("/_sim/") {
        return handle_control(&state, &method, control);
    }
    let Some(api_path) = path
        .strip_prefix(API_PREFIX)
        .filter(|rest| rest.starts_with('/'))
    else {
        state
            .counters
            .record(UNMATCHED_ROUTE, 404, Disposition::Handled);
        return not_found_route(&method, &path).into_response();
    };

    let target = classify(&state.routes, &method, api_path);
    let route_key = target.stats_key();

    // The window counts every request, refused ones included.
    let rate = state.rate.as_ref().map(|rate| rate.admit(&state.clock));
    if let Some(decision) = rate.filter(|decision| !decision.allowed) {
        state
            .counters
            .record(&route_key, 429, Disposition::RateLimited);
        debug!(%method, %path, "rate window full; responded 429");
        return with_rate_headers(ApiError::rate_limited().into_response(), Some(decision));
    }

    let fault = state.faults.pick(matches!(target, Target::TaskPoll(_)));
    if let Some(fault) = &fault {
        debug!(%method, %path, %fault, "injecting fault");
    }
    match fault {
        Some(Fault::DropConnection) => {
            state.counters.record(&route_key, 0, Disposition::Injected);
            drop_signal.notify_one();
            return std::future::pending().await;
        }
        Some(Fault::Slow(delay)) => tokio::time::sleep(state.clock.to_real(delay)).await,
        Some(
            ref fault @ (Fault::TooManyRequests
            | Fault::InternalServerError
            | Fault::BadGateway
            | Fault::ServiceUnavailable
            | Fault::GatewayTimeout),
        ) => {
            let response = injected_error(fault);
            let status = response.status().as_u16();
            state
                .counters
                .record(&route_key, status, Disposition::Injected);
            return with_rate_headers(response, rate);
        }
        _ => {}
    }

    let (parts, body) = request.into_parts();
    let mut response = match route(&state, target, &parts.method, &parts.headers, body).await {
        Ok(response) => response,
        Err(error) => {
            debug!(%method, %path, status = error.status.as_u16(), message = %error.message, "request rejected");
            error.into_response()
        }
    };

    let disposition = match fault {
        Some(Fault::TruncatedJson) => {
            response = corrupt_body(response, Corruption::Truncate).await;
            Disposition::Injected
        }
        Some(Fault::MalformedJson) => {
            response = corrupt_body(response, Corruption::Malform).await;
            Disposition::Injected
        }
        Some(Fault::Slow(_)) => Disposition::Injected,
        _ => Disposition::Handled,
    };

    let status = response.status();
    state
        .counters
        .record(&route_key, status.as_u16(), disposition);
    debug!(%method, %path, status = status.as_u16(), "responded");
    with_rate_headers(response, rate)
}

/// Handles one API request after rate limiting and fault injection.
async fn route(
    state: &SimState,
    target: Target<'_>,
    method: &Method,
    headers: &HeaderMap,
    body: Incoming,
) -> Result<Response<Body>, ApiError> {
    if let Target::Token = target {
        let body = read_body(body, headers, state.config.max_body_bytes).await?;
        let token = state.auth.issue_token(headers, &body, &state.clock)?;
        return Ok(axum::Json(token).into_response());
    }

    state.auth.check(headers, &state.clock)?;

    match target {
        Target::Token => unreachable!("handled above"),
        Target::TaskPoll(task_id) => {
            let task = state.tasks.poll(&task_id, state.clock.now())?;
            Ok(axum::Json(task).into_response())
        }
        Target::Endpoint { route, params } => {
            let body = read_body(body, headers, state.config.max_body_bytes).await?;
            create_task(state, route, params, headers, &body)
        }
        Target::WrongMethod(allowed) => Err(ApiError::method_not_allowed(
            method.as_str(),
            "this route",
            allowed,
        )),
        Target::NotFound => Err(ApiError::not_found(
            "Not found: the simulator serves no API route at this path.",
            None,
        )),
    }
}

/// Validates a task-creating request, decides how its task ends, and stores it.
fn create_task(
    state: &SimState,
    route: &Route,
    path_params: Vec<(&'static str, String)>,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response<Body>, ApiError> {
    // Operations without a request body accept an empty one of any content type.
    let body: Value = if !route.spec.has_body && body.iter().all(u8::is_ascii_whitespace) {
        Value::Null
    } else {
        check_json_content_type(headers)?;
        serde_json::from_slice(body).map_err(|error| {
            ApiError::bad_request(format!("The request body is not valid JSON: {error}."))
        })?
    };
    let (object, items) = route.validate(&body)?;

    let forced_failure = match headers.get(FAIL_TASK_HEADER) {
        Some(value) => Some(
            value
                .to_str()
                .map_err(|_| {
                    ApiError::bad_request(format!("Header {FAIL_TASK_HEADER} must be text."))
                })?
                .to_owned(),
        ),
        None => state
            .config
            .failing_operations
            .get(route.operation_id())
            .cloned(),
    };

    let errors_shape = match headers.get(TASK_ERRORS_HEADER) {
        Some(value) => value
            .to_str()
            .ok()
            .and_then(|text| text.parse::<TaskErrorsShape>().ok())
            .ok_or_else(|| {
                ApiError::bad_request(format!(
                    "Header {TASK_ERRORS_HEADER} must be list, object or none."
                ))
            })?,
        None => state.config.task_errors,
    };

    let now = state.clock.now();
    let mut rng = state
        .rng
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let outcome = match forced_failure {
        Some(message) => forced_outcome(route, message),
        None => {
            let mut context = TaskContext {
                rng: &mut rng,
                base_url: &state.base_url,
                timestamp: format_rfc3339(state.clock.wall_time(now)),
                path_params,
            };
            route.run(&object, &mut context)
        }
    }
    .with_errors_shape(errors_shape);
    let duration = state
        .config
        .latency_for(route.operation_id())
        .sample(items, &mut *rng);
    let task_id = uuid::Builder::from_random_bytes(rng.random())
        .into_uuid()
        .to_string();
    drop(rng);

    debug!(
        task_id = %task_id,
        operation_id = route.operation_id(),
        items,
        duration_s = duration.as_secs_f64(),
        "task created"
    );
    let task = NewTask {
        operation_id: route.operation_id().to_owned(),
        items,
        created: now,
        duration,
        outcome,
    };
    state.tasks.insert(task_id.clone(), task, now);

    Ok((
        StatusCode::ACCEPTED,
        axum::Json(json!({ "taskId": task_id })),
    )
        .into_response())
}

/// Builds the outcome of a task whose failure was requested by header or configuration.
fn forced_outcome(route: &Route, message: String) -> TaskOutcome {
    let errors = route
        .behaviour
        .is_bulk()
        .then(|| json!([{ "index": 0, "message": message }]));
    TaskOutcome::Failed { message, errors }
}

fn check_json_content_type(headers: &HeaderMap) -> Result<(), ApiError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("");
    let media_type = content_type.split(';').next().unwrap_or("").trim();
    if media_type.eq_ignore_ascii_case("application/json") {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!(
                "Unsupported content type `{content_type}`: send the request body as application/json."
            ),
        ))
    }
}

/// Reads a request body of at most `limit` bytes.
async fn read_body(body: Incoming, headers: &HeaderMap, limit: usize) -> Result<Vec<u8>, ApiError> {
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("The request body is larger than the limit of {limit} bytes."),
        )
    };

    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(too_large());
    }

    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes().to_vec()),
        Err(error) if error.is::<http_body_util::LengthLimitError>() => Err(too_large()),
        Err(error) => Err(ApiError::bad_request(format!(
            "Failed to read the request body: {error}."
        ))),
    }
}

/// Sets the rate-limit headers, as Benchling does on every response.
fn with_rate_headers(
    mut response: Response<Body>,
    decision: Option<RateDecision>,
) -> Response<Body> {
    if let Some(decision) = decision {
        let headers = response.headers_mut();
        headers.insert("x-rate-limit-limit", HeaderValue::from(decision.limit));
        headers.insert(
            "x-rate-limit-remaining",
            HeaderValue::from(decision.remaining),
        );
        headers.insert(
            "x-rate-limit-reset",
            HeaderValue::from(decision.reset_seconds),
        );
    }
    response
}

fn not_found_route(method: &Method, path: &str) -> ApiError {
    ApiError::not_found(
        format!("Not found: {method} {path}. The API is served under {API_PREFIX}."),
        None,
    )
}

/// Builds the response of an injected error fault.
fn injected_error(fault: &Fault) -> Response<Body> {
    match fault {
        Fault::TooManyRequests => ApiError::rate_limited().into_response(),
        Fault::InternalServerError => ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "An internal error occurred (injected by the simulator).",
        )
        .into_response(),
        Fault::ServiceUnavailable => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "The service is temporarily unavailable (injected by the simulator).",
        )
        .into_response(),
        Fault::BadGateway => html_error(StatusCode::BAD_GATEWAY),
        _ => html_error(StatusCode::GATEWAY_TIMEOUT),
    }
}

/// Builds an HTML error page like the ones load balancers send.
fn html_error(status: StatusCode) -> Response<Body> {
    let reason = status.canonical_reason().unwrap_or("Error");
    let code = status.as_u16();
    let page = format!(
        "<html>\r\n<head><title>{code} {reason}</title></head>\r\n<body>\r\n<center><h1>{code} {reason}</h1></center>\r\n</body>\r\n</html>\r\n"
    );
    (status, [(header::CONTENT_TYPE, "text/html")], page).into_response()
}

#[derive(Debug, Clone, Copy)]
enum Corruption {
    Truncate,
    Malform,
}

/// Replaces a JSON response's body with a cut or broken copy, keeping status and headers.
async fn corrupt_body(response: Response<Body>, corruption: Corruption) -> Response<Body> {
    let (mut parts, body) = response.into_parts();
    let bytes = body
        .collect()
        .await
        .map(|collected| collected.to_bytes())
        .unwrap_or_default();
    let corrupted = match corruption {
        Corruption::Truncate => bytes.slice(..bytes.len() / 2).to_vec(),
        Corruption::Malform => {
            let mut broken = b"{\"status\": RUNNING,".to_vec();
            broken.extend_from_slice(&bytes);
            broken
        }
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(corrupted))
}

/// Serves the simulator's own routes under `/_sim/`: `GET stats` and `POST reset`.
fn handle_control(state: &SimState, method: &Method, route: &str) -> Response<Body> {
    match (method, route) {
        (&Method::GET, "stats") => axum::Json(state.stats()).into_response(),
        (&Method::POST, "reset") => {
            state.reset();
            info!("simulator state reset");
            axum::Json(json!({ "reset": true })).into_response()
        }
        (_, "stats") => ApiError::method_not_allowed(method.as_str(), "/_sim/stats", "GET").into_response(),
        (_, "reset") => ApiError::method_not_allowed(method.as_str(), "/_sim/reset", "POST").into_response(),
        _ => ApiError::not_found(
            format!("Not found: /_sim/{route}. Simulator routes are GET /_sim/stats and POST /_sim/reset."),
            None,
        )
        .into_response(),
    }
}
