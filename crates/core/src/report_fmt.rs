//! Python's way of printing a parameter dict, for the index step's report.

use serde_json::{Map, Value};

/// `{'M': 16, 'efConstruction': 200}` as Python prints a dict.
pub fn fmt_params(params: &Map<String, Value>) -> String {
    let items: Vec<String> = params
        .iter()
        .map(|(k, v)| match v {
            Value::String(s) => format!("'{k}': '{s}'"),
            other => format!("'{k}': {other}"),
        })
        .collect();
    format!("{{{}}}", items.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn prints_like_python() {
        let m = serde_json::json!({"M": 16, "efConstruction": 200});
        assert_eq!(
            fmt_params(m.as_object().unwrap()),
            "{'M': 16, 'efConstruction': 200}"
        );
    }
}
