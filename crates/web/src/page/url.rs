//! The browser edges of the page: the URL (state worth sharing lives in the query
//! string), the browser's language and the page's clock.

use super::{PageState, lang_for};

/// The page state from the current URL (defaults for what is absent; the language
/// defaults to the browser's).
pub fn read_state() -> PageState {
    let window = web_sys::window();
    let default_lang = lang_for(
        &window
            .as_ref()
            .and_then(|w| w.navigator().language())
            .unwrap_or_default(),
    );
    let search = window
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    let mut pairs = Vec::new();
    if let Ok(params) = web_sys::UrlSearchParams::new_with_str(&search) {
        for key in PageState::keys() {
            if let Some(v) = params.get(key) {
                pairs.push((key.to_owned(), v));
            }
        }
    }
    PageState::from_query(pairs, default_lang)
}

/// Replaces the URL's query string so that the link reproduces the page.
pub fn write_state(state: &PageState) {
    let Ok(params) = web_sys::UrlSearchParams::new() else {
        return;
    };
    for (k, v) in state.to_query() {
        params.append(k, &v);
    }
    let query = format!("?{}", String::from(params.to_string()));
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&query));
    }
}

/// Milliseconds from the page's monotonic clock (`performance.now()`).
pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}
