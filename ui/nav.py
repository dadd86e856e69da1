"""Where the user is: the selection from the URL (checked against the database) and unknown paths."""

from __future__ import annotations

import streamlit as st

from assessment.store import queries

from . import state


def apply_url(be) -> None:
    """Take the selection the URL asks for, made consistent: an assessment implies its factory and enterprise."""
    wanted = state.read_url()
    for key in (state.LANG, state.USER):
        if key in wanted:
            st.session_state[key] = wanted.pop(key)
    if not wanted:
        return
    with be.Session() as s:
        if state.ASSESSMENT_ID in wanted:
            place = queries.assessment_place(wanted[state.ASSESSMENT_ID], session=s)
            if place is None:
                wanted.pop(state.ASSESSMENT_ID)
                st.session_state[state.FLASH] = (
                    "warning",
                    "链接中的评估不存在"
                    if st.session_state.get(state.LANG, "zh") == "zh"
                    else "The assessment in the link does not exist",
                )
            else:
                wanted[state.FACTORY_ID], wanted[state.ENTERPRISE_ID] = place
        elif state.FACTORY_ID in wanted:
            ent = queries.enterprise_of_factory(wanted[state.FACTORY_ID], session=s)
            if ent is None:
                wanted.pop(state.FACTORY_ID)
            else:
                wanted[state.ENTERPRISE_ID] = ent
    changed_assessment = wanted.get(state.ASSESSMENT_ID, st.session_state.get(state.ASSESSMENT_ID)) != st.session_state.get(
        state.ASSESSMENT_ID
    )
    for key, value in wanted.items():
        st.session_state[key] = value
    if changed_assessment and state.SUBDOMAIN not in wanted:
        st.session_state[state.SUBDOMAIN] = None
    if state.ENTERPRISE_ID in wanted and state.FACTORY_ID not in wanted:
        st.session_state[state.FACTORY_ID] = st.session_state[state.ASSESSMENT_ID] = None


def land_unknown_paths_on_home(url_paths: set[str]) -> None:
    """An unknown path (``/nope``, ``/home``) opens the home page instead of Streamlit's English "Page not found".

    Streamlit resolves the page from the path the browser asked for; when no page has that path we clear the
    intent so that ``st.navigation`` falls back to the default page. This reads Streamlit's page manager, which is not
    public API: every access is guarded, so a future Streamlit without it shows its own "Page not found" again
    (tests/webapp cover it).
    """
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    pm = getattr(ctx, "pages_manager", None)
    name = getattr(pm, "intended_page_name", None)
    if name and not getattr(pm, "intended_page_script_hash", None) and name.strip("/") not in url_paths:
        pm.set_script_intent("", "")
