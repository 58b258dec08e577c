//! Errors: the HTTP error bodies the simulator sends, and the errors of starting it.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// An error response in Benchling's format:
/// `{"error": {"message", "type", "userMessage", "invalidId"?}}`.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) message: String,
    pub(crate) invalid_id: Option<String>,
    /// Value of the `Allow` header, for 405 responses.
    pub(crate) allow: Option<&'static str>,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            invalid_id: None,
            allow: None,
        }
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    pub(crate) fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, message)
    }

    pub(crate) fn not_found(message: impl Into<String>, invalid_id: Option<String>) -> Self {
        Self {
            invalid_id,
            ..Self::new(StatusCode::NOT_FOUND, message)
        }
    }

    pub(crate) fn method_not_allowed(method: &str, path: &str, allow: &'static str) -> Self {
        Self {
            allow: Some(allow),
            ..Self::new(
                StatusCode::METHOD_NOT_ALLOWED,
                format!("Method {method} is not allowed on {path}; use {allow}."),
            )
        }
    }

    pub(crate) fn rate_limited() -> Self {
        Self::new(StatusCode::TOO_MANY_REQUESTS, "Rate limit exceeded.")
    }

    /// Returns the `type` of the body: Benchling uses `invalid_request_error` for
    /// client errors and `server_error` for the rest.
    fn error_type(&self) -> &'static str {
        if self.status.is_client_error() {
            "invalid_request_error"
        } else {
            "server_error"
        }
    }

    pub(crate) fn body(&self) -> serde_json::Value {
        let mut error = json!({
            "message": self.message,
            "type": self.error_type(),
            "userMessage": self.message,
        });
        if let Some(invalid_id) = &self.invalid_id {
            error["invalidId"] = json!(invalid_id);
        }
        json!({ "error": error })
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(self.body())).into_response();
        if let Some(allow) = self.allow {
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static(allow));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"benchling\""),
            );
        }
        response
    }
}

/// An error from [`SimulatorBuilder::start`](crate::SimulatorBuilder::start).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// A configuration value is out of range.
    #[error("invalid simulator setting `{name}` = {value}: {reason}")]
    InvalidConfig {
        /// The setting's name, as in the builder method.
        name: &'static str,
        /// The rejected value, printed.
        value: String,
        /// The constraint the value breaks.
        reason: &'static str,
    },
    /// The runtime of [`SimulatorBuilder::start_blocking`](crate::SimulatorBuilder::start_blocking) failed to start.
    #[error("failed to start the simulator's runtime: {0}")]
    Runtime(#[source] std::io::Error),
    /// The listening socket could not be opened.
    #[error("failed to listen on {address}: {source}")]
    Bind {
        /// The address the simulator tried to listen on.
        address: std::net::SocketAddr,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
}
