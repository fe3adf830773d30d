//! Python's way of printing a parameter dict, for the index step's report.

use crate::index::spec::IndexParams;

/// `{'M': 16, 'efConstruction': 200}`: the build parameters as Python prints
/// the tutorial's dict.
pub fn fmt_params(params: &IndexParams) -> String {
    let items: Vec<String> = params
        .named()
        .into_iter()
        .map(|(k, v)| format!("'{k}': {v}"))
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
        let m = IndexParams::Hnsw {
            m: 16,
            ef_construction: 200,
        };
        assert_eq!(fmt_params(&m), "{'M': 16, 'efConstruction': 200}");
    }
}
