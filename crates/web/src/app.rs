//! The page: thin components over [`crate::state`]. Every number shown comes from the
//! engine (`annlab-core`) or from the page's own clock.

use std::time::Duration;

use annlab_core::quickstart;
use leptos::prelude::*;

use crate::state::{Field, Form, FormError, Outcome, PageState};
use crate::url;

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let initial = url::read_state();
    let form = RwSignal::new(initial.form);
    let tutorial = RwSignal::new(initial.tutorial);
    let step = RwSignal::new(initial.step);
    let overview = RwSignal::new(initial.overview);
    let lang = RwSignal::new(initial.lang);
    let toy = RwSignal::new(initial.toy);
    // Every change is reflected in the URL, so a link reproduces the page.
    Effect::new(move |_| {
        url::write_state(&PageState {
            form: form.get(),
            tutorial: tutorial.get(),
            step: step.get(),
            overview: overview.get(),
            lang: lang.get(),
            toy: toy.get(),
        })
    });
    let outcome = RwSignal::new(None::<Outcome>);
    let error = RwSignal::new(None::<FormError>);
    let running = RwSignal::new(false);

    let run = move |_| {
        let params = match form.with_untracked(Form::parse) {
            Ok(p) => p,
            Err(e) => {
                error.set(Some(e));
                return;
            }
        };
        error.set(None);
        running.set(true);
        // Let the browser paint "running" before the engine takes the thread.
        set_timeout(
            move || {
                let start = url::now_ms();
                let result = quickstart::run(&params);
                let elapsed_ms = url::now_ms() - start;
                match result {
                    Ok(hits) => outcome.set(Some(Outcome {
                        params,
                        hits,
                        elapsed_ms,
                    })),
                    Err(e) => error.set(Some(FormError {
                        field: None,
                        message: e.to_string(),
                    })),
                }
                running.set(false);
            },
            Duration::from_millis(10),
        );
    };

    view! {
        <header class="topbar">
            <h1>"annlab" <span class="subtitle">" · Milvus 教程实验室 · vector search lab"</span></h1>
        </header>
        <main class="page">
            <section class="step">
                <h2>"Step 7 · 查询测试 / Exact top-10 search"</h2>
                <p class="explain">
                    "Generates the tutorial's data in your tab (n standard-normal vectors of \
                     dimension dim, normalised to unit length, seeded) and finds the 10 vectors \
                     most similar to one random query by COSINE similarity, scanning every vector \
                     (exact search, no index yet)."
                </p>
                <div class="controls">
                    <NumberField form error field=Field::N label="n (vectors)" />
                    <NumberField form error field=Field::Dim label="dim" />
                    <NumberField form error field=Field::Seed label="seed" />
                    <button
                        data-testid="run"
                        class="run"
                        on:click=run
                        disabled=move || running.get()
                    >
                        {move || if running.get() { "Running…" } else { "Run" }}
                    </button>
                </div>
                <p class="error" data-testid="error" role="alert">
                    {move || error.get().filter(|e| e.field.is_none()).map(|e| e.message)}
                </p>
                <Results outcome />
            </section>
            <crate::tutorial::Tutorial form tutorial step overview lang toy />
        </main>
    }
}

/// One numeric parameter with its inline validation message.
#[component]
fn NumberField(
    form: RwSignal<Form>,
    error: RwSignal<Option<FormError>>,
    field: Field,
    label: &'static str,
) -> impl IntoView {
    let id = format!("param-{}", field.key());
    let message = move || {
        error
            .get()
            .filter(|e| e.field == Some(field))
            .map(|e| e.message)
    };
    view! {
        <label class="param" for=id.clone()>
            <span>{label}</span>
            <input
                id=id.clone()
                data-testid=id.clone()
                type="text"
                inputmode="numeric"
                prop:value=move || form.with(|f| f.get(field).to_owned())
                on:input=move |ev| form.update(|f| f.set(field, event_target_value(&ev)))
                aria-invalid=move || message().is_some().to_string()
            />
            <span class="field-error" data-testid=format!("{id}-error")>{message}</span>
        </label>
    }
}

/// The top-k table and the measured time.
#[component]
fn Results(outcome: RwSignal<Option<Outcome>>) -> impl IntoView {
    view! {
        <div class="results" data-testid="results">
            {move || match outcome.get() {
                None => view! { <p class="hint">"Press Run to search."</p> }.into_any(),
                Some(o) => {
                    let note = score_note(&o);
                    view! {
                    <p class="summary" data-testid="summary">
                        {format!(
                            "n = {}, dim = {}, seed = {}: generated and searched in {:.1} ms (measured in this tab)",
                            o.params.data.n, o.params.data.dim, o.params.data.seed, o.elapsed_ms
                        )}
                    </p>
                    <table class="hits">
                        <thead>
                            <tr><th>"rank"</th><th>"id"</th><th>"score (COSINE)"</th><th>"text"</th><th>"source"</th></tr>
                        </thead>
                        <tbody>
                            {o.hits.into_iter().map(|h| view! {
                                <tr data-testid="hit">
                                    <td>{h.rank}</td>
                                    <td class="num">{h.id}</td>
                                    <td class="num">{format!("{:.4}", h.score)}</td>
                                    <td>{h.text}</td>
                                    <td>{h.source}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                    <p class="note" data-testid="score-note">{note}</p>
                }.into_any()
                }
            }}
        </div>
    }
}

/// Puts the measured top score beside what theory predicts for random unit vectors
/// and beside the tutorial's printed 0.92.
fn score_note(o: &Outcome) -> String {
    let top = o.hits.first().map_or(0.0, |h| h.score);
    let expected = crate::state::expected_top_score(o.params.data.n, o.params.data.dim);
    format!(
        "Measured top score: {top:.4}. Random unit vectors in {} dimensions are nearly \
         orthogonal: the best of {} is expected near √(2·ln n / dim) ≈ {expected:.3}. \
         The tutorial's sample output prints 0.92, which random data cannot produce.",
        o.params.data.dim, o.params.data.n
    )
}
