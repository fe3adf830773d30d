//! Small formatting helpers shared by reports (Python-like output).

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

/// A whole number as Python's `{:.0f}` prints it.
pub fn thousands(x: f64) -> String {
    format!("{x:.0}")
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
        assert_eq!(thousands(1911.6), "1912");
    }
}
