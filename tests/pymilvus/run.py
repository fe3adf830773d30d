"""Runs the pymilvus tests against `annlab serve` (ANNLAB_BIN, default
target/debug/annlab). Usage: run.py [module ...] (default: every test_*.py)."""

import glob
import importlib
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from harness import run_tests  # noqa: E402

names = sys.argv[1:] or sorted(
    os.path.basename(p)[:-3] for p in glob.glob(os.path.join(HERE, "test_*.py"))
)
sys.exit(0 if run_tests([importlib.import_module(n) for n in names]) else 1)
