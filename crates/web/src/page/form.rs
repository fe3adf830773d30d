//! The page's one parameter form: the data (n, dim, seed) and the tutorial's own
//! parameters (batch size, M, efConstruction, ef, the ef list, nlist, nprobe,
//! IVF_PQ's m and nbits, the filter), as typed: strings, parsed into
//! [`ScenarioParams`] and checked by the engine ([`DataSpec::validate`],
//! [`ScenarioParams::check_each`]) so that each field shows Milvus's message.
//! The language is not a parameter: switching it re-renders the reports and
//! never asks the engine for anything.

use annlab_core::dataset::DataKind;
use annlab_core::scenario::{Param, ScenarioParams};
use annlab_core::{DataSpec, Error};

/// A field of the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    N,
    Dim,
    Seed,
    /// The data kind: `random` (the tutorial's) or `embeddings`.
    Data,
    /// One of the tutorial's parameters.
    Tutorial(Param),
}

/// Every field in form order: the field, its query-string key (also the
/// `data-testid` suffix: `param-<key>`) and its label.
pub const FIELDS: [(Field, &str, &str); 14] = [
    (Field::N, "n", "n (vectors)"),
    (Field::Dim, "dim", "dim"),
    (Field::Seed, "seed", "seed"),
    (Field::Data, "data", "data"),
    (
        Field::Tutorial(Param::BatchSize),
        "batch_size",
        "batch_size",
    ),
    (Field::Tutorial(Param::M), "M", "HNSW M"),
    (
        Field::Tutorial(Param::EfConstruction),
        "efConstruction",
        "efConstruction",
    ),
    (Field::Tutorial(Param::Ef), "ef", "ef (steps 7–9)"),
    (
        Field::Tutorial(Param::EfSweep),
        "ef_list",
        "ef list (step 10)",
    ),
    (Field::Tutorial(Param::Nlist), "nlist", "nlist"),
    (Field::Tutorial(Param::Nprobe), "nprobe", "nprobe"),
    (Field::Tutorial(Param::PqM), "pq_m", "IVF_PQ m"),
    (Field::Tutorial(Param::Nbits), "nbits", "IVF_PQ nbits"),
    (Field::Tutorial(Param::Filter), "filter", "filter (step 9)"),
];

/// The fields a link always carries (the others only when they differ from the
/// tutorial's values).
const ALWAYS_IN_LINKS: [Field; 3] = [Field::N, Field::Dim, Field::Seed];

impl Field {
    /// The query-string key and `data-testid` suffix of the field.
    pub fn key(self) -> &'static str {
        FIELDS.iter().find(|f| f.0 == self).map_or("", |f| f.1)
    }

    /// Whether the field describes the data (n, dim, seed, kind).
    pub fn is_data(self) -> bool {
        ALWAYS_IN_LINKS.contains(&self) || self == Field::Data
    }

    fn position(self) -> usize {
        FIELDS.iter().position(|f| f.0 == self).unwrap_or(0)
    }
}

/// A problem with one field: the message to show beside it.
pub type FieldError = (Field, String);

/// What the learner typed, one string per [`FIELDS`] entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    values: Vec<String>,
}

impl Default for Form {
    fn default() -> Self {
        Self::from_params(&ScenarioParams::default())
    }
}

impl Form {
    pub fn from_params(p: &ScenarioParams) -> Self {
        let values = FIELDS
            .iter()
            .map(|(field, _, _)| match field {
                Field::N => p.data.n.to_string(),
                Field::Dim => p.data.dim.to_string(),
                Field::Seed => p.data.seed.to_string(),
                Field::Data => p.data.kind.name().to_owned(),
                Field::Tutorial(param) => match param {
                    Param::BatchSize => p.batch_size.to_string(),
                    Param::M => p.m.to_string(),
                    Param::EfConstruction => p.ef_construction.to_string(),
                    Param::Ef => p.ef.to_string(),
                    Param::EfSweep => p
                        .ef_sweep
                        .iter()
                        .map(|v| v.to_string())
                        .collect::<Vec<_>>()
                        .join(","),
                    Param::Nlist => p.nlist.to_string(),
                    Param::Nprobe => p.nprobe.to_string(),
                    Param::PqM => p.pq_m.to_string(),
                    Param::Nbits => p.pq_nbits.to_string(),
                    Param::Filter => p.filter.clone(),
                },
            })
            .collect();
        Self { values }
    }

    pub fn get(&self, f: Field) -> &str {
        &self.values[f.position()]
    }

    pub fn set(&mut self, f: Field, value: String) {
        self.values[f.position()] = value;
    }

    /// The scenario's parameters, or every field's problem in form order: first
    /// "is it a number", then the engine's checks (the data's first: the
    /// tutorial's parameters are checked for valid data only).
    pub fn parse(&self) -> Result<ScenarioParams, Vec<FieldError>> {
        let mut errors = Vec::new();
        let num = |f: Field, errors: &mut Vec<FieldError>| -> u64 {
            let s = self.get(f).trim();
            s.parse::<u64>().unwrap_or_else(|_| {
                errors.push((
                    f,
                    format!("{} must be a whole number ≥ 0, not '{s}'", f.key()),
                ));
                0
            })
        };
        let t = |p: Param, errors: &mut Vec<FieldError>| num(Field::Tutorial(p), errors) as usize;
        let mut p = ScenarioParams {
            data: DataSpec {
                n: num(Field::N, &mut errors) as usize,
                dim: num(Field::Dim, &mut errors) as usize,
                seed: num(Field::Seed, &mut errors),
                kind: {
                    let s = self.get(Field::Data).trim();
                    DataKind::from_name(s).unwrap_or_else(|| {
                        errors.push((
                            Field::Data,
                            format!("data must be random or embeddings, not '{s}'"),
                        ));
                        DataKind::Random
                    })
                },
            },
            ..ScenarioParams::default()
        };
        p.batch_size = t(Param::BatchSize, &mut errors);
        p.m = t(Param::M, &mut errors);
        p.ef_construction = t(Param::EfConstruction, &mut errors);
        p.ef = t(Param::Ef, &mut errors);
        p.nlist = t(Param::Nlist, &mut errors);
        p.nprobe = t(Param::Nprobe, &mut errors);
        p.pq_m = t(Param::PqM, &mut errors);
        p.pq_nbits = t(Param::Nbits, &mut errors);
        let list = self.get(Field::Tutorial(Param::EfSweep));
        match list
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::parse::<usize>)
            .collect::<Result<Vec<_>, _>>()
        {
            Ok(v) => p.ef_sweep = v,
            Err(_) => errors.push((
                Field::Tutorial(Param::EfSweep),
                format!("ef_list must be whole numbers separated by commas, not '{list}'"),
            )),
        }
        p.filter = self.get(Field::Tutorial(Param::Filter)).to_owned();
        let data_typed = !errors.iter().any(|e| e.0.is_data());
        match p.data.validate() {
            Err(e) if data_typed => errors.push((
                match e {
                    Error::InvalidDimension { .. } => Field::Dim,
                    _ => Field::N,
                },
                e.to_string(),
            )),
            Ok(()) if data_typed => {
                for (param, e) in p.check_each() {
                    let f = Field::Tutorial(param);
                    if !errors.iter().any(|x| x.0 == f) {
                        errors.push((f, e.to_string()));
                    }
                }
            }
            _ => {}
        }
        if errors.is_empty() {
            Ok(p)
        } else {
            errors.sort_by_key(|e| e.0.position());
            Err(errors)
        }
    }

    /// Reads the fields present in a query string; others keep the tutorial's values.
    pub fn from_query<'a>(pairs: impl IntoIterator<Item = &'a (String, String)>) -> Self {
        let mut form = Self::default();
        for (k, v) in pairs {
            if let Some(f) = FIELDS.iter().find(|f| f.1 == k) {
                form.set(f.0, v.clone());
            }
        }
        form
    }

    /// The query-string pairs of the form: n, dim and seed, then the fields that
    /// differ from the tutorial's values (so that a default link stays short: no
    /// `data=` means random).
    pub fn to_query(&self) -> Vec<(&'static str, String)> {
        let default = Self::default();
        FIELDS
            .iter()
            .filter(|f| ALWAYS_IN_LINKS.contains(&f.0) || self.get(f.0) != default.get(f.0))
            .map(|f| {
                let v = self.get(f.0);
                (f.1, if f.0.is_data() { v.trim() } else { v }.to_owned())
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    const EF_SWEEP: Field = Field::Tutorial(Param::EfSweep);

    #[test]
    fn the_default_form_is_the_tutorial() {
        let f = Form::default();
        assert_eq!(f.get(EF_SWEEP), "16,32,64,128");
        assert_eq!(f.parse(), Ok(ScenarioParams::default()));
        assert_eq!(f.parse().unwrap().data, DataSpec::TUTORIAL);
        assert_eq!(
            f.to_query(),
            [
                ("n", "10000".to_owned()),
                ("dim", "1536".to_owned()),
                ("seed", "42".to_owned())
            ]
        );
    }

    #[test]
    fn typed_values_reach_the_engine_parameters() {
        let mut f = Form::default();
        f.set(Field::N, "5000".into());
        f.set(Field::Tutorial(Param::M), " 8 ".into());
        f.set(EF_SWEEP, "10, 20,40".into());
        f.set(
            Field::Tutorial(Param::Filter),
            "source == 'source_3.txt'".into(),
        );
        let p = f.parse().unwrap();
        assert_eq!(p.data.n, 5000);
        assert_eq!((p.m, p.ef_sweep.clone()), (8, vec![10, 20, 40]));
        assert_eq!(p.filter, "source == 'source_3.txt'");
    }

    #[test]
    fn problems_point_at_their_field_with_the_engines_message() {
        let mut f = Form::default();
        f.set(Field::Tutorial(Param::M), "5000".into());
        f.set(Field::Tutorial(Param::Nbits), "x".into());
        f.set(EF_SWEEP, "16;32".into());
        let e = f.parse().unwrap_err();
        assert_eq!(
            e.iter().map(|e| e.0).collect::<Vec<_>>(),
            [
                Field::Tutorial(Param::M),
                EF_SWEEP,
                Field::Tutorial(Param::Nbits)
            ]
        );
        assert!(e[0].1.contains("M out of range: [1, 2048]"), "{}", e[0].1);
        assert!(e[2].1.contains("'x'"));
    }

    #[test]
    fn data_errors_point_at_their_field() {
        let mut f = Form::default();
        f.set(Field::Dim, "0".into());
        f.set(Field::Tutorial(Param::Nlist), "0".into());
        let e = f.parse().unwrap_err();
        assert_eq!(e[0].0, Field::Dim);
        assert!(e[0].1.contains("invalid dimension: 0"), "{}", e[0].1);
        assert_eq!(e.len(), 1, "the tutorial's parameters wait for valid data");
        f.set(Field::Dim, "8".into());
        f.set(Field::N, "ten".into());
        let e = f.parse().unwrap_err();
        assert_eq!(e[0].0, Field::N);
        assert!(e[0].1.contains("'ten'"));
        f.set(Field::N, "0".into());
        assert_eq!(f.parse().unwrap_err()[0].0, Field::N);
        f.set(Field::N, "2000".into());
        assert_eq!(f.parse().unwrap_err()[0].0, Field::Tutorial(Param::Nlist));
    }

    #[test]
    fn query_string_round_trips() {
        let mut f = Form::default();
        f.set(Field::N, " 500".into());
        f.set(Field::Tutorial(Param::Nprobe), "32".into());
        f.set(
            Field::Tutorial(Param::Filter),
            "timestamp > 5 and source == 'a'".into(),
        );
        let pairs: Vec<(String, String)> = f
            .to_query()
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        assert_eq!(pairs[0], ("n".to_owned(), "500".to_owned()));
        assert_eq!(pairs[3], ("nprobe".to_owned(), "32".to_owned()));
        let back = Form::from_query(&pairs);
        assert_eq!(
            back.get(Field::Tutorial(Param::Filter)),
            f.get(Field::Tutorial(Param::Filter))
        );
        assert_eq!(back.parse(), f.parse());
    }

    #[test]
    fn the_data_kind_is_a_field_and_random_is_absent_from_links() {
        let mut f = Form::default();
        assert_eq!(f.get(Field::Data), "random");
        assert!(!f.to_query().iter().any(|(k, _)| *k == "data"));
        f.set(Field::Data, "embeddings".into());
        assert_eq!(f.parse().unwrap().data.kind, DataKind::Embeddings);
        let pairs: Vec<(String, String)> = f
            .to_query()
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        assert!(pairs.contains(&("data".to_owned(), "embeddings".to_owned())));
        assert_eq!(Form::from_query(&pairs), f);
        // Absent means random.
        let none = Form::from_query(&[("n".to_owned(), "5000".to_owned())]);
        assert_eq!(none.parse().unwrap().data.kind, DataKind::Random);
        f.set(Field::Data, "tabular".into());
        let e = f.parse().unwrap_err();
        assert_eq!(e[0].0, Field::Data);
        assert!(e[0].1.contains("'tabular'"), "{}", e[0].1);
    }
}
