"""Validation of non-maturity editions (tiers, scenarios, declarations), dispatched by kind."""

from __future__ import annotations

from pathlib import Path

from .loader import CriteriaError, Problem
from .schema import EditionEntry


def check_edition(edition: str, entry: EditionEntry, root: Path) -> None:
    if entry.kind == "scenarios":
        from .scenarios import load_catalogue

        load_catalogue(edition, root)
    elif entry.kind == "smart_factory":
        from .tiers import load_tier_edition

        load_tier_edition(edition, root)
    elif entry.kind == "declarations":
        from .declarations import load_declarations

        load_declarations(edition, root)
    else:  # pragma: no cover - the registry schema closes the set of kinds
        raise CriteriaError([Problem("criteria/editions.yaml", edition, f"unknown kind {entry.kind}")])
