//! Progress bars (indicatif) for the engine's long work, and the wall clock the
//! engine is given.

use std::time::Instant;

use annlab_core::clock::Clock;
use annlab_core::index::Progress;
use indicatif::{ProgressBar, ProgressStyle};

/// A monotonic clock from process start, with its resolution measured once.
pub struct WallClock {
    start: Instant,
    resolution_ms: f64,
}

impl WallClock {
    pub fn new() -> Self {
        let start = Instant::now();
        let resolution_ms =
            annlab_core::clock::measure_resolution(|| start.elapsed().as_secs_f64() * 1e3);
        Self {
            start,
            resolution_ms,
        }
    }
}

impl Clock for WallClock {
    fn now_ms(&self) -> f64 {
        self.start.elapsed().as_secs_f64() * 1e3
    }

    fn resolution_ms(&self) -> f64 {
        self.resolution_ms
    }
}

/// One bar that follows whatever long work reports: it restarts when the total
/// changes (insert, then the index build, then k-means…). Hidden with `--quiet`.
pub struct Bar {
    bar: Option<ProgressBar>,
    total: usize,
    /// Threads the engine's work may use (see [`Progress::threads`]).
    threads: usize,
}

/// The threads this machine offers.
pub fn machine_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

impl Bar {
    pub fn new(quiet: bool) -> Self {
        Self {
            bar: (!quiet).then(|| {
                let b = ProgressBar::new(0);
                b.set_style(
                    ProgressStyle::with_template(
                        "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} {msg}",
                    )
                    .expect("valid template"),
                );
                b
            }),
            total: 0,
            threads: 1,
        }
    }

    /// Lets index builds use `threads` threads (one by default).
    pub fn with_threads(mut self, threads: usize) -> Self {
        self.threads = threads.max(1);
        self
    }

    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

impl Progress for Bar {
    fn report(&mut self, done: usize, total: usize) {
        if let Some(b) = &self.bar {
            if total != self.total {
                self.total = total;
                b.reset();
                b.set_length(total as u64);
            }
            b.set_position(done as u64);
        }
    }

    fn threads(&self) -> usize {
        self.threads
    }
}
