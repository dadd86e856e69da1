"""Command line: ``python -m assessment …`` or ``python -m cli …`` (a stable contract, documented in the README).

Exit codes: 0 success; 1 ``criteria check`` found problems; 2 bad input (one line on stderr). One module per command
group, each registering its sub-parsers; the commands import what they need when they run, so a command that only
reads criteria files starts without the database, the settings object or the report renderers.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, Callable

from . import audit, certificate, criteria, declare, maturity, planning, report, tier, users
from .common import UsageError


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m assessment", description="智能制造成熟度与智能工厂梯度评估 / maturity and smart-factory tier assessment"
    )
    p.add_argument("--criteria", help="criteria directory (default: the shipped criteria/)")
    sub = p.add_subparsers(dest="group", required=True)
    criteria.register(sub)
    maturity_group = maturity.register(sub)
    tier.register(sub)
    declare.register(sub)
    certificate.register(sub)
    report.register(sub)
    users.register(sub)
    audit.register(sub)
    planning.register(sub, maturity_group)  # issue 14: plan, maturity rescore, portfolio, demo population
    return p


def main(argv: list[str] | None = None) -> int:
    from assessment.answers import AnswersError
    from assessment.loader import CriteriaError
    from assessment.maturity import ScoringError

    args = build_parser().parse_args(argv)
    handler: Callable[[Any], int] = args.func
    try:
        return handler(args)
    except CriteriaError as exc:
        for p in exc.problems:
            print(p, file=sys.stderr)
        return 1
    except (UsageError, AnswersError, ScoringError, KeyError, LookupError) as exc:
        msg = exc.args[0] if exc.args else str(exc)
        print(f"error: {msg}", file=sys.stderr)
        return 2
    except (ValueError, OSError) as exc:  # profile errors, unreadable files and other one-line input problems
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
