//! The engine worker's scenario, kept from one request to the next while the
//! parameters stay the same: the data and every index are built once. The page's
//! language is not a parameter (the worker sends typed reports, the page renders
//! them in words), so switching it never rebuilds anything.

use annlab_core::Result;
use annlab_core::scenario::{Scenario, ScenarioParams};

#[derive(Default)]
pub struct Session {
    scenario: Option<Scenario>,
}

impl Session {
    /// The scenario for `params`: the one kept if its parameters are equal, a
    /// fresh one (nothing built yet) otherwise.
    pub fn scenario(&mut self, params: ScenarioParams) -> Result<&mut Scenario> {
        if self.scenario.as_ref().is_none_or(|s| s.params != params) {
            self.scenario = Some(Scenario::new(params)?);
        }
        Ok(self.scenario.as_mut().expect("just set"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page::PageState;
    use annlab_core::clock::StepClock;
    use annlab_core::index::NoProgress;
    use annlab_core::scenario::{Lang, StepId};
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn params_of(lang: &str, n: &str) -> ScenarioParams {
        let pairs = [
            ("n", n),
            ("dim", "8"),
            ("batch_size", "100"),
            ("lang", lang),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()));
        PageState::from_query(pairs.to_vec(), Lang::Zh)
            .form
            .parse()
            .unwrap()
    }

    #[test]
    fn switching_language_and_running_again_rebuilds_nothing() {
        let mut session = Session::default();
        let clock = StepClock::new(1.0);
        let s = session.scenario(params_of("zh", "300")).unwrap();
        s.run(StepId::Load, &clock, &mut NoProgress).unwrap();
        // The same page in English: the collection built above is still there.
        let s = session.scenario(params_of("en", "300")).unwrap();
        assert!(s.has_run(StepId::Load), "rebuilt for a change of language");
        let again = s.run(StepId::Search, &clock, &mut NoProgress).unwrap();
        assert_eq!(again.len(), 1, "only the step asked for ran");
        // Other parameters do start over.
        let s = session.scenario(params_of("en", "400")).unwrap();
        assert!(!s.has_run(StepId::Load));
    }
}
