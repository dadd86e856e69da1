"""Command line, declare: declaration eligibility for each programme, with reasons."""

from __future__ import annotations

import argparse
from pathlib import Path

from .common import UsageError, criteria_root, print_json

_root, _print_json = criteria_root, print_json


def cmd_declare_check(args) -> int:
    from assessment.declarations import check_declarations, load_declarations
    from assessment.editions import DECLARATIONS_EDITION
    from assessment.explain import render_declarations
    from assessment.profile import read_profile

    profile = read_profile(Path(args.profile))
    decl = load_declarations(args.edition or DECLARATIONS_EDITION, _root(args))
    if args.programme and args.programme not in decl.programmes:
        raise UsageError(f"unknown programme {args.programme!r}; known: {', '.join(decl.programmes)}")
    res = check_declarations(profile, decl, programme=args.programme, root=_root(args))
    if args.json:
        _print_json(res.model_dump(mode="json"))
    else:
        print(render_declarations(res, root=_root(args)))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``declare`` commands to the top-level parser's sub-parsers."""
    d = sub.add_parser("declare", help="declaration eligibility").add_subparsers(dest="cmd", required=True)
    x = d.add_parser("check", help="eligibility for each programme, with reasons")
    x.add_argument("profile")
    x.add_argument("--programme")
    x.add_argument("--edition", help="declarations edition (default: the one new assessments record)")
    x.add_argument("--json", action="store_true")
    x.set_defaults(func=cmd_declare_check)
