"""Typical-scenario catalogues (智能制造典型场景参考指引): links, scenarios and their dimensions (the model; loading is
:mod:`assessment.scenarios`)."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import Field

from .schema import Provenance, Strict

DIMENSIONS = ("factory_build", "research_design", "production_ops", "production_mgmt", "operations_mgmt")
DIMENSION_NAMES = {
    "factory_build": ("工厂建设", "Factory build"),
    "research_design": ("研发设计", "Research and design"),
    "production_ops": ("生产作业", "Production operations"),
    "production_mgmt": ("生产管理", "Production management"),
    "operations_mgmt": ("运营管理", "Operations management"),
}


class Area(Strict):
    id: str
    name_zh: str
    name_en: str


class Link(Strict):
    id: str
    area: str | None
    name_zh: str
    name_en: str
    dimension: str
    supply_chain: bool
    provenance: Provenance


class Scenario(Strict):
    id: str = Field(pattern=r"^sg\d{4}-[a-z0-9-]+$")
    number: int | None  # the guide's official number, where known
    link: str
    name_zh: str
    name_en: str
    dimension: str | None = None  # overrides the link's dimension
    aliases: list[str] = []
    provenance: Provenance


class CatalogueFile(Strict):
    edition: str
    dimensions_provenance: Provenance
    areas: list[Area]
    links: list[Link] = Field(min_length=1)
    scenarios: list[Scenario] = Field(min_length=1)


@dataclass(frozen=True, eq=False)
class Catalogue:
    id: str
    data: CatalogueFile

    @property
    def links(self) -> dict[str, Link]:
        return {x.id: x for x in self.data.links}

    @property
    def scenarios(self) -> dict[str, Scenario]:
        return {s.id: s for s in self.data.scenarios}

    def dimension_of(self, scenario_id: str) -> str:
        s = self.scenarios[scenario_id]
        return s.dimension or self.links[s.link].dimension

    def find(self, name: str) -> Scenario | None:
        """A scenario by id, Chinese name or alias."""
        for s in self.data.scenarios:
            if name in (s.id, s.name_zh) or name in s.aliases:
                return s
        return None

    def rows(self) -> list[dict]:
        links = self.links
        return [
            {
                "id": s.id,
                "number": s.number,
                "name": s.name_zh,
                "name_zh": s.name_zh,
                "name_en": s.name_en,
                "link": s.link,
                "link_name": links[s.link].name_zh,
                "dimension": self.dimension_of(s.id),
                "supply_chain": links[s.link].supply_chain,
                "aliases": s.aliases,
                "provenance": s.provenance.kind.value,
                "provenance_ref": s.provenance.ref,
            }
            for s in self.data.scenarios
        ]
