//! Builds the API client from the tenant URL and credentials.

use benchling_sdk::{Benchling, RetryStrategy};

use crate::cli::{Connection, GlobalOptions};

/// A missing or malformed setting, shown as one line.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "missing tenant URL: set BENCHLING_TENANT_URL or pass --tenant-url, \
         such as https://example.benchling.com"
    )]
    MissingTenantUrl,
    #[error(
        "missing credentials: set BENCHLING_API_KEY (or pass --api-key), or set \
         BENCHLING_CLIENT_ID and BENCHLING_CLIENT_SECRET (or pass --client-id and --client-secret)"
    )]
    MissingCredentials,
    #[error("missing OAuth2 client secret: a client id is set; set BENCHLING_CLIENT_SECRET or pass --client-secret")]
    MissingClientSecret,
    #[error("missing OAuth2 client id: a client secret is set; set BENCHLING_CLIENT_ID or pass --client-id")]
    MissingClientId,
    #[error(
        "both an API key and OAuth2 client credentials are set; keep one: unset \
         BENCHLING_API_KEY (--api-key) or BENCHLING_CLIENT_ID and BENCHLING_CLIENT_SECRET"
    )]
    ConflictingCredentials,
    #[error("{0}; check BENCHLING_TENANT_URL (--tenant-url) and the credentials")]
    Invalid(#[source] benchling_sdk::Error),
}

/// Builds a client from the connection settings.
pub fn build_client(
    connection: &Connection,
    global: &GlobalOptions,
) -> Result<Benchling, ConfigError> {
    // An empty environment variable counts as unset.
    let present = |value: &Option<String>| value.clone().filter(|text| !text.trim().is_empty());
    let tenant_url = present(&connection.tenant_url).ok_or(ConfigError::MissingTenantUrl)?;
    let api_key = present(&connection.api_key);
    let client_id = present(&connection.client_id);
    let client_secret = present(&connection.client_secret);

    let builder = Benchling::builder()
        .tenant_url(tenant_url)
        .retry(RetryStrategy::default().max_tries(global.max_tries))
        .timeout(global.request_timeout)
        .user_agent(concat!("benchling-cli/", env!("CARGO_PKG_VERSION")));

    let builder = match (api_key, client_id, client_secret) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
            return Err(ConfigError::ConflictingCredentials)
        }
        (Some(key), None, None) => builder.api_key(key),
        (None, Some(id), Some(secret)) => builder.client_credentials(id, secret),
        (None, Some(_), None) => return Err(ConfigError::MissingClientSecret),
        (None, None, Some(_)) => return Err(ConfigError::MissingClientId),
        (None, None, None) => return Err(ConfigError::MissingCredentials),
    };
    builder.build().map_err(ConfigError::Invalid)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn connection(
        url: Option<&str>,
        key: Option<&str>,
        id: Option<&str>,
        secret: Option<&str>,
    ) -> Connection {
        Connection {
            tenant_url: url.map(Into::into),
            api_key: key.map(Into::into),
            client_id: id.map(Into::into),
            client_secret: secret.map(Into::into),
        }
    }

    fn global() -> GlobalOptions {
        GlobalOptions {
            verbose: 0,
            max_tries: 5,
            request_timeout: Duration::from_secs(10),
        }
    }

    #[test]
    fn api_key_builds_client() {
        let client = build_client(
            &connection(Some("https://x.benchling.com"), Some("sk_1"), None, None),
            &global(),
        )
        .unwrap();
        assert_eq!(client.api_base(), "https://x.benchling.com/api/v2");
    }

    #[test]
    fn missing_values_name_the_variable() {
        let cases = [
            (
                connection(None, Some("k"), None, None),
                "BENCHLING_TENANT_URL",
            ),
            (
                connection(Some("https://x.benchling.com"), None, None, None),
                "BENCHLING_API_KEY",
            ),
            (
                connection(Some("https://x.benchling.com"), Some(" "), None, None),
                "BENCHLING_API_KEY",
            ),
            (
                connection(Some("https://x.benchling.com"), None, Some("id"), None),
                "BENCHLING_CLIENT_SECRET",
            ),
            (
                connection(Some("https://x.benchling.com"), None, None, Some("s")),
                "BENCHLING_CLIENT_ID",
            ),
        ];
        for (connection, variable) in cases {
            let error = build_client(&connection, &global())
                .unwrap_err()
                .to_string();
            assert!(error.contains(variable), "{error}");
            assert!(!error.contains('\n'), "{error}");
        }
    }

    #[test]
    fn conflicting_credentials_rejected() {
        let error = build_client(
            &connection(
                Some("https://x.benchling.com"),
                Some("k"),
                Some("id"),
                Some("s"),
            ),
            &global(),
        )
        .unwrap_err();
        assert!(matches!(error, ConfigError::ConflictingCredentials));
    }

    #[test]
    fn malformed_url_names_value_without_secret() {
        let error = build_client(
            &connection(Some("ftp://x"), Some("very_secret_key"), None, None),
            &global(),
        )
        .unwrap_err()
        .to_string();
        assert!(error.contains("ftp://x"), "{error}");
        assert!(error.contains("BENCHLING_TENANT_URL"), "{error}");
        assert!(!error.contains("very_secret_key"), "{error}");
    }
}
