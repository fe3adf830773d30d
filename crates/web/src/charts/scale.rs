//! Scales from data to pixels (linear and log10) and "nice" tick values, as plain
//! functions the chart components call and the tests check.

/// How an axis maps values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Linear,
    /// Base 10; the domain must be positive.
    Log,
}

/// Maps `domain` onto `range` (pixels; `range.0` may be larger than `range.1`, as a
/// y axis is drawn upwards).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scale {
    pub kind: Kind,
    pub domain: (f64, f64),
    pub range: (f64, f64),
}

impl Scale {
    /// A scale over `values` padded to nice tick boundaries (log: whole decades).
    /// An empty or single-valued set gets a unit-wide domain around it.
    pub fn fit(kind: Kind, values: impl IntoIterator<Item = f64>, range: (f64, f64)) -> Self {
        let mut lo = f64::INFINITY;
        let mut hi = f64::NEG_INFINITY;
        for v in values {
            if v.is_finite() && (kind == Kind::Linear || v > 0.0) {
                lo = lo.min(v);
                hi = hi.max(v);
            }
        }
        let domain = match kind {
            Kind::Linear => {
                if !lo.is_finite() {
                    (0.0, 1.0)
                } else if lo == hi {
                    (lo - 0.5, hi + 0.5)
                } else {
                    let step = nice_step((hi - lo) / 5.0);
                    ((lo / step).floor() * step, (hi / step).ceil() * step)
                }
            }
            Kind::Log => {
                if !lo.is_finite() {
                    (1.0, 10.0)
                } else {
                    let a = lo.log10().floor();
                    let b = hi.log10().ceil().max(a + 1.0);
                    (10f64.powf(a), 10f64.powf(b))
                }
            }
        };
        Self {
            kind,
            domain,
            range,
        }
    }

    /// Same as [`Scale::fit`] but the linear domain starts at zero (bars, counts).
    pub fn fit_from_zero(values: impl IntoIterator<Item = f64>, range: (f64, f64)) -> Self {
        Self::fit(Kind::Linear, values.into_iter().chain([0.0]), range)
    }

    fn t(&self, v: f64) -> f64 {
        match self.kind {
            Kind::Linear => (v - self.domain.0) / (self.domain.1 - self.domain.0),
            Kind::Log => {
                (v.max(f64::MIN_POSITIVE).log10() - self.domain.0.log10())
                    / (self.domain.1.log10() - self.domain.0.log10())
            }
        }
    }

    /// The pixel position of `v`.
    pub fn map(&self, v: f64) -> f64 {
        self.range.0 + self.t(v) * (self.range.1 - self.range.0)
    }

    /// Tick values inside the domain: about five nice steps (linear) or every
    /// decade (log).
    pub fn ticks(&self) -> Vec<f64> {
        let (lo, hi) = self.domain;
        match self.kind {
            Kind::Linear => {
                let step = nice_step((hi - lo) / 5.0);
                let first = (lo / step).ceil() as i64;
                let last = (hi / step + 1e-9).floor() as i64;
                (first..=last).map(|i| i as f64 * step).collect()
            }
            Kind::Log => {
                let a = lo.log10().floor() as i32;
                let b = (hi.log10() + 1e-9).floor() as i32;
                // Two decades or fewer: 1, 2 and 5 of each, so values can be read.
                let mantissas: &[f64] = if b - a <= 2 { &[1.0, 2.0, 5.0] } else { &[1.0] };
                (a..=b)
                    .flat_map(|e| mantissas.iter().map(move |m| m * 10f64.powi(e)))
                    .filter(|v| *v >= lo * (1.0 - 1e-9) && *v <= hi * (1.0 + 1e-9))
                    .collect()
            }
        }
    }
}

/// The nice step (1, 2 or 5 × 10^k) nearest above `raw`.
pub fn nice_step(raw: f64) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let mag = 10f64.powf(raw.log10().floor());
    let f = raw / mag;
    let nice = if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * mag
}

/// A tick label: millions as `M`, thousands separated, no trailing zeros, at most
/// 3 decimals.
pub fn format_tick(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let a = v.abs();
    if a >= 1e6 {
        return format!("{}M", format_tick(v / 1e6));
    }
    if a >= 1000.0 {
        let s = format!("{:.0}", a);
        let mut out = String::new();
        for (i, c) in s.chars().enumerate() {
            if i > 0 && (s.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        return if v < 0.0 { format!("-{out}") } else { out };
    }
    let s = format!("{v:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn nice_steps_are_1_2_5() {
        assert_eq!(nice_step(0.13), 0.2);
        assert_eq!(nice_step(3.0), 5.0);
        assert_eq!(nice_step(7.0), 10.0);
        assert_eq!(nice_step(100.0), 100.0);
        assert_eq!(nice_step(0.0), 1.0);
    }

    #[test]
    fn linear_fit_pads_to_ticks_and_maps_ends() {
        let s = Scale::fit(Kind::Linear, [0.13, 0.97], (0.0, 100.0));
        assert_eq!(s.domain, (0.0, 1.0));
        assert_eq!(s.map(0.0), 0.0);
        assert_eq!(s.map(1.0), 100.0);
        assert_eq!(s.map(0.5), 50.0);
        assert_eq!(s.ticks(), [0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]);
    }

    #[test]
    fn y_axes_map_upwards() {
        let s = Scale::fit_from_zero([40.0], (200.0, 0.0));
        assert_eq!(s.domain.0, 0.0);
        assert_eq!(s.map(0.0), 200.0);
        assert_eq!(s.map(s.domain.1), 0.0);
    }

    #[test]
    fn log_fit_spans_whole_decades() {
        let s = Scale::fit(Kind::Log, [350.0, 12_000.0, -1.0, 0.0], (0.0, 300.0));
        assert_eq!(s.domain, (100.0, 100_000.0));
        assert_eq!(s.ticks(), [100.0, 1000.0, 10_000.0, 100_000.0]);
        let narrow = Scale::fit(Kind::Log, [3.0, 40.0], (0.0, 1.0));
        assert_eq!(narrow.ticks(), [1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0]);
        assert!((s.map(1000.0) - 100.0).abs() < 1e-9);
        assert!((s.map(10_000.0) - 200.0).abs() < 1e-9);
    }

    #[test]
    fn degenerate_data_gets_a_usable_domain() {
        assert_eq!(Scale::fit(Kind::Linear, [], (0.0, 1.0)).domain, (0.0, 1.0));
        assert_eq!(
            Scale::fit(Kind::Linear, [3.0], (0.0, 1.0)).domain,
            (2.5, 3.5)
        );
        assert_eq!(Scale::fit(Kind::Log, [5.0], (0.0, 1.0)).domain, (1.0, 10.0));
        assert_eq!(Scale::fit(Kind::Log, [], (0.0, 1.0)).domain, (1.0, 10.0));
    }

    #[test]
    fn tick_labels_are_short() {
        assert_eq!(format_tick(0.0), "0");
        assert_eq!(format_tick(0.2), "0.2");
        assert_eq!(format_tick(0.6000000000000001), "0.6");
        assert_eq!(format_tick(12_000.0), "12,000");
        assert_eq!(format_tick(100_000.0), "100,000");
        assert_eq!(format_tick(2.5), "2.5");
        assert_eq!(format_tick(2_500_000.0), "2.5M");
        assert_eq!(format_tick(500_000_000.0), "500M");
    }
}
