//! The page's state as plain Rust, testable without a browser: the one parameter
//! form ([`form`]), the open step, the language and step 3's toy, all of which a
//! link reproduces ([`url`]).

pub mod form;
pub mod url;

use annlab_core::scenario::{Lang, StepId};

use crate::toy::state::{self as toy_state, ToyState};
use form::{FIELDS, Form};

/// Everything a link reproduces: the form, the open step and the language.
#[derive(Debug, Clone, PartialEq)]
pub struct PageState {
    pub form: Form,
    pub step: StepId,
    /// The architecture overview is open instead of a step (`step=architecture`).
    pub overview: bool,
    pub lang: Lang,
    /// Step 3's toy: the dragged query and nprobe.
    pub toy: ToyState,
}

/// The `step` value of the architecture overview.
pub const OVERVIEW_KEY: &str = "architecture";

/// The language a browser asks for (`navigator.language`): Chinese for `zh*`,
/// English otherwise.
pub fn lang_for(browser_language: &str) -> Lang {
    if browser_language.to_ascii_lowercase().starts_with("zh") {
        Lang::Zh
    } else {
        Lang::En
    }
}

impl PageState {
    /// Reads a query string's pairs; what is absent or unknown keeps its default
    /// (`default_lang` comes from the browser).
    pub fn from_query(pairs: Vec<(String, String)>, default_lang: Lang) -> Self {
        let get = |key: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
        };
        Self {
            form: Form::from_query(&pairs),
            step: get("step")
                .and_then(StepId::from_key)
                .unwrap_or(StepId::Connect),
            overview: get("step") == Some(OVERVIEW_KEY),
            lang: get("lang").and_then(Lang::from_key).unwrap_or(default_lang),
            toy: ToyState::from_query(&pairs),
        }
    }

    /// The query string's pairs, in a stable order: n, dim, seed, step, language,
    /// then the tutorial's parameters that differ from the tutorial's, then the toy.
    pub fn to_query(&self) -> Vec<(&'static str, String)> {
        let mut form = self.form.to_query();
        let rest = form.split_off(3);
        form.push((
            "step",
            if self.overview {
                OVERVIEW_KEY
            } else {
                self.step.key()
            }
            .to_owned(),
        ));
        form.push(("lang", self.lang.key().to_owned()));
        form.extend(rest);
        form.extend(self.toy.to_query());
        form
    }

    /// Every key the query string may hold.
    pub fn keys() -> impl Iterator<Item = &'static str> {
        FIELDS
            .iter()
            .map(|f| f.1)
            .chain(["step", "lang"])
            .chain([toy_state::QUERY_KEY, toy_state::NPROBE_KEY])
    }
}

#[cfg(test)]
mod tests {
    use super::form::Field;
    use super::*;
    use annlab_core::scenario::Param;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn query_string_round_trips() {
        let mut form = Form::default();
        form.set(Field::N, "500".into());
        form.set(Field::Seed, "7".into());
        form.set(Field::Tutorial(Param::Ef), "100".into());
        let page = PageState {
            form,
            step: StepId::FilteredSearch,
            overview: false,
            lang: Lang::En,
            toy: ToyState {
                query: [0.1, 0.2],
                nprobe: 4,
            },
        };
        let pairs: Vec<(String, String)> = page
            .to_query()
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        assert_eq!(pairs[0], ("n".to_owned(), "500".to_owned()));
        assert_eq!(pairs[3], ("step".to_owned(), "filtered_search".to_owned()));
        assert_eq!(pairs[4], ("lang".to_owned(), "en".to_owned()));
        assert_eq!(pairs[5], ("ef".to_owned(), "100".to_owned()));
        assert!(PageState::keys().any(|k| k == "efConstruction"));
        assert!(PageState::keys().any(|k| k == "toy_q"));
        assert_eq!(PageState::from_query(pairs, Lang::Zh), page);
        let empty = PageState::from_query(vec![("step".into(), "nope".into())], Lang::Zh);
        assert_eq!((empty.step, empty.lang), (StepId::Connect, Lang::Zh));
        let overview =
            PageState::from_query(vec![("step".into(), "architecture".into())], Lang::En);
        assert!(overview.overview);
        assert_eq!(overview.to_query()[3].1, "architecture");
        let mut emb = page.clone();
        emb.form.set(Field::Data, "embeddings".into());
        let pairs: Vec<(String, String)> = emb
            .to_query()
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        assert!(pairs.contains(&("data".to_owned(), "embeddings".to_owned())));
        assert_eq!(PageState::from_query(pairs, Lang::Zh), emb);
        assert!(PageState::keys().any(|k| k == "data"));
        assert_eq!(lang_for("zh-CN"), Lang::Zh);
        assert_eq!(lang_for("en-US"), Lang::En);
    }
}
