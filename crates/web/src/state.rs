//! The page's state as plain Rust, testable without a browser: the parameter form
//! (strings as typed), its parsing into engine parameters, and what a run produced.

use annlab_core::{DataSpec, Hit, QuickstartParams};

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

    /// The query string that reproduces this form.
    pub fn to_query(&self) -> String {
        format!(
            "?n={}&dim={}&seed={}",
            self.n.trim(),
            self.dim.trim(),
            self.seed.trim()
        )
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
        let mut f = Form::default();
        f.set(Field::N, "500".into());
        f.set(Field::Seed, "7".into());
        let q = f.to_query();
        assert_eq!(q, "?n=500&dim=1536&seed=7");
        let pairs = q[1..].split('&').map(|kv| {
            let (k, v) = kv.split_once('=').unwrap();
            (k.to_owned(), v.to_owned())
        });
        assert_eq!(Form::from_query(pairs), f);
    }
}
