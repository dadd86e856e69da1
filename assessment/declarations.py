"""Loading declaration programmes, the KPI catalogue and size classes (the model and evaluation are
:mod:`assessment.programmes`)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from .editions import DEFAULT_ROOT, disk_cached, resolve
from .loader import Problem, check_unique, load_file, raise_if
from .programmes import Declarations, KpiFile, ProgrammesFile, SizesFile
from .rules import Kind, inherited_rules


@lru_cache(maxsize=8)
@disk_cached
def load_declarations(edition: str, root: Path = DEFAULT_ROOT) -> Declarations:
    resolve(edition, "declarations", root)
    problems: list[Problem] = []
    folder = root / edition
    data = load_file(folder / "programmes.yaml", root, ProgrammesFile, problems)
    kpis = load_file(folder / "kpis.yaml", root, KpiFile, problems)
    sizes = load_file(folder / "sizes.yaml", root, SizesFile, problems)
    plabel, klabel = f"criteria/{edition}/programmes.yaml", f"criteria/{edition}/kpis.yaml"
    if data is not None:
        ids = [p.id for p in data.programmes]
        check_unique(plabel, "programme id", ids, problems)
        rule_ids = [r.id for p in data.programmes for r in p.rules]
        check_unique(plabel, "rule id", rule_ids, problems)
        kpi_ids = {k.id for k in kpis.kpis} if kpis else set()
        for p in data.programmes:
            if p.inherits and p.inherits not in ids:
                problems.append(Problem(plabel, p.id, f"inherits unknown programme {p.inherits!r}"))
            else:
                try:
                    inherited_rules({x.id: x for x in data.programmes}, p.id)
                except ValueError as exc:
                    problems.append(Problem(plabel, p.id, str(exc)))
            if p.scenario_catalogue:
                try:
                    resolve(p.scenario_catalogue, "scenarios", root)
                except KeyError as exc:
                    problems.append(Problem(plabel, p.id, str(exc.args[0])))
            for r in p.rules:
                if r.replaces and r.replaces not in rule_ids:
                    problems.append(Problem(plabel, r.id, f"replaces unknown rule {r.replaces!r}"))
                if r.kind == Kind.kpis_present and kpis:
                    for k in r.value:
                        if k not in kpi_ids:
                            problems.append(Problem(plabel, r.id, f"unknown KPI {k!r}"))
                if r.kind == Kind.tier_met:
                    try:
                        assert r.edition is not None  # a tier_met rule names its edition (Rule._shape)
                        resolve(r.edition, "smart_factory", root)
                    except KeyError as exc:
                        problems.append(Problem(plabel, r.id, str(exc.args[0])))
    if kpis is not None:
        check_unique(klabel, "KPI id", [k.id for k in kpis.kpis], problems)
        if data is not None:
            pids = {p.id for p in data.programmes}
            for k in kpis.kpis:
                for pid in k.required_by:
                    if pid not in pids:
                        problems.append(Problem(klabel, k.id, f"required_by names unknown programme {pid!r}"))
    raise_if(problems)
    assert data is not None and kpis is not None and sizes is not None
    return Declarations(edition, data, kpis, sizes)
