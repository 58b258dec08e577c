//! Retry strategy: which failed requests are sent again, and after how long.
//!
//! # Defaults
//! As in Benchling's Python SDK: at most 5 tries; waits of `backoff_factor * 2^n`
//! seconds (`n` = 0, 1, 2, …, factor 1.0); statuses 429, 502, 503 and 504.
//! On top of that:
//! - each wait gets up to 1 s of random jitter, as Benchling recommends for
//!   rate-limited clients;
//! - no single wait exceeds 64 s;
//! - a 429 waits for the `Retry-After` or `x-rate-limit-reset` time when the
//!   response has one;
//! - connection failures and timeouts are retried for `GET` requests only,
//!   because a `POST` that timed out may have created a task already.
//!
//! The strategy is pure: [`RetryStrategy::decide`] takes the outcome and a jitter
//! sample and returns a [`RetryDecision`], so its arithmetic is unit-tested.

use std::time::{Duration, SystemTime};

use reqwest::header::HeaderMap;
use reqwest::Method;

use crate::governor::RateLimit;

/// When and how often a failed request is sent again.
///
/// ```
/// use std::time::Duration;
/// use benchling_sdk::retry::{Outcome, RetryDecision, RetryStrategy};
/// use reqwest::header::HeaderMap;
/// use reqwest::Method;
///
/// let strategy = RetryStrategy::new().max_jitter(Duration::ZERO);
/// let headers = HeaderMap::new();
///
/// // The third try of a GET failed with 503: wait 1.0 * 2^2 seconds.
/// let decision = strategy.decide(3, &Method::GET, Outcome::Status(503, &headers), 0.0);
/// assert_eq!(decision, RetryDecision::RetryAfter(Duration::from_secs(4)));
///
/// // A POST that got no response may have created a task already: no retry.
/// let decision = strategy.decide(1, &Method::POST, Outcome::Transport, 0.0);
/// assert_eq!(decision, RetryDecision::Stop);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RetryStrategy {
    max_tries: u32,
    backoff_factor: f64,
    statuses: Vec<u16>,
    max_delay: Duration,
    max_jitter: Duration,
    retry_transport_errors: bool,
}

impl Default for RetryStrategy {
    fn default() -> Self {
        RetryStrategy {
            max_tries: 5,
            backoff_factor: 1.0,
            statuses: vec![429, 502, 503, 504],
            max_delay: Duration::from_secs(64),
            max_jitter: Duration::from_secs(1),
            retry_transport_errors: true,
        }
    }
}

/// Result of one try of a request.
#[derive(Debug, Clone, Copy)]
pub enum Outcome<'a> {
    /// An HTTP response with this status and these headers.
    Status(u16, &'a HeaderMap),
    /// No HTTP response: connection failure or timeout.
    Transport,
}

/// The decision after a failed try.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryDecision {
    /// Send the request again after this delay.
    RetryAfter(Duration),
    /// Give up and return the failure.
    Stop,
}

impl RetryStrategy {
    /// Creates the Python SDK's strategy plus jitter, a 64 s cap and rate-limit headers (see the module docs).
    pub fn new() -> Self {
        Self::default()
    }

    /// Creates a strategy that never retries.
    pub fn none() -> Self {
        RetryStrategy {
            max_tries: 1,
            ..Self::default()
        }
    }

    /// Sets the maximum number of tries, the first included (at least 1).
    pub fn max_tries(mut self, max_tries: u32) -> Self {
        self.max_tries = max_tries.max(1);
        self
    }

    /// Sets the factor of the exponential waits, in seconds.
    pub fn backoff_factor(mut self, factor: f64) -> Self {
        self.backoff_factor = if factor.is_finite() {
            factor.max(0.0)
        } else {
            1.0
        };
        self
    }

    /// Sets the HTTP statuses that are retried.
    pub fn statuses(mut self, statuses: impl IntoIterator<Item = u16>) -> Self {
        self.statuses = statuses.into_iter().collect();
        self
    }

    /// Sets the cap on any single wait.
    pub fn max_delay(mut self, max_delay: Duration) -> Self {
        self.max_delay = max_delay;
        self
    }

    /// Sets the maximum random jitter added to each wait; zero turns jitter off.
    pub fn max_jitter(mut self, max_jitter: Duration) -> Self {
        self.max_jitter = max_jitter;
        self
    }

    /// Sets whether connection failures and timeouts of `GET` requests are retried.
    pub fn retry_transport_errors(mut self, retry: bool) -> Self {
        self.retry_transport_errors = retry;
        self
    }

    /// Returns the maximum number of tries.
    pub fn tries(&self) -> u32 {
        self.max_tries
    }

    /// Decides what to do after try number `tries_done` (1 for the first) failed.
    ///
    /// `jitter` is a uniform sample in `[0, 1)`.
    pub fn decide(
        &self,
        tries_done: u32,
        method: &Method,
        outcome: Outcome<'_>,
        jitter: f64,
    ) -> RetryDecision {
        if tries_done >= self.max_tries {
            return RetryDecision::Stop;
        }

        let retryable = match outcome {
            Outcome::Status(status, _) => self.statuses.contains(&status),
            Outcome::Transport => {
                self.retry_transport_errors && (method == Method::GET || method == Method::HEAD)
            }
        };
        if !retryable {
            return RetryDecision::Stop;
        }

        let exponent = tries_done.saturating_sub(1).min(62) as i32;
        let mut delay = self.backoff_factor * 2f64.powi(exponent);

        // A 429 carries the time the window has left, and waiting less only earns another 429.
        if let Outcome::Status(429, headers) = outcome {
            if let Some(server_delay) = server_delay(headers, SystemTime::now()) {
                delay = delay.max(server_delay.as_secs_f64());
            }
        }

        let jitter = self.max_jitter.as_secs_f64() * jitter.clamp(0.0, 1.0);
        let capped = (delay + jitter).min(self.max_delay.as_secs_f64());
        RetryDecision::RetryAfter(Duration::from_secs_f64(capped.max(0.0)))
    }
}

/// Reads the delay requested by the server: `Retry-After` (seconds or an HTTP date),
/// else the rate-limit reset header.
pub(crate) fn server_delay(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    if let Some(value) = headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
    {
        let value = value.trim();
        if let Ok(seconds) = value.parse::<f64>() {
            if seconds.is_finite() && seconds >= 0.0 {
                return Some(Duration::from_secs_f64(seconds));
            }
        }
        if let Ok(date) = httpdate::parse_http_date(value) {
            return Some(date.duration_since(now).unwrap_or_default());
        }
    }

    RateLimit::from_headers(headers).and_then(|limit| limit.reset)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    fn delay(decision: RetryDecision) -> Duration {
        match decision {
            RetryDecision::RetryAfter(delay) => delay,
            RetryDecision::Stop => panic!("expected a retry"),
        }
    }

    #[test]
    fn python_defaults_without_jitter() {
        let strategy = RetryStrategy::new();
        let empty = HeaderMap::new();
        let waits: Vec<f64> = (1..=4)
            .map(|tries| {
                delay(strategy.decide(tries, &Method::GET, Outcome::Status(503, &empty), 0.0))
                    .as_secs_f64()
            })
            .collect();
        assert_eq!(waits, vec![1.0, 2.0, 4.0, 8.0]);
        assert_eq!(
            strategy.decide(5, &Method::GET, Outcome::Status(503, &empty), 0.0),
            RetryDecision::Stop
        );
    }

    #[test]
    fn retried_statuses_only() {
        let strategy = RetryStrategy::new();
        let empty = HeaderMap::new();
        for status in [429, 502, 503, 504] {
            assert!(matches!(
                strategy.decide(1, &Method::POST, Outcome::Status(status, &empty), 0.0),
                RetryDecision::RetryAfter(_)
            ));
        }
        for status in [400, 401, 404, 500] {
            assert_eq!(
                strategy.decide(1, &Method::GET, Outcome::Status(status, &empty), 0.0),
                RetryDecision::Stop,
                "status {status}"
            );
        }
    }

    #[test]
    fn jitter_adds_up_to_one_second() {
        let strategy = RetryStrategy::new();
        let empty = HeaderMap::new();
        let wait = delay(strategy.decide(1, &Method::GET, Outcome::Status(502, &empty), 0.5));
        assert_eq!(wait, Duration::from_millis(1500));
    }

    #[test]
    fn waits_are_capped() {
        let strategy = RetryStrategy::new().max_tries(20);
        let empty = HeaderMap::new();
        let wait = delay(strategy.decide(10, &Method::GET, Outcome::Status(502, &empty), 0.9));
        assert_eq!(wait, Duration::from_secs(64));
    }

    #[test]
    fn rate_limit_reset_honoured_on_429() {
        let strategy = RetryStrategy::new();
        let answer = headers(&[("x-rate-limit-reset", "17")]);
        let wait = delay(strategy.decide(1, &Method::GET, Outcome::Status(429, &answer), 0.0));
        assert_eq!(wait, Duration::from_secs(17));
    }

    #[test]
    fn retry_after_seconds_wins_over_reset() {
        let answer = headers(&[("retry-after", "3"), ("x-rate-limit-reset", "17")]);
        assert_eq!(
            server_delay(&answer, SystemTime::now()),
            Some(Duration::from_secs(3))
        );
    }

    #[test]
    fn retry_after_http_date() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let date = httpdate::fmt_http_date(now + Duration::from_secs(30));
        let answer = headers(&[("retry-after", &date)]);
        assert_eq!(server_delay(&answer, now), Some(Duration::from_secs(30)));
    }

    #[test]
    fn transport_errors_retried_for_get_only() {
        let strategy = RetryStrategy::new();
        assert!(matches!(
            strategy.decide(1, &Method::GET, Outcome::Transport, 0.0),
            RetryDecision::RetryAfter(_)
        ));
        assert_eq!(
            strategy.decide(1, &Method::POST, Outcome::Transport, 0.0),
            RetryDecision::Stop
        );
    }

    #[test]
    fn none_never_retries() {
        let empty = HeaderMap::new();
        assert_eq!(
            RetryStrategy::none().decide(1, &Method::GET, Outcome::Status(429, &empty), 0.0),
            RetryDecision::Stop
        );
    }
}
