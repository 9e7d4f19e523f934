//! CPU time of this process and, optionally, of the server, read from Linux `/proc`, so
//! that a run can report CPU microseconds per request on each side: on a machine where
//! client and server share the cores, that is the number that shows who costs what.

use std::time::Duration;

/// Kernel clock ticks per second in `/proc/*/stat` (`USER_HZ`, 100 on every Linux ABI
/// this benchmark runs on).
const TICKS_PER_SECOND: u64 = 100;

/// User plus system CPU time of every thread of `pid` so far (`None` off Linux or when the
/// process is gone).
pub fn process_cpu(pid: u32) -> Option<Duration> {
    read_stat(&format!("/proc/{pid}/stat"))
}

/// The same for this process.
pub fn own_cpu() -> Option<Duration> {
    read_stat("/proc/self/stat")
}

/// Busy CPU time of the whole machine so far, all cores summed (the `cpu` line of
/// `/proc/stat`: user, nice, system, irq, softirq and steal).
pub fn machine_busy() -> Option<Duration> {
    parse_proc_stat(&std::fs::read_to_string("/proc/stat").ok()?)
}

fn parse_proc_stat(text: &str) -> Option<Duration> {
    let line = text.lines().find(|l| l.starts_with("cpu "))?;
    let ticks: Vec<u64> = line.split_ascii_whitespace().skip(1).map(|f| f.parse().unwrap_or(0)).collect();
    let busy: u64 = [0, 1, 2, 5, 6, 7].iter().filter_map(|&i| ticks.get(i)).sum();
    Some(Duration::from_millis(busy * 1000 / TICKS_PER_SECOND))
}

fn read_stat(path: &str) -> Option<Duration> {
    parse_stat(&std::fs::read_to_string(path).ok()?)
}

/// Fields 14 and 15 (`utime`, `stime`) of a `stat` line. The command name (field 2) may
/// hold spaces and parentheses, so counting starts after its closing parenthesis.
fn parse_stat(line: &str) -> Option<Duration> {
    let after_name = &line[line.rfind(')')? + 1..];
    let mut fields = after_name.split_ascii_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(Duration::from_millis((utime + stime) * 1000 / TICKS_PER_SECOND))
}

/// CPU time spent between two readings, when both exist.
pub fn spent(before: Option<Duration>, after: Option<Duration>) -> Option<Duration> {
    Some(after?.saturating_sub(before?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utime_and_stime_are_summed() {
        let line = "1234 (tokio (rt) x) S 1 2 3 4 5 6 7 8 9 10 250 50 0 0 20 0 11 0 100 0 0";
        assert_eq!(parse_stat(line), Some(Duration::from_secs(3)));
        assert_eq!(parse_stat("garbage"), None);
    }

    #[test]
    fn machine_busy_time_skips_idle_and_iowait() {
        let text = "cpu  100 10 50 9000 400 5 5 30 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\n";
        assert_eq!(parse_proc_stat(text), Some(Duration::from_millis(2000)));
    }

    #[test]
    fn this_process_has_a_reading_on_linux() {
        if cfg!(target_os = "linux") {
            assert!(own_cpu().is_some());
        }
    }
}
