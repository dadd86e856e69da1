"""Self-assessment answers: the input of the maturity engine.

An answers file is YAML or JSON::

    edition: maturity/2020
    industry: discrete            # discrete | process
    answers:
      gbt39116_2020:data:L1:01: 1     # 1 | 0.8 | 0.5 | 0 | na  (or full | largely | partial | none)
      gbt39116_2020:data:L1:02: na
      gbt39116_2020:data:L2:01: null  # not assessed yet (counts 0, result incomplete)

Every problem is raised as :class:`AnswersError` with a one-line message naming it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, Mapping

from .editions import DEFAULT_ROOT, MaturityEdition, load_maturity_cached
from .loader import CriteriaError, YamlError, parse_document, read_document

NA = "na"


class AnswersError(ValueError):
    """A bad answers file or value; the message is one line that names the problem."""


@dataclass(frozen=True)
class Answers:
    edition: str
    industry: str
    # requirement id -> grade id ("full", "largely", "partial", "none") or "na"; missing = not assessed
    grades: Mapping[str, str] = field(default_factory=dict)


_PLAIN_DECIMAL = re.compile(r"[+-]?\d{1,6}(\.\d{1,6})?")


def normalise_grade(value: Any, edition: MaturityEdition, req_id: str = "") -> str | None:
    """Map 1 / 0.8 / "0.5" / "full" / "na" / None to a grade id, "na" or None (not assessed)."""
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None
    by_id = {g.id: g for g in edition.scoring.grades}
    allowed = ", ".join([_fmt(g.value) for g in edition.scoring.grades] + [NA])
    where = f" for {req_id!r}" if req_id else ""
    if isinstance(value, str):
        v = value.strip().lower()
        if v in (NA, "n/a"):
            return NA
        if v in by_id:
            return v
        if not _PLAIN_DECIMAL.fullmatch(v):  # never hand Fraction an exponent or a thousand digits ("1e999999999" hangs it)
            raise AnswersError(f"grade {value[:40]!r}{where} is not one of {allowed}")
        num = Fraction(v)
    elif isinstance(value, bool):
        raise AnswersError(f"grade {value!r}{where} is not one of {allowed}")
    elif isinstance(value, (int, float)):
        if not (-1e6 < value < 1e6):  # also refuses inf and nan
            raise AnswersError(f"grade {str(value)[:40]}{where} is not one of {allowed}")
        num = Fraction(str(value))
    else:
        raise AnswersError(f"grade {value!r}{where} is not one of {allowed}")
    for g in edition.scoring.grades:
        if g.value == num:
            return g.id
    raise AnswersError(f"grade {_fmt(num)}{where} is not one of {allowed}")


def _fmt(x: Fraction) -> str:
    return f"{float(x):g}"


def parse_answers(data: Any, *, root: Path = DEFAULT_ROOT, source: str = "answers") -> tuple[Answers, MaturityEdition]:
    if not isinstance(data, dict):
        raise AnswersError(f"{source}: expected a mapping with edition, industry and answers")
    unknown = set(data) - {"edition", "industry", "answers", "meta"}
    if unknown:
        raise AnswersError(f"{source}: unknown field {sorted(unknown)[0]!r} (allowed: edition, industry, answers, meta)")
    for key in ("edition", "industry", "answers"):
        if key not in data:
            raise AnswersError(f"{source}: missing field {key!r}")
    edition_id = data["edition"]
    if not isinstance(edition_id, str):
        raise AnswersError(f"{source}: field 'edition' must be a string such as 'maturity/2020'")
    try:
        edition = load_maturity_cached(edition_id, root)
    except KeyError as exc:
        raise AnswersError(f"{source}: {exc.args[0]}") from None
    except CriteriaError as exc:
        raise AnswersError(f"{source}: the criteria of {edition_id} are invalid: {exc.problems[0]}") from None
    industry = data["industry"]
    if industry not in edition.industry_types():
        raise AnswersError(f"{source}: industry {industry!r} is not one of {', '.join(edition.industry_types())}")
    raw = data["answers"] or {}
    if not isinstance(raw, dict):
        raise AnswersError(f"{source}: field 'answers' must be a mapping of requirement id to grade")
    known = edition.requirement_map
    applicable = {r.id for r in edition.applicable_requirements(industry)}
    grades: dict[str, str] = {}
    for rid, value in raw.items():
        rid = str(rid)
        if rid not in known:
            raise AnswersError(f"{source}: unknown requirement id {rid!r} for {edition_id}")
        if rid not in applicable:
            raise AnswersError(f"{source}: requirement {rid!r} does not apply to {industry} industries in {edition_id}")
        try:
            g = normalise_grade(value, edition, rid)
        except AnswersError as exc:
            raise AnswersError(f"{source}: {exc}") from None
        if g is not None:
            grades[rid] = g
    return Answers(edition=edition_id, industry=industry, grades=grades), edition


def read_answers_file(path: Path, *, root: Path = DEFAULT_ROOT) -> tuple[Answers, MaturityEdition]:
    try:
        data = read_document(path)
    except YamlError as exc:
        raise AnswersError(str(exc)) from None
    return parse_answers(data, root=root, source=str(path))


def parse_text(text: str, name: str) -> Any:
    try:
        return parse_document(text, name)
    except YamlError as exc:
        raise AnswersError(str(exc)) from None


def template(edition: MaturityEdition, industry: str) -> dict:
    """A blank answers document listing every applicable requirement (all not assessed)."""
    return {
        "edition": edition.id,
        "industry": industry,
        "answers": {r.id: None for r in edition.applicable_requirements(industry)},
    }
