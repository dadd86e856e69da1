"""User text in exported documents (XLSX, DOCX): always written as text, never as a formula, and never able to crash
an export.

The input layer refuses control and bidi characters, but exports also read older records and other installations'
bundles, so they clean again: characters that XML 1.0 cannot carry (C0/C1 controls other than tab, newline and
carriage return, lone surrogates, U+FFFE/U+FFFF) and bidi controls, which can make a name read differently from what
it is, are replaced by U+FFFD (visible, so nothing is silently hidden).
"""

from __future__ import annotations

import re
from typing import Any

# characters a spreadsheet application may treat as the start of a formula (OWASP "CSV injection")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
REPLACEMENT = "\ufffd"


def clean(text: Any) -> str:
    """``text`` as a string that XML can carry and that reads as what it is."""
    if text is None:
        return ""
    return _UNSAFE.sub(REPLACEMENT, str(text))


def text_cell(cell, value: Any) -> None:
    """Write ``value`` into an openpyxl cell. Numbers stay numbers; every string is stored as a literal string
    (shared string, never a formula), and one that begins like a formula also gets Excel's quote prefix, so editing
    the cell later does not turn it into one either."""
    if value is None or isinstance(value, (bool, int, float)):
        cell.value = value
        return
    text = clean(value)
    cell.value = text
    cell.data_type = "s"
    if text.startswith(FORMULA_START):
        cell.quotePrefix = True


def is_text(cell) -> bool:
    """True when the cell holds a literal string (what every user string must be)."""
    return cell.data_type == "s" and isinstance(cell.value, str)
