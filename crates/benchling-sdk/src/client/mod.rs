//! The `Benchling` client and its builder.

mod send;
mod url;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;

pub(crate) use self::send::RequestKind;
pub use self::url::encode_path_segment;
use crate::auth::{Auth, TokenCache, TokenProvider};
use crate::error::{Error, Result};
use crate::governor::{Governor, GovernorConfig, RateLimit};
use crate::retry::RetryStrategy;
use crate::tasks::TaskService;

/// The user agent sent with every request.
pub const USER_AGENT: &str = concat!("benchling-sdk-rust/", env!("CARGO_PKG_VERSION"));

/// A Benchling API client.
///
/// Cloning is cheap: clones share the HTTP connection pool, the OAuth2 token
/// cache, the rate governor and the last rate-limit headers seen.
///
/// ```
/// use benchling_sdk::Benchling;
///
/// let client = Benchling::builder()
///     .tenant_url("https://example.benchling.com")
///     .api_key("sk_example")
///     .build()?;
/// assert_eq!(client.api_base(), "https://example.benchling.com/api/v2");
/// # Ok::<(), benchling_sdk::Error>(())
/// ```
#[derive(Clone)]
pub struct Benchling {
    pub(crate) inner: Arc<ClientInner>,
}

pub(crate) struct ClientInner {
    pub(crate) api_base: String,
    pub(crate) http: reqwest::Client,
    pub(crate) auth: Auth,
    pub(crate) token_url: String,
    pub(crate) tokens: TokenCache,
    pub(crate) retry: RetryStrategy,
    pub(crate) governor: Arc<Governor>,
}

impl fmt::Debug for Benchling {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Benchling")
            .field("api_base", &self.inner.api_base)
            .field("auth", &self.inner.auth)
            .field("retry", &self.inner.retry)
            .finish_non_exhaustive()
    }
}

impl Benchling {
    /// Starts a builder.
    pub fn builder() -> BenchlingBuilder {
        BenchlingBuilder::default()
    }

    /// Returns the API base URL, `{tenant}/api/v2`.
    pub fn api_base(&self) -> &str {
        &self.inner.api_base
    }

    /// Returns the last rate-limit headers seen by this client or its clones.
    pub fn rate_limit(&self) -> Option<RateLimit> {
        self.inner.governor.last()
    }

    /// Returns the task endpoints: get a task, wait on a task by id.
    pub fn tasks(&self) -> TaskService {
        TaskService::new(self.clone())
    }
}

/// Builder of a [`Benchling`] client.
///
/// # Defaults
/// Retry strategy [`RetryStrategy::default`] (5 tries, as in the Python SDK);
/// request timeout 10 s; user agent [`USER_AGENT`]; rate governor enabled with
/// Benchling's documented limits ([`GovernorConfig::default`]).
#[derive(Default)]
pub struct BenchlingBuilder {
    tenant_url: Option<String>,
    auth: Option<Auth>,
    token_url: Option<String>,
    retry: Option<RetryStrategy>,
    timeout: Option<Duration>,
    user_agent: Option<String>,
    http: Option<reqwest::Client>,
    governor: Option<GovernorConfig>,
}

impl fmt::Debug for BenchlingBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BenchlingBuilder")
            .field("tenant_url", &self.tenant_url)
            .field("auth", &self.auth)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl BenchlingBuilder {
    /// Sets the tenant URL, such as `https://example.benchling.com` (a trailing
    /// slash or `/api/v2` is accepted).
    pub fn tenant_url(mut self, url: impl Into<String>) -> Self {
        self.tenant_url = Some(url.into());
        self
    }

    /// Authenticates with a personal API key (HTTP Basic, empty password).
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.auth = Some(Auth::ApiKey(SecretString::from(key.into())));
        self
    }

    /// Authenticates as a Benchling App with OAuth2 client credentials.
    pub fn client_credentials(
        mut self,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        self.auth = Some(Auth::ClientCredentials {
            client_id: client_id.into(),
            client_secret: SecretString::from(client_secret.into()),
            token_url: None,
        });
        self
    }

    /// Sets the OAuth2 token endpoint; `{tenant}/api/v2/token` by default.
    pub fn token_url(mut self, url: impl Into<String>) -> Self {
        self.token_url = Some(url.into());
        self
    }

    /// Authenticates with a bearer token obtained elsewhere.
    pub fn bearer_token(mut self, token: impl Into<String>) -> Self {
        self.auth = Some(Auth::Bearer(SecretString::from(token.into())));
        self
    }

    /// Authenticates with a bearer token returned by `provider` for each request.
    pub fn bearer_token_provider(
        mut self,
        provider: impl Fn() -> SecretString + Send + Sync + 'static,
    ) -> Self {
        let provider: TokenProvider = Arc::new(provider);
        self.auth = Some(Auth::BearerProvider(provider));
        self
    }

    /// Sets the authentication.
    pub fn auth(mut self, auth: Auth) -> Self {
        self.auth = Some(auth);
        self
    }

    /// Sets the retry strategy; [`RetryStrategy::none`] turns retries off.
    pub fn retry(mut self, retry: RetryStrategy) -> Self {
        self.retry = Some(retry);
        self
    }

    /// Sets the timeout of one HTTP request (default 10 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Sets the user agent (default `benchling-sdk-rust/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Uses a caller-supplied HTTP client; its own timeout and user agent apply.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Sets the rate governor; [`GovernorConfig::disabled`] turns pacing off.
    pub fn governor(mut self, governor: GovernorConfig) -> Self {
        self.governor = Some(governor);
        self
    }

    /// Validates the settings and builds the client.
    ///
    /// Returns [`Error::InvalidInput`] for a missing or malformed tenant URL, a
    /// missing or empty credential, or an HTTP client that cannot be built.
    pub fn build(self) -> Result<Benchling> {
        let tenant_url = self.tenant_url.ok_or_else(|| {
            Error::invalid(
                "tenant URL",
                "",
                "no tenant URL was set; call tenant_url(\"https://example.benchling.com\")",
            )
        })?;
        let api_base = url::parse_tenant_url(&tenant_url)?;

        let mut auth = self.auth.ok_or_else(|| {
            Error::invalid(
                "auth",
                "",
                "no credentials were set; call api_key(..), client_credentials(..) or bearer_token(..)",
            )
        })?;
        auth.validate()?;

        if let (Some(url), Auth::ClientCredentials { token_url, .. }) =
            (self.token_url.as_ref(), &mut auth)
        {
            *token_url = Some(url.clone());
        }
        let token_url = match &auth {
            Auth::ClientCredentials {
                token_url: Some(url),
                ..
            } => {
                let base = url::parse_tenant_url(url)?;
                // A full token URL is used as given once it passed the same checks as the tenant URL.
                if url.trim_end_matches('/').ends_with("/api/v2") {
                    format!("{base}/token")
                } else {
                    url.trim().to_string()
                }
            }
            _ => format!("{api_base}/token"),
        };

        let http = match self.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .timeout(self.timeout.unwrap_or(Duration::from_secs(10)))
                .user_agent(self.user_agent.unwrap_or_else(|| USER_AGENT.to_string()))
                .build()
                .map_err(|error| {
                    Error::invalid(
                        "HTTP client",
                        error.to_string(),
                        "the HTTP client could not be built",
                    )
                })?,
        };

        let governor = Governor::new(self.governor.unwrap_or_default(), auth.default_rate_limit());

        Ok(Benchling {
            inner: Arc::new(ClientInner {
                api_base,
                http,
                auth,
                token_url,
                tokens: TokenCache::new(),
                retry: self.retry.unwrap_or_default(),
                governor,
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_requires_url_and_auth() {
        let error = Benchling::builder().api_key("k").build().unwrap_err();
        assert!(error.to_string().contains("tenant URL"), "{error}");

        let error = Benchling::builder()
            .tenant_url("https://x.benchling.com")
            .build()
            .unwrap_err();
        assert!(error.to_string().contains("credentials"), "{error}");
    }

    #[test]
    fn empty_api_key_rejected() {
        let error = Benchling::builder()
            .tenant_url("https://x.benchling.com")
            .api_key("")
            .build()
            .unwrap_err();
        assert!(
            matches!(
                error,
                Error::InvalidInput {
                    name: "API key",
                    ..
                }
            ),
            "{error:?}"
        );
    }

    #[test]
    fn debug_hides_secrets() {
        let client = Benchling::builder()
            .tenant_url("https://x.benchling.com")
            .client_credentials("app_1", "very_secret_value")
            .build()
            .unwrap();
        let text = format!("{client:?}");
        assert!(!text.contains("very_secret_value"), "{text}");
        assert!(text.contains("app_1"), "{text}");
    }

    #[test]
    fn token_url_defaults_under_api() {
        let client = Benchling::builder()
            .tenant_url("https://x.benchling.com/")
            .client_credentials("app_1", "s")
            .build()
            .unwrap();
        assert_eq!(
            client.inner.token_url,
            "https://x.benchling.com/api/v2/token"
        );
    }

    #[test]
    fn user_agent_names_crate_version() {
        assert!(USER_AGENT.starts_with("benchling-sdk-rust/"));
        assert!(USER_AGENT.len() > "benchling-sdk-rust/".len());
    }
}
