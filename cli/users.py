"""Command line, users: accounts for server mode (SFA_AUTH=required)."""

from __future__ import annotations

import argparse

from .common import database, print_json

_print_json, _db = print_json, database


def _cli_actor() -> str:
    import getpass

    try:
        return f"cli:{getpass.getuser()}"[:80]
    except Exception:  # noqa: BLE001 - no login name in this environment
        return "cli"


def cmd_users_add(args) -> int:
    from assessment.accounts import create_user

    _, Session = _db()
    with Session.begin() as s:
        user, password = create_user(
            args.name,
            args.role,
            session=s,
            province=args.province,
            enterprise_id=args.enterprise,
            display_name=args.display_name,
            actor=_cli_actor(),
        )
        line = (
            f"created {user.username} ({user.role}{', ' + user.province if user.province else ''}"
            f"{', enterprise ' + str(user.enterprise_id) if user.enterprise_id else ''})"
        )
    print(line)
    print(f"one-time password: {password}")
    print("一次性密码仅显示这一次，首次登录后必须修改 / shown only this once; it must be changed at the first login")
    return 0


def cmd_users_list(args) -> int:
    from assessment.accounts import list_users

    _, Session = _db()
    with Session() as s:
        rows = list_users(session=s)
    if args.json:
        _print_json(rows)
        return 0
    for r in rows:
        flags = [
            f
            for f, on in (
                ("locked", r["locked"]),
                ("disabled", r["disabled"]),
                ("must-change-password", r["must_change_password"]),
                ("no-password", not r["has_password"]),
            )
            if on
        ]
        scope = r["province"] or (f"enterprise {r['enterprise_id']}" if r["enterprise_id"] else "")
        print("  ".join(x for x in (r["username"], r["role"], scope, ",".join(flags)) if x))
    print(f"{len(rows)} 个用户 / users")
    return 0


def cmd_users_reset(args) -> int:
    from assessment.accounts import reset_password

    _, Session = _db()
    with Session.begin() as s:
        password = reset_password(args.name, session=s, actor=_cli_actor())
    print(f"one-time password for {args.name}: {password}")
    return 0


def cmd_users_disable(args) -> int:
    from assessment.accounts import set_disabled

    _, Session = _db()
    with Session.begin() as s:
        set_disabled(args.name, not args.enable, session=s, actor=_cli_actor())
    print(f"{'enabled' if args.enable else 'disabled'} {args.name}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``users`` commands to the top-level parser's sub-parsers."""
    u = sub.add_parser("users", help="accounts for server mode (SFA_AUTH=required)").add_subparsers(dest="cmd", required=True)
    x = u.add_parser("add", help="create an account and print its one-time password")
    x.add_argument("name")
    x.add_argument("--role", required=True, choices=["system_admin", "province_admin", "expert", "enterprise"])
    x.add_argument("--province", help="province admins (required) and experts (optional): the province served")
    x.add_argument("--enterprise", type=int, help="enterprise users: the enterprise's id")
    x.add_argument("--display-name")
    x.set_defaults(func=cmd_users_add)
    x = u.add_parser("list", help="every account with its role, scope and state")
    x.add_argument("--json", action="store_true")
    x.set_defaults(func=cmd_users_list)
    x = u.add_parser("reset-password", help="a new one-time password (also unlocks the account and ends its sessions)")
    x.add_argument("name")
    x.set_defaults(func=cmd_users_reset)
    x = u.add_parser("disable", help="disable an account (its sessions end); --enable to enable it again")
    x.add_argument("name")
    x.add_argument("--enable", action="store_true")
    x.set_defaults(func=cmd_users_disable)
