"""The edition registry and the assembled maturity edition.

An edition is always resolved explicitly by id (``maturity/2020``); the id names the folder
under the criteria directory. Loading validates every file and every cross-reference and
raises :class:`~assessment.loader.CriteriaError` listing all problems at once.
"""

from __future__ import annotations

from collections import defaultdict
from fractions import Fraction
from functools import lru_cache, wraps
from pathlib import Path
from typing import Callable, TypeVar

from .loader import CriteriaError, Problem, cached, check_unique, load_file, raise_if
from .schema import (
    EditionEntry,
    EditionsFile,
    IndustryType,
    MaturityEdition,
    ModelFile,
    Requirement,
    RequirementsFile,
    ScoringFile,
    Subdomain,
)

DEFAULT_ROOT = Path(__file__).resolve().parent.parent / "criteria"
# the declarations edition a new assessment records (an assessment keeps the one it was created with), and the one the
# command line and the app use where no assessment says otherwise
DECLARATIONS_EDITION = "declarations/2021-2025"
T = TypeVar("T")


def load_registry(root: Path = DEFAULT_ROOT) -> dict[str, EditionEntry]:
    path = root / "editions.yaml"
    try:
        st = path.stat()
        stamp = (st.st_mtime_ns, st.st_size)
    except OSError:
        stamp = None
    return dict(_registry(root, stamp))


@lru_cache(maxsize=8)
def _registry(root: Path, stamp: tuple[int, int] | None) -> dict[str, EditionEntry]:
    """The registry, parsed once per version of editions.yaml (``stamp``: its mtime and size)."""
    problems: list[Problem] = []
    reg = load_file(root / "editions.yaml", root, EditionsFile, problems)
    raise_if(problems)
    assert reg is not None
    for eid, entry in reg.editions.items():
        if entry.predecessor and entry.predecessor not in reg.editions:
            problems.append(Problem("criteria/editions.yaml", eid, f"predecessor {entry.predecessor!r} is not a known edition"))
        if not (root / eid).is_dir():
            problems.append(Problem("criteria/editions.yaml", eid, f"folder criteria/{eid}/ does not exist"))
    raise_if(problems)
    return dict(reg.editions)


def resolve(edition: str, kind: str, root: Path = DEFAULT_ROOT) -> EditionEntry:
    reg = load_registry(root)
    if edition not in reg:
        known = ", ".join(k for k, v in reg.items() if v.kind == kind)
        raise KeyError(f"unknown edition {edition!r}; known {kind} editions: {known}")
    entry = reg[edition]
    if entry.kind != kind:
        raise KeyError(f"edition {edition!r} is a {entry.kind} edition, not a {kind} edition")
    return entry


def _check_weights(label: str, group: str, members: list, industries: list[IndustryType], problems: list[Problem]):
    for it in industries:
        applicable = [m for m in members if it in getattr(m, "industry_types", [it])]
        if not applicable:
            continue
        missing = [m.id for m in applicable if it not in m.weight]
        for mid in missing:
            problems.append(Problem(label, mid, f"no {it.value} weight, but it applies to {it.value}"))
        total = sum((m.weight.get(it, Fraction(0)) for m in applicable), Fraction(0))
        if not missing and total != 1:
            problems.append(Problem(label, group, f"{it.value} weights sum to {float(total):.4g}, not 1"))
        for m in applicable:
            w = m.weight.get(it)
            if w is not None and w <= 0:
                problems.append(
                    Problem(label, m.id, f"{it.value} weight must be positive (leave out an industry type that does not apply)")
                )


def _subtree_industries(sd_list: list[Subdomain]) -> set[IndustryType]:
    return {it for s in sd_list for it in s.industry_types}


def disk_cached(load: Callable[[str, Path], T]) -> Callable[[str, Path], T]:
    """Keep what ``load(edition, root)`` returns in the compiled-criteria cache (see :func:`loader.cached`), keyed by
    every criteria file: editions refer to one another (programmes to tiers and catalogues), so any change renews all."""

    @wraps(load)
    def cached_load(edition: str, root: Path = DEFAULT_ROOT) -> T:
        return cached(
            f"{load.__name__}-{edition}",
            sorted(Path(root).rglob("*.yaml")),
            lambda: load(edition, root),
            str(Path(root).resolve()),
        )

    return cached_load


@disk_cached
def load_maturity(edition: str, root: Path = DEFAULT_ROOT) -> MaturityEdition:
    entry = resolve(edition, "maturity", root)
    return _load_maturity_uncached(edition, entry, root)


@lru_cache(maxsize=16)
def load_maturity_cached(edition: str, root: Path = DEFAULT_ROOT) -> MaturityEdition:
    return load_maturity(edition, root)


def _load_maturity_uncached(edition: str, entry: EditionEntry, root: Path) -> MaturityEdition:
    folder = root / edition
    problems: list[Problem] = []
    model = load_file(folder / "model.yaml", root, ModelFile, problems)
    scoring = load_file(folder / "scoring.yaml", root, ScoringFile, problems)
    mlabel = f"criteria/{edition}/model.yaml"
    slabel = f"criteria/{edition}/scoring.yaml"

    reqs: list[Requirement] = []
    req_sd: dict[str, str] = {}
    req_label: dict[str, str] = {}
    req_dir = folder / "requirements"
    files = sorted(req_dir.glob("*.yaml")) if req_dir.is_dir() else []
    if not files:
        problems.append(Problem(f"criteria/{edition}/requirements", "-", "no requirement files found"))
    for path in files:
        label = f"criteria/{edition}/requirements/{path.name}"
        rf = load_file(path, root, RequirementsFile, problems)
        if rf is None:
            continue
        if path.stem != rf.subdomain:
            problems.append(Problem(label, rf.subdomain, f"file name should be {rf.subdomain}.yaml"))
        for r in rf.requirements:
            if r.id in req_sd:
                problems.append(Problem(label, r.id, f"duplicate requirement id (also in {req_label[r.id]})"))
                continue
            req_sd[r.id] = rf.subdomain
            req_label[r.id] = label
            reqs.append(r)

    if model is not None:
        if model.edition != edition:
            problems.append(Problem(mlabel, "-", f"edition is {model.edition!r}, expected {edition!r}"))
        for kind, items in (
            ("level", model.levels),
            ("element", model.elements),
            ("domain", model.domains),
            ("sub-domain", model.subdomains),
        ):
            check_unique(mlabel, f"{kind} id", [i.id for i in items], problems)
        ns = sorted(lv.n for lv in model.levels)
        if ns != list(range(1, len(ns) + 1)):
            problems.append(Problem(mlabel, "levels", f"levels must be numbered 1..n without gaps, got {ns}"))
        elements = {e.id: e for e in model.elements}
        domains = {d.id: d for d in model.domains}
        subs = {s.id: s for s in model.subdomains}
        declared = set(model.industry_types)
        for d in model.domains:
            if elements and d.element not in elements:
                problems.append(Problem(mlabel, d.id, f"element {d.element!r} is not defined"))
            if not elements and d.element is not None:
                problems.append(Problem(mlabel, d.id, f"element {d.element!r} given but the edition has no elements"))
        for s in model.subdomains:
            if s.domain not in domains:
                problems.append(Problem(mlabel, s.id, f"domain {s.domain!r} is not defined"))
            for it in s.industry_types:
                if it not in declared:
                    problems.append(Problem(mlabel, s.id, f"industry type {it.value!r} is not declared"))
        industries = sorted(declared, key=lambda t: t.value)
        # weights sum to 1 per group, over the members that apply to each industry type
        dom_subs = defaultdict(list)
        for s in model.subdomains:
            dom_subs[s.domain].append(s)
        for did, sl in dom_subs.items():
            _check_weights(mlabel, f"{did} (sub-domain weights)", sl, industries, problems)

        class _M:  # adapter giving a domain/element the industry types of its sub-tree
            def __init__(self, obj, its):
                self.id, self.weight, self.industry_types = obj.id, obj.weight, its

        if elements:
            el_doms = defaultdict(list)
            for d in model.domains:
                el_doms[d.element].append(_M(d, _subtree_industries(dom_subs[d.id])))
            for eid, dl in el_doms.items():
                _check_weights(mlabel, f"{eid} (domain weights)", dl, industries, problems)
            el_items = []
            for e in model.elements:
                its = set().union(*[set(m.industry_types) for m in el_doms.get(e.id, [])]) if el_doms.get(e.id) else set()
                el_items.append(_M(e, its))
            _check_weights(mlabel, "elements (element weights)", el_items, industries, problems)
        else:
            _check_weights(
                mlabel,
                "domains (domain weights)",
                [_M(d, _subtree_industries(dom_subs[d.id])) for d in model.domains],
                industries,
                problems,
            )
        for d in model.domains:
            if not dom_subs.get(d.id):
                problems.append(Problem(mlabel, d.id, "domain has no sub-domains"))
        for e in model.elements:
            if not any(d.element == e.id for d in model.domains):
                problems.append(Problem(mlabel, e.id, "element has no domains"))

        # requirements resolve, levels exist, ids carry the edition prefix, sub-domain and level
        level_ns = {lv.n for lv in model.levels}
        for r in reqs:
            label = req_label[r.id]
            sd = req_sd[r.id]
            if sd not in subs:
                problems.append(Problem(label, r.id, f"sub-domain {sd!r} is not defined in model.yaml"))
                continue
            prefix, id_sd, id_lv, _ = r.id.split(":")
            if prefix != model.id_prefix:
                problems.append(Problem(label, r.id, f"id prefix should be {model.id_prefix!r}"))
            if id_sd != sd:
                problems.append(Problem(label, r.id, f"id names sub-domain {id_sd!r} but the file is for {sd!r}"))
            if id_lv != f"L{r.level}":
                problems.append(Problem(label, r.id, f"id says {id_lv} but level is {r.level}"))
            if r.level not in level_ns:
                problems.append(Problem(label, r.id, f"level {r.level} is not defined"))
            for it in r.industry_types or []:
                if it not in subs[sd].industry_types:
                    problems.append(Problem(label, r.id, f"industry type {it.value!r} does not apply to sub-domain {sd!r}"))
            if r.provenance.kind.value == "official":
                problems.append(Problem(label, r.id, "official clause text must not be shipped; load it as a local pack"))
        # every level non-empty for each industry type; every sub-domain has requirements
        covered = {
            (it, r.level)
            for r in reqs
            if not r.withdrawn and req_sd[r.id] in subs
            for it in set(r.industry_types or subs[req_sd[r.id]].industry_types) & set(subs[req_sd[r.id]].industry_types)
        }
        for it in industries:
            for n in sorted(level_ns):
                if (it, n) not in covered:
                    problems.append(Problem(mlabel, f"L{n}", f"level {n} has no requirement for {it.value} industries"))
        have = set(req_sd.values())
        for s in model.subdomains:
            if s.id not in have:
                problems.append(Problem(mlabel, s.id, "sub-domain has no valid requirements file"))

    if scoring is not None:
        if scoring.edition != edition:
            problems.append(Problem(slabel, "-", f"edition is {scoring.edition!r}, expected {edition!r}"))
        ids = [g.id for g in scoring.grades]
        check_unique(slabel, "grade id", ids, problems)
        for g in scoring.grades:
            if not 0 <= g.value <= 1:
                problems.append(Problem(slabel, g.id, f"grade value {float(g.value)} is outside 0..1"))
        if not 0 < scoring.threshold <= 1:
            problems.append(Problem(slabel, "threshold", "threshold must be in (0, 1]"))
        mins = [b.min for b in scoring.bands]
        if mins != sorted(mins) or [b.level for b in scoring.bands] != sorted(b.level for b in scoring.bands):
            problems.append(Problem(slabel, "bands", "bands must rise with level"))

    raise_if(problems)
    assert model is not None and scoring is not None
    return MaturityEdition(id=edition, entry=entry, model=model, scoring=scoring, requirements=tuple(reqs), req_subdomain=req_sd)


def check_maturity_folder(folder: Path) -> list[Problem]:
    """Validate one maturity edition folder (model.yaml, scoring.yaml, requirements/) outside a registry."""
    folder = Path(folder).resolve()
    edition = f"{folder.parent.name}/{folder.name}"
    try:  # the edition the folder says it holds, so a copy anywhere checks the same
        import yaml

        declared = yaml.safe_load((folder / "model.yaml").read_text(encoding="utf-8")).get("edition")
        if isinstance(declared, str) and declared.count("/") == 1:
            edition = declared
    except Exception:  # noqa: BLE001 - an unreadable model.yaml is reported by the full check below
        pass
    entry = EditionEntry(kind="maturity", title_zh=edition, title_en=edition, status="reference", source=str(folder))
    try:
        if edition != f"{folder.parent.name}/{folder.name}":  # checked in a temporary layout named by the edition
            import shutil
            import tempfile

            with tempfile.TemporaryDirectory() as tmp:
                shutil.copytree(folder, Path(tmp) / edition)
                _load_maturity_uncached(edition, entry, Path(tmp))
        else:
            _load_maturity_uncached(edition, entry, folder.parent.parent)
    except CriteriaError as exc:
        return exc.problems
    return []
