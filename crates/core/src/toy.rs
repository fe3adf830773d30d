//! A 2-D toy for teaching step 3: a few hundred seeded points in a handful of
//! clusters, an HNSW and an IVF_FLAT built over them with the engine's own code, and
//! the questions a picture asks (which nodes and links are on each layer, the path
//! a search walks, the Voronoi cell of a point, the lists nprobe scans).

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal, Uniform};
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::index::hnsw::{Hnsw, HnswParams, SearchTrace};
use crate::index::ivf::IvfFlat;
use crate::index::{NoProgress, VectorView};
use crate::metric::Metric;
use crate::topk::Neighbour;

/// The toy's size and index parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ToyParams {
    pub n: usize,
    pub seed: u64,
    /// HNSW `M` (small, so the picture stays readable).
    pub m: usize,
    pub ef_construction: usize,
    pub nlist: usize,
}

impl Default for ToyParams {
    fn default() -> Self {
        Self {
            n: 300,
            seed: 42,
            m: 4,
            ef_construction: 32,
            nlist: 16,
        }
    }
}

/// Points live in this square (centres are drawn inside ±0.75, noise is clamped).
pub const EXTENT: f32 = 1.0;

/// The toy: points and both indexes over them (L2).
#[derive(Debug, Clone)]
pub struct Toy {
    pub params: ToyParams,
    points: Vec<f32>,
    hnsw: Hnsw,
    ivf: IvfFlat,
}

impl Toy {
    pub fn new(params: ToyParams) -> Result<Self> {
        let points = toy_points(params.n, params.seed);
        let view = VectorView::new(2, &points);
        let hnsw = Hnsw::build(
            view,
            Metric::L2,
            &HnswParams::new(params.m, params.ef_construction, params.seed),
            &mut NoProgress,
        )?;
        let ivf = IvfFlat::build(view, Metric::L2, params.nlist, params.seed, &mut NoProgress)?;
        Ok(Self {
            params,
            points,
            hnsw,
            ivf,
        })
    }

    pub fn len(&self) -> usize {
        self.points.len() / 2
    }

    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    pub fn point(&self, row: u32) -> [f32; 2] {
        let i = row as usize * 2;
        [self.points[i], self.points[i + 1]]
    }

    /// Number of HNSW layers (layer 0 holds every point).
    pub fn layers(&self) -> usize {
        self.hnsw.max_level().map_or(0, |l| l + 1)
    }

    /// The rows present on `layer`.
    pub fn layer_nodes(&self, layer: usize) -> Vec<u32> {
        (0..self.len() as u32)
            .filter(|&r| self.hnsw.level(r) >= layer)
            .collect()
    }

    /// The links of `layer`, each once (`a < b`), whichever direction(s) exist.
    pub fn layer_edges(&self, layer: usize) -> Vec<(u32, u32)> {
        let mut edges: Vec<(u32, u32)> = self
            .layer_nodes(layer)
            .into_iter()
            .flat_map(|a| {
                self.hnsw
                    .neighbours(a, layer)
                    .iter()
                    .map(move |&b| (a.min(b), a.max(b)))
            })
            .collect();
        edges.sort_unstable();
        edges.dedup();
        edges
    }

    /// The HNSW search for `query` with its trace (layers, greedy path).
    pub fn search(&self, query: [f32; 2], k: usize, ef: usize) -> (Vec<Neighbour>, SearchTrace) {
        self.hnsw
            .search_traced(VectorView::new(2, &self.points), &query, k, ef, None)
    }

    /// The IVF centroids.
    pub fn centroids(&self) -> Vec<[f32; 2]> {
        self.ivf
            .centroids()
            .chunks_exact(2)
            .map(|c| [c[0], c[1]])
            .collect()
    }

    /// Points per IVF list.
    pub fn list_sizes(&self) -> Vec<usize> {
        self.ivf.list_sizes()
    }

    /// The list whose centroid is nearest `p`: its Voronoi cell.
    pub fn cell_of(&self, p: [f32; 2]) -> u32 {
        self.ivf
            .probe(&p, 1)
            .ok()
            .and_then(|v| v.first().map(|c| c.0))
            .unwrap_or(0)
    }

    /// The cells of a `side × side` grid of sample points over the square ±`EXTENT`
    /// (row by row from the top), for drawing the Voronoi diagram.
    pub fn cell_grid(&self, side: usize) -> Vec<u32> {
        let step = 2.0 * EXTENT / side as f32;
        (0..side * side)
            .map(|i| {
                let (gx, gy) = ((i % side) as f32, (i / side) as f32);
                self.cell_of([-EXTENT + (gx + 0.5) * step, EXTENT - (gy + 0.5) * step])
            })
            .collect()
    }

    /// The lists a search with `nprobe` scans for `query`, nearest centroid first.
    pub fn probed(&self, query: [f32; 2], nprobe: usize) -> Vec<u32> {
        self.ivf
            .probe(&query, nprobe)
            .map(|v| v.into_iter().map(|c| c.0).collect())
            .unwrap_or_default()
    }

    /// The rows filed under `list`.
    pub fn list_rows(&self, list: u32) -> &[u32] {
        self.ivf.list_rows(list as usize)
    }
}

/// `n` points in six seeded Gaussian clusters, clamped to the square ±`EXTENT`.
pub fn toy_points(n: usize, seed: u64) -> Vec<f32> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let centre = Uniform::new(-0.75f32, 0.75).expect("valid range");
    let centres: Vec<[f32; 2]> = (0..6)
        .map(|_| [centre.sample(&mut rng), centre.sample(&mut rng)])
        .collect();
    let mut out = Vec::with_capacity(n * 2);
    for i in 0..n {
        let c = centres[i % centres.len()];
        for d in c {
            let z: f32 = StandardNormal.sample(&mut rng);
            out.push((d + 0.12 * z).clamp(-EXTENT, EXTENT));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn toy() -> Toy {
        Toy::new(ToyParams::default()).unwrap()
    }

    #[test]
    fn points_are_seeded_and_inside_the_square() {
        let a = toy_points(300, 1);
        assert_eq!(a, toy_points(300, 1));
        assert_ne!(a, toy_points(300, 2));
        assert!(a.iter().all(|v| v.abs() <= EXTENT));
    }

    #[test]
    fn layers_shrink_upwards_and_edges_join_nodes_of_their_layer() {
        let t = toy();
        assert_eq!(t.len(), 300);
        assert!(t.layers() >= 2, "{}", t.layers());
        assert_eq!(t.layer_nodes(0).len(), 300);
        for l in 1..t.layers() {
            let nodes = t.layer_nodes(l);
            assert!(nodes.len() < t.layer_nodes(l - 1).len());
            for (a, b) in t.layer_edges(l) {
                assert!(a < b && nodes.contains(&a) && nodes.contains(&b));
            }
        }
        assert!(t.layer_edges(0).len() >= 300);
    }

    #[test]
    fn the_search_walks_from_the_top_layer_to_the_nearest_point() {
        let t = toy();
        let q = [0.1, -0.2];
        let (hits, trace) = t.search(q, 1, 16);
        assert_eq!(trace.layers.len(), t.layers());
        assert_eq!(trace.layers.last().unwrap().layer, 0);
        // The exact nearest point, by brute force.
        let best = (0..t.len() as u32)
            .min_by(|&a, &b| {
                let d = |r| {
                    let p = t.point(r);
                    (p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2)
                };
                d(a).total_cmp(&d(b))
            })
            .unwrap();
        assert_eq!(hits[0].row, best);
    }

    #[test]
    fn voronoi_cells_and_probes_agree() {
        let t = toy();
        let c = t.centroids();
        assert_eq!(c.len(), 16);
        assert_eq!(t.list_sizes().iter().sum::<usize>(), 300);
        for (i, centroid) in c.iter().enumerate() {
            assert_eq!(t.cell_of(*centroid), i as u32);
        }
        let q = [0.3, 0.3];
        let probed = t.probed(q, 3);
        assert_eq!(probed.len(), 3);
        assert_eq!(probed[0], t.cell_of(q));
        let grid = t.cell_grid(20);
        assert_eq!(grid.len(), 400);
        assert!(grid.iter().all(|&g| (g as usize) < c.len()));
        let rows: usize = (0..16).map(|l| t.list_rows(l).len()).sum();
        assert_eq!(rows, 300);
    }
}
