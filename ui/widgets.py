"""Small shared pieces of the pages."""

from __future__ import annotations

import re

import streamlit as st

from assessment import records

from .i18n import PROV_NAMES, REVIEW_BADGES, name, name_or_key, pick, t
from .state import ASSESSMENT_ID, FLASH

PROV_COLOURS = {"official": "green", "secondary": "blue", "authored": "orange", "provisional": "gray"}
PROV_COLOURS["public_document"] = "violet"  # a public official document (notice, plan, guide)


def flash(kind: str, message: str) -> None:
    st.session_state[FLASH] = (kind, message)


def show_flash() -> None:
    msg = st.session_state.get(FLASH)
    if msg:
        kind, text = msg
        getattr(st, kind)(plain(text))  # messages quote names and file names: shown as typed
        st.session_state[FLASH] = None


def require_assessment() -> int | None:
    aid = st.session_state.get(ASSESSMENT_ID)
    if aid is not None:  # server mode: an assessment outside the principal's scope (e.g. ?assessment=ID) is refused
        from ui import auth
        from ui.services import backend

        refused = auth.check_assessment(backend(), aid)
        if refused:
            st.error(plain(refused), icon=":material/block:")
            st.session_state[ASSESSMENT_ID] = None
            aid = None
    if aid is None:
        st.info(t("choose_first"))
        if st.button(t("go_home"), key="go_home"):
            st.switch_page("app_pages/home.py")
    return aid


def prov_badge(kind: str) -> str:
    return f":{PROV_COLOURS.get(kind, 'gray')}-badge[{name(PROV_NAMES, kind)}]"


REVIEW_COLOURS = {"approved": "green", "changes_requested": "orange", "rejected": "red", None: "gray"}


def review_badge(status: str | None) -> str:
    """The expert review status of a requirement as a badge (专家已审 / 专家：需修改 / 专家：否决 / 待专家审核)."""
    return f":{REVIEW_COLOURS.get(status, 'gray')}-badge[{name_or_key(REVIEW_BADGES, status)}]"


def review_caption(review) -> str | None:
    """Who reviewed a requirement and when, with the comment, as plain text (None when it was not reviewed)."""
    if review is None:
        return None
    head = pick(f"专家审核：{review.by}，{review.date.isoformat()}", f"Expert review: {review.by}, {review.date.isoformat()}")
    return plain(head + (pick("——", " — ") + review.comment if review.comment else ""))


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


def domain_errors() -> tuple[type[BaseException], ...]:
    """What the pages turn into a message: bad input, missing records, refused data or access, criteria and render
    problems."""
    from assessment.access import AccessDenied
    from assessment.loader import CriteriaError
    from assessment.store.repository import ConcurrentEditError
    from reports.fonts import FontError
    from reports.render import RenderError

    return (ValueError, LookupError, CriteriaError, ConcurrentEditError, RenderError, FontError, AccessDenied)


def error_text(exc: BaseException) -> str:
    """The exception's message as one escaped line (its first line, at most 300 characters), never a traceback;
    a bilingual "中文 / English" message in the chosen language."""
    from .i18n import msg

    text = msg(exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc))
    lines = [ln.strip() for ln in (text or "").splitlines() if ln.strip()]
    return plain(lines[0][:300] if lines else type(exc).__name__)


def show_error(zh: str, en: str, exc: BaseException) -> None:
    """st.error with a Chinese (or English) lead-in chosen by the language, then the error's own one-line message."""
    from .i18n import pick

    st.error(pick(zh, en) + error_text(exc))


def evidence_reader(be, p, evidence_id: int):
    """A download button's data: the file's bytes, read when the button is clicked, checked for the principal ``p`` and
    audited then (records.evidence_content), never read on a rerun."""

    def read() -> bytes:
        with be.Session.begin() as s:
            return records.evidence_content(p, evidence_id, session=s, store=be.store)[2]

    return read
