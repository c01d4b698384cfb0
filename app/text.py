"""Validated text types for member input: length limits and no control characters.

Text is stored exactly as typed (no HTML escaping here; the frontend renders it as text).
NUL and other control characters are refused because they corrupt logs and PostgreSQL rejects NUL.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, StringConstraints

_SINGLE_LINE_BAD = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")
_MULTI_LINE_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _single_line(value: str) -> str:
    if _SINGLE_LINE_BAD.search(value):
        raise ValueError("control characters are not allowed")
    return value


def _multi_line(value: str) -> str:
    if _MULTI_LINE_BAD.search(value):
        raise ValueError("control characters are not allowed")
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


OneLine = AfterValidator(_single_line)
MultiLine = AfterValidator(_multi_line)
NotBlank = AfterValidator(_not_blank)

# Common shapes; domains compose their own with the validators above where sizes differ.
Handle = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=30)]
ShortText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80), OneLine
]
