//! Time comes from the caller: the engine never reads a clock itself. The CLI
//! passes a monotonic wall clock, the browser `performance.now()`, tests a fake.

/// A monotonic clock in milliseconds.
pub trait Clock {
    fn now_ms(&self) -> f64;
}

/// A clock that advances by a fixed step on every reading (for tests).
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
}

/// Measures `f` with `clock`: (result, elapsed ms).
pub fn timed<T>(clock: &dyn Clock, f: impl FnOnce() -> T) -> (T, f64) {
    let start = clock.now_ms();
    let out = f();
    (out, clock.now_ms() - start)
}
