#!/usr/bin/env bash
# Copied from ../shared/milvus/start-real-milvus.sh (the project's reference set-up), so that a
# fresh clone can run the real-Milvus tests (tests/milvus/run.py) on its own.
# Start the real Milvus 2.3.5 standalone server (PyPI package `milvus`, which bundles the real binary)
# inside a private network namespace that has only loopback, for compatibility tests.
#
# Usage: start-real-milvus.sh WORKDIR
#   Creates a venv (milvus 2.3.5 + pymilvus 2.3.7 and the pins they need) at $MILVUS_VENV, else
#   WORKDIR/venv, unless it is there, starts the server
#   with its data under WORKDIR/data, waits until it answers, and writes WORKDIR/netns.pid.
#   Run clients inside the same namespace:  nsenter --net=/proc/$(cat WORKDIR/netns.pid)/ns/net CMD
#   Stop: kill "$(cat WORKDIR/server.pid)" "$(cat WORKDIR/wrapper.pid)" "$(cat WORKDIR/netns.pid)"
# Milvus binds its ports (19530 gRPC, 9091 metrics, …) on every interface and has no option to change
# that: the namespace keeps them on loopback. Needs root (unshare/nsenter). Start-up takes about 10 s;
# the server needs about 1 GiB of memory while the tutorial runs.
set -euo pipefail
work=${1:?usage: start-real-milvus.sh WORKDIR}
mkdir -p "$work"
work=$(cd "$work" && pwd)

venv=${MILVUS_VENV:-$work/venv}
if [ ! -f "$venv/installed" ]; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "milvus==2.3.5" "pymilvus==2.3.7" numpy openai python-dotenv \
    "setuptools<70" "protobuf<5" "numpy<2" "pandas<2.2" "marshmallow<3.20" "environs<10"
  touch "$venv/installed"
fi

nohup unshare --net bash -c 'ip link set lo up; exec sleep 100000' >/dev/null 2>&1 &
echo $! >"$work/netns.pid"
sleep 0.5
in_ns() { nsenter --net="/proc/$(cat "$work/netns.pid")/ns/net" "$@"; }

cat >"$work/serve.py" <<'EOF'
import sys
from milvus import default_server
default_server.set_base_dir(sys.argv[1])
default_server.start()
open(sys.argv[2], "w").write(str(default_server.server_proc.pid))
print("milvus started", flush=True)
default_server.wait()
EOF
in_ns nohup "$venv/bin/python" "$work/serve.py" "$work/data" "$work/server.pid" >"$work/server.log" 2>&1 &
echo $! >"$work/wrapper.pid"

for _ in $(seq 1 120); do
  if grep -q "milvus started" "$work/server.log" 2>/dev/null; then
    echo "real Milvus 2.3.5 is up on 127.0.0.1:19530 inside netns $(cat "$work/netns.pid")"
    exit 0
  fi
  sleep 1
done
echo "Milvus did not start in 120 s; see $work/server.log" >&2
exit 1
