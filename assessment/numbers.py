"""Numbers as people type them into a form: ``12``, ``12.5``, ``12%``, ``１２``, ``-3``, ``1,200``.

Anything else is refused with a message; nothing is guessed (``abc`` is not 0).
"""

from __future__ import annotations

import math
import re
import unicodedata

_NUMBER = re.compile(r"[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?")
MAX_CHARS = 24


def parse_number(text: object) -> float | None:
    """``None`` for an empty entry; a float for a number as typed; ValueError (zh / en) for anything else."""
    if text is None:
        return None
    if isinstance(text, bool):
        raise ValueError("不是数字 / not a number")
    if isinstance(text, (int, float)):
        if not math.isfinite(text):
            raise ValueError("不是有限的数字 / not a finite number")
        return float(text)
    raw = str(text)
    value = unicodedata.normalize("NFKC", raw).strip().replace(" ", "")  # full-width digits, ％ and － become ASCII
    if value == "":
        return None
    if value.endswith("%"):
        value = value[:-1]
    if len(value) > MAX_CHARS or not _NUMBER.fullmatch(value):
        shown = raw if len(raw) <= 20 else raw[:20] + "…"
        raise ValueError(f"“{shown}”不是数字（可输入 12、12.5 或 12%）/ '{shown}' is not a number (type 12, 12.5 or 12%)")
    return float(value.replace(",", ""))
