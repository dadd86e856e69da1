"""待办: what waits for the signed-in user (issue 12), from assessment.dashboard.inbox."""

from __future__ import annotations

import streamlit as st

from assessment import dashboard
from assessment.access import AccessDenied
from ui import auth
from ui.i18n import msg, pick
from ui.services import backend
from ui.widgets import plain

be = backend()
p = auth.principal(be)
st.title(pick("待办", "Inbox"))
try:
    with be.Session() as s:
        items = dashboard.inbox(p, session=s)
except AccessDenied as exc:
    st.error(plain(msg(exc)))
    st.stop()
if not items:
    st.success(pick("当前没有待办事项。", "Nothing waits for you."), icon=":material/done_all:")
for i, item in enumerate(items):
    with st.container(border=True):
        c1, c2 = st.columns([5, 1])
        since = f" · {item['since']:%Y-%m-%d %H:%M}" if item.get("since") else ""
        c1.markdown(plain(pick(item["text_zh"], item["text_en"])) + plain(since))
        if item.get("application_id") and c2.button(pick("打开", "Open"), key=f"inbox_open_{i}"):
            st.session_state["app_next"] = item["application_id"]
            st.switch_page("app_pages/applications.py")
        elif item["kind"] == "account_locked" and c2.button(pick("管理", "Manage"), key=f"inbox_user_{i}"):
            st.switch_page("app_pages/users.py")
