//! The cluster exercise's query nodes: one engine-like handle
//! ([`Engine`](crate::engine::Engine)) per shard, each a Web Worker of the same
//! binary that builds its shard (`Request::BuildShard`), then answers the queries
//! the page scatters to all of them at once (`Request::SearchShard`). The
//! bookkeeping and every measurement live in [`ClusterRun`]; this only wires
//! worker messages to it and publishes it to the page now and then (not on every
//! answer, so that drawing does not sit inside the measured latencies).

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use annlab_core::clock::Clock;
use annlab_core::scenario::ScenarioParams;
use leptos::prelude::*;

use crate::cluster::{ClusterRun, Phase};
use crate::engine::Engine;
use crate::engine::protocol::{Request, Response};

/// The page's `performance.now()`.
pub struct PageClock;

impl Clock for PageClock {
    fn now_ms(&self) -> f64 {
        crate::page::url::now_ms()
    }

    fn resolution_ms(&self) -> f64 {
        thread_local! {
            static RESOLUTION_MS: f64 = annlab_core::clock::measure_resolution(crate::page::url::now_ms);
        }
        RESOLUTION_MS.with(|r| *r)
    }
}

/// The view is refreshed every this many answered queries.
const PUBLISH_EVERY: usize = 10;

pub struct ClusterNodes {
    run: RefCell<Option<ClusterRun>>,
    view: RwSignal<Option<ClusterRun>>,
    nodes: RefCell<Vec<Rc<Engine>>>,
    on_end: RefCell<Option<Rc<dyn Fn()>>>,
}

impl ClusterNodes {
    pub fn new(view: RwSignal<Option<ClusterRun>>) -> Rc<Self> {
        Rc::new(Self {
            run: RefCell::new(None),
            view,
            nodes: RefCell::new(Vec::new()),
            on_end: RefCell::new(None),
        })
    }

    /// Spawns one worker per shard and has each build its shard; the queries
    /// follow once all are built. `one_worker_ms` is the engine worker's
    /// sequential figure; `on_end` runs when the run is done or failed.
    pub fn start(
        self: &Rc<Self>,
        params: &ScenarioParams,
        one_worker_ms: Option<f64>,
        on_end: impl Fn() + 'static,
    ) {
        self.stop();
        let shards = params.shards.min(params.data.n).max(1);
        let mut run = ClusterRun::new(shards, params.n_queries);
        run.one_worker_ms = one_worker_ms;
        run.cores = web_sys::window().map(|w| w.navigator().hardware_concurrency() as usize);
        *self.run.borrow_mut() = Some(run);
        *self.on_end.borrow_mut() = Some(Rc::new(on_end));
        self.publish();
        let nodes: Vec<Rc<Engine>> = (0..shards)
            .map(|shard| {
                let me: Weak<Self> = Rc::downgrade(self);
                Engine::start(move |response| {
                    if let Some(me) = me.upgrade() {
                        me.on_node(shard, response);
                    }
                })
            })
            .collect();
        *self.nodes.borrow_mut() = nodes.clone();
        for (shard, node) in nodes.iter().enumerate() {
            node.send(Request::BuildShard {
                params: params.clone(),
                shard,
                shards,
            });
        }
    }

    /// The exact answers arrived from the engine worker.
    pub fn set_truth(&self, truth: Vec<Vec<i64>>) {
        if let Some(run) = self.run.borrow_mut().as_mut() {
            run.truth = Some(truth);
        }
        self.publish();
    }

    /// Terminates every node worker (Cancel, a new run, the end of a run).
    pub fn stop(&self) {
        for node in self.nodes.borrow().iter() {
            node.stop();
        }
    }

    fn publish(&self) {
        let run = self.run.borrow().clone();
        self.view.set(run);
    }

    fn update<T>(&self, f: impl FnOnce(&mut ClusterRun) -> T) -> Option<T> {
        self.run.borrow_mut().as_mut().map(f)
    }

    fn on_node(self: &Rc<Self>, shard: usize, response: Response) {
        match response {
            Response::Ready | Response::Live(_) | Response::Reports(_) | Response::Truth(_) => {}
            Response::Progress { done, total } => {
                self.update(|r| r.progress(shard, done, total));
                self.publish();
            }
            Response::ShardBuilt { rows, build_ms, .. } => {
                let all = self.update(|r| r.built(shard, rows, build_ms));
                self.publish();
                if all == Some(true) {
                    self.scatter();
                }
            }
            Response::ShardHits { mut hits, ms, .. } => {
                let hits = hits.pop().unwrap_or_default();
                let search_ms = ms.first().copied().unwrap_or(f64::NAN);
                let finished = self.update(|r| r.answered(shard, hits, search_ms, &PageClock));
                if finished == Some(true) {
                    let answered = self.update(|r| r.found.len()).unwrap_or(0);
                    if answered.is_multiple_of(PUBLISH_EVERY) {
                        self.publish();
                    }
                    self.scatter();
                }
            }
            Response::Error(e) => {
                self.update(|r| r.fail(format!("query node {shard}: {e}")));
                self.end();
            }
        }
    }

    /// Sends the next query to every node, or ends the run.
    fn scatter(self: &Rc<Self>) {
        match self.update(|r| r.scatter(&PageClock)).flatten() {
            Some(q) => {
                let nodes = self.nodes.borrow().clone();
                for node in &nodes {
                    node.send(Request::SearchShard { queries: vec![q] });
                }
            }
            None => {
                if self.update(|r| r.phase == Phase::Done) == Some(true) {
                    self.end();
                }
            }
        }
    }

    fn end(&self) {
        self.stop();
        self.publish();
        let on_end = self.on_end.borrow_mut().take();
        if let Some(f) = on_end {
            f();
        }
    }
}
