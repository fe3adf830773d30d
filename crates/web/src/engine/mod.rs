//! The page's side of the engine worker: spawns it, waits for its "ready", queues
//! requests until then, and hands every response to the page. Cancel terminates
//! the worker (the only way to stop wasm busy in a loop) and starts a fresh one.
//! The cluster exercise's query nodes are more handles of the same kind, one per
//! worker (`crate::cluster::nodes`).

pub mod protocol;
pub mod session;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{MessageEvent, Worker};

use protocol::{Request, Response};

/// The URL of trunk's loader for the `worker` binary (`data-loader-shim`).
pub const WORKER_URL: &str = "./worker_loader.js";

type Handler = Rc<dyn Fn(Response)>;
/// A JS event callback owned by Rust.
type Callback = Closure<dyn FnMut(JsValue)>;

pub struct Engine {
    worker: RefCell<Option<Worker>>,
    ready: Cell<bool>,
    /// Set by [`stop`](Self::stop): a crash then restarts nothing.
    stopped: Cell<bool>,
    queue: RefCell<Vec<Request>>,
    on_response: Handler,
    /// Keeps the JS callbacks alive while their worker is.
    callbacks: RefCell<Vec<Callback>>,
}

impl Engine {
    /// Starts the worker; `on_response` receives everything it says.
    pub fn start(on_response: impl Fn(Response) + 'static) -> Rc<Self> {
        let engine = Rc::new(Self {
            worker: RefCell::new(None),
            ready: Cell::new(false),
            stopped: Cell::new(false),
            queue: RefCell::new(Vec::new()),
            on_response: Rc::new(on_response),
            callbacks: RefCell::new(Vec::new()),
        });
        engine.spawn();
        engine
    }

    fn spawn(self: &Rc<Self>) {
        self.ready.set(false);
        let worker = match Worker::new(WORKER_URL) {
            Ok(w) => w,
            Err(e) => {
                (self.on_response)(Response::Error(format!(
                    "cannot start the engine worker: {e:?}"
                )));
                return;
            }
        };
        let me = Rc::downgrade(self);
        let on_message = Callback::new(move |event: JsValue| {
            let Some(me) = me.upgrade() else { return };
            let data = event.unchecked_into::<MessageEvent>().data();
            match serde_wasm_bindgen::from_value::<Response>(data) {
                Ok(Response::Ready) => {
                    me.ready.set(true);
                    let queued: Vec<Request> = me.queue.borrow_mut().drain(..).collect();
                    queued.into_iter().for_each(|r| me.post(&r));
                    (me.on_response)(Response::Ready);
                }
                Ok(response) => (me.on_response)(response),
                Err(e) => (me.on_response)(Response::Error(format!(
                    "unreadable message from the engine: {e}"
                ))),
            }
        });
        let me = Rc::downgrade(self);
        let on_error = Callback::new(move |event: JsValue| {
            let Some(me) = me.upgrade() else { return };
            let detail = js_sys::Reflect::get(&event, &"message".into())
                .ok()
                .and_then(|m| m.as_string())
                .unwrap_or_else(|| "unknown error".into());
            if me.ready.get() {
                (me.on_response)(Response::Error(format!(
                    "the engine stopped ({detail}); it has been restarted, run the step again"
                )));
                if !me.stopped.get() {
                    me.restart();
                }
            } else {
                // It never loaded: restarting would fail the same way.
                (me.on_response)(Response::Error(format!(
                    "cannot load the engine worker ({detail})"
                )));
            }
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        *self.callbacks.borrow_mut() = vec![on_message, on_error];
        *self.worker.borrow_mut() = Some(worker);
    }

    fn post(&self, request: &Request) {
        let sent = serde_wasm_bindgen::to_value(request)
            .map_err(|e| e.to_string())
            .and_then(|v| match self.worker.borrow().as_ref() {
                Some(w) => w.post_message(&v).map_err(|e| format!("{e:?}")),
                None => Err("no worker".into()),
            });
        if let Err(e) = sent {
            (self.on_response)(Response::Error(format!("cannot reach the engine: {e}")));
        }
    }

    /// Sends a request (queued until the worker is ready).
    pub fn send(self: &Rc<Self>, request: Request) {
        if self.ready.get() {
            self.post(&request);
        } else {
            self.queue.borrow_mut().push(request);
        }
    }

    /// Terminates the worker for good (a query node whose cluster run ended). The
    /// JS callbacks stay alive with the handle, as one of them may be running.
    pub fn stop(&self) {
        if let Some(w) = self.worker.borrow_mut().take() {
            w.terminate();
        }
        self.ready.set(false);
        self.stopped.set(true);
        self.queue.borrow_mut().clear();
    }

    /// Stops whatever the worker is doing; its state (the collections) is lost.
    pub fn restart(self: &Rc<Self>) {
        self.stopped.set(false);
        if let Some(w) = self.worker.borrow_mut().take() {
            w.terminate();
        }
        self.queue.borrow_mut().clear();
        self.spawn();
    }
}
