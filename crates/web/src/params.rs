//! The tutorial's own parameters (batch size, M, efConstruction, ef, the ef list,
//! nlist, nprobe, IVF_PQ's m and nbits, the filter) as typed in the page: strings,
//! parsed into [`ScenarioParams`] and checked by the engine
//! ([`ScenarioParams::check_each`]) so that each field shows Milvus's message.

use annlab_core::scenario::{Param, ScenarioParams};

/// Every field in form order: the parameter, its query-string key (also the
/// `data-testid` suffix: `param-<key>`) and its label.
pub const FIELDS: [(Param, &str, &str); 10] = [
    (Param::BatchSize, "batch_size", "batch_size"),
    (Param::M, "M", "HNSW M"),
    (Param::EfConstruction, "efConstruction", "efConstruction"),
    (Param::Ef, "ef", "ef (steps 7–9)"),
    (Param::EfSweep, "ef_list", "ef list (step 10)"),
    (Param::Nlist, "nlist", "nlist"),
    (Param::Nprobe, "nprobe", "nprobe"),
    (Param::PqM, "pq_m", "IVF_PQ m"),
    (Param::Nbits, "nbits", "IVF_PQ nbits"),
    (Param::Filter, "filter", "filter (step 9)"),
];

pub fn key(p: Param) -> &'static str {
    FIELDS.iter().find(|f| f.0 == p).map_or("", |f| f.1)
}

fn position(p: Param) -> usize {
    FIELDS.iter().position(|f| f.0 == p).unwrap_or(0)
}

/// What the learner typed, one string per [`FIELDS`] entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TutorialForm {
    values: Vec<String>,
}

impl Default for TutorialForm {
    fn default() -> Self {
        Self::from_params(&ScenarioParams::default())
    }
}

impl TutorialForm {
    pub fn from_params(p: &ScenarioParams) -> Self {
        let values = FIELDS
            .iter()
            .map(|(param, _, _)| match param {
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
            })
            .collect();
        Self { values }
    }

    pub fn get(&self, p: Param) -> &str {
        &self.values[position(p)]
    }

    pub fn set(&mut self, p: Param, value: String) {
        self.values[position(p)] = value;
    }

    /// `base` (data, language, fixed settings) with the form's values, or every
    /// field's problem: first "is it a number", then the engine's checks.
    pub fn apply(&self, base: ScenarioParams) -> Result<ScenarioParams, Vec<(Param, String)>> {
        let mut errors = Vec::new();
        let mut p = base;
        let num = |param: Param, errors: &mut Vec<(Param, String)>| -> usize {
            let s = self.get(param).trim();
            s.parse::<usize>().unwrap_or_else(|_| {
                errors.push((
                    param,
                    format!("{} must be a whole number ≥ 0, not '{s}'", key(param)),
                ));
                0
            })
        };
        p.batch_size = num(Param::BatchSize, &mut errors);
        p.m = num(Param::M, &mut errors);
        p.ef_construction = num(Param::EfConstruction, &mut errors);
        p.ef = num(Param::Ef, &mut errors);
        p.nlist = num(Param::Nlist, &mut errors);
        p.nprobe = num(Param::Nprobe, &mut errors);
        p.pq_m = num(Param::PqM, &mut errors);
        p.pq_nbits = num(Param::Nbits, &mut errors);
        let list = self.get(Param::EfSweep);
        match list
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::parse::<usize>)
            .collect::<Result<Vec<_>, _>>()
        {
            Ok(v) => p.ef_sweep = v,
            Err(_) => errors.push((
                Param::EfSweep,
                format!("ef_list must be whole numbers separated by commas, not '{list}'"),
            )),
        }
        p.filter = self.get(Param::Filter).to_owned();
        for (param, e) in p.check_each() {
            if !errors.iter().any(|x| x.0 == param) {
                errors.push((param, e.to_string()));
            }
        }
        if errors.is_empty() {
            Ok(p)
        } else {
            errors.sort_by_key(|e| position(e.0));
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

    /// The fields that differ from the tutorial's values, as query-string pairs (so
    /// that a default link stays short).
    pub fn to_query(&self) -> Vec<(&'static str, String)> {
        let default = Self::default();
        FIELDS
            .iter()
            .filter(|f| self.get(f.0) != default.get(f.0))
            .map(|f| (f.1, self.get(f.0).to_owned()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn the_default_form_is_the_tutorial() {
        let f = TutorialForm::default();
        assert_eq!(f.get(Param::EfSweep), "16,32,64,128");
        assert_eq!(
            f.apply(ScenarioParams::default()),
            Ok(ScenarioParams::default())
        );
        assert!(f.to_query().is_empty());
    }

    #[test]
    fn typed_values_reach_the_engine_parameters() {
        let mut f = TutorialForm::default();
        f.set(Param::M, " 8 ".into());
        f.set(Param::EfSweep, "10, 20,40".into());
        f.set(Param::Filter, "source == 'source_3.txt'".into());
        let p = f.apply(ScenarioParams::default()).unwrap();
        assert_eq!((p.m, p.ef_sweep.clone()), (8, vec![10, 20, 40]));
        assert_eq!(p.filter, "source == 'source_3.txt'");
    }

    #[test]
    fn problems_point_at_their_field_with_the_engines_message() {
        let mut f = TutorialForm::default();
        f.set(Param::M, "5000".into());
        f.set(Param::Nbits, "x".into());
        f.set(Param::EfSweep, "16;32".into());
        let e = f.apply(ScenarioParams::default()).unwrap_err();
        assert_eq!(
            e.iter().map(|e| e.0).collect::<Vec<_>>(),
            [Param::M, Param::EfSweep, Param::Nbits]
        );
        assert!(e[0].1.contains("M out of range: [1, 2048]"), "{}", e[0].1);
        assert!(e[2].1.contains("'x'"));
    }

    #[test]
    fn query_string_round_trips() {
        let mut f = TutorialForm::default();
        f.set(Param::Nprobe, "32".into());
        f.set(Param::Filter, "timestamp > 5 and source == 'a'".into());
        let pairs: Vec<(String, String)> = f
            .to_query()
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        assert_eq!(pairs[0], ("nprobe".to_owned(), "32".to_owned()));
        assert_eq!(TutorialForm::from_query(&pairs), f);
    }
}
