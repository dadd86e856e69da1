"""Text that goes onto a certificate or a report must print exactly as typed.

The shipped fonts (Noto Sans SC and Noto Serif SC, from pylopdf-fonts-zh-cn) cover the 通用规范汉字表, GB 18030's
common range, Latin, digits and the punctuation of both languages. Enterprise names are registered in 规范汉字, so a
character outside the fonts (a CJK Extension B–G ideograph such as 𠮷, an emoji) is refused when it is typed, with a
message naming it, instead of being printed as a box or in a second typeface on an official document. Control and
bidirectional-override characters are refused everywhere: they are invisible and can reorder what a reader sees.

Every user text is refused at input by the store's one check (``assessment.store.text.check_text``, which uses
:func:`font_coverage`); :func:`check` here guards issuing a certificate from text stored by an older version.

Why refuse rather than ship a fallback font: the registries offer no small font for the rest. Debian's
fonts-noto-cjk (56 MB, 91 MB installed) covers about 44 700 code points but still only part of Extension B, the
BabelStone and HanaMin fonts (11–22 MB) are not on PyPI, and emoji would need a colour font besides; a certificate
is also verified by rendering it again, so a font that one installation has and another lacks would make genuine
re-saved copies fail elsewhere. The fonts cover the 215 Extension B–G characters of the 通用规范汉字表.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

BIDI = {0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}
INVISIBLE = {0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD}


@lru_cache(maxsize=1)
def font_coverage() -> frozenset[int]:
    """Code points both shipped fonts can draw (read once from the fonts' cmap tables)."""
    import pylopdf_fonts_zh_cn as zh
    from fontTools.ttLib import TTFont

    sets = [set(TTFont(str(p), lazy=True).getBestCmap()) for p in (zh.sans_path(), zh.serif_path())]
    return frozenset(sets[0] & sets[1])


def _describe(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X}" + (f" {name}" if name else "") + (f"「{ch}」" if ch.isprintable() else "")


def problems(text: str, *, multiline: bool = False) -> list[str]:
    """Descriptions of the characters in ``text`` that cannot be printed faithfully (empty when all is well).
    Line breaks and tabs are allowed only in ``multiline`` text (notes), never in names."""
    cover = font_coverage()
    bad = []
    for ch in dict.fromkeys(text):  # each distinct character once, in order
        cp = ord(ch)
        if multiline and ch in "\n\t":
            continue
        if unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn") or cp in BIDI or cp in INVISIBLE:
            bad.append(_describe(ch) + "（控制/不可见字符 / control or invisible）")
        elif ch != " " and cp not in cover:
            bad.append(_describe(ch) + "（字体不含此字 / not in the fonts）")
    return bad


def check(text: str | None, what: str, *, multiline: bool = False) -> None:
    """Raise a one-line ValueError when ``text`` (a field called ``what``) holds a character that would not print."""
    if not text:
        return
    bad = problems(text, multiline=multiline)
    if bad:
        raise ValueError(
            f"{what}含有无法打印的字符：{'，'.join(bad)}；请改用规范汉字 / {what} contains characters the "
            f"certificate cannot print: {', '.join(bad)}"
        )
