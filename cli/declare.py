"""Command line, declare: declaration eligibility for each programme, with reasons."""

from __future__ import annotations

import argparse
from pathlib import Path

from .common import UsageError, criteria_root, print_json

_root, _print_json = criteria_root, print_json


def cmd_declare_check(args) -> int:
    from assessment.editions import DECLARATIONS_EDITION
    from assessment.engine import evaluate
    from assessment.explain import render_declarations
    from assessment.registry import editions_for, read_inputs

    inputs = read_inputs(Path(args.profile), root=_root(args))
    editions = editions_for(inputs, declarations=args.edition or DECLARATIONS_EDITION, root=_root(args))
    if args.programme and args.programme not in editions.declarations.programmes:
        raise UsageError(f"unknown programme {args.programme!r}; known: {', '.join(editions.declarations.programmes)}")
    res = evaluate(inputs, editions).declarations
    if args.programme:
        res = res.model_copy(update={"programmes": {args.programme: res.programmes[args.programme]}})
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
