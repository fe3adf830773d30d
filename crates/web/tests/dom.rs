//! The page mounted in headless Chromium: type parameters, click Run, read the table.
#![cfg(target_arch = "wasm32")]

use annlab_core::{DataSpec, QuickstartParams, quickstart};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

fn by_testid(root: &Element, id: &str) -> Element {
    root.query_selector(&format!("[data-testid='{id}']"))
        .unwrap()
        .unwrap_or_else(|| panic!("no element with data-testid={id}"))
}

fn type_into(root: &Element, id: &str, value: &str) {
    let input: HtmlInputElement = by_testid(root, id).dyn_into().unwrap();
    input.set_value(value);
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let ev = web_sys::Event::new_with_event_init_dict("input", &init).unwrap();
    input.dispatch_event(&ev).unwrap();
}

async fn sleep_ms(ms: i32) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(p).await.unwrap();
}

/// Waits (bounded) until `cond` holds.
async fn wait_for(mut cond: impl FnMut() -> bool) -> bool {
    for _ in 0..200 {
        if cond() {
            return true;
        }
        sleep_ms(25).await;
    }
    false
}

fn mount_fresh() -> Element {
    let host = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&host).unwrap();
    let handle = leptos::mount::mount_to(host.clone().dyn_into().unwrap(), annlab_web::App);
    handle.forget();
    host
}

#[wasm_bindgen_test]
async fn run_fills_the_table_with_the_engine_results() {
    let root = mount_fresh();
    type_into(&root, "param-n", "400");
    type_into(&root, "param-dim", "32");
    type_into(&root, "param-seed", "9");
    by_testid(&root, "run")
        .dyn_into::<HtmlElement>()
        .unwrap()
        .click();

    let rows = || {
        root.query_selector_all("[data-testid='hit']")
            .unwrap()
            .length()
    };
    assert!(wait_for(|| rows() == 10).await, "table never filled");

    let expected = quickstart::run(&QuickstartParams {
        data: DataSpec {
            n: 400,
            dim: 32,
            seed: 9,
        },
        k: 10,
    })
    .unwrap();
    let list = root.query_selector_all("[data-testid='hit']").unwrap();
    for (i, hit) in expected.iter().enumerate() {
        let row: Element = list.item(i as u32).unwrap().dyn_into().unwrap();
        let cells: Vec<String> = (0..5)
            .map(|c| row.children().item(c).unwrap().text_content().unwrap())
            .collect();
        assert_eq!(cells[0], hit.rank.to_string());
        assert_eq!(cells[1], hit.id.to_string());
        assert_eq!(cells[2], format!("{:.4}", hit.score));
        assert_eq!(cells[3], hit.text);
        assert_eq!(cells[4], hit.source);
    }
    let summary = by_testid(&root, "summary").text_content().unwrap();
    assert!(summary.contains("n = 400, dim = 32, seed = 9"), "{summary}");
}

#[wasm_bindgen_test]
async fn invalid_parameters_are_shown_inline_and_nothing_runs() {
    let root = mount_fresh();
    type_into(&root, "param-dim", "40000");
    by_testid(&root, "run")
        .dyn_into::<HtmlElement>()
        .unwrap()
        .click();
    let msg = || {
        by_testid(&root, "param-dim-error")
            .text_content()
            .unwrap_or_default()
    };
    assert!(wait_for(|| !msg().is_empty()).await, "no inline error");
    assert!(msg().contains("1 ~ 32768"), "{}", msg());
    assert_eq!(
        root.query_selector_all("[data-testid='hit']")
            .unwrap()
            .length(),
        0
    );
}
