"""Validation of every edition in a registry, each by its kind (``criteria check``)."""

from __future__ import annotations

from collections.abc import Callable
from inspect import unwrap
from pathlib import Path
from typing import Any

from .declarations import load_declarations
from .editions import DEFAULT_ROOT, load_maturity, load_registry
from .loader import CriteriaError, Problem
from .scenarios import load_catalogue
from .tiers import load_tier_edition

LOADERS: dict[str, Callable[[str, Path], Any]] = {
    "maturity": load_maturity,
    "scenarios": load_catalogue,
    "smart_factory": load_tier_edition,
    "declarations": load_declarations,
}


def check_all(root: Path = DEFAULT_ROOT) -> list[Problem]:
    """Validate every edition in the registry; return all problems (empty when all is well)."""
    try:
        reg = load_registry(root)
    except CriteriaError as exc:
        return exc.problems
    problems: list[Problem] = []
    for eid, entry in reg.items():
        try:
            unwrap(LOADERS[entry.kind])(eid, root)  # the loader itself: a check never reads or fills a cache
        except CriteriaError as exc:
            problems.extend(exc.problems)
    return problems
