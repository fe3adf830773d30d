//! A code panel: the code wrapped to the panel's width (nothing cut off at the
//! right edge) and a copy button (`navigator.clipboard`) that says when it copied.

use annlab_core::scenario::Lang;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Copies `text` to the clipboard; resolves once it is there.
async fn write_clipboard(text: String) -> Result<(), wasm_bindgen::JsValue> {
    let navigator = web_sys::window()
        .ok_or_else(|| wasm_bindgen::JsValue::from_str("no window"))?
        .navigator();
    let clipboard = js_sys::Reflect::get(&navigator, &"clipboard".into())?;
    let write: js_sys::Function =
        js_sys::Reflect::get(&clipboard, &"writeText".into())?.dyn_into()?;
    let promise: js_sys::Promise = write.call1(&clipboard, &text.into())?.dyn_into()?;
    wasm_bindgen_futures::JsFuture::from(promise).await?;
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Copied {
    No,
    Yes,
    Failed,
}

/// One code panel with its caption and copy button (`copy_testid`).
#[component]
pub fn CodePanel(
    caption: &'static str,
    testid: &'static str,
    copy_testid: &'static str,
    code: Signal<String>,
    lang: RwSignal<Lang>,
) -> impl IntoView {
    let state = RwSignal::new(Copied::No);
    // A new step's code has not been copied.
    Effect::new(move |_| {
        code.track();
        state.set(Copied::No);
    });
    let copy = move |_| {
        let text = code.get_untracked();
        leptos::task::spawn_local(async move {
            let ok = write_clipboard(text).await.is_ok();
            state.set(if ok { Copied::Yes } else { Copied::Failed });
        });
    };
    let label = move || {
        let zh = lang.get() == Lang::Zh;
        match (state.get(), zh) {
            (Copied::No, true) => "复制",
            (Copied::No, false) => "Copy",
            (Copied::Yes, true) => "已复制 ✓",
            (Copied::Yes, false) => "Copied ✓",
            (Copied::Failed, true) => "无法复制",
            (Copied::Failed, false) => "Copy failed",
        }
    };
    view! {
        <figure class="code-panel">
            <figcaption>
                <span>{caption}</span>
                <button
                    class="copy"
                    data-testid=copy_testid
                    class:copied=move || state.get() == Copied::Yes
                    on:click=copy
                >
                    <span aria-live="polite">{label}</span>
                    <span class="sr-only">{format!(" {caption}")}</span>
                </button>
            </figcaption>
            <pre data-testid=testid><code>{move || code.get()}</code></pre>
        </figure>
    }
}
