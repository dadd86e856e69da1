"""Streamlit entry point: page config, shared state, navigation. Run with ``make run``."""

import streamlit as st

from ui import auth, state
from ui.fonts import ensure_web_font
from ui.i18n import pick, t
from ui.nav import apply_url, land_unknown_paths_on_home
from ui.services import backend
from ui.widgets import plain

HOME_FORMS = {  # the home page's forms that keep drafts, by their form name
    "enterprise": ("企业信息", "enterprise facts"),
    "facts": ("合规与申报事实", "compliance facts"),
    "region": ("推荐单位信息", "recommender's facts"),
    "factory": ("工厂信息", "factory facts"),
}

ensure_web_font()

st.set_page_config(page_title="智能制造评估 · Smart-factory assessment", page_icon=":material/factory:", layout="wide")
for key, value in state.defaults().items():
    st.session_state.setdefault(key, value)

be = backend()  # migrate and seed once per database, before any page runs
apply_url(be)  # reload, back/forward and shared links open the same place

with st.sidebar:
    st.radio(
        t("language"),
        ["zh", "en"],
        key=state.LANG,
        horizontal=True,
        on_change=state.write_url,
        format_func=lambda x: "中文" if x == "zh" else "English",
    )
principal = auth.gate(be)  # server mode: the login form (and st.stop) until signed in
for refused in auth.check_selection(be):  # ?assessment=, ?factory=, ?enterprise= outside the principal's scope
    st.error(plain(refused), icon=":material/block:")
with st.sidebar:
    auth.sidebar(be, principal)
    if auth.server_mode(be):
        st.session_state[state.USER] = principal.username  # the actor of every change is the signed-in user
    else:
        st.text_input(t("user"), key=state.USER, on_change=state.write_url, max_chars=80)
    if any(d.get("dirty") for d in st.session_state[state.DRAFTS].values()):
        st.warning(t("unsaved_drafts"), icon=":material/edit_off:")
    # the home page's version-checked forms keep unsaved edits as drafts too (app_pages/home.py)
    unsaved = sorted({form for (form, _), f in st.session_state.get("forms", {}).items() if f.get("draft")})
    if unsaved:
        forms = "、".join(pick(*HOME_FORMS[x]) for x in unsaved if x in HOME_FORMS)
        st.warning(t("unsaved_home").format(forms=forms), icon=":material/edit_off:")

pages = [
    st.Page("app_pages/home.py", title=t("home"), icon=":material/home:", url_path="home", default=True),
    st.Page("app_pages/assess.py", title=t("assess"), icon=":material/edit_note:", url_path="assess"),
    st.Page("app_pages/scenarios.py", title=t("scenarios"), icon=":material/extension:", url_path="scenarios"),
    st.Page("app_pages/results.py", title=t("results"), icon=":material/analytics:", url_path="results"),
    st.Page("app_pages/reports.py", title=t("reports"), icon=":material/workspace_premium:", url_path="reports"),
    st.Page("app_pages/history.py", title=t("history"), icon=":material/timeline:", url_path="history"),
    st.Page(
        "app_pages/plan.py",
        title="升级路径规划" if st.session_state[state.LANG] == "zh" else "Upgrade planning",
        icon=":material/route:",
        url_path="plan",
    ),
    st.Page(
        "app_pages/portfolio.py",
        title="区域画像" if st.session_state[state.LANG] == "zh" else "Portfolio",
        icon=":material/map:",
        url_path="portfolio",
    ),
    st.Page("app_pages/criteria.py", title=t("criteria"), icon=":material/menu_book:", url_path="criteria"),
]
zh = st.session_state[state.LANG] == "zh"
workflow_pages = {  # url path -> (script, title, icon)
    "inbox": ("app_pages/inbox.py", "待办" if zh else "Inbox", ":material/inbox:"),
    "applications": ("app_pages/applications.py", "申请与评审" if zh else "Applications", ":material/approval:"),
    "province": ("app_pages/province.py", "省级看板" if zh else "Province dashboard", ":material/dashboard:"),
    "users": ("app_pages/users.py", "用户管理" if zh else "Users", ":material/group:"),
}
if auth.server_mode(be):  # local mode keeps the single-user pages only
    pages = auth.role_pages(principal, pages, workflow_pages)
land_unknown_paths_on_home({p.url_path for p in pages[1:]})  # the default page lives at /
page = st.navigation(pages)
state.write_url(with_subdomain=page.url_path == "assess")
page.run()
