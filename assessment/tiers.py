"""Loading smart-factory tier editions (the model and evaluation are :mod:`assessment.tiering`)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from .catalogue import DIMENSIONS
from .editions import DEFAULT_ROOT, disk_cached, resolve
from .loader import Problem, check_unique, load_file, raise_if
from .profile import TIERS
from .rules import Kind, inherited_rules
from .tiering import TierEdition, TierFile


@lru_cache(maxsize=16)
@disk_cached
def load_tier_edition(edition: str, root: Path = DEFAULT_ROOT) -> TierEdition:
    resolve(edition, "smart_factory", root)
    problems: list[Problem] = []
    label = f"criteria/{edition}/tiers.yaml"
    data = load_file(root / edition / "tiers.yaml", root, TierFile, problems)
    if data is not None:
        if data.edition != edition:
            problems.append(Problem(label, "-", f"edition is {data.edition!r}, expected {edition!r}"))
        ids = [t.id for t in data.tiers]
        if sorted(ids, key=TIERS.index if set(ids) <= set(TIERS) else str) != ids or not set(ids) <= set(TIERS):
            problems.append(Problem(label, "tiers", f"tiers must be a subset of {', '.join(TIERS)} in that order"))
        tids = set(ids)
        all_rules = [r for t in data.tiers for r in t.rules]
        check_unique(label, "rule id", [r.id for r in all_rules], problems)
        rule_ids = {r.id for r in all_rules}
        for t in data.tiers:
            if t.inherits is not None and t.inherits not in tids:
                problems.append(Problem(label, t.id, f"inherits unknown tier {t.inherits!r}"))
            else:
                try:
                    inherited_rules({x.id: x for x in data.tiers}, t.id)
                except ValueError as exc:
                    problems.append(Problem(label, t.id, str(exc)))
            for r in t.rules:
                if r.replaces and r.replaces not in rule_ids:
                    problems.append(Problem(label, r.id, f"replaces unknown rule {r.replaces!r}"))
                if r.kind == Kind.dimensions:
                    for d in r.value:
                        if d not in DIMENSIONS:
                            problems.append(Problem(label, r.id, f"unknown dimension {d!r}"))
                if r.kind in (Kind.build_content, Kind.outcome) and r.value not in tids:
                    problems.append(Problem(label, r.id, f"{r.kind.value} names unknown tier {r.value!r}"))
        for b in data.build_content:
            if b.tier not in tids:
                problems.append(Problem(label, b.id, f"unknown tier {b.tier!r}"))
            if b.dimension not in DIMENSIONS:
                problems.append(Problem(label, b.id, f"unknown dimension {b.dimension!r}"))
        check_unique(label, "id", [b.id for b in data.build_content] + [o.id for o in data.outcomes], problems)
        for ref, what in ((data.scenario_catalogue, "scenarios"), (data.maturity_edition, "maturity")):
            try:
                resolve(ref, what, root)
            except KeyError as exc:
                problems.append(Problem(label, "-", str(exc.args[0])))
    raise_if(problems)
    assert data is not None
    return TierEdition(edition, data)
