//! Building the graph: INSERT (Algorithm 1) with SELECT-NEIGHBORS-HEURISTIC
//! (Algorithm 4), both for a new node's links and for shrinking an overfull list.

use super::graph::{Graph, draw_levels};
use super::search::{Scored, Search, Space, drain_sorted, greedy, search_layer};
use super::{HnswParams, Layer0Links};
use crate::error::{Error, Result};
use crate::index::Progress;

/// Rows between two progress reports / cancellation checks.
const REPORT_EVERY: usize = 256;

/// Builds the graph over every row of `space.vectors`, inserting rows in order.
pub(crate) fn build_graph(
    space: Space<'_>,
    params: &HnswParams,
    progress: &mut dyn Progress,
) -> Result<Graph> {
    let n = space.vectors.len();
    let levels = draw_levels(n, params.ml(), params.seed);
    let mut builder = Builder {
        graph: Graph::new(levels, params.m_max(), params.m_max0()),
        space,
        m: params.m.max(1),
        ef_construction: params.ef_construction.max(1),
        keep_pruned: params.keep_pruned_connections,
        layer0_links: params.layer0_links,
        search: Search::new(),
        w: Vec::new(),
        selected: Vec::new(),
        shrink: Vec::new(),
        kept: Vec::new(),
        pruned: Vec::new(),
    };
    for row in 0..n {
        if row % REPORT_EVERY == 0 {
            if progress.cancelled() {
                return Err(Error::Cancelled {
                    what: "HNSW build",
                    done: row,
                    total: n,
                });
            }
            progress.report(row, n);
        }
        builder.insert(row as u32);
    }
    progress.report(n, n);
    Ok(builder.graph)
}

/// The graph under construction and the scratch of its insertions (allocated once).
struct Builder<'a> {
    graph: Graph,
    space: Space<'a>,
    /// Links chosen for a new node on every layer (the paper's `M`).
    m: usize,
    ef_construction: usize,
    keep_pruned: bool,
    layer0_links: Layer0Links,
    search: Search,
    /// `W` of the current layer, nearest first; it seeds the next layer.
    w: Vec<Scored>,
    /// `R`: the neighbours the heuristic keeps for the new node.
    selected: Vec<Scored>,
    /// Candidates when shrinking an overfull list, and what the shrink keeps.
    shrink: Vec<Scored>,
    kept: Vec<Scored>,
    /// `W_d`: candidates the heuristic discarded.
    pruned: Vec<Scored>,
}

impl Builder<'_> {
    /// INSERT (Algorithm 1) of `row`, whose level was drawn beforehand.
    fn insert(&mut self, row: u32) {
        let Self {
            graph,
            space,
            m,
            ef_construction,
            keep_pruned,
            layer0_links,
            search,
            w,
            selected,
            shrink,
            kept,
            pruned,
        } = self;
        let (space, m, ef_construction, keep_pruned, layer0_links) =
            (*space, *m, *ef_construction, *keep_pruned, *layer0_links);
        let level = graph.level(row);
        let q = space.vectors.get(row as usize);
        graph.set_inserted(row as usize + 1);
        let Some(entry) = graph.entry_point() else {
            graph.set_entry_point(row);
            return;
        };
        let top = graph.level(entry);
        let mut current = Scored {
            distance: space.to(q, entry),
            row: entry,
        };
        // Greedy descent (ef = 1) through the layers above the new node's level.
        for layer in (level + 1..=top).rev() {
            current = greedy(graph, space, q, current, layer, &mut ());
        }
        w.clear();
        w.push(current);
        for layer in (0..=level.min(top)).rev() {
            // W ← SEARCH-LAYER(q, ep, efConstruction, lc); ep is the previous W.
            search_layer(
                graph,
                space,
                q,
                w,
                ef_construction,
                layer,
                None,
                search,
                &mut (),
            );
            drain_sorted(search, w);
            let links = match (layer, layer0_links) {
                (0, Layer0Links::MMax0) => graph.capacity(0),
                _ => m,
            };
            select_neighbours(space, w, links, keep_pruned, selected, pruned);
            graph.set_neighbours(row, layer, selected.iter().map(|s| s.row));
            let capacity = graph.capacity(layer);
            for e in selected.iter() {
                if graph.try_push(e.row, layer, row) {
                    continue;
                }
                // eConn is full: shrink eConn ∪ {q} with the same heuristic.
                let base = space.vectors.get(e.row as usize);
                shrink.clear();
                let links = graph.neighbours(e.row, layer);
                let mut groups = links.chunks_exact(4);
                let vector = |x: u32| space.vectors.get(x as usize);
                for g in groups.by_ref() {
                    let d = space.metric.distance4(
                        base,
                        [vector(g[0]), vector(g[1]), vector(g[2]), vector(g[3])],
                    );
                    shrink.extend(
                        g.iter()
                            .zip(d)
                            .map(|(&x, distance)| Scored { distance, row: x }),
                    );
                }
                shrink.extend(groups.remainder().iter().map(|&x| Scored {
                    distance: space.to(base, x),
                    row: x,
                }));
                shrink.push(Scored {
                    distance: e.distance,
                    row,
                });
                shrink.sort_unstable();
                select_neighbours(space, shrink, capacity, keep_pruned, kept, pruned);
                graph.set_neighbours(e.row, layer, kept.iter().map(|s| s.row));
            }
        }
        if level > top {
            graph.set_entry_point(row);
        }
    }
}

/// SELECT-NEIGHBORS-HEURISTIC (Algorithm 4) with `extendCandidates = false`: walk
/// the candidates nearest first and keep one when it is closer to the base than to
/// every neighbour kept so far; with `keep_pruned` (`keepPrunedConnections`), top up
/// with the nearest discarded ones until `m` are kept. `candidates` is sorted by
/// distance to the base; `out` receives at most `m` of them. Like hnswlib, a list
/// of at most `m` candidates is kept whole.
pub(crate) fn select_neighbours(
    space: Space<'_>,
    candidates: &[Scored],
    m: usize,
    keep_pruned: bool,
    out: &mut Vec<Scored>,
    pruned: &mut Vec<Scored>,
) {
    out.clear();
    pruned.clear();
    if candidates.len() <= m {
        out.extend_from_slice(candidates);
        return;
    }
    let row = |r: &Scored| space.vectors.get(r.row as usize);
    for &e in candidates {
        if out.len() >= m {
            break;
        }
        let v = space.vectors.get(e.row as usize);
        // Against the kept neighbours four at a time (most candidates of
        // high-dimensional data are compared with all of them).
        let mut groups = out.chunks_exact(4);
        let mut good = groups.all(|g| {
            let d = space
                .metric
                .distance4(v, [row(&g[0]), row(&g[1]), row(&g[2]), row(&g[3])]);
            d.iter().all(|&d| d >= e.distance)
        });
        if good {
            good = groups
                .remainder()
                .iter()
                .all(|r| space.to(v, r.row) >= e.distance);
        }
        if good {
            out.push(e);
        } else if keep_pruned {
            pruned.push(e);
        }
    }
    if keep_pruned {
        let room = m - out.len();
        out.extend(pruned.iter().take(room));
    }
}
