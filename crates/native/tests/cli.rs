//! The `annlab` binary end to end: output, JSON and exit codes.

use std::process::Command;

#[path = "cli/serve.rs"]
mod serve;

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
            kind: Default::default(),
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

/// The playground shows the quick start's search as the tutorial's step 7: with
/// `ef` as large as the collection, its HNSW top-10 is the exact one that
/// `annlab search` prints (the browser test compares the page with both).
#[test]
fn scenario_step_7_is_the_search_of_annlab_search() {
    let args = |lang: &str| {
        annlab_ok(&[
            "scenario",
            "--n",
            "500",
            "--dim",
            "32",
            "--seed",
            "5",
            "--ef",
            "500",
            "--batch-size",
            "100",
            "--step",
            "search",
            "--json",
            "-q",
            "--lang",
            lang,
        ])
    };
    let step7 = |out: &str| {
        let v: serde_json::Value = serde_json::from_str(out).unwrap();
        v["steps"].as_array().unwrap().last().unwrap().clone()
    };
    let (zh, en) = (step7(&args("zh")), step7(&args("en")));
    assert_eq!(zh["step"], "search");
    assert_eq!(zh["hits"], en["hits"], "the same values in either language");
    assert_eq!(zh["shown"]["title"], "查询测试");
    assert_eq!(en["shown"]["title"], "Single search");
    let printed = |s: &serde_json::Value| s["shown"]["lines"][4].as_str().unwrap().to_owned();
    assert!(printed(&zh).starts_with("查询延迟: "), "{}", printed(&zh));
    assert!(
        printed(&en).starts_with("Search latency: "),
        "{}",
        printed(&en)
    );
    let out = annlab(&[
        "search", "--n", "500", "--dim", "32", "--seed", "5", "--json",
    ]);
    let exact: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let exact = exact["hits"].as_array().unwrap();
    let hits = zh["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 10);
    for (h, e) in hits.iter().zip(exact) {
        assert_eq!(
            h["id"].as_str().unwrap(),
            e["id"].as_i64().unwrap().to_string()
        );
        assert_eq!(h["text"], e["text"]);
        assert_eq!(h["source"], e["source"]);
        assert!(h["in_exact_top_k"].as_bool().unwrap());
        let (a, b) = (h["score"].as_f64().unwrap(), e["score"].as_f64().unwrap());
        assert!((a - b).abs() <= 1e-5, "{a} vs {b}");
    }
}

/// `--data embeddings` runs the tutorial on embedding-like vectors: the same texts,
/// a far higher top score and contrast than the random data, whose step-4
/// histogram is measured beside it; an unknown kind is clap's usage error.
#[test]
fn scenario_runs_on_embeddings_with_data() {
    let run = |data: &str| {
        let out = annlab_ok(&[
            "scenario",
            "--n",
            "1000",
            "--dim",
            "64",
            "--batch-size",
            "500",
            "--queries",
            "20",
            "--data",
            data,
            "--step",
            "search",
            "--json",
            "-q",
            "--lang",
            "en",
        ]);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        v["steps"].as_array().unwrap().clone()
    };
    let figure = |steps: &[serde_json::Value], step: &str, id: &str| {
        let s = steps.iter().find(|s| s["step"] == step).unwrap();
        let f = s["figures"].as_array().unwrap();
        f.iter().find(|f| f["id"] == id).unwrap()["value"]
            .as_f64()
            .unwrap()
    };
    let (random, emb) = (run("random"), run("embeddings"));
    let data = emb.iter().find(|s| s["step"] == "data").unwrap();
    assert_eq!(data["similarity"][0]["kind"], "embeddings");
    assert_eq!(data["similarity"][1]["kind"], "random");
    assert!(
        figure(&emb, "data", "relative_contrast") > figure(&random, "data", "relative_contrast")
    );
    assert_eq!(
        figure(&emb, "data", "other_relative_contrast"),
        figure(&random, "data", "relative_contrast")
    );
    assert!(figure(&emb, "search", "top_score") > 0.5);
    assert!(figure(&random, "search", "top_score") < 0.5);
    let search = emb.last().unwrap();
    assert_eq!(
        search["hits"][0]["text"]
            .as_str()
            .unwrap()
            .split(' ')
            .next(),
        Some("文档内容")
    );
    let measured = search["shown"]["corrections"][0]["measured"]
        .as_str()
        .unwrap();
    assert!(measured.contains("embedding-like"), "{measured}");
    assert_eq!(
        annlab(&["scenario", "--data", "tabular"]).status.code(),
        Some(2)
    );
    let out = annlab(&[
        "search",
        "--n",
        "300",
        "--dim",
        "32",
        "--data",
        "embeddings",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["hits"][0]["score"].as_f64().unwrap() > 0.5, "{v}");
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

// ---- annlab bench ----

fn json_lines(out: &std::process::Output) -> Vec<serde_json::Value> {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[test]
fn bench_flat_json_parses_and_a_bad_python_is_one_line() {
    let args = ["bench", "flat", "--n", "300", "--dim", "24", "--nq", "7"];
    let out = annlab(&[&args[..], &["--reps", "2", "--json"]].concat());
    let lines = json_lines(&out);
    let modes: Vec<&str> = lines.iter().map(|l| l["mode"].as_str().unwrap()).collect();
    assert_eq!(
        modes,
        [
            "single: pair loop",
            "single: interleaved",
            "batch: loop",
            "batch: blocked"
        ]
    );
    for l in &lines {
        assert_eq!(l["impl"], "annlab");
        assert!(l["cpu_ms_best"].as_f64().unwrap() <= l["cpu_ms"].as_f64().unwrap());
        assert!(l["gflops"].as_f64().unwrap() > 0.0, "{l}");
    }
    let out = annlab(&[&args[..], &["--python", "/nonexistent/python"]].concat());
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot run /nonexistent/python"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn bench_kernels_json_parses() {
    let out = annlab(&[
        "bench",
        "kernels",
        "--dim",
        "64",
        "--n",
        "200",
        "--mem-mib",
        "16",
        "--reps",
        "3",
        "--json",
    ]);
    let lines = json_lines(&out);
    assert_eq!(lines[0]["bench"], "memory");
    assert!(lines[0]["read_gbs"].as_f64().unwrap() > 0.0);
    let kernels = &lines[1..];
    let per_metric = annlab_core::kernels::available().len();
    assert_eq!(kernels.len(), 3 * per_metric);
    for (i, k) in kernels.iter().enumerate() {
        assert_eq!(k["metric"], ["COSINE", "IP", "L2"][i / per_metric]);
        for f in [
            "pair_ns",
            "pair_gbs",
            "scan_ns_per_row",
            "scan_gbs",
            "scan_of_mem_bw",
        ] {
            assert!(k[f].as_f64().unwrap() > 0.0, "{f}: {k}");
        }
    }
    assert_eq!(kernels[0]["kernel"], "scalar");
    assert_eq!(kernels[0]["scan_speedup"].as_f64(), Some(1.0));
}

#[test]
fn bench_index_json_lines_svg_and_peer() {
    let svg = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("bench_index.svg");
    let _ = std::fs::remove_file(&svg);
    let out = annlab(&[
        "bench",
        "index",
        "--n",
        "300",
        "--dim",
        "32",
        "--nq",
        "20",
        "--index",
        "hnsw,flat",
        "--ef",
        "16,64",
        "--json",
        "--svg",
        svg.to_str().unwrap(),
    ]);
    let lines = json_lines(&out);
    // Our HNSW (M and 2·M links on layer 0) at two ef each, the peer at two ef, FLAT.
    assert_eq!(lines.len(), 7, "{lines:?}");
    for l in &lines {
        for f in [
            "impl",
            "peer",
            "dataset",
            "n",
            "dim",
            "nq",
            "k",
            "index",
            "params",
            "build",
            "search_param",
            "search_value",
            "recall",
            "recall_se",
            "lat_med_ms",
            "lat_p99_ms",
            "qps",
            "batch_s",
            "index_bytes",
        ] {
            assert!(l.get(f).is_some(), "{f} missing: {l}");
        }
        assert_eq!((l["n"].as_u64(), l["dim"].as_u64()), (Some(300), Some(32)));
        assert_eq!((l["nq"].as_u64(), l["k"].as_u64()), (Some(20), Some(10)));
        let recall = l["recall"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&recall), "{l}");
        assert!(l["lat_p99_ms"].as_f64().unwrap() >= l["lat_med_ms"].as_f64().unwrap());
        assert!(l["build"][0]["build_s"].as_f64().unwrap() >= 0.0);
        if cfg!(target_os = "linux") {
            assert!(l["cpu_lat_med_ms"].as_f64().unwrap() >= 0.0, "{l}");
            assert!(l["cpu_qps"].as_f64().unwrap() > 0.0, "{l}");
        }
    }
    let ours: Vec<_> = lines
        .iter()
        .filter(|l| l["impl"] == "annlab" && l["index"] == "HNSW")
        .collect();
    assert_eq!(ours.len(), 4);
    assert_eq!(ours[0]["params"]["M"], 16);
    assert_eq!(ours[0]["params"]["layer0_links"], "M");
    assert_eq!(ours[3]["params"]["layer0_links"], "M_max0");
    assert_eq!(ours[3]["peer"], "annlab HNSW (2M links)");
    assert_eq!(ours[0]["search_param"], "ef");
    let r = |l: &serde_json::Value| l["recall"].as_f64().unwrap();
    assert!(r(ours[1]) >= r(ours[0]) - 0.05, "recall falls with ef");
    let flat = lines.iter().find(|l| l["index"] == "FLAT").unwrap();
    assert_eq!(flat["search_param"], "none");
    assert_eq!(r(flat), 1.0);
    let peer: Vec<_> = lines.iter().filter(|l| l["impl"] == "rust").collect();
    assert_eq!(peer.len(), 2);
    assert_eq!(peer[1]["search_value"], 64);
    let svg = std::fs::read_to_string(&svg).unwrap();
    assert!(svg.starts_with("<svg"), "{}", &svg[..svg.len().min(80)]);
    assert!(svg.contains("annlab HNSW") && svg.contains("recall@10"));
}

#[test]
fn bench_index_rejects_milvus_out_of_range_params() {
    for (args, msg) in [
        (&["--m", "0"][..], "M out of range: [1, 2048]"),
        (&["--ef", "5"][..], "ef(5) should be larger than k(10)"),
        (
            &["--index", "ivf_flat", "--nlist", "0"][..],
            "nlist out of range: [1, 65536]",
        ),
    ] {
        let mut all = vec!["bench", "index", "--n", "300", "--dim", "32", "--nq", "5"];
        all.extend_from_slice(args);
        let out = annlab(&all);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains(msg), "{stderr}");
    }
}

#[test]
fn bench_scale_reports_each_size_and_draws_it() {
    let svg = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("bench_scale.svg");
    let out = annlab(&[
        "bench",
        "scale",
        "--n",
        "300,600",
        "--dim",
        "32",
        "--nq",
        "10",
        "--m",
        "8",
        "--ef-construction",
        "40",
        "--reps",
        "1",
        "--threads",
        "2",
        "--json",
        "--svg",
        svg.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 2);
    for (line, n) in lines.iter().zip([300, 600]) {
        assert_eq!(line["n"], n);
        assert_eq!(line["threads"], 2);
        assert!(line["build_1t_s"].as_f64().unwrap() > 0.0);
        assert!(line["index_bytes"].as_u64().unwrap() > 0);
        // Embedding-like data at this size reaches 0.95 well within the ef list.
        assert!(line["stats"]["recall"].as_f64().unwrap() >= 0.95, "{line}");
        assert!(line["ef"].as_u64().is_some());
    }
    let drawn = std::fs::read_to_string(&svg).unwrap();
    assert!(drawn.contains("<svg") && drawn.contains("n (log scale)"));
    let bad = annlab(&["bench", "scale", "--n", "300", "--dim", "32", "--m", "0"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("M out of range: [1, 2048]"));
}

/// Writes rows as `.fvecs` (f32) or `.ivecs` (i32) records.
fn write_vecs<T: Copy>(path: &std::path::Path, rows: &[Vec<T>], bytes: fn(T) -> [u8; 4]) {
    let mut out = Vec::new();
    for r in rows {
        out.extend_from_slice(&(r.len() as i32).to_le_bytes());
        r.iter().for_each(|&v| out.extend_from_slice(&bytes(v)));
    }
    std::fs::write(path, out).unwrap();
}

#[test]
fn bench_index_reads_fvecs_and_rejects_malformed_files() {
    use annlab_core::Metric;
    use annlab_core::index::VectorView;
    use annlab_core::index::flat::exact_search;

    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("bench_fvecs");
    std::fs::create_dir_all(&dir).unwrap();
    let (dim, k) = (8, 5);
    let row = |i: usize, salt: usize| -> Vec<f32> {
        (0..dim)
            .map(|j| (((i * 31 + j * 7 + salt) % 17) as f32 - 8.0) / 4.0 + 0.1)
            .collect()
    };
    let base: Vec<Vec<f32>> = (0..60).map(|i| row(i, 0)).collect();
    let queries: Vec<Vec<f32>> = (0..6).map(|i| row(i, 5)).collect();
    // The exact neighbours, as the engine finds them on normalised vectors.
    let norm = |v: &Vec<f32>| {
        let mut v = v.clone();
        Metric::Cosine.prepare(0, &mut v).unwrap();
        v
    };
    let flat: Vec<f32> = base.iter().flat_map(norm).collect();
    let gt: Vec<Vec<i32>> = queries
        .iter()
        .map(|q| {
            exact_search(
                VectorView::new(dim, &flat),
                Metric::Cosine,
                &norm(q),
                k,
                None,
            )
            .iter()
            .map(|n| n.row as i32)
            .collect()
        })
        .collect();
    let (b, q, g) = (
        dir.join("tiny_base.fvecs"),
        dir.join("tiny_query.fvecs"),
        dir.join("tiny_gt.ivecs"),
    );
    write_vecs(&b, &base, f32::to_le_bytes);
    write_vecs(&q, &queries, f32::to_le_bytes);
    write_vecs(&g, &gt, i32::to_le_bytes);
    let run = |base: &std::path::Path| {
        annlab(&[
            "bench",
            "index",
            "--base",
            base.to_str().unwrap(),
            "--query",
            q.to_str().unwrap(),
            "--gt",
            g.to_str().unwrap(),
            "--k",
            "5",
            "--index",
            "flat",
            "--json",
        ])
    };
    let lines = json_lines(&run(&b));
    assert_eq!(lines.len(), 1);
    let l = &lines[0];
    assert_eq!(l["dataset"], "tiny");
    assert_eq!((l["n"].as_u64(), l["dim"].as_u64()), (Some(60), Some(8)));
    assert_eq!((l["nq"].as_u64(), l["k"].as_u64()), (Some(6), Some(5)));
    assert_eq!(l["recall"].as_f64(), Some(1.0));

    // Cut the last record short: one line naming the file and the byte offset.
    let bad = dir.join("bad_base.fvecs");
    let bytes = std::fs::read(&b).unwrap();
    std::fs::write(&bad, &bytes[..bytes.len() - 3]).unwrap();
    let out = run(&bad);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    let record = 4 * (dim + 1);
    assert!(stderr.contains("bad_base.fvecs"), "{stderr}");
    assert!(
        stderr.contains(&format!("at byte {}", 59 * record)) && stderr.contains("truncated"),
        "{stderr}"
    );
}

// ---- `annlab db` and `--data-dir`: durable storage ----

/// A fresh, empty directory for one test.
fn data_dir(test: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("annlab-cli-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn annlab_ok(args: &[&str]) -> String {
    let out = annlab(args);
    assert!(
        out.status.success(),
        "annlab {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn db_info(dir: &std::path::Path) -> serde_json::Value {
    let out = annlab_ok(&["db", "info", "--data-dir", dir.to_str().unwrap(), "--json"]);
    serde_json::from_str(&out).unwrap()
}

fn stored_files(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

fn ingest_args<'a>(dir: &'a str, n: &'a str, dim: &'a str, batch: &'a str) -> Vec<&'a str> {
    vec![
        "db",
        "ingest",
        "--data-dir",
        dir,
        "--collection",
        "docs",
        "--n",
        n,
        "--dim",
        dim,
        "--batch",
        batch,
        "--m",
        "8",
        "--ef-construction",
        "40",
        "--seed",
        "7",
        "-q",
    ]
}

#[test]
fn db_ingest_round_trips_and_appends() {
    let dir = data_dir("round-trip");
    let d = dir.to_str().unwrap();
    let out = annlab_ok(&ingest_args(d, "300", "16", "100"));
    assert_eq!(
        out.lines().collect::<Vec<_>>(),
        ["flushed docs 100", "flushed docs 200", "flushed docs 300"]
    );
    let info = db_info(&dir);
    let c = &info["collections"][0];
    assert_eq!(c["name"], "docs");
    assert_eq!(c["rows"], 300);
    assert_eq!(c["sealed_segments"], 3);
    assert_eq!(c["index"]["type"], "HNSW");
    assert_eq!(c["index"]["state"], "Finished");
    assert_eq!(c["indexed_rows"], 300);
    assert!(c["file_bytes"].as_u64().unwrap() > 300 * 16 * 4);
    // Appends: the dimension comes from the stored collection.
    let mut again = ingest_args(d, "300", "16", "300");
    again.retain(|a| *a != "--dim" && *a != "16");
    assert_eq!(annlab_ok(&again), "flushed docs 600\n");
    let c = &db_info(&dir)["collections"][0];
    assert_eq!(
        (c["rows"].as_u64(), c["count"].as_u64()),
        (Some(600), Some(600))
    );
    let file = c["file"].as_str().unwrap().to_owned();
    assert_eq!(stored_files(&dir), ["LOCK", "MANIFEST", file.as_str()]);
    // A different dimension is refused with one line saying what to pass.
    let out = annlab(&ingest_args(d, "10", "8", "10"));
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("pass --dim 16"), "{stderr}");
    // Dropping removes it durably.
    assert_eq!(
        annlab_ok(&["db", "drop", "--data-dir", d, "--collection", "docs"]),
        "dropped docs\n"
    );
    assert_eq!(db_info(&dir)["collections"], serde_json::json!([]));
    assert_eq!(stored_files(&dir), ["LOCK", "MANIFEST"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn db_keeps_every_reported_flush_through_kill_9() {
    use std::io::{BufRead, BufReader, Read};
    use std::process::Stdio;
    use std::time::{Duration, Instant};

    let dir = data_dir("kill9");
    let d = dir.to_str().unwrap();
    let batch = 20;
    let started = Instant::now();
    let mut rng: u64 = 0x2545_f491_4f6c_dd1d; // seeded: the same delays every run
    let mut stored = 0;
    for i in 0..10 {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let delay = Duration::from_millis(5 + rng % 76);
        let mut child = Command::new(env!("CARGO_BIN_EXE_annlab"))
            .args(ingest_args(d, "100000", "8", "20"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut printed = String::new();
        // Even iterations die at a random time from the start (opening, creating
        // the collection, the first flush); odd ones a random time after a flush.
        if i % 2 == 1 {
            stdout.read_line(&mut printed).unwrap();
        }
        std::thread::sleep(delay);
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        stdout.read_to_string(&mut printed).unwrap();
        let reported = printed
            .lines()
            .filter_map(|l| l.strip_prefix("flushed docs "))
            .map(|n| n.parse::<u64>().unwrap())
            .max()
            .unwrap_or(0);
        let info = db_info(&dir);
        let rows = info["collections"][0]["rows"].as_u64().unwrap_or(0);
        assert!(
            rows >= reported && rows >= stored,
            "iteration {i} (killed after {delay:?}): {rows} rows stored, {reported} reported, {stored} before"
        );
        assert_eq!(rows % batch, 0, "whole batches only: {rows}");
        assert_eq!(info["collections"][0]["pending_index_rows"], 0);
        let files = stored_files(&dir);
        assert!(files.len() <= 3, "strays removed on open: {files:?}");
        stored = rows;
    }
    assert!(stored > 0, "no kill came after a flush: raise the delays");
    // The store still takes appends after all that.
    let out = annlab_ok(&ingest_args(d, "40", "8", "20"));
    assert!(
        out.ends_with(&format!("flushed docs {}\n", stored + 40)),
        "{out}"
    );
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(60), "took {elapsed:?}");
    eprintln!("kill -9 loop: 10 kills, {stored} rows survived, {elapsed:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn db_refuses_a_damaged_file_and_names_it() {
    let dir = data_dir("damaged");
    let d = dir.to_str().unwrap();
    annlab_ok(&ingest_args(d, "100", "8", "50"));
    let file = db_info(&dir)["collections"][0]["file"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = dir.join(&file);
    let mut bytes = std::fs::read(&path).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x10;
    std::fs::write(&path, &bytes).unwrap();
    let one_line_error = |args: &[&str]| {
        let out = annlab(args);
        assert_eq!(out.status.code(), Some(1));
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        stderr
    };
    let stderr = one_line_error(&["db", "info", "--data-dir", d]);
    assert!(stderr.contains(&file), "{stderr}");
    assert!(stderr.contains("checksum"), "{stderr}");
    assert!(stderr.contains("annlab db drop"), "{stderr}");
    assert_eq!(std::fs::read(&path).unwrap(), bytes, "nothing deleted");
    // Collection files without a manifest: refused, never an empty store.
    std::fs::rename(dir.join("MANIFEST"), dir.join("MANIFEST.bak")).unwrap();
    let stderr = one_line_error(&["db", "info", "--data-dir", d]);
    assert!(stderr.contains("no MANIFEST"), "{stderr}");
    std::fs::rename(dir.join("MANIFEST.bak"), dir.join("MANIFEST")).unwrap();
    // The way out the message names.
    annlab_ok(&["db", "drop", "--data-dir", d, "--collection", "docs"]);
    assert_eq!(db_info(&dir)["collections"], serde_json::json!([]));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn db_removes_what_a_crash_left_and_nothing_else() {
    let dir = data_dir("strays");
    let d = dir.to_str().unwrap();
    annlab_ok(&ingest_args(d, "60", "8", "30"));
    let file = db_info(&dir)["collections"][0]["file"]
        .as_str()
        .unwrap()
        .to_owned();
    for stray in ["docs.99.annlab.tmp", "MANIFEST.tmp", "docs.98.annlab"] {
        std::fs::write(dir.join(stray), b"half-written").unwrap();
    }
    std::fs::write(dir.join("notes.tmp"), b"not ours").unwrap();
    let c = &db_info(&dir)["collections"][0];
    assert_eq!(c["rows"], 60);
    assert_eq!(
        stored_files(&dir),
        ["LOCK", "MANIFEST", file.as_str(), "notes.tmp"]
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn db_scenario_stores_its_collections_with_data_dir() {
    let dir = data_dir("scenario");
    let d = dir.to_str().unwrap();
    let out = annlab_ok(&[
        "scenario",
        "--n",
        "200",
        "--dim",
        "8",
        "--batch-size",
        "100",
        "--step",
        "load",
        "--lang",
        "en",
        "-q",
        "--data-dir",
        d,
    ]);
    assert!(out.contains("stored production_documents in"), "{out}");
    let c = &db_info(&dir)["collections"][0];
    assert_eq!(c["name"], "production_documents");
    assert_eq!(c["rows"], 200);
    assert_eq!(c["index"]["type"], "HNSW");
    std::fs::remove_dir_all(&dir).unwrap();
}
