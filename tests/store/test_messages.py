"""Messages the app shows from the repository read "中文 / English", so ui.i18n.msg() shows the chosen language only."""

from __future__ import annotations

import re

import pytest

from assessment.store import repository as repo
from ui.i18n import halves

CJK = re.compile(r"[\u4e00-\u9fff]")


def _bilingual(text: str) -> bool:
    both = halves(text)
    return both is not None and bool(CJK.search(both[0])) and not CJK.search(both[1])


def test_refusals_are_bilingual(Session):
    with Session.begin() as s:
        e = repo.create_enterprise(session=s, name="消息测试企业")
        f = repo.create_factory(e.id, "一厂", "discrete", session=s)
        aid = repo.create_assessment(f.id, session=s).id
    cases = [
        lambda s: repo.get_assessment(999999, session=s),
        lambda s: repo.update_factory(999999, session=s, expected_version=None, name="x"),
        lambda s: repo.update_factory(f.id, session=s, expected_version=None, industry_type="hybrid"),
        lambda s: repo.set_archived("factory", 999999, True, session=s),
        lambda s: repo.save_answers(aid, {"gbt39116_2020:nope:L1:01": {"grade": "full"}}, session=s),
        lambda s: repo.set_scenarios(aid, [{"scenario": "sg-nope"}], session=s),
        lambda s: repo.set_scenarios(aid, [{"scenario": "custom", "name": "自定义"}], session=s),
        lambda s: repo.set_kpis(aid, {"happiness_up": {"value": 1.0}}, session=s),
        lambda s: repo.remove_evidence(999999, session=s),
        lambda s: repo.get_certificate("SA-2026-NOPE-000001", session=s),
        lambda s: repo.set_build_facts(aid, {"nope": True}, {}, session=s),
        lambda s: repo.set_region("浙江", session=s, expected_version=0, iva_rank=0),
    ]
    for i, case in enumerate(cases):
        with pytest.raises((ValueError, LookupError)) as err, Session.begin() as s:
            case(s)
        assert _bilingual(str(err.value)), (i, str(err.value))
