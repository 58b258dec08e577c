//! Client-wide pacing from the tenant's rate-limit headers.
//!
//! Benchling counts requests in a fixed window for the whole tenant: 60 requests
//! per 30 seconds for personal API keys (all keys together), 300 per 30 seconds
//! per Benchling App. A refused request (429) still counts against the window,
//! so every 429 takes budget away from the lab's other integrations.
//!
//! The governor delays a request, before it is sent, when the window has no
//! budget left for this client. It starts from Benchling's documented limits and
//! follows the `x-rate-limit-limit`, `x-rate-limit-remaining` and
//! `x-rate-limit-reset` headers of every response (and the older `x-ratelimit-*`
//! spelling). When requests queue, task polls wait behind other calls.
//!
//! # Defaults
//! - enabled;
//! - 60 requests per 30 s with an API key or a bearer token, 300 per 30 s with
//!   OAuth2 client credentials;
//! - the whole budget for this client ([`GovernorConfig::share`] 1.0).
//!
//! Clones of a client share one governor.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::header::HeaderMap;
use tokio::sync::Notify;
use tokio::time::Instant;
use tracing::debug;

/// Rate-limit values read from the headers of one response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimit {
    /// Requests allowed per window (`x-rate-limit-limit`).
    pub limit: Option<u32>,
    /// Requests left in the current window (`x-rate-limit-remaining`).
    pub remaining: Option<u32>,
    /// Time until the window resets (`x-rate-limit-reset`, in seconds).
    pub reset: Option<Duration>,
    /// When the response was received.
    pub observed_at: Instant,
}

impl RateLimit {
    /// Reads the rate-limit headers, in either spelling; `None` when none is present.
    pub fn from_headers(headers: &HeaderMap) -> Option<RateLimit> {
        let read = |name: &str| {
            let modern = format!("x-rate-limit-{name}");
            let legacy = format!("x-ratelimit-{name}");
            headers
                .get(modern.as_str())
                .or_else(|| headers.get(legacy.as_str()))
                .and_then(|value| value.to_str().ok())
                .map(str::trim)
                .and_then(|text| text.parse::<f64>().ok())
                .filter(|number| number.is_finite() && *number >= 0.0)
        };

        let limit = read("limit").map(|n| n as u32);
        let remaining = read("remaining").map(|n| n as u32);
        let reset = read("reset").map(Duration::from_secs_f64);
        if limit.is_none() && remaining.is_none() && reset.is_none() {
            return None;
        }

        Some(RateLimit {
            limit,
            remaining,
            reset,
            observed_at: Instant::now(),
        })
    }
}

/// Settings of the client-wide governor.
///
/// ```
/// use benchling_sdk::{Benchling, GovernorConfig};
///
/// // Use at most half of the tenant's window, leaving the rest to other integrations.
/// let client = Benchling::builder()
///     .tenant_url("https://example.benchling.com")
///     .api_key("sk_example")
///     .governor(GovernorConfig::new().share(0.5))
///     .build()?;
/// # Ok::<(), benchling_sdk::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct GovernorConfig {
    enabled: bool,
    limit: Option<u32>,
    window: Duration,
    share: f64,
}

impl Default for GovernorConfig {
    fn default() -> Self {
        GovernorConfig {
            enabled: true,
            limit: None,
            window: Duration::from_secs(30),
            share: 1.0,
        }
    }
}

impl GovernorConfig {
    /// Creates an enabled governor with the documented limit of the client's auth method.
    pub fn new() -> Self {
        Self::default()
    }

    /// Creates a governor that never delays a request; rate-limit headers are still read.
    pub fn disabled() -> Self {
        GovernorConfig {
            enabled: false,
            ..Self::default()
        }
    }

    /// Sets the requests per window assumed before the first response arrives.
    pub fn limit(mut self, requests: u32) -> Self {
        self.limit = Some(requests.max(1));
        self
    }

    /// Sets the window length assumed before the first response arrives.
    pub fn window(mut self, window: Duration) -> Self {
        self.window = window.max(Duration::from_millis(1));
        self
    }

    /// Sets the share of each window this client may use, from 0.0 to 1.0
    /// (for example 0.5 leaves half for other integrations of the tenant).
    pub fn share(mut self, share: f64) -> Self {
        self.share = if share.is_finite() {
            share.clamp(0.01, 1.0)
        } else {
            1.0
        };
        self
    }

    /// Returns true when the governor delays requests.
    pub fn is_enabled(&self) -> bool {
        self.enabled
    }
}

/// Queue of a request in the governor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Priority {
    /// An ordinary API call.
    Normal,
    /// A task poll: waits while ordinary calls are queued.
    Poll,
}

/// Shared state of the governor.
#[derive(Debug)]
pub(crate) struct Governor {
    config: GovernorConfig,
    state: Mutex<WindowState>,
    changed: Notify,
}

#[derive(Debug)]
struct WindowState {
    limit: u32,
    window: Duration,
    window_end: Option<Instant>,
    /// True when `window_end` comes from the server's reset header, not a local guess.
    window_from_server: bool,
    remaining: u32,
    /// Requests sent under a permit whose response has not been observed yet.
    in_flight: u32,
    normal_waiting: u32,
    last: Option<RateLimit>,
}

impl WindowState {
    /// Requests that must stay unused for other integrations.
    fn reserve(&self, share: f64) -> u32 {
        let allowed = ((self.limit as f64) * share).floor() as u32;
        self.limit.saturating_sub(allowed.max(1))
    }

    /// Starts a new window when the current one has ended.
    fn roll(&mut self, now: Instant) {
        match self.window_end {
            Some(end) if now < end => {}
            _ => {
                self.window_end = Some(now + self.window);
                self.window_from_server = false;
                self.remaining = self.limit;
            }
        }
    }
}

/// The right to send one request, taken from the window by [`Governor::acquire`].
///
/// Pass the response to [`Permit::observe`]. A permit dropped without a response
/// (a transport failure) only stops counting as in flight.
#[must_use]
pub(crate) struct Permit<'a> {
    governor: &'a Governor,
    counted: bool,
}

impl Permit<'_> {
    /// Updates the window from the response to the request sent under this permit.
    pub(crate) fn observe(mut self, status: u16, headers: &HeaderMap) {
        let counted = std::mem::take(&mut self.counted);
        self.governor.observe(status, headers, counted);
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        if self.counted {
            let mut state = self.governor.lock();
            state.in_flight = state.in_flight.saturating_sub(1);
        }
    }
}

/// Removes a queued ordinary request from the count when its wait ends or is dropped.
struct NormalWaiter<'a>(&'a Governor);

impl Drop for NormalWaiter<'_> {
    fn drop(&mut self) {
        let mut state = self.0.lock();
        state.normal_waiting = state.normal_waiting.saturating_sub(1);
        drop(state);
        self.0.changed.notify_waiters();
    }
}

impl Governor {
    pub(crate) fn new(config: GovernorConfig, default_limit: u32) -> Arc<Self> {
        let limit = config.limit.unwrap_or(default_limit).max(1);
        let window = config.window;
        Arc::new(Governor {
            config,
            state: Mutex::new(WindowState {
                limit,
                window,
                window_end: None,
                window_from_server: false,
                remaining: limit,
                in_flight: 0,
                normal_waiting: 0,
                last: None,
            }),
            changed: Notify::new(),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, WindowState> {
        // A panic while holding this lock leaves plain counters behind, still usable.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Returns the last rate-limit headers seen.
    pub(crate) fn last(&self) -> Option<RateLimit> {
        self.lock().last
    }

    /// Waits until the window has budget for one more request, then takes it.
    pub(crate) async fn acquire(&self, priority: Priority) -> Permit<'_> {
        if !self.config.enabled {
            return Permit {
                governor: self,
                counted: false,
            };
        }

        let _normal = (priority == Priority::Normal).then(|| {
            self.lock().normal_waiting += 1;
            NormalWaiter(self)
        });

        loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();

            let wake_at = {
                let mut state = self.lock();
                let now = Instant::now();
                state.roll(now);

                let reserve = state.reserve(self.config.share);
                let has_budget = state.remaining > reserve;
                let behind_others = priority == Priority::Poll && state.normal_waiting > 0;
                if has_budget && !behind_others {
                    state.remaining -= 1;
                    state.in_flight += 1;
                    return Permit {
                        governor: self,
                        counted: true,
                    };
                }

                if has_budget {
                    None
                } else {
                    state.window_end
                }
            };

            match wake_at {
                Some(wake_at) => {
                    debug!(
                        delay_ms = wake_at
                            .saturating_duration_since(Instant::now())
                            .as_millis() as u64,
                        ?priority,
                        "rate window used up; holding the request until it resets"
                    );
                    tokio::select! {
                        _ = tokio::time::sleep_until(wake_at) => {}
                        _ = &mut changed => {}
                    }
                }
                None => changed.await,
            }
        }
    }

    /// Updates the window from a response's status and headers; `counted` is
    /// true when the request was sent under a counted permit.
    fn observe(&self, status: u16, headers: &HeaderMap, counted: bool) {
        let observed = RateLimit::from_headers(headers);
        let mut state = self.lock();
        let now = Instant::now();

        if counted {
            state.in_flight = state.in_flight.saturating_sub(1);
        }

        // The server's count may not include requests still in flight, so they
        // are taken off its remaining budget: counting them twice only delays a
        // request, while counting them never earns a 429.
        let server_remaining = observed
            .and_then(|limit| limit.remaining)
            .map(|remaining| remaining.saturating_sub(state.in_flight));

        if let Some(limit) = observed {
            state.last = Some(limit);

            if let Some(requests) = limit.limit {
                state.limit = requests.max(1);
            }

            if let Some(reset) = limit.reset {
                // A margin, because the header may be rounded down to whole seconds.
                let end = now + reset + Duration::from_millis(250);
                // The server's reset replaces a local guess. Once it is known, only a
                // clearly later reset starts a new window, so a late response from the
                // previous window cannot restore its budget.
                let new_window = !state.window_from_server
                    || state
                        .window_end
                        .is_none_or(|current| end > current + Duration::from_secs(1));
                if new_window {
                    state.window_end = Some(end);
                    state.window_from_server = true;
                    state.remaining = server_remaining
                        .unwrap_or_else(|| state.limit.saturating_sub(state.in_flight));
                }
            }

            if let Some(remaining) = server_remaining {
                state.remaining = state.remaining.min(remaining);
            }
        }

        if status == 429 {
            state.remaining = 0;
            if observed.and_then(|limit| limit.reset).is_none() {
                state.window_end = Some(now + state.window);
            }
        }

        drop(state);
        self.changed.notify_waiters();
    }
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

    #[test]
    fn parses_modern_headers() {
        let limit = RateLimit::from_headers(&headers(&[
            ("x-rate-limit-limit", "60"),
            ("x-rate-limit-remaining", "12"),
            ("x-rate-limit-reset", "7"),
        ]))
        .unwrap();
        assert_eq!(limit.limit, Some(60));
        assert_eq!(limit.remaining, Some(12));
        assert_eq!(limit.reset, Some(Duration::from_secs(7)));
    }

    #[test]
    fn parses_legacy_headers() {
        let limit = RateLimit::from_headers(&headers(&[
            ("x-ratelimit-remaining", "3"),
            ("x-ratelimit-reset", "1.5"),
        ]))
        .unwrap();
        assert_eq!(limit.remaining, Some(3));
        assert_eq!(limit.reset, Some(Duration::from_millis(1500)));
        assert_eq!(limit.limit, None);
    }

    #[test]
    fn ignores_garbage_headers() {
        assert!(RateLimit::from_headers(&headers(&[("x-rate-limit-remaining", "lots")])).is_none());
        assert!(RateLimit::from_headers(&HeaderMap::new()).is_none());
    }

    #[tokio::test(start_paused = true)]
    async fn holds_requests_past_the_limit() {
        let governor = Governor::new(
            GovernorConfig::new()
                .limit(3)
                .window(Duration::from_secs(30)),
            60,
        );
        let start = Instant::now();
        for _ in 0..3 {
            let _permit = governor.acquire(Priority::Normal).await;
        }
        assert_eq!(start.elapsed(), Duration::ZERO);

        let _permit = governor.acquire(Priority::Normal).await;
        assert_eq!(start.elapsed(), Duration::from_secs(30));
    }

    #[tokio::test(start_paused = true)]
    async fn share_leaves_room_for_others() {
        let governor = Governor::new(GovernorConfig::new().limit(10).share(0.5), 60);
        let start = Instant::now();
        for _ in 0..5 {
            let _permit = governor.acquire(Priority::Poll).await;
        }
        assert_eq!(start.elapsed(), Duration::ZERO);
        let _permit = governor.acquire(Priority::Poll).await;
        assert_eq!(start.elapsed(), Duration::from_secs(30));
    }

    #[tokio::test(start_paused = true)]
    async fn follows_server_headers() {
        let governor = Governor::new(GovernorConfig::new(), 60);
        let permit = governor.acquire(Priority::Normal).await;
        permit.observe(
            200,
            &headers(&[
                ("x-rate-limit-limit", "60"),
                ("x-rate-limit-remaining", "0"),
                ("x-rate-limit-reset", "5"),
            ]),
        );

        let start = Instant::now();
        let _permit = governor.acquire(Priority::Normal).await;
        assert_eq!(start.elapsed(), Duration::from_millis(5250));
    }

    #[tokio::test(start_paused = true)]
    async fn too_many_requests_empties_the_window() {
        let governor = Governor::new(GovernorConfig::new().window(Duration::from_secs(30)), 60);
        let permit = governor.acquire(Priority::Normal).await;
        permit.observe(429, &HeaderMap::new());

        let start = Instant::now();
        let _permit = governor.acquire(Priority::Normal).await;
        assert_eq!(start.elapsed(), Duration::from_secs(30));
    }

    #[tokio::test(start_paused = true)]
    async fn polls_wait_behind_normal_calls() {
        let governor = Governor::new(
            GovernorConfig::new()
                .limit(1)
                .window(Duration::from_secs(10)),
            60,
        );
        let _permit = governor.acquire(Priority::Normal).await;

        let order = Arc::new(Mutex::new(Vec::new()));
        let poll = {
            let (governor, order) = (governor.clone(), order.clone());
            tokio::spawn(async move {
                let _permit = governor.acquire(Priority::Poll).await;
                order.lock().unwrap().push("poll");
            })
        };
        tokio::task::yield_now().await;
        let normal = {
            let (governor, order) = (governor.clone(), order.clone());
            tokio::spawn(async move {
                let _permit = governor.acquire(Priority::Normal).await;
                order.lock().unwrap().push("normal");
            })
        };

        normal.await.unwrap();
        poll.await.unwrap();
        assert_eq!(*order.lock().unwrap(), vec!["normal", "poll"]);
    }

    #[tokio::test(start_paused = true)]
    async fn in_flight_requests_leave_the_server_budget() {
        let governor = Governor::new(GovernorConfig::new(), 60);
        let mut permits = Vec::new();
        for _ in 0..40 {
            permits.push(governor.acquire(Priority::Normal).await);
        }

        // The first response counts only its own request; 39 others are still in flight.
        permits.remove(0).observe(
            202,
            &headers(&[
                ("x-rate-limit-limit", "60"),
                ("x-rate-limit-remaining", "59"),
                ("x-rate-limit-reset", "30"),
            ]),
        );

        let start = Instant::now();
        for _ in 0..20 {
            permits.push(governor.acquire(Priority::Poll).await);
        }
        assert_eq!(start.elapsed(), Duration::ZERO);

        let _permit = governor.acquire(Priority::Poll).await;
        assert_eq!(start.elapsed(), Duration::from_millis(30_250));
    }

    #[tokio::test(start_paused = true)]
    async fn dropped_permit_stops_counting() {
        let governor = Governor::new(GovernorConfig::new(), 60);
        drop(governor.acquire(Priority::Normal).await);
        assert_eq!(governor.lock().in_flight, 0);

        let permit = governor.acquire(Priority::Normal).await;
        assert_eq!(governor.lock().in_flight, 1);
        permit.observe(200, &HeaderMap::new());
        assert_eq!(governor.lock().in_flight, 0);
    }

    #[tokio::test(start_paused = true)]
    async fn disabled_never_waits() {
        let governor = Governor::new(GovernorConfig::disabled().limit(1), 60);
        let start = Instant::now();
        for _ in 0..10 {
            let _permit = governor.acquire(Priority::Normal).await;
        }
        assert_eq!(start.elapsed(), Duration::ZERO);
    }
}
