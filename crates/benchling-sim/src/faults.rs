//! Fault injection: responses that a real tenant or the proxies in front of it
//! give now and then, injected at a seeded rate or on a schedule.

use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

/// The effect of an injected fault on a request.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Fault {
    /// 429 with Benchling's rate-limit body. The request still counts against the window.
    TooManyRequests,
    /// 500 with Benchling's error body.
    InternalServerError,
    /// 502 with an HTML body, as a proxy sends it.
    BadGateway,
    /// 503 with Benchling's error body.
    ServiceUnavailable,
    /// 504 with an HTML body, as a proxy sends it.
    GatewayTimeout,
    /// The request is handled normally after this extra delay (simulated time).
    Slow(Duration),
    /// The connection is closed without a response.
    DropConnection,
    /// The normal response with its JSON body cut in half.
    TruncatedJson,
    /// The normal status with a body that is not valid JSON.
    MalformedJson,
}

/// When a fault rule fires.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum FaultTrigger {
    /// On each request in scope with this probability (0.0 to 1.0), drawn from the seeded random numbers.
    Probability(f64),
    /// On the requests in scope with these ordinals, counting from 1.
    Requests(Vec<u64>),
    /// On every n-th request in scope.
    Every(u64),
}

/// The requests a fault rule applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FaultScope {
    /// Every request under `/api/v2`.
    AllRoutes,
    /// Only `GET /api/v2/tasks/{task_id}`.
    TaskPolls,
}

/// One injected fault: what happens, when, and to which requests.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultRule {
    /// What happens.
    pub fault: Fault,
    /// When it happens.
    pub trigger: FaultTrigger,
    /// The requests that are counted and may be hit.
    pub scope: FaultScope,
}

impl FaultRule {
    /// Creates a rule that fires on each request in scope with probability `probability`.
    pub fn with_probability(fault: Fault, probability: f64, scope: FaultScope) -> Self {
        Self {
            fault,
            trigger: FaultTrigger::Probability(probability),
            scope,
        }
    }

    /// Creates a rule that fires on the listed requests in scope, counting from 1.
    pub fn on_requests(fault: Fault, ordinals: impl Into<Vec<u64>>, scope: FaultScope) -> Self {
        Self {
            fault,
            trigger: FaultTrigger::Requests(ordinals.into()),
            scope,
        }
    }
}

/// An invalid fault specification on the command line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid fault `{spec}`: {reason}; expected KIND:TRIGGER[:SCOPE], for example `503:p=0.1:polls` or `drop:n=3,7`")]
pub struct ParseFaultError {
    spec: String,
    reason: String,
}

impl FromStr for FaultRule {
    type Err = ParseFaultError;

    /// Parses `KIND:TRIGGER[:SCOPE]`.
    ///
    /// KIND is `429`, `500`, `502`, `503`, `504`, `slow=SECONDS`, `drop`, `truncate` or
    /// `malformed`; TRIGGER is `p=PROBABILITY`, `n=ORDINAL[,ORDINAL...]` or `every=N`;
    /// SCOPE is `all` (the default) or `polls`.
    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        let invalid = |reason: String| ParseFaultError {
            spec: spec.to_owned(),
            reason,
        };

        let mut parts = spec.split(':');
        let kind = parts.next().unwrap_or_default();
        let trigger = parts
            .next()
            .ok_or_else(|| invalid("the trigger is missing".to_owned()))?;
        let scope = parts.next().unwrap_or("all");
        if parts.next().is_some() {
            return Err(invalid("too many `:`-separated parts".to_owned()));
        }

        let fault = match kind {
            "429" => Fault::TooManyRequests,
            "500" => Fault::InternalServerError,
            "502" => Fault::BadGateway,
            "503" => Fault::ServiceUnavailable,
            "504" => Fault::GatewayTimeout,
            "drop" => Fault::DropConnection,
            "truncate" => Fault::TruncatedJson,
            "malformed" => Fault::MalformedJson,
            other => match other.strip_prefix("slow=") {
                Some(seconds) => {
                    let seconds: f64 = seconds
                        .parse()
                        .map_err(|_| invalid(format!("`{seconds}` is not a number of seconds")))?;
                    let delay = Duration::try_from_secs_f64(seconds)
                        .map_err(|_| invalid(format!("`{seconds}` is not a valid delay")))?;
                    Fault::Slow(delay)
                }
                None => return Err(invalid(format!("unknown fault kind `{other}`"))),
            },
        };

        let trigger = if let Some(probability) = trigger.strip_prefix("p=") {
            let probability: f64 = probability
                .parse()
                .map_err(|_| invalid(format!("`{probability}` is not a probability")))?;
            if !(0.0..=1.0).contains(&probability) {
                return Err(invalid(format!(
                    "probability {probability} is not between 0 and 1"
                )));
            }
            FaultTrigger::Probability(probability)
        } else if let Some(ordinals) = trigger.strip_prefix("n=") {
            let ordinals = ordinals
                .split(',')
                .map(|n| n.parse::<u64>().ok().filter(|&n| n > 0))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| {
                    invalid(format!(
                        "`{ordinals}` is not a list of request numbers from 1"
                    ))
                })?;
            FaultTrigger::Requests(ordinals)
        } else if let Some(every) = trigger.strip_prefix("every=") {
            let every = every
                .parse::<u64>()
                .ok()
                .filter(|&n| n > 0)
                .ok_or_else(|| invalid(format!("`{every}` is not a positive whole number")))?;
            FaultTrigger::Every(every)
        } else {
            return Err(invalid(format!("unknown trigger `{trigger}`")));
        };

        let scope = match scope {
            "all" => FaultScope::AllRoutes,
            "polls" => FaultScope::TaskPolls,
            other => return Err(invalid(format!("unknown scope `{other}`"))),
        };

        Ok(Self {
            fault,
            trigger,
            scope,
        })
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooManyRequests => f.write_str("429"),
            Self::InternalServerError => f.write_str("500"),
            Self::BadGateway => f.write_str("502"),
            Self::ServiceUnavailable => f.write_str("503"),
            Self::GatewayTimeout => f.write_str("504"),
            Self::Slow(delay) => write!(f, "slow={}", delay.as_secs_f64()),
            Self::DropConnection => f.write_str("drop"),
            Self::TruncatedJson => f.write_str("truncate"),
            Self::MalformedJson => f.write_str("malformed"),
        }
    }
}

/// Decides, request by request, which fault (if any) to inject.
#[derive(Debug)]
pub(crate) struct FaultInjector {
    rules: Vec<FaultRule>,
    all_routes: AtomicU64,
    task_polls: AtomicU64,
    rng: Mutex<SmallRng>,
}

impl FaultInjector {
    pub(crate) fn new(rules: Vec<FaultRule>, seed: u64) -> Self {
        Self {
            rules,
            all_routes: AtomicU64::new(0),
            task_polls: AtomicU64::new(0),
            // A separate stream from ids and latency, so adding a fault keeps the other values.
            rng: Mutex::new(SmallRng::seed_from_u64(seed ^ 0x5eed_fa17)),
        }
    }

    /// Counts one request and returns the fault to inject into it, if any.
    pub(crate) fn pick(&self, is_task_poll: bool) -> Option<Fault> {
        let all_ordinal = self.all_routes.fetch_add(1, Ordering::Relaxed) + 1;
        let poll_ordinal = if is_task_poll {
            self.task_polls.fetch_add(1, Ordering::Relaxed) + 1
        } else {
            0
        };
        if self.rules.is_empty() {
            return None;
        }

        // Every probability rule in scope draws a number, fired or not, so that the
        // outcome of a request depends only on the seed and its position.
        let mut rng = self
            .rng
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut chosen = None;
        for rule in &self.rules {
            let ordinal = match rule.scope {
                FaultScope::AllRoutes => all_ordinal,
                FaultScope::TaskPolls if is_task_poll => poll_ordinal,
                FaultScope::TaskPolls => continue,
            };
            let fires = match &rule.trigger {
                FaultTrigger::Probability(probability) => {
                    rng.random_bool(probability.clamp(0.0, 1.0))
                }
                FaultTrigger::Requests(ordinals) => ordinals.contains(&ordinal),
                FaultTrigger::Every(every) => ordinal % every.max(&1) == 0,
            };
            if fires && chosen.is_none() {
                chosen = Some(rule.fault.clone());
            }
        }
        chosen
    }

    pub(crate) fn reset(&self) {
        self.all_routes.store(0, Ordering::Relaxed);
        self.task_polls.store(0, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_status_with_probability_and_scope() {
        let rule: FaultRule = "503:p=0.25:polls".parse().unwrap();
        assert_eq!(rule.fault, Fault::ServiceUnavailable);
        assert_eq!(rule.trigger, FaultTrigger::Probability(0.25));
        assert_eq!(rule.scope, FaultScope::TaskPolls);
    }

    #[test]
    fn parse_slow_with_schedule() {
        let rule: FaultRule = "slow=1.5:n=2,4".parse().unwrap();
        assert_eq!(rule.fault, Fault::Slow(Duration::from_millis(1500)));
        assert_eq!(rule.trigger, FaultTrigger::Requests(vec![2, 4]));
        assert_eq!(rule.scope, FaultScope::AllRoutes);
    }

    #[test]
    fn parse_rejects_bad_specs() {
        for spec in [
            "418:p=0.1",
            "503",
            "503:p=2",
            "503:n=0",
            "503:every=x",
            "503:p=0.1:sometimes",
        ] {
            assert!(
                spec.parse::<FaultRule>().is_err(),
                "{spec} should be rejected"
            );
        }
    }

    #[test]
    fn schedule_fires_on_listed_ordinals_only() {
        let injector = FaultInjector::new(
            vec![FaultRule::on_requests(
                Fault::DropConnection,
                [2, 3],
                FaultScope::AllRoutes,
            )],
            7,
        );
        let fired: Vec<bool> = (0..4).map(|_| injector.pick(false).is_some()).collect();
        assert_eq!(fired, [false, true, true, false]);
    }

    #[test]
    fn poll_scope_ignores_other_routes() {
        let injector = FaultInjector::new(
            vec![FaultRule::on_requests(
                Fault::GatewayTimeout,
                [1],
                FaultScope::TaskPolls,
            )],
            7,
        );
        assert_eq!(injector.pick(false), None);
        assert_eq!(injector.pick(true), Some(Fault::GatewayTimeout));
        assert_eq!(injector.pick(true), None);
    }

    #[test]
    fn probability_is_deterministic_per_seed() {
        let rule =
            FaultRule::with_probability(Fault::InternalServerError, 0.5, FaultScope::AllRoutes);
        let run = |seed| {
            let injector = FaultInjector::new(vec![rule.clone()], seed);
            (0..64)
                .map(|_| injector.pick(false).is_some())
                .collect::<Vec<_>>()
        };
        assert_eq!(run(1), run(1));
        assert!(run(1).contains(&true));
        assert!(run(1).contains(&false));
    }
}
