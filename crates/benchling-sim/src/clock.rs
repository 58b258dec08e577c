//! The simulator's clock: simulated time runs `time_scale` times faster than real time.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

/// Simulated time since the simulator started.
///
/// Every duration the simulator is configured with (task latency, token
/// lifetime, rate window, task retention) is measured on this clock.
#[derive(Debug)]
pub(crate) struct SimClock {
    started: Instant,
    started_wall: SystemTime,
    scale: f64,
    /// Simulated nanoseconds added by [`SimClock::advance`].
    advanced_nanos: AtomicU64,
}

impl SimClock {
    /// Starts a clock that runs `scale` times faster than real time; `scale` must be finite and positive.
    pub(crate) fn start(scale: f64) -> Self {
        Self {
            started: Instant::now(),
            started_wall: SystemTime::now(),
            scale,
            advanced_nanos: AtomicU64::new(0),
        }
    }

    /// Returns the simulated time elapsed since the start.
    pub(crate) fn now(&self) -> Duration {
        let advanced = Duration::from_nanos(self.advanced_nanos.load(Ordering::Relaxed));
        self.started.elapsed().mul_f64(self.scale) + advanced
    }

    /// Moves simulated time forward without waiting.
    pub(crate) fn advance(&self, by: Duration) {
        let nanos = u64::try_from(by.as_nanos()).unwrap_or(u64::MAX);
        self.advanced_nanos.fetch_add(nanos, Ordering::Relaxed);
    }

    /// Converts a simulated duration into the real duration it takes.
    pub(crate) fn to_real(&self, simulated: Duration) -> Duration {
        simulated.div_f64(self.scale)
    }

    pub(crate) fn scale(&self) -> f64 {
        self.scale
    }

    /// Returns the wall-clock time of a simulated instant, for timestamps in responses.
    pub(crate) fn wall_time(&self, at: Duration) -> SystemTime {
        self.started_wall + at
    }
}

/// Formats a wall-clock time as RFC 3339 in UTC with milliseconds, as Benchling does
/// (`2021-07-13T13:16:44.315Z`).
pub(crate) fn format_rfc3339(time: SystemTime) -> String {
    let since_epoch = time
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default();
    let seconds = since_epoch.as_secs();
    let millis = since_epoch.subsec_millis();

    let days = i64::try_from(seconds / 86_400).unwrap_or(0);
    let second_of_day = seconds % 86_400;
    let (year, month, day) = civil_from_days(days);

    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        second_of_day / 3600,
        second_of_day % 3600 / 60,
        second_of_day % 60,
    )
}

/// Converts days since 1970-01-01 into a proleptic Gregorian (year, month, day),
/// using Howard Hinnant's `civil_from_days` algorithm.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_index + 2) / 5 + 1) as u32;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_formats_epoch() {
        assert_eq!(
            format_rfc3339(SystemTime::UNIX_EPOCH),
            "1970-01-01T00:00:00.000Z"
        );
    }

    #[test]
    fn rfc3339_formats_known_instant() {
        // 2021-07-13T13:16:44.315Z
        let time = SystemTime::UNIX_EPOCH + Duration::from_millis(1_626_182_204_315);
        assert_eq!(format_rfc3339(time), "2021-07-13T13:16:44.315Z");
    }

    #[test]
    fn rfc3339_formats_leap_day() {
        // 2024-02-29T23:59:59.999Z
        let time = SystemTime::UNIX_EPOCH + Duration::from_millis(1_709_251_199_999);
        assert_eq!(format_rfc3339(time), "2024-02-29T23:59:59.999Z");
    }

    #[test]
    fn clock_scales_real_durations() {
        let clock = SimClock::start(60.0);
        assert_eq!(
            clock.to_real(Duration::from_secs(60)),
            Duration::from_secs(1)
        );
    }

    #[test]
    fn clock_advance_moves_time_forward() {
        let clock = SimClock::start(1.0);
        clock.advance(Duration::from_secs(3600));
        assert!(clock.now() >= Duration::from_secs(3600));
    }
}
