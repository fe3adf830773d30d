//! Every tutorial parameter checked on its own, before anything runs, with the
//! message Milvus gives when the step that uses it runs (so a form can show each
//! problem beside its field).

use serde::{Deserialize, Serialize};

use super::ScenarioParams;
use crate::error::{Error, Result};
use crate::expr;
use crate::index::AnnParams;
use crate::index::spec::IndexParams;
use crate::schema::CollectionSchema;

/// A tutorial parameter a learner can change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Param {
    BatchSize,
    M,
    EfConstruction,
    Ef,
    EfSweep,
    Nlist,
    Nprobe,
    PqM,
    Nbits,
    Filter,
}

/// `K` of the tutorial's searches.
const K: usize = 10;

impl ScenarioParams {
    /// Each parameter's problem, in form order (empty when all are fine). The
    /// messages are the engine's, which reproduce Milvus's.
    pub fn check_each(&self) -> Vec<(Param, Error)> {
        let dim = self.data.dim;
        let mut out = Vec::new();
        let mut push = |p: Param, r: Result<()>| {
            if let Err(e) = r {
                out.push((p, e));
            }
        };
        let n = self.data.n.max(1);
        push(
            Param::BatchSize,
            if (1..=n).contains(&self.batch_size) {
                Ok(())
            } else {
                Err(Error::OutOfRange {
                    what: "batch_size",
                    value: self.batch_size as i64,
                    min: 1,
                    max: n as i64,
                })
            },
        );
        let hnsw = |m: usize, ef_construction: usize| IndexParams::Hnsw { m, ef_construction };
        push(Param::M, hnsw(self.m, 200).validate(dim));
        push(
            Param::EfConstruction,
            hnsw(16, self.ef_construction).validate(dim),
        );
        let ef = |ef: usize| AnnParams::Hnsw { ef }.check(&hnsw(16, 200), K);
        push(Param::Ef, ef(self.ef));
        push(
            Param::EfSweep,
            if self.ef_sweep.is_empty() {
                Err(Error::OutOfRange {
                    what: "number of ef values in the sweep",
                    value: 0,
                    min: 1,
                    max: 64,
                })
            } else {
                self.ef_sweep.iter().try_for_each(|&v| ef(v))
            },
        );
        let ivf = IndexParams::IvfFlat { nlist: self.nlist };
        push(Param::Nlist, ivf.validate(dim));
        push(
            Param::Nprobe,
            AnnParams::Ivf {
                nprobe: self.nprobe,
            }
            .check(&ivf, K),
        );
        let pq = |m: usize, nbits: usize| IndexParams::IvfPq {
            nlist: 128,
            m,
            nbits,
        };
        push(Param::PqM, pq(self.pq_m, 8).validate(dim));
        push(Param::Nbits, pq(1, self.pq_nbits).validate(dim));
        push(
            Param::Filter,
            expr::parse(&self.filter, &CollectionSchema::tutorial(dim)).map(drop),
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn the_tutorial_values_pass() {
        assert!(ScenarioParams::default().check_each().is_empty());
    }

    #[test]
    fn each_problem_is_attributed_to_its_parameter_with_milvus_messages() {
        let p = ScenarioParams {
            batch_size: 0,
            m: 4096,
            ef_construction: 0,
            ef: 2,
            ef_sweep: vec![16, 3],
            nlist: 0,
            nprobe: 70_000,
            pq_m: 7,
            pq_nbits: 17,
            filter: "source = 'x'".into(),
            ..ScenarioParams::default()
        };
        let errors = p.check_each();
        let params: Vec<Param> = errors.iter().map(|e| e.0).collect();
        assert_eq!(
            params,
            [
                Param::BatchSize,
                Param::M,
                Param::EfConstruction,
                Param::Ef,
                Param::EfSweep,
                Param::Nlist,
                Param::Nprobe,
                Param::PqM,
                Param::Nbits,
                Param::Filter,
            ]
        );
        let msg = |p: Param| {
            errors
                .iter()
                .find(|e| e.0 == p)
                .map(|e| e.1.to_string())
                .unwrap()
        };
        assert!(
            msg(Param::M).contains("M out of range: [1, 2048]"),
            "{}",
            msg(Param::M)
        );
        assert!(
            msg(Param::Ef).contains("ef(2) should be larger than k(10)"),
            "{}",
            msg(Param::Ef)
        );
        assert!(
            msg(Param::Filter).contains("cannot parse expression"),
            "{}",
            msg(Param::Filter)
        );
        assert!(msg(Param::PqM).contains('7'), "{}", msg(Param::PqM));
    }
}
