"""Settings read from the environment, with safe defaults for the embedded setup."""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

MIN_SECRET_BYTES = 32


class Settings(BaseSettings):
    """Everything configurable; each field maps to an upper-case environment variable."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore")

    data_dir: Path = Path("data")
    database_url: str = ""
    redis_url: str = ""
    secret_key: str = ""
    allowed_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["http://127.0.0.1:8000", "http://localhost:8000"]
    )
    access_token_minutes: int = Field(default=15, ge=1, le=120)
    refresh_token_days: int = Field(default=30, ge=1, le=365)
    token_issuer: str = "samvaer"  # noqa: S105
    token_audience: str = "samvaer-api"  # noqa: S105
    cookie_secure: bool = False
    rate_limits_enabled: bool = True
    consent_version: str = "2026-11-23"
    log_level: str = "INFO"
    sqlite_busy_timeout_ms: int = 5000

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [o.strip().rstrip("/") for o in value.split(",") if o.strip()]
        return value

    @model_validator(mode="after")
    def _fill_defaults(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite+aiosqlite:///{self.data_dir / 'samvaer.db'}"
        if not self.secret_key:
            self.secret_key = _load_or_create_secret(self.data_dir)
        if len(self.secret_key.encode()) < MIN_SECRET_BYTES:
            raise ValueError(f"SECRET_KEY must be at least {MIN_SECRET_BYTES} bytes")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _load_or_create_secret(data_dir: Path) -> str:
    """A random key kept under data/, so restarts keep sessions but no default ever ships."""
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    tmp = data_dir / f".secret_key.{secrets.token_hex(8)}"
    tmp.write_text(secrets.token_urlsafe(48))
    tmp.chmod(0o600)
    # link() is atomic and refuses to overwrite, so concurrent workers agree on one key.
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    return path.read_text().strip()


@lru_cache
def get_settings() -> Settings:
    return Settings()
