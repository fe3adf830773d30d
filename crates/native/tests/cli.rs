//! The `annlab` binary end to end: output, JSON and exit codes.

use std::process::Command;

fn annlab(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_annlab"))
        .args(args)
        .output()
        .expect("annlab runs")
}

#[test]
fn search_prints_a_top10_table() {
    let out = annlab(&["search", "--n", "500", "--dim", "32", "--seed", "5"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<&str> = stdout.lines().skip(2).collect();
    assert_eq!(rows.len(), 10, "{stdout}");
    assert!(rows[0].trim_start().starts_with("1 "), "{stdout}");
    assert!(stdout.contains("文档内容"));
}

#[test]
fn search_json_matches_the_engine() {
    let out = annlab(&[
        "search", "--n", "500", "--dim", "32", "--seed", "5", "--json",
    ]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let hits = v["hits"].as_array().unwrap();
    let expected = annlab_core::quickstart::run(&annlab_core::QuickstartParams {
        data: annlab_core::DataSpec {
            n: 500,
            dim: 32,
            seed: 5,
        },
        k: 10,
    })
    .unwrap();
    assert_eq!(hits.len(), 10);
    for (h, e) in hits.iter().zip(&expected) {
        assert_eq!(h["id"].as_i64().unwrap(), e.id);
        assert_eq!(h["score"].as_f64().unwrap() as f32, e.score);
        assert_eq!(h["source"].as_str().unwrap(), e.source);
    }
    assert!(v["elapsed_ms"].as_f64().unwrap() >= 0.0);
}

#[test]
fn bad_parameters_exit_nonzero_with_one_line() {
    let out = annlab(&["search", "--dim", "0"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("invalid dimension: 0"), "{stderr}");
    let out = annlab(&["search", "--n", "many"]);
    assert_eq!(out.status.code(), Some(2), "clap's usage error");
}
