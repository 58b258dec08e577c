//! Authentication: HTTP Basic with an API key, OAuth2 client credentials, bearer tokens.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use axum::http::{header, HeaderMap};
use rand::distr::{Alphanumeric, SampleString};
use rand::rngs::SmallRng;
use rand::SeedableRng;
use serde_json::{json, Value};

use crate::clock::SimClock;
use crate::error::ApiError;

/// The credentials the simulator accepts and the access tokens it has issued.
#[derive(Debug)]
pub(crate) struct Authenticator {
    api_key: String,
    client_id: String,
    client_secret: String,
    static_tokens: Vec<String>,
    token_lifetime: Duration,
    /// Issued access token -> simulated instant it expires.
    issued: Mutex<HashMap<String, Duration>>,
    rng: Mutex<SmallRng>,
}

impl Authenticator {
    pub(crate) fn new(config: &crate::SimConfig) -> Self {
        Self {
            api_key: config.api_key.clone(),
            client_id: config.client_id.clone(),
            client_secret: config.client_secret.clone(),
            static_tokens: config.static_bearer_tokens.clone(),
            token_lifetime: config.token_lifetime,
            issued: Mutex::new(HashMap::new()),
            rng: Mutex::new(SmallRng::seed_from_u64(config.seed ^ 0x70ce_4e55)),
        }
    }

    /// Checks the `Authorization` header of an API request.
    pub(crate) fn check(&self, headers: &HeaderMap, clock: &SimClock) -> Result<(), ApiError> {
        let Some(value) = headers.get(header::AUTHORIZATION) else {
            return Err(ApiError::unauthorized(
                "Missing credentials: send an API key with HTTP Basic auth or a bearer token.",
            ));
        };
        let value = value
            .to_str()
            .map_err(|_| ApiError::unauthorized("The Authorization header is not valid text."))?;

        if let Some((user, _password)) = basic_credentials(value) {
            return if user == self.api_key {
                Ok(())
            } else {
                Err(ApiError::unauthorized("Invalid API key."))
            };
        }

        if let Some(token) = strip_scheme(value, "Bearer") {
            if self.static_tokens.iter().any(|known| known == token) {
                return Ok(());
            }
            let issued = self
                .issued
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            return match issued.get(token) {
                Some(&expires) if clock.now() < expires => Ok(()),
                Some(_) => Err(ApiError::unauthorized(
                    "The access token has expired; request a new one from /api/v2/token.",
                )),
                None => Err(ApiError::unauthorized("Invalid access token.")),
            };
        }

        Err(ApiError::unauthorized(
            "Unsupported Authorization scheme: use Basic or Bearer.",
        ))
    }

    /// Handles `POST /api/v2/token`: the OAuth2 client-credentials grant.
    ///
    /// The client id and secret come from HTTP Basic auth or, as RFC 6749 also
    /// allows, from `client_id` and `client_secret` form fields.
    pub(crate) fn issue_token(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        clock: &SimClock,
    ) -> Result<Value, ApiError> {
        let form: HashMap<String, String> =
            url::form_urlencoded::parse(body).into_owned().collect();

        match form.get("grant_type").map(String::as_str) {
            Some("client_credentials") => {}
            Some(other) => {
                return Err(ApiError::bad_request(format!(
                    "Unsupported grant_type `{other}`: use `client_credentials`."
                )))
            }
            None => {
                return Err(ApiError::bad_request(
                    "Missing form field grant_type: send `grant_type=client_credentials`.",
                ))
            }
        }

        let from_header = headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(basic_credentials);
        let (client_id, client_secret) = match from_header {
            Some(pair) => pair,
            None => match (form.get("client_id"), form.get("client_secret")) {
                (Some(id), Some(secret)) => (id.clone(), secret.clone()),
                _ => {
                    return Err(ApiError::unauthorized(
                        "Missing client credentials: send client_id:client_secret with HTTP Basic auth.",
                    ))
                }
            },
        };
        if client_id != self.client_id || client_secret != self.client_secret {
            return Err(ApiError::unauthorized(
                "Invalid client id or client secret.",
            ));
        }

        let token = {
            let mut rng = self
                .rng
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            format!("sim_token_{}", Alphanumeric.sample_string(&mut *rng, 32))
        };
        let expires = clock.now() + self.token_lifetime;
        self.issued
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(token.clone(), expires);

        // The client counts `expires_in` in its own (real) seconds.
        let expires_in = clock.to_real(self.token_lifetime).as_secs().max(1);
        Ok(json!({
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": expires_in,
        }))
    }

    pub(crate) fn reset(&self) {
        self.issued
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clear();
    }
}

/// Returns the value after an authorization scheme name, compared without case.
fn strip_scheme<'a>(value: &'a str, scheme: &str) -> Option<&'a str> {
    let (name, rest) = value.split_once(' ')?;
    name.eq_ignore_ascii_case(scheme).then(|| rest.trim())
}

/// Decodes `Basic base64(user:password)` into the user and password.
fn basic_credentials(value: &str) -> Option<(String, String)> {
    let encoded = strip_scheme(value, "Basic")?;
    let decoded = String::from_utf8(decode_base64(encoded)?).ok()?;
    let (user, password) = decoded.split_once(':').unwrap_or((decoded.as_str(), ""));
    Some((user.to_owned(), password.to_owned()))
}

/// Decodes standard base64 (RFC 4648, padding optional); `None` if the text is not base64.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    fn sextet(byte: u8) -> Option<u32> {
        match byte {
            b'A'..=b'Z' => Some(u32::from(byte - b'A')),
            b'a'..=b'z' => Some(u32::from(byte - b'a') + 26),
            b'0'..=b'9' => Some(u32::from(byte - b'0') + 52),
            b'+' => Some(62),
            b'/' => Some(63),
            _ => None,
        }
    }

    let digits = text.trim_end_matches('=').as_bytes();
    if digits.len() % 4 == 1 {
        return None;
    }
    let mut output = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let mut accumulator = 0u32;
        for &byte in chunk {
            accumulator = (accumulator << 6) | sextet(byte)?;
        }
        accumulator <<= 6 * (4 - chunk.len() as u32);
        let bytes = accumulator.to_be_bytes();
        output.extend_from_slice(&bytes[1..chunk.len()]);
    }
    Some(output)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_decodes_padded_and_unpadded() {
        assert_eq!(decode_base64("a2V5Og==").unwrap(), b"key:");
        assert_eq!(decode_base64("a2V5Og").unwrap(), b"key:");
        assert_eq!(decode_base64("aWQ6c2VjcmV0").unwrap(), b"id:secret");
        assert_eq!(decode_base64("").unwrap(), b"");
    }

    #[test]
    fn base64_rejects_invalid_text() {
        assert!(decode_base64("a*b=").is_none());
        assert!(decode_base64("abcde").is_none());
    }

    #[test]
    fn basic_credentials_split_user_and_password() {
        assert_eq!(
            basic_credentials("Basic aWQ6c2VjcmV0"),
            Some(("id".to_owned(), "secret".to_owned()))
        );
        assert_eq!(
            basic_credentials("basic a2V5Og=="),
            Some(("key".to_owned(), String::new()))
        );
        assert_eq!(basic_credentials("Bearer abc"), None);
    }
}
