"""The benchmark runs end to end at tiny sizes, so its code cannot rot. Speed is not judged here."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import _pg_available, need

ROOT = Path(__file__).resolve().parent.parent
FIGURES = {
    "chat_throughput_msgs_per_s",
    "chat_latency_at_50_per_s_ms",
    "chat_latency_at_high_rate_ms",
    "idle_socket_kib",
    "handshakes_per_s",
    "http_profile_rps",
    "http_feed_rps",
    "growth_feed_p99",
    "growth_history_p99",
    "scale_out",
}


@pytest.mark.timeout(600)
def test_benchmark_smoke_run_reports_every_figure(tmp_path: Path) -> None:
    need(shutil.which("wrk") is not None, "wrk not installed (Debian package 'wrk')")
    need(asyncio.run(_pg_available()), "PostgreSQL not reachable (scale-out figure)")
    out = subprocess.run(
        [sys.executable, "-m", "bench.run", "--smoke", "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=580,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    doc = json.loads(out.stdout)
    assert set(doc["figures"]) == FIGURES
    for name, row in doc["figures"].items():
        assert row["value"] is not None and row["baseline"] is not None, name
        assert row["ratio"] is not None, name
    assert doc["cores"] and doc["commit"] and doc["date"]
    assert "skipped" not in doc["raw"]["scale_out"]
    assert doc["raw"]["samvaer"]["throughput"]["delivered"] > 0
    assert doc["raw"]["samvaer"]["throughput"]["errors"] == 0
    assert list(tmp_path.glob("*-smoke.json"))
