//! The trace of one search, for teaching: which nodes the search touched on each
//! layer, the path it took and how many distances it computed. The browser draws it.

use serde::{Deserialize, Serialize};

use super::search::Observer;

/// A node and its distance to the query.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TracedNode {
    pub row: u32,
    pub distance: f32,
}

/// What the search did on one layer.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct LayerTrace {
    pub layer: usize,
    /// Every distance computation on this layer, in order (upper layers may compute
    /// a node twice: the greedy walk keeps no visited set).
    pub visited: Vec<TracedNode>,
    /// Upper layers: the greedy path, from the node the layer was entered at to the
    /// local minimum handed down. Layer 0: the candidates expanded, in order.
    pub path: Vec<TracedNode>,
}

/// The trace of one search (Algorithm 5).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SearchTrace {
    /// The graph's entry point (none for an empty graph).
    pub entry_point: Option<u32>,
    /// The size of the dynamic candidate list on layer 0.
    pub ef: usize,
    /// One entry per layer, top layer first, layer 0 last.
    pub layers: Vec<LayerTrace>,
    /// Distance computations over all layers.
    pub distance_computations: usize,
}

impl Observer for SearchTrace {
    fn enter_layer(&mut self, layer: usize) {
        self.layers.push(LayerTrace {
            layer,
            ..LayerTrace::default()
        });
    }

    fn computed(&mut self, row: u32, distance: f32) {
        self.distance_computations += 1;
        if let Some(l) = self.layers.last_mut() {
            l.visited.push(TracedNode { row, distance });
        }
    }

    fn step(&mut self, row: u32, distance: f32) {
        if let Some(l) = self.layers.last_mut() {
            l.path.push(TracedNode { row, distance });
        }
    }
}
