//! The form: the data and the tutorial's parameters, each with the engine's
//! message when it is refused.

use annlab_core::scenario::Param;
use leptos::prelude::*;

use crate::page::form::{FIELDS, Field, FieldError, Form};

#[component]
pub fn ParamsPanel(form: RwSignal<Form>, field_errors: RwSignal<Vec<FieldError>>) -> impl IntoView {
    view! {
        <fieldset class="tutorial-params" data-testid="tutorial-params">
            <legend>"参数 / parameters (the tutorial's values by default; checked by the engine with Milvus's messages)"</legend>
            <div class="controls">
                {FIELDS.into_iter().map(|(field, key, label)| {
                    let id = format!("param-{key}");
                    let message = move || field_errors.with(|e| e.iter().find(|e| e.0 == field).map(|e| e.1.clone()));
                    view! {
                        <label class="param" class:wide=field == Field::Tutorial(Param::Filter) for=id.clone()>
                            <span>{label}</span>
                            <input
                                id=id.clone()
                                data-testid=id.clone()
                                type="text"
                                inputmode=if field == Field::Tutorial(Param::Filter) || field == Field::Tutorial(Param::EfSweep) { "text" } else { "numeric" }
                                prop:value=move || form.with(|f| f.get(field).to_owned())
                                on:input=move |ev| form.update(|f| f.set(field, event_target_value(&ev)))
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
