"""The frontend's files keep their promises without a browser: every string translated in both
languages, no inline script or style for the CSP to block, and no HTML built from strings."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"
SCRIPTS = sorted((FRONTEND / "js").rglob("*.js"))
INDEX = (FRONTEND / "index.html").read_text(encoding="utf-8")


def catalogue(lang: str) -> dict[str, str]:
    data: dict[str, str] = json.loads((FRONTEND / "i18n" / f"{lang}.json").read_text("utf-8"))
    return data


def test_danish_and_english_have_the_same_keys_and_no_empty_text() -> None:
    da, en = catalogue("da"), catalogue("en")
    assert set(da) == set(en)
    assert [k for k, v in {**da, **en}.items() if not v.strip()] == []


def test_every_key_the_page_uses_is_translated() -> None:
    da = catalogue("da")
    used = set(re.findall(r'data-i18n(?:-[a-z-]+)?="([^"]+)"', INDEX))
    for script in SCRIPTS:
        text = script.read_text(encoding="utf-8")
        used |= set(re.findall(r'\b(?:t|flash)\("([a-z0-9_]+\.[a-z0-9_.]+)"', text))
    assert len(used) > 50
    assert sorted(used - set(da)) == []


def test_index_has_no_inline_script_or_style() -> None:
    assert re.search(r"<script(?![^>]*\bsrc=)", INDEX) is None
    assert '<script type="module" src="/js/app.js"></script>' in INDEX
    assert re.search(r"<style|\sstyle=|\son[a-z]+=", INDEX) is None


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_scripts_never_turn_strings_into_html(script: Path) -> None:
    text = script.read_text(encoding="utf-8")
    risky = re.compile(
        r"\.(?:inner|outer)HTML\s*=|insertAdjacentHTML\(|document\.write|\beval\(|new Function|"
        r"\.setAttribute\(\s*[\"']style"
    )
    assert risky.findall(text) == []
