"""Small shared pieces of the pages."""

from __future__ import annotations

import re

import streamlit as st

from .i18n import PROV_NAMES, name, t
from .state import ASSESSMENT_ID, FLASH

PROV_COLOURS = {"official": "green", "secondary": "blue", "authored": "orange", "provisional": "gray"}
PROV_COLOURS["public_document"] = "violet"  # a public official document (notice, plan, guide)


def flash(kind: str, message: str) -> None:
    st.session_state[FLASH] = (kind, message)


def show_flash() -> None:
    msg = st.session_state.get(FLASH)
    if msg:
        kind, text = msg
        getattr(st, kind)(text)
        st.session_state[FLASH] = None


def require_assessment() -> int | None:
    aid = st.session_state.get(ASSESSMENT_ID)
    if aid is None:
        st.info(t("choose_first"))
        if st.button(t("go_home"), key="go_home"):
            st.switch_page("app_pages/home.py")
    return aid


def prov_badge(kind: str) -> str:
    return f":{PROV_COLOURS.get(kind, 'gray')}-badge[{name(PROV_NAMES, kind)}]"


_AUTOLINK = re.compile(r"(?i)(?<=https)(?=:)|(?<=http)(?=:)|(?<=www)(?=\.)|(?=@)")
_MD_SPECIAL = frozenset("\\`*_{}[]()<>#+-.!|:$~&=\"'^@%/;,?")


def plain(text) -> str:
    """``text`` escaped for st.markdown / st.caption / st.error / labels: every character shows as typed.

    Every ASCII punctuation character gets a backslash (CommonMark escapes any of them), so Markdown, HTML,
    ``$…$`` math, ``:red[…]`` directives, ``:material/…:`` icons and emoji shortcodes stay literal text; line
    breaks are kept as hard breaks and leading spaces cannot start a code block. GitHub-style autolinks (``www.…``,
    ``http://…``, ``a@b.c``) are found after unescaping, so a word joiner (U+2060, invisible) is put before them.
    """
    s = "" if text is None else str(text)
    s = _AUTOLINK.sub("\u2060", s)  # an invisible word joiner: no autolinked URL or e-mail address either
    out = "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in s)
    lines = [ln.lstrip(" \t") if ln[:1] in (" ", "\t") else ln for ln in out.splitlines()] or [""]
    return "  \n".join(lines)
