//! The crate's error type.
//!
//! Every fallible call returns [`Error`]. Branch on its variants (the enum is
//! `#[non_exhaustive]`) or on the accessors such as [`Error::status`] and
//! [`Error::is_retryable`]; never parse the `Display` text.
//!
//! No variant stores a secret: request headers are not kept, and the URLs kept
//! in transport errors carry no credentials because the SDK sends them only in
//! the `Authorization` header.

use std::fmt;
use std::time::Duration;

use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde::{Deserialize, Serialize};

use crate::tasks::{AsyncTask, AsyncTaskErrors};

/// Result type of the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Errors returned by the Benchling client and the task helpers.
///
/// ```
/// use benchling_sdk::{Benchling, Error};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let simulator = benchling_sim::Simulator::builder().start().await?;
/// # let client = Benchling::builder().tenant_url(simulator.base_url()).api_key(simulator.api_key()).build()?;
/// match client.tasks().get("5e5fd9ab-0000-4c39-8e44-7e2d6c6b1a90").await {
///     Ok(task) => println!("status {}", task.status),
///     Err(Error::TaskNotFound { task_id }) => println!("{task_id} expired or never existed"),
///     Err(error) if error.is_retryable() => println!("try again later: {error}"),
///     Err(error) => return Err(error.into()),
/// }
///
/// let invalid = client.tasks().get("not/an/id").await.unwrap_err();
/// assert!(matches!(invalid, Error::InvalidInput { name: "task id", .. }));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A value given to the SDK is invalid; nothing was sent.
    #[error("invalid {name} {value:?}: {reason}")]
    InvalidInput {
        /// Name of the value, for example `tenant URL` or `task id`.
        name: &'static str,
        /// The rejected value (never a secret: secrets are shown as `<redacted>`).
        value: String,
        /// Reason for the rejection and the fix.
        reason: String,
    },

    /// The API returned a status that is not a success.
    #[error(transparent)]
    Api(Box<ApiError>),

    /// The request got no HTTP response: connection, TLS or timeout failure.
    #[error(
        "request to {url} failed: {}; check the tenant URL and the network, then try again",
        source_chain(source)
    )]
    Transport {
        /// The URL of the request (it never contains credentials).
        url: String,
        /// The underlying transport error.
        #[source]
        source: reqwest::Error,
    },

    /// A response body could not be decoded into the expected type.
    #[error(transparent)]
    Decode(Box<DecodeError>),

    /// Fetching an OAuth2 access token failed.
    #[error("OAuth2 token request to {url} failed with HTTP {status}: {message}; check the client id and secret")]
    Token {
        /// The token endpoint.
        url: String,
        /// HTTP status of the token endpoint's response, 0 when none arrived.
        status: u16,
        /// The server's message or the transport error text.
        message: String,
    },

    /// The task did not end within the maximum wait.
    #[error(
        "timed out waiting for task {task_id}: still {status} after {waited:.1?} \
         ({attempts} poll{plural}); wait longer or check the task later with its id",
        status = last.status,
        plural = if *attempts == 1 { "" } else { "s" }
    )]
    WaitTimedOut {
        /// Id of the task that was awaited.
        task_id: String,
        /// Time spent waiting, request time included.
        waited: Duration,
        /// Number of task polls sent.
        attempts: u32,
        /// The last snapshot of the task.
        last: Box<AsyncTask>,
    },

    /// The task ended with status `FAILED`.
    #[error(transparent)]
    TaskFailed(Box<TaskFailure>),

    /// The task endpoint returned 404 for this id.
    #[error(
        "task {task_id} was not found: Benchling keeps task data only for 30 minutes \
         after the task ends, so it has expired or the id is wrong"
    )]
    TaskNotFound {
        /// The id that was polled.
        task_id: String,
    },

    /// The blocking facade was called from inside an async runtime.
    #[error(
        "the blocking client was called from inside an async runtime; use the async client there"
    )]
    BlockingInAsync,
}

impl Error {
    /// Returns the HTTP status when the error came from an API response.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(api) => Some(api.status),
            Error::TaskNotFound { .. } => Some(StatusCode::NOT_FOUND),
            _ => None,
        }
    }

    /// Returns the API error when this is one.
    pub fn as_api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(api) => Some(api),
            _ => None,
        }
    }

    /// Returns the task failure when this is one.
    pub fn as_task_failure(&self) -> Option<&TaskFailure> {
        match self {
            Error::TaskFailed(failure) => Some(failure),
            _ => None,
        }
    }

    /// Returns true for a transport timeout.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Transport { source, .. } if source.is_timeout())
    }

    /// Returns true when the maximum wait for a task ran out.
    pub fn is_wait_timeout(&self) -> bool {
        matches!(self, Error::WaitTimedOut { .. })
    }

    /// Returns true when a later identical request may succeed (429, 502, 503, 504, transport).
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(api) => matches!(api.status.as_u16(), 429 | 502 | 503 | 504),
            Error::Transport { .. } => true,
            _ => false,
        }
    }

    pub(crate) fn invalid(
        name: &'static str,
        value: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        Error::InvalidInput {
            name,
            value: value.into(),
            reason: reason.into(),
        }
    }
}

/// A response from the API with a status that is not a success.
#[derive(Debug)]
#[non_exhaustive]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Method and path of the request, for example `POST /api/v2/dna-sequences:bulk-create`.
    pub request: String,
    /// The parsed Benchling error body, when the response had one.
    pub body: Option<ErrorBody>,
    /// Response headers.
    pub headers: HeaderMap,
    /// The raw response body, kept when it is not a Benchling error body (HTML from a proxy, for example).
    pub raw: Option<String>,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} failed with HTTP {}",
            self.request,
            self.status.as_u16()
        )?;

        if let Some(body) = &self.body {
            let message = body
                .error
                .user_message
                .as_deref()
                .or(body.error.message.as_deref());
            if let Some(message) = message {
                write!(f, ": {message}")?;
            }
        } else if let Some(raw) = &self.raw {
            write!(f, " with a non-JSON body: {}", excerpt(raw, 120))?;
        }

        let advice = match self.status.as_u16() {
            400 | 422 => "fix the request and send it again",
            401 => "check the API key or the OAuth2 client credentials",
            403 => "ask a tenant admin for access to this resource",
            404 => "check the id and the tenant URL",
            429 => "the tenant's rate limit is used up; wait for the window to reset",
            500..=599 => "the server or a proxy failed; try again later",
            _ => "see the API reference for this status",
        };
        // Messages from the server usually end with a full stop already.
        write!(f, " ({advice})")
    }
}

impl std::error::Error for ApiError {}

/// Benchling's error body: `{"error": {"message", "type", "userMessage", ...}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// The error object.
    pub error: ErrorDetail,
}

/// The `error` object of a Benchling error body.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorDetail {
    /// Technical message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Error type, for example `invalid_request_error`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Message meant for an end user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_message: Option<String>,
    /// Other fields, such as per-item details of bulk validation errors.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// A body that could not be decoded into the expected type.
#[derive(Debug)]
#[non_exhaustive]
pub struct DecodeError {
    /// The Rust type that was expected.
    pub type_name: &'static str,
    /// Source of the body, for example `GET /api/v2/tasks/{id}` or `response of task {id}`.
    pub context: String,
    /// JSON path of the failing value, for example `response.dnaSequences[3].length`.
    pub path: String,
    /// The decoder's message.
    pub message: String,
    /// A short excerpt of the body.
    pub excerpt: String,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "could not decode the {} as {} at `{}`: {} (body starts {:?}); \
             report this with the body if the API changed",
            self.context, self.type_name, self.path, self.message, self.excerpt
        )
    }
}

impl std::error::Error for DecodeError {}

impl DecodeError {
    /// Decodes `body` as `T`, reporting the JSON path on failure.
    pub(crate) fn decode<T: serde::de::DeserializeOwned>(
        body: &[u8],
        context: impl FnOnce() -> String,
    ) -> Result<T> {
        // The fast path decodes without path tracking; only a failure pays for a
        // second pass that records where in the JSON the decoder stopped.
        let error = match serde_json::from_slice::<T>(body) {
            Ok(value) => return Ok(value),
            Err(error) => error,
        };

        let mut deserializer = serde_json::Deserializer::from_slice(body);
        let path = match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
            Err(tracked) => tracked.path().to_string(),
            Ok(_) => ".".to_string(),
        };

        Err(Error::Decode(Box::new(DecodeError {
            type_name: std::any::type_name::<T>(),
            context: context(),
            path,
            message: error.to_string(),
            excerpt: excerpt(&String::from_utf8_lossy(&body[..body.len().min(400)]), 80),
        })))
    }
}

/// The failure of a task that ended with status `FAILED`.
///
/// `errors` is the task's `errors` value, or an empty list when the task gave none,
/// as with the Python SDK's `TaskFailureException`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TaskFailure {
    /// Id of the failed task.
    pub task_id: String,
    /// The task's errors; an empty list when the task gave none.
    pub errors: AsyncTaskErrors,
    /// The task's message, when it gave one.
    pub message: Option<String>,
}

impl fmt::Display for TaskFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "task {} failed", self.task_id)?;
        if let Some(message) = &self.message {
            write!(f, ": {message}")?;
        }

        let count = self.errors.len();
        if count > 0 {
            write!(
                f,
                " ({count} item error{}; see `errors`)",
                if count == 1 { "" } else { "s" }
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for TaskFailure {}

/// Joins an error and its sources, so the root cause (such as "Connection refused") shows.
fn source_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// Cuts `text` to at most `max` characters on a character boundary.
pub(crate) fn excerpt(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_cuts_on_char_boundary() {
        assert_eq!(excerpt("ééé", 2), "éé…");
        assert_eq!(excerpt("ab", 5), "ab");
    }

    #[test]
    fn decode_error_names_path() {
        #[derive(Debug, Deserialize)]
        struct Outer {
            #[allow(dead_code)]
            items: Vec<Inner>,
        }
        #[derive(Debug, Deserialize)]
        struct Inner {
            #[allow(dead_code)]
            length: u32,
        }

        let error =
            DecodeError::decode::<Outer>(br#"{"items": [{"length": 1}, {"length": "x"}]}"#, || {
                "test body".into()
            })
            .unwrap_err();
        let Error::Decode(decode) = &error else {
            panic!("expected a decode error, got {error:?}")
        };
        assert_eq!(decode.path, "items[1].length");
        assert!(decode.type_name.ends_with("Outer"));
        assert!(error.to_string().contains("items[1].length"));
    }

    #[test]
    fn decode_error_rejects_trailing_garbage() {
        let error =
            DecodeError::decode::<serde_json::Value>(b"{} x", || "test body".into()).unwrap_err();
        assert!(matches!(error, Error::Decode(_)));
    }

    #[test]
    fn api_error_display_uses_user_message() {
        let error = ApiError {
            status: StatusCode::TOO_MANY_REQUESTS,
            request: "GET /api/v2/tasks/abc".into(),
            body: Some(ErrorBody {
                error: ErrorDetail {
                    message: Some("Rate limit exceeded.".into()),
                    kind: Some("invalid_request_error".into()),
                    user_message: Some("Rate limit exceeded.".into()),
                    extra: Default::default(),
                },
            }),
            headers: HeaderMap::new(),
            raw: None,
        };
        let text = error.to_string();
        assert!(text.contains("HTTP 429"), "{text}");
        assert!(text.contains("Rate limit exceeded."), "{text}");
        assert!(text.contains("wait for the window"), "{text}");
    }

    #[test]
    fn api_error_display_shows_html_excerpt() {
        let error = ApiError {
            status: StatusCode::BAD_GATEWAY,
            request: "GET /api/v2/tasks/abc".into(),
            body: None,
            headers: HeaderMap::new(),
            raw: Some("<html><body>502 Bad Gateway</body></html>".into()),
        };
        let text = error.to_string();
        assert!(text.contains("non-JSON body"), "{text}");
        assert!(text.contains("<html>"), "{text}");
    }

    #[test]
    fn retryable_statuses() {
        for (status, expected) in [
            (429, true),
            (502, true),
            (503, true),
            (504, true),
            (500, false),
            (400, false),
        ] {
            let error = Error::Api(Box::new(ApiError {
                status: StatusCode::from_u16(status).unwrap(),
                request: String::new(),
                body: None,
                headers: HeaderMap::new(),
                raw: None,
            }));
            assert_eq!(error.is_retryable(), expected, "status {status}");
        }
    }
}
