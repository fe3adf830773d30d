//! Short measured statements beside a step's output: step 9's selectivity, plan
//! and recall; step 5's note when every batch was faster than the page's clock.

use annlab_core::collection::Strategy;
use annlab_core::scenario::{FigureId, Lang, StepId, StepReport};

use super::figures::{measurable, resolution_text, shortest_ms};
use crate::tr;

/// A short measured statement beside a step's output, optionally with a share
/// (0–1) drawn as a bar.
#[derive(Debug, Clone, PartialEq)]
pub struct Callout {
    pub testid: &'static str,
    pub text: String,
    pub share: Option<f64>,
}

/// Step 9: how selective the filter was, which plan the engine chose, and recall.
pub fn callouts(r: &StepReport, lang: Lang) -> Vec<Callout> {
    let mut out = Vec::new();
    if r.step == StepId::Insert
        && !r.batches.is_empty()
        && !r.batches.iter().any(|b| measurable(r, b))
    {
        let n = r.batches.len();
        let shortest = shortest_ms(r);
        let clock = resolution_text(r.clock_resolution_ms);
        out.push(Callout {
            testid: "insert-resolution",
            share: None,
            text: tr(
                lang,
                &format!("全部 {n} 批都快于 {shortest:.2} ms（时钟精度 {clock} 的 100 倍），一次插入无法重复计时：增大 n、dim 或 batch_size 才能看到每批的吞吐量。"),
                &format!("All {n} batches took less than {shortest:.2} ms (100 ticks of the clock's {clock} resolution; an insert cannot be repeated to be timed): raise n, dim or batch_size to see per-batch throughput."),
            ),
        });
    }
    if r.step == StepId::FilteredSearch
        && let (Some(sel), Some(rec), Some(plan)) = (
            r.get(FigureId::Selectivity),
            r.get(FigureId::Recall),
            &r.plan,
        )
    {
        let exact = plan
            .segments
            .iter()
            .filter(|s| {
                matches!(
                    s.strategy,
                    Strategy::ExactFiltered | Strategy::ExactUnindexed
                )
            })
            .count();
        let plan_text = if exact == plan.segments.len() {
            tr(
                lang,
                "精确扫描匹配的行（比带过滤的图搜索更省距离计算）",
                "exact scan of the matching rows (fewer distance computations than a filtered graph walk)",
            )
        } else if exact == 0 {
            tr(
                lang,
                "在索引内部过滤（遍历时检查条件）",
                "filter inside the index (checked during traversal)",
            )
        } else {
            tr(
                lang,
                &format!(
                    "{exact}/{} 个段精确扫描，其余在索引内过滤",
                    plan.segments.len()
                ),
                &format!(
                    "{exact} of {} segments scanned exactly, the rest filtered in the index",
                    plan.segments.len()
                ),
            )
        };
        out.push(Callout {
            testid: "filter-callout",
            share: Some(sel.clamp(0.0, 1.0)),
            text: tr(
                lang,
                &format!(
                    "选择性 {:.1}%（{} 行通过过滤）→ 计划：{plan_text} → recall@10 {rec:.2}",
                    sel * 100.0,
                    r.get(FigureId::AllowedRows).unwrap_or(0.0)
                ),
                &format!(
                    "Selectivity {:.1}% ({} rows pass the filter) → plan: {plan_text} → recall@10 {rec:.2}",
                    sel * 100.0,
                    r.get(FigureId::AllowedRows).unwrap_or(0.0)
                ),
            ),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use annlab_core::collection::{SearchPlan, SegmentPlan};
    use annlab_core::scenario::BatchTiming;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn a_callout_replaces_the_insert_chart_only_when_no_batch_is_measurable() {
        let mut r = StepReport::new(StepId::Insert);
        r.batches = vec![
            BatchTiming { rows: 250, ms: 0.0 },
            BatchTiming { rows: 250, ms: 0.5 },
        ];
        r.clock_resolution_ms = 0.005;
        assert!(callouts(&r, Lang::En).is_empty());
        r.batches[1].ms = 0.01;
        assert_eq!(callouts(&r, Lang::En)[0].testid, "insert-resolution");
    }

    #[test]
    fn the_filter_callout_states_selectivity_plan_and_recall() {
        let mut r = StepReport::new(StepId::FilteredSearch);
        r.figure(FigureId::Selectivity, 0.1);
        r.figure(FigureId::AllowedRows, 1000.0);
        r.figure(FigureId::Recall, 1.0);
        r.plan = Some(SearchPlan {
            segments: vec![SegmentPlan {
                segment_id: 1,
                rows: 10_000,
                allowed_rows: Some(1000),
                strategy: Strategy::ExactFiltered,
            }],
        });
        let c = callouts(&r, Lang::En);
        assert_eq!(c[0].testid, "filter-callout");
        assert!(c[0].text.contains("Selectivity 10.0%"), "{}", c[0].text);
        assert!(c[0].text.contains("exact scan"));
        assert!(c[0].text.contains("recall@10 1.00"));
        assert_eq!(c[0].share, Some(0.1));
    }
}
