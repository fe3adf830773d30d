//! Building the graph: INSERT (Algorithm 1) with SELECT-NEIGHBORS-HEURISTIC
//! (Algorithm 4), both for a new node's links and for shrinking an overfull list.
//!
//! Rows are inserted in batches, each in three phases, so that the build can use
//! several threads and still produce the same graph whatever their number:
//!
//! 1. (parallel) every row of the batch searches the graph as it was before the
//!    batch (greedy descent, then SEARCH-LAYER with `efConstruction` on each of
//!    its layers), adds the batch's earlier rows on those layers to its
//!    candidates, and selects its links;
//! 2. (in order) the rows' own lists are written and the entry point moves up;
//! 3. (parallel, one task per neighbour list) the reverse links are appended to
//!    each chosen neighbour's list in batch order, shrinking it with the same
//!    heuristic when it overflows; the new lists are then written in order.
//!
//! With one row per batch this is the paper's sequential INSERT. Batches start at
//! one row and grow with the graph (`batch_len`), so that a row misses at most a
//! small fraction of the graph's latest rows, and those only as search results:
//! they are still among its candidates.

use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering as AtomicOrdering};

use super::graph::{Graph, draw_levels};
use super::search::{Scored, Search, Space, drain_sorted, greedy, search_layer};
use super::{HnswParams, Layer0Links};
use crate::error::{Error, Result};
use crate::index::Progress;

/// Rows between two progress reports / cancellation checks.
const REPORT_EVERY: usize = 256;
/// The largest batch.
const MAX_BATCH: usize = 64;

/// Rows inserted together once `inserted` rows are in the graph: one while the
/// graph is small, then a sixteenth of the graph, at most [`MAX_BATCH`].
fn batch_len(inserted: usize) -> usize {
    (inserted / 16).clamp(1, MAX_BATCH)
}

/// What the build does the same way for every row.
#[derive(Clone, Copy)]
struct Rules {
    /// Links chosen for a new node on every layer (the paper's `M`).
    m: usize,
    ef_construction: usize,
    keep_pruned: bool,
    layer0_links: Layer0Links,
}

/// One thread's scratch (allocated once per build).
#[derive(Default)]
struct Worker {
    search: Search,
    /// `W` of the current layer, nearest first; it seeds the next layer.
    w: Vec<Scored>,
    /// Candidates of a selection: `W` plus the batch's earlier rows.
    candidates: Vec<Scored>,
    /// `W_d`: candidates the heuristic discarded.
    pruned: Vec<Scored>,
}

/// Builds the graph over every row of `space.vectors`, inserting rows in order,
/// on `progress.threads()` threads (the graph does not depend on how many).
pub(crate) fn build_graph<S: Space>(
    space: S,
    n: usize,
    params: &HnswParams,
    progress: &mut dyn Progress,
) -> Result<Graph> {
    let levels = draw_levels(n, params.ml(), params.seed);
    let mut graph = Graph::new(levels, params.m_max(), params.m_max0());
    let rules = Rules {
        m: params.m.max(1),
        ef_construction: params.ef_construction.max(1),
        keep_pruned: params.keep_pruned_connections,
        layer0_links: params.layer0_links,
    };
    let threads = progress.threads().clamp(1, MAX_BATCH);
    let mut workers: Vec<Worker> = (0..threads).map(|_| Worker::default()).collect();
    let mut start = 0;
    let mut next_report = 0;
    while start < n {
        if start >= next_report {
            if progress.cancelled() {
                return Err(Error::Cancelled {
                    what: "HNSW build",
                    done: start,
                    total: n,
                });
            }
            progress.report(start, n);
            next_report = start + REPORT_EVERY;
        }
        let end = (start + batch_len(start)).min(n);
        insert_batch(
            &mut graph,
            space,
            rules,
            start as u32..end as u32,
            &mut workers,
        );
        start = end;
    }
    progress.report(n, n);
    Ok(graph)
}

/// `f` over `items` on the workers' threads, results in `items`' order; on the
/// calling thread when there is one worker.
///
/// Each thread takes the next item not yet taken (an atomic counter), so a
/// thread that drew cheap items (a row on layer 0 only, a list with room) goes
/// on with the others' instead of waiting: with contiguous halves the slower
/// half set the pace of every batch. Which thread maps an item does not change
/// its result (each worker's scratch is cleared before use), so the graph is
/// the same.
fn par_map<T: Sync, R: Send>(
    items: &[T],
    workers: &mut [Worker],
    f: impl Fn(&T, &mut Worker) -> R + Sync,
) -> Vec<R> {
    if workers.len() == 1 || items.len() < 2 {
        let w = &mut workers[0];
        return items.iter().map(|x| f(x, w)).collect();
    }
    let next = AtomicUsize::new(0);
    let (f, next) = (&f, &next);
    let mut out: Vec<Option<R>> = std::iter::repeat_with(|| None).take(items.len()).collect();
    std::thread::scope(|scope| {
        let handles: Vec<_> = workers
            .iter_mut()
            .take(items.len())
            .map(|w| {
                scope.spawn(move || {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, AtomicOrdering::Relaxed);
                        let Some(x) = items.get(i) else {
                            return done;
                        };
                        done.push((i, f(x, w)));
                    }
                })
            })
            .collect();
        for h in handles {
            for (i, r) in h.join().expect("an HNSW build thread panicked") {
                out[i] = Some(r);
            }
        }
    });
    out.into_iter()
        .map(|r| r.expect("every item was mapped"))
        .collect()
}

/// INSERT of the rows `batch` (their levels were drawn beforehand).
fn insert_batch<S: Space>(
    graph: &mut Graph,
    space: S,
    rules: Rules,
    batch: Range<u32>,
    workers: &mut [Worker],
) {
    let rows: Vec<u32> = batch.clone().collect();
    // 1. Each row's links on each of its layers, layer 0 first.
    let links: Vec<Vec<Vec<Scored>>> = {
        let graph = &*graph;
        par_map(&rows, workers, |&row, w| {
            select_links(graph, space, rules, batch.start, row, w)
        })
    };
    // 2. The rows' own lists, and the entry point.
    graph.set_inserted(batch.end as usize);
    for (&row, layers) in rows.iter().zip(&links) {
        for (layer, list) in layers.iter().enumerate() {
            graph.set_neighbours(row, layer, list.iter().map(|s| s.row));
        }
        let top = graph.entry_point().map(|e| graph.level(e));
        if top.is_none_or(|top| graph.level(row) > top) {
            graph.set_entry_point(row);
        }
    }
    // 3. Reverse links, grouped by the list they go to, in batch order.
    let mut reverse: Vec<(usize, u32, Scored)> = Vec::new();
    for (&row, layers) in rows.iter().zip(&links) {
        for (layer, list) in layers.iter().enumerate() {
            reverse.extend(list.iter().map(|e| {
                (
                    layer,
                    e.row,
                    Scored {
                        distance: e.distance,
                        row,
                    },
                )
            }));
        }
    }
    reverse.sort_by_key(|&(layer, target, _)| (layer, target)); // stable: batch order kept
    let groups: Vec<&[(usize, u32, Scored)]> =
        reverse.chunk_by(|a, b| (a.0, a.1) == (b.0, b.1)).collect();
    let lists: Vec<Vec<u32>> = {
        let graph = &*graph;
        par_map(&groups, workers, |group, w| {
            add_reverse_links(graph, space, rules, group, w)
        })
    };
    for (group, list) in groups.iter().zip(lists) {
        let (layer, target, _) = group[0];
        graph.set_neighbours(target, layer, list.into_iter());
    }
}

/// Phase 1 for `row`: its selected links on layers `0..=level`, each list nearest
/// first. Reads the graph as it was before the batch that starts at `batch_start`.
fn select_links<S: Space>(
    graph: &Graph,
    space: S,
    rules: Rules,
    batch_start: u32,
    row: u32,
    w: &mut Worker,
) -> Vec<Vec<Scored>> {
    let level = graph.level(row);
    let q = &*space.row_query(row);
    let mut links = vec![Vec::new(); level + 1];
    let entry = graph.entry_point();
    let top = entry.map(|e| graph.level(e));
    w.w.clear();
    if let Some(entry) = entry {
        let mut current = Scored {
            distance: space.to(q, entry),
            row: entry,
        };
        // Greedy descent (ef = 1) through the layers above the new node's level.
        for layer in (level + 1..=top.unwrap_or(0)).rev() {
            current = greedy(graph, space, q, current, layer, &mut ());
        }
        w.w.push(current);
    }
    for layer in (0..=level).rev() {
        w.candidates.clear();
        if top.is_some_and(|top| layer <= top) {
            // W ← SEARCH-LAYER(q, ep, efConstruction, lc); ep is the previous W.
            search_layer(
                graph,
                space,
                q,
                &w.w,
                rules.ef_construction,
                layer,
                None,
                &mut w.search,
                &mut (),
            );
            drain_sorted(&mut w.search, &mut w.w);
            w.candidates.extend_from_slice(&w.w);
        }
        // The batch's earlier rows on this layer are candidates too.
        w.candidates.extend(
            (batch_start..row)
                .filter(|&b| graph.level(b) >= layer)
                .map(|b| Scored {
                    distance: space.to(q, b),
                    row: b,
                }),
        );
        w.candidates.sort_unstable();
        let m = match (layer, rules.layer0_links) {
            (0, Layer0Links::MMax0) => graph.capacity(0),
            _ => rules.m,
        };
        select_neighbours(
            space,
            &w.candidates,
            m,
            rules.keep_pruned,
            &mut links[layer],
            &mut w.pruned,
        );
    }
    links
}

/// Phase 3 for one neighbour list: `group` holds (layer, target, new link) in batch
/// order. Returns the target's new list.
fn add_reverse_links<S: Space>(
    graph: &Graph,
    space: S,
    rules: Rules,
    group: &[(usize, u32, Scored)],
    w: &mut Worker,
) -> Vec<u32> {
    let (layer, target, _) = group[0];
    let capacity = graph.capacity(layer);
    let mut list: Vec<u32> = graph.neighbours(target, layer).to_vec();
    let base = &*space.row_query(target);
    let mut kept = Vec::new();
    for &(_, _, new) in group {
        if list.len() < capacity {
            list.push(new.row);
            continue;
        }
        // eConn is full: shrink eConn ∪ {q} with the same heuristic.
        let shrink = &mut w.candidates;
        shrink.clear();
        let mut groups = list.chunks_exact(4);
        for g in groups.by_ref() {
            let d = space.distance4(base, [g[0], g[1], g[2], g[3]]);
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
        shrink.push(new);
        shrink.sort_unstable();
        select_neighbours(
            space,
            shrink,
            capacity,
            rules.keep_pruned,
            &mut kept,
            &mut w.pruned,
        );
        list.clear();
        list.extend(kept.iter().map(|s| s.row));
    }
    list
}

/// SELECT-NEIGHBORS-HEURISTIC (Algorithm 4) with `extendCandidates = false`: walk
/// the candidates nearest first and keep one when it is closer to the base than to
/// every neighbour kept so far; with `keep_pruned` (`keepPrunedConnections`), top up
/// with the nearest discarded ones until `m` are kept. `candidates` is sorted by
/// distance to the base; `out` receives at most `m` of them. Like hnswlib, a list
/// of at most `m` candidates is kept whole.
///
/// Which comparisons are made, and in which order, does not change the outcome (a
/// candidate is kept when all of them pass, and a distance has the same bits
/// whichever kernel computes it, either way round), only the cost. The nearest
/// candidate is always kept, and on embedding-like data it alone discards about
/// half of the others: its distances to the candidates are computed four at a
/// time as the walk reaches them (one kernel call for four candidates); a
/// candidate it does not discard is compared with the other kept neighbours four
/// at a time. On 20,000 × 1536 embedding-like vectors that is ~30 % fewer kernel
/// calls than comparing each candidate with the kept neighbours four at a time.
pub(crate) fn select_neighbours<S: Space>(
    space: S,
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
    if m == 0 {
        return;
    }
    let (first, rest) = candidates
        .split_first()
        .expect("more than m ≥ 0 candidates");
    out.push(*first);
    let nearest = space.row_query(first.row);
    // Distances from the nearest to `rest[block..block + 4]`.
    let mut to_nearest = [0.0f32; 4];
    for (i, &e) in rest.iter().enumerate() {
        if out.len() >= m {
            break;
        }
        if i % 4 == 0 {
            let at = |j: usize| rest.get(i + j).unwrap_or(&rest[rest.len() - 1]).row;
            to_nearest = space.distance4(&nearest, [at(0), at(1), at(2), at(3)]);
        }
        let mut good = to_nearest[i % 4] >= e.distance;
        if good {
            let v = &*space.row_query(e.row);
            // Against the other kept neighbours four at a time.
            let mut groups = out[1..].chunks_exact(4);
            good = groups.all(|g| {
                let d = space.distance4(v, [g[0].row, g[1].row, g[2].row, g[3].row]);
                d.iter().all(|&d| d >= e.distance)
            });
            if good {
                good = groups
                    .remainder()
                    .iter()
                    .all(|r| space.to(v, r.row) >= e.distance);
            }
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
