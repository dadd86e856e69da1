"""Typed models of the criteria files (pydantic v2, strict: unknown keys are errors).

The models describe data only; scoring lives in :mod:`assessment.maturity`.
Numbers that take part in scoring (weights, grade values, thresholds) are kept as
exact fractions so that a score of exactly 0.8 is exactly 0.8.
"""

from __future__ import annotations

from enum import Enum
from fractions import Fraction
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer


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
