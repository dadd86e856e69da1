"""Mappings between criteria editions, and re-scoring an assessment under another edition (issue 14).

A mapping is data (``criteria/mappings/*.yaml``), checked as strictly as the criteria: every entry names where it
comes from (``provenance``) and how sure it is (``confidence``); a correspondence that is an inference says so.

Maturity mappings work by sub-domain: an entry maps a sub-domain of the old edition to one or more of the new one,
requirement by requirement (``by: position``: same level and number) or cell by cell (``by: cell``: every requirement
of the same level in the new sub-domain). ``requirements`` entries override single requirements. A new-edition
requirement fed by several old ones takes the lowest of their grades (``combine: min``, conservative); N/A carries
over only when every source is N/A; a requirement with no source is new and starts not assessed.

The impact reports say how each new-edition requirement got its grade (``basis``): ``one_to_one`` when it is mapped
requirement by requirement (by position or by a ``requirements`` entry), ``level`` when it only inherits the grades of
its sub-domain's level cell in the old edition (``by: cell``: a default for the whole cell, not a correspondence of
this statement), ``new`` when nothing feeds it. A rewritten edition mapped cell by cell (``maturity/2020`` →
``maturity/2020-r2``) has no new requirement but no one-to-one one either: every grade is inherited from the level.

Tier mappings pair rules: by default a rule maps to the rule with the same tier and name in the other edition
(``rule_match: same_name``); ``rules`` entries state the exceptions (removed, renamed, new).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import ConfigDict, Field

from .answers import NA, Answers
from .editions import DEFAULT_ROOT, load_maturity_cached, load_registry
from .loader import CriteriaError, Problem, check_unique, load_file, raise_if
from .maturity import score
from .registry import evaluate_profile
from .schema import Provenance, Strict
from .tiers import load_tier_edition

Relation = Literal["same", "reworded", "renamed", "split", "merged", "related", "removed"]


class _Aliased(Strict):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class SubdomainMap(_Aliased):
    from_: str = Field(alias="from")
    to: list[str]
    by: Literal["position", "cell"]
    relation: Relation
    provenance: Provenance


class RequirementMap(_Aliased):
    from_: str = Field(alias="from")
    to: list[str]
    relation: Relation
    provenance: Provenance


class NewItem(Strict):
    id: str
    provenance: Provenance


class RuleMap(_Aliased):
    from_: str | None = Field(alias="from")
    to: str | None
    relation: Relation
    provenance: Provenance


class MappingFile(_Aliased):
    kind: Literal["maturity", "smart_factory"]
    from_: str = Field(alias="from")
    to: str
    provenance: Provenance
    combine: Literal["min"] | None = None
    subdomains: list[SubdomainMap] = []
    requirements: list[RequirementMap] = []
    new_subdomains: list[NewItem] = []
    rule_match: Literal["same_name"] | None = None
    rules: list[RuleMap] = []


@dataclass(frozen=True)
class Link:
    source: str
    target: str
    relation: str
    provenance: str
    confidence: str | None
    by: str = "position"  # position | cell | requirement (a ``requirements`` entry)


BASES = ("one_to_one", "level", "new")


def basis(links: list[Link]) -> str:
    """How a new-edition requirement is fed: ``one_to_one`` (by position or a requirement entry), ``level`` (only
    through a cell-wide ``by: cell`` default, or partly so) or ``new`` (no source)."""
    if not links:
        return "new"
    return "level" if any(x.by == "cell" for x in links) else "one_to_one"


@dataclass(frozen=True, eq=False)
class Mapping:
    data: MappingFile
    file: str

    @property
    def source(self) -> str:
        return self.data.from_

    @property
    def target(self) -> str:
        return self.data.to


def mappings_dir(root: Path) -> Path:
    return root / "mappings"


def _files(root: Path) -> list[Path]:
    d = mappings_dir(root)
    return sorted(d.glob("*.yaml")) if d.is_dir() else []


def _local(rid: str) -> tuple[str, int, int]:
    _, sub, lv, num = rid.split(":")
    return sub, int(lv[1:]), int(num)


def _check(m: MappingFile, label: str, root: Path, problems: list[Problem]) -> None:
    reg = load_registry(root)
    for eid in (m.from_, m.to):
        if eid not in reg:
            problems.append(Problem(label, eid, "unknown edition"))
        elif reg[eid].kind != m.kind:
            problems.append(Problem(label, eid, f"is a {reg[eid].kind} edition, not {m.kind}"))
    if any(p.file == label for p in problems):
        return
    if m.kind == "maturity":
        a, b = load_maturity_cached(m.from_, root), load_maturity_cached(m.to, root)
        if m.rules or m.rule_match:
            problems.append(Problem(label, "-", "rules belong to smart_factory mappings"))
        if m.combine is None:
            problems.append(Problem(label, "-", "combine: min is required for maturity mappings"))
        check_unique(label, "sub-domain mapping", [e.from_ for e in m.subdomains], problems)
        for e in m.subdomains:
            if e.from_ not in a.subdomains:
                problems.append(Problem(label, e.from_, f"not a sub-domain of {a.id}"))
            for t in e.to:
                if t not in b.subdomains:
                    problems.append(Problem(label, e.from_, f"maps to {t!r}, not a sub-domain of {b.id}"))
            if not e.to and e.relation != "removed":
                problems.append(Problem(label, e.from_, "maps to nothing: say relation: removed"))
        check_unique(label, "requirement mapping", [e.from_ for e in m.requirements], problems)
        for rq in m.requirements:
            if rq.from_ not in a.requirement_map:
                problems.append(Problem(label, rq.from_, f"not a requirement of {a.id}"))
            for t in rq.to:
                if t not in b.requirement_map:
                    problems.append(Problem(label, rq.from_, f"maps to {t!r}, not a requirement of {b.id}"))
        mapped_to = {t for e in m.subdomains for t in e.to}
        for n in m.new_subdomains:
            if n.id not in b.subdomains:
                problems.append(Problem(label, n.id, f"new_subdomains: not a sub-domain of {b.id}"))
            elif n.id in mapped_to:
                problems.append(Problem(label, n.id, "new_subdomains: but a sub-domain maps to it"))
        stated = {e.from_ for e in m.subdomains}
        for sid in a.subdomains:
            if sid not in stated:
                problems.append(Problem(label, sid, "sub-domain of the old edition is not mapped (map it or say removed)"))
        for sid in b.subdomains:
            if sid not in mapped_to and sid not in {n.id for n in m.new_subdomains}:
                problems.append(Problem(label, sid, "sub-domain of the new edition is neither mapped to nor listed as new"))
    else:
        if m.subdomains or m.requirements or m.new_subdomains or m.combine:
            problems.append(Problem(label, "-", "sub-domains and requirements belong to maturity mappings"))
        ra = {r["id"] for r in load_tier_edition(m.from_, root).rows()}
        rb = {r["id"] for r in load_tier_edition(m.to, root).rows()}
        for ru in m.rules:
            if ru.from_ is not None and ru.from_ not in ra:
                problems.append(Problem(label, ru.from_, f"not a rule of {m.from_}"))
            if ru.to is not None and ru.to not in rb:
                problems.append(Problem(label, ru.to, f"not a rule of {m.to}"))
            if ru.from_ is None and ru.to is None:
                problems.append(Problem(label, "-", "a rule entry needs from or to"))
        check_unique(label, "rule mapping", [e.from_ for e in m.rules if e.from_], problems)


@lru_cache(maxsize=16)
def load_mappings(root: Path = DEFAULT_ROOT) -> tuple[Mapping, ...]:
    problems: list[Problem] = []
    out = []
    for path in _files(root):
        label = f"criteria/mappings/{path.name}"
        before = len(problems)
        data = load_file(path, root, MappingFile, problems)
        if data is None:
            continue
        try:
            _check(data, label, root, problems)
        except CriteriaError as exc:
            problems.extend(exc.problems)
        if len(problems) == before:
            out.append(Mapping(data, label))
    pairs = [(m.source, m.target) for m in out]
    check_unique("criteria/mappings", "mapping", [f"{a} -> {b}" for a, b in pairs], problems)
    raise_if(problems)
    return tuple(out)


def check_mappings(root: Path = DEFAULT_ROOT) -> list[Problem]:
    try:
        load_mappings.cache_clear()
        load_mappings(root)
    except CriteriaError as exc:
        return exc.problems
    return []


def find_mapping(source: str, target: str, root: Path = DEFAULT_ROOT) -> Mapping | None:
    for m in load_mappings(root):
        if m.source == source and m.target == target:
            return m
    return None


def _prov(p: Provenance) -> tuple[str, str | None]:
    return p.kind.value, p.confidence.value if p.confidence else None


def requirement_links(m: Mapping, root: Path = DEFAULT_ROOT) -> list[Link]:
    """Every (old requirement -> new requirement) pair the mapping states, explicit entries first."""
    a, b = load_maturity_cached(m.source, root), load_maturity_cached(m.target, root)
    by_cell: dict[tuple[str, int], list[str]] = {}
    for r in b.requirements:
        if not r.withdrawn:
            by_cell.setdefault((b.req_subdomain[r.id], r.level), []).append(r.id)
    explicit = {e.from_: e for e in m.data.requirements}
    links: list[Link] = []
    for e in m.data.subdomains:
        for r in a.requirements:
            if r.withdrawn or a.req_subdomain[r.id] != e.from_ or r.id in explicit:
                continue
            _, level, num = _local(r.id)
            for t in e.to:
                cell = by_cell.get((t, level), [])
                targets = cell if e.by == "cell" else [x for x in cell if _local(x)[2] == num]
                kind, conf = _prov(e.provenance)
                links += [Link(r.id, x, e.relation, kind, conf, e.by) for x in targets]
    for rq in m.data.requirements:
        kind, conf = _prov(rq.provenance)
        links += [Link(rq.from_, t, rq.relation, kind, conf, "requirement") for t in rq.to]
    return links


# -- re-scoring ---------------------------------------------------------------------------------------------------


def map_answers(answers: Answers, m: Mapping, root: Path = DEFAULT_ROOT) -> tuple[Answers, dict]:
    """The answers carried to the new edition, and what happened to every requirement."""
    a, b = load_maturity_cached(m.source, root), load_maturity_cached(m.target, root)
    if answers.edition != a.id:
        raise ValueError(f"answers are for {answers.edition}, the mapping starts at {a.id}")
    if answers.industry not in b.industry_types():
        raise ValueError(f"{b.id} has no {answers.industry} industry type")
    app_a = {r.id for r in a.applicable_requirements(answers.industry)}
    app_b = {r.id for r in b.applicable_requirements(answers.industry)}
    values = a.grade_values()
    by_value = {v: g for g, v in b.grade_values().items()}
    sources: dict[str, list[Link]] = {}
    mapped_from: dict[str, list[str]] = {}
    for link in requirement_links(m, root):
        if link.source in app_a and link.target in app_b:
            sources.setdefault(link.target, []).append(link)
            mapped_from.setdefault(link.source, []).append(link.target)
    grades: dict[str, str] = {}
    carried = []
    for rid in sorted(app_b):
        links = sources.get(rid, [])
        got = [answers.grades.get(x.source) for x in links]
        numeric = [values[g] for g in got if g not in (None, NA)]
        if numeric:
            low = min(numeric)
            grades[rid] = by_value.get(low) or max(
                (g for v, g in by_value.items() if v <= low), key=lambda g: b.grade_values()[g]
            )
        elif got and all(g == NA for g in got):
            grades[rid] = NA
        if links:
            carried.append(
                {
                    "id": rid,
                    "basis": basis(links),
                    "from": [x.source for x in links],
                    "grade": grades.get(rid),
                    "relation": sorted({x.relation for x in links}),
                    "provenance": sorted({x.provenance for x in links}),
                    "confidence": sorted({x.confidence or "none" for x in links}),
                }
            )
    report = {
        "maps": carried,
        "does_not_map": sorted(r for r in app_a if r not in mapped_from),
        "new": sorted(r for r in app_b if r not in sources),
    }
    return Answers(b.id, answers.industry, grades), report


def _sub_weights(res) -> dict[str, dict[str, float | None]]:
    return {s.id: s.weights for s in res.subdomains}


def rescore(answers: Answers, to: str, *, root: Path = DEFAULT_ROOT, profile=None) -> dict:
    """Impact of moving an assessment to edition ``to``: what maps, what does not, what is new, weights that moved
    and whether the level (and, with a profile, the tier) changes."""

    m = find_mapping(answers.edition, to, root)
    if m is None:
        known = ", ".join(f"{x.source} → {x.target}" for x in load_mappings(root)) or "none"
        raise KeyError(f"no mapping from {answers.edition} to {to} (mappings: {known})")
    a, b = load_maturity_cached(m.source, root), load_maturity_cached(m.target, root)
    new_answers, report = map_answers(answers, m, root)
    before, after = score(answers, a), score(new_answers, b)
    wa, wb = _sub_weights(before), _sub_weights(after)
    moved = []
    for e in m.data.subdomains:
        for t in e.to:
            if e.from_ in wa and t in wb:
                per = {int(n): (wa[e.from_].get(n), wb[t].get(n)) for n in wb[t]}
                per = {n: v for n, v in per.items() if v[0] is not None and v[1] is not None and abs(v[0] - v[1]) > 1e-9}
                if per:
                    moved.append(
                        {
                            "from": e.from_,
                            "to": t,
                            "relation": e.relation,
                            "levels": {str(n): {"weight_from": x, "weight_to": y} for n, (x, y) in per.items()},
                        }
                    )
    out = {
        "from": a.id,
        "to": b.id,
        "industry": answers.industry,
        "mapping": {
            "file": m.file,
            "provenance": m.data.provenance.kind.value,
            "confidence": m.data.provenance.confidence.value if m.data.provenance.confidence else None,
            "ref": m.data.provenance.ref,
            "note": m.data.provenance.note,
            "combine": m.data.combine,
        },
        "counts": {
            "maps": len(report["maps"]),
            "one_to_one": sum(1 for x in report["maps"] if x["basis"] == "one_to_one"),
            "inherited_from_level": sum(1 for x in report["maps"] if x["basis"] == "level"),
            "does_not_map": len(report["does_not_map"]),
            "new": len(report["new"]),
        },
        **report,
        "weights_moved": moved,
        "before": {
            "score": before.score,
            "level": before.level,
            "level_scores": before.level_scores,
            "complete": before.complete,
        },
        "after": {
            "score": after.score,
            "level": after.level,
            "level_scores": after.level_scores,
            "complete": after.complete,
            "not_assessed": after.not_assessed,
        },
        "level_change": after.level - before.level,
        "answers": {"edition": b.id, "industry": answers.industry, "answers": dict(new_answers.grades)},
    }
    if profile is not None:
        out["tier"] = _tier_change(profile, new_answers, root)
    return out


def _tier_change(profile, new_answers: Answers, root: Path) -> dict:
    before = evaluate_profile(profile, root=root).tiers.tier
    m = profile.maturity.model_copy(
        update={
            "answers": dict(new_answers.grades),
            "answers_file": None,
            "edition": new_answers.edition,
            "industry": new_answers.industry,
            "certified_level": None,
        }
    )
    after = evaluate_profile(profile.model_copy(update={"maturity": m}), root=root).tiers.tier
    return {"edition": profile.tier_edition, "before": before, "after": after, "changed": before != after}


def retier(profile, to: str, *, root: Path = DEFAULT_ROOT) -> dict:
    """A profile's tier under another tier edition, with the rule mapping."""
    if profile.tier_edition == to:
        raise KeyError(f"the profile is already on {to} (its tier_edition)")
    m = find_mapping(profile.tier_edition, to, root)
    if m is None:
        raise KeyError(f"no mapping from {profile.tier_edition} to {to}")
    before = evaluate_profile(profile, tier_edition=m.source, root=root).tiers
    after = evaluate_profile(profile, tier_edition=m.target, root=root).tiers
    pairs = rule_pairs(m, root)
    return {
        "from": m.source,
        "to": m.target,
        "mapping": {"file": m.file, "provenance": m.data.provenance.kind.value},
        "rules": pairs,
        "before": before.tier,
        "after": after.tier,
        "changed": before.tier != after.tier,
        "after_reasons": {k: [c.rule for c in v.reasons] for k, v in after.tiers.items()},
    }


def rule_pairs(m: Mapping, root: Path = DEFAULT_ROOT) -> dict:

    ra = {r["id"]: r for r in load_tier_edition(m.source, root).rows()}
    rb = {r["id"]: r for r in load_tier_edition(m.target, root).rows()}
    explicit_from = {e.from_: e for e in m.data.rules if e.from_}
    explicit_to = {e.to for e in m.data.rules if e.to}
    pa = m.source.split("/")[1]
    pb = m.target.split("/")[1]
    maps, gone, changed = [], [], []
    mapped_to = set()
    for rid, r in ra.items():
        if rid in explicit_from:
            e = explicit_from[rid]
            target = e.to
        elif m.data.rule_match == "same_name":
            cand = rid.replace(f"sf{pa}.", f"sf{pb}.", 1)
            target = cand if cand in rb and cand not in explicit_to else None
        else:
            target = None
        if target is None:
            gone.append(rid)
            continue
        mapped_to.add(target)
        y = rb[target]
        diff = [f for f in ("kind", "value", "gating") if r[f] != y[f]]
        maps.append({"from": rid, "to": target, "changed": diff})
        if diff:
            changed.append(
                {"from": rid, "to": target, "fields": diff, "before": {f: r[f] for f in diff}, "after": {f: y[f] for f in diff}}
            )
    new = sorted(set(rb) - mapped_to)
    return {"maps": maps, "does_not_map": sorted(gone), "new": new, "changed": changed}


def mapping_summary(source: str, target: str, root: Path = DEFAULT_ROOT) -> dict | None:
    """What ``criteria diff`` shows of a mapping between two editions (None when there is none)."""
    m = find_mapping(source, target, root)
    if m is None:
        return None
    head = {
        "file": m.file,
        "provenance": m.data.provenance.kind.value,
        "confidence": m.data.provenance.confidence.value if m.data.provenance.confidence else None,
        "ref": m.data.provenance.ref,
        "note": m.data.provenance.note,
    }
    if m.data.kind == "smart_factory":
        return {**head, **rule_pairs(m, root)}
    links = requirement_links(m, root)
    a, b = load_maturity_cached(m.source, root), load_maturity_cached(m.target, root)
    src = {x.source for x in links}
    tgt = {x.target for x in links}
    fed: dict[str, list[Link]] = {}
    for x in links:
        fed.setdefault(x.target, []).append(x)
    live_b = [r.id for r in b.requirements if not r.withdrawn]
    bases = [basis(fed.get(rid, [])) for rid in live_b]
    return {
        **head,
        "combine": m.data.combine,
        "subdomains": [
            {
                "from": e.from_,
                "to": e.to,
                "by": e.by,
                "relation": e.relation,
                "provenance": e.provenance.kind.value,
                "confidence": e.provenance.confidence.value if e.provenance.confidence else None,
                "note": e.provenance.note,
            }
            for e in m.data.subdomains
        ],
        "new_subdomains": [n.id for n in m.data.new_subdomains],
        "requirements": {
            "links": len(links),
            "maps": len(src),
            "does_not_map": len([r for r in a.requirements if not r.withdrawn and r.id not in src]),
            "new": len([r for r in b.requirements if not r.withdrawn and r.id not in tgt]),
            "target_total": len(live_b),
            "one_to_one": bases.count("one_to_one"),
            "inherited_from_level": bases.count("level"),
        },
    }


def render_rescore(r: dict) -> str:
    out = [
        f"{r['from']} → {r['to']}（{r['industry']}）",
        f"映射 Mapping: {r['mapping']['file']}（{r['mapping']['provenance']}, 置信度 confidence {r['mapping']['confidence']}）"
        + (f" — {r['mapping']['note']}" if r["mapping"]["note"] else ""),
        f"可映射 maps {r['counts']['maps']}（逐条对应 one-to-one {r['counts']['one_to_one']}，仅承接同级整格 inherited "
        f"from the level {r['counts']['inherited_from_level']}），不可映射 does not map {r['counts']['does_not_map']}，"
        f"新增 new {r['counts']['new']}（新增要求按未评计 0 / new requirements start not assessed）",
        f"总分 S {r['before']['score']:.2f} → {r['after']['score']:.2f}；等级 level {r['before']['level']} → {r['after']['level']}"
        + ("（不变 unchanged）" if r["level_change"] == 0 else f"（{r['level_change']:+d}）"),
    ]
    if "tier" in r:
        t = r["tier"]
        out.append(
            f"层级 Tier ({t['edition']}): {t['before']} → {t['after']}"
            + ("（变化 changed）" if t["changed"] else "（不变 unchanged）")
        )
    if r["weights_moved"]:
        out.append(f"\n权重变化 Weights moved ({len(r['weights_moved'])}):")
        for w in r["weights_moved"][:40]:
            pairs = {(round(v["weight_from"], 4), round(v["weight_to"], 4)) for v in w["levels"].values()}
            if len(pairs) == 1:
                x, y = pairs.pop()
                out.append(f"  L{','.join(w['levels'])} {w['from']} → {w['to']}: {x:.4f} → {y:.4f}（{w['relation']}）")
            else:
                for n, v in w["levels"].items():
                    out.append(
                        f"  L{n} {w['from']} → {w['to']}: {v['weight_from']:.4f} → {v['weight_to']:.4f}（{w['relation']}）"
                    )
    if r["does_not_map"]:
        out.append(
            f"\n不可映射 Does not map ({len(r['does_not_map'])}): "
            + ", ".join(r["does_not_map"][:20])
            + (" …" if len(r["does_not_map"]) > 20 else "")
        )
    if r["new"]:
        out.append(f"新增 New ({len(r['new'])}): " + ", ".join(r["new"][:20]) + (" …" if len(r["new"]) > 20 else ""))
    return "\n".join(out)


def render_mapping(source: str, target: str, s: dict) -> str:
    """The mapping part of ``criteria diff``."""
    out = [
        f"[mapping] {source} → {target}: {s['file']}（{s['provenance']}，置信度 confidence {s['confidence']}）"
        + (f" — {s['note']}" if s.get("note") else "")
    ]
    if "subdomains" in s:
        for e in s["subdomains"]:
            out.append(
                f"  {e['from']} → {', '.join(e['to']) or '—'}  [{e['relation']}, by {e['by']}; {e['provenance']}, "
                f"{e['confidence']}]"
            )
        for n in s["new_subdomains"]:
            out.append(f"  + {n}  [new]")
        r = s["requirements"]
        out.append(
            f"  requirements: {r['maps']} map, {r['does_not_map']} do not map, {r['new']} new "
            f"({r['links']} links; combine: {s['combine']})"
        )
        out.append(
            f"  of the {r['target_total']} requirements of {target}: {r['one_to_one']} mapped one-to-one, "
            f"{r['inherited_from_level']} inherited from the level (the old cell's lowest grade, by cell), {r['new']} new"
        )
    else:
        out.append(f"  rules: {len(s['maps'])} map, {len(s['does_not_map'])} do not map, {len(s['new'])} new")
        for c in s["changed"]:
            out.append(f"  ~ {c['from']} → {c['to']}: {c['before']} → {c['after']}")
        out += [f"  - {x}" for x in s["does_not_map"]] + [f"  + {x}" for x in s["new"]]
    return "\n".join(out)
