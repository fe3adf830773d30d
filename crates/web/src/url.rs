//! The browser edges of the page: the URL (state worth sharing lives in the query
//! string) and the page's clock.

use crate::state::{Field, Form};

/// The form from the current URL's query string (defaults for what is absent).
pub fn read_form() -> Form {
    let Some(search) = web_sys::window().and_then(|w| w.location().search().ok()) else {
        return Form::default();
    };
    let Ok(params) = web_sys::UrlSearchParams::new_with_str(&search) else {
        return Form::default();
    };
    Form::from_query(
        [Field::N, Field::Dim, Field::Seed]
            .into_iter()
            .filter_map(|f| params.get(f.key()).map(|v| (f.key().to_owned(), v))),
    )
}

/// Replaces the URL's query string so that the link reproduces the run.
pub fn write_form(form: &Form) {
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = history.replace_state_with_url(
            &wasm_bindgen::JsValue::NULL,
            "",
            Some(&form.to_query()),
        );
    }
}

/// Milliseconds from the page's monotonic clock (`performance.now()`).
pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}
