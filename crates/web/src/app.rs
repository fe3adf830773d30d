//! The page: the tutorial, opened on the step the URL names (step 1 by default).
//! Every number shown comes from the engine's worker or from the page's own
//! clock; nothing computes on the main thread but step 3's small toy.

use leptos::prelude::*;

use crate::page::{PageState, url};

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let initial = url::read_state();
    let form = RwSignal::new(initial.form);
    let step = RwSignal::new(initial.step);
    let overview = RwSignal::new(initial.overview);
    let lang = RwSignal::new(initial.lang);
    let toy = RwSignal::new(initial.toy);
    // Every change is reflected in the URL, so a link reproduces the page.
    Effect::new(move |_| {
        url::write_state(&PageState {
            form: form.get(),
            step: step.get(),
            overview: overview.get(),
            lang: lang.get(),
            toy: toy.get(),
        })
    });
    view! {
        <header class="topbar">
            <h1>"annlab" <span class="subtitle">" · Milvus 教程实验室 · vector search lab"</span></h1>
        </header>
        <main class="page">
            <crate::steps::Tutorial form step overview lang toy />
        </main>
    }
}
