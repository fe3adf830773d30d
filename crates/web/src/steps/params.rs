//! The form, where it is used: a compact global bar with the data (n, dim, seed)
//! above the tutorial, and beside each step the tutorial parameters that step
//! uses ([`step_fields`]); the others follow, smaller, on every step page so that
//! any field can be changed (and a field the engine refused is always in view).

use annlab_core::dataset::DataKind;
use annlab_core::scenario::Lang;
use annlab_core::scenario::{Param, StepId};
use leptos::prelude::*;

use crate::page::form::{FIELDS, Field, FieldError, Form};

/// The tutorial parameters step `s` uses.
pub fn step_fields(s: StepId) -> &'static [Param] {
    use Param::*;
    match s {
        StepId::Index => &[M, EfConstruction],
        StepId::Insert => &[BatchSize],
        StepId::Search | StepId::BatchSearch | StepId::Monitoring | StepId::Cluster => &[Ef],
        StepId::FilteredSearch => &[Ef, Filter],
        StepId::EfSweep => &[EfSweep],
        StepId::IvfCompare => &[Nlist, Nprobe, EfSweep],
        StepId::IvfPq => &[Nlist, PqM, Nbits, EfSweep],
        StepId::Connect
        | StepId::Schema
        | StepId::Data
        | StepId::Load
        | StepId::Stats
        | StepId::Cleanup => &[],
    }
}

/// The fields of the form, split for step `s`: the data, the step's own tutorial
/// parameters, the other tutorial parameters.
pub fn split(s: StepId) -> (Vec<Field>, Vec<Field>, Vec<Field>) {
    let own = step_fields(s);
    let mut out = (Vec::new(), Vec::new(), Vec::new());
    for (field, _, _) in FIELDS {
        match field {
            f if f.is_data() => out.0.push(f),
            Field::Tutorial(p) if own.contains(&p) => out.1.push(field),
            f => out.2.push(f),
        }
    }
    out
}

/// One labelled input of the form, with the engine's message when refused.
fn field_input(
    field: Field,
    form: RwSignal<Form>,
    field_errors: RwSignal<Vec<FieldError>>,
) -> impl IntoView {
    let (_, key, label) = FIELDS
        .into_iter()
        .find(|f| f.0 == field)
        .expect("every field is in FIELDS");
    let id = format!("param-{key}");
    let error_id = format!("{id}-error");
    let message =
        move || field_errors.with(|e| e.iter().find(|e| e.0 == field).map(|e| e.1.clone()));
    let wide = field == Field::Tutorial(Param::Filter);
    if field == Field::Data {
        return view! {
            <label class="param" for=id.clone()>
                <span>{label}</span>
                <select
                    id=id.clone()
                    data-testid=id.clone()
                    prop:value=move || form.with(|f| f.get(field).to_owned())
                    on:change=move |ev| form.update(|f| f.set(field, event_target_value(&ev)))
                    aria-invalid=move || message().is_some().to_string()
                    aria-describedby=error_id.clone()
                >
                    {DataKind::ALL.map(|k| view! { <option value=k.name()>{k.name()}</option> }).to_vec()}
                </select>
                <span class="field-error" id=error_id.clone() data-testid=error_id>{message}</span>
            </label>
        }
        .into_any();
    }
    view! {
        <label class="param" class:wide=wide for=id.clone()>
            <span>{label}</span>
            <input
                id=id.clone()
                data-testid=id.clone()
                type="text"
                inputmode=if wide || field == Field::Tutorial(Param::EfSweep) { "text" } else { "numeric" }
                prop:value=move || form.with(|f| f.get(field).to_owned())
                on:input=move |ev| form.update(|f| f.set(field, event_target_value(&ev)))
                aria-invalid=move || message().is_some().to_string()
                aria-describedby=error_id.clone()
            />
            <span class="field-error" id=error_id.clone() data-testid=error_id>{message}</span>
        </label>
    }
    .into_any()
}

/// The data's fields: the compact bar above the tutorial.
#[component]
pub fn DataBar(
    form: RwSignal<Form>,
    field_errors: RwSignal<Vec<FieldError>>,
    lang: RwSignal<Lang>,
) -> impl IntoView {
    view! {
        <fieldset class="tutorial-params data-bar" data-testid="tutorial-params">
            <legend>{move || crate::tr(lang.get(), "数据", "data")}</legend>
            <div class="controls">
                {FIELDS.into_iter().filter(|f| f.0.is_data()).map(|f| field_input(f.0, form, field_errors)).collect_view()}
            </div>
        </fieldset>
    }
}

/// Beside a step: the parameters it uses, then the tutorial's others.
#[component]
pub fn StepParams(
    step: RwSignal<StepId>,
    form: RwSignal<Form>,
    field_errors: RwSignal<Vec<FieldError>>,
    lang: RwSignal<Lang>,
) -> impl IntoView {
    view! {
        {move || {
            let (_, own, others) = split(step.get());
            let has_own = !own.is_empty();
            view! {
                <fieldset class="step-params" data-testid="step-params" class:hidden=!has_own>
                    <legend>{move || crate::tr(lang.get(), "这一步的参数", "this step's parameters")}</legend>
                    <div class="controls">
                        {own.into_iter().map(|f| field_input(f, form, field_errors)).collect_view()}
                    </div>
                </fieldset>
                <details class="other-params" data-testid="other-params" open=true>
                    <summary>{move || crate::tr(lang.get(), "教程的其他参数（由引擎按 Milvus 的报错信息检查）", "the tutorial's other parameters (checked by the engine with Milvus's messages)")}</summary>
                    <div class="controls">
                        {others.into_iter().map(|f| field_input(f, form, field_errors)).collect_view()}
                    </div>
                </details>
            }
        }}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn every_field_is_in_exactly_one_group_and_steps_get_their_own() {
        for s in StepId::ALL {
            let (data, own, others) = split(s);
            assert_eq!(data.len() + own.len() + others.len(), FIELDS.len(), "{s:?}");
            assert_eq!(data, [Field::N, Field::Dim, Field::Seed, Field::Data]);
        }
        assert_eq!(
            split(StepId::FilteredSearch).1,
            [Field::Tutorial(Param::Ef), Field::Tutorial(Param::Filter)]
        );
        assert_eq!(split(StepId::Index).1.len(), 2);
        assert!(split(StepId::Connect).1.is_empty());
    }
}
