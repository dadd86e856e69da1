"""Accounts on SQLite and PostgreSQL: one-time passwords, argon2 hashes, lockout, session expiry, password change,
and the `users` CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import select, text
from wfhelp import build_world

from assessment import accounts
from assessment.access import AccessDenied
from assessment.config import Settings
from assessment.store.orm import AuditLog, LoginSession, User, utcnow

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture
def settings(tmp_path):
    return Settings(
        data_dir=tmp_path / "data", login_max_failures=3, lockout_minutes=10, session_idle_minutes=30, session_max_hours=8
    )


def new_user(Session, name="expert_a", role="expert", **kw) -> str:
    with Session.begin() as s:
        _, password = accounts.create_user(name, role, session=s, actor="test", **kw)
    return password


def test_one_time_password_must_be_changed(Session, settings):
    pw = new_user(Session)
    with Session() as s:
        u = s.scalar(select(User).where(User.username == "expert_a"))
        assert u.password_hash.startswith("$argon2id$") and pw not in u.password_hash and u.must_change_password
    p = accounts.authenticate("expert_a", pw, Session=Session, settings=settings)
    assert p.role == "expert" and p.must_change_password
    from assessment import workflow as wf

    with Session() as s:  # a principal that still has its one-time password may do nothing but change it
        with pytest.raises(AccessDenied, match="请先修改初始密码"):
            wf.list_applications(p, session=s)
    with pytest.raises(accounts.LoginRefused, match="至少 10 个字符"):
        accounts.change_password("expert_a", pw, "short", Session=Session, settings=settings)
    with pytest.raises(accounts.LoginRefused, match="太简单"):
        accounts.change_password("expert_a", pw, "aaaaaaaaaaaa", Session=Session, settings=settings)
    with pytest.raises(accounts.LoginRefused, match="用户名或密码错误"):
        accounts.change_password("expert_a", "wrong-password", "Ein neues Passwort 1", Session=Session, settings=settings)
    accounts.change_password("expert_a", pw, "Ein neues Passwort 1", Session=Session, settings=settings)
    with pytest.raises(accounts.LoginRefused):
        accounts.authenticate("expert_a", pw, Session=Session, settings=settings)
    p = accounts.authenticate("expert_a", "Ein neues Passwort 1", Session=Session, settings=settings)
    assert not p.must_change_password
    with Session() as s:
        assert wf.list_applications(p, session=s) == []


def test_default_argon2_parameters(Session, settings, monkeypatch):
    monkeypatch.setattr(accounts, "_hasher", accounts.PasswordHasher())  # the real default, once
    pw = new_user(Session)
    with Session() as s:
        h = s.scalar(select(User.password_hash).where(User.username == "expert_a"))
    assert h.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert accounts.authenticate("expert_a", pw, Session=Session, settings=settings).username == "expert_a"


def test_account_checks(Session):
    with Session.begin() as s:
        for args, kw, msg in [
            (("ab", "expert"), {}, "至少 3 个字符"),
            (("has space", "expert"), {}, "不能含空格"),
            (("boss", "root"), {}, "角色必须是"),
            (("padmin", "province_admin"), {}, "需要 --province"),
            (("entuser", "enterprise"), {}, "需要 --enterprise"),
            (("entuser", "enterprise"), {"enterprise_id": 999}, "企业 999 不存在"),
            (("sys1", "system_admin"), {"province": "浙江"}, "此角色不按省份划分"),
            (("exp1", "expert"), {"enterprise_id": 1}, "只有企业用户"),
            (("bad\x00name", "expert"), {}, "不能包含空字符"),
        ]:
            with pytest.raises(ValueError, match=msg):
                accounts.create_user(*args, session=s, **kw)
        assert s.scalar(select(User.id)) is None
    new_user(Session)
    with Session.begin() as s:
        with pytest.raises(ValueError, match="已存在"):
            accounts.create_user("expert_a", "expert", session=s)


def test_lockout_after_repeated_failures(Session, settings):
    pw = new_user(Session)
    now = utcnow()
    for _ in range(2):
        with pytest.raises(accounts.LoginRefused) as exc:
            accounts.authenticate("expert_a", "wrong", Session=Session, settings=settings, now=now)
        assert exc.value.code == "credentials"
    with pytest.raises(accounts.LoginRefused, match="账户已锁定 10 分钟") as exc:
        accounts.authenticate("expert_a", "wrong", Session=Session, settings=settings, now=now)
    assert exc.value.code == "locked"
    with pytest.raises(accounts.LoginRefused, match="锁定至") as exc:  # even the right password, while locked
        accounts.authenticate("expert_a", pw, Session=Session, settings=settings, now=now + timedelta(minutes=9))
    assert exc.value.code == "locked"
    # after the lock runs out the right password works, and counting starts over
    later = now + timedelta(minutes=11)
    assert accounts.authenticate("expert_a", pw, Session=Session, settings=settings, now=later).username == "expert_a"
    with Session() as s:
        u = s.scalar(select(User).where(User.username == "expert_a"))
        assert u.failed_logins == 0 and u.locked_until is None
        actions = [a for a in s.scalars(select(AuditLog.action).where(AuditLog.actor == "expert_a").order_by(AuditLog.seq))]
        assert actions == ["login_failed", "login_failed", "login_locked", "login_failed", "login"]
    # an unknown user gets the same answer as a wrong password, and nothing is created
    with pytest.raises(accounts.LoginRefused, match="用户名或密码错误"):
        accounts.authenticate("nobody", "x", Session=Session, settings=settings)
    with pytest.raises(accounts.LoginRefused, match="用户名或密码错误"):
        accounts.authenticate("evil\x00\u202e", "x", Session=Session, settings=settings)


def test_reset_and_disable(Session, settings):
    pw = new_user(Session)
    with Session.begin() as s:
        new = accounts.reset_password("expert_a", session=s, actor="admin")
    assert new != pw
    with pytest.raises(accounts.LoginRefused):
        accounts.authenticate("expert_a", pw, Session=Session, settings=settings)
    p = accounts.authenticate("expert_a", new, Session=Session, settings=settings)
    token = accounts.start_session(p, Session=Session, settings=settings)
    with Session.begin() as s:
        accounts.set_disabled("expert_a", True, session=s, actor="admin")
    with pytest.raises(accounts.LoginRefused, match="已停用"):
        accounts.authenticate("expert_a", new, Session=Session, settings=settings)
    with pytest.raises(accounts.LoginRefused, match="过期"):
        accounts.resume_session(token, Session=Session, settings=settings)


def test_session_expiry(Session, settings, engine):
    pw = new_user(Session)
    p = accounts.authenticate("expert_a", pw, Session=Session, settings=settings)
    t0 = utcnow()
    token = accounts.start_session(p, Session=Session, settings=settings, now=t0)
    with Session() as s:  # only the token's hash is stored
        assert s.scalar(select(LoginSession.token_hash)) != token
    # used every 20 minutes it stays alive ... until the absolute limit of 8 hours
    t = t0
    for _ in range(20):
        t += timedelta(minutes=20)
        if t - t0 >= timedelta(hours=8):
            break
        assert accounts.resume_session(token, Session=Session, settings=settings, now=t).username == "expert_a"
    with pytest.raises(accounts.LoginRefused, match="登录已过期") as exc:
        accounts.resume_session(token, Session=Session, settings=settings, now=t0 + timedelta(hours=8, minutes=1))
    assert exc.value.code == "expired"
    # idle too long
    token2 = accounts.start_session(p, Session=Session, settings=settings, now=t0)
    with pytest.raises(accounts.LoginRefused, match="登录已过期"):
        accounts.resume_session(token2, Session=Session, settings=settings, now=t0 + timedelta(minutes=31))
    with pytest.raises(accounts.LoginRefused):  # and it stays expired
        accounts.resume_session(token2, Session=Session, settings=settings, now=t0 + timedelta(minutes=1))
    # logout ends it for every app process: a second engine on the same database sees it ended
    token3 = accounts.start_session(p, Session=Session, settings=settings)
    from assessment.store.db import make_engine, session_factory

    # a second engine on the same database stands for another app process
    kw = {"connect_args": {"options": _search_path(engine)}} if engine.dialect.name == "postgresql" else {}
    other_engine = make_engine(engine.url.render_as_string(hide_password=False), **kw)
    other = session_factory(other_engine)
    assert accounts.resume_session(token3, Session=other, settings=settings).username == "expert_a"
    accounts.end_session(token3, Session=Session)
    with pytest.raises(accounts.LoginRefused):
        accounts.resume_session(token3, Session=other, settings=settings)
    other_engine.dispose()
    with pytest.raises(accounts.LoginRefused):
        accounts.resume_session("made-up", Session=Session, settings=settings)


def _search_path(engine) -> str:
    with engine.connect() as c:
        return f"-csearch_path={c.execute(text('select current_schema()')).scalar()}"


def _env(engine, tmp_path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SFA_DATABASE_URL")}
    env["SFA_DATA_DIR"] = str(tmp_path / "data")
    if engine.dialect.name == "postgresql":
        with engine.connect() as c:
            schema = c.execute(text("select current_schema()")).scalar()
        url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        env["DATABASE_URL"] = f"{url}?options=-csearch_path%3D{schema}"
    else:
        env["DATABASE_URL"] = engine.url.render_as_string(hide_password=False)
    return env


def cli(env, *args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "assessment", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_users_cli(engine, Session, tmp_path):
    build_world(Session)
    env = _env(engine, tmp_path)
    r = cli(env, "users", "add", "zj_admin2", "--role", "province_admin", "--province", "浙江")
    assert r.returncode == 0, r.stderr
    password = r.stdout.split("one-time password: ")[1].split()[0]
    assert "zj_admin2 (province_admin, 浙江)" in r.stdout and len(password) >= 16
    r = cli(env, "users", "add", "zj_admin3", "--role", "province_admin")
    assert r.returncode == 2 and r.stderr.startswith("error: ") and "--province" in r.stderr
    assert "Traceback" not in r.stderr
    r = cli(env, "users", "list")
    assert "zj_admin2  province_admin  浙江  must-change-password" in r.stdout
    r = cli(env, "users", "reset-password", "zj_admin2")
    assert r.returncode == 0 and password not in r.stdout
    r = cli(env, "users", "disable", "zj_admin2")
    assert r.returncode == 0
    r = cli(env, "users", "list", "--json")
    assert '"disabled": true' in r.stdout


# -- the identity provider (OIDC via st.login): configuration detection and the mapping to accounts -----------------


def test_oidc_configuration_is_detected_only_when_complete():
    from ui.auth import oidc_providers

    base = {"redirect_uri": "https://sfa.example.org/oauth2callback", "cookie_secret": "s" * 32}
    provider = {
        "client_id": "sfa",
        "client_secret": "x",
        "server_metadata_url": "https://idp.example.org/.well-known/openid-configuration",
    }
    assert oidc_providers({}) == []
    assert oidc_providers({"auth": {}}) == []
    assert oidc_providers({"auth": provider}) == []  # no redirect_uri / cookie_secret
    assert oidc_providers({"auth": {**base, **provider}}) == [None]  # the default provider
    assert oidc_providers({"auth": {**base, "gov": provider, "half": {"client_id": "y"}}}) == ["gov"]
    assert oidc_providers({"auth": {**base, "client_id": "sfa"}}) == []  # incomplete


def test_identity_maps_to_an_account_an_admin_created(Session, settings):
    one_time = new_user(Session, "Alice@Example.org", "province_admin", province="浙江")
    claims = {"email": "alice@example.org", "email_verified": True, "iss": "https://idp.example.org"}
    p = accounts.identity_login(claims, Session=Session)
    assert (p.username, p.role, p.province, p.must_change_password) == ("Alice@Example.org", "province_admin", "浙江", False)
    with pytest.raises(accounts.LoginRefused):  # the one-time password is void once the provider vouched for her
        accounts.authenticate("Alice@Example.org", one_time, Session=Session, settings=settings)
    token = accounts.start_session(p, Session=Session, settings=settings)
    assert accounts.resume_session(token, Session=Session, settings=settings).role == "province_admin"
    with Session() as s:
        row = s.scalars(select(AuditLog).where(AuditLog.action == "login").order_by(AuditLog.seq.desc())).first()
        assert row.detail["via"] == "oidc"


def test_unknown_unverified_or_disabled_identities_are_refused_and_nothing_is_created(Session, settings):
    new_user(Session, "bob@example.org", "expert")
    with Session() as s:
        before = s.scalar(select(text("count(*)")).select_from(User))
    for claims, code in (
        ({"email": "mallory@example.org", "email_verified": True}, "unknown_identity"),
        ({"email": "bob@example.org", "email_verified": False}, "unverified"),
        ({"sub": "123"}, "unknown_identity"),  # no e-mail claim at all
    ):
        with pytest.raises(accounts.LoginRefused) as exc:
            accounts.identity_login(claims, Session=Session)
        assert exc.value.code == code
    with Session.begin() as s:
        accounts.set_disabled("bob@example.org", True, session=s, actor="admin")
    with pytest.raises(accounts.LoginRefused) as exc:
        accounts.identity_login({"email": "bob@example.org"}, Session=Session)
    assert exc.value.code == "disabled"
    with Session() as s:
        assert s.scalar(select(text("count(*)")).select_from(User)) == before
        assert s.scalar(select(text("count(*)")).select_from(AuditLog).where(AuditLog.action == "login_failed")) == 4
