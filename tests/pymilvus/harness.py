"""Starts `annlab serve` on free ports and runs test functions against it.

Each test module defines `test_*` functions taking a `Server`. `run.py` runs them
all and ends with the `ℹ pass N` / `ℹ fail M` lines that `./x test` sums.
"""

import logging
import os
import re
import signal
import subprocess
import tempfile
import time
import traceback
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import pymilvus  # noqa: E402,F401  (configures its logger on import)

# pymilvus logs every failed call; the tests expect many.
logging.getLogger("pymilvus").setLevel(logging.CRITICAL)

BIN = os.environ.get("ANNLAB_BIN", os.path.join(ROOT, "target", "debug", "annlab"))


class Server:
    """One `annlab serve` process on 127.0.0.1 with free ports."""

    real = False

    def __init__(self, data_dir=None):
        self.data_dir = data_dir
        args = [BIN, "serve", "--addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0"]
        if data_dir:
            args += ["--data-dir", data_dir]
        self.log = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.log, text=True)
        grpc = self.proc.stdout.readline()
        metrics = self.proc.stdout.readline()
        m = re.search(r"on 127\.0\.0\.1:(\d+)", grpc)
        if not m:
            self.stop()
            raise RuntimeError(f"annlab serve did not start: {grpc!r} {self.stderr()}")
        self.port = int(m.group(1))
        self.metrics_url = re.search(r"(http://\S+)", metrics).group(1)

    def metrics(self):
        with urllib.request.urlopen(self.metrics_url, timeout=10) as r:
            return r.read().decode()

    def stderr(self):
        self.log.seek(0)
        return self.log.read()

    def stop(self, sig=signal.SIGTERM):
        """Stops the server with `sig`; returns its exit code and remaining stdout."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            out, _ = self.proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, _ = self.proc.communicate()
        return self.proc.returncode, out


class RealMilvusTarget:
    """The real Milvus 2.3.5 that tests/milvus started, as a test target: it is
    already running on 127.0.0.1:19530 (this process runs in its network
    namespace); each test starts from a server without collections. `real` lets
    a test name the few places where annlab differs on purpose."""

    real = True
    port = 19530

    def __init__(self):
        from pymilvus import connections, utility

        connections.connect(alias="_reset", host="127.0.0.1", port=str(self.port))
        for name in utility.list_collections(using="_reset"):
            utility.drop_collection(name, using="_reset")
        connections.disconnect("_reset")

    def stderr(self):
        return "(tests/milvus/run.py prints the tail of the real Milvus's log after a failure)"

    def stop(self, sig=None):
        return 0, ""


def connect(server, alias="default"):
    from pymilvus import connections

    connections.connect(alias=alias, host="127.0.0.1", port=str(server.port))


def annlab_only(fn):
    """Marks a test of annlab's own behaviour (restart, persistence), which the
    run against the real Milvus leaves out."""
    fn.annlab_only = True
    return fn


def run_tests(modules, target=None):
    """Runs every test_* function of `modules`, each against a fresh server:
    `annlab serve`, or with `target=RealMilvusTarget` the real Milvus (tests
    marked `annlab_only` are not run there)."""
    passed = failed = 0
    for module in modules:
        for name in sorted(n for n in dir(module) if n.startswith("test_")):
            fn = getattr(module, name)
            if target is not None and getattr(fn, "annlab_only", False):
                continue
            label = f"{module.__name__}.{name}"
            t0 = time.time()
            server = (target or Server)()
            try:
                fn(server)
                passed += 1
                print(f"✔ {label} ({time.time() - t0:.1f} s)", flush=True)
            except Exception:
                failed += 1
                print(f"✖ {label}", flush=True)
                traceback.print_exc()
                print("--- server stderr ---\n" + server.stderr(), flush=True)
            finally:
                from pymilvus import connections

                for alias, _ in connections.list_connections():
                    connections.disconnect(alias)
                server.stop()
    print(f"ℹ pass {passed}")
    print(f"ℹ fail {failed}")
    return failed == 0
