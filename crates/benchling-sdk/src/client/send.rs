//! Request execution: auth, rate governor, retries and error mapping.

use bytes::Bytes;
use rand::Rng;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use tracing::{debug, trace, warn};

use super::Benchling;
use crate::auth::{bearer_header, Auth};
use crate::error::{excerpt, ApiError, DecodeError, Error, ErrorBody, Result};
use crate::governor::Priority;
use crate::retry::{Outcome, RetryDecision};
use crate::tasks::{AsyncTaskLink, TaskHelper, TaskResponse};

/// Largest non-JSON error body kept in [`ApiError::raw`], in bytes.
const MAX_RAW_BODY: usize = 64 * 1024;

/// What a request is for, which decides its queue in the rate governor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RequestKind {
    /// An ordinary API call.
    Call,
    /// A poll of `GET /tasks/{id}`.
    TaskPoll,
}

/// A successful response.
#[derive(Debug)]
pub(crate) struct RawResponse {
    pub(crate) status: StatusCode,
    #[allow(dead_code)]
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

impl Benchling {
    /// Sends a task-creating request and returns the helper of the task it started.
    ///
    /// `path` is relative to `/api/v2` and starts with `/`; path parameters must
    /// already be encoded with [`encode_path_segment`](super::encode_path_segment).
    pub(crate) async fn start_task<T: TaskResponse, B: Serialize + ?Sized>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<TaskHelper<T>> {
        let body = encode_body(path, body)?;

        let response = self
            .send(method.clone(), path, body, RequestKind::Call)
            .await?;
        if response.status != StatusCode::ACCEPTED {
            warn!(
                status = response.status.as_u16(),
                path, "task endpoint returned a success status other than HTTP 202"
            );
        }

        let link: AsyncTaskLink = DecodeError::decode(&response.body, || {
            format!("response of {method} {}", self.resolve(path).1)
        })?;
        TaskHelper::new(self, link)
    }

    /// Sends a request with a JSON body and returns the decoded success response.
    /// It is the building block for endpoints the SDK does not wrap yet; `path`
    /// is read as in [`Benchling::start_task_at`].
    pub async fn send_json<B: Serialize + ?Sized>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<serde_json::Value> {
        let body = encode_body(path, body)?;
        let response = self
            .send(method.clone(), path, body, RequestKind::Call)
            .await?;
        if response.body.is_empty() {
            return Ok(serde_json::Value::Null);
        }
        DecodeError::decode(&response.body, || {
            format!("response of {method} {}", self.resolve(path).1)
        })
    }

    /// Starts a task through any endpoint that returns `202 {"taskId": ...}`,
    /// for endpoints the SDK does not wrap yet (alpha and beta ones, for example).
    ///
    /// `path` is relative to `/api/v2` (`/dna-sequences:bulk-create`), or taken
    /// from the tenant root when it starts with `/api/` (`/api/v2-beta/...`).
    /// Polling always uses the stable `GET /api/v2/tasks/{taskId}`.
    pub async fn start_task_at<T: TaskResponse, B: Serialize + ?Sized>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<TaskHelper<T>> {
        if !path.starts_with('/') {
            return Err(Error::invalid(
                "path",
                path,
                "the path must start with '/': relative to /api/v2, or from the tenant root when it starts with /api/",
            ));
        }
        self.start_task(method, path, body).await
    }

    /// Returns the URL and the full path of `path`: relative to `/api/v2`, or
    /// from the tenant root when it starts with `/api/`.
    fn resolve(&self, path: &str) -> (String, String) {
        let api_base = &self.inner.api_base;
        if path.starts_with("/api/") {
            let root = api_base.strip_suffix("/api/v2").unwrap_or(api_base);
            (format!("{root}{path}"), path.to_string())
        } else {
            (format!("{api_base}{path}"), format!("/api/v2{path}"))
        }
    }

    /// Sends one request through the governor and the retry strategy.
    pub(crate) async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
        kind: RequestKind,
    ) -> Result<RawResponse> {
        let inner = &self.inner;
        let (url, full_path) = self.resolve(path);
        let request_name = format!("{method} {full_path}");
        let priority = match kind {
            RequestKind::Call => Priority::Normal,
            RequestKind::TaskPoll => Priority::Poll,
        };
        let body = body.map(Bytes::from);

        let mut tries: u32 = 0;
        let mut refreshed_token = false;

        loop {
            let permit = inner.governor.acquire(priority).await;
            tries += 1;

            let (request, bearer) = self
                .authorize(inner.http.request(method.clone(), &url))
                .await?;
            let request = match &body {
                Some(bytes) => request
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(bytes.clone()),
                None => request,
            };
            trace!(%method, %url, attempt = tries, "sending request");

            // One fallible step from sending to the whole body, so a connection
            // dropped mid-body is retried like one that failed to connect.
            let received = async {
                let response = request.send().await?;
                let status = response.status();
                let headers = response.headers().clone();
                permit.observe(status.as_u16(), &headers);
                let body = response.bytes().await?;
                Ok::<_, reqwest::Error>((status, headers, body))
            }
            .await;

            let (status, headers, bytes) = match received {
                Ok(received) => received,
                Err(error) => {
                    let decision = inner.retry.decide(
                        tries,
                        &method,
                        Outcome::Transport,
                        rand::rng().random(),
                    );
                    if let RetryDecision::RetryAfter(delay) = decision {
                        debug!(
                            attempt = tries,
                            error = %error,
                            delay_ms = delay.as_millis() as u64,
                            request = %request_name,
                            "retrying after a transport error"
                        );
                        tokio::time::sleep(delay).await;
                        continue;
                    }
                    return Err(Error::Transport { url, source: error });
                }
            };

            if status.is_success() {
                return Ok(RawResponse {
                    status,
                    headers,
                    body: bytes,
                });
            }

            // A rejected cached token is renewed once, and the request sent again.
            if status == StatusCode::UNAUTHORIZED && !refreshed_token {
                if let Some(token) = bearer {
                    if matches!(inner.auth, Auth::ClientCredentials { .. }) {
                        debug!(request = %request_name, "access token rejected; renewing it and sending again");
                        inner.tokens.invalidate(&token).await;
                        refreshed_token = true;
                        tries -= 1;
                        continue;
                    }
                }
            }

            let decision = inner.retry.decide(
                tries,
                &method,
                Outcome::Status(status.as_u16(), &headers),
                rand::rng().random(),
            );
            if let RetryDecision::RetryAfter(delay) = decision {
                debug!(
                    attempt = tries,
                    status = status.as_u16(),
                    delay_ms = delay.as_millis() as u64,
                    request = %request_name,
                    "retrying after a retryable status"
                );
                tokio::time::sleep(delay).await;
                continue;
            }

            return Err(api_error(status, request_name, headers, &bytes));
        }
    }

    /// Adds the `Authorization` header; returns the bearer token used, if any.
    async fn authorize(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<(reqwest::RequestBuilder, Option<SecretString>)> {
        let inner = &self.inner;
        match &inner.auth {
            Auth::ApiKey(key) => Ok((request.basic_auth(key.expose_secret(), Some("")), None)),
            Auth::Bearer(token) => Ok((
                request.header(reqwest::header::AUTHORIZATION, bearer_header(token)?),
                None,
            )),
            Auth::BearerProvider(provider) => {
                let token = provider();
                Ok((
                    request.header(reqwest::header::AUTHORIZATION, bearer_header(&token)?),
                    None,
                ))
            }
            Auth::ClientCredentials {
                client_id,
                client_secret,
                ..
            } => {
                let token = inner
                    .tokens
                    .token(&inner.http, &inner.token_url, client_id, client_secret)
                    .await?;
                let header = bearer_header(&token)?;
                Ok((
                    request.header(reqwest::header::AUTHORIZATION, header),
                    Some(token),
                ))
            }
        }
    }
}

/// Serializes a request body as JSON.
fn encode_body<B: Serialize + ?Sized>(path: &str, body: Option<&B>) -> Result<Option<Vec<u8>>> {
    let Some(body) = body else {
        return Ok(None);
    };
    serde_json::to_vec(body).map(Some).map_err(|error| {
        Error::invalid(
            "request body",
            path.to_string(),
            format!("it cannot be serialized as JSON: {error}"),
        )
    })
}

/// Builds the error of a failed response, parsing Benchling's error body when there is one.
fn api_error(status: StatusCode, request: String, headers: HeaderMap, body: &[u8]) -> Error {
    let parsed = serde_json::from_slice::<ErrorBody>(body).ok();
    let raw = match parsed {
        Some(_) => None,
        None if body.is_empty() => None,
        None => Some(excerpt(
            &String::from_utf8_lossy(&body[..body.len().min(MAX_RAW_BODY)]),
            MAX_RAW_BODY,
        )),
    };

    Error::Api(Box::new(ApiError {
        status,
        request,
        body: parsed,
        headers,
        raw,
    }))
}
