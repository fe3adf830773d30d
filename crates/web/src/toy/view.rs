//! Step 3's teaching picture: the engine's HNSW and IVF_FLAT built on a 2-D toy
//! set (`annlab_core::toy`, on the main thread: a few hundred points build in
//! milliseconds). The learner drags the query; the engine's own search trace and
//! probe list are drawn. Only presentation here: pixels, colours, pointer events.

use annlab_core::scenario::Lang;
use annlab_core::toy::{Toy, ToyParams};

use crate::toy::state::ToyState;

use crate::toy::geometry::{
    GRID, SIDE, cell_colour, cells_path, dots_path, from_px, nudge, segments_path, to_px,
};
use leptos::prelude::*;

/// The pointer's position in a panel's viewBox units. (Leptos delegates events to
/// the document, so the panel is found from the event's target.)
fn pointer_point(ev: &web_sys::PointerEvent) -> Option<[f32; 2]> {
    use wasm_bindgen::JsCast;
    let target: web_sys::Element = ev.target()?.dyn_into().ok()?;
    let el = target.closest("svg.toy-svg").ok()??;
    let rect = el.get_bounding_client_rect();
    if rect.width() <= 0.0 {
        return None;
    }
    let k = SIDE / rect.width();
    Some(from_px(
        (ev.client_x() as f64 - rect.left()) * k,
        (ev.client_y() as f64 - rect.top()) * k,
    ))
}

/// Pointer handlers shared by the panels: press or drag moves the query.
fn drag_handlers(
    query: RwSignal<[f32; 2]>,
    dragging: RwSignal<bool>,
) -> (
    impl Fn(web_sys::PointerEvent) + Copy,
    impl Fn(web_sys::PointerEvent) + Copy,
    impl Fn(web_sys::PointerEvent) + Copy,
) {
    let down = move |ev: web_sys::PointerEvent| {
        dragging.set(true);
        if let Some(p) = pointer_point(&ev) {
            query.set(p);
        }
    };
    let moved = move |ev: web_sys::PointerEvent| {
        if dragging.get_untracked()
            && let Some(p) = pointer_point(&ev)
        {
            query.set(p);
        }
    };
    let up = move |_: web_sys::PointerEvent| dragging.set(false);
    (down, moved, up)
}

/// Arrow keys move the query when a panel has focus.
fn key_handler(query: RwSignal<[f32; 2]>) -> impl Fn(web_sys::KeyboardEvent) + Copy {
    move |ev: web_sys::KeyboardEvent| {
        if let Some(q) = nudge(query.get_untracked(), &ev.key()) {
            ev.prevent_default();
            query.set(q);
        }
    }
}

/// `state` holds the query and nprobe (the page keeps them in the URL).
#[component]
pub fn IndexToy(state: RwSignal<ToyState>, lang: RwSignal<Lang>) -> impl IntoView {
    let toy = match Toy::new(ToyParams::default()) {
        Ok(t) => StoredValue::new(t),
        Err(e) => return view! { <p class="error">{e.to_string()}</p> }.into_any(),
    };
    let query = RwSignal::new(state.get_untracked().query);
    let nprobe = RwSignal::new(state.get_untracked().nprobe);
    let dragging = RwSignal::new(false);
    // Into the URL when the query comes to rest (browsers throttle history
    // updates, and a drag moves the query on every pointer event).
    Effect::new(move |_| {
        let now = ToyState {
            query: query.get(),
            nprobe: nprobe.get(),
        };
        if dragging.get() {
            return;
        }
        let snapped = now.snapped();
        if snapped.query != now.query {
            query.set(snapped.query); // runs this again, with the kept point
            return;
        }
        state.set(now);
    });
    let (down, moved, up) = drag_handlers(query, dragging);
    let keys = key_handler(query);
    let nlist = toy.with_value(|t| t.params.nlist);
    let layers = toy.with_value(|t| t.layers());
    // Derived from the engine, recomputed when the query or nprobe change.
    let trace = Memo::new(move |_| toy.with_value(|t| t.search(query.get(), 1, 16)));
    let probed = Memo::new(move |_| toy.with_value(|t| t.probed(query.get(), nprobe.get())));
    let cells = toy.with_value(|t| t.cell_grid(GRID));

    let hnsw_panels = (0..layers)
        .rev()
        .map(|layer| {
            let (edges, nodes) = toy.with_value(|t| {
                let edges: Vec<_> = t
                    .layer_edges(layer)
                    .into_iter()
                    .map(|(a, b)| (to_px(t.point(a)), to_px(t.point(b))))
                    .collect();
                let nodes: Vec<_> = t.layer_nodes(layer).into_iter().map(|r| to_px(t.point(r))).collect();
                (edges, nodes)
            });
            let count = nodes.len();
            let path = move || {
                trace.with(|(_, tr)| {
                    tr.layers
                        .iter()
                        .find(|l| l.layer == layer)
                        .map(|l| {
                            toy.with_value(|t| {
                                l.path
                                    .iter()
                                    .map(|n| {
                                        let (x, y) = to_px(t.point(n.row));
                                        format!("{x},{y}")
                                    })
                                    .collect::<Vec<_>>()
                                    .join(" ")
                            })
                        })
                        .unwrap_or_default()
                })
            };
            let visited_marks = move || {
                trace.with(|(hits, tr)| {
                    let found = (layer == 0).then(|| hits.first().map(|h| h.row)).flatten();
                    toy.with_value(|t| {
                        let mut marks: Vec<_> = tr
                            .layers
                            .iter()
                            .find(|l| l.layer == layer)
                            .map(|l| {
                                l.visited
                                    .iter()
                                    .map(|n| (to_px(t.point(n.row)), false))
                                    .collect()
                            })
                            .unwrap_or_default();
                        marks.extend(found.map(|r| (to_px(t.point(r)), true)));
                        marks
                            .into_iter()
                            .map(|((x, y), found)| {
                                view! {
                                    <circle
                                        class=if found { "toy-found" } else { "toy-visited" }
                                        cx=x
                                        cy=y
                                        r=if found { "6" } else { "3.5" }
                                    />
                                }
                            })
                            .collect_view()
                    })
                })
            };
            let visited = move || {
                trace.with(|(_, tr)| {
                    tr.layers
                        .iter()
                        .find(|l| l.layer == layer)
                        .map_or(0, |l| l.visited.len())
                })
            };
            view! {
                <figure class="toy-panel" data-testid=format!("toy-hnsw-layer-{layer}")>
                    <figcaption>
                        {move || match lang.get() {
                            Lang::Zh => format!("第 {layer} 层：{count} 个节点 · {} 次距离", visited()),
                            Lang::En => format!(
                                "layer {layer}: {count} node{} · {} distances",
                                if count == 1 { "" } else { "s" },
                                visited()
                            ),
                        }}
                    </figcaption>
                    <svg
                        viewBox=format!("0 0 {SIDE} {SIDE}")
                        width=SIDE
                        height=SIDE
                        class="toy-svg"
                        on:pointerdown=down
                        on:pointermove=moved
                        on:pointerup=up
                        on:pointerleave=up
                        on:keydown=keys
                        tabindex="0"
                        aria-label=move || crate::tr(lang.get(), &format!("HNSW 第 {layer} 层：拖动或用方向键移动查询点"), &format!("HNSW layer {layer}: drag or use the arrow keys to move the query"))
                    >
                        <defs>
                            <marker id="toy-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" orient="auto-start-reverse">
                                <path d="M0 0L10 5L0 10z" fill="#d55e00" />
                            </marker>
                        </defs>
                        <rect class="toy-bg" x="0" y="0" width=SIDE height=SIDE />
                        <path class="toy-edge" d=segments_path(&edges) />
                        <path class="toy-node" d=dots_path(&nodes, if layer == 0 { 1.8 } else { 3.0 }) />
                        {visited_marks}
                        <polyline class="toy-path" points=path fill="none" marker-end="url(#toy-arrow)" />
                        <QueryMark query />
                    </svg>
                </figure>
            }
        })
        .collect_view();

    // One path per list (cells, then its points): a few dozen SVG elements
    // instead of thousands, so the picture is built well within a frame budget.
    let ivf_cells = (0..nlist as u32)
        .map(|list| {
            view! {
                <path
                    d=cells_path(&cells, GRID, list)
                    fill=cell_colour(list, nlist)
                    class="toy-cell"
                    class:probed=move || probed.with(|p| p.contains(&list))
                />
            }
        })
        .collect_view();
    let ivf_points = toy.with_value(|t| {
        (0..nlist as u32)
            .map(|list| {
                let dots: Vec<(f64, f64)> = t
                    .list_rows(list)
                    .iter()
                    .map(|&r| to_px(t.point(r)))
                    .collect();
                view! {
                    <path
                        class="toy-node"
                        class:scanned=move || probed.with(|p| p.contains(&list))
                        d=dots_path(&dots, 1.8)
                    />
                }
            })
            .collect_view()
    });
    let centroids = toy.with_value(|t| t.centroids()).into_iter().map(|c| {
        let (x, y) = to_px(c);
        view! { <path class="toy-centroid" d=format!("M{} {}l8 8m0 -8l-8 8", x - 4.0, y - 4.0) /> }
    }).collect_view();

    let stats = move || {
        let (hits, tr) = trace.get();
        let scanned: usize =
            probed.with(|p| toy.with_value(|t| p.iter().map(|&l| t.list_rows(l).len()).sum()));
        let sizes: Vec<usize> =
            toy.with_value(|t| (0..t.layers()).map(|l| t.layer_nodes(l).len()).collect());
        let n = toy.with_value(|t| t.len());
        let (dist, found, lists, share) = (
            tr.distance_computations,
            hits.first().map_or(0, |h| h.row),
            probed.with(Vec::len),
            100.0 * scanned as f64 / n.max(1) as f64,
        );
        let nprobe = nprobe.get();
        match lang.get() {
            Lang::Zh => format!(
                "HNSW：各层大小 {sizes:?}（第 0 层在前）；搜索计算了 {dist} 次距离，找到第 {found} 行 · \
                 IVF_FLAT：nprobe={nprobe} 扫描 {lists} 个列表，{n} 个点中的 {scanned} 个（{share:.0}%）"
            ),
            Lang::En => format!(
                "HNSW: layer sizes {sizes:?} (layer 0 first); the search computed {dist} distances and found row {found} · \
                 IVF_FLAT: nprobe={nprobe} scans {lists} lists, {scanned} of {n} points ({share:.0}%)"
            ),
        }
    };

    view! {
        <section class="toy" data-testid="toy">
            <h4>{move || crate::tr(lang.get(), "HNSW · 分层图（拖动红色查询点）", "HNSW · layered graph (drag the red query)")}</h4>
            <div class="toy-row" data-testid="toy-hnsw">{hnsw_panels}</div>
            <h4>{move || crate::tr(lang.get(), "IVF · Voronoi 单元与 nprobe 扫描的列表", "IVF · Voronoi cells and the lists nprobe scans")}</h4>
            <div class="toy-row">
                <figure class="toy-panel" data-testid="toy-ivf">
                    <figcaption>{move || format!("nlist = {nlist}, nprobe = {}", nprobe.get())}</figcaption>
                    <svg
                        viewBox=format!("0 0 {SIDE} {SIDE}")
                        width=SIDE
                        height=SIDE
                        class="toy-svg"
                        on:pointerdown=down
                        on:pointermove=moved
                        on:pointerup=up
                        on:pointerleave=up
                        on:keydown=keys
                        tabindex="0"
                        aria-label=move || crate::tr(lang.get(), "IVF 单元：拖动或用方向键移动查询点", "IVF cells: drag or use the arrow keys to move the query")
                    >
                        {ivf_cells}
                        {ivf_points}
                        {centroids}
                        <QueryMark query />
                    </svg>
                </figure>
                <label class="param">
                    <span>"nprobe"</span>
                    <input
                        type="range"
                        min="1"
                        max=nlist
                        data-testid="toy-nprobe"
                        prop:value=move || nprobe.get().to_string()
                        on:input=move |ev| nprobe.set(event_target_value(&ev).parse().unwrap_or(1))
                    />
                </label>
            </div>
            <p class="note" data-testid="toy-stats">{stats}</p>
        </section>
    }
    .into_any()
}

/// The query point: a red ring with a cross.
#[component]
fn QueryMark(query: RwSignal<[f32; 2]>) -> impl IntoView {
    let px = move || to_px(query.get());
    view! {
        <g class="toy-query" data-testid="toy-query" transform=move || { let (x, y) = px(); format!("translate({x} {y})") }>
            <circle r="6" />
            <path d="M-9 0h18M0 -9v18" />
        </g>
    }
}
