//! Step 3's toy in the URL: where the learner left the query and the nprobe they
//! chose, so that a link shows the same search path and probed cells.

use annlab_core::toy::{EXTENT, ToyParams};

/// The toy's shareable state.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ToyState {
    /// The query point, in the toy's coordinates (`[-EXTENT, EXTENT]²`).
    pub query: [f32; 2],
    /// IVF lists probed, `1..=nlist`.
    pub nprobe: usize,
}

impl Default for ToyState {
    fn default() -> Self {
        Self {
            query: [0.35, -0.45],
            nprobe: 2,
        }
    }
}

/// Query-string keys.
pub const QUERY_KEY: &str = "toy_q";
pub const NPROBE_KEY: &str = "toy_nprobe";

impl ToyState {
    /// From the query string's pairs: absent or unreadable values keep the
    /// default; the point is clamped to the square, nprobe to `1..=nlist`.
    pub fn from_query(pairs: &[(String, String)]) -> Self {
        let mut s = Self::default();
        let get = |key: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
        };
        if let Some((x, y)) = get(QUERY_KEY).and_then(|v| v.split_once(','))
            && let (Ok(x), Ok(y)) = (x.trim().parse::<f32>(), y.trim().parse::<f32>())
            && x.is_finite()
            && y.is_finite()
        {
            s.query = [x.clamp(-EXTENT, EXTENT), y.clamp(-EXTENT, EXTENT)];
        }
        if let Some(n) = get(NPROBE_KEY).and_then(|v| v.trim().parse::<usize>().ok()) {
            s.nprobe = n.clamp(1, ToyParams::default().nlist);
        }
        s
    }

    /// The state with its query rounded to what the URL keeps (1/1000), so that
    /// the page shows exactly what a link to it shows.
    pub fn snapped(self) -> Self {
        let r = |v: f32| (v * 1000.0).round() / 1000.0;
        Self {
            query: [r(self.query[0]), r(self.query[1])],
            ..self
        }
    }

    /// The pairs that differ from the default (rounded to 1/1000 of the square).
    pub fn to_query(&self) -> Vec<(&'static str, String)> {
        let d = Self::default();
        let mut pairs = Vec::new();
        if self.query != d.query {
            pairs.push((
                QUERY_KEY,
                format!("{:.3},{:.3}", self.query[0], self.query[1]),
            ));
        }
        if self.nprobe != d.nprobe {
            pairs.push((NPROBE_KEY, self.nprobe.to_string()));
        }
        pairs
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_default_writes_nothing() {
        assert!(ToyState::default().to_query().is_empty());
        assert_eq!(ToyState::from_query(&[]), ToyState::default());
    }

    #[test]
    fn round_trips_through_the_query_string() {
        let s = ToyState {
            query: [-0.25, 0.5],
            nprobe: 5,
        };
        let q: Vec<(String, String)> = s
            .to_query()
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        assert_eq!(q[0].1, "-0.250,0.500");
        assert_eq!(ToyState::from_query(&q), s);
        // A dragged point survives the URL once snapped.
        let dragged = ToyState {
            query: [0.123_456, -0.987_654],
            nprobe: 3,
        }
        .snapped();
        let q: Vec<(String, String)> = dragged
            .to_query()
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        assert_eq!(ToyState::from_query(&q), dragged);
    }

    #[test]
    fn clamps_and_ignores_what_it_cannot_read() {
        let nlist = ToyParams::default().nlist;
        let s = ToyState::from_query(&pairs(&[("toy_q", "9,-9"), ("toy_nprobe", "999")]));
        assert_eq!(s.query, [EXTENT, -EXTENT]);
        assert_eq!(s.nprobe, nlist);
        let s = ToyState::from_query(&pairs(&[("toy_q", "x,1"), ("toy_nprobe", "0")]));
        assert_eq!(s.query, ToyState::default().query);
        assert_eq!(s.nprobe, 1);
        let s = ToyState::from_query(&pairs(&[("toy_q", "NaN,0")]));
        assert_eq!(s.query, ToyState::default().query);
    }
}
