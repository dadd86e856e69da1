"""Loading typical-scenario catalogues (the model is :mod:`assessment.catalogue`)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from .catalogue import DIMENSIONS, Catalogue, CatalogueFile
from .editions import DEFAULT_ROOT, disk_cached, resolve
from .loader import Problem, check_unique, load_file, raise_if


@lru_cache(maxsize=16)
@disk_cached
def load_catalogue(edition: str, root: Path = DEFAULT_ROOT) -> Catalogue:
    resolve(edition, "scenarios", root)
    problems: list[Problem] = []
    label = f"criteria/{edition}/catalogue.yaml"
    data = load_file(root / edition / "catalogue.yaml", root, CatalogueFile, problems)
    if data is not None:
        if data.edition != edition:
            problems.append(Problem(label, "-", f"edition is {data.edition!r}, expected {edition!r}"))
        areas = {a.id for a in data.areas}
        links = {x.id for x in data.links}
        for kind, ids in (
            ("area", [a.id for a in data.areas]),
            ("link", [x.id for x in data.links]),
            ("scenario", [s.id for s in data.scenarios]),
        ):
            check_unique(label, f"{kind} id", ids, problems)
        for x in data.links:
            if x.area is not None and x.area not in areas:
                problems.append(Problem(label, x.id, f"area {x.area!r} is not defined"))
            if x.dimension not in DIMENSIONS:
                problems.append(Problem(label, x.id, f"dimension {x.dimension!r} is not one of {', '.join(DIMENSIONS)}"))
        for s in data.scenarios:
            if s.link not in links:
                problems.append(Problem(label, s.id, f"link {s.link!r} is not defined"))
            if s.dimension is not None and s.dimension not in DIMENSIONS:
                problems.append(Problem(label, s.id, f"dimension {s.dimension!r} is not one of {', '.join(DIMENSIONS)}"))
            if not s.id.startswith(edition.replace("scenarios/", "sg")):
                problems.append(Problem(label, s.id, f"id should start with {edition.replace('scenarios/', 'sg')}"))
    raise_if(problems)
    assert data is not None
    return Catalogue(edition, data)
