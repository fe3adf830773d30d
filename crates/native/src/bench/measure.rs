//! What the benchmarks measure with, besides `std::time::Instant`: CPU time and
//! peak memory read from Linux's `/proc` (no libc). Medians and percentiles are
//! `annlab_core::stats`'.
//!
//! Thread CPU time: `/proc/thread-self/schedstat` holds the thread's run time in
//! nanoseconds, but the kernel brings it up to date only at scheduler ticks. Reading
//! `/proc/self/stat` first makes the kernel account the running thread's pending
//! time (`thread_group_cputime` calls `task_sched_runtime(current)`), so the pair
//! gives the run time to the nanosecond. The two reads cost a few microseconds of
//! CPU; [`ThreadCpu`] measures that cost when created and subtracts it.

use std::fs::File;
use std::marker::PhantomData;
use std::os::unix::fs::FileExt;

use annlab_core::stats::median;

/// The calling thread's CPU time, to the nanosecond (Linux only). Not `Send`: the
/// schedstat file belongs to the thread that opened it.
pub struct ThreadCpu {
    stat: File,
    schedstat: File,
    /// CPU time of one reading, subtracted from every interval.
    overhead_ns: f64,
    _not_send: PhantomData<*const ()>,
}

impl ThreadCpu {
    /// Opens the files and calibrates; `None` where `/proc` does not have them.
    pub fn new() -> Option<Self> {
        let mut cpu = Self {
            stat: File::open("/proc/self/stat").ok()?,
            schedstat: File::open("/proc/thread-self/schedstat").ok()?,
            overhead_ns: 0.0,
            _not_send: PhantomData,
        };
        cpu.raw_ns()?;
        let mut empty = Vec::with_capacity(31);
        for _ in 0..31 {
            let a = cpu.raw_ns()?;
            let b = cpu.raw_ns()?;
            empty.push(b.saturating_sub(a) as f64);
        }
        cpu.overhead_ns = median(&empty);
        Some(cpu)
    }

    fn raw_ns(&self) -> Option<u64> {
        let mut buf = [0u8; 512];
        // Only for its side effect: bring this thread's run time up to date.
        self.stat.read_at(&mut buf, 0).ok()?;
        let n = self.schedstat.read_at(&mut buf, 0).ok()?;
        std::str::from_utf8(&buf[..n])
            .ok()?
            .split_whitespace()
            .next()?
            .parse()
            .ok()
    }

    /// A reading, for [`ThreadCpu::ms_since`].
    pub fn now(&self) -> u64 {
        self.raw_ns().unwrap_or(0)
    }

    /// CPU milliseconds between `start` (a reading) and now, less one reading's cost.
    /// Returns the reading taken, so that it can start the next interval.
    pub fn ms_since(&self, start: u64) -> (f64, u64) {
        let now = self.now();
        let ns = (now.saturating_sub(start) as f64 - self.overhead_ns).max(0.0);
        (ns * 1e-6, now)
    }
}

/// The process's CPU time (user + system, every thread) in seconds, from
/// `/proc/self/stat` (clock ticks of 10 ms: fine for builds, not for queries).
pub fn process_cpu_s() -> Option<f64> {
    /// Linux's `USER_HZ`, the unit of `/proc` times on every architecture.
    const USER_HZ: f64 = 100.0;
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may hold spaces), from field 3 (state).
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / USER_HZ)
}

/// Peak resident memory growth over some work: resets the kernel's high-water mark
/// when created, reads it back in [`PeakRss::delta_mb`].
pub struct PeakRss {
    rss0_kb: Option<f64>,
}

impl PeakRss {
    pub fn start() -> Self {
        // Writing 5 to clear_refs resets VmHWM to the current RSS.
        let _ = std::fs::write("/proc/self/clear_refs", "5");
        Self {
            rss0_kb: status_kb("VmRSS:"),
        }
    }

    /// MiB of peak RSS above the RSS at the start; `None` without `/proc`.
    pub fn delta_mb(&self) -> Option<f64> {
        Some((status_kb("VmHWM:")? - self.rss0_kb?).max(0.0) / 1024.0)
    }
}

fn status_kb(key: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find_map(|l| l.strip_prefix(key))?;
    line.trim().trim_end_matches("kB").trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_clocks_advance_with_work() {
        let Some(cpu) = ThreadCpu::new() else { return };
        let start = cpu.now();
        let mut x = 0u64;
        for i in 0..2_000_000u64 {
            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(i));
        }
        let (ms, _) = cpu.ms_since(start);
        assert!(ms > 0.0, "{ms}");
        assert!(process_cpu_s().is_some_and(|s| s >= 0.0));
    }
}
