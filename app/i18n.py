"""Translated messages for people (Danish by default, English second)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from starlette.requests import HTTPConnection

LANGUAGES = ("da", "en")
DEFAULT_LANGUAGE = "da"
_LOCALES = Path(__file__).parent / "locales"


@cache
def catalogue(lang: str) -> dict[str, str]:
    data: dict[str, str] = json.loads((_LOCALES / f"{lang}.json").read_text(encoding="utf-8"))
    return data


def translate(code: str, lang: str, **params: Any) -> str:
    """The message for `code` in `lang`, falling back to Danish, then to the code itself."""
    if lang not in LANGUAGES:
        lang = DEFAULT_LANGUAGE
    template = catalogue(lang).get(code) or catalogue(DEFAULT_LANGUAGE).get(code) or code
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return template


def pick_language(accept_language: str | None) -> str:
    """First supported language in an Accept-Language header, honouring q-values."""
    if not accept_language:
        return DEFAULT_LANGUAGE
    best: tuple[float, str] | None = None
    for part in accept_language.split(",")[:20]:
        piece = part.strip().split(";")
        tag = piece[0].strip().lower().split("-")[0]
        q = 1.0
        for p in piece[1:]:
            p = p.strip()
            if p.startswith("q="):
                try:
                    q = float(p[2:])
                except ValueError:
                    q = 0.0
        if tag in LANGUAGES and (best is None or q > best[0]):
            best = (q, tag)
    return best[1] if best else DEFAULT_LANGUAGE


def request_language(conn: HTTPConnection) -> str:
    return pick_language(conn.headers.get("accept-language"))
