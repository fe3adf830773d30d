"""The real Milvus 2.3.5 (PyPI package `milvus`, which bundles the real server
binary), started by start-real-milvus.sh in a private network namespace that has
only loopback. Clients reach it by running inside that namespace (`in_ns`).

Needs root (unshare/nsenter) and about 1 GiB of memory. The server's venv is
kept in $MILVUS_VENV (`./x test` sets it to a cached venv), else in
target/milvus-real/venv; its data directory is wiped at every start.
"""

import os
import shutil
import signal
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
WORK = os.environ.get("ANNLAB_REAL_MILVUS_DIR", os.path.join(ROOT, "target", "milvus-real"))
URL = "http://127.0.0.1:19530"


class RealMilvus:
    def __init__(self, work=WORK):
        self.work = work
        self.stop()  # a server left by an interrupted run
        shutil.rmtree(os.path.join(work, "data"), ignore_errors=True)
        for f in ("server.log", "server.pid", "wrapper.pid", "netns.pid"):
            try:
                os.unlink(os.path.join(work, f))
            except FileNotFoundError:
                pass
        t0 = time.time()
        r = subprocess.run(
            ["bash", os.path.join(HERE, "start-real-milvus.sh"), work],
            capture_output=True,
            text=True,
            timeout=900,
        )
        if r.returncode != 0:
            raise RuntimeError(f"real Milvus did not start:\n{r.stdout}{r.stderr}\n{self.log()}")
        self.start_seconds = time.time() - t0

    def pid(self, name):
        try:
            with open(os.path.join(self.work, name)) as f:
                return int(f.read().strip())
        except (FileNotFoundError, ValueError):
            return None

    def in_ns(self, argv):
        """`argv` run inside the server's network namespace."""
        return ["nsenter", f"--net=/proc/{self.pid('netns.pid')}/ns/net", *argv]

    def log(self):
        try:
            with open(os.path.join(self.work, "server.log"), errors="replace") as f:
                return f.read()[-4000:]
        except FileNotFoundError:
            return ""

    def serve_py_pids(self):
        """The Python processes that run this work directory's serve.py (the
        server's parent, which outlives a SIGTERM to the shell that started it)."""
        script = os.path.abspath(os.path.join(self.work, "serve.py")).encode()
        pids = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/cmdline", "rb") as f:
                        if script in f.read().split(b"\0"):
                            pids.append(int(entry))
                except OSError:
                    pass
        return pids

    def stop(self):
        """Stops the server, its Python parent, the wrapper and the namespace
        holder (in that order)."""
        pids = [self.pid("server.pid"), *self.serve_py_pids(), self.pid("wrapper.pid"), self.pid("netns.pid")]
        for pid in pids:
            if pid is None:
                continue
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
            for _ in range(100):
                if not alive(pid):
                    break
                time.sleep(0.1)
            else:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass


def alive(pid):
    """Whether `pid` runs (a zombie, waiting for its parent, does not)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False
