"""Small shared pieces of the pages."""

from __future__ import annotations

import streamlit as st

from .i18n import PROV_NAMES, name, t
from .state import ASSESSMENT_ID, FLASH

PROV_COLOURS = {"official": "green", "secondary": "blue", "authored": "orange", "provisional": "gray"}


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
