"""Specificity of maturity statements (issue 10): no noun-swapped templates, no boilerplate evidence.

Skeleton measure (a normalised template comparison, calibrated on maturity/2020):

1. Only statements of the same level and of DIFFERENT sub-domains are compared.
2. Both Chinese texts are normalised: the names of the two sub-domains (``name_zh`` from model.yaml,
   e.g. 数据, 采购) are deleted, and so are whitespace and punctuation.
3. ``difflib.SequenceMatcher`` (autojunk off) aligns the two texts. Its matching blocks of at least
   ``MIN_BLOCK`` characters are the shared skeleton; the unmatched stretches between them are the slots
   a template fills with the sub-domain's own nouns ("〈X〉数据实现电子化采集与存储").
4. similarity = skeleton characters / length of the SHORTER text. A noun-swapped template keeps its
   whole frame however long the slot is, so it scores near 1; two statements written for their own
   subject share only scattered words and score low. The plain ``ratio()`` (2 x matches / both lengths)
   falls as the slot grows: on maturity/2020 its templated share drifts from 0.915 to 0.78 between
   thresholds 0.5 and 0.7, so it has no stable threshold.
5. Two statements share a skeleton when the similarity is at least ``SKELETON_THRESHOLD``. A statement
   counts as templated when it shares a skeleton with at least one statement of another sub-domain.

Calibration on maturity/2020 (200 statements): the share of templated statements is 0.915 for every
threshold from 0.55 to 0.70 and falls off only above 0.75, so 0.60 sits in the middle of that plateau
(the issue counts "about 180 of 200"). maturity/2024-draft gives 0.952 (issue: about 236 of 250).

Evidence hints: an ``evidence_zh`` string repeated verbatim in three or more sub-domains is boilerplate.

Cells: every sub-domain x level keeps at least two requirements that apply to each industry type
(``industry_types`` of the requirement, else of the sub-domain).

The edition-level checks run for every rewritten edition (``REWRITTEN``: maturity/2020-r2 and
maturity/2024-draft-r2). While content is rewritten in parts, set ``CRITERIA_SPECIFICITY_SUBDOMAINS``
(comma-separated) to check only some sub-domains: a plain id (``data``) applies to every rewritten edition
that has it, ``EDITION:id`` (``maturity/2024-draft-r2:lean_management``) to that edition only; an edition
that no entry applies to has nothing checked. The statements in scope are still compared with every other
sub-domain of their edition. ``python tests/test_criteria_specificity.py EDITION [ids]`` prints the figures.
"""

from __future__ import annotations

import os
import re
import sys
from collections import defaultdict
from dataclasses import dataclass
from difflib import SequenceMatcher

import pytest
from paths import CRITERIA

from assessment.editions import MaturityEdition, load_maturity, load_maturity_cached

SKELETON_THRESHOLD = 0.60
MIN_BLOCK = 2
SHARE_TARGET = 0.10
EVIDENCE_MAX_SUBDOMAINS = 2
REWRITTEN = ("maturity/2020-r2", "maturity/2024-draft-r2")

_NOISE = re.compile(r"[\s，。、；：！？（）()“”‘’《》〈〉,.;:!?/\-—…·'\"]+")


@dataclass(frozen=True)
class Statement:
    id: str
    subdomain: str
    level: int
    text: str


def normalise(text: str, names: set[str]) -> str:
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, "")
    return _NOISE.sub("", text)


def skeleton_similarity(a: str, b: str) -> float:
    """Share of the shorter text covered by blocks (>= MIN_BLOCK chars) it has in common with the other."""
    if not a or not b:
        return 0.0
    sm = SequenceMatcher(None, a, b, autojunk=False)
    common = sum(m.size for m in sm.get_matching_blocks() if m.size >= MIN_BLOCK)
    return common / min(len(a), len(b))


def statements(ed: MaturityEdition) -> list[Statement]:
    return [Statement(r.id, ed.req_subdomain[r.id], r.level, r.text_zh) for r in ed.requirements if not r.withdrawn]


def best_partners(ed: MaturityEdition, scope: set[str] | None = None) -> dict[str, tuple[float, str | None]]:
    """For each statement in scope: its highest similarity to a statement of another sub-domain, same level."""
    names = {s.id: s.name_zh for s in ed.model.subdomains}
    every = statements(ed)
    by_level: dict[int, list[Statement]] = defaultdict(list)
    for s in every:
        by_level[s.level].append(s)
    out: dict[str, tuple[float, str | None]] = {}
    for s in every:
        if scope is not None and s.subdomain not in scope:
            continue
        best, who = 0.0, None
        for o in by_level[s.level]:
            if o.subdomain == s.subdomain:
                continue
            pair = {names[s.subdomain], names[o.subdomain]}
            sim = skeleton_similarity(normalise(s.text, pair), normalise(o.text, pair))
            if sim > best:
                best, who = sim, o.id
        out[s.id] = (best, who)
    return out


def skeleton_share(ed: MaturityEdition, scope: set[str] | None = None) -> tuple[float, list[tuple[str, str, float]]]:
    """(share of in-scope statements that share a skeleton, [(id, partner id, similarity)])."""
    best = best_partners(ed, scope)
    hits = sorted(((i, w, v) for i, (v, w) in best.items() if v >= SKELETON_THRESHOLD), key=lambda t: -t[2])
    return (len(hits) / len(best) if best else 0.0), hits


def repeated_evidence(ed: MaturityEdition, scope: set[str] | None = None) -> dict[str, set[str]]:
    """Evidence strings found in more than EVIDENCE_MAX_SUBDOMAINS sub-domains (at least one in scope)."""
    where: dict[str, set[str]] = defaultdict(set)
    for r in ed.requirements:
        if not r.withdrawn:
            for e in r.evidence_zh:
                where[e.strip()].add(ed.req_subdomain[r.id])
    return {e: sds for e, sds in where.items() if len(sds) > EVIDENCE_MAX_SUBDOMAINS and (scope is None or sds & scope)}


def thin_cells(ed: MaturityEdition, scope: set[str] | None = None) -> list[tuple[str, int, str, int]]:
    """(sub-domain, level, industry type, count) for every cell with fewer than two applicable requirements."""
    count: dict[tuple[str, int, str], int] = defaultdict(int)
    for r in ed.requirements:
        if not r.withdrawn:
            for it in ed.req_industries(r):
                count[(ed.req_subdomain[r.id], r.level, it.value)] += 1
    out = []
    for sd in ed.model.subdomains:
        if scope is not None and sd.id not in scope:
            continue
        for lv in ed.levels:
            for it in sd.industry_types:
                n = count[(sd.id, lv.n, it.value)]
                if n < 2:
                    out.append((sd.id, lv.n, it.value, n))
    return out


def scope_from_env(ed: MaturityEdition, raw: str | None = None) -> set[str] | None:
    """The sub-domains of ``ed`` named by CRITERIA_SPECIFICITY_SUBDOMAINS (None: the whole edition)."""
    if raw is None:
        raw = os.environ.get("CRITERIA_SPECIFICITY_SUBDOMAINS", "")
    entries = [e.strip() for e in raw.split(",") if e.strip()]
    if not entries:
        return None
    scope: set[str] = set()
    for entry in entries:
        edition, _, sd = entry.rpartition(":")
        if edition and edition not in REWRITTEN:
            raise ValueError(f"CRITERIA_SPECIFICITY_SUBDOMAINS: {edition} is not one of {', '.join(REWRITTEN)}")
        if edition and edition != ed.id:
            continue
        if sd in ed.subdomains:
            scope.add(sd)
        elif edition:
            raise ValueError(f"CRITERIA_SPECIFICITY_SUBDOMAINS: {edition} has no sub-domain {sd}")
    unknown = {
        e for e in entries if ":" not in e and not any(e in load_maturity_cached(x, CRITERIA).subdomains for x in REWRITTEN)
    }
    if unknown:
        raise ValueError(f"CRITERIA_SPECIFICITY_SUBDOMAINS names unknown sub-domains: {', '.join(sorted(unknown))}")
    return scope


# -- the measure itself ---------------------------------------------------------------------------


def test_a_noun_swapped_template_shares_a_skeleton():
    a = normalise("能源消耗数据实现电子化采集与存储，并在本业务范围内共享使用。", {"能源管理", "采购"})
    b = normalise("采购订单与供应商数据实现电子化采集与存储，并在本业务范围内共享使用。", {"能源管理", "采购"})
    assert skeleton_similarity(a, b) >= SKELETON_THRESHOLD
    long_slot = normalise("装备运行与工艺参数数据实现电子化采集与存储，并在本业务范围内共享使用。", set())
    short_slot = normalise("订单数据实现电子化采集与存储，并在本业务范围内共享使用。", set())
    assert skeleton_similarity(long_slot, short_slot) >= 0.9


def test_statements_written_for_their_subject_do_not():
    a = normalise(
        "实时数据库按位号采集 DCS、PLC 工艺数据，关键工艺参数至少保存一个检修周期，可按位号回查趋势。", {"数据", "采购"}
    )
    b = normalise("原料进厂计量（地磅、流量计）与取样编码自动取数，计量数据直接用于结算对账。", {"数据", "采购"})
    assert skeleton_similarity(a, b) < SKELETON_THRESHOLD
    assert skeleton_similarity("", b) == 0.0


def test_sub_domain_names_are_removed_before_comparing():
    assert normalise("采购管理在 ERP 中进行。", {"采购"}) == "管理在ERP中进行"


def test_calibration_on_maturity_2020():
    """The measure finds what the issue reports for the old edition: about 90 % templated, 22 boilerplate hints."""
    ed = load_maturity("maturity/2020", CRITERIA)
    share, _ = skeleton_share(ed)
    assert 0.85 <= share <= 0.95
    assert len(repeated_evidence(ed)) == 22


# -- the rewritten editions -------------------------------------------------------------------------


@pytest.fixture(scope="module", params=REWRITTEN)
def rewritten(request):
    ed = load_maturity(request.param, CRITERIA)
    return ed, scope_from_env(ed)


def test_the_scope_names_sub_domains_per_edition():
    draft = load_maturity("maturity/2024-draft-r2", CRITERIA)
    in_force = load_maturity("maturity/2020-r2", CRITERIA)
    assert scope_from_env(draft, "") is None
    assert scope_from_env(draft, "data,lean_management") == {"data", "lean_management"}
    assert scope_from_env(in_force, "data,lean_management") == {"data"}  # 2020 has no lean_management
    assert scope_from_env(in_force, "maturity/2024-draft-r2:lean_management") == set()
    with pytest.raises(ValueError, match="unknown sub-domains: no_such"):
        scope_from_env(draft, "data,no_such")
    with pytest.raises(ValueError, match="has no sub-domain personnel_skills"):
        scope_from_env(draft, "maturity/2024-draft-r2:personnel_skills")


def test_at_most_a_tenth_of_the_statements_share_a_skeleton(rewritten):
    ed, scope = rewritten
    share, hits = skeleton_share(ed, scope)
    assert share <= SHARE_TARGET, f"{share:.1%} share a skeleton; worst: {hits[:10]}"


def test_no_evidence_hint_is_repeated_in_three_sub_domains(rewritten):
    ed, scope = rewritten
    assert repeated_evidence(ed, scope) == {}


def test_every_cell_has_two_requirements_per_industry_type(rewritten):
    ed, scope = rewritten
    assert thin_cells(ed, scope) == []


def main(argv: list[str]) -> None:
    edition = argv[1] if len(argv) > 1 else REWRITTEN[-1]
    ed = load_maturity(edition, CRITERIA)
    scope = set(argv[2].split(",")) if len(argv) > 2 else None
    share, hits = skeleton_share(ed, scope)
    n = len(best_partners(ed, scope))
    print(f"{edition}: {len(hits)} of {n} statements share a skeleton ({share:.1%}), threshold {SKELETON_THRESHOLD}")
    for i, w, v in hits[:15]:
        print(f"  {v:.2f} {i} ~ {w}")
    rep = repeated_evidence(ed, scope)
    print(f"evidence hints in >= {EVIDENCE_MAX_SUBDOMAINS + 1} sub-domains: {len(rep)}")
    print(f"cells with < 2 requirements for an industry type: {len(thin_cells(ed, scope))}")


if __name__ == "__main__":
    main(sys.argv)
