use super::*;
use crate::dataset::DataKind;
use crate::scenario::report::{Correction, Line, SweepPoint};
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

#[test]
fn lines_print_as_the_tutorials_script_does() {
    let zh = |l: Line| line(&l, Lang::Zh);
    let en = |l: Line| line(&l, Lang::En);
    assert_eq!(
        en(Line::SearchLatency { ms: 0.9 }),
        "Search latency: 0.90ms"
    );
    assert_eq!(zh(Line::SearchLatency { ms: 0.9 }), "查询延迟: 0.90ms");
    let hit = Line::Hit {
        rank: 1,
        score: 0.086_83,
        text: "文档内容 7".into(),
    };
    assert_eq!(zh(hit.clone()), "1. 距离=0.0868, 文本=文档内容 7");
    assert_eq!(en(hit), "1. distance=0.0868, text=文档内容 7");
    assert_eq!(
        zh(Line::Throughput {
            vectors_per_s: 1911.6
        }),
        "吞吐量: 1912 向量/秒"
    );
    assert_eq!(
        zh(Line::Fields {
            names: vec!["id".into(), "embedding".into()]
        }),
        "字段: ['id', 'embedding']"
    );
    assert_eq!(
        en(Line::Sweep {
            param: "ef".into(),
            value: 16,
            mean_ms: 1.234,
            recall: 0.5
        }),
        "ef= 16: mean latency=1.23ms, recall@10=0.500"
    );
    assert_eq!(
        en(Line::Recall {
            recall: 0.5,
            decimals: 3
        }),
        "recall@10: 0.500"
    );
    assert_eq!(
        zh(Line::MatchingRows {
            allowed: 1000,
            total: 10_000,
            recall: 1.0
        }),
        "匹配行数: 1000/10000 (10.0%), recall@10: 1.00"
    );
    assert_eq!(zh(Line::Title(StepId::Search)), "查询测试");
    assert_eq!(zh(Line::Rule).len(), 60);
    let p = SweepPoint {
        index: "HNSW".into(),
        param: "ef".into(),
        value: 64,
        latency_ms: 0.5,
        qps: 1450.4,
        recall: 0.279,
        memory_bytes: 2_000_000,
        reps: 1,
        unresolved: false,
    };
    assert_eq!(
        en(Line::CurveQps(p)),
        "HNSW         ef=64   recall@10=0.279  1450 QPS"
    );
}

#[test]
fn timing_lines_say_how_the_time_was_measured() {
    let zh = |l: Line| line(&l, Lang::Zh);
    let en = |l: Line| line(&l, Lang::En);
    let t = |reps_min, reps_max, resolution_us| Line::Timing {
        reps_min,
        reps_max,
        resolution_us,
    };
    assert_eq!(
        en(t(1, 1, 0.042)),
        "(each time measured once; clock resolution 0.042 µs)"
    );
    assert_eq!(
        en(t(20, 20, 100.0)),
        "(timed over 20 repetitions; clock resolution 100 µs)"
    );
    assert_eq!(
        en(t(3, 240, 5.0)),
        "(timed over 3–240 repetitions; clock resolution 5.0 µs)"
    );
    assert_eq!(
        zh(t(20, 20, 100.0)),
        "(重复 20 次计时取平均; 时钟精度 100 µs)"
    );
    assert_eq!(
        en(t(1, 1, 0.0)),
        "(each time measured once; clock resolution not known)"
    );
}

#[test]
fn corrections_quote_the_tutorial_and_state_the_measurement() {
    let c = correction(
        &Correction::IvfRatio {
            ratio: 0.5,
            nprobe: 10,
            recall: 0.4,
            data: DataKind::Random,
            other: None,
        },
        Lang::En,
    );
    assert!(c.tutorial.contains("IVF比HNSW慢"));
    assert_eq!(
        c.measured,
        "IVF_FLAT (nprobe=10) was 2.0× faster than HNSW here, at recall@10 0.40 (on the tutorial's random data); run with data=embeddings to compare"
    );
    assert!(
        correction(&Correction::GetStats, Lang::Zh)
            .measured
            .contains("AttributeError")
    );
}

#[test]
fn a_report_shows_in_either_language_from_the_same_values() {
    let mut r = StepReport::new(StepId::Cleanup);
    r.header();
    r.line(Line::Released);
    r.text = Some("collection not loaded".into());
    let (zh, en) = (show(&r, Lang::Zh), show(&r, Lang::En));
    assert_eq!(zh.title, "清理资源");
    assert_eq!(en.lines[2], "Clean up");
    assert_eq!(zh.lines[4], "Collection已释放");
    assert_eq!(
        en.text.as_deref(),
        Some("search after release: collection not loaded")
    );
    assert_eq!(done_in(1.25, Lang::En), "Done in: 1.2 s");
    assert_eq!(Lang::from_key(Lang::En.key()), Some(Lang::En));
}

/// The engine's files never pick words or branch on language.
#[test]
fn the_runners_have_no_language() {
    for (name, src) in [
        ("mod.rs", include_str!("../mod.rs")),
        ("run.rs", include_str!("../run.rs")),
        ("search_steps.rs", include_str!("../search_steps.rs")),
        ("exercises.rs", include_str!("../exercises.rs")),
        ("shard.rs", include_str!("../shard.rs")),
        ("live.rs", include_str!("../live.rs")),
        ("report.rs", include_str!("../report.rs")),
        ("lines.rs", include_str!("../lines.rs")),
        ("check.rs", include_str!("../check.rs")),
    ] {
        let code: String = src
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            // The module root names the presentation module it holds.
            .filter(|l| !l.starts_with("pub use words::") && !l.starts_with("pub mod words"))
            .collect();
        for word in ["Lang", "words::", "zh()"] {
            assert!(!code.contains(word), "{name} uses {word}");
        }
    }
}
