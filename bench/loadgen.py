"""Load generator, run in its own process: opens pairs of sockets and measures delivery.

    python -m bench.loadgen SPEC.json   ->  prints one JSON result

Spec: {"host", "port", "protocol": "relay" | "samvaer", "pairs": [{"sender": {...},
"recipient": {...}, "conversation_id": int}], "mode": "throughput" | "rate", "rate": msgs/s,
"duration": s, "warmup": s, "window": in-flight messages per pair (throughput mode)}.
Throughput mode is a closed loop per pair: the next send waits for the previous one's ack
(Samvær acks a send once it is committed), or for its delivery where there are no acks (relay).
A sender/recipient entry holds what its protocol needs to authenticate (a token for Samvær).
Latency is send-to-deliver: from just before a frame is written by the sender's socket to
when the recipient's socket has read it, both clocks in this process.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import orjson

from bench.wsclient import ClosedError, WSClient

PAD = "x" * 60
# Client ids must be new in every run, or the server rightly treats sends as retries.
RUN = os.urandom(6).hex()


def sent_at(body: str) -> int | None:
    """The send time in a body this run wrote ("RUN|t_ns|padding"), else None."""
    run, _, rest = body.partition("|")
    return int(rest.partition("|")[0]) if run == RUN else None


@dataclass
class Stats:
    sent: int = 0
    delivered: int = 0
    acked: int = 0
    errors: int = 0
    latencies_ns: list[int] = field(default_factory=list)
    measuring: bool = False


class Protocol:
    """How one kind of server wants pairs opened, messages sent and deliveries recognised."""

    # Whether the server acknowledges each send to its sender.
    acks = False

    def __init__(self, spec: dict[str, Any]) -> None:
        self.host = spec["host"]
        self.port = int(spec["port"])

    async def open(self, who: dict[str, Any], pair_index: int) -> WSClient:
        raise NotImplementedError

    def frame(self, pair: dict[str, Any], n: int, t_ns: int) -> bytes:
        raise NotImplementedError

    def parse(self, payload: bytes) -> tuple[str, int | None, int | None]:
        """(kind, send time, message id): kind is deliver, ack, error or other."""
        raise NotImplementedError

    def finish(self, ws: WSClient, pair: dict[str, Any], last_id: int | None) -> None:
        """What a socket does before leaving (Samvær: mark what it read or wrote)."""


class RelayProtocol(Protocol):
    async def open(self, who: dict[str, Any], pair_index: int) -> WSClient:
        ws = await WSClient.connect(self.host, int(who.get("port", self.port)), "/ws")
        ws.send(orjson.dumps({"pair": pair_index}))
        await ws.drain()
        return ws

    def frame(self, pair: dict[str, Any], n: int, t_ns: int) -> bytes:
        return orjson.dumps(
            {
                "type": "send",
                "conversation_id": pair["conversation_id"],
                "client_id": f"c{n}",
                "body": f"{RUN}|{t_ns}|{PAD}",
            }
        )

    def parse(self, payload: bytes) -> tuple[str, int | None, int | None]:
        return "deliver", sent_at(orjson.loads(payload)["body"]), None


class SamvaerProtocol(Protocol):
    acks = True

    def finish(self, ws: WSClient, pair: dict[str, Any], last_id: int | None) -> None:
        # Read marks (the sender's too) keep the next run's resume from replaying this run.
        if last_id is not None:
            ws.send(
                orjson.dumps(
                    {
                        "type": "read",
                        "conversation_id": pair["conversation_id"],
                        "message_id": last_id,
                    }
                )
            )

    async def open(self, who: dict[str, Any], pair_index: int) -> WSClient:
        ws = await WSClient.connect(self.host, int(who.get("port", self.port)), "/ws")
        ws.send(orjson.dumps({"type": "auth", "token": who["token"]}))
        await ws.drain()
        while True:
            kind = orjson.loads(await ws.recv()).get("type")
            if kind == "ready":
                break
            if kind == "error":
                raise ConnectionError("auth refused")
        # Until the first resume the server holds new messages for this socket.
        ws.send(orjson.dumps({"type": "resume", "after": {}}))
        await ws.drain()
        return ws

    def frame(self, pair: dict[str, Any], n: int, t_ns: int) -> bytes:
        return orjson.dumps(
            {
                "type": "send",
                "conversation_id": pair["conversation_id"],
                "client_id": f"{RUN}-{n}",
                "body": f"{RUN}|{t_ns}|{PAD}",
            }
        )

    def parse(self, payload: bytes) -> tuple[str, int | None, int | None]:
        data = orjson.loads(payload)
        kind = data.get("type")
        if kind == "message":
            message = data["message"]
            t_ns = sent_at(message["body"])
            # A replay of an earlier run's message is no delivery of this one.
            return ("deliver" if t_ns is not None else "other"), t_ns, message["id"]
        if kind == "ack":
            return kind, None, data["message"]["id"]
        if kind == "error":
            return kind, None, None
        return "other", None, None


# The open loop's shortest sleep; what fell due meanwhile is sent at once, each message
# stamped with its own send time.
TICK_SECONDS = 0.001

PROTOCOLS: dict[str, type[Protocol]] = {"relay": RelayProtocol, "samvaer": SamvaerProtocol}


async def _reader(
    ws: WSClient,
    proto: Protocol,
    stats: Stats,
    credit: asyncio.Semaphore | None,
    last: dict[WSClient, int | None],
) -> None:
    try:
        while True:
            kind, t_ns, message_id = proto.parse(await ws.recv())
            if kind == "deliver" and t_ns is not None:
                last[ws] = message_id
                if stats.measuring:
                    stats.delivered += 1
                    stats.latencies_ns.append(time.perf_counter_ns() - t_ns)
                if credit is not None and not proto.acks:
                    credit.release()
            elif kind == "ack":
                last[ws] = message_id
                if stats.measuring:
                    stats.acked += 1
                if credit is not None:
                    credit.release()
            elif kind == "error":
                stats.errors += 1
    except (ClosedError, asyncio.IncompleteReadError, ConnectionError):
        return


async def run(spec: dict[str, Any]) -> dict[str, Any]:
    proto = PROTOCOLS[spec["protocol"]](spec)
    pairs = spec["pairs"]
    stats = Stats()
    sockets: list[tuple[WSClient, WSClient]] = []
    for i, pair in enumerate(pairs):
        a = await proto.open(pair["sender"], i)
        b = await proto.open(pair["recipient"], i)
        sockets.append((a, b))
    mode = spec.get("mode", "throughput")
    window = int(spec.get("window", 1))
    credits = [asyncio.Semaphore(window) if mode == "throughput" else None for _ in pairs]
    tasks = []
    last: dict[WSClient, int | None] = {}
    for (a, b), credit in zip(sockets, credits, strict=True):
        # Closed loop: the next send waits for the ack (Samvær: stored and committed), or for
        # the delivery where the server sends no acks (the relay).
        sender_credit, recipient_credit = (credit, None) if proto.acks else (None, credit)
        tasks.append(asyncio.create_task(_reader(b, proto, stats, recipient_credit, last)))
        tasks.append(asyncio.create_task(_reader(a, proto, stats, sender_credit, last)))
    warmup = float(spec.get("warmup", 1.0))
    duration = float(spec.get("duration", 5.0))
    start = time.perf_counter()
    stop_at = start + warmup + duration

    async def closed_loop(i: int) -> None:
        a, _ = sockets[i]
        credit = credits[i]
        assert credit is not None
        n = 0
        while time.perf_counter() < stop_at:
            await credit.acquire()
            n += 1
            a.send(proto.frame(pairs[i], n, time.perf_counter_ns()))
            if stats.measuring:
                stats.sent += 1
            await a.drain()

    async def open_loop() -> None:
        rate = float(spec["rate"])
        interval = 1.0 / rate
        n = 0
        next_at = time.perf_counter()
        while next_at < stop_at:
            now = time.perf_counter()
            if next_at > now:
                # Never less than a tick: uvloop's timers count whole milliseconds, so a
                # shorter sleep returned at once and the generator spun a whole core, which
                # on a small machine it took from the server it measures.
                await asyncio.sleep(max(next_at - now, TICK_SECONDS))
            # Catch up in a burst if the loop fell behind, so the offered rate holds.
            while next_at <= time.perf_counter() and next_at < stop_at:
                i = n % len(pairs)
                n += 1
                a, _ = sockets[i]
                a.send(proto.frame(pairs[i], n, time.perf_counter_ns()))
                if stats.measuring:
                    stats.sent += 1
                next_at += interval

    async def measure_window() -> float:
        await asyncio.sleep(warmup)
        stats.measuring = True
        t0 = time.perf_counter()
        await asyncio.sleep(duration)
        stats.measuring = False
        return time.perf_counter() - t0

    cpu0 = time.process_time()
    window_task = asyncio.create_task(measure_window())
    if mode == "throughput":
        senders = [asyncio.create_task(closed_loop(i)) for i in range(len(pairs))]
    else:
        senders = [asyncio.create_task(open_loop())]
    elapsed = await window_task
    cpu = time.process_time() - cpu0
    await asyncio.gather(*senders, return_exceptions=True)
    await asyncio.sleep(float(spec.get("drain", 1.0)))
    for (a, b), pair in zip(sockets, pairs, strict=True):
        proto.finish(a, pair, last.get(a))
        proto.finish(b, pair, last.get(b))
    await asyncio.sleep(0.3)
    for t in tasks:
        t.cancel()
    for a, b in sockets:
        await a.close()
        await b.close()
    lat = sorted(stats.latencies_ns)

    def pct(p: float) -> float | None:
        if not lat:
            return None
        return round(lat[min(len(lat) - 1, int(p / 100 * len(lat)))] / 1e6, 3)

    return {
        "mode": mode,
        "pairs": len(pairs),
        "seconds": round(elapsed, 3),
        "sent": stats.sent,
        "delivered": stats.delivered,
        "acked": stats.acked,
        "errors": stats.errors,
        "delivered_per_s": round(stats.delivered / elapsed, 1) if elapsed else 0.0,
        "latency_ms": {"p50": pct(50), "p99": pct(99), "p99.9": pct(99.9), "max": pct(100)},
        "loadgen_cpu_share": round(cpu / (warmup + duration), 3),
    }


async def handshakes(spec: dict[str, Any]) -> dict[str, Any]:
    """Complete `count` websocket upgrades, `concurrency` at a time; a 101 counts as done.

    Samvær authenticates these by the session cookie, checked before it accepts.
    """
    host, port = spec["host"], int(spec["port"])
    tokens = spec.get("tokens") or [None]
    count = int(spec["count"])
    sem = asyncio.Semaphore(int(spec.get("concurrency", 50)))
    failures = 0

    async def one(i: int) -> None:
        nonlocal failures
        token = tokens[i % len(tokens)]
        headers = {"Origin": f"http://127.0.0.1:{port}"}
        if token:
            headers["Cookie"] = f"samvaer_access={token}"
        async with sem:
            try:
                ws = await WSClient.connect(host, port, "/ws", headers)
            except (ConnectionError, OSError, asyncio.IncompleteReadError):
                failures += 1
                return
            ws.writer.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(count)))
    elapsed = time.perf_counter() - t0
    return {
        "mode": "handshake",
        "count": count,
        "failures": failures,
        "seconds": round(elapsed, 3),
        "per_s": round((count - failures) / elapsed, 1),
    }


async def hold_idle(spec: dict[str, Any]) -> dict[str, Any]:
    """Open authenticated sockets and keep them idle until told to stop on stdin."""
    proto = PROTOCOLS[spec["protocol"]](spec)
    members = spec["members"]
    per_member = int(spec.get("per_member", 1))
    count = int(spec["count"])
    sockets: list[WSClient] = []
    sem = asyncio.Semaphore(100)

    async def one(i: int) -> None:
        async with sem:
            sockets.append(await proto.open(members[(i // per_member) % len(members)], i))

    await asyncio.gather(*(one(i) for i in range(count)))
    print(orjson.dumps({"ready": len(sockets)}).decode(), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    for ws in sockets:
        ws.writer.close()
    return {"mode": "idle", "sockets": len(sockets)}


def main() -> None:
    import resource

    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    with open(sys.argv[1], "rb") as f:
        spec = orjson.loads(f.read())
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    entry = {"handshake": handshakes, "idle": hold_idle}.get(spec.get("mode", ""), run)
    print(orjson.dumps(asyncio.run(entry(spec))).decode())


if __name__ == "__main__":
    main()
