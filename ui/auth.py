"""Who is using the app (issue 12). Local mode (``SFA_AUTH=local``): the one local user. Server mode
(``SFA_AUTH=required``): a login form before any page, a forced change of the one-time password, the session token
kept in ``st.session_state`` and resumed from the database on every run (so an expiry or a logout in another app
process applies here at once), and logout in the sidebar.

Sessions across app processes: Streamlit keeps ``st.session_state`` per browser tab and per process, so a reload, a
new tab or a request that a load balancer sends to another process starts a new Streamlit session. The login session
itself lives in the database (``login_sessions``, the token's hash only); its token is also kept in the cookie
``sfa_session`` (``SameSite=Strict``, ``Secure`` over HTTPS, lifetime ``session_max_hours``), so such a new Streamlit
session — on this process or another one behind the same database and host name — resumes the login instead of
asking for the password again. Logout, expiry, a disabled account or a password change end it everywhere.

The deployment's identity provider (optional): when ``.streamlit/secrets.toml`` has Streamlit's OIDC settings
(``[auth]`` with ``redirect_uri``, ``cookie_secret`` and ``client_id`` / ``client_secret`` / ``server_metadata_url``,
or one ``[auth.NAME]`` table per provider), the login form also offers ``st.login``. The identity's e-mail address
must be the user name of an account a system administrator created (``accounts.identity_login``): nothing is
created from an identity, so no one gets a role by logging in. Without ``[auth]`` only local accounts exist."""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from assessment import accounts, records
from assessment.access import ROLE_NAMES, AccessDenied, Principal, local_principal, require
from assessment.store.orm import Assessment, Enterprise, Factory
from ui import state
from ui.i18n import msg, pick
from ui.widgets import plain

TOKEN = "auth_token"
NOTICE = "auth_notice"
COOKIE = "sfa_session"
DEAD = "auth_dead_cookie"  # a token this tab logged out of (the browser's cookie is read once per Streamlit session)
WRITTEN = "auth_cookie_written"
REFUSED_IDENTITY = "auth_refused_identity"


def _cookie_token() -> str | None:
    try:
        token = st.context.cookies.get(COOKIE)
    except Exception:  # noqa: BLE001 - no request (AppTest, bare mode): no cookie
        return None
    return token if isinstance(token, str) and token and token != st.session_state.get(DEAD) else None


def _set_cookie(value: str, max_age: int) -> None:
    """Write (``max_age`` > 0) or delete the session cookie in the browser. The value is a URL-safe token."""
    st.html(
        "<script>document.cookie = "
        f"'{COOKIE}={value}; Path=/; Max-Age={max_age}; SameSite=Strict'"
        " + (location.protocol === 'https:' ? '; Secure' : '');</script>",
        unsafe_allow_javascript=True,
        width="content",
    )


def oidc_providers(secrets) -> list[str | None]:
    """The OIDC providers Streamlit's ``[auth]`` secrets configure: ``None`` for the single default one (its
    settings directly under ``[auth]``), a name for each ``[auth.NAME]`` table; [] when OIDC is not configured (no
    ``redirect_uri`` or ``cookie_secret``, or no provider with ``client_id``, ``client_secret`` and
    ``server_metadata_url``)."""
    try:
        conf = secrets.get("auth") if isinstance(secrets, Mapping) or hasattr(secrets, "get") else None
    except Exception:  # noqa: BLE001 - no secrets.toml at all
        return []
    if not isinstance(conf, Mapping) or not conf.get("redirect_uri") or not conf.get("cookie_secret"):
        return []

    def complete(c) -> bool:
        return isinstance(c, Mapping) and all(c.get(k) for k in ("client_id", "client_secret", "server_metadata_url"))

    return ([None] if complete(conf) else []) + [k for k, v in conf.items() if complete(v)]


def _providers() -> list[str | None]:
    try:
        return oidc_providers(st.secrets)
    except Exception:  # noqa: BLE001 - secrets.toml missing or unreadable: local accounts only
        return []


def _identity() -> dict | None:
    """The claims of the identity signed in at the provider (``st.user``), or None."""
    try:
        return dict(st.user) if st.user.is_logged_in else None
    except Exception:  # noqa: BLE001 - OIDC not configured
        return None


def server_mode(be) -> bool:
    return be.settings.auth == "required"


def principal(be) -> Principal:
    """The principal of this run (call after :func:`gate`)."""
    if not server_mode(be):
        return local_principal(be.settings)
    p = st.session_state.get("auth_principal")
    if p is None:
        raise AccessDenied("服务器模式下必须登录 / server mode: log in first")
    return p


def gate(be) -> Principal:
    """The signed-in principal, or the login / password-change form and ``st.stop()``."""
    if not server_mode(be):
        return local_principal(be.settings)
    token = st.session_state.get(TOKEN)
    if not token and _cookie_token():  # a new Streamlit session (reload, new tab, another process): the login cookie
        token = st.session_state[TOKEN] = _cookie_token()
    claims = _identity() if not token and _providers() else None
    if claims is not None and claims.get("email") != st.session_state.get(REFUSED_IDENTITY):
        try:  # signed in at the identity provider: the account an administrator created for that e-mail address
            who = accounts.identity_login(claims, Session=be.Session)
        except accounts.LoginRefused as exc:
            st.session_state[REFUSED_IDENTITY] = claims.get("email")
            st.session_state[NOTICE] = msg(exc)
        else:
            token = st.session_state[TOKEN] = accounts.start_session(who, Session=be.Session, settings=be.settings)
    p = None
    if token:
        try:
            p = accounts.resume_session(token, Session=be.Session, settings=be.settings)
        except accounts.LoginRefused as exc:
            st.session_state.pop(TOKEN, None)
            st.session_state[DEAD] = token
            st.session_state[NOTICE] = msg(exc)
    st.session_state["auth_principal"] = p
    if p is None:
        if st.session_state.get(WRITTEN) or st.session_state.get(DEAD):
            _set_cookie("", 0)  # this tab's cookie: deleted
            st.session_state.pop(WRITTEN, None)
        _login_form(be)
        st.stop()
    if st.session_state.get(WRITTEN) != token and token != _cookie_token():
        _set_cookie(token, be.settings.session_max_hours * 3600)
        st.session_state[WRITTEN] = token
    if p.must_change_password:
        _password_form(be, p, forced=True)
        st.stop()
    return p


def _login_form(be) -> None:
    st.title(pick("智能制造评估 · 登录", "Smart-factory assessment · log in"))
    if st.session_state.get(NOTICE):
        st.info(plain(st.session_state.pop(NOTICE)))
    providers = _providers()
    if providers:
        if _identity() is not None:  # signed in at the provider, but refused here: offer another identity
            if st.button(pick("换一个身份登录", "Use another identity"), key="oidc_logout", icon=":material/switch_account:"):
                st.session_state.pop(REFUSED_IDENTITY, None)
                st.logout()
        for i, name in enumerate(providers):
            label = pick("通过单位统一身份认证登录", "Log in with the organisation's identity provider")
            if st.button(label + (f" · {name}" if name else ""), key=f"oidc_login_{i}", type="primary"):
                st.login(name) if name else st.login()
        st.caption(pick("或使用本地账户：", "Or with a local account:"))
    with st.form("login"):
        username = st.text_input(pick("用户名", "User name"), key="login_user", max_chars=80)
        password = st.text_input(pick("密码", "Password"), key="login_password", type="password", max_chars=200)
        if st.form_submit_button(pick("登录", "Log in"), type="primary"):
            try:
                p = accounts.authenticate(username, password, Session=be.Session, settings=be.settings)
            except accounts.LoginRefused as exc:
                if exc.code == "locked":
                    st.error(plain(msg(exc)), icon=":material/lock:")
                elif exc.code == "disabled":
                    st.error(plain(msg(exc)), icon=":material/block:")
                else:
                    st.error(plain(msg(exc)))
                return
            st.session_state[TOKEN] = accounts.start_session(p, Session=be.Session, settings=be.settings)
            st.session_state.pop("login_password", None)
            st.rerun()
    st.caption(
        pick(
            "账户由系统管理员用 `python -m assessment users add` 创建；首次登录须修改一次性密码。",
            "Accounts are created by the system administrator with `python -m assessment users add`; the "
            "one-time password must be changed at the first login.",
        )
    )


def _password_form(be, p: Principal, *, forced: bool) -> None:
    if forced:
        st.title(pick("修改初始密码", "Change the one-time password"))
        st.info(pick("首次登录（或密码被重置后）须先设置自己的密码。", "Set your own password before you continue."))
    with st.form("change_password"):
        old = st.text_input(pick("当前密码", "Current password"), type="password", key="pw_old", max_chars=200)
        new = st.text_input(
            pick("新密码（至少 10 个字符）", "New password (10 characters or more)"), type="password", key="pw_new", max_chars=200
        )
        again = st.text_input(pick("再次输入新密码", "New password again"), type="password", key="pw_again", max_chars=200)
        if st.form_submit_button(pick("修改密码", "Change password"), type="primary"):
            if new != again:
                st.error(pick("两次输入的新密码不一致", "The two new passwords differ"))
                return
            try:
                accounts.change_password(p.username, old, new, Session=be.Session, settings=be.settings)
            except accounts.LoginRefused as exc:
                st.error(plain(msg(exc)))
                return
            st.session_state[NOTICE] = pick("密码已修改", "Password changed")
            st.rerun()
    if forced:
        logout_button(be)


def logout_button(be) -> None:
    if st.button(pick("退出登录", "Log out"), key="logout", icon=":material/logout:"):
        token = st.session_state.pop(TOKEN, "")
        accounts.end_session(token, Session=be.Session)
        st.session_state[DEAD] = token
        if _identity() is not None:  # also forget the provider's identity here (not a logout at the provider)
            st.session_state[NOTICE] = pick("已退出登录", "Logged out")
            st.logout()
        st.session_state["auth_principal"] = None
        st.session_state[NOTICE] = pick("已退出登录", "Logged out")
        st.rerun()


def sidebar(be, p: Principal) -> None:
    """Who is signed in (server mode) or the local-mode label."""
    if not server_mode(be):
        st.caption(pick("本机单用户模式", "Local single-user mode"))
        return
    role = ROLE_NAMES.get(p.role, (p.role, p.role))
    st.markdown(
        f"**{plain(p.display_name or p.username)}**  \n{plain(pick(role[0], role[1]))}"
        + (f" · {plain(p.province)}" if p.province else "")
    )
    with st.popover(pick("修改密码", "Change password"), icon=":material/key:"):
        _password_form(be, p, forced=False)
    logout_button(be)


def check_assessment(be, aid: int) -> str | None:
    """Why the principal may not open assessment ``aid`` (refused and audited), or None. Local mode: always None."""
    if not server_mode(be):
        return None
    try:
        with be.Session() as s:
            records.open_assessment(principal(be), aid, session=s)
    except AccessDenied as exc:
        return msg(exc)
    except LookupError:
        return None  # the page says it does not exist
    return None


def require_editable(be, session, aid: int) -> None:
    """Before a change to assessment ``aid``: in server mode the principal must be allowed to edit it now."""
    if server_mode(be):
        records.require_editable(principal(be), aid, session=session)


ROLE_WORKFLOW = {
    "enterprise": ("inbox", "applications"),
    "expert": ("inbox", "applications"),
    "province_admin": ("inbox", "applications", "province"),
    "system_admin": ("users", "inbox"),
}


def role_pages(p: Principal, pages: list, workflow: dict) -> list:
    """The pages of the principal's role: an enterprise user gets the assessment pages and the workflow; experts and
    administrators the workflow pages (their first page is the default) and the criteria; a province admin also the
    portfolio of their province and the planning page."""
    keys = ROLE_WORKFLOW.get(p.role, ())
    extra = [
        st.Page(workflow[k][0], title=workflow[k][1], icon=workflow[k][2], url_path=k, default=p.role != "enterprise" and i == 0)
        for i, k in enumerate(keys)
    ]
    if p.role == "enterprise":  # not the regional portfolio: it shows every enterprise
        return [pg for pg in pages if pg.url_path != "portfolio"] + extra
    if p.role == "province_admin":  # the portfolio of their province (limited in its queries) and the planner it opens
        extra += [pg for pg in pages if pg.url_path in ("portfolio", "plan")]
    return extra + [pg for pg in pages if pg.url_path == "criteria"]


def may_see(be, row) -> bool:
    """Whether a home-page row (an Enterprise, Factory or Assessment) is in the principal's scope: always in local
    mode; in server mode the assessments of records.list_assessments and their factories and enterprises."""
    if not server_mode(be):
        return True
    cache = st.session_state.setdefault("_auth_visible", {})
    run = id(st.session_state.get("auth_principal")), st.session_state.get(TOKEN)
    if cache.get("run") != run or "rows" not in cache:
        with be.Session() as s:
            rows = records.list_assessments(principal(be), session=s, include_archived=True)
        cache.clear()
        cache.update(run=run, rows=rows)
    rows = cache["rows"]
    p = principal(be)
    if isinstance(row, Assessment):
        return row.id in {r["id"] for r in rows}
    if isinstance(row, Factory):
        return row.enterprise_id == p.enterprise_id or row.enterprise_id in {r["enterprise_id"] for r in rows}
    if isinstance(row, Enterprise):
        return row.id == p.enterprise_id or row.id in {r["enterprise_id"] for r in rows}
    return False


def check_selection(be) -> list[str]:
    """Server mode: the enterprise, factory and assessment chosen (by the URL, e.g. ``?factory=ID``, or a stale
    session) must be in the principal's scope; those that are not are cleared and their refusals (audited) returned."""
    if not server_mode(be):
        return []
    refusals = []
    aid = st.session_state.get(state.ASSESSMENT_ID)
    if aid is not None:
        refused = check_assessment(be, aid)
        if refused:
            st.session_state[state.ASSESSMENT_ID] = None
            refusals.append(refused)
    for key, model in ((state.FACTORY_ID, Factory), (state.ENTERPRISE_ID, Enterprise)):
        oid = st.session_state.get(key)
        if oid is None:
            continue
        with be.Session() as s:
            obj = s.get(model, oid)
            try:
                if obj is not None:
                    require(s, principal(be), "enterprise.read", obj)
            except AccessDenied as exc:
                st.session_state[key] = None
                refusals.append(msg(exc))
    return refusals
