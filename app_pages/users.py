"""用户管理 (system administrators, issue 12): add an account (its one-time password is shown once), reset a
password, disable or enable an account. Every change is audited by assessment.accounts."""

from __future__ import annotations

import streamlit as st

from assessment import accounts, records
from assessment.access import ROLE_NAMES, ROLES, AccessDenied, require
from assessment.store import queries
from ui import auth
from ui.i18n import msg, pick
from ui.services import backend
from ui.widgets import plain

be = backend()
p = auth.principal(be)
st.title(pick("用户管理", "Users"))
try:
    with be.Session() as s:
        require(s, p, "user.manage")
        users = accounts.list_users(session=s)
        enterprises = queries.enterprise_names(session=s)
except AccessDenied as exc:
    st.error(plain(msg(exc)))
    st.stop()

shown = st.session_state.pop("users_one_time", None)
if shown:
    st.success(
        pick(
            f"账户 {shown[0]} 的一次性密码（只显示这一次，请转交本人，首次登录须修改）：",
            f"One-time password of {shown[0]} (shown only now; hand it over, it must be changed at the first login):",
        )
    )
    st.code(shown[1], language=None)

st.dataframe(
    [
        {
            pick("用户名", "User"): u["username"],
            pick("姓名", "Name"): u["display_name"],
            pick("角色", "Role"): pick(*ROLE_NAMES.get(u["role"], (u["role"], u["role"]))),
            pick("省份", "Province"): u["province"] or "",
            pick("企业", "Enterprise"): enterprises.get(u["enterprise_id"], ""),
            pick("待改初始密码", "Must change password"): u["must_change_password"],
            pick("已停用", "Disabled"): u["disabled"],
            pick("已锁定", "Locked"): u["locked"],
            pick("最近登录", "Last login"): u["last_login_at"] or "",
        }
        for u in users
    ],
    hide_index=True,
    width="stretch",
)

st.subheader(pick("新增用户", "Add a user"))
with st.form("add_user"):
    c1, c2 = st.columns(2)
    username = c1.text_input(pick("用户名", "User name"), max_chars=80, key="new_username")
    display = c2.text_input(pick("姓名（可选）", "Display name (optional)"), max_chars=120, key="new_display")
    role = c1.selectbox(pick("角色", "Role"), ROLES, format_func=lambda r: pick(*ROLE_NAMES[r]), key="new_role")
    province = c2.text_input(
        pick("省份（省级管理员必填；专家可选）", "Province (province admins; optional for experts)"),
        max_chars=40,
        key="new_province",
    )
    ent = c1.selectbox(
        pick("企业（企业用户）", "Enterprise (enterprise users)"),
        [None, *enterprises],
        format_func=lambda e: "—" if e is None else f"{enterprises[e]} · #{e}",
        key="new_enterprise",
    )
    if st.form_submit_button(pick("新增", "Add"), type="primary"):
        try:
            with be.Session.begin() as s:
                user, password = accounts.add_user(
                    p,
                    username,
                    role,
                    session=s,
                    province=province.strip() or None,
                    enterprise_id=ent if role == "enterprise" else None,
                    display_name=display.strip() or None,
                )
                name = user.username
            st.session_state["users_one_time"] = (name, password)
            st.rerun()
        except (ValueError, AccessDenied) as exc:
            st.error(plain(msg(exc)))

st.subheader(pick("新增企业", "Add an enterprise"))
st.caption(
    pick(
        "企业用户的账户绑定到一家企业：先在这里建企业，再新增其企业用户。企业用户自己不能新建企业。",
        "An enterprise account is bound to one enterprise: add the enterprise here, then its users. Enterprise users "
        "cannot create enterprises themselves.",
    )
)
with st.form("add_enterprise", clear_on_submit=True):
    c1, c2, c3 = st.columns(3)
    ent_name = c1.text_input(pick("企业名称 *", "Enterprise name *"), max_chars=200, key="new_ent_name")
    ent_code = c2.text_input(pick("统一社会信用代码", "Unified social credit code"), max_chars=18, key="new_ent_code")
    ent_prov = c3.text_input(pick("省份", "Province"), max_chars=40, key="new_ent_province")
    if st.form_submit_button(pick("新增企业", "Add the enterprise")):
        try:
            with be.Session.begin() as s:
                e = records.create_enterprise(
                    p, session=s, name=ent_name, credit_code=ent_code.strip() or None, province=ent_prov.strip() or None
                )
                created = f"{e.name} · #{e.id}"
            st.session_state["users_flash"] = pick(f"已新增企业 {created}", f"Added the enterprise {created}")
            st.rerun()
        except (ValueError, AccessDenied) as exc:
            st.error(plain(msg(exc)))
if st.session_state.get("users_flash"):
    st.success(plain(st.session_state.pop("users_flash")))

st.subheader(pick("重置密码 / 停用", "Reset a password / disable"))
names = [u["username"] for u in users]
if names:
    who = st.selectbox(pick("账户", "Account"), names, key="manage_user")
    row = next(u for u in users if u["username"] == who)
    c1, c2 = st.columns(2)
    if c1.button(pick("重置密码", "Reset the password"), key="reset_pw"):
        try:
            with be.Session.begin() as s:
                require(s, p, "user.manage")
                password = accounts.reset_password(who, session=s, actor=p.username)
            st.session_state["users_one_time"] = (who, password)
            st.rerun()
        except (LookupError, AccessDenied) as exc:
            st.error(plain(msg(exc)))
    label = pick("启用账户", "Enable the account") if row["disabled"] else pick("停用账户", "Disable the account")
    if c2.button(label, key="toggle_disabled", disabled=who == p.username):
        try:
            with be.Session.begin() as s:
                require(s, p, "user.manage")
                accounts.set_disabled(who, not row["disabled"], session=s, actor=p.username)
            st.rerun()
        except (LookupError, AccessDenied) as exc:
            st.error(plain(msg(exc)))
