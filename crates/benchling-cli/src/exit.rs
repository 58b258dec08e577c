//! Exit codes of the `benchling` command, and how errors map to them.

use benchling_sdk::Error;

/// The exit codes, documented in `benchling --help` and `docs/cli.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// 0: every task succeeded and every record was created (or, with `--no-wait`, every task started).
    Success,
    /// 1: a task failed, a record was not created, or another error occurred.
    Failed,
    /// 2: invalid arguments or configuration (clap uses 2 for usage errors too).
    Usage,
    /// 3: the wait for a task timed out.
    TimedOut,
    /// 4: a task was not found: a wrong id, or its data expired 30 minutes after it ended.
    NotFound,
    /// 5: authentication failed (HTTP 401 or 403, or the OAuth2 token request was refused).
    Auth,
    /// 6: the tenant could not be reached (connection refused, DNS, TLS or timeout).
    Network,
    /// 130: interrupted with Ctrl-C.
    Interrupted,
}

/// Expands to the exit-code table printed at the end of `--help`, as a literal
/// so that help texts can append it with `concat!`.
#[macro_export]
macro_rules! exit_codes_help {
    () => {
        "\
Exit codes:
  0    every task succeeded (import: every record was created, or with --no-wait,
       every task was started)
  1    a task failed, a record was not created, or another error occurred
  2    invalid arguments or configuration
  3    waiting for a task timed out
  4    a task was not found (wrong id, or its data expired 30 minutes after it ended)
  5    authentication failed (HTTP 401 or 403, or the OAuth2 token request was refused)
  6    network error: the tenant could not be reached
  130  interrupted with Ctrl-C
When several tasks end differently, the code of the most serious outcome is used,
in this order: 130, 5, 6, 4, 3, 1, 0."
    };
}

/// The exit-code table printed at the end of `--help`.
pub const EXIT_CODES_HELP: &str = exit_codes_help!();

impl Status {
    /// Returns the process exit code.
    pub fn code(self) -> u8 {
        match self {
            Status::Success => 0,
            Status::Failed => 1,
            Status::Usage => 2,
            Status::TimedOut => 3,
            Status::NotFound => 4,
            Status::Auth => 5,
            Status::Network => 6,
            Status::Interrupted => 130,
        }
    }

    /// Ranks outcomes for [`Status::worst`]; higher is more serious.
    fn severity(self) -> u8 {
        match self {
            Status::Success => 0,
            Status::Failed => 1,
            Status::TimedOut => 2,
            Status::NotFound => 3,
            Status::Network => 4,
            Status::Auth => 5,
            Status::Usage => 6,
            Status::Interrupted => 7,
        }
    }

    /// Returns the more serious of two outcomes.
    pub fn worst(self, other: Status) -> Status {
        if other.severity() > self.severity() {
            other
        } else {
            self
        }
    }

    /// Returns the status for an SDK error.
    pub fn of_error(error: &Error) -> Status {
        match error {
            Error::Api(api) if matches!(api.status.as_u16(), 401 | 403) => Status::Auth,
            Error::Token { status: 0, .. } => Status::Network,
            Error::Token { .. } => Status::Auth,
            Error::Transport { .. } => Status::Network,
            Error::TaskNotFound { .. } => Status::NotFound,
            Error::WaitTimedOut { .. } => Status::TimedOut,
            Error::InvalidInput { .. } => Status::Usage,
            _ => Status::Failed,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use benchling_sdk::{AsyncTask, AsyncTaskStatus};

    use super::*;

    #[test]
    fn worst_follows_documented_order() {
        let order = [
            Status::Success,
            Status::Failed,
            Status::TimedOut,
            Status::NotFound,
            Status::Network,
            Status::Auth,
            Status::Interrupted,
        ];
        for (index, lower) in order.iter().enumerate() {
            for higher in &order[index..] {
                assert_eq!(lower.worst(*higher), *higher, "{lower:?} vs {higher:?}");
                assert_eq!(higher.worst(*lower), *higher, "{higher:?} vs {lower:?}");
            }
        }
    }

    #[test]
    fn sdk_errors_map_to_codes() {
        let timed_out = Error::WaitTimedOut {
            task_id: "t".into(),
            waited: Duration::from_secs(1),
            attempts: 2,
            last: Box::new(AsyncTask::new(AsyncTaskStatus::Running)),
        };
        assert_eq!(Status::of_error(&timed_out).code(), 3);

        let not_found = Error::TaskNotFound {
            task_id: "t".into(),
        };
        assert_eq!(Status::of_error(&not_found).code(), 4);

        let token = Error::Token {
            url: "u".into(),
            status: 401,
            message: "m".into(),
        };
        assert_eq!(Status::of_error(&token).code(), 5);

        let unreachable_token = Error::Token {
            url: "u".into(),
            status: 0,
            message: "m".into(),
        };
        assert_eq!(Status::of_error(&unreachable_token).code(), 6);
    }

    #[test]
    fn help_lists_every_code() {
        for status in [
            Status::Success,
            Status::Failed,
            Status::Usage,
            Status::TimedOut,
            Status::NotFound,
            Status::Auth,
            Status::Network,
            Status::Interrupted,
        ] {
            let line = format!("\n  {:<4} ", status.code());
            assert!(EXIT_CODES_HELP.contains(&line), "{status:?} missing");
        }
    }
}
