//! The peer measured in the same run, on the same data and queries: the pure-Rust
//! `hnsw` crate (rust-cv, 0.11), as `shared/peers/rust` runs it, with the same
//! distance kernel as annlab (so the comparison is between the graphs and their
//! searches, not the kernels). Its M is a compile-time constant: M = 8, 16, 32 or 64.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Instant;

use annlab_core::index::Progress;
use annlab_core::kernels;
use hnsw::{Hnsw, Params, Searcher};
use rand_pcg::Pcg64;
use serde_json::{Map, json};
use space::Neighbor;

use super::measure::{PeakRss, process_cpu_s};
use super::report::{BuildStat, Common, Row};
use super::sweep::Sweep;
use crate::progress::Bar;

/// The peer's name, as the peers' harness writes it.
pub const PEER: &str = "hnsw 0.11 (rust-cv)";
/// Its `impl` (the language, as the peers' harness writes it).
const IMPL: &str = "rust";

/// Cosine distance of unit vectors as the ordered unsigned integer `space` wants
/// (for non-negative floats the IEEE bits keep the order).
struct Cosine;

impl<'a> space::Metric<&'a [f32]> for Cosine {
    type Unit = u32;
    fn distance(&self, a: &&'a [f32], b: &&'a [f32]) -> u32 {
        (1.0 - kernels::dot(a, b)).max(0.0).to_bits()
    }
}

/// What the peer is asked to do.
pub struct PeerRun<'a> {
    pub sweep: &'a Sweep<'a>,
    pub common: &'a Common,
    pub m: usize,
    pub ef_construction: usize,
    pub efs: &'a [usize],
    pub quiet: bool,
}

/// Builds the peer and measures it at every ef. `Ok(None)` when the crate cannot
/// take this M; a panic inside the crate becomes an error.
pub fn run(p: &PeerRun<'_>) -> anyhow::Result<Option<Vec<Row>>> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = catch_unwind(AssertUnwindSafe(|| match p.m {
        8 => Some(run_m::<8, 16>(p)),
        16 => Some(run_m::<16, 32>(p)),
        32 => Some(run_m::<32, 64>(p)),
        64 => Some(run_m::<64, 128>(p)),
        _ => None,
    }));
    std::panic::set_hook(hook);
    match result {
        Ok(rows) => rows.transpose(),
        Err(payload) => {
            let msg = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            anyhow::bail!("the peer ({PEER}) panicked: {msg}")
        }
    }
}

fn run_m<const M: usize, const M0: usize>(p: &PeerRun<'_>) -> anyhow::Result<Vec<Row>> {
    let data = p.sweep.data;
    let n = data.n();
    let mut bar = Bar::new(p.quiet);
    let rss = PeakRss::start();
    let cpu0 = process_cpu_s();
    let t = Instant::now();
    let mut index: Hnsw<Cosine, &[f32], Pcg64, M, M0> =
        Hnsw::new_params(Cosine, Params::new().ef_construction(p.ef_construction));
    let mut searcher = Searcher::default();
    for (i, row) in data.base.chunks_exact(data.dim).enumerate() {
        index.insert(row, &mut searcher);
        if i % 256 == 255 {
            bar.report(i + 1, n);
        }
    }
    let build_s = t.elapsed().as_secs_f64();
    let build_cpu_s = process_cpu_s().zip(cpu0).map(|(b, a)| b - a);
    bar.finish();
    let build = BuildStat::new(n, build_s, build_cpu_s, rss.delta_mb());
    // The crate's layout: per row a zero-layer node of M0 ids and a borrowed
    // slice; per upper-layer node two ids and M neighbour ids.
    let word = std::mem::size_of::<usize>();
    let upper: usize = (1..index.layers()).map(|l| index.layer_len(l)).sum();
    let index_bytes = n * (M0 * word + std::mem::size_of::<&[f32]>()) + upper * (M + 2) * word;
    let params: Map<_, _> = json!({"M": M, "M0": M0, "ef_construction": p.ef_construction})
        .as_object()
        .cloned()
        .unwrap_or_default();
    let k = p.sweep.k;
    let mut rows = Vec::new();
    for &ef in p.efs {
        let mut dest = vec![
            Neighbor {
                index: !0,
                distance: !0u32,
            };
            k
        ];
        let stats = p.sweep.measure(|q, out| {
            let found = index.nearest(&q, ef, &mut searcher, &mut dest);
            out.extend(found.iter().map(|nb| nb.index as u32));
            Ok(())
        })?;
        rows.push(Row {
            implementation: IMPL,
            peer: PEER.into(),
            common: p.common.clone(),
            index: "HNSW",
            params: params.clone(),
            build: vec![build.clone()],
            search_param: "ef",
            search_value: ef,
            stats,
            index_bytes: Some(index_bytes),
            note: "measured in annlab's run with annlab's kernel; vectors borrowed; \
                   index_bytes computed from the crate's node layout"
                .into(),
        });
    }
    Ok(rows)
}
