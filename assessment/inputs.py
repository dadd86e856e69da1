"""The engine's input types that are not criteria: parsed self-assessment answers.

Parsing and reading them (files, editions by id) is :mod:`assessment.answers`, on the loading side.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

NA = "na"


@dataclass(frozen=True)
class Answers:
    edition: str
    industry: str
    # requirement id -> grade id ("full", "largely", "partial", "none") or "na"; missing = not assessed
    grades: Mapping[str, str] = field(default_factory=dict)
