"""The README's MilvusClient example (its section "A Milvus-compatible server"),
read from README.md and run as it stands: it prints what the README says it
prints. tests/milvus runs it against the real Milvus 2.3.5 too."""

import contextlib
import io
import os
import re

from harness import ROOT

ADDRESS = "http://127.0.0.1:19530"


def snippet():
    """The first Python block of the server section and the output shown after it."""
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        section = f.read().split("\n## A Milvus-compatible server", 1)[1].split("\n## ", 1)[0]
    m = re.search(r"```python\n(.*?)```\n\nprints\n\n```text\n(.*?)```", section, re.S)
    assert m, "no ```python block followed by its output in the README's server section"
    return m.group(1), m.group(2)


def test_readme_milvus_client_example(server):
    code, want = snippet()
    assert ADDRESS in code and "create_collection(" in code and "dimension=" in code, code
    code = code.replace(ADDRESS, f"http://127.0.0.1:{server.port}")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {"__name__": "__readme__"})
    assert out.getvalue() == want, f"printed:\n{out.getvalue()}\nREADME says:\n{want}"
