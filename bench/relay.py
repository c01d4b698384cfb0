"""The baseline: a bare websocket relay (no auth, no storage) and a minimal JSON endpoint.

A client's first frame names its pair, `{"pair": 7}`; afterwards every frame it sends is
forwarded as-is to the other socket of that pair.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()
_pairs: dict[int, list[WebSocket]] = {}


@app.get("/hello")
async def hello() -> dict[str, Any]:
    return {"hello": "world", "ok": True}


@app.websocket("/ws")
async def relay(ws: WebSocket) -> None:
    await ws.accept()
    try:
        first = json.loads(await ws.receive_text())
        pair = int(first.get("pair", -1))
        peers = _pairs.setdefault(pair, [])
        peers.append(ws)
        while True:
            text = await ws.receive_text()
            for other in peers:
                if other is not ws:
                    await other.send_text(text)
    except (WebSocketDisconnect, ValueError, RuntimeError):
        pass
    finally:
        for peers in _pairs.values():
            if ws in peers:
                peers.remove(ws)
