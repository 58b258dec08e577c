//! The best possible schedule of a create-and-wait batch under a fixed rate window.
//!
//! The model: a fixed window admits `limit` requests and the next window opens
//! `window` seconds after the previous one (the earliest it can open when the
//! client keeps sending). A batch needs one create per task and at least one
//! poll per task at or after the task's end. Creates go out as early as the
//! window allows, because a later create only ends later. Each detecting poll
//! then takes the earliest instant, at or after its task's end, in a window
//! with budget left. The batch ends with its last detecting poll, so no client,
//! however well informed, finishes sooner.

use serde::Serialize;

/// Requests of one window in the best possible schedule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WindowUse {
    /// When the window opens, in seconds from the first request.
    pub opens_at: f64,
    /// Creates sent in the window.
    pub creates: usize,
    /// Detecting polls sent in the window.
    pub polls: usize,
    /// Instant of the last request of the window, in seconds from the first request.
    pub last_request_at: f64,
}

/// The best possible schedule of a batch.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BestSchedule {
    /// Tasks in the batch.
    pub tasks: usize,
    /// Duration of every task, in seconds.
    pub task_seconds: f64,
    /// Requests per window.
    pub limit: u32,
    /// Window length, in seconds.
    pub window_seconds: f64,
    /// Instant of the last detecting poll: the shortest possible wall time.
    pub wall_seconds: f64,
    /// Requests per window.
    pub windows: Vec<WindowUse>,
}

impl BestSchedule {
    /// Computes the schedule; `limit` and `window_seconds` must be positive.
    pub fn compute(tasks: usize, task_seconds: f64, limit: u32, window_seconds: f64) -> Self {
        let limit = limit.max(1) as usize;
        let mut windows: Vec<WindowUse> = Vec::new();
        let window_at = |windows: &mut Vec<WindowUse>, index: usize| {
            while windows.len() <= index {
                let opens_at = windows.len() as f64 * window_seconds;
                windows.push(WindowUse {
                    opens_at,
                    creates: 0,
                    polls: 0,
                    last_request_at: opens_at,
                });
            }
        };

        // Creates fill each window from its opening instant.
        let mut ends = Vec::with_capacity(tasks);
        for task in 0..tasks {
            let index = task / limit;
            window_at(&mut windows, index);
            windows[index].creates += 1;
            ends.push(windows[index].opens_at + task_seconds);
        }
        ends.sort_by(f64::total_cmp);

        // Each detecting poll takes the first window that is still open at the
        // task's end (or opens later) and has budget left.
        let mut wall_seconds: f64 = 0.0;
        for end in ends {
            let mut index = (end / window_seconds).floor() as usize;
            loop {
                window_at(&mut windows, index);
                let window = &mut windows[index];
                if window.creates + window.polls < limit {
                    let at = end.max(window.opens_at);
                    window.polls += 1;
                    window.last_request_at = window.last_request_at.max(at);
                    wall_seconds = wall_seconds.max(at);
                    break;
                }
                index += 1;
            }
        }

        BestSchedule {
            tasks,
            task_seconds,
            limit: limit as u32,
            window_seconds,
            wall_seconds,
            windows,
        }
    }

    /// Describes the schedule window by window, for the report.
    pub fn describe(&self) -> String {
        let mut lines = vec![format!(
            "{} creates + {} detecting polls = {} requests; {} per {} s window; tasks end {} s after creation.",
            self.tasks,
            self.tasks,
            2 * self.tasks,
            self.limit,
            self.window_seconds,
            self.task_seconds
        )];
        for (index, window) in self.windows.iter().enumerate() {
            lines.push(format!(
                "window {index} opens at {:.1} s: {} creates, {} polls, last request at {:.1} s",
                window.opens_at, window.creates, window.polls, window.last_request_at
            ));
        }
        lines.push(format!(
            "best possible wall time: {:.1} s (the last detecting poll)",
            self.wall_seconds
        ));
        lines.join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forty_tasks_in_sixty_per_thirty() {
        let schedule = BestSchedule::compute(40, 20.0, 60, 30.0);
        assert_eq!(schedule.wall_seconds, 30.0);
        assert_eq!(schedule.windows.len(), 2);
        assert_eq!(schedule.windows[0].creates, 40);
        assert_eq!(schedule.windows[0].polls, 20);
        assert_eq!(schedule.windows[1].polls, 20);
    }

    #[test]
    fn batch_that_fits_one_window() {
        let schedule = BestSchedule::compute(10, 20.0, 60, 30.0);
        assert_eq!(schedule.wall_seconds, 20.0);
        assert_eq!(schedule.windows.len(), 1);
    }

    #[test]
    fn creates_spill_into_later_windows() {
        let schedule = BestSchedule::compute(100, 20.0, 60, 30.0);
        // 60 creates go at 0 s and 40 at 30 s. No poll fits window 0 and 20 fit
        // window 1 (at 30 s). Window 2 (60 s) takes 60 polls and window 3 the last 20.
        assert_eq!(schedule.windows[0].creates, 60);
        assert_eq!(schedule.windows[1].creates, 40);
        assert_eq!(schedule.windows[1].polls, 20);
        assert_eq!(schedule.windows[2].polls, 60);
        assert_eq!(schedule.windows[3].polls, 20);
        assert_eq!(schedule.wall_seconds, 90.0);
    }
}
