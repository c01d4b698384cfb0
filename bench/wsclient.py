"""A small RFC 6455 client on asyncio streams, lean enough not to be the bottleneck.

Text frames only, no extensions (per-message deflate is off on both sides), client frames
masked as the RFC requires. It is just enough for load generation.
"""

from __future__ import annotations

import asyncio
import base64
import os
import struct

_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class ClosedError(Exception):
    def __init__(self, code: int | None) -> None:
        super().__init__(f"closed {code}")
        self.code = code


def _mask(payload: bytes, key: bytes) -> bytes:
    n = len(payload)
    if n == 0:
        return payload
    repeated = (key * (n // 4 + 1))[:n]
    return (int.from_bytes(payload, "little") ^ int.from_bytes(repeated, "little")).to_bytes(
        n, "little"
    )


def encode_frame(payload: bytes, opcode: int = 0x1) -> bytes:
    key = os.urandom(4)
    n = len(payload)
    if n < 126:
        header = struct.pack("!BB", 0x80 | opcode, 0x80 | n)
    elif n < 65536:
        header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, n)
    else:
        header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, n)
    return header + key + _mask(payload, key)


class WSClient:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def connect(
        cls, host: str, port: int, path: str = "/ws", headers: dict[str, str] | None = None
    ) -> WSClient:
        reader, writer = await asyncio.open_connection(host, port)
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [
            f"GET {path} HTTP/1.1",
            f"Host: {host}:{port}",
            "Upgrade: websocket",
            "Connection: Upgrade",
            f"Sec-WebSocket-Key: {key}",
            "Sec-WebSocket-Version: 13",
        ]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        response = await reader.readuntil(b"\r\n\r\n")
        if not response.startswith(b"HTTP/1.1 101"):
            writer.close()
            raise ConnectionError(response.split(b"\r\n", 1)[0].decode(errors="replace"))
        return cls(reader, writer)

    def send(self, text: str | bytes) -> None:
        """Queue a text frame; call `drain` now and then under load."""
        data = text.encode() if isinstance(text, str) else text
        self.writer.write(encode_frame(data))

    async def drain(self) -> None:
        await self.writer.drain()

    async def recv(self) -> bytes:
        """The next text frame's payload; answers pings, raises ClosedError on close."""
        while True:
            head = await self.reader.readexactly(2)
            opcode = head[0] & 0x0F
            n = head[1] & 0x7F
            if n == 126:
                n = struct.unpack("!H", await self.reader.readexactly(2))[0]
            elif n == 127:
                n = struct.unpack("!Q", await self.reader.readexactly(8))[0]
            payload = await self.reader.readexactly(n) if n else b""
            if opcode in (0x1, 0x2, 0x0):
                return payload
            if opcode == 0x9:
                self.writer.write(encode_frame(payload, 0xA))
            elif opcode == 0x8:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
                raise ClosedError(code)

    async def close(self) -> None:
        try:
            self.writer.write(encode_frame(struct.pack("!H", 1000), 0x8))
            await self.writer.drain()
        except (ConnectionError, RuntimeError):
            pass
        self.writer.close()
