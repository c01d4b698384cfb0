"""Real uvicorn processes for real-time, crash and browser tests."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class LiveServer:
    """A uvicorn worker on its own port; `env` is what it was started with."""

    env: dict[str, str]
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    def start(self, timeout: float = 20.0) -> LiveServer:
        log_dir = Path(self.env["DATA_DIR"])
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = log_dir / f"uvicorn-{self.port}.log"
        env = {**os.environ, **self.env, "ALLOWED_ORIGINS": self.url}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--port", str(self.port)],
            cwd=ROOT,
            env={**env, "LOG_LEVEL": "warning"},
            stdout=self.log_path.open("ab"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_path.read_text()[-2000:]}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("server did not become healthy")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def kill9(self) -> None:
        """Crash the process the hard way: no shutdown, no flushing."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def server_env(data_dir: Path, database_url: str | None = None, **extra: str) -> dict[str, str]:
    env = {
        "DATA_DIR": str(data_dir),
        "SECRET_KEY": secrets.token_urlsafe(48),
        "RATE_LIMITS_ENABLED": "true",
    }
    if database_url:
        env["DATABASE_URL"] = database_url
    env.update(extra)
    return env


def migrate_and_seed(env: dict[str, str], seed: bool = True) -> None:
    full = {**os.environ, **env}
    subprocess.run(
        [sys.executable, "-m", "app.cli", "migrate"],
        cwd=ROOT,
        env=full,
        check=True,
        capture_output=True,
    )
    if seed:
        subprocess.run(
            [sys.executable, "-m", "app.cli", "seed"],
            cwd=ROOT,
            env=full,
            check=True,
            capture_output=True,
        )
