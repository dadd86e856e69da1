"""One check for every piece of user text before it is stored (names, titles, notes, reasons).

The text is stripped; NUL, C0/C1 control characters (tab and newline only in multi-line text), Unicode
bidirectional controls, invisible format characters (zero-width space and joiners, BOM, soft hyphen) and lone
surrogates are refused, and so is any character that the shipped fonts cannot draw (CJK Extension B–G ideographs
outside the 通用规范汉字表 such as 𠮷, emoji: see :mod:`assessment.printable`), because every user text may be printed
on a certificate, a report or a declaration; the length is counted in characters (code points), which is how
PostgreSQL counts ``VARCHAR(n)``, so SQLite and PostgreSQL accept and refuse the same text.
Every refusal is a :class:`ValueError` with one bilingual line naming the field.
"""

from __future__ import annotations

import unicodedata
from typing import Any, Literal, overload

# Unicode bidirectional controls: embeddings and overrides, isolates, marks, the Arabic letter mark
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")

# field key -> (Chinese, English) label used in messages; an unknown key is shown as given
LABELS: dict[str, tuple[str, str]] = {
    "user.username": ("用户名", "user name"),
    "user.display_name": ("显示名称", "display name"),
    "enterprise.name": ("企业名称", "enterprise name"),
    "enterprise.credit_code": ("统一社会信用代码", "credit code"),
    "enterprise.province": ("省份", "province"),
    "factory.name": ("工厂名称", "factory name"),
    "factory.sub_sector": ("细分行业", "sub-sector"),
    "factory.address": ("地址", "address"),
    "assessment.title": ("评估标题", "assessment title"),
    "assessment.period": ("评估期", "assessment period"),
    "tier_award.edition": ("层级版本", "tier edition"),
    "tier_award.certificate_no": ("层级证书编号", "tier certificate number"),
    "answer.note": ("备注", "note"),
    "scenario.name": ("场景名称", "scenario name"),
    "scenario.ai_description": ("人工智能应用说明", "AI description"),
    "kpi.period": ("指标期间", "KPI period"),
    "revocation.reason": ("撤销理由", "revocation reason"),
    "evidence.name": ("文件名", "file name"),
}

NOTE_MAX = 2000  # answer notes, scenario AI descriptions
REASON_MAX = 1000  # revocation reasons


def label(field: str | tuple[str, str]) -> tuple[str, str]:
    if isinstance(field, tuple):
        return field
    return LABELS.get(field, (field, field))


def column_length(attr: Any) -> int:
    """The ``n`` of a ``String(n)`` mapped column, e.g. ``column_length(Factory.name) == 200``."""
    return attr.property.columns[0].type.length


def bad_character(value: str, *, multiline: bool = False) -> tuple[str, str] | None:
    """(Chinese, English) description of the first character user text must not contain, or None: control and
    invisible characters first, then the first character the fonts cannot print."""
    for ch in value:
        o = ord(ch)
        if multiline and ch in "\t\n":
            continue
        if o == 0:
            return "空字符（NUL）", "a NUL character"
        if o < 0x20 or 0x7F <= o <= 0x9F:
            return f"控制字符 U+{o:04X}", f"the control character U+{o:04X}"
        if ch in BIDI_CONTROLS:
            return f"双向文本控制字符 U+{o:04X}", f"the bidirectional control character U+{o:04X}"
        if 0xD800 <= o <= 0xDFFF:
            return f"无效字符 U+{o:04X}（孤立代理项）", f"the invalid character U+{o:04X} (a lone surrogate)"
        if unicodedata.category(ch) == "Cf":
            return f"不可见的格式控制字符 U+{o:04X}", f"the invisible format character U+{o:04X}"
    ch = unprintable(value)
    if ch is not None:
        return (
            f"字符 {describe(ch)}：证书和报告所用的字体没有这个字，无法打印，请改用规范汉字",
            f"{describe(ch)}: the certificate and report fonts do not have it, so it cannot be printed",
        )
    return None


def unprintable(value: str) -> str | None:
    """The first character of ``value`` that no shipped font can draw (it would print as a box), or None."""
    from ..printable import font_coverage

    cover = font_coverage()
    for ch in value:
        if ch not in " \t\n" and ord(ch) not in cover:
            return ch
    return None


def describe(ch: str) -> str:
    """𠮷 (U+20BB7): the character and its code point, as a message names it."""
    return f"{ch} (U+{ord(ch):04X})"


@overload
def check_text(
    value: Any, *, field: str | tuple[str, str], max_len: int, required: Literal[True], multiline: bool = False
) -> str: ...


@overload
def check_text(
    value: Any, *, field: str | tuple[str, str], max_len: int, required: bool = False, multiline: bool = False
) -> str | None: ...


def check_text(
    value: Any, *, field: str | tuple[str, str], max_len: int, required: bool = False, multiline: bool = False
) -> str | None:
    """The stripped text, or None when it is empty and not required; raises ValueError naming the field."""
    zh, en = label(field)
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValueError(f"{zh}必须是文本 / the {en} must be text")
    if multiline:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = value.strip()
    if not value:
        if required:
            raise ValueError(f"{zh}不能为空 / the {en} is required")
        return None
    bad = bad_character(value, multiline=multiline)
    if bad is not None:
        zh_bad, en_bad = bad
        raise ValueError(f"{zh}不能包含{zh_bad} / the {en} must not contain {en_bad}")
    if len(value) > max_len:
        raise ValueError(
            f"{zh}过长：{len(value)} 个字符，最多 {max_len} 个 / the {en} is too long: {len(value)} characters, at most {max_len}"
        )
    return value
