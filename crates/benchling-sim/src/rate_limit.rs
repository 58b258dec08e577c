//! The tenant-wide fixed rate window.

use std::sync::Mutex;
use std::time::Duration;

use crate::clock::SimClock;
use crate::config::RateLimit;

/// The rate-limit headers of one response and whether the request may go on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RateDecision {
    pub(crate) allowed: bool,
    pub(crate) limit: u32,
    pub(crate) remaining: u32,
    /// Whole real seconds until the window resets, rounded up.
    pub(crate) reset_seconds: u64,
}

/// A fixed window: it opens with the first request after the previous one closed
/// and admits `limit` requests; refused requests count too.
#[derive(Debug)]
pub(crate) struct RateWindow {
    limit: RateLimit,
    current: Mutex<Option<Window>>,
}

#[derive(Debug, Clone, Copy)]
struct Window {
    opened: Duration,
    requests: u32,
}

impl RateWindow {
    pub(crate) fn new(limit: RateLimit) -> Self {
        Self {
            limit,
            current: Mutex::new(None),
        }
    }

    /// Counts one request at simulated time `now` and decides whether it is admitted.
    pub(crate) fn admit(&self, clock: &SimClock) -> RateDecision {
        let now = clock.now();
        let mut current = self
            .current
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());

        let window = match *current {
            Some(window) if now < window.opened + self.limit.window => current.insert(window),
            _ => current.insert(Window {
                opened: now,
                requests: 0,
            }),
        };
        window.requests = window.requests.saturating_add(1);

        let left = (window.opened + self.limit.window).saturating_sub(now);
        let reset_seconds = clock.to_real(left).as_secs_f64().ceil() as u64;
        RateDecision {
            allowed: window.requests <= self.limit.requests,
            limit: self.limit.requests,
            remaining: self.limit.requests.saturating_sub(window.requests),
            reset_seconds,
        }
    }

    pub(crate) fn reset(&self) {
        *self
            .current
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(requests: u32, seconds: u64) -> RateWindow {
        RateWindow::new(RateLimit {
            requests,
            window: Duration::from_secs(seconds),
        })
    }

    #[test]
    fn admits_up_to_limit_then_refuses() {
        let clock = SimClock::start(1.0);
        let rate = window(3, 30);
        let allowed: Vec<bool> = (0..5).map(|_| rate.admit(&clock).allowed).collect();
        assert_eq!(allowed, [true, true, true, false, false]);
    }

    #[test]
    fn remaining_counts_down_to_zero() {
        let clock = SimClock::start(1.0);
        let rate = window(2, 30);
        let remaining: Vec<u32> = (0..3).map(|_| rate.admit(&clock).remaining).collect();
        assert_eq!(remaining, [1, 0, 0]);
    }

    #[test]
    fn new_window_opens_after_reset() {
        let clock = SimClock::start(1.0);
        let rate = window(1, 30);
        assert!(rate.admit(&clock).allowed);
        assert!(!rate.admit(&clock).allowed);
        clock.advance(Duration::from_secs(31));
        assert!(rate.admit(&clock).allowed);
    }

    #[test]
    fn reset_header_is_in_real_seconds() {
        let clock = SimClock::start(10.0);
        let rate = window(5, 30);
        // 30 simulated seconds at 10x are 3 real seconds.
        assert_eq!(rate.admit(&clock).reset_seconds, 3);
    }
}
