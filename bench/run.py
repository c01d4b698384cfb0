"""`make bench`: every performance figure of Samvær beside its baseline from the same run.

    python -m bench.run            full sizes (several minutes)
    python -m bench.run --smoke    tiny sizes, seconds: proves the benchmark code still works

Prints one JSON document and writes it to bench/results/ with the date, commit and core count.
Baselines: a bare websocket relay and a minimal FastAPI JSON endpoint (bench/relay.py), each
run by uvicorn with one worker, driven by the same load generator (bench/loadgen.py, its own
process) or the same HTTP load tool (wrk) at the same concurrency.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from bench.servers import ROOT, SAMVAER, Server, migrate, samvaer_env

FULL = {
    "pairs": 200,
    "duration": 8.0,
    "warmup": 2.0,
    "low_rate": 1000,
    # The high-rate figure runs at the first of these the relay holds with p99 <= 5 ms.
    "high_rates": (5000, 4000, 3000, 2000),
    "handshakes": 3000,
    "idle": 5000,
    "http_seconds": 8,
    "http_connections": 64,
    "growth": (10_000, 1_000_000),
    "growth_rounds": 3,
    "window": 1,
}
SMOKE = {
    "pairs": 4,
    "duration": 0.5,
    "warmup": 0.2,
    "low_rate": 50,
    "high_rates": (100, 80),
    "handshakes": 20,
    "idle": 20,
    "http_seconds": 1,
    "http_connections": 4,
    "growth": (100, 1000),
    "growth_rounds": 1,
    "window": 1,
}
RELAY_HOLDS_P99_MS = 5.0
TARGETS = {
    "chat_throughput_ratio": 0.30,
    "latency_1000_p50_ms": 1.0,
    "latency_1000_p99_ms": 5.0,
    "latency_1000_p999_ms": 25.0,
    "latency_high_p99_ms": 15.0,
    "idle_socket_kib": 50.0,
    "handshake_ratio": 0.5,
    "http_profile_ratio": 0.25,
    "http_feed_ratio": 0.15,
    "http_p99_ms": 100.0,
    "growth_p99_ratio": 1.5,
    "scale_out_p99_ms": 20.0,
}


class Bench:
    def __init__(self, sizes: dict[str, Any], workdir: Path) -> None:
        self.sizes = sizes
        self.workdir = workdir
        self.log = workdir / "servers.log"

    # -- helpers ---------------------------------------------------------------------------

    def loadgen(self, spec: dict[str, Any]) -> dict[str, Any]:
        path = self.workdir / f"spec-{time.monotonic_ns()}.json"
        path.write_bytes(orjson.dumps(spec))
        out = subprocess.run(
            [sys.executable, "-m", "bench.loadgen", str(path)],
            cwd=ROOT,
            check=True,
            capture_output=True,
            timeout=600,
        )
        result: dict[str, Any] = orjson.loads(out.stdout.splitlines()[-1])
        return result

    def seed(self, env: dict[str, str], **spec: Any) -> dict[str, Any]:
        data_dir = Path(env["DATA_DIR"])
        spec = {
            "database_url": env.get("DATABASE_URL")
            or f"sqlite+aiosqlite:///{data_dir / 'samvaer.db'}",
            "secret_key": env["SECRET_KEY"],
            "data_dir": str(data_dir),
            **spec,
        }
        src, dst = self.workdir / "seed-in.json", self.workdir / "seed-out.json"
        src.write_bytes(orjson.dumps(spec))
        subprocess.run(
            [sys.executable, "-m", "bench.seed", str(src), str(dst)],
            cwd=ROOT,
            env={**os.environ, **env},
            check=True,
            capture_output=True,
            timeout=1800,
        )
        result: dict[str, Any] = orjson.loads(dst.read_bytes())
        return result

    def chat(
        self, server: Server, protocol: str, pairs: list[dict[str, Any]], **kw: Any
    ) -> dict[str, Any]:
        spec = {
            "host": "127.0.0.1",
            "port": server.port,
            "protocol": protocol,
            "pairs": pairs,
            "duration": self.sizes["duration"],
            "warmup": self.sizes["warmup"],
            "window": self.sizes["window"],
            **kw,
        }
        cpu0 = server.cpu_seconds()
        result = self.loadgen(spec)
        result["server_cpu_share"] = round(
            (server.cpu_seconds() - cpu0) / (spec["duration"] + spec["warmup"] + 1.0), 3
        )
        return result

    def idle_memory(
        self, server: Server, protocol: str, members: list[dict[str, Any]]
    ) -> dict[str, Any]:
        count = self.sizes["idle"]
        spec = {
            "host": "127.0.0.1",
            "port": server.port,
            "protocol": protocol,
            "mode": "idle",
            "members": members,
            "count": count,
            "per_member": 4,
        }
        path = self.workdir / "idle.json"
        path.write_bytes(orjson.dumps(spec))
        time.sleep(0.5)
        before = server.rss_kib()
        proc = subprocess.Popen(
            [sys.executable, "-m", "bench.loadgen", str(path)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        assert proc.stdout is not None and proc.stdin is not None
        ready = orjson.loads(proc.stdout.readline())
        time.sleep(1.0)
        after = server.rss_kib()
        proc.stdin.write(b"stop\n")
        proc.stdin.close()
        proc.wait(60)
        sockets = int(ready["ready"])
        return {
            "sockets": sockets,
            "rss_before_kib": before,
            "rss_after_kib": after,
            "kib_per_socket": round((after - before) / max(1, sockets), 2),
        }

    def wrk(self, url: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
        args = [
            "wrk",
            "-t1",
            f"-c{self.sizes['http_connections']}",
            f"-d{self.sizes['http_seconds']}s",
            "--latency",
            "--timeout",
            "5s",
        ]
        for k, v in (headers or {}).items():
            args += ["-H", f"{k}: {v}"]
        # A short unmeasured run first, as the chat figures have their warm-up.
        warmup = f"-d{max(1, int(self.sizes['warmup']))}s"
        warm = [warmup if a.startswith("-d") else a for a in args]
        subprocess.run([*warm, url], check=True, capture_output=True)
        out = subprocess.run([*args, url], check=True, capture_output=True, text=True).stdout
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
        p99 = _wrk_ms(re.search(r"99%\s+([\d.]+\w+)", out).group(1))  # type: ignore[union-attr]
        p50 = _wrk_ms(re.search(r"50%\s+([\d.]+\w+)", out).group(1))  # type: ignore[union-attr]
        non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
        return {
            "requests_per_s": rps,
            "p50_ms": p50,
            "p99_ms": p99,
            "non_2xx": int(non2xx.group(1)) if non2xx else 0,
        }

    # -- the figures -----------------------------------------------------------------------

    def baseline(self) -> dict[str, Any]:
        relay = Server("bench.relay:app", health="/hello").start(self.log)
        try:
            n = self.sizes["pairs"]
            pairs = [{"sender": {}, "recipient": {}, "conversation_id": i} for i in range(n)]
            out = {
                "throughput": self.chat(relay, "relay", pairs, mode="throughput"),
                "rates": self.relay_rates(relay, pairs),
                "handshakes": self.loadgen(
                    {
                        "host": "127.0.0.1",
                        "port": relay.port,
                        "mode": "handshake",
                        "count": self.sizes["handshakes"],
                    }
                ),
                "idle": self.idle_memory(relay, "relay", [{}]),
                "http": self.wrk(relay.url + "/hello"),
            }
        finally:
            relay.stop()
        return out

    def relay_rates(self, relay: Server, pairs: list[dict[str, Any]]) -> dict[str, Any]:
        """The relay at the low rate, and at the highest candidate rate it holds with p99 under
        5 ms (the last candidate if none): `high` names that rate."""
        low = self.sizes["low_rate"]
        out: dict[str, Any] = {str(low): self.chat(relay, "relay", pairs, mode="rate", rate=low)}
        for rate in self.sizes["high_rates"]:
            result = self.chat(relay, "relay", pairs, mode="rate", rate=rate)
            out[str(rate)] = result
            p99 = result["latency_ms"]["p99"]
            if p99 is not None and p99 <= RELAY_HOLDS_P99_MS:
                break
        out["high"] = rate
        return out

    def samvaer(self, high_rate: int) -> dict[str, Any]:
        env = samvaer_env(self.workdir / "samvaer")
        migrate(env)
        n = self.sizes["pairs"]
        idle_members = self.sizes["idle"] // 4 + 1
        seeded = self.seed(env, members=max(2 * n, idle_members), pairs=n, feed_posts=200)
        server = Server(SAMVAER, env=env).start(self.log)
        try:
            pairs = seeded["pairs"]
            members = seeded["members"]
            token = members[0]["token"]
            auth = {"Authorization": f"Bearer {token}"}
            out = {
                "throughput": self.chat(server, "samvaer", pairs, mode="throughput"),
                "rates": {
                    str(r): self.chat(server, "samvaer", pairs, mode="rate", rate=r)
                    for r in (self.sizes["low_rate"], high_rate)
                },
                "handshakes": self.loadgen(
                    {
                        "host": "127.0.0.1",
                        "port": server.port,
                        "mode": "handshake",
                        "count": self.sizes["handshakes"],
                        "tokens": [m["token"] for m in members[:500]],
                    }
                ),
                "idle": self.idle_memory(server, "samvaer", members),
                "http_profile": self.wrk(f"{server.url}/api/users/{members[1]['handle']}", auth),
                "http_feed": self.wrk(
                    f"{server.url}/api/groups/{seeded['feed_group']}/posts?limit=20", auth
                ),
            }
        finally:
            server.stop()
        return out

    def growth(self) -> dict[str, Any]:
        """Feed and history pages at each size, measured in turn, `growth_rounds` times.

        One wrk run's p99 on a shared machine wanders by a third or more from run to run, so
        both databases are served at once, their runs alternate, and each size reports the
        run with the median p99 of its rounds (all rounds' p99 are kept beside it).
        """
        servers: list[Server] = []
        urls: dict[str, tuple[dict[str, str], dict[str, str]]] = {}
        try:
            for rows in self.sizes["growth"]:
                env = samvaer_env(self.workdir / f"growth-{rows}")
                migrate(env)
                seeded = self.seed(env, members=20, pairs=1, feed_posts=rows, history_messages=rows)
                server = Server(SAMVAER, env=env).start(self.log)
                servers.append(server)
                pair = seeded["pairs"][0]
                urls[str(rows)] = (
                    {"Authorization": f"Bearer {pair['sender']['token']}"},
                    {
                        "feed": f"{server.url}/api/groups/{seeded['feed_group']}/posts?limit=20",
                        "history": f"{server.url}/api/conversations/"
                        f"{pair['conversation_id']}/messages?limit=50",
                    },
                )
            runs: dict[str, dict[str, list[dict[str, Any]]]] = {
                rows: {page: [] for page in pages} for rows, (_, pages) in urls.items()
            }
            for _ in range(self.sizes["growth_rounds"]):
                for rows, (auth, pages) in urls.items():
                    for page, url in pages.items():
                        runs[rows][page].append(self.wrk(url, auth))
        finally:
            for server in servers:
                server.stop()
        return {
            rows: {page: _median_run(page_runs) for page, page_runs in by_page.items()}
            for rows, by_page in runs.items()
        }

    def scale_out(self) -> dict[str, Any]:
        pg = os.environ.get(
            "BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
        )
        redis = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
        database_url = asyncio.run(_fresh_pg_database(pg, "samvaer_bench"))
        if database_url is None:
            return {"skipped": "PostgreSQL not reachable"}
        env = samvaer_env(self.workdir / "scale", database_url=database_url, redis_url=redis)
        migrate(env)
        seeded = self.seed(env, members=2 * self.sizes["pairs"], pairs=self.sizes["pairs"])
        a = Server(SAMVAER, env=env).start(self.log)
        b = Server(SAMVAER, env=env).start(self.log)
        try:
            pairs = [
                {
                    **p,
                    "sender": {**p["sender"], "port": a.port},
                    "recipient": {**p["recipient"], "port": b.port},
                }
                for p in seeded["pairs"]
            ]
            rate = self.sizes["low_rate"]
            return {
                "throughput": self.chat(a, "samvaer", pairs, mode="throughput"),
                f"rate_{rate}": self.chat(a, "samvaer", pairs, mode="rate", rate=rate),
            }
        finally:
            a.stop()
            b.stop()


async def _fresh_pg_database(admin_url: str, name: str) -> str | None:
    import asyncpg

    try:
        conn = await asyncio.wait_for(asyncpg.connect(admin_url.replace("+asyncpg", "")), 3)
    except (TimeoutError, OSError, asyncpg.PostgresError):
        return None
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return admin_url.rsplit("/", 1)[0] + "/" + name


def _median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median p99, and every run's p99."""
    ranked = sorted(runs, key=lambda run: run["p99_ms"])
    return {**ranked[(len(ranked) - 1) // 2], "rounds_p99_ms": [run["p99_ms"] for run in runs]}


def _wrk_ms(value: str) -> float:
    unit = re.sub(r"[\d.]", "", value)
    number = float(value[: len(value) - len(unit)])
    return round(number * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit], 3)


def _ratio(a: float | None, b: float | None) -> float | None:
    if a is None or not b:
        return None
    return round(a / b, 3)


def figures(
    base: dict[str, Any],
    sv: dict[str, Any],
    growth: dict[str, Any],
    scale: dict[str, Any],
    sizes: dict[str, Any],
) -> dict[str, Any]:
    """The table: each figure with its baseline, ratio, target, and whether it holds."""
    low, high = str(sizes["low_rate"]), str(base["rates"]["high"])
    small, large = (str(r) for r in sizes["growth"])
    tp = _ratio(sv["throughput"]["delivered_per_s"], base["throughput"]["delivered_per_s"])
    l1 = sv["rates"][low]["latency_ms"]
    lh = sv["rates"][high]["latency_ms"]
    hs = _ratio(sv["handshakes"]["per_s"], base["handshakes"]["per_s"])
    prof = _ratio(sv["http_profile"]["requests_per_s"], base["http"]["requests_per_s"])
    feed = _ratio(sv["http_feed"]["requests_per_s"], base["http"]["requests_per_s"])
    g_feed = _ratio(growth[large]["feed"]["p99_ms"], growth[small]["feed"]["p99_ms"])
    g_hist = _ratio(growth[large]["history"]["p99_ms"], growth[small]["history"]["p99_ms"])
    t = TARGETS

    def row(
        value: Any, baseline: Any, ratio: Any, target: str, holds: bool | None
    ) -> dict[str, Any]:
        return {
            "value": value,
            "baseline": baseline,
            "ratio": ratio,
            "target": target,
            "holds": holds,
        }

    out = {
        "chat_throughput_msgs_per_s": row(
            sv["throughput"]["delivered_per_s"],
            base["throughput"]["delivered_per_s"],
            tp,
            f">= {t['chat_throughput_ratio']} of relay",
            tp is not None and tp >= t["chat_throughput_ratio"],
        ),
        f"chat_latency_at_{low}_per_s_ms": row(
            l1,
            base["rates"][low]["latency_ms"],
            _ratio(l1["p99"], base["rates"][low]["latency_ms"]["p99"]),
            "p50 <= 1, p99 <= 5, p99.9 <= 25",
            None
            if l1["p99"] is None
            else (
                l1["p50"] <= t["latency_1000_p50_ms"]
                and l1["p99"] <= t["latency_1000_p99_ms"]
                and l1["p99.9"] <= t["latency_1000_p999_ms"]
            ),
        ),
        "chat_latency_at_high_rate_ms": row(
            {"rate": int(high), **lh},
            base["rates"][high]["latency_ms"],
            _ratio(lh["p99"], base["rates"][high]["latency_ms"]["p99"]),
            f"p99 <= 15 at {high}/s (5,000/s or the highest rate the relay holds, p99 <= 5 ms)",
            None if lh["p99"] is None else lh["p99"] <= t["latency_high_p99_ms"],
        ),
        "idle_socket_kib": row(
            sv["idle"]["kib_per_socket"],
            base["idle"]["kib_per_socket"],
            _ratio(sv["idle"]["kib_per_socket"], base["idle"]["kib_per_socket"]),
            "<= 50 KiB per authenticated idle socket",
            sv["idle"]["kib_per_socket"] <= t["idle_socket_kib"],
        ),
        "handshakes_per_s": row(
            sv["handshakes"]["per_s"],
            base["handshakes"]["per_s"],
            hs,
            ">= 0.5 of relay's plain handshakes",
            hs is not None and hs >= t["handshake_ratio"],
        ),
        "http_profile_rps": row(
            sv["http_profile"],
            base["http"],
            prof,
            ">= 0.25 of minimal endpoint, p99 <= 100 ms",
            prof is not None
            and prof >= t["http_profile_ratio"]
            and sv["http_profile"]["p99_ms"] <= t["http_p99_ms"],
        ),
        "http_feed_rps": row(
            sv["http_feed"],
            base["http"],
            feed,
            ">= 0.15 of minimal endpoint, p99 <= 100 ms",
            feed is not None
            and feed >= t["http_feed_ratio"]
            and sv["http_feed"]["p99_ms"] <= t["http_p99_ms"],
        ),
        "growth_feed_p99": row(
            growth[large]["feed"],
            growth[small]["feed"],
            g_feed,
            f"p99 at {large} rows <= 1.5x p99 at {small}",
            g_feed is not None and g_feed <= t["growth_p99_ratio"],
        ),
        "growth_history_p99": row(
            growth[large]["history"],
            growth[small]["history"],
            g_hist,
            f"p99 at {large} rows <= 1.5x p99 at {small}",
            g_hist is not None and g_hist <= t["growth_p99_ratio"],
        ),
    }
    if "skipped" in scale:
        out["scale_out"] = row(scale, None, None, "cross-worker p99 <= 20 ms at 1,000/s", None)
    else:
        rate_key = next(k for k in scale if k.startswith("rate_"))
        p99 = scale[rate_key]["latency_ms"]["p99"]
        out["scale_out"] = row(
            {
                "throughput_msgs_per_s": scale["throughput"]["delivered_per_s"],
                "cross_worker_latency_ms": scale[rate_key]["latency_ms"],
            },
            {
                "relay_latency_ms": base["rates"][low]["latency_ms"],
                "relay_throughput_msgs_per_s": base["throughput"]["delivered_per_s"],
            },
            _ratio(scale["throughput"]["delivered_per_s"], base["throughput"]["delivered_per_s"]),
            "cross-worker p99 <= 20 ms at 1,000/s",
            None if p99 is None else p99 <= t["scale_out_p99_ms"],
        )
    return out


def _commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, for the test suite")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is not installed (Debian package 'wrk')", file=sys.stderr)
        return 2
    sizes = SMOKE if args.smoke else FULL
    with tempfile.TemporaryDirectory(prefix="samvaer-bench-") as tmp:
        bench = Bench(sizes, Path(tmp))
        base = bench.baseline()
        sv = bench.samvaer(base["rates"]["high"])
        growth = bench.growth()
        scale = bench.scale_out()
    now = datetime.now(UTC)
    doc = {
        "date": now.isoformat(timespec="seconds"),
        "commit": _commit(),
        "cores": os.cpu_count(),
        "smoke": args.smoke,
        "figures": figures(base, sv, growth, scale, sizes),
        "raw": {"baseline": base, "samvaer": sv, "growth": growth, "scale_out": scale},
    }
    text = orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode()
    print(text)
    args.out.mkdir(parents=True, exist_ok=True)
    name = f"{now:%Y-%m-%dT%H%M%S}-{doc['commit']}{'-smoke' if args.smoke else ''}.json"
    (args.out / name).write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
