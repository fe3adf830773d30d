//! The engine's Web Worker: holds the tutorial scenario and runs its steps off the
//! page's main thread, posting progress while it works. The cluster exercise starts
//! more of it as query nodes: each builds and searches one shard.

use std::cell::RefCell;

use annlab_core::clock::Clock;
use annlab_core::index::Progress;
use annlab_core::scenario::{Scenario, ScenarioParams, ShardNode, StepReport};
use annlab_web::engine::protocol::{Request, Response};
use annlab_web::engine::session::Session;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

thread_local! {
    static SESSION: RefCell<Session> = RefCell::new(Session::default());
    /// The shard this worker serves when it acts as a query node.
    static SHARD: RefCell<Option<ShardNode>> = const { RefCell::new(None) };
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn post(response: &Response) {
    match serde_wasm_bindgen::to_value(response) {
        Ok(v) => {
            let _ = scope().post_message(&v);
        }
        Err(e) => {
            let msg = serde_wasm_bindgen::to_value(&Response::Error(format!(
                "cannot send a report: {e}"
            )));
            if let Ok(m) = msg {
                let _ = scope().post_message(&m);
            }
        }
    }
}

/// `performance.now()` of the worker.
fn worker_now() -> f64 {
    scope().performance().map_or(0.0, |p| p.now())
}

thread_local! {
    /// The worker clock's resolution, measured on first use: 5 µs or finer when
    /// the page is cross-origin isolated, 100 µs when it is not (Chromium).
    static RESOLUTION_MS: f64 = annlab_core::clock::measure_resolution(worker_now);
}

/// `performance.now()` of the worker, with its measured resolution.
struct WorkerClock;

impl Clock for WorkerClock {
    fn now_ms(&self) -> f64 {
        worker_now()
    }

    fn resolution_ms(&self) -> f64 {
        RESOLUTION_MS.with(|r| *r)
    }
}

/// Posts progress at most every 50 ms.
struct Poster {
    last_ms: f64,
}

impl Progress for Poster {
    fn report(&mut self, done: usize, total: usize) {
        let now = WorkerClock.now_ms();
        if now - self.last_ms >= 50.0 || done == total {
            self.last_ms = now;
            post(&Response::Progress { done, total });
        }
    }
}

/// The scenario for `params` (kept while the parameters stay the same).
fn with_scenario(params: ScenarioParams, f: impl FnOnce(&mut Scenario) -> Response) -> Response {
    SESSION.with(|cell| match cell.borrow_mut().scenario(params) {
        Ok(s) => f(s),
        Err(e) => Response::Error(e.to_string()),
    })
}

/// A metric snapshot is posted every this many live queries.
const LIVE_EVERY: usize = 10;

fn handle(request: Request) -> Response {
    let mut poster = Poster {
        last_ms: f64::NEG_INFINITY,
    };
    let done = |r: annlab_core::Result<Vec<StepReport>>| match r {
        Ok(reports) => Response::Reports(reports),
        Err(e) => Response::Error(e.to_string()),
    };
    match request {
        Request::Run { step, params } => {
            with_scenario(params, |s| done(s.run(step, &WorkerClock, &mut poster)))
        }
        Request::Live { count, params } => with_scenario(params, |s| {
            done(s.live_queries(
                count,
                LIVE_EVERY,
                &WorkerClock,
                &mut poster,
                &mut |snapshot| post(&Response::Live(snapshot)),
            ))
        }),
        Request::Truth { params, queries } => with_scenario(params, |s| {
            match s.truth_for(&queries, &WorkerClock, &mut poster) {
                Ok(t) => Response::Truth(t),
                Err(e) => Response::Error(e.to_string()),
            }
        }),
        Request::BuildShard {
            params,
            shard,
            shards,
        } => {
            // The previous shard (if any) is dropped first: memory for one.
            SHARD.with(|cell| cell.borrow_mut().take());
            match ShardNode::generate(&params, shard, shards, &WorkerClock, &mut poster) {
                Ok(node) => {
                    let response = Response::ShardBuilt {
                        shard,
                        rows: node.rows(),
                        build_ms: node.build_ms,
                    };
                    SHARD.with(|cell| *cell.borrow_mut() = Some(node));
                    response
                }
                Err(e) => Response::Error(e.to_string()),
            }
        }
        Request::SearchShard { queries } => SHARD.with(|cell| {
            let slot = cell.borrow();
            let Some(node) = slot.as_ref() else {
                return Response::Error("this query node has no shard yet".into());
            };
            let mut hits = Vec::with_capacity(queries.len());
            let mut ms = Vec::with_capacity(queries.len());
            for q in queries {
                match node.search_timed(q, &WorkerClock) {
                    Ok((h, t)) => {
                        hits.push(h);
                        ms.push(t);
                    }
                    Err(e) => return Response::Error(e.to_string()),
                }
            }
            Response::ShardHits {
                shard: node.shard,
                hits,
                ms,
            }
        }),
    }
}

fn main() {
    console_error_panic_hook::set_once();
    let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(|event: MessageEvent| {
        let response = match serde_wasm_bindgen::from_value::<Request>(event.data()) {
            Ok(request) => handle(request),
            Err(e) => Response::Error(format!("bad request: {e}")),
        };
        post(&response);
    });
    scope().set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    onmessage.forget();
    post(&Response::Ready);
}
