"""Tier and declaration cases as data: an example profile, a patch, the expected tier, eligibility and failing rules."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from paths import CASES, CRITERIA, ROOT

from assessment.profile import parse_profile
from assessment.registry import evaluate_profile
from assessment.rules import IN_PRINCIPLE_WARNING

TIER_CASES = sorted(CASES.glob("smart_factory_*/*.yaml"))
DECL_CASES = sorted(CASES.glob("declarations/*.yaml"))


def test_cases_were_found():
    assert len(TIER_CASES) >= 20 and len(DECL_CASES) >= 10


def merge(base, patch):
    """Deep-merge a patch into a profile document; None deletes a key, lists replace."""
    out = copy.deepcopy(base)
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        elif isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = merge(out[k], v)
        else:
            out[k] = v
    return out


def load_case(path: Path):
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    base_path = ROOT / case["base"]
    doc = merge(yaml.safe_load(base_path.read_text(encoding="utf-8")), case.get("patch") or {})
    if doc.get("maturity", {}).get("answers_file"):
        doc["maturity"]["answers_file"] = str(base_path.parent / doc["maturity"]["answers_file"])
    return case, parse_profile(doc, case["name"])


@pytest.mark.parametrize("path", TIER_CASES, ids=[f"{p.parent.name}/{p.stem}" for p in TIER_CASES])
def test_tier_case(path: Path):
    case, profile = load_case(path)
    res = evaluate_profile(profile, root=CRITERIA).tiers
    exp = case["expect"]
    assert res.tier == exp["tier"], f"{case['name']}: {[(t, [r.rule for r in s.reasons]) for t, s in res.tiers.items()]}"
    for tier, e in (exp.get("tiers") or {}).items():
        st = res.tiers[tier]
        assert st.met == e["met"], f"{case['name']}: {tier}"
        if "failing" in e:
            assert sorted(r.rule for r in st.reasons) == sorted(e["failing"]), f"{case['name']}: {tier}"
        for r in st.reasons:  # every "not met" carries something a reviewer can act on
            assert r.message_zh and r.message_en and r.reference and r.required is not None
    for tier, rules in (exp.get("advisories") or {}).items():
        assert set(rules) <= {a.rule for a in res.tiers[tier].advisories}
    for tier, rules in (exp.get("in_principle") or {}).items():  # 原则上: advisory with the warning, never a reason
        warned = [a for a in res.tiers[tier].advisories if a.in_principle]
        assert sorted(a.rule for a in warned) == sorted(rules), f"{case['name']}: {tier}"
        assert all(a.detail.startswith(IN_PRINCIPLE_WARNING) and not a.gating for a in warned)
        assert not any(r.in_principle for r in res.tiers[tier].reasons)
    if "catalogue_note" in exp:  # a stand-in catalogue is named on the result and on every dimension check
        assert exp["catalogue_note"] in res.catalogue_note
        dims = [c for st in res.tiers.values() for c in st.checks if c.kind == "dimensions"]
        assert dims and all(exp["catalogue_note"] in c.detail for c in dims)
    if "ai_share" in exp:
        assert res.ai_share == pytest.approx(exp["ai_share"])
    if "maturity_level" in exp:
        assert res.maturity_level == exp["maturity_level"]


@pytest.mark.parametrize("path", DECL_CASES, ids=[p.stem for p in DECL_CASES])
def test_declaration_case(path: Path):
    case, profile = load_case(path)
    res = evaluate_profile(profile, declarations="declarations/2021-2025", root=CRITERIA).declarations
    exp = case["expect"]
    if "size_class" in exp:
        assert res.size_class == exp["size_class"]
    for pid, e in exp["programmes"].items():
        st = res.programmes[pid]
        assert st.met == e["met"], f"{case['name']}: {pid}: {[r.rule for r in st.reasons]}"
        if "failing" in e:
            assert sorted(r.rule for r in st.reasons) == sorted(e["failing"]), f"{case['name']}: {pid}"
        if "quota" in e:
            assert st.quota.value == e["quota"], f"{case['name']}: {pid}"
        for key in ("deadline", "recommender_deadline"):
            if key in e:
                assert getattr(st, key) == e[key], f"{case['name']}: {pid}: {key}"
        if "advisories" in e:
            assert set(e["advisories"]) <= {a.rule for a in st.advisories}, f"{case['name']}: {pid}"
