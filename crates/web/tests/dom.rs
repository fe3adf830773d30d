//! The page and its parts mounted in headless Chromium: type parameters, click,
//! switch language, read what is drawn.
#![cfg(target_arch = "wasm32")]

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
async fn invalid_data_is_shown_inline_and_nothing_runs() {
    let root = mount_fresh();
    assert!(
        root.query_selector("[data-testid='run']")
            .unwrap()
            .is_none(),
        "no quick start: the page opens on the tutorial"
    );
    type_into(&root, "param-dim", "40000");
    click(&root, "run-step");
    let msg = || {
        by_testid(&root, "param-dim-error")
            .text_content()
            .unwrap_or_default()
    };
    assert!(wait_for(|| !msg().is_empty()).await, "no inline error");
    assert!(msg().contains("1 ~ 32768"), "{}", msg());
    assert!(
        by_testid(&root, "output")
            .text_content()
            .unwrap()
            .is_empty()
    );
}

#[wasm_bindgen_test]
async fn switching_language_renders_the_same_report_in_other_words() {
    use annlab_core::scenario::{Lang, Line, StepId, StepReport};
    use leptos::prelude::*;
    let mut r = StepReport::new(StepId::Search);
    r.header();
    r.line(Line::SearchLatency { ms: 0.9 });
    let lang = RwSignal::new(Lang::Zh);
    let root = mount_view(move || {
        let current = Memo::new(move |_| Some(r.clone()));
        let other = Memo::new(|_| None);
        let kind = Memo::new(|_| annlab_core::dataset::DataKind::Random);
        view! { <annlab_web::steps::StepOutput current other kind lang /> }
    });
    let output = || by_testid(&root, "output").text_content().unwrap();
    assert!(output().contains("查询测试"), "{}", output());
    assert!(output().ends_with("查询延迟: 0.90ms"), "{}", output());
    lang.set(Lang::En);
    assert!(
        wait_for(|| output().ends_with("Search latency: 0.90ms")).await,
        "{}",
        output()
    );
    assert!(output().contains("Single search"));
}

fn click(root: &Element, id: &str) {
    by_testid(root, id)
        .dyn_into::<HtmlElement>()
        .unwrap()
        .click();
}

fn mount_view<V: leptos::IntoView + 'static>(f: impl FnOnce() -> V + 'static) -> Element {
    let host = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&host).unwrap();
    leptos::mount::mount_to(host.clone().dyn_into().unwrap(), f).forget();
    host
}

#[wasm_bindgen_test]
fn a_chart_draws_every_measured_point_on_labelled_axes() {
    use annlab_core::scenario::{StepId, StepReport, SweepPoint};
    let mut r = StepReport::new(StepId::IvfPq);
    for (index, value, recall, qps) in [
        ("FLAT", 0, 1.0, 90.0),
        ("HNSW", 16, 0.7, 30_000.0),
        ("HNSW", 64, 0.95, 12_000.0),
        ("IVF_PQ", 4, 0.35, 15_000.0),
    ] {
        r.sweep.push(SweepPoint {
            index: index.into(),
            param: "ef".into(),
            value,
            latency_ms: 1000.0 / qps,
            qps,
            recall,
            memory_bytes: 1 << 20,
            reps: 1,
            unresolved: false,
        });
    }
    let specs = annlab_web::steps::figures::charts(&r, annlab_core::scenario::Lang::En);
    let spec = specs[0].clone();
    let root = mount_view(move || leptos::view! { <annlab_web::charts::view::Chart spec /> });
    let chart = by_testid(&root, "chart-recall-qps");
    assert_eq!(chart.query_selector_all("circle.dot").unwrap().length(), 4);
    assert_eq!(
        chart
            .query_selector_all("polyline.series")
            .unwrap()
            .length(),
        1
    );
    let labels = chart.query_selector_all("text.axis-label").unwrap();
    let text = |i| labels.item(i).unwrap().text_content().unwrap();
    assert_eq!(text(0), "recall@10");
    assert!(text(1).contains("QPS"), "{}", text(1));
    let ticks = chart.text_content().unwrap();
    assert!(ticks.contains("10,000"), "{ticks}");
    assert_eq!(chart.query_selector_all(".legend li").unwrap().length(), 3);
}

#[wasm_bindgen_test]
async fn the_toy_draws_each_hnsw_layer_and_follows_nprobe() {
    use annlab_core::toy::{Toy, ToyParams};
    let layers = Toy::new(ToyParams::default()).unwrap().layers();
    use annlab_web::toy::state::ToyState;
    use leptos::prelude::*;
    let state = RwSignal::new(ToyState::default());
    let lang = RwSignal::new(annlab_core::scenario::Lang::En);
    let root = mount_view(move || {
        view! { <annlab_web::toy::view::IndexToy state lang /> }
    });
    assert_eq!(
        root.query_selector_all("[data-testid^='toy-hnsw-layer-']")
            .unwrap()
            .length() as usize,
        layers
    );
    let stats = || by_testid(&root, "toy-stats").text_content().unwrap();
    assert!(stats().contains("nprobe=2"), "{}", stats());
    type_into(&root, "toy-nprobe", "5");
    assert!(
        wait_for(|| stats().contains("nprobe=5 scans 5 lists")).await,
        "{}",
        stats()
    );
    assert!(
        root.query_selector_all("[data-testid='toy-ivf'] .probed")
            .unwrap()
            .length()
            > 0
    );
    // The state the page keeps in the URL follows.
    assert!(wait_for(|| state.get_untracked().nprobe == 5).await);
}

#[wasm_bindgen_test]
async fn tutorial_parameters_show_the_engines_message_inline() {
    let root = mount_fresh();
    type_into(&root, "param-M", "5000");
    click(&root, "run-step");
    let msg = || {
        by_testid(&root, "param-M-error")
            .text_content()
            .unwrap_or_default()
    };
    assert!(wait_for(|| !msg().is_empty()).await, "no inline error");
    assert!(msg().contains("M out of range: [1, 2048]"), "{}", msg());
}

#[wasm_bindgen_test]
async fn the_architecture_overview_maps_milvus_to_annlab() {
    let root = mount_fresh();
    click(&root, "step-architecture");
    let found = || {
        root.query_selector("[data-testid='arch-etcd']")
            .unwrap()
            .is_some()
    };
    assert!(wait_for(found).await, "no overview");
    assert_eq!(
        root.query_selector_all("[data-testid='architecture'] tbody tr")
            .unwrap()
            .length(),
        8
    );
}

#[wasm_bindgen_test]
async fn the_monitoring_panel_follows_each_snapshot() {
    use annlab_core::scenario::{Lang, LiveSnapshot};
    use leptos::prelude::*;
    let snapshot = RwSignal::new(None::<LiveSnapshot>);
    let busy = RwSignal::new(false);
    let lang = RwSignal::new(Lang::En);
    let clicks = RwSignal::new(0);
    let root = mount_view(move || {
        let loaded = Memo::new(|_| false);
        annlab_web::monitor::monitor_panel(snapshot, busy, loaded, lang, move |_| {
            clicks.update(|c| *c += 1)
        })
    });
    assert!(
        by_testid(&root, "monitor-needs")
            .text_content()
            .unwrap()
            .contains("not loaded")
    );
    let send: HtmlElement = by_testid(&root, "monitor-send").dyn_into().unwrap();
    send.click();
    assert_eq!(clicks.get_untracked(), 1);
    assert!(
        root.query_selector("[data-testid='monitor-counters']")
            .unwrap()
            .is_none()
    );
    let mut counts = vec![0; 15];
    counts[0] = 30;
    counts[3] = 10;
    snapshot.set(Some(LiveSnapshot {
        sent: 40,
        total: 200,
        requests: 40,
        vectors: 40,
        seconds: 0.0125,
        counts,
        prometheus: "annlab_search_requests_total{} 40\n".into(),
    }));
    assert!(
        wait_for(|| root
            .query_selector("[data-testid='monitor-counters']")
            .unwrap()
            .is_some())
        .await
    );
    assert_eq!(
        by_testid(&root, "monitor-requests").text_content().unwrap(),
        "40"
    );
    assert_eq!(
        by_testid(&root, "monitor-sent").text_content().unwrap(),
        "40 / 200"
    );
    let chart = by_testid(&root, "chart-live-latency");
    assert_eq!(chart.query_selector_all("rect.bar").unwrap().length(), 4);
    assert!(
        by_testid(&root, "monitor-prometheus")
            .text_content()
            .unwrap()
            .contains("} 40")
    );
}

#[wasm_bindgen_test]
async fn the_cluster_panel_draws_each_node_and_the_measured_latency() {
    use annlab_core::clock::StepClock;
    use annlab_core::scenario::Lang;
    use annlab_web::cluster::ClusterRun;
    use leptos::prelude::*;
    let run = RwSignal::new(None::<ClusterRun>);
    let lang = RwSignal::new(Lang::En);
    let root = mount_view(move || annlab_web::cluster::view::cluster_panel(run, lang));
    assert!(
        root.query_selector("[data-testid='cluster']")
            .unwrap()
            .is_none()
    );
    let clock = StepClock::new(1.0);
    let mut r = ClusterRun::new(3, 1);
    run.set(Some(r.clone()));
    assert!(
        wait_for(|| root
            .query_selector("[data-testid='cluster-node-2']")
            .unwrap()
            .is_some())
        .await
    );
    assert!(
        root.query_selector("[data-testid='cluster-latency']")
            .unwrap()
            .is_none(),
        "no latency before any query"
    );
    for s in 0..3 {
        r.built(s, 10 + s, 5.0);
    }
    assert_eq!(r.scatter(&clock), Some(1));
    for s in 0..3 {
        r.answered(s, vec![(0.5, s as i64)], 0.25, &clock);
    }
    r.truth = Some(vec![vec![0, 1, 2]]);
    run.set(Some(r));
    assert!(
        wait_for(|| root
            .query_selector("[data-testid='cluster-latency']")
            .unwrap()
            .is_some())
        .await
    );
    let diagram = by_testid(&root, "cluster-diagram");
    assert_eq!(diagram.query_selector_all("line.link").unwrap().length(), 3);
    assert!(
        by_testid(&root, "cluster-node-1")
            .text_content()
            .unwrap()
            .contains("11 rows")
    );
    assert!(
        by_testid(&root, "cluster-latency")
            .text_content()
            .unwrap()
            .contains("4.000 / 4.000 / 4.000 ms (1 queries)")
    );
    assert!(
        by_testid(&root, "cluster-recall")
            .text_content()
            .unwrap()
            .ends_with("1.000")
    );
    assert!(
        by_testid(&root, "cluster-status")
            .text_content()
            .unwrap()
            .starts_with("scattering query 1 / 1")
    );
}

/// The data select sits in the one form; its value is in the URL as `data=`,
/// absent for the tutorial's random data.
#[wasm_bindgen_test]
async fn the_data_select_is_in_the_url_and_absent_means_random() {
    let root = mount_fresh();
    let select: web_sys::HtmlSelectElement = by_testid(&root, "param-data").dyn_into().unwrap();
    assert_eq!(select.value(), "random");
    let options: Vec<String> = (0..select.length())
        .filter_map(|i| select.item(i))
        .map(|o| o.get_attribute("value").unwrap_or_default())
        .collect();
    assert_eq!(options, ["random", "embeddings"]);
    let search = || web_sys::window().unwrap().location().search().unwrap();
    let change = |value: &str| {
        select.set_value(value);
        let init = web_sys::EventInit::new();
        init.set_bubbles(true);
        let ev = web_sys::Event::new_with_event_init_dict("change", &init).unwrap();
        select.dispatch_event(&ev).unwrap();
    };
    change("embeddings");
    assert!(
        wait_for(|| search().contains("data=embeddings")).await,
        "{}",
        search()
    );
    change("random");
    assert!(
        wait_for(|| !search().contains("data=")).await,
        "{}",
        search()
    );
    assert!(search().contains("n=10000"), "{}", search());
}
