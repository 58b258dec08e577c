//! Poll policies: how long a wait sleeps between two polls of a task.
//!
//! # Defaults
//! [`WaitOptions::default()`] polls every second for at most 600 seconds, the
//! defaults of Benchling's Python SDK (`interval_wait_seconds=1`,
//! `max_wait_seconds=600`), so a ported script behaves the same.
//!
//! [`ExponentialBackoff`] and [`AdaptivePoll`] spend fewer requests of the
//! tenant's shared rate budget on long tasks.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// State of a wait, passed to a poll policy to pick the next delay.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct PollState {
    /// Number of polls sent so far in this wait (at least 1).
    pub attempt: u32,
    /// Time since the wait started.
    pub elapsed: Duration,
    /// Time since the task was created, when known; otherwise the same as `elapsed`.
    pub task_age: Duration,
    /// A uniform sample in `[0, 1)` for jitter, drawn by the wait from its random source.
    pub jitter: f64,
}

/// Picks the delay before the next poll of a task that has not ended.
pub trait PollPolicy: Send + Sync + fmt::Debug {
    /// Returns the delay before the next poll.
    fn next_delay(&self, state: &PollState) -> Duration;
}

/// Polls at a fixed interval, like the Python SDK.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedInterval {
    /// Delay between two polls.
    pub interval: Duration,
}

impl FixedInterval {
    /// Creates a fixed-interval policy.
    pub fn new(interval: Duration) -> Self {
        FixedInterval { interval }
    }
}

impl PollPolicy for FixedInterval {
    fn next_delay(&self, _state: &PollState) -> Duration {
        self.interval
    }
}

/// Exponential backoff with jitter and a cap.
///
/// The `n`-th delay (`n` from 0) is `initial * multiplier^n`, capped at `max_delay`,
/// then scaled by a random factor in `[1 - jitter, 1]`.
///
/// # Defaults
/// `initial` 1 s, `multiplier` 2.0, `max_delay` 10 s (Benchling suggests polling a
/// task about every 10 seconds), `jitter` 0.2.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExponentialBackoff {
    /// First delay.
    pub initial: Duration,
    /// Growth factor between two delays; values below 1.0 are treated as 1.0.
    pub multiplier: f64,
    /// Largest delay.
    pub max_delay: Duration,
    /// Fraction of each delay that is random, from 0.0 (none) to 1.0.
    pub jitter: f64,
}

impl Default for ExponentialBackoff {
    fn default() -> Self {
        ExponentialBackoff {
            initial: Duration::from_secs(1),
            multiplier: 2.0,
            max_delay: Duration::from_secs(10),
            jitter: 0.2,
        }
    }
}

impl PollPolicy for ExponentialBackoff {
    fn next_delay(&self, state: &PollState) -> Duration {
        let exponent = state.attempt.saturating_sub(1).min(64) as i32;
        let base = self.initial.as_secs_f64() * self.multiplier.max(1.0).powi(exponent);
        let capped = base.min(self.max_delay.as_secs_f64());
        apply_jitter(capped, self.jitter, state.jitter)
    }
}

/// Polls in proportion to the task's age, so detection lag stays a fixed
/// fraction of how long the task has run.
///
/// The delay is `task_age * fraction`, at least `min_delay` and at most `max_delay`,
/// then scaled by a random factor in `[1 - jitter, 1]`. With the defaults a task
/// is polled every second for its first 10 s (as with the Python SDK's
/// interval), then every 10% of its age, then every 10 s from an age of 100 s.
/// So it never sends more polls than a 1-second interval, and the count grows
/// with the logarithm of the duration until the cap: 19 polls for a 20 s task,
/// 30 for 60 s and 86 for 600 s, against 21, 61 and 601 with a 1-second interval
/// (counting the first poll and the one that detects the end, without jitter or
/// request time). A task is seen as ended at most
/// `max(min_delay, fraction * age)` after it ends, capped at `max_delay`.
///
/// # Defaults
/// `fraction` 0.1, `min_delay` 1 s, `max_delay` 10 s (Benchling suggests polling
/// a task about every 10 seconds), `jitter` 0.2.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdaptivePoll {
    /// Delay as a fraction of the task's age.
    pub fraction: f64,
    /// Smallest delay.
    pub min_delay: Duration,
    /// Largest delay.
    pub max_delay: Duration,
    /// Fraction of each delay that is random, from 0.0 (none) to 1.0.
    pub jitter: f64,
}

impl Default for AdaptivePoll {
    fn default() -> Self {
        AdaptivePoll {
            fraction: 0.1,
            min_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(10),
            jitter: 0.2,
        }
    }
}

impl PollPolicy for AdaptivePoll {
    fn next_delay(&self, state: &PollState) -> Duration {
        let proportional = state.task_age.as_secs_f64() * self.fraction.max(0.0);
        let bounded = proportional
            .max(self.min_delay.as_secs_f64())
            .min(self.max_delay.as_secs_f64());
        apply_jitter(bounded, self.jitter, state.jitter)
    }
}

/// Scales `seconds` by a factor in `[1 - jitter, 1]` chosen by `sample` in `[0, 1)`.
fn apply_jitter(seconds: f64, jitter: f64, sample: f64) -> Duration {
    let jitter = jitter.clamp(0.0, 1.0);
    let factor = 1.0 - jitter * sample.clamp(0.0, 1.0);
    Duration::from_secs_f64((seconds * factor).max(0.0))
}

/// Options of a wait: the poll policy and the maximum wait.
///
/// # Defaults
/// A poll every second ([`FixedInterval`]) for at most 600 seconds, as in the
/// Python SDK. The maximum wait is one wall-clock budget from the first poll:
/// it counts request time and retries, and the last sleep is shortened so the
/// final poll happens at the deadline.
///
/// ```
/// use std::time::Duration;
/// use benchling_sdk::tasks::{AdaptivePoll, WaitOptions};
///
/// let python_like = WaitOptions::new()
///     .interval(Duration::from_secs(2))
///     .max_wait(Duration::from_secs(60));
/// assert_eq!(python_like.max_wait_duration(), Duration::from_secs(60));
///
/// let adaptive = WaitOptions::new().policy(AdaptivePoll::default());
/// assert_eq!(adaptive.max_wait_duration(), Duration::from_secs(600));
/// ```
#[derive(Debug, Clone)]
pub struct WaitOptions {
    pub(crate) policy: Arc<dyn PollPolicy>,
    pub(crate) max_wait: Duration,
    pub(crate) seed: Option<u64>,
}

impl Default for WaitOptions {
    fn default() -> Self {
        WaitOptions {
            policy: Arc::new(FixedInterval::new(Duration::from_secs(1))),
            max_wait: Duration::from_secs(600),
            seed: None,
        }
    }
}

impl WaitOptions {
    /// Default options: a poll every second for at most 600 seconds.
    pub fn new() -> Self {
        Self::default()
    }

    /// Options with the Python SDK's parameters, in whole seconds.
    pub fn python(interval_wait_seconds: u64, max_wait_seconds: u64) -> Self {
        Self::new()
            .interval(Duration::from_secs(interval_wait_seconds))
            .max_wait(Duration::from_secs(max_wait_seconds))
    }

    /// Polls at a fixed interval.
    pub fn interval(self, interval: Duration) -> Self {
        self.policy(FixedInterval::new(interval))
    }

    /// Uses a poll policy.
    pub fn policy(mut self, policy: impl PollPolicy + 'static) -> Self {
        self.policy = Arc::new(policy);
        self
    }

    /// Uses a shared poll policy.
    pub fn shared_policy(mut self, policy: Arc<dyn PollPolicy>) -> Self {
        self.policy = policy;
        self
    }

    /// Sets the maximum wait, counted from the first poll.
    pub fn max_wait(mut self, max_wait: Duration) -> Self {
        self.max_wait = max_wait;
        self
    }

    /// Seeds the random source of the jitter, for reproducible tests.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Returns the maximum wait.
    pub fn max_wait_duration(&self) -> Duration {
        self.max_wait
    }

    /// Returns the poll policy.
    pub fn poll_policy(&self) -> &Arc<dyn PollPolicy> {
        &self.policy
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(attempt: u32, task_age_secs: f64, jitter: f64) -> PollState {
        PollState {
            attempt,
            elapsed: Duration::from_secs_f64(task_age_secs),
            task_age: Duration::from_secs_f64(task_age_secs),
            jitter,
        }
    }

    #[test]
    fn fixed_interval_ignores_state() {
        let policy = FixedInterval::new(Duration::from_millis(1500));
        assert_eq!(
            policy.next_delay(&state(1, 0.0, 0.9)),
            Duration::from_millis(1500)
        );
        assert_eq!(
            policy.next_delay(&state(40, 99.0, 0.1)),
            Duration::from_millis(1500)
        );
    }

    #[test]
    fn backoff_doubles_then_caps() {
        let policy = ExponentialBackoff {
            jitter: 0.0,
            ..ExponentialBackoff::default()
        };
        let delays: Vec<u64> = (1..=6)
            .map(|attempt| policy.next_delay(&state(attempt, 0.0, 0.5)).as_secs())
            .collect();
        assert_eq!(delays, vec![1, 2, 4, 8, 10, 10]);
    }

    #[test]
    fn backoff_jitter_shortens_at_most_fraction() {
        let policy = ExponentialBackoff::default();
        assert_eq!(
            policy.next_delay(&state(1, 0.0, 0.0)),
            Duration::from_secs(1)
        );
        assert_eq!(
            policy.next_delay(&state(1, 0.0, 0.5)),
            Duration::from_millis(900)
        );
    }

    #[test]
    fn adaptive_grows_with_age() {
        let policy = AdaptivePoll {
            jitter: 0.0,
            ..AdaptivePoll::default()
        };
        assert_eq!(
            policy.next_delay(&state(1, 0.0, 0.0)),
            Duration::from_secs(1)
        );
        assert_eq!(
            policy.next_delay(&state(5, 20.0, 0.0)),
            Duration::from_secs(2)
        );
        assert_eq!(
            policy.next_delay(&state(9, 500.0, 0.0)),
            Duration::from_secs(10)
        );
    }

    /// Counts the polls until one at or after `duration`, without jitter or request time.
    fn polls_until(policy: &dyn PollPolicy, duration: f64) -> u32 {
        let (mut age, mut polls) = (0.0, 1);
        while age < duration {
            age += policy.next_delay(&state(polls, age, 0.0)).as_secs_f64();
            polls += 1;
        }
        polls
    }

    #[test]
    fn adaptive_never_polls_more_than_fixed() {
        let adaptive = AdaptivePoll::default();
        let fixed = FixedInterval::new(Duration::from_secs(1));
        for (duration, expected) in [(5.0, 6), (20.0, 19), (60.0, 30), (600.0, 86)] {
            let polls = polls_until(&adaptive, duration);
            assert_eq!(polls, expected, "{duration} s task");
            assert!(polls <= polls_until(&fixed, duration), "{duration} s task");
        }
    }

    #[test]
    fn python_options() {
        let options = WaitOptions::python(3, 45);
        assert_eq!(options.max_wait_duration(), Duration::from_secs(45));
        assert_eq!(
            options.policy.next_delay(&state(1, 0.0, 0.0)),
            Duration::from_secs(3)
        );
    }
}
