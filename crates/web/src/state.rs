//! The page's state as plain Rust, testable without a browser: the parameter form
//! (strings as typed), its parsing into engine parameters, and what a run produced.

use annlab_core::scenario::{Lang, StepId};
use annlab_core::{DataSpec, Hit, QuickstartParams};

use crate::params::TutorialForm;
use crate::toy_state::{self, ToyState};

/// The parameter form, holding exactly what the learner typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    pub n: String,
    pub dim: String,
    pub seed: String,
}

impl Default for Form {
    fn default() -> Self {
        Self::from_params(&QuickstartParams::default())
    }
}

/// Which field a parse error belongs to, so the page can show it inline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    N,
    Dim,
    Seed,
}

impl Field {
    /// The query-string key and `data-testid` suffix of the field.
    pub fn key(self) -> &'static str {
        match self {
            Field::N => "n",
            Field::Dim => "dim",
            Field::Seed => "seed",
        }
    }
}

/// A problem with the form: which field (if one) and the message to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormError {
    pub field: Option<Field>,
    pub message: String,
}

impl Form {
    pub fn from_params(p: &QuickstartParams) -> Self {
        Self {
            n: p.data.n.to_string(),
            dim: p.data.dim.to_string(),
            seed: p.data.seed.to_string(),
        }
    }

    pub fn get(&self, field: Field) -> &str {
        match field {
            Field::N => &self.n,
            Field::Dim => &self.dim,
            Field::Seed => &self.seed,
        }
    }

    pub fn set(&mut self, field: Field, value: String) {
        match field {
            Field::N => self.n = value,
            Field::Dim => self.dim = value,
            Field::Seed => self.seed = value,
        }
    }

    /// Parses and validates the form with the engine's rules.
    pub fn parse(&self) -> Result<QuickstartParams, FormError> {
        let num = |field: Field| -> Result<u64, FormError> {
            self.get(field)
                .trim()
                .parse::<u64>()
                .map_err(|_| FormError {
                    field: Some(field),
                    message: format!(
                        "{} must be a whole number ≥ 0, not '{}'",
                        field.key(),
                        self.get(field)
                    ),
                })
        };
        let params = QuickstartParams {
            data: DataSpec {
                n: num(Field::N)? as usize,
                dim: num(Field::Dim)? as usize,
                seed: num(Field::Seed)?,
            },
            k: 10,
        };
        params.validate().map_err(|e| FormError {
            field: match e {
                annlab_core::Error::InvalidDimension { .. } => Some(Field::Dim),
                annlab_core::Error::OutOfRange { what, .. } if what.contains("vectors") => {
                    Some(Field::N)
                }
                _ => None,
            },
            message: e.to_string(),
        })?;
        Ok(params)
    }

    /// Reads the fields present in a query string (`?n=…&dim=…&seed=…`); others keep
    /// their defaults.
    pub fn from_query(pairs: impl IntoIterator<Item = (String, String)>) -> Self {
        let mut form = Form::default();
        for (k, v) in pairs {
            for field in [Field::N, Field::Dim, Field::Seed] {
                if k == field.key() {
                    form.set(field, v.clone());
                }
            }
        }
        form
    }
}

/// Everything a link reproduces: the form, the tutorial's parameters, the open step
/// and the language.
#[derive(Debug, Clone, PartialEq)]
pub struct PageState {
    pub form: Form,
    pub tutorial: TutorialForm,
    pub step: StepId,
    /// The architecture overview is open instead of a step (`step=architecture`).
    pub overview: bool,
    pub lang: Lang,
    /// Step 3's toy: the dragged query and nprobe.
    pub toy: ToyState,
}

/// The `step` value of the architecture overview.
pub const OVERVIEW_KEY: &str = "architecture";

/// The query-string key of a language.
pub fn lang_key(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "zh",
        Lang::En => "en",
    }
}

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
            form: Form::from_query(pairs.iter().cloned()),
            tutorial: TutorialForm::from_query(&pairs),
            step: get("step")
                .and_then(StepId::from_key)
                .unwrap_or(StepId::Connect),
            overview: get("step") == Some(OVERVIEW_KEY),
            lang: match get("lang") {
                Some("zh") => Lang::Zh,
                Some("en") => Lang::En,
                _ => default_lang,
            },
            toy: ToyState::from_query(&pairs),
        }
    }

    /// The query string's pairs, in a stable order (tutorial parameters only when
    /// they differ from the tutorial's).
    pub fn to_query(&self) -> Vec<(&'static str, String)> {
        let mut pairs = vec![
            ("n", self.form.n.trim().to_owned()),
            ("dim", self.form.dim.trim().to_owned()),
            ("seed", self.form.seed.trim().to_owned()),
            (
                "step",
                if self.overview {
                    OVERVIEW_KEY
                } else {
                    self.step.key()
                }
                .to_owned(),
            ),
            ("lang", lang_key(self.lang).to_owned()),
        ];
        pairs.extend(self.tutorial.to_query());
        pairs.extend(self.toy.to_query());
        pairs
    }

    /// Every key the query string may hold.
    pub fn keys() -> impl Iterator<Item = &'static str> {
        ["n", "dim", "seed", "step", "lang"]
            .into_iter()
            .chain(crate::params::FIELDS.iter().map(|f| f.1))
            .chain([toy_state::QUERY_KEY, toy_state::NPROBE_KEY])
    }
}

/// What one click of Run produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub params: QuickstartParams,
    pub hits: Vec<Hit>,
    /// Wall time of generating the data and searching, measured in the page.
    pub elapsed_ms: f64,
}

/// The approximate best COSINE score of `n` random unit vectors against a random
/// query in `dim` dimensions: each score is ≈ N(0, 1/dim), and the maximum of `n`
/// such draws is ≈ √(2 ln n / dim). Shown beside the measured score, never instead.
pub fn expected_top_score(n: usize, dim: usize) -> f64 {
    (2.0 * (n.max(2) as f64).ln() / dim as f64).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn default_form_is_the_tutorial() {
        let p = Form::default().parse().unwrap();
        assert_eq!(p.data, DataSpec::TUTORIAL);
        assert_eq!(p.k, 10);
    }

    #[test]
    fn errors_point_at_their_field() {
        let mut f = Form::default();
        f.set(Field::Dim, "0".into());
        assert_eq!(f.parse().unwrap_err().field, Some(Field::Dim));
        f.set(Field::Dim, "8".into());
        f.set(Field::N, "ten".into());
        let e = f.parse().unwrap_err();
        assert_eq!(e.field, Some(Field::N));
        assert!(e.message.contains("'ten'"));
        f.set(Field::N, "0".into());
        assert_eq!(f.parse().unwrap_err().field, Some(Field::N));
    }

    #[test]
    fn expected_top_score_for_the_tutorial_is_small() {
        let e = expected_top_score(10_000, 1536);
        assert!(e > 0.08 && e < 0.12, "{e}");
    }

    #[test]
    fn query_string_round_trips() {
        let mut form = Form::default();
        form.set(Field::N, "500".into());
        form.set(Field::Seed, "7".into());
        let mut tutorial = TutorialForm::default();
        tutorial.set(annlab_core::scenario::Param::Ef, "100".into());
        let page = PageState {
            form,
            tutorial,
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
        assert_eq!(pairs[3], ("step".to_owned(), "filtered_search".to_owned()));
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
        assert_eq!(lang_for("zh-CN"), Lang::Zh);
        assert_eq!(lang_for("en-US"), Lang::En);
    }
}
