"""Typed models of the criteria files (pydantic v2, strict: unknown keys are errors).

The models describe data only; scoring lives in :mod:`assessment.maturity`.
Numbers that take part in scoring (weights, grade values, thresholds) are kept as
exact fractions so that a score of exactly 0.8 is exactly 0.8.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from enum import Enum
from fractions import Fraction
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, field_validator


def _to_fraction(value: Any) -> Fraction:
    if isinstance(value, bool):
        raise ValueError("a number is needed, not a boolean")
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        return Fraction(str(value))
    if isinstance(value, str):
        try:
            return Fraction(value.strip())
        except (ValueError, ZeroDivisionError):
            raise ValueError(f"{value!r} is not a number or a fraction like '1/3'") from None
    raise ValueError(f"{value!r} is not a number")


def fraction_str(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


Exact = Annotated[Fraction, BeforeValidator(_to_fraction), PlainSerializer(fraction_str, return_type=str)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True, defer_build=True)  # built on first use


class ProvenanceKind(str, Enum):
    official = "official"  # clause text from a licensed copy, loaded locally; never shipped
    public_document = "public_document"  # a public official document (notice, plan, guide, form) or its reprint, cited by clause
    secondary = "secondary"  # our paraphrase of a public secondary source
    authored = "authored"  # our own statement from the level definitions and structure
    provisional = "provisional"  # an engineering default where nothing is known


class Confidence(str, Enum):
    high = "high"
    medium = "medium"
    low = "low"


class Provenance(Strict):
    kind: ProvenanceKind
    ref: str = Field(min_length=1)  # clause, notice, URL or reference file
    confidence: Confidence | None = None
    note: str | None = None


class IndustryType(str, Enum):
    discrete = "discrete"
    process = "process"


Id = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]


class Names(Strict):
    name_zh: str
    name_en: str


class IndustryName(Names):
    pass


class Level(Strict):
    n: int = Field(ge=1, le=5)
    id: Id
    name_zh: str
    name_en: str
    definition_zh: str
    definition_en: str
    provenance: Provenance


Weights = dict[IndustryType, Exact]


class Element(Strict):
    id: Id
    name_zh: str
    name_en: str
    weight: Weights
    provenance: Provenance


class Domain(Strict):
    id: Id
    element: Id | None = None
    name_zh: str
    name_en: str
    weight: Weights
    provenance: Provenance


class Subdomain(Strict):
    id: Id
    domain: Id
    name_zh: str
    name_en: str
    industry_types: list[IndustryType] = Field(min_length=1)
    weight: Weights
    structure_provenance: Provenance
    provenance: Provenance


class ModelFile(Strict):
    edition: str
    id_prefix: Id
    industry_types: dict[IndustryType, IndustryName]
    levels: list[Level] = Field(min_length=1)
    elements: list[Element]
    domains: list[Domain] = Field(min_length=1)
    subdomains: list[Subdomain] = Field(min_length=1)


class ReviewStatus(str, Enum):
    approved = "approved"  # the expert approves the statement as it is
    changes_requested = "changes_requested"  # the expert asks for a change (the comment says which)
    rejected = "rejected"  # the expert rejects the statement


_UNSAFE_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _iso_date(value: Any) -> Any:
    if isinstance(value, dt.date):  # an unquoted YAML date (never a datetime: that is a date with a time)
        if isinstance(value, dt.datetime):
            raise ValueError("a date YYYY-MM-DD is needed, not a date and time")
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a valid date") from None
    raise ValueError(f"{value!r} is not a date YYYY-MM-DD")


class Review(Strict):
    """A domain expert's verdict on a requirement (written by ``criteria review --import``)."""

    status: ReviewStatus
    by: str = Field(min_length=1, max_length=80)
    date: Annotated[dt.date, BeforeValidator(_iso_date)]
    comment: str | None = Field(default=None, max_length=2000)

    @field_validator("by", "comment")
    @classmethod
    def _plain_text(cls, v: str | None) -> str | None:
        if v is not None and _UNSAFE_TEXT.search(v):
            raise ValueError("contains a control or bidirectional-control character")
        if v is not None and not v.strip():
            raise ValueError("is empty")
        return v


class Requirement(Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+:[a-z0-9_]+:L[1-5]:\d{2}$")
    level: int = Field(ge=1, le=5)
    text_zh: str = Field(min_length=1)
    text_en: str = Field(min_length=1)
    evidence_zh: list[str] = Field(min_length=1)
    evidence_en: list[str] = Field(min_length=1)
    industry_types: list[IndustryType] | None = None  # default: those of the sub-domain
    provenance: Provenance
    withdrawn: bool = False
    review: Review | None = None  # the expert review record, if any (never on behalf of a real expert in shipped data)


class RequirementsFile(Strict):
    subdomain: Id
    requirements: list[Requirement] = Field(min_length=1)


class Grade(Strict):
    id: Literal["full", "largely", "partial", "none"]
    value: Exact
    name_zh: str
    name_en: str


class NotApplicable(Strict):
    answer: Literal["na"]
    rule: Literal["exclude"]
    provenance: Provenance


class NotAssessed(Strict):
    counts_as: Exact
    provenance: Provenance


class Band(Strict):
    level: int = Field(ge=1, le=5)
    min: Exact


class ScoringFile(Strict):
    edition: str
    grades: list[Grade] = Field(min_length=1)
    grades_provenance: Provenance
    not_applicable: NotApplicable
    not_assessed: NotAssessed
    threshold: Exact
    level_rule: Literal["band", "gate"]
    bands: list[Band] = Field(min_length=1)
    scoring_provenance: Provenance


class EditionEntry(Strict):
    kind: Literal["maturity", "smart_factory", "scenarios", "declarations"]
    title_zh: str
    title_en: str
    status: Literal["in_force", "draft", "superseded", "reference"]
    effective: str | None = None
    predecessor: str | None = None
    source: str


class EditionsFile(Strict):
    editions: dict[str, EditionEntry]


@dataclass(frozen=True, eq=False)  # hashed by identity (cached)
class MaturityEdition:
    """A validated maturity edition: structure, weights, requirements and scoring rules."""

    id: str
    entry: EditionEntry
    model: ModelFile
    scoring: ScoringFile
    requirements: tuple[Requirement, ...]
    req_subdomain: dict[str, str] = field(repr=False)  # requirement id -> sub-domain id

    # -- lookups -----------------------------------------------------------------
    @property
    def levels(self) -> tuple[Level, ...]:
        return tuple(sorted(self.model.levels, key=lambda lv: lv.n))

    @property
    def elements(self) -> dict[str, Element]:
        return {e.id: e for e in self.model.elements}

    @property
    def domains(self) -> dict[str, Domain]:
        return {d.id: d for d in self.model.domains}

    @property
    def subdomains(self) -> dict[str, Subdomain]:
        return {s.id: s for s in self.model.subdomains}

    @property
    def requirement_map(self) -> dict[str, Requirement]:
        return {r.id: r for r in self.requirements}

    def industry_types(self) -> list[str]:
        return [t.value for t in self.model.industry_types]

    def req_industries(self, req: Requirement) -> list[IndustryType]:
        if req.industry_types is not None:
            return list(req.industry_types)
        return list(self.subdomains[self.req_subdomain[req.id]].industry_types)

    def applicable_requirements(self, industry: str) -> list[Requirement]:
        it = IndustryType(industry)
        subs = self.subdomains
        return [
            r
            for r in self.requirements
            if not r.withdrawn and it in self.req_industries(r) and it in subs[self.req_subdomain[r.id]].industry_types
        ]

    def path(self, req_id: str) -> tuple[str | None, str, str]:
        """(element, domain, sub-domain) of a requirement."""
        sd = self.subdomains[self.req_subdomain[req_id]]
        dom = self.domains[sd.domain]
        return dom.element, dom.id, sd.id

    def grade_values(self) -> dict[str, Fraction]:
        return {g.id: g.value for g in self.scoring.grades}

    def provenance_counts(self) -> dict[str, int]:
        return dict(Counter(r.provenance.kind.value for r in self.requirements if not r.withdrawn))

    def review_counts(self) -> dict[str, int]:
        """Requirements by expert review status: approved, changes_requested, rejected and ``none`` (not reviewed)."""
        counts = Counter(r.review.status.value if r.review else "none" for r in self.requirements if not r.withdrawn)
        return {k: counts.get(k, 0) for k in ("approved", "changes_requested", "rejected", "none")}
