"""Benchmark (not a test): the tutorial's own script, section by section, against
`annlab serve` and against the real Milvus 2.3.5, on this machine, at full size.

The script is run as the tutorial has it except that (1) the `get_stats()` line
that no pymilvus has is removed, and (2) after each `flush()` it waits for the
index (`utility.wait_for_index_building_complete`), which the tutorial forgets:
without it, real Milvus runs the tutorial's searches and its ef sweep on
unindexed data (see ../shared/milvus/REFERENCE.md). Each section's wall time is
taken at the script's `# ===== N.` markers; the servers alternate, `--rounds`
times each, and the table shows the median.

Usage (as root; needs a release build):
    cargo build --release -p annlab
    target/pyvenv/bin/python tests/milvus/compare.py [--n 10000] [--rounds 2] [--json FILE]
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "pymilvus"))
os.environ.setdefault("ANNLAB_BIN", os.path.join(ROOT, "target", "release", "annlab"))

from harness import Server  # noqa: E402
from real import RealMilvus  # noqa: E402

MARK = re.compile(r"^# ===== (\d+)\. (.*?) =====$", re.M)
PRELUDE = """import atexit as __atexit, json as __json, time as __time
__marks = []
def __mark(name):
    __marks.append((name, __time.perf_counter()))
__atexit.register(lambda: (__mark("end"), __json.dump(__marks, open({out!r}, "w"))))
"""


def instrumented(port, n, out):
    text = open(os.path.join(HERE, "..", "pymilvus", "tutorial.py"), encoding="utf-8").read()
    subs = [
        ('port="19530"', f'port="{port}"'),
        ("n_vectors = 10000", f"n_vectors = {n}"),
        ("stats = collection.get_stats()\n", ""),
        ('collection.flush()\nprint("数据已刷新到磁盘")',
         'collection.flush()\nutility.wait_for_index_building_complete(collection_name)\nprint("数据已刷新到磁盘")'),
        ("ivf_collection.flush()\n",
         "ivf_collection.flush()\nutility.wait_for_index_building_complete(ivf_collection_name)\n"),
    ]
    for old, new in subs:
        assert text.count(old) == 1, f"tutorial.py should contain {old!r} once"
        text = text.replace(old, new)
    text = MARK.sub(lambda m: f'{m.group(0)}\n__mark("{m.group(1)}. {m.group(2)}")', text)
    return PRELUDE.format(out=out) + text


def run(prefix, port, n):
    """One run of the script; returns [(section, seconds)]."""
    marks = tempfile.mktemp(suffix=".json")
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False, encoding="utf-8") as f:
        f.write(instrumented(port, n, marks))
    try:
        r = subprocess.run(prefix + [sys.executable, f.name], capture_output=True, text=True,
                           timeout=3600, cwd=tempfile.gettempdir())
        if r.returncode != 0:
            raise RuntimeError(r.stdout + r.stderr)
        with open(marks) as m:
            points = json.load(m)
    finally:
        os.unlink(f.name)
        if os.path.exists(marks):
            os.unlink(marks)
    return [(a[0], b[1] - a[1]) for a, b in zip(points, points[1:])]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=10000)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--json", help="also write the measurements here")
    a = p.parse_args()

    results = {"annlab serve": [], "real Milvus 2.3.5": []}
    milvus = RealMilvus()
    try:
        for r in range(a.rounds):
            server = Server()
            try:
                results["annlab serve"].append(run([], server.port, a.n))
            finally:
                server.stop()
            results["real Milvus 2.3.5"].append(run(milvus.in_ns([]), 19530, a.n))
            print(f"round {r + 1}/{a.rounds} done", file=sys.stderr, flush=True)
    finally:
        milvus.stop()

    names = [s for s, _ in results["annlab serve"][0]]

    def median(server, i):
        return statistics.median(run[i][1] for run in results[server])

    print(f"The tutorial's script (get_stats() removed, index awaited), n={a.n}, "
          f"median of {a.rounds} alternating runs, wall seconds:\n")
    print("| section | annlab serve | real Milvus 2.3.5 | Milvus / annlab |")
    print("|---|---:|---:|---:|")
    totals = [0.0, 0.0]
    for i, name in enumerate(names):
        ours, real = median("annlab serve", i), median("real Milvus 2.3.5", i)
        totals[0] += ours
        totals[1] += real
        ratio = f"{real / ours:.1f}×" if ours > 0.0005 else "–"
        print(f"| {name} | {ours:.3f} | {real:.3f} | {ratio} |")
    print(f"| **total** | **{totals[0]:.2f}** | **{totals[1]:.2f}** | **{totals[1] / totals[0]:.1f}×** |")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"n": a.n, "rounds": results}, f, indent=1)


if __name__ == "__main__":
    main()
