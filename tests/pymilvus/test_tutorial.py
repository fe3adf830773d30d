"""The tutorial's own script (tutorial.py, copied verbatim from the tutorial's
Markdown) against `annlab serve`, at a reduced size.

Against real Milvus 2.3.5 the unchanged script dies at section 11 with
`AttributeError: 'Collection' object has no attribute 'get_stats'` (pymilvus has
no such method), and with that one line removed it runs to the end
(`../shared/milvus/REFERENCE.md`). annlab must behave the same.
"""

import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
N_VECTORS = int(os.environ.get("ANNLAB_TUTORIAL_N", "2000"))

SECTIONS = [
    "Milvus生产级部署",
    "连接成功",
    "创建集合: production_documents",
    "创建索引",
    "生成测试数据",
    "批量插入",
    "数据已刷新到磁盘",
    "加载Collection",
    f"向量数量: {N_VECTORS}",
    "查询测试",
    "Top-10结果:",
    "10. 距离=",
    "批量查询测试",
    "过滤查询测试",
    "结果数量: 10",
    "性能对比：不同ef参数",
    "ef=128: 平均延迟=",
    "索引统计",
]
AFTER_STATS = ["IVF索引对比", "IVF查询延迟", "清理资源", "Collection已释放", "连接已断开", "测试完成"]


def script(port, drop_get_stats):
    """The tutorial with its size reduced and its port changed, by substitution."""
    text = open(os.path.join(HERE, "tutorial.py"), encoding="utf-8").read()
    subs = [
        ('port="19530"', f'port="{port}"'),
        ("n_vectors = 10000", f"n_vectors = {N_VECTORS}"),
    ]
    if drop_get_stats:
        subs.append(("stats = collection.get_stats()\n", ""))
    for old, new in subs:
        assert text.count(old) == 1, f"tutorial.py should contain {old!r} once"
        text = text.replace(old, new)
    return text


def run_script(server, drop_get_stats):
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False, encoding="utf-8") as f:
        f.write(script(server.port, drop_get_stats))
    try:
        return subprocess.run(
            [sys.executable, f.name], capture_output=True, text=True, timeout=600, cwd=tempfile.gettempdir()
        )
    finally:
        os.unlink(f.name)


def assert_in_order(out, lines):
    pos = 0
    for line in lines:
        i = out.find(line, pos)
        assert i >= 0, f"missing {line!r} (after position {pos}) in:\n{out}"
        pos = i + len(line)


def test_unchanged_script_fails_at_get_stats_like_real_milvus(server):
    r = run_script(server, drop_get_stats=False)
    assert r.returncode != 0, r.stdout
    last = r.stderr.strip().splitlines()[-1]
    assert last == "AttributeError: 'Collection' object has no attribute 'get_stats'", r.stderr
    assert_in_order(r.stdout, SECTIONS)
    assert "IVF索引对比" not in r.stdout


def test_script_without_get_stats_runs_to_the_end(server):
    r = run_script(server, drop_get_stats=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert_in_order(r.stdout, SECTIONS + AFTER_STATS)
    # Every search figure came from annlab: the metrics saw them.
    text = server.metrics()
    assert 'annlab_search_requests_total{collection="production_documents",index_type="HNSW"} 43' in text, text
    assert 'annlab_insert_vectors_total{collection="ivf_documents"} ' + str(N_VECTORS) in text, text
