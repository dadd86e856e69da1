"""Command line, audit: check the hash-chained audit trail."""

from __future__ import annotations

import argparse
import sys

from .common import database, print_json

_print_json, _db = print_json, database


def cmd_audit_verify(args) -> int:
    from assessment.store.chain import verify

    _, Session = _db()
    with Session() as s:
        report = verify(s)
    if args.json:
        _print_json(
            {
                "ok": report.ok,
                "entries": report.entries,
                "first_bad_id": report.first_bad_id,
                "first_bad_seq": report.first_bad_seq,
                "problem": report.problem,
            }
        )
    else:
        print(report.message(), file=sys.stdout if report.ok else sys.stderr)
    return 0 if report.ok else 1


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``audit`` commands to the top-level parser's sub-parsers."""
    a = sub.add_parser("audit", help="the hash-chained audit trail").add_subparsers(dest="cmd", required=True)
    x = a.add_parser("verify", help="check the chain; exit 1 and name the first bad entry when a row was edited or removed")
    x.add_argument("--json", action="store_true")
    x.set_defaults(func=cmd_audit_verify)
