"""Runs the pymilvus tests against `annlab serve` (ANNLAB_BIN, default
target/debug/annlab). Usage: run.py [--real] [module | directory ...] (default:
every test_*.py beside this file; a directory stands for every test_*.py in it,
e.g. tests/langchain, run by the Python of that client's own venv). With --real
they run against the real Milvus on 127.0.0.1:19530 instead (tests/milvus/run.py
starts it and runs this inside its namespace)."""

import glob
import importlib
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from harness import RealMilvusTarget, run_tests  # noqa: E402


def test_modules(directory):
    return sorted(os.path.basename(p)[:-3] for p in glob.glob(os.path.join(directory, "test_*.py")))


args = sys.argv[1:]
real = "--real" in args
args = [a for a in args if a != "--real"]
names = []
for arg in args or [HERE]:
    if os.path.isdir(arg):
        sys.path.insert(0, os.path.abspath(arg))
        names += test_modules(arg)
    else:
        names.append(arg)
modules = [importlib.import_module(n) for n in names]
sys.exit(0 if run_tests(modules, RealMilvusTarget if real else None) else 1)
