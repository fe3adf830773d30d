"""Prometheus (Debian's `prometheus` package) scrapes `annlab serve`: the
exposition passes `promtool check metrics`, and a real Prometheus server, scraping
every second, answers a query about the searches made."""

import json
import os
import socket
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request

from pymilvus import Collection, utility

from harness import connect
from test_errors import hnsw, query_vec, rows, schema


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def traffic(server, searches):
    connect(server)
    c = Collection("scraped", schema())
    c.create_index("embedding", hnsw())
    c.insert(rows(200))
    c.flush()
    utility.wait_for_index_building_complete("scraped")
    c.load()
    for _ in range(searches):
        c.search(query_vec(), "embedding", {"params": {"ef": 32}}, limit=3)


def test_promtool_accepts_the_exposition(server):
    traffic(server, 2)
    r = subprocess.run(
        ["promtool", "check", "metrics"], input=server.metrics(), capture_output=True, text=True, timeout=60
    )
    assert r.returncode == 0, r.stdout + r.stderr


def test_prometheus_scrapes_the_server(server):
    traffic(server, 5)
    target = urllib.parse.urlparse(server.metrics_url).netloc
    port = free_port()
    with tempfile.TemporaryDirectory() as d:
        config = os.path.join(d, "prometheus.yml")
        with open(config, "w") as f:
            f.write(
                "global:\n  scrape_interval: 1s\n"
                "scrape_configs:\n  - job_name: annlab\n"
                f"    static_configs:\n      - targets: ['{target}']\n"
            )
        prom = subprocess.Popen(
            [
                "prometheus",
                f"--config.file={config}",
                f"--storage.tsdb.path={d}/data",
                f"--web.listen-address=127.0.0.1:{port}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            query = 'annlab_search_requests_total{collection="scraped",index_type="HNSW"}'
            url = f"http://127.0.0.1:{port}/api/v1/query?" + urllib.parse.urlencode({"query": query})
            deadline = time.time() + 60
            result = []
            while time.time() < deadline:
                try:
                    with urllib.request.urlopen(url, timeout=5) as r:
                        result = json.load(r)["data"]["result"]
                except OSError:
                    pass
                if result:
                    break
                time.sleep(0.5)
            assert result, "Prometheus never scraped annlab's metrics"
            assert result[0]["metric"]["job"] == "annlab"
            assert result[0]["value"][1] == "5", result
        finally:
            prom.terminate()
            prom.wait(timeout=30)
