//! The tutorial, step by step: pick a step, read what it does and its code, run it
//! in the engine worker, read what the tutorial's script would print with the
//! numbers measured in this tab, and where the tutorial is wrong.

use std::rc::Rc;

use annlab_core::DataSpec;
use annlab_core::scenario::{Lang, Param, ScenarioParams, StepId, StepReport, texts};
use leptos::prelude::*;

use crate::cluster::ClusterRun;
use crate::cluster_nodes::ClusterNodes;
use crate::engine::Engine;
use crate::params::{FIELDS, TutorialForm};
use crate::protocol::{Request, Response};
use crate::state::Form;

/// The latest report of each step, merged from every run.
pub fn merge_reports(all: &mut Vec<StepReport>, new: Vec<StepReport>) {
    for r in new {
        all.retain(|old| old.step != r.step);
        all.push(r);
    }
    all.sort_by_key(|r| r.step);
}

/// Why the parameters cannot run: a page-level message (n, dim, seed) or one
/// message per tutorial parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum ParamsError {
    Data(String),
    Fields(Vec<(Param, String)>),
}

/// The scenario parameters for the form's n, dim and seed and the tutorial form's
/// values, checked by the engine.
pub fn params_for(
    form: &Form,
    tutorial: &TutorialForm,
    lang: Lang,
) -> Result<ScenarioParams, ParamsError> {
    let p = form.parse().map_err(|e| ParamsError::Data(e.message))?;
    tutorial
        .apply(ScenarioParams {
            data: DataSpec { ..p.data },
            lang,
            ..ScenarioParams::default()
        })
        .map_err(ParamsError::Fields)
}

#[component]
pub fn Tutorial(
    form: RwSignal<Form>,
    tutorial: RwSignal<TutorialForm>,
    step: RwSignal<StepId>,
    overview: RwSignal<bool>,
    lang: RwSignal<Lang>,
    /// Step 3's toy (query point and nprobe), kept in the URL.
    toy: RwSignal<crate::toy_state::ToyState>,
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
    let field_errors = RwSignal::new(Vec::<(Param, String)>::new());
    // "Run all": the steps still to play, and the parameters they run with.
    let queue = RwSignal::new(Vec::<StepId>::new());
    let queue_params = RwSignal::new(None::<ScenarioParams>);
    // The monitoring exercise's latest metric snapshot.
    let live = RwSignal::new(None::<annlab_core::scenario::LiveSnapshot>);
    // The cluster exercise's query nodes, started once the engine worker has run
    // the exercise (its report carries the one-worker figure compared with).
    let cluster = RwSignal::new(None::<ClusterRun>);
    let nodes = ClusterNodes::new(cluster);
    let cluster_start = RwSignal::new(None::<(ScenarioParams, Option<f64>)>);
    let last_params = RwSignal::new(None::<ScenarioParams>);
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
                .map(|r| r.get("sequential_ms"));
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
            queue.set(Vec::new());
            error.set(Some(e));
            busy.set(false);
            progress.set(None);
        }
    });
    // Checks the parameters, showing each problem beside its field.
    let checked = move || {
        let result = params_for(
            &form.get_untracked(),
            &tutorial.get_untracked(),
            lang.get_untracked(),
        );
        field_errors.set(match &result {
            Err(ParamsError::Fields(f)) => f.clone(),
            _ => Vec::new(),
        });
        match result {
            Ok(p) => {
                error.set(None);
                Some(p)
            }
            Err(ParamsError::Data(e)) => {
                error.set(Some(e));
                None
            }
            Err(ParamsError::Fields(_)) => {
                error.set(Some("check the parameters marked above".into()));
                None
            }
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
        queue.set(Vec::new());
        nodes.stop();
        cluster.set(None);
        engine.restart();
        busy.set(false);
        progress.set(None);
        reports.set(Vec::new());
        live.set(None);
    };
    let current = Memo::new(move |_| {
        let s = step.get();
        reports.with(|all| all.iter().find(|r| r.step == s).cloned())
    });

    view! {
        <section class="tutorial" data-testid="tutorial">
            <h2>"Milvus 教程 · The tutorial, step by step"</h2>
            <div class="tutorial-bar">
                <label class="param">
                    <span>"语言 / language"</span>
                    <select
                        data-testid="lang"
                        prop:value=move || crate::state::lang_key(lang.get())
                        on:change=move |ev| lang.set(if event_target_value(&ev) == "en" { Lang::En } else { Lang::Zh })
                    >
                        <option value="zh">"中文"</option>
                        <option value="en">"English"</option>
                    </select>
                </label>
            </div>
            <ParamsPanel tutorial field_errors />
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
                            {move || format!("{} {}", s.number(), s.title(lang.get()))}
                        </button>
                    }).collect_view()}
                </nav>
                <div class="step-page" class:hidden=move || overview.get()>
                    <h3 data-testid="step-title">{move || format!("{} · {}", step.get().number(), step.get().title(lang.get()))}</h3>
                    <p class="explain" data-testid="step-explanation">{move || texts::explanation(step.get(), lang.get())}</p>
                    <div class="code-pair">
                        <figure>
                            <figcaption>"pymilvus"</figcaption>
                            <pre data-testid="code-pymilvus"><code>{move || texts::pymilvus_code(step.get())}</code></pre>
                        </figure>
                        <figure>
                            <figcaption>"annlab (Rust)"</figcaption>
                            <pre data-testid="code-annlab"><code>{move || texts::annlab_code(step.get())}</code></pre>
                        </figure>
                    </div>
                    <div class="controls">
                        <button class="run" data-testid="run-step" on:click=run disabled=move || busy.get()>
                            {move || if busy.get() { "Running…" } else { "Run step" }}
                        </button>
                        <button class="run-all" data-testid="run-all" on:click=run_all disabled=move || busy.get()>
                            {move || if queue.with(|q| q.is_empty()) { "Run all".to_owned() } else { format!("Run all: {} to go", queue.with(Vec::len)) }}
                        </button>
                        <button class="cancel" data-testid="cancel" on:click=cancel disabled=move || !busy.get()>"Cancel"</button>
                        <progress
                            data-testid="progress"
                            max=move || progress.get().map_or(1, |p| p.1.max(1)) as f64
                            value=move || progress.get().map_or(0, |p| p.0) as f64
                            class:idle=move || progress.get().is_none()
                        ></progress>
                    </div>
                    <p class="error" data-testid="step-error" role="alert">{move || error.get()}</p>
                    <StepOutput current lang />
                    <div class:hidden=move || step.get() != StepId::Monitoring>
                        {crate::monitor::monitor_panel(live, busy, loaded, lang, send_live)}
                    </div>
                    <div class:hidden=move || step.get() != StepId::Cluster>
                        {crate::cluster_view::cluster_panel(cluster, lang)}
                    </div>
                    {move || (step.get() == StepId::Index && toy_shown.get()).then(|| view! { <crate::toy_view::IndexToy state=toy /> })}
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

/// The tutorial's parameters, each with the engine's message when it is refused.
#[component]
fn ParamsPanel(
    tutorial: RwSignal<TutorialForm>,
    field_errors: RwSignal<Vec<(Param, String)>>,
) -> impl IntoView {
    view! {
        <fieldset class="tutorial-params" data-testid="tutorial-params">
            <legend>"参数 / parameters (the tutorial's values by default; checked by the engine with Milvus's messages)"</legend>
            <div class="controls">
                {FIELDS.into_iter().map(|(param, key, label)| {
                    let id = format!("param-{key}");
                    let message = move || field_errors.with(|e| e.iter().find(|e| e.0 == param).map(|e| e.1.clone()));
                    view! {
                        <label class="param" class:wide=param == Param::Filter for=id.clone()>
                            <span>{label}</span>
                            <input
                                id=id.clone()
                                data-testid=id.clone()
                                type="text"
                                prop:value=move || tutorial.with(|f| f.get(param).to_owned())
                                on:input=move |ev| tutorial.update(|f| f.set(param, event_target_value(&ev)))
                                aria-invalid=move || message().is_some().to_string()
                            />
                            <span class="field-error" data-testid=format!("{id}-error")>{message}</span>
                        </label>
                    }
                }).collect_view()}
            </div>
        </fieldset>
    }
}

/// What the step printed, its corrections and its result table.
#[component]
fn StepOutput(current: Memo<Option<StepReport>>, lang: RwSignal<Lang>) -> impl IntoView {
    view! {
        <div class="step-output">
            <pre class="console" data-testid="output">
                {move || current.get().map(|r| r.lines.join("\n")).unwrap_or_default()}
            </pre>
            {move || current.get().map(|r| crate::callouts::callouts(&r, lang.get()).into_iter().map(|c| view! {
                <div class="note callout" data-testid=c.testid>
                    {c.share.map(|f| view! {
                        <div class="share-bar" title=format!("{:.1}%", f * 100.0)>
                            <span style=format!("width:{:.2}%", f * 100.0)></span>
                        </div>
                    })}
                    <p>{c.text}</p>
                </div>
            }).collect_view())}
            <div class="charts" data-testid="charts">
                {move || current.get().map(|r| crate::figures::charts(&r, lang.get()).into_iter().map(|spec| view! {
                    <crate::charts::view::Chart spec />
                }).collect_view())}
            </div>
            <div data-testid="corrections">
                {move || current.get().map(|r| r.corrections.into_iter().map(|c| view! {
                    <div class="note correction">
                        <p><strong>"教程写道 / the tutorial says: "</strong>{c.tutorial}</p>
                        <p><strong>"实测 / measured: "</strong>{c.measured}</p>
                    </div>
                }).collect_view())}
            </div>
            {move || current.get().filter(|r| !r.hits.is_empty()).map(|r| view! {
                <table class="hits" data-testid="step-hits">
                    <thead><tr><th>"rank"</th><th>"id"</th><th>"score"</th><th>"text"</th><th>"source"</th><th>"in exact top-10"</th></tr></thead>
                    <tbody>
                        {r.hits.into_iter().map(|h| view! {
                            <tr>
                                <td>{h.rank}</td>
                                <td class="num">{h.id}</td>
                                <td class="num">{format!("{:.4}", h.score)}</td>
                                <td>{h.text}</td>
                                <td>{h.source}</td>
                                <td>{if h.in_exact_top_k { "✓" } else { "–" }}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            })}
            {move || current.get().and_then(|r| r.text).map(|t| view! { <pre class="console" data-testid="step-text">{t}</pre> })}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn reports_merge_by_step_in_tutorial_order() {
        let r = |s| StepReport::new(s, "t");
        let mut all = vec![r(StepId::Search)];
        merge_reports(&mut all, vec![r(StepId::Connect), r(StepId::Search)]);
        assert_eq!(
            all.iter().map(|r| r.step).collect::<Vec<_>>(),
            [StepId::Connect, StepId::Search]
        );
    }

    #[test]
    fn params_follow_the_form() {
        let mut f = Form::default();
        f.set(crate::state::Field::N, "5000".into());
        let mut t = TutorialForm::default();
        let p = params_for(&f, &t, Lang::En).unwrap();
        assert_eq!(p.data.n, 5000);
        assert_eq!(p.lang, Lang::En);
        assert_eq!(p.m, 16);
        t.set(Param::Nlist, "0".into());
        assert!(matches!(
            params_for(&f, &t, Lang::En),
            Err(ParamsError::Fields(e)) if e[0].0 == Param::Nlist
        ));
        f.set(crate::state::Field::Dim, "0".into());
        assert!(matches!(
            params_for(&f, &t, Lang::Zh),
            Err(ParamsError::Data(_))
        ));
    }
}
