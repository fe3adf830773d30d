//! Step 3's toy in pixels: where a toy point is drawn in a panel and back, the
//! SVG paths that draw many segments, dots or grid cells as one element, cell
//! colours and arrow-key moves. Plain functions, tested natively.

use annlab_core::toy::EXTENT;

/// Side of each square panel, in viewBox units.
pub const SIDE: f64 = 280.0;
/// Grid of sample points per side used to paint the Voronoi cells.
pub const GRID: usize = 56;

/// A toy point to panel pixels (y up in the data, down on screen).
pub fn to_px(p: [f32; 2]) -> (f64, f64) {
    let s = SIDE / (2.0 * EXTENT as f64);
    (
        ((p[0] as f64 + EXTENT as f64) * s * 10.0).round() / 10.0,
        ((EXTENT as f64 - p[1] as f64) * s * 10.0).round() / 10.0,
    )
}

/// Panel pixels back to a toy point, clamped to the square.
pub fn from_px(x: f64, y: f64) -> [f32; 2] {
    let s = 2.0 * EXTENT as f64 / SIDE;
    let e = EXTENT;
    [
        ((x * s) as f32 - e).clamp(-e, e),
        (e - (y * s) as f32).clamp(-e, e),
    ]
}

/// A distinct, light fill per IVF list (presentation only).
pub fn cell_colour(list: u32, nlist: usize) -> String {
    let hue = (list as usize * 360 * 7 / nlist.max(1)) % 360;
    format!("hsl({hue} 70% 72%)")
}

/// A point in panel pixels.
pub type Px = (f64, f64);

/// Line segments as one SVG path.
pub fn segments_path(segments: &[(Px, Px)]) -> String {
    segments
        .iter()
        .map(|((x1, y1), (x2, y2))| format!("M{x1} {y1}L{x2} {y2}"))
        .collect()
}

/// Dots of radius `r` as one SVG path (two half-circle arcs each).
pub fn dots_path(dots: &[(f64, f64)], r: f64) -> String {
    dots.iter()
        .map(|(x, y)| {
            format!(
                "M{} {y}a{r} {r} 0 1 0 {} 0a{r} {r} 0 1 0 {} 0",
                x - r,
                2.0 * r,
                -2.0 * r
            )
        })
        .collect()
}

/// The squares of a `side × side` grid (row by row from the top) that belong to
/// `list`, as one SVG path; horizontal runs become one rectangle.
pub fn cells_path(cells: &[u32], side: usize, list: u32) -> String {
    let px = SIDE / side as f64;
    let mut d = String::new();
    for row in 0..side {
        let mut col = 0;
        while col < side {
            if cells[row * side + col] != list {
                col += 1;
                continue;
            }
            let start = col;
            while col < side && cells[row * side + col] == list {
                col += 1;
            }
            let r = |v: f64| (v * 100.0).round() / 100.0;
            d.push_str(&format!(
                "M{} {}h{}v{}h{}z",
                r(start as f64 * px),
                r(row as f64 * px),
                r((col - start) as f64 * px + 0.2),
                r(px + 0.2),
                r(-((col - start) as f64 * px + 0.2))
            ));
        }
    }
    d
}

/// The query moved by an arrow key (a tenth of the square per press), clamped.
pub fn nudge(q: [f32; 2], key: &str) -> Option<[f32; 2]> {
    let step = EXTENT / 10.0;
    let (dx, dy) = match key {
        "ArrowLeft" => (-step, 0.0),
        "ArrowRight" => (step, 0.0),
        "ArrowUp" => (0.0, step),
        "ArrowDown" => (0.0, -step),
        _ => return None,
    };
    Some([
        (q[0] + dx).clamp(-EXTENT, EXTENT),
        (q[1] + dy).clamp(-EXTENT, EXTENT),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn pixels_and_points_round_trip() {
        assert_eq!(to_px([-EXTENT, EXTENT]), (0.0, 0.0));
        assert_eq!(to_px([EXTENT, -EXTENT]), (SIDE, SIDE));
        assert_eq!(to_px([0.0, 0.0]), (SIDE / 2.0, SIDE / 2.0));
        let p = from_px(70.0, 210.0);
        assert!(
            (p[0] + 0.5).abs() < 1e-6 && (p[1] + 0.5).abs() < 1e-6,
            "{p:?}"
        );
        // Outside the panel clamps to the square.
        assert_eq!(from_px(-50.0, 1000.0), [-EXTENT, -EXTENT]);
    }

    #[test]
    fn paths_hold_every_segment_dot_and_cell_run() {
        assert_eq!(segments_path(&[((0.0, 1.0), (2.0, 3.0))]), "M0 1L2 3");
        assert_eq!(
            dots_path(&[(5.0, 5.0)], 1.0),
            "M4 5a1 1 0 1 0 2 0a1 1 0 1 0 -2 0"
        );
        // 2 × 2 grid: list 0 fills the top row (one run), list 1 the bottom-left.
        let cells = [0, 0, 1, 2];
        assert_eq!(cells_path(&cells, 2, 0).matches('M').count(), 1);
        assert!(cells_path(&cells, 2, 0).starts_with("M0 0h280.2v140.2"));
        assert_eq!(cells_path(&cells, 2, 1), "M0 140h140.2v140.2h-140.2z");
        assert_eq!(cells_path(&cells, 2, 3), "");
    }

    #[test]
    fn arrow_keys_nudge_the_query_inside_the_square() {
        assert_eq!(nudge([0.0, 0.0], "ArrowUp"), Some([0.0, EXTENT / 10.0]));
        assert_eq!(nudge([EXTENT, 0.0], "ArrowRight"), Some([EXTENT, 0.0]));
        assert_eq!(nudge([0.0, 0.0], "a"), None);
    }

    #[test]
    fn cells_get_distinct_colours() {
        let colours: std::collections::BTreeSet<String> =
            (0..16).map(|l| cell_colour(l, 16)).collect();
        assert_eq!(colours.len(), 16);
    }
}
