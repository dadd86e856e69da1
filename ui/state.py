"""Session-state keys, in one place, and the selection mirrored in the URL.

The selection (enterprise, factory, assessment, sub-domain) and the language live in the session and in the query
string (``?assessment=12&subdomain=data``), so a reload, back/forward or a shared link opens the same place. Every
change of selection goes through :func:`select`, which writes both.
"""

from __future__ import annotations

import streamlit as st

LANG = "lang"
USER = "user"
ENTERPRISE_ID = "enterprise_id"
FACTORY_ID = "factory_id"
ASSESSMENT_ID = "assessment_id"
SUBDOMAIN = "subdomain"
FLASH = "flash"  # (kind, message) shown once on the next run
PENDING = "pending"  # {(assessment id, requirement id): the grade the user chose that met a conflict}
DRAFTS = "drafts"  # {form name: unsaved form content that must survive a navigation}
FOCUS = "focus"  # the form a link asked for (?focus=facts): the page opens that section, then clears it

URL_KEYS = {ENTERPRISE_ID: "enterprise", FACTORY_ID: "factory", ASSESSMENT_ID: "assessment", SUBDOMAIN: "subdomain"}
INT_KEYS = (ENTERPRISE_ID, FACTORY_ID, ASSESSMENT_ID)
DEFAULT_USER = "访客"


def defaults() -> dict:
    return {
        LANG: "zh",
        USER: DEFAULT_USER,
        ENTERPRISE_ID: None,
        FACTORY_ID: None,
        ASSESSMENT_ID: None,
        SUBDOMAIN: None,
        FLASH: None,
        PENDING: {},
        DRAFTS: {},
        FOCUS: None,
    }


def _parse(key: str, raw: str):
    if key in INT_KEYS:
        return int(raw) if raw.isdigit() and len(raw) < 12 else None
    return raw[:80] if raw.isidentifier() else None


URL_WRITTEN = "_url_written"  # the query string this session wrote last


def read_url() -> dict:
    """The selection the query string asks for, when it is news (typed, a link, back/forward, a reload).

    A query string equal to the one this session wrote last says nothing new: the session's selection stands.
    Unparseable values are dropped.
    """
    qp = st.query_params
    if dict(qp) == st.session_state.get(URL_WRITTEN):
        return {}
    out = {}
    for key, param in URL_KEYS.items():
        if param in qp:
            value = _parse(key, qp[param])
            if value is not None:
                out[key] = value
    if qp.get("focus", "").isidentifier() and len(qp["focus"]) <= 40:
        out[FOCUS] = qp["focus"]
    if qp.get("lang") in ("zh", "en"):
        out[LANG] = qp["lang"]
    if "user" in qp and 0 < len(qp["user"].strip()) <= 80:
        out[USER] = qp["user"].strip()
    return out


def select(**values) -> None:
    """Change the selection: ``select(assessment_id=3, subdomain="data")``; writes the session and the URL."""
    for key, value in values.items():
        st.session_state[key] = value
    write_url()


def write_url(with_subdomain: bool = True) -> None:
    """Mirror the session's selection into the query string (only what is set)."""
    wanted = {
        param: str(st.session_state.get(key))
        for key, param in URL_KEYS.items()
        if st.session_state.get(key) is not None and (with_subdomain or key != SUBDOMAIN)
    }
    if st.session_state.get(LANG) == "en":
        wanted["lang"] = "en"
    if (st.session_state.get(USER) or DEFAULT_USER) != DEFAULT_USER:
        wanted["user"] = st.session_state[USER]
    st.session_state[URL_WRITTEN] = wanted
    if dict(st.query_params) != wanted:
        st.query_params.from_dict(wanted)
