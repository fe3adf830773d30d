//! The tutorial, step by step: pick a step, read what it does and its code, run it
//! in the engine worker, read what the tutorial's script would print with the
//! numbers measured in this tab, and where the tutorial is wrong. The worker
//! sends typed reports; the words, in the page's language, are rendered here
//! (`annlab_core::scenario::words`), so switching language asks nothing of it.

pub mod callouts;
mod code;
pub mod compare;
pub mod figures;
pub mod intro;
mod output;
pub mod params;

use std::rc::Rc;

use annlab_core::scenario::{FigureId, Lang, ScenarioParams, StepId, StepReport, words};
use leptos::prelude::*;

use crate::cluster::ClusterRun;
use crate::cluster::nodes::ClusterNodes;
use crate::engine::Engine;
use crate::engine::protocol::{Request, Response};
use crate::page::form::{FieldError, Form};
use code::CodePanel;
use intro::LastRunAll;
pub use output::StepOutput;
use params::{DataBar, StepParams};

/// The latest report of each step, merged from every run.
pub fn merge_reports(all: &mut Vec<StepReport>, new: Vec<StepReport>) {
    for r in new {
        all.retain(|old| old.step != r.step);
        all.push(r);
    }
    all.sort_by_key(|r| r.step);
}

/// The message above the Run button when the form cannot run: the data's own
/// problem (n, dim, seed), or a pointer to the fields marked.
pub fn form_problem(errors: &[FieldError]) -> Option<String> {
    errors.first().map(|(field, message)| {
        if field.is_data() {
            message.clone()
        } else {
            "check the parameters marked above".to_owned()
        }
    })
}

#[component]
pub fn Tutorial(
    form: RwSignal<Form>,
    step: RwSignal<StepId>,
    overview: RwSignal<bool>,
    lang: RwSignal<Lang>,
    /// Step 3's toy (query point and nprobe), kept in the URL.
    toy: RwSignal<crate::toy::state::ToyState>,
) -> impl IntoView {
    let reports = RwSignal::new(Vec::<StepReport>::new());
    let busy = RwSignal::new(false);
    // Step 3's toy is built and drawn on the main thread: in a task of its own,
    // after the step's page, so that neither task grows long.
    let toy_shown = RwSignal::new(false);
    Effect::new(move |_| {
        if step.get() == StepId::Index {
            set_timeout(
                move || toy_shown.set(true),
                std::time::Duration::from_millis(0),
            );
        } else {
            toy_shown.set(false);
        }
    });
    let progress = RwSignal::new(None::<(usize, usize)>);
    let error = RwSignal::new(None::<String>);
    let field_errors = RwSignal::new(Vec::<FieldError>::new());
    // "Run all": the steps still to play, and the parameters they run with.
    let queue = RwSignal::new(Vec::<StepId>::new());
    let queue_params = RwSignal::new(None::<ScenarioParams>);
    // When the running Run all started (page clock, ms) and on what data; the
    // last complete one's wall time, kept in localStorage.
    let run_all_started = RwSignal::new(None::<(f64, usize, usize)>);
    let last_run_all = RwSignal::new(intro::load());
    // The monitoring exercise's latest metric snapshot.
    let live = RwSignal::new(None::<annlab_core::scenario::LiveSnapshot>);
    // The cluster exercise's query nodes, started once the engine worker has run
    // the exercise (its report carries the one-worker figure compared with).
    let cluster = RwSignal::new(None::<ClusterRun>);
    let nodes = ClusterNodes::new(cluster);
    let cluster_start = RwSignal::new(None::<(ScenarioParams, Option<f64>)>);
    let last_params = RwSignal::new(None::<ScenarioParams>);
    // The last report of each compared step per data kind (see `compare`).
    let kept = RwSignal::new(Vec::<(ScenarioParams, StepReport)>::new());
    let truth_nodes = nodes.clone();
    let engine: Rc<Engine> = Engine::start(move |response| match response {
        Response::Ready => {}
        Response::Progress { done, total } => progress.set(Some((done, total))),
        Response::Live(snapshot) => {
            progress.set(Some((snapshot.sent, snapshot.total)));
            live.set(Some(snapshot));
        }
        Response::Reports(new) => {
            let cluster_ran = new
                .iter()
                .find(|r| r.step == StepId::Cluster)
                .map(|r| r.get(FigureId::SequentialMs));
            if let Some(p) = last_params.get_untracked() {
                kept.update(|k| compare::keep(k, &p, &new));
            }
            reports.update(|all| merge_reports(all, new));
            match (cluster_ran, last_params.get_untracked()) {
                // Still busy: the query nodes run next.
                (Some(one_worker), Some(p)) => cluster_start.set(Some((p, one_worker))),
                _ => {
                    busy.set(false);
                    progress.set(None);
                }
            }
        }
        Response::Truth(truth) => truth_nodes.set_truth(truth),
        Response::ShardBuilt { .. } | Response::ShardHits { .. } => {}
        Response::Error(e) => {
            run_all_started.set(None);
            queue.set(Vec::new());
            error.set(Some(e));
            busy.set(false);
            progress.set(None);
        }
    });
    // Checks the parameters, showing each problem beside its field. The
    // language is not among them.
    let checked = move || match form.with_untracked(Form::parse) {
        Ok(p) => {
            field_errors.set(Vec::new());
            error.set(None);
            Some(p)
        }
        Err(errors) => {
            error.set(form_problem(&errors));
            field_errors.set(errors);
            None
        }
    };
    // Starts the query nodes and asks the engine worker for the exact answers.
    let cluster_engine = engine.clone();
    let start_nodes = nodes.clone();
    Effect::new(move |_| {
        let Some((params, one_worker)) = cluster_start.get() else {
            return;
        };
        cluster_start.set(None);
        progress.set(None);
        cluster_engine.send(Request::Truth {
            queries: (1..=params.n_queries).collect(),
            params: params.clone(),
        });
        start_nodes.start(&params, one_worker, move || {
            busy.set(false);
            progress.set(None);
        });
    });
    let run_engine = engine.clone();
    let run = move |_| {
        let Some(params) = checked() else { return };
        last_params.set(Some(params.clone()));
        busy.set(true);
        run_engine.send(Request::Run {
            step: step.get_untracked(),
            params,
        });
    };
    // Run all starts from a fresh engine, so that no step runs twice on the same
    // collections (a second insert would double the rows).
    let all_engine = engine.clone();
    let all_nodes = nodes.clone();
    let run_all = move |_| {
        let Some(params) = checked() else { return };
        all_nodes.stop();
        cluster.set(None);
        all_engine.restart();
        reports.set(Vec::new());
        live.set(None);
        run_all_started.set(Some((
            crate::page::url::now_ms(),
            params.data.n,
            params.data.dim,
        )));
        queue_params.set(Some(params));
        queue.set(StepId::ALL.to_vec());
    };
    // Plays the queue: whenever the worker is idle, open and run the next step.
    let play_engine = engine.clone();
    Effect::new(move |_| {
        if busy.get() {
            return;
        }
        let Some(next) = queue.with(|q| q.first().copied()) else {
            return;
        };
        let Some(params) = queue_params.get_untracked() else {
            return;
        };
        queue.update(|q| {
            q.remove(0);
        });
        overview.set(false);
        step.set(next);
        last_params.set(Some(params.clone()));
        busy.set(true);
        play_engine.send(Request::Run { step: next, params });
    });
    // A Run all is complete when its queue is empty and the worker (and the
    // cluster's query nodes) idle: its wall time is kept for the next visit.
    Effect::new(move |_| {
        if busy.get() || !queue.with(Vec::is_empty) {
            return;
        }
        if let Some((t0, n, dim)) = run_all_started.get_untracked() {
            run_all_started.set(None);
            let last = LastRunAll {
                seconds: (crate::page::url::now_ms() - t0) / 1000.0,
                n,
                dim,
            };
            intro::store(last);
            last_run_all.set(Some(last));
        }
    });
    let resolution = Memo::new(move |_| {
        reports.with(|all| {
            all.iter()
                .rev()
                .map(|r| r.clock_resolution_ms)
                .find(|&ms| ms > 0.0)
        })
    });
    let isolated = intro::cross_origin_isolated();
    let live_engine = engine.clone();
    let send_live = move |_| {
        let Some(params) = checked() else { return };
        busy.set(true);
        live_engine.send(Request::Live {
            count: crate::monitor::LIVE_QUERIES,
            params,
        });
    };
    let loaded = Memo::new(move |_| reports.with(|all| all.iter().any(|r| r.step == StepId::Load)));
    let cancel = move |_| {
        run_all_started.set(None);
        queue.set(Vec::new());
        nodes.stop();
        cluster.set(None);
        engine.restart();
        busy.set(false);
        progress.set(None);
        reports.set(Vec::new());
        live.set(None);
    };
    // The other data kind's report of the open step, when it ran with otherwise
    // equal parameters.
    let other = Memo::new(move |_| {
        let s = step.get();
        let p = last_params.get()?;
        kept.with(|k| compare::other_of(k, &p, s).cloned())
            .map(|o| (p.data.kind.other(), o))
    });
    let current = Memo::new(move |_| {
        let s = step.get();
        reports
            .with(|all| all.iter().find(|r| r.step == s).cloned())
            .map(|r| other.with(|o| compare::with_other(&r, o.as_ref().map(|o| &o.1))))
    });
    let kind = Memo::new(move |_| last_params.get().map(|p| p.data.kind).unwrap_or_default());

    view! {
        <section class="tutorial" data-testid="tutorial">
            <div class="intro" data-testid="intro">
                <h2>{move || if lang.get() == Lang::Zh { "Milvus 教程，一步一步真实运行" } else { "The Milvus tutorial, step by step, run for real" }}</h2>
                <p class="learn-title">{move || if lang.get() == Lang::Zh { "你将学到：" } else { "What you will learn:" }}</p>
                <ul class="learn" data-testid="learn">
                    {move || intro::learn(lang.get()).into_iter().map(|t| view! { <li>{t}</li> }).collect_view()}
                </ul>
                <div class="run-all-row">
                    <button class="run-all" data-testid="run-all" on:click=run_all disabled=move || busy.get()>
                        {move || match queue.with(Vec::len) {
                            0 => crate::tr(lang.get(), "全部运行", "Run all"),
                            left => crate::tr(lang.get(), &format!("全部运行：还剩 {left} 步"), &format!("Run all: {left} to go")),
                        }}
                    </button>
                    <span class="estimate" data-testid="run-all-estimate">{move || format!("({})", intro::estimate(last_run_all.get(), lang.get()))}</span>
                </div>
                <p class="clock" data-testid="clock-resolution">{move || intro::clock_text(resolution.get(), isolated, lang.get())}</p>
            </div>
            <div class="tutorial-bar">
                <label class="param">
                    <span>"语言 / language"</span>
                    <select
                        data-testid="lang"
                        prop:value=move || lang.get().key()
                        on:change=move |ev| lang.set(Lang::from_key(&event_target_value(&ev)).unwrap_or_default())
                    >
                        <option value="zh">"中文"</option>
                        <option value="en">"English"</option>
                    </select>
                </label>
                <DataBar form field_errors lang />
            </div>
            <div class="tutorial-body">
                <nav class="steps" data-testid="steps">
                    <button
                        class="step-link"
                        class:active=move || overview.get()
                        data-testid="step-architecture"
                        on:click=move |_| overview.set(true)
                    >
                        {move || if lang.get() == Lang::Zh { "0 Milvus 架构" } else { "0 Milvus's architecture" }}
                    </button>
                    {StepId::ALL.into_iter().map(|s| view! {
                        <button
                            class="step-link"
                            class:active=move || !overview.get() && step.get() == s
                            class:done=move || reports.with(|all| all.iter().any(|r| r.step == s))
                            data-testid=format!("step-{}", s.key())
                            on:click=move |_| {
                                overview.set(false);
                                step.set(s);
                            }
                        >
                            {move || format!("{} {}", s.number(), words::title(s, lang.get()))}
                        </button>
                    }).collect_view()}
                </nav>
                <div class="step-page" class:hidden=move || overview.get()>
                    <h3 data-testid="step-title">{move || format!("{} · {}", step.get().number(), words::title(step.get(), lang.get()))}</h3>
                    <p class="explain" data-testid="step-explanation">{move || words::explanation(step.get(), lang.get())}</p>
                    <div class="code-pair">
                        <CodePanel caption="pymilvus" testid="code-pymilvus" copy_testid="copy-pymilvus" code=Signal::derive(move || words::pymilvus_code(step.get()).to_owned()) lang />
                        <CodePanel caption="annlab (Rust)" testid="code-annlab" copy_testid="copy-annlab" code=Signal::derive(move || words::annlab_code(step.get()).to_owned()) lang />
                    </div>
                    <StepParams step form field_errors lang />
                    <div class="controls">
                        <button class="run" data-testid="run-step" on:click=run disabled=move || busy.get()>
                            {move || if busy.get() { crate::tr(lang.get(), "运行中…", "Running…") } else { crate::tr(lang.get(), "运行此步", "Run step") }}
                        </button>
                        <button class="cancel" data-testid="cancel" on:click=cancel disabled=move || !busy.get()>{move || crate::tr(lang.get(), "取消", "Cancel")}</button>
                        <progress
                            aria-label=move || crate::tr(lang.get(), "进度", "progress")
                            data-testid="progress"
                            max=move || progress.get().map_or(1, |p| p.1.max(1)) as f64
                            value=move || progress.get().map_or(0, |p| p.0) as f64
                            class:idle=move || progress.get().is_none()
                        ></progress>
                    </div>
                    <p class="error" data-testid="step-error" role="alert">{move || error.get()}</p>
                    <StepOutput current other kind lang />
                    <div class:hidden=move || step.get() != StepId::Monitoring>
                        {crate::monitor::monitor_panel(live, busy, loaded, lang, send_live)}
                    </div>
                    <div class:hidden=move || step.get() != StepId::Cluster>
                        {crate::cluster::view::cluster_panel(cluster, lang)}
                    </div>
                    {move || (step.get() == StepId::Index && toy_shown.get()).then(|| view! { <crate::toy::view::IndexToy state=toy lang /> })}
                </div>
                {move || overview.get().then(|| view! {
                    <div class="step-page">
                        <h3 data-testid="overview-title">
                            {move || if lang.get() == Lang::Zh { "0 · Milvus 的架构与 annlab" } else { "0 · Milvus's architecture and annlab" }}
                        </h3>
                        <crate::overview::Overview lang />
                    </div>
                })}
            </div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page::PageState;
    use crate::page::form::Field;
    use annlab_core::scenario::Param;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn reports_merge_by_step_in_tutorial_order() {
        let r = StepReport::new;
        let mut all = vec![r(StepId::Search)];
        merge_reports(&mut all, vec![r(StepId::Connect), r(StepId::Search)]);
        assert_eq!(
            all.iter().map(|r| r.step).collect::<Vec<_>>(),
            [StepId::Connect, StepId::Search]
        );
    }

    #[test]
    fn the_data_problem_is_stated_and_others_are_pointed_at() {
        let mut f = Form::default();
        f.set(Field::Dim, "0".into());
        let e = f.parse().unwrap_err();
        assert!(form_problem(&e).unwrap().contains("invalid dimension: 0"));
        let mut f = Form::default();
        f.set(Field::Tutorial(Param::Nlist), "0".into());
        let e = f.parse().unwrap_err();
        assert_eq!(
            form_problem(&e).as_deref(),
            Some("check the parameters marked above")
        );
        assert_eq!(form_problem(&[]), None);
    }

    /// Run sends the form's parameters; the language only picks the words the
    /// page renders the reports with. Two pages that differ only in language send
    /// equal parameters, and the worker keeps its scenario for equal parameters
    /// (`crate::engine::session`): switching language never rebuilds.
    #[test]
    fn switching_language_sends_the_same_parameters() {
        let page = |lang: &str| {
            PageState::from_query(
                vec![
                    ("n".into(), "2000".into()),
                    ("dim".into(), "64".into()),
                    ("lang".into(), lang.into()),
                ],
                Lang::Zh,
            )
        };
        let (zh, en) = (page("zh"), page("en"));
        assert_ne!(zh, en);
        assert_eq!(zh.form.parse(), en.form.parse());
        let step = StepId::Search;
        let run = |p: &PageState| Request::Run {
            step,
            params: p.form.parse().unwrap(),
        };
        assert_eq!(run(&zh), run(&en));
    }
}
