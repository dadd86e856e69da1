"""Local accounts (issue 12): argon2 password hashes (argon2-cffi), one-time passwords that must be changed at first
login, lockout after repeated failures, login sessions kept in the database (so every app process behind one
database shares them) with an idle and an absolute expiry.

Functions that count failures or start sessions take the session *factory* (``Session``) and commit on their own: a
refused login must still be counted even though the caller sees an exception. There are no default passwords: an
account without a password hash cannot log in.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta, timezone
from typing import overload

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from .access import ROLES, Principal, require
from .store.orm import Enterprise, LoginSession, User, utcnow
from .store.repository import audit
from .store.text import bad_character, check_text, column_length

PASSWORD_MIN = 10
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))  # verified against for unknown users: same time either way


class LoginRefused(PermissionError):
    """A login, a password change or a session refused; ``code`` says why (``credentials``, ``locked``, ``disabled``,
    ``expired``, ``weak_password``) and the message is one bilingual line."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@overload
def _aware(at: datetime) -> datetime: ...
@overload
def _aware(at: None) -> None: ...
@overload
def _aware(at: datetime | None) -> datetime | None: ...
def _aware(at: datetime | None) -> datetime | None:
    """SQLite gives back naive UTC datetimes, PostgreSQL aware ones."""
    if at is not None and at.tzinfo is None:
        return at.replace(tzinfo=timezone.utc)
    return at


def _hm(at: datetime) -> str:
    return at.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def one_time_password() -> str:
    return secrets.token_urlsafe(12)


def check_username(username: str) -> str:
    username = check_text(username, field="user.username", max_len=column_length(User.username), required=True)
    if any(ch.isspace() for ch in username) or len(username) < 3:
        raise ValueError("用户名至少 3 个字符且不能含空格 / the user name needs at least 3 characters and no spaces")
    return username


def create_user(
    username: str,
    role: str,
    *,
    session: Session,
    province: str | None = None,
    enterprise_id: int | None = None,
    display_name: str | None = None,
    actor: str | None = None,
) -> tuple[User, str]:
    """A new account with a one-time password (returned once, stored only as its argon2 hash; it must be changed at
    the first login). Province admins need a province, enterprise users an existing enterprise."""
    username = check_username(username)
    display_name = check_text(display_name, field="user.display_name", max_len=column_length(User.display_name))
    province = check_text(province, field="enterprise.province", max_len=column_length(User.province))
    if role not in ROLES:
        raise ValueError(f"角色必须是 {'、'.join(ROLES)} 之一 / the role must be one of {', '.join(ROLES)}")
    if role == "province_admin" and not province:
        raise ValueError("省级管理员需要 --province / a province admin needs --province")
    if role == "enterprise":
        if enterprise_id is None:
            raise ValueError("企业用户需要 --enterprise / an enterprise user needs --enterprise")
        if session.get(Enterprise, enterprise_id) is None:
            raise ValueError(f"企业 {enterprise_id} 不存在 / enterprise {enterprise_id} does not exist")
    elif enterprise_id is not None:
        raise ValueError("只有企业用户属于某个企业 / only an enterprise user belongs to an enterprise")
    if role in ("system_admin", "enterprise") and province:
        raise ValueError("此角色不按省份划分 / this role has no province")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise ValueError(f"用户名 {username} 已存在 / the user name {username} is taken")
    password = one_time_password()
    user = User(
        username=username,
        display_name=display_name or username,
        role=role,
        province=province,
        enterprise_id=enterprise_id,
        password_hash=_hasher.hash(password),
        must_change_password=True,
        password_changed_at=utcnow(),
    )
    session.add(user)
    session.flush()
    audit(
        session,
        actor,
        "create_user",
        "user",
        user.id,
        {"username": username, "role": role, "province": province, "enterprise": enterprise_id},
    )
    return user, password


def add_user(principal: Principal, username: str, role: str, *, session: Session, **kw) -> tuple[User, str]:
    """:func:`create_user` for a signed-in system administrator."""
    require(session, principal, "user.manage")
    return create_user(username, role, session=session, actor=principal.username, **kw)


def reset_password(username: str, *, session: Session, actor: str | None = None) -> str:
    """A new one-time password (the account is unlocked; every session of it ends)."""
    user = _user(session, username)
    password = one_time_password()
    user.password_hash, user.must_change_password = _hasher.hash(password), True
    user.failed_logins, user.locked_until, user.password_changed_at = 0, None, utcnow()
    _end_all(session, user.id)
    audit(session, actor, "reset_password", "user", user.id, {"username": username})
    return password


def set_disabled(username: str, disabled: bool, *, session: Session, actor: str | None = None) -> None:
    user = _user(session, username)
    user.disabled_at = utcnow() if disabled else None
    if disabled:
        _end_all(session, user.id)
    audit(session, actor, "disable_user" if disabled else "enable_user", "user", user.id, {"username": username})


def list_users(*, session: Session) -> list[dict]:
    now = utcnow()
    return [
        {
            "id": u.id,
            "username": u.username,
            "display_name": u.display_name,
            "role": u.role,
            "province": u.province,
            "enterprise_id": u.enterprise_id,
            "has_password": u.password_hash is not None,
            "must_change_password": bool(u.must_change_password),
            "disabled": u.disabled_at is not None,
            "locked": bool(u.locked_until and _aware(u.locked_until) > now),
            "last_login_at": _aware(u.last_login_at).isoformat() if u.last_login_at else None,
        }
        for u in session.scalars(select(User).order_by(User.username))
    ]


def _user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise LookupError(f"用户 {username} 不存在 / no user {username}")
    return user


def _end_all(session: Session, user_id: int) -> None:
    session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user_id, LoginSession.ended_at.is_(None))
        .values(ended_at=utcnow())
        .execution_options(synchronize_session=False)
    )


# -- login ------------------------------------------------------------------------------------------------------

_BAD_CREDENTIALS = "用户名或密码错误 / wrong user name or password"


def authenticate(username: str, password: str, *, Session: sessionmaker, settings, now: datetime | None = None) -> Principal:
    """The principal for a correct user name and password, or :class:`LoginRefused`. Every attempt is audited;
    ``settings.login_max_failures`` wrong passwords in a row lock the account for ``settings.lockout_minutes``.
    A principal with ``must_change_password`` may only change the password."""
    now = now or utcnow()
    name = (username or "").strip() if isinstance(username, str) else ""
    if bad_character(name) is not None:  # never store control characters typed into the login form
        name = name.encode("unicode_escape").decode("ascii")
    with Session.begin() as s:
        user = s.scalar(select(User).where(User.username == name)) if name else None
        if user is None or user.password_hash is None:
            _verify(_DUMMY_HASH, password)
            audit(s, name[:80] or None, "login_failed", "user", "-", {"username": name[:80], "reason": "unknown"})
            failure = LoginRefused("credentials", _BAD_CREDENTIALS)
        elif user.disabled_at is not None:
            audit(s, user.username, "login_failed", "user", user.id, {"reason": "disabled"})
            failure = LoginRefused("disabled", "账户已停用 / this account is disabled")
        elif user.locked_until is not None and _aware(user.locked_until) > now:
            audit(s, user.username, "login_failed", "user", user.id, {"reason": "locked"})
            failure = LoginRefused(
                "locked",
                f"登录失败次数过多，账户锁定至 {_hm(_aware(user.locked_until))} / too many failed "
                f"logins: the account is locked until {_hm(_aware(user.locked_until))}",
            )
        elif not _verify(user.password_hash, password):
            if user.locked_until is not None:  # a lock that ran out: counting starts over
                s.execute(
                    update(User)
                    .where(User.id == user.id)
                    .values(failed_logins=0, locked_until=None)
                    .execution_options(synchronize_session=False)
                )
            s.execute(
                update(User)
                .where(User.id == user.id)
                .values(failed_logins=User.failed_logins + 1)
                .execution_options(synchronize_session=False)
            )  # atomic: concurrent failures all count
            failures = s.scalar(select(User.failed_logins).where(User.id == user.id))
            locked = failures >= settings.login_max_failures
            if locked:
                s.execute(
                    update(User)
                    .where(User.id == user.id)
                    .values(locked_until=now + timedelta(minutes=settings.lockout_minutes))
                    .execution_options(synchronize_session=False)
                )
            audit(
                s,
                user.username,
                "login_locked" if locked else "login_failed",
                "user",
                user.id,
                {"reason": "password", "failures": failures},
            )
            failure = (
                LoginRefused(
                    "locked",
                    f"登录失败 {failures} 次，账户已锁定 {settings.lockout_minutes} 分钟 / {failures} "
                    f"failed logins: the account is locked for {settings.lockout_minutes} minutes",
                )
                if locked
                else LoginRefused("credentials", _BAD_CREDENTIALS)
            )
        else:
            failure = None
            if _hasher.check_needs_rehash(user.password_hash):
                user.password_hash = _hasher.hash(password)
            user.failed_logins, user.locked_until, user.last_login_at = 0, None, now
            audit(s, user.username, "login", "user", user.id, {})
            principal = Principal.from_user(user)
    if failure is not None:
        raise failure
    return principal


def _verify(hashed: str, password) -> bool:
    if not isinstance(password, str) or not password:
        return False
    try:
        return _hasher.verify(hashed, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def check_new_password(username: str, password) -> None:
    if not isinstance(password, str) or len(password) < PASSWORD_MIN:
        raise LoginRefused(
            "weak_password", f"新密码至少 {PASSWORD_MIN} 个字符 / the new password needs at least {PASSWORD_MIN} characters"
        )
    if password.strip() != password or any(ord(c) < 0x20 for c in password):
        raise LoginRefused(
            "weak_password",
            "密码不能以空格开头或结尾，也不能含控制字符 / the password must not start or end with "
            "a space or contain control characters",
        )
    if password.lower() == username.lower() or len(set(password)) < 4:
        raise LoginRefused("weak_password", "新密码太简单 / the new password is too simple")


def change_password(username: str, old_password: str, new_password: str, *, Session: sessionmaker, settings) -> None:
    """Change a password (the one-time password too): the old one must be right, the new one different and at
    least :data:`PASSWORD_MIN` characters. Wrong old passwords count towards the lockout."""
    principal = authenticate(username, old_password, Session=Session, settings=settings)
    check_new_password(principal.username, new_password)
    if new_password == old_password:
        raise LoginRefused("weak_password", "新密码不能与原密码相同 / the new password must differ from the old one")
    with Session.begin() as s:
        user = s.get(User, principal.user_id)
        user.password_hash, user.must_change_password, user.password_changed_at = _hasher.hash(new_password), False, utcnow()
        audit(s, user.username, "change_password", "user", user.id, {})


# -- sessions ---------------------------------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_session(principal: Principal, *, Session: sessionmaker, settings, now: datetime | None = None) -> str:
    """A new session token for a principal that just logged in (only its sha256 is stored)."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    with Session.begin() as s:
        s.add(
            LoginSession(
                token_hash=_token_hash(token),
                user_id=principal.user_id,
                created_at=now,
                last_seen_at=now,
                expires_at=now + timedelta(hours=settings.session_max_hours),
            )
        )
    return token


def resume_session(token: str, *, Session: sessionmaker, settings, now: datetime | None = None) -> Principal:
    """The principal of a live session (read afresh from the account), or :class:`LoginRefused` ``expired`` when the
    session ended, ran past ``session_max_hours``, was idle ``session_idle_minutes`` or its account was disabled."""
    now = now or utcnow()
    expired = LoginRefused("expired", "登录已过期，请重新登录 / the session has expired: log in again")
    if not isinstance(token, str) or not token:
        raise expired
    with Session.begin() as s:
        row = s.scalar(select(LoginSession).where(LoginSession.token_hash == _token_hash(token)))
        if row is None or row.ended_at is not None:
            raise expired
        user = s.get(User, row.user_id)
        idle = now - _aware(row.last_seen_at) > timedelta(minutes=settings.session_idle_minutes)
        if idle or now >= _aware(row.expires_at) or user is None or user.disabled_at is not None:
            row.ended_at = now
            audit(s, user.username if user else None, "session_expired", "user", row.user_id, {"idle": idle})
            result = None
        else:
            row.last_seen_at = now
            result = Principal.from_user(user)
    if result is None:
        raise expired
    return result


def end_session(token: str, *, Session: sessionmaker) -> None:
    """Log out: the token stops working in every app process."""
    with Session.begin() as s:
        row = s.scalar(select(LoginSession).where(LoginSession.token_hash == _token_hash(token or "")))
        if row is not None and row.ended_at is None:
            row.ended_at = utcnow()
            audit(s, None, "logout", "user", row.user_id, {})


# -- the deployment's identity provider (OIDC through Streamlit's st.login) ---------------------------------------


def identity_login(claims: dict, *, Session: sessionmaker, now: datetime | None = None) -> Principal:
    """The principal of an identity the provider has authenticated (OIDC claims, e.g. ``st.user``): the account whose
    user name is the identity's e-mail address (case-insensitive), created beforehand by a system administrator
    (``users add alice@example.org --role expert``). Nothing is created here, least of all a privileged account:
    an unknown, unverified (``email_verified`` false) or disabled identity is refused (:class:`LoginRefused`,
    audited). The first such login ends the account's one-time password (its local password cannot be used any
    more; ``users reset-password`` gives a new one)."""
    now = now or utcnow()
    email = claims.get("email") if isinstance(claims, dict) else None
    email = email.strip() if isinstance(email, str) else ""
    unknown = LoginRefused(
        "unknown_identity",
        f"身份 {email or '（无邮箱）'} 没有对应账户，请联系系统管理员 / no account for the identity "
        f"{email or '(no e-mail)'}: ask the system administrator",
    )
    with Session.begin() as s:
        if not email or bad_character(email) is not None or "@" not in email:
            audit(s, None, "login_failed", "user", "-", {"reason": "identity without e-mail", "issuer": claims.get("iss")})
            failure = unknown
        elif claims.get("email_verified") is False:
            audit(s, email[:80], "login_failed", "user", "-", {"reason": "e-mail not verified", "issuer": claims.get("iss")})
            failure = LoginRefused("unverified", "身份提供方未验证此邮箱 / the identity provider has not verified this e-mail")
        else:
            users = s.scalars(select(User).where(User.username.ilike(email))).all()
            user = next((u for u in users if u.username.lower() == email.lower()), None)
            if user is None:
                audit(s, email[:80], "login_failed", "user", "-", {"reason": "unknown identity", "issuer": claims.get("iss")})
                failure = unknown
            elif user.disabled_at is not None:
                audit(s, user.username, "login_failed", "user", user.id, {"reason": "disabled", "via": "oidc"})
                failure = LoginRefused("disabled", "账户已停用 / this account is disabled")
            else:
                failure = None
                if user.must_change_password:  # the IdP vouches for the person: the one-time password is void
                    user.password_hash = _hasher.hash(secrets.token_urlsafe(32))
                    user.must_change_password = False
                user.failed_logins, user.locked_until, user.last_login_at = 0, None, now
                audit(s, user.username, "login", "user", user.id, {"via": "oidc", "issuer": claims.get("iss")})
                principal = Principal.from_user(user)
    if failure is not None:
        raise failure
    return principal
