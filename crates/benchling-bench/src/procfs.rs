//! Memory and CPU figures of this process, read from Linux's `/proc/self`.

use std::time::Duration;

/// Clock ticks per second of the `utime` and `stime` fields of `/proc/self/stat`.
///
/// NOTE: this is `USER_HZ`, which Linux fixes at 100 on x86, x86-64 and ARM; the
/// runner does not call `sysconf(_SC_CLK_TCK)` because it links no libc bindings.
const TICKS_PER_SECOND: f64 = 100.0;

/// Resident set size figures, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Memory {
    /// Current resident set size (`VmRSS`).
    pub rss: u64,
    /// Peak resident set size since the process started (`VmHWM`).
    pub high_water_mark: u64,
}

/// Reads `VmRSS` and `VmHWM` from `/proc/self/status`; `None` off Linux.
pub fn memory() -> Option<Memory> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.trim().strip_suffix("kB"))
            .and_then(|kilobytes| kilobytes.trim().parse::<u64>().ok())
            .map(|kilobytes| kilobytes * 1024)
    };
    Some(Memory {
        rss: field("VmRSS:")?,
        high_water_mark: field("VmHWM:")?,
    })
}

/// User plus system CPU time of every thread of this process, ended threads
/// included, as `getrusage(RUSAGE_SELF)` counts it, at 10 ms resolution.
pub fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name (field 2) is in parentheses and may contain spaces, so
    // fields are counted from the last closing parenthesis: field 3 comes next.
    let after_name = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // utime and stime are fields 14 and 15, that is indexes 11 and 12 here.
    let user: u64 = fields.get(11)?.parse().ok()?;
    let system: u64 = fields.get(12)?.parse().ok()?;
    Some(Duration::from_secs_f64(
        (user + system) as f64 / TICKS_PER_SECOND,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_own_memory_on_linux() {
        if cfg!(target_os = "linux") {
            let memory = memory().expect("/proc/self/status has VmRSS and VmHWM");
            assert!(memory.rss > 0);
            assert!(memory.high_water_mark >= memory.rss);
        }
    }

    #[test]
    fn reads_own_cpu_time_on_linux() {
        if cfg!(target_os = "linux") {
            assert!(cpu_time().is_some());
        }
    }
}
