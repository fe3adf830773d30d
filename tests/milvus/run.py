"""annlab against the real Milvus 2.3.5 on this machine (issue 6):

* `annlab scenario --milvus` completes against the real server and against
  `annlab serve`, and both report recall; the recall of the same index on the
  same data agrees between the two servers;
* the tutorial's own script (pymilvus from tests/pymilvus's pinned venv) fails
  against the real server exactly where tests/pymilvus/test_tutorial.py says it
  fails against annlab, and with that line removed runs to the end;
* tests/pymilvus's error catalogue and partition tests pass against the real
  server as they do against annlab;
* the client libraries' tests (tests/langchain, tests/llamaindex, tests/node)
  pass against the real server as they do against annlab.

Usage (as root): ANNLAB_BIN=target/debug/annlab target/pyvenv/bin/python tests/milvus/run.py
Ends with the `ℹ pass N` / `ℹ fail M` lines that `./x test` sums.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "pymilvus"))

from harness import BIN, Server  # noqa: E402
from real import URL, RealMilvus  # noqa: E402
import test_tutorial  # noqa: E402

SECTIONS = [
    "connect", "schema", "index", "data", "insert", "load", "search", "batch_search",
    "filtered_search", "ef_sweep", "stats", "ivf_compare", "cleanup", "ivf_pq",
]
# Small enough to be quick, large enough for every index to be built by both
# servers (real Milvus indexes sealed segments of at least 1024 rows).
SCENARIO = ["--n", "3000", "--dim", "64", "--nlist", "32", "--queries", "50",
            "--ef-list", "16,64", "--json", "-q"]


def scenario(prefix, url):
    r = subprocess.run(prefix + [BIN, "scenario", *SCENARIO, "--milvus", url],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    report = json.loads(r.stdout)
    assert [s["step"] for s in report["sections"]] == SECTIONS, report
    f = report["figures"]
    for key in ("single_recall", "batch_recall", "ef16_recall", "ef64_recall",
                "ivf_flat_recall", "ivf_pq_recall"):
        assert 0.0 < f[key] <= 1.0, (key, report)
    assert f["ef64_recall"] >= f["ef16_recall"], report
    return report


def test_scenario_against_real_milvus_and_annlab(milvus):
    real = scenario(milvus.in_ns([]), URL)
    assert real["version"].startswith("v2.3.5"), real["version"]
    server = Server()
    try:
        ours = scenario([], f"http://127.0.0.1:{server.port}")
    finally:
        server.stop()
    assert ours["version"].startswith("v2.3.5"), ours["version"]
    # The same HNSW (Milvus's layer-0 rule) and IVF_FLAT on the same data and
    # queries: recall agrees within sampling noise; IVF's k-means seeds differ.
    for key, tolerance in (("batch_recall", 0.05), ("ef64_recall", 0.05), ("ivf_flat_recall", 0.1)):
        a, b = real["figures"][key], ours["figures"][key]
        assert abs(a - b) <= tolerance, f"{key}: real Milvus {a:.3f}, annlab {b:.3f}"
    print(f"  recall real Milvus / annlab: " + ", ".join(
        f"{k} {real['figures'][k]:.3f}/{ours['figures'][k]:.3f}"
        for k in ("batch_recall", "ivf_flat_recall", "ivf_pq_recall")), flush=True)


def run_tutorial(milvus, drop_get_stats):
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False, encoding="utf-8") as f:
        f.write(test_tutorial.script(19530, drop_get_stats))
    try:
        return subprocess.run(milvus.in_ns([sys.executable, f.name]), capture_output=True,
                              text=True, timeout=600, cwd=tempfile.gettempdir())
    finally:
        os.unlink(f.name)


def test_unchanged_tutorial_fails_at_get_stats_on_real_milvus(milvus):
    r = run_tutorial(milvus, drop_get_stats=False)
    assert r.returncode != 0, r.stdout
    last = r.stderr.strip().splitlines()[-1]
    assert last == "AttributeError: 'Collection' object has no attribute 'get_stats'", r.stderr
    test_tutorial.assert_in_order(r.stdout, test_tutorial.SECTIONS)
    assert "IVF索引对比" not in r.stdout


def test_tutorial_without_get_stats_runs_to_the_end_on_real_milvus(milvus):
    r = run_tutorial(milvus, drop_get_stats=True)
    assert r.returncode == 0, r.stdout + r.stderr
    test_tutorial.assert_in_order(r.stdout, test_tutorial.SECTIONS + test_tutorial.AFTER_STATS)


def test_error_catalogue_and_partitions_on_real_milvus(milvus):
    """tests/pymilvus's error catalogue, partition and catalogue (aliases,
    databases, renames, properties, compaction) tests and the README's
    MilvusClient example, which `annlab serve` passes, pass against the real
    Milvus too: the same exception types, codes and messages (apart from the
    few differences they name), the same printed lines."""
    r = subprocess.run(
        milvus.in_ns([sys.executable, os.path.join(ROOT, "tests", "pymilvus", "run.py"), "--real",
                      "test_errors", "test_partitions", "test_catalog", "test_search_features",
                      "test_readme", "test_quantised", "test_dynamic", "test_types",
                      "test_vectors", "test_scalar_index"]),
        capture_output=True, text=True, timeout=900)
    for line in r.stdout.splitlines():
        if line.startswith(("✔", "✖")):
            print("  " + line, flush=True)
    assert r.returncode == 0, r.stdout[-6000:] + r.stderr[-2000:]


def test_client_libraries_on_real_milvus(milvus):
    """tests/langchain, tests/llamaindex (each from its own venv) and tests/node
    pass against the real server as they do against annlab: the same hits, in the
    same order, with the same scores."""
    runs = [
        [os.path.join(ROOT, "target", f"{lib}-venv", "bin", "python"),
         os.path.join(ROOT, "tests", "pymilvus", "run.py"), "--real", os.path.join(ROOT, "tests", lib)]
        for lib in ("langchain", "llamaindex")
    ]
    runs.append(["env", "MILVUS_ADDRESS=127.0.0.1:19530", "node", "--test", "--test-reporter=spec",
                 os.path.join(ROOT, "tests", "node")])
    failed = []
    for argv in runs:
        r = subprocess.run(milvus.in_ns(argv), capture_output=True, text=True, timeout=900)
        for line in r.stdout.splitlines():
            if line.startswith(("✔", "✖")):
                print("  " + line, flush=True)
        if r.returncode != 0:
            failed.append(r.stdout[-6000:] + r.stderr[-2000:])
    assert not failed, "\n".join(failed)


def main():
    t0 = time.time()
    tests = [test_scenario_against_real_milvus_and_annlab,
             test_unchanged_tutorial_fails_at_get_stats_on_real_milvus,
             test_tutorial_without_get_stats_runs_to_the_end_on_real_milvus,
             test_error_catalogue_and_partitions_on_real_milvus,
             test_client_libraries_on_real_milvus]
    passed = failed = 0
    try:
        milvus = RealMilvus()
    except Exception:
        traceback.print_exc()
        print(f"ℹ pass 0\nℹ fail {len(tests)}")
        return False
    print(f"real Milvus 2.3.5 started in {milvus.start_seconds:.1f} s", flush=True)
    try:
        for fn in tests:
            t = time.time()
            try:
                fn(milvus)
                passed += 1
                print(f"✔ {fn.__name__} ({time.time() - t:.1f} s)", flush=True)
            except Exception:
                failed += 1
                print(f"✖ {fn.__name__}", flush=True)
                traceback.print_exc()
                print("--- real Milvus log (tail) ---\n" + milvus.log(), flush=True)
    finally:
        milvus.stop()
    print(f"({time.time() - t0:.0f} s)")
    print(f"ℹ pass {passed}")
    print(f"ℹ fail {failed}")
    return failed == 0


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
