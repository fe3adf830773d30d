//! What a step printed (in the page's language), its callouts and charts, its
//! corrections and its result table: all rendered from the worker's typed report.

use annlab_core::dataset::DataKind;
use annlab_core::scenario::{Lang, StepId, StepReport, words};
use leptos::prelude::*;

#[component]
pub fn StepOutput(
    current: Memo<Option<StepReport>>,
    /// The other data kind and its report of the same step, when it ran.
    other: Memo<Option<(DataKind, StepReport)>>,
    /// The data kind of `current`.
    kind: Memo<DataKind>,
    lang: RwSignal<Lang>,
) -> impl IntoView {
    let shown =
        Memo::new(move |_| current.with(|r| r.as_ref().map(|r| words::show(r, lang.get()))));
    view! {
        <div class="step-output">
            <pre class="console" data-testid="output">
                {move || shown.with(|s| s.as_ref().map(|s| s.lines.join("\n")).unwrap_or_default())}
            </pre>
            {move || current.get().map(|r| super::callouts::callouts(&r, lang.get()).into_iter().map(|c| view! {
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
                {move || current.get().map(|r| {
                    let own = super::figures::charts(&r, lang.get());
                    let specs = other.with(|o| super::compare::overlay(own, kind.get(), o.as_ref().map(|o| &o.1), lang.get()));
                    specs.into_iter().map(|spec| view! {
                        <crate::charts::view::Chart spec />
                    }).collect_view()
                })}
            </div>
            {move || current.get().filter(|r| r.step == StepId::Data && !r.similarity.is_empty()).map(|r| view! {
                <div class="similarity-lesson" data-testid="similarity-lesson">
                    <div class="charts side-by-side">
                        {super::compare::similarity_charts(&r, lang.get()).into_iter().map(|spec| view! {
                            <crate::charts::view::Chart spec />
                        }).collect_view()}
                    </div>
                    <p class="explain" data-testid="similarity-explanation">{super::compare::similarity_lesson(lang.get())}</p>
                </div>
            })}
            <div data-testid="corrections">
                {move || shown.get().map(|s| {
                    let (says, measured) = words::correction_labels(lang.get());
                    s.corrections.into_iter().map(|c| view! {
                        <div class="note correction">
                            <p><strong>{format!("{says}: ")}</strong>{c.tutorial}</p>
                            <p><strong>{format!("{measured}: ")}</strong>{c.measured}</p>
                        </div>
                    }).collect_view()
                })}
            </div>
            {move || current.get().filter(|r| !r.hits.is_empty()).map(|r| view! {
                <div class="table-wrap" tabindex="0" role="region" aria-label=move || crate::tr(lang.get(), "前 10 个结果", "top-10")>
                <table class="hits" data-testid="step-hits">
                    <thead><tr>
                        <th>{move || crate::tr(lang.get(), "名次", "rank")}</th>
                        <th>"id"</th>
                        <th>{move || crate::tr(lang.get(), "分数", "score")}</th>
                        <th>"text"</th>
                        <th>"source"</th>
                        <th>{move || crate::tr(lang.get(), "在精确 top-10 中", "in exact top-10")}</th>
                    </tr></thead>
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
                </div>
            })}
            {move || shown.get().and_then(|s| s.text).map(|t| view! { <pre class="console" data-testid="step-text">{t}</pre> })}
        </div>
    }
}
