//! One shard of the cluster exercise, as a query node holds it: the rows
//! `id % shards == shard` of the tutorial's data, in a collection with the main
//! index (same type and parameters), flushed and loaded, searched with the step's
//! `ef` or `nprobe`. The scenario's cluster exercise builds every shard in one
//! place; the browser builds each in its own Web Worker and gathers on the page.

use super::gather::global_row;
use super::run::{main_index_of, main_param_of, query_vectors};
use super::search_steps::K;
use super::{COLLECTION, ScenarioParams};
use crate::clock::{Clock, timed, timed_repeated};
use crate::collection::{Collection, SearchRequest};
use crate::dataset::TutorialData;
use crate::error::Result;
use crate::index::spec::IndexSpec;
use crate::index::{AnnParams, Progress};
use crate::metric::Metric;
use crate::schema::CollectionSchema;
use crate::value::PrimaryKey;

/// The rows of `0..n` that go to shard `shard` of `shards` (Milvus hashes primary
/// keys to shards; here the row number modulo the shard count).
pub fn shard_rows(n: usize, shard: usize, shards: usize) -> Vec<usize> {
    (shard..n).step_by(shards.max(1)).collect()
}

/// The search parameter of the main index at the value steps 7–9 use (`ef` for
/// HNSW, `nprobe` for IVF_FLAT): what each shard searches with.
pub fn step_param(p: &ScenarioParams) -> AnnParams {
    main_param_of(p, p.step_value())
}

/// A query node's shard: its collection and the scenario's queries.
pub struct ShardNode {
    pub shard: usize,
    pub shards: usize,
    collection: Collection,
    /// Query 0 is the tutorial's single query; 1..=n_queries its batch.
    queries: Vec<Vec<f32>>,
    param: AnnParams,
    /// Milliseconds of the flush (which builds the shard's index).
    pub build_ms: f64,
}

impl ShardNode {
    /// Generates the scenario's data and queries (same seeds as the scenario) and
    /// builds shard `shard` of `shards`: what a query node does on its own.
    pub fn generate(
        params: &ScenarioParams,
        shard: usize,
        shards: usize,
        clock: &dyn Clock,
        progress: &mut dyn Progress,
    ) -> Result<Self> {
        params.validate()?;
        let data = TutorialData::generate(params.data, params.base_timestamp)?;
        Self::build(
            params,
            &data,
            query_vectors(params),
            shard,
            shards,
            clock,
            progress,
        )
    }

    /// Builds shard `shard` of `shards` from data already generated: creates the
    /// collection with the main index, inserts the shard's rows (local auto ids
    /// 0, 1, …), flushes (timed: the index build) and loads.
    pub fn build(
        params: &ScenarioParams,
        data: &TutorialData,
        queries: Vec<Vec<f32>>,
        shard: usize,
        shards: usize,
        clock: &dyn Clock,
        progress: &mut dyn Progress,
    ) -> Result<Self> {
        let name = format!("{COLLECTION}_shard{shard}");
        let mut collection = Collection::new(
            &name,
            shard as i64 + 1,
            CollectionSchema::tutorial(params.data.dim),
            params.data.seed + shard as u64,
        )?;
        collection.create_index(
            "embedding",
            "",
            IndexSpec::new(main_index_of(params), Metric::Cosine),
            progress,
        )?;
        let rows = shard_rows(params.data.n, shard, shards);
        let all = data.columns(0, params.data.n);
        collection.insert(all.iter().map(|c| c.take(&rows)).collect())?;
        drop(all);
        let (flushed, build_ms) = timed(clock, || collection.flush(progress));
        flushed?;
        collection.load()?;
        Ok(Self {
            shard,
            shards,
            collection,
            queries,
            param: step_param(params),
            build_ms,
        })
    }

    /// Rows held by this shard.
    pub fn rows(&self) -> usize {
        self.collection.num_entities()
    }

    /// Queries available (query numbers are `0..queries()`).
    pub fn queries(&self) -> usize {
        self.queries.len()
    }

    /// The shard's top-10 for query `q` as `(score, global id)`, best first.
    pub fn search(&self, q: usize) -> Result<Vec<(f32, i64)>> {
        let vector = self.queries.get(q).ok_or(crate::Error::OutOfRange {
            what: "query number",
            value: q as i64,
            min: 0,
            max: self.queries.len() as i64 - 1,
        })?;
        let req = SearchRequest {
            anns_field: "embedding".into(),
            data: vec![vector.clone()],
            metric_type: Some(Metric::Cosine),
            ann: self.param,
            limit: K,
            ..Default::default()
        };
        let res = self.collection.search(&req)?;
        Ok(res
            .hits(0)
            .filter_map(|h| match h.id() {
                PrimaryKey::Int64(local) => {
                    Some((h.score(), global_row(self.shard, local, self.shards)))
                }
                PrimaryKey::VarChar(_) => None,
            })
            .collect())
    }

    /// [`search`](Self::search), timed with `clock` (ms).
    pub fn search_timed(&self, q: usize, clock: &dyn Clock) -> Result<(Vec<(f32, i64)>, f64)> {
        // Repeated while shorter than 100 ticks of the clock (a shard is small).
        let (res, t) = timed_repeated(clock, || self.search(q));
        Ok((res?, t.ms))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::StepClock;
    use crate::dataset::DataSpec;
    use crate::index::NoProgress;
    use crate::index::VectorView;
    use crate::index::flat::exact_search;
    use crate::scenario::MainIndex;
    use crate::scenario::gather::merge_top_k;
    use crate::scenario::{Scenario, StepId};
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn small(index: MainIndex) -> ScenarioParams {
        ScenarioParams {
            data: DataSpec {
                n: 601,
                dim: 16,
                seed: 9,
                kind: Default::default(),
            },
            batch_size: 200,
            index,
            ef_construction: 32,
            nlist: 8,
            // Every list probed: IVF_FLAT answers exactly.
            nprobe: 8,
            n_queries: 6,
            shards: 3,
            ..ScenarioParams::default()
        }
    }

    #[test]
    fn the_shards_rows_are_all_rows_once() {
        let mut all: Vec<usize> = (0..4).flat_map(|s| shard_rows(10, s, 4)).collect();
        assert_eq!(shard_rows(10, 1, 4), [1, 5, 9]);
        all.sort_unstable();
        assert_eq!(all, (0..10).collect::<Vec<_>>());
        let p = small(MainIndex::Hnsw);
        let nodes: Vec<ShardNode> = (0..3)
            .map(|s| ShardNode::generate(&p, s, 3, &StepClock::new(1.0), &mut NoProgress).unwrap())
            .collect();
        assert_eq!(
            nodes.iter().map(ShardNode::rows).collect::<Vec<_>>(),
            [201, 200, 200]
        );
        assert_eq!(nodes[0].queries(), 7);
        assert!(nodes.iter().all(|n| n.build_ms == 1.0));
    }

    #[test]
    fn gathering_exact_shards_is_an_exact_search_of_everything() {
        let p = small(MainIndex::IvfFlat);
        let data = TutorialData::generate(p.data, 0).unwrap();
        let queries = query_vectors(&p);
        let nodes: Vec<ShardNode> = (0..3)
            .map(|s| {
                ShardNode::build(
                    &p,
                    &data,
                    queries.clone(),
                    s,
                    3,
                    &StepClock::new(1.0),
                    &mut NoProgress,
                )
                .unwrap()
            })
            .collect();
        let v = VectorView::new(p.data.dim, &data.embeddings);
        let mut s = Scenario::new(p.clone()).unwrap();
        let qs: Vec<usize> = (0..=p.n_queries).collect();
        let truth = s
            .truth_for(&qs, &StepClock::new(1.0), &mut NoProgress)
            .unwrap();
        for q in qs {
            let parts: Vec<_> = nodes.iter().map(|n| n.search(q).unwrap()).collect();
            let gathered: Vec<i64> = merge_top_k(&parts, K).into_iter().map(|h| h.1).collect();
            let exact: Vec<i64> = exact_search(v, Metric::Cosine, &queries[q], K, None)
                .iter()
                .map(|n| n.row as i64)
                .collect();
            assert_eq!(gathered, exact, "query {q}");
            assert_eq!(truth[q], exact, "query {q}");
        }
        assert!(s.has_run(StepId::Data));
        assert!(nodes[0].search(99).is_err());
    }

    #[test]
    fn a_shard_is_the_same_wherever_it_is_built() {
        let p = small(MainIndex::Hnsw);
        let a = ShardNode::generate(&p, 2, 3, &StepClock::new(1.0), &mut NoProgress).unwrap();
        let b = ShardNode::generate(&p, 2, 3, &StepClock::new(1.0), &mut NoProgress).unwrap();
        for q in 0..a.queries() {
            let (x, y) = (a.search(q).unwrap(), b.search(q).unwrap());
            assert_eq!(x, y);
            assert_eq!(x.len(), K);
            assert!(x.iter().all(|h| h.1 % 3 == 2), "global ids of shard 2");
        }
    }
}
