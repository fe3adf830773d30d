//! The whole tutorial at a small size.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;
use crate::clock::StepClock;
use crate::index::NoProgress;

fn small() -> ScenarioParams {
    ScenarioParams {
        data: DataSpec {
            n: 1500,
            dim: 64,
            seed: 11,
            kind: Default::default(),
        },
        batch_size: 500,
        ef_construction: 64,
        nlist: 32,
        nprobe: 4,
        pq_m: 8,
        n_queries: 20,
        sweep_repeats: 2,
        shards: 3,
        ..ScenarioParams::default()
    }
}

#[test]
fn every_step_and_exercise_reports_measured_figures() {
    let mut s = Scenario::new(small()).unwrap();
    let reports = s.run_all(&StepClock::new(0.5), &mut NoProgress).unwrap();
    let steps: Vec<StepId> = reports.iter().map(|r| r.step).collect();
    assert_eq!(steps, StepId::ALL.to_vec(), "each step once, in order");
    for r in &reports {
        assert!(!r.lines.is_empty(), "{:?} printed nothing", r.step);
        for f in &r.figures {
            assert!(f.value.is_finite(), "{:?} {:?} = {}", r.step, f.id, f.value);
        }
    }
    let get = |step: StepId, key: FigureId| {
        reports
            .iter()
            .find(|r| r.step == step)
            .and_then(|r| r.get(key))
            .unwrap_or_else(|| panic!("{step:?} {key:?}"))
    };
    assert_eq!(get(StepId::Load, FigureId::NumEntities), 1500.0);
    let top = get(StepId::Search, FigureId::TopScore);
    assert!(top > 0.2 && top < 0.8, "random 64-d data: top score {top}");
    for (step, key) in [
        (StepId::Search, FigureId::Recall),
        (StepId::BatchSearch, FigureId::Recall),
        (StepId::FilteredSearch, FigureId::Recall),
    ] {
        let r = get(step, key);
        assert!((0.0..=1.0).contains(&r), "{step:?} recall {r}");
    }
    assert!((get(StepId::FilteredSearch, FigureId::Selectivity) - 0.1).abs() < 1e-9);
    let search = reports.iter().find(|r| r.step == StepId::Search).unwrap();
    assert_eq!(search.hits.len(), 10);
    let shown = words::show(search, Lang::Zh);
    assert!(shown.lines.iter().any(|l| l.starts_with("1. 距离=")));
    assert!(
        shown
            .corrections
            .iter()
            .any(|c| c.tutorial.contains("0.9234"))
    );
    let sweep = &reports
        .iter()
        .find(|r| r.step == StepId::EfSweep)
        .unwrap()
        .sweep;
    assert_eq!(
        sweep.iter().map(|p| p.value).collect::<Vec<_>>(),
        vec![16, 32, 64, 128]
    );
    assert!(sweep.last().unwrap().recall >= sweep[0].recall);
    let insert = reports.iter().find(|r| r.step == StepId::Insert).unwrap();
    assert_eq!(
        insert.batches.iter().map(|b| b.rows).collect::<Vec<_>>(),
        [500, 500, 500]
    );
    assert!(insert.batches.iter().all(|b| b.ms > 0.0 && b.rate() > 0.0));
    let compare = reports
        .iter()
        .find(|r| r.step == StepId::IvfCompare)
        .unwrap();
    for index in ["FLAT", "HNSW", "IVF_FLAT", "HNSW_SQ"] {
        assert!(compare.sweep.iter().any(|p| p.index == index), "{index}");
    }
    assert!(compare.sweep.iter().all(|p| p.qps > 0.0));
    let stats = reports.iter().find(|r| r.step == StepId::Stats).unwrap();
    assert!(
        words::show(stats, Lang::Zh).corrections[0]
            .measured
            .contains("AttributeError")
    );
    let cleanup = reports.iter().find(|r| r.step == StepId::Cleanup).unwrap();
    assert!(
        cleanup
            .text
            .as_deref()
            .unwrap()
            .contains("collection not loaded")
    );
    let pq = reports.iter().find(|r| r.step == StepId::IvfPq).unwrap();
    for index in ["FLAT", "HNSW", "IVF_FLAT", "IVF_PQ", "HNSW_SQ"] {
        assert!(
            pq.sweep.iter().any(|p| p.index == index),
            "no {index} curve"
        );
    }
    let flat_mem = pq
        .sweep
        .iter()
        .find(|p| p.index == "FLAT")
        .unwrap()
        .memory_bytes;
    let pq_mem = pq
        .sweep
        .iter()
        .find(|p| p.index == "IVF_PQ")
        .unwrap()
        .memory_bytes;
    assert!(pq_mem > 0 && flat_mem > 0);
    // HNSW_SQ searches its graph and SQ8 codes: less than HNSW's graph and floats.
    let mem = |index: &str| {
        pq.sweep
            .iter()
            .find(|p| p.index == index)
            .unwrap()
            .memory_bytes
    };
    assert!(
        mem("HNSW_SQ") > 0 && mem("HNSW_SQ") < mem("HNSW"),
        "{} vs {}",
        mem("HNSW_SQ"),
        mem("HNSW")
    );
    assert!(get(StepId::Cluster, FigureId::Recall) > 0.0);
    let metrics = reports
        .iter()
        .find(|r| r.step == StepId::Monitoring)
        .unwrap();
    assert!(
        metrics
            .text
            .as_deref()
            .unwrap()
            .contains("annlab_search_latency_seconds_bucket")
    );
}

#[test]
fn a_later_step_runs_what_it_needs_and_english_works() {
    let mut s = Scenario::new(small()).unwrap();
    let reports = s
        .run(
            StepId::FilteredSearch,
            &StepClock::new(1.0),
            &mut NoProgress,
        )
        .unwrap();
    let steps: Vec<StepId> = reports.iter().map(|r| r.step).collect();
    assert_eq!(
        steps,
        [
            StepId::Connect,
            StepId::Schema,
            StepId::Index,
            StepId::Data,
            StepId::Insert,
            StepId::Load,
            StepId::FilteredSearch
        ]
    );
    assert!(
        words::show(reports.last().unwrap(), Lang::En)
            .lines
            .iter()
            .any(|l| l.starts_with("Filter: source == 'source_0.txt'"))
    );
    assert!(s.has_run(StepId::Insert));
}

#[test]
fn bad_parameters_are_refused_with_milvus_messages() {
    let mut s = Scenario::new(ScenarioParams { m: 5000, ..small() }).unwrap();
    let err = s
        .run(StepId::Index, &StepClock::new(1.0), &mut NoProgress)
        .unwrap_err();
    assert_eq!(err.to_string(), "M out of range: [1, 2048]");
    let mut s = Scenario::new(ScenarioParams {
        filter: "source == 1".into(),
        ..small()
    })
    .unwrap();
    let err = s
        .run(
            StepId::FilteredSearch,
            &StepClock::new(1.0),
            &mut NoProgress,
        )
        .unwrap_err();
    assert!(
        err.to_string().contains("comparisons between VarChar"),
        "{err}"
    );
    assert!(
        Scenario::new(ScenarioParams {
            batch_size: 0,
            ..small()
        })
        .is_err()
    );
}

#[test]
fn both_data_kinds_run_every_step_and_embeddings_stand_apart() {
    use crate::dataset::DataKind;
    let mut by_kind = Vec::new();
    for kind in DataKind::ALL {
        let mut p = small();
        p.data.kind = kind;
        let mut s = Scenario::new(p).unwrap();
        let reports = s.run_all(&StepClock::new(0.5), &mut NoProgress).unwrap();
        let steps: Vec<StepId> = reports.iter().map(|r| r.step).collect();
        assert_eq!(steps, StepId::ALL.to_vec(), "{kind:?}: each step once");
        for r in &reports {
            for f in &r.figures {
                assert!(f.value.is_finite(), "{kind:?} {:?} {:?}", r.step, f.id);
            }
        }
        let data = reports.iter().find(|r| r.step == StepId::Data).unwrap();
        assert_eq!(data.similarity.len(), 2);
        assert_eq!(data.similarity[0].kind, kind);
        assert_eq!(data.similarity[1].kind, kind.other());
        // Step 4 measured the same two histograms whichever kind ran.
        assert_eq!(data.similarity[0].counts.iter().sum::<u32>(), 1500);
        let printed = words::show(data, Lang::En).lines.join("\n");
        assert!(
            printed.contains(&format!("{}: query 0's mean similarity", kind.name())),
            "{printed}"
        );
        let search = reports.iter().find(|r| r.step == StepId::Search).unwrap();
        match &search.corrections[0] {
            Correction::TopScore {
                data, other_best, ..
            } => {
                assert_eq!(*data, kind);
                assert_eq!(*other_best, Some(data_best(&data_report(&reports), 1)));
            }
            c => panic!("{c:?}"),
        }
        by_kind.push((kind, reports));
    }
    let get = |i: usize, step: StepId, id: FigureId| {
        by_kind[i]
            .1
            .iter()
            .find(|r| r.step == step)
            .and_then(|r| r.get(id))
            .unwrap()
    };
    // Random first, embeddings second.
    let (rc, ec) = (
        get(0, StepId::Data, FigureId::RelativeContrast),
        get(1, StepId::Data, FigureId::RelativeContrast),
    );
    assert!(ec > rc + 0.3, "contrast: embeddings {ec} random {rc}");
    assert_eq!(rc, get(1, StepId::Data, FigureId::OtherRelativeContrast));
    assert!(
        get(1, StepId::Search, FigureId::TopScore) > get(0, StepId::Search, FigureId::TopScore)
    );
    let recall_at = |i: usize| {
        by_kind[i]
            .1
            .iter()
            .find(|r| r.step == StepId::EfSweep)
            .unwrap()
            .sweep
            .iter()
            .find(|p| p.value == 64)
            .unwrap()
            .recall
    };
    assert!(
        recall_at(1) >= recall_at(0),
        "{} {}",
        recall_at(1),
        recall_at(0)
    );
    assert!(
        recall_at(1) >= 0.9,
        "embeddings recall@10 at ef=64: {}",
        recall_at(1)
    );
}

fn data_report(reports: &[StepReport]) -> StepReport {
    reports
        .iter()
        .find(|r| r.step == StepId::Data)
        .unwrap()
        .clone()
}

fn data_best(r: &StepReport, which: usize) -> f64 {
    r.similarity[which].best()
}
