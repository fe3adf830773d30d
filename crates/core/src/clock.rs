//! Time comes from the caller: the engine never reads a clock itself. The CLI
//! passes a monotonic wall clock, the browser `performance.now()`, tests a fake.
//!
//! A clock also says how fine it is ([`Clock::resolution_ms`], measured by
//! [`measure_resolution`], never assumed): what takes less than about
//! [`RESOLUTION_FACTOR`] ticks is timed by repetition ([`timed_repeated`]), as
//! criterion and Python's `timeit` do, so that no figure is a clock tick.

use serde::{Deserialize, Serialize};

/// A monotonic clock in milliseconds.
pub trait Clock {
    fn now_ms(&self) -> f64;
    /// The smallest non-zero step between two readings, in ms, as measured
    /// ([`measure_resolution`]); 0 when the clock's steps are not known (nothing
    /// is then repeated).
    fn resolution_ms(&self) -> f64;
}

/// A clock that advances by a fixed step on every reading (for tests). Its
/// resolution is 0 (not known), so nothing timed with it is repeated.
#[derive(Debug, Default)]
pub struct StepClock {
    now: std::cell::Cell<f64>,
    step_ms: f64,
}

impl StepClock {
    pub fn new(step_ms: f64) -> Self {
        Self {
            now: std::cell::Cell::new(0.0),
            step_ms,
        }
    }
}

impl Clock for StepClock {
    fn now_ms(&self) -> f64 {
        let t = self.now.get();
        self.now.set(t + self.step_ms);
        t
    }

    fn resolution_ms(&self) -> f64 {
        0.0
    }
}

/// Measures `f` with `clock` once: (result, elapsed ms).
pub fn timed<T>(clock: &dyn Clock, f: impl FnOnce() -> T) -> (T, f64) {
    let start = clock.now_ms();
    let out = f();
    (out, clock.now_ms() - start)
}

/// The resolution of the clock `now` reads: the smallest non-zero difference
/// between successive readings, over up to 32 changes (at most about 50 ms of
/// reading, or 4 million readings). 0 when the clock never moved.
pub fn measure_resolution(now: impl Fn() -> f64) -> f64 {
    let start = now();
    let mut prev = start;
    let mut smallest = f64::INFINITY;
    let mut changes = 0;
    for _ in 0..4_000_000 {
        let t = now();
        if t > prev {
            smallest = smallest.min(t - prev);
            changes += 1;
            prev = t;
            if changes >= 32 || t - start > 50.0 {
                break;
            }
        }
    }
    if smallest.is_finite() { smallest } else { 0.0 }
}

/// A timing is repeated until the time measured is at least this many clock
/// ticks (so that rounding to the tick costs at most 1 %).
pub const RESOLUTION_FACTOR: f64 = 100.0;

/// At most this many repetitions of one timing.
pub const MAX_REPS: usize = 10_000;

/// How long one run of something took, and how that was measured.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Timing {
    /// Mean ms of one run.
    pub ms: f64,
    /// Runs timed together (the mean is their total / `reps`).
    pub reps: usize,
    /// Whether the total timed was at least [`RESOLUTION_FACTOR`] ticks of the
    /// clock (always, unless [`MAX_REPS`] runs were still too fast).
    pub resolved: bool,
}

/// A first run shorter than this many ticks is a warm-up (caches, the wasm
/// engine's tier-up from its baseline compiler): it is not the measurement.
pub const WARM_UP_FACTOR: f64 = 10.0 * RESOLUTION_FACTOR;

/// Measures `f` with `clock`. A first run of at least [`WARM_UP_FACTOR`] ticks is
/// the measurement; a shorter one only warms up, and `f` is then timed `R` times
/// in a row (total / `R`), `R` estimated from the runs so far (as `timeit`'s
/// autorange does) until the total is at least [`RESOLUTION_FACTOR`] ticks.
/// Returns the first run's result.
pub fn timed_repeated<T>(clock: &dyn Clock, mut f: impl FnMut() -> T) -> (T, Timing) {
    let target = RESOLUTION_FACTOR * clock.resolution_ms();
    let (out, first) = timed(clock, &mut f);
    if first >= WARM_UP_FACTOR * clock.resolution_ms() {
        let timing = Timing {
            ms: first,
            reps: 1,
            resolved: true,
        };
        return (out, timing);
    }
    let estimate = |reps: usize, total: f64| {
        if total > 0.0 {
            (reps as f64 * target / total * 1.2).ceil() as usize
        } else {
            reps * 10
        }
    };
    let mut reps = estimate(1, first).clamp(1, MAX_REPS);
    loop {
        let start = clock.now_ms();
        for _ in 0..reps {
            std::hint::black_box(f());
        }
        let total = clock.now_ms() - start;
        if total >= target || reps >= MAX_REPS {
            let timing = Timing {
                ms: total / reps as f64,
                reps,
                resolved: total >= target,
            };
            return (out, timing);
        }
        reps = estimate(reps, total).clamp(reps * 2, MAX_REPS);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    /// A clock whose time is moved by the work timed, read in ticks of `tick` ms.
    struct TickClock {
        now: Cell<f64>,
        tick: f64,
    }

    impl Clock for TickClock {
        fn now_ms(&self) -> f64 {
            (self.now.get() / self.tick).floor() * self.tick
        }
        fn resolution_ms(&self) -> f64 {
            self.tick
        }
    }

    #[test]
    fn what_is_below_the_resolution_is_repeated_until_it_is_measured() {
        let clock = TickClock {
            now: Cell::new(0.0),
            tick: 0.1,
        };
        // One run takes 0.003 ms: 1/33 of a tick.
        let (out, t) = timed_repeated(&clock, || {
            clock.now.set(clock.now.get() + 0.003);
            7
        });
        assert_eq!(out, 7);
        assert!(t.resolved);
        assert!(t.reps as f64 * 0.003 >= RESOLUTION_FACTOR * 0.1, "{t:?}");
        assert!((t.ms - 0.003).abs() < 0.003 * 0.02, "{t:?}");
    }

    #[test]
    fn what_is_above_it_is_timed_once() {
        let clock = TickClock {
            now: Cell::new(0.0),
            tick: 0.001,
        };
        let (_, t) = timed_repeated(&clock, || clock.now.set(clock.now.get() + 5.0));
        assert_eq!((t.reps, t.resolved), (1, true));
        assert!((t.ms - 5.0).abs() < 0.002);
        // A clock of unknown resolution never repeats.
        let (_, t) = timed_repeated(&StepClock::new(1.0), || ());
        assert_eq!((t.ms, t.reps), (1.0, 1));
    }

    #[test]
    fn a_short_first_run_only_warms_up() {
        let clock = TickClock {
            now: Cell::new(0.0),
            tick: 0.001,
        };
        let runs = Cell::new(0);
        let (_, t) = timed_repeated(&clock, || {
            // Cold: 0.5 ms (under 1000 ticks); warm: 0.02 ms.
            let ms = if runs.get() == 0 { 0.5 } else { 0.02 };
            runs.set(runs.get() + 1);
            clock.now.set(clock.now.get() + ms);
        });
        assert!(t.resolved && t.reps > 1, "{t:?}");
        assert!((t.ms - 0.02).abs() < 0.001, "{t:?}");
    }

    #[test]
    fn the_resolution_is_the_smallest_step_seen() {
        let clock = TickClock {
            now: Cell::new(0.0),
            tick: 0.1,
        };
        let read = || {
            clock.now.set(clock.now.get() + 0.013);
            clock.now_ms()
        };
        assert!((measure_resolution(read) - 0.1).abs() < 1e-9);
        assert_eq!(measure_resolution(|| 3.0), 0.0);
    }
}
