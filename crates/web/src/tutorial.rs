//! The tutorial, step by step: pick a step, read what it does and its code, run it
//! in the engine worker, read what the tutorial's script would print with the
//! numbers measured in this tab, and where the tutorial is wrong.

use std::rc::Rc;

use annlab_core::DataSpec;
use annlab_core::scenario::{Lang, ScenarioParams, StepId, StepReport, texts};
use leptos::prelude::*;

use crate::engine::Engine;
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

/// The scenario parameters for the form's n, dim and seed (the tutorial's values
/// for everything else).
pub fn params_for(form: &Form, lang: Lang) -> Result<ScenarioParams, String> {
    let p = form.parse().map_err(|e| e.message)?;
    Ok(ScenarioParams {
        data: DataSpec { ..p.data },
        lang,
        ..ScenarioParams::default()
    })
}

#[component]
pub fn Tutorial(
    form: RwSignal<Form>,
    step: RwSignal<StepId>,
    lang: RwSignal<Lang>,
) -> impl IntoView {
    let reports = RwSignal::new(Vec::<StepReport>::new());
    let busy = RwSignal::new(false);
    let progress = RwSignal::new(None::<(usize, usize)>);
    let error = RwSignal::new(None::<String>);
    let engine: Rc<Engine> = Engine::start(move |response| match response {
        Response::Ready => {}
        Response::Progress { done, total } => progress.set(Some((done, total))),
        Response::Reports(new) => {
            reports.update(|all| merge_reports(all, new));
            busy.set(false);
            progress.set(None);
        }
        Response::Error(e) => {
            error.set(Some(e));
            busy.set(false);
            progress.set(None);
        }
    });
    let run_engine = engine.clone();
    let run = move |_| {
        let params = match params_for(&form.get_untracked(), lang.get_untracked()) {
            Ok(p) => p,
            Err(e) => {
                error.set(Some(e));
                return;
            }
        };
        error.set(None);
        busy.set(true);
        run_engine.send(Request::Run {
            step: step.get_untracked(),
            params,
        });
    };
    let cancel = move |_| {
        engine.restart();
        busy.set(false);
        progress.set(None);
        reports.set(Vec::new());
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
            <div class="tutorial-body">
                <nav class="steps" data-testid="steps">
                    {StepId::ALL.into_iter().map(|s| view! {
                        <button
                            class="step-link"
                            class:active=move || step.get() == s
                            class:done=move || reports.with(|all| all.iter().any(|r| r.step == s))
                            data-testid=format!("step-{}", s.key())
                            on:click=move |_| step.set(s)
                        >
                            {move || format!("{} {}", s.number(), s.title(lang.get()))}
                        </button>
                    }).collect_view()}
                </nav>
                <div class="step-page">
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
                    {move || (step.get() == StepId::Index).then(|| view! { <crate::toy_view::IndexToy /> })}
                </div>
            </div>
        </section>
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
            {move || current.get().map(|r| crate::figures::callouts(&r, lang.get()).into_iter().map(|c| view! {
                <p class="note callout" data-testid=c.testid>{c.text}</p>
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
        f.set(crate::state::Field::N, "500".into());
        let p = params_for(&f, Lang::En).unwrap();
        assert_eq!(p.data.n, 500);
        assert_eq!(p.lang, Lang::En);
        assert_eq!(p.m, 16);
        f.set(crate::state::Field::Dim, "0".into());
        assert!(params_for(&f, Lang::Zh).is_err());
    }
}
