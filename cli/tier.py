"""Command line, tier: the smart-factory tier a profile reaches, with reasons."""

from __future__ import annotations

import argparse
from pathlib import Path

from .common import criteria_root, print_json

_root, _print_json = criteria_root, print_json


def cmd_tier_evaluate(args) -> int:
    from assessment.engine import evaluate
    from assessment.explain import render_tiers
    from assessment.registry import editions_for, read_inputs

    inputs = read_inputs(Path(args.profile), root=_root(args))
    res = evaluate(inputs, editions_for(inputs, tier_edition=args.edition, root=_root(args))).tiers
    if args.json:
        _print_json(res.model_dump(mode="json"))
    else:
        print(render_tiers(res, root=_root(args)))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``tier`` commands to the top-level parser's sub-parsers."""
    t = sub.add_parser("tier", help="smart-factory tiers").add_subparsers(dest="cmd", required=True)
    x = t.add_parser("evaluate", help="the tier a profile reaches, with reasons")
    x.add_argument("profile")
    x.add_argument("--edition", help="tier edition (default: the profile's tier_edition)")
    x.add_argument("--json", action="store_true")
    x.set_defaults(func=cmd_tier_evaluate)
