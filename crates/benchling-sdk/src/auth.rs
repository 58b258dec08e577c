//! Authentication: API key, OAuth2 client credentials, or a caller's bearer token.
//!
//! Secrets are held in [`secrecy::SecretString`] and never reach `Debug`,
//! `Display`, logs or error messages.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderValue;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use tokio::sync::Mutex;
use tokio::time::Instant;
use tracing::debug;

use crate::error::{Error, Result};

/// A callback that returns a bearer token for each request.
pub type TokenProvider = Arc<dyn Fn() -> SecretString + Send + Sync>;

/// Authentication method of the client.
#[derive(Clone)]
#[non_exhaustive]
pub enum Auth {
    /// A personal API key, sent as HTTP Basic user name with an empty password.
    ApiKey(SecretString),
    /// OAuth2 client credentials of a Benchling App.
    ClientCredentials {
        /// The app's client id.
        client_id: String,
        /// The app's client secret.
        client_secret: SecretString,
        /// Token endpoint; `{tenant}/api/v2/token` when `None`.
        token_url: Option<String>,
    },
    /// A bearer token supplied by the caller.
    Bearer(SecretString),
    /// A callback that supplies a bearer token for each request.
    BearerProvider(TokenProvider),
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Auth::ApiKey(_) => f.write_str("ApiKey(<redacted>)"),
            Auth::ClientCredentials {
                client_id,
                token_url,
                ..
            } => f
                .debug_struct("ClientCredentials")
                .field("client_id", client_id)
                .field("client_secret", &"<redacted>")
                .field("token_url", token_url)
                .finish(),
            Auth::Bearer(_) => f.write_str("Bearer(<redacted>)"),
            Auth::BearerProvider(_) => f.write_str("BearerProvider(<callback>)"),
        }
    }
}

impl Auth {
    /// Checks that the secrets are present before any request is sent.
    pub(crate) fn validate(&self) -> Result<()> {
        let check = |name: &'static str, value: &str, fix: &str| {
            if value.trim().is_empty() {
                Err(Error::invalid(name, "", fix.to_string()))
            } else if value.trim() != value {
                Err(Error::invalid(
                    name,
                    "<redacted>",
                    "it has leading or trailing whitespace; copy the value again without it",
                ))
            } else {
                Ok(())
            }
        };

        match self {
            Auth::ApiKey(key) => check(
                "API key",
                key.expose_secret(),
                "the API key is empty; create one under Settings > API key in Benchling",
            ),
            Auth::ClientCredentials {
                client_id,
                client_secret,
                ..
            } => {
                check(
                    "client id",
                    client_id,
                    "the client id is empty; copy it from the app's settings",
                )?;
                check(
                    "client secret",
                    client_secret.expose_secret(),
                    "the client secret is empty; generate one in the app's settings",
                )
            }
            Auth::Bearer(token) => check(
                "bearer token",
                token.expose_secret(),
                "the bearer token is empty",
            ),
            Auth::BearerProvider(_) => Ok(()),
        }
    }

    /// Returns Benchling's documented per-window request limit for this auth method.
    pub(crate) fn default_rate_limit(&self) -> u32 {
        match self {
            Auth::ClientCredentials { .. } => 300,
            _ => 60,
        }
    }
}

/// An access token and when to renew it.
struct CachedToken {
    token: SecretString,
    renew_at: Instant,
}

/// The token cache of OAuth2 client credentials; one refresh at a time.
pub(crate) struct TokenCache {
    token: Mutex<Option<CachedToken>>,
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenCache(<redacted>)")
    }
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: SecretString,
    #[serde(default)]
    expires_in: Option<f64>,
}

/// Returns how early a token is renewed: 10% of its lifetime, between 1 and 60 seconds.
pub(crate) fn renewal_margin(lifetime: Duration) -> Duration {
    lifetime
        .mul_f64(0.1)
        .clamp(Duration::from_secs(1), Duration::from_secs(60))
}

impl TokenCache {
    pub(crate) fn new() -> Self {
        TokenCache {
            token: Mutex::new(None),
        }
    }

    /// Returns a valid token, fetching one when none is cached or it is due for renewal.
    ///
    /// Concurrent callers wait on the same lock, so one refresh serves them all.
    pub(crate) async fn token(
        &self,
        http: &reqwest::Client,
        token_url: &str,
        client_id: &str,
        client_secret: &SecretString,
    ) -> Result<SecretString> {
        let mut cached = self.token.lock().await;
        if let Some(token) = cached.as_ref() {
            if Instant::now() < token.renew_at {
                return Ok(token.token.clone());
            }
        }

        let fresh = fetch_token(http, token_url, client_id, client_secret).await?;
        let token = fresh.token.clone();
        *cached = Some(fresh);
        Ok(token)
    }

    /// Drops the cached token if it is still `rejected`, so the next call fetches a new one.
    pub(crate) async fn invalidate(&self, rejected: &SecretString) {
        let mut cached = self.token.lock().await;
        if cached
            .as_ref()
            .is_some_and(|token| token.token.expose_secret() == rejected.expose_secret())
        {
            *cached = None;
        }
    }
}

async fn fetch_token(
    http: &reqwest::Client,
    token_url: &str,
    client_id: &str,
    client_secret: &SecretString,
) -> Result<CachedToken> {
    debug!(token_url, client_id, "requesting an OAuth2 access token");
    let token_error = |status: u16, message: String| Error::Token {
        url: token_url.to_string(),
        status,
        message,
    };

    let answer = http
        .post(token_url)
        .basic_auth(client_id, Some(client_secret.expose_secret()))
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .body("grant_type=client_credentials")
        .send()
        .await
        .map_err(|error| token_error(0, error.without_url().to_string()))?;

    let status = answer.status();
    let body = answer
        .bytes()
        .await
        .map_err(|error| token_error(status.as_u16(), error.without_url().to_string()))?;
    if !status.is_success() {
        let message = serde_json::from_slice::<crate::error::ErrorBody>(&body)
            .ok()
            .and_then(|body| body.error.user_message.or(body.error.message))
            .unwrap_or_else(|| crate::error::excerpt(&String::from_utf8_lossy(&body), 200));
        return Err(token_error(status.as_u16(), message));
    }

    let parsed: TokenAnswer = serde_json::from_slice(&body).map_err(|error| {
        token_error(
            status.as_u16(),
            format!("the response is not a token (expected access_token and expires_in): {error}"),
        )
    })?;

    // Without `expires_in`, assume the token lives an hour; a 401 renews it anyway.
    let lifetime = Duration::from_secs_f64(parsed.expires_in.unwrap_or(3600.0).clamp(0.0, 1e9));
    let renew_at = Instant::now() + lifetime.saturating_sub(renewal_margin(lifetime));
    debug!(
        lifetime_s = lifetime.as_secs(),
        "received an OAuth2 access token"
    );

    Ok(CachedToken {
        token: parsed.access_token,
        renew_at,
    })
}

/// Builds the `Authorization` header value for a bearer token.
pub(crate) fn bearer_header(token: &SecretString) -> Result<HeaderValue> {
    let mut value =
        HeaderValue::from_str(&format!("Bearer {}", token.expose_secret())).map_err(|_| {
            Error::invalid(
                "bearer token",
                "<redacted>",
                "it contains characters that cannot go into an HTTP header",
            )
        })?;
    value.set_sensitive(true);
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renewal_margin_is_clamped() {
        assert_eq!(
            renewal_margin(Duration::from_secs(3600)),
            Duration::from_secs(60)
        );
        assert_eq!(
            renewal_margin(Duration::from_secs(300)),
            Duration::from_secs(30)
        );
        assert_eq!(
            renewal_margin(Duration::from_secs(5)),
            Duration::from_secs(1)
        );
    }

    #[test]
    fn debug_redacts_secrets() {
        let auths = [
            Auth::ApiKey("sk_secret_value".into()),
            Auth::ClientCredentials {
                client_id: "app_id".into(),
                client_secret: "cs_secret_value".into(),
                token_url: None,
            },
            Auth::Bearer("tok_secret_value".into()),
        ];
        for auth in auths {
            let text = format!("{auth:?}");
            assert!(!text.contains("secret_value"), "{text}");
            assert!(text.contains("redacted"), "{text}");
        }
    }

    #[test]
    fn empty_api_key_is_rejected() {
        let error = Auth::ApiKey("".into()).validate().unwrap_err();
        assert!(error.to_string().contains("API key"), "{error}");
    }
}
