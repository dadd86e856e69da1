"""The expert review status of each requirement, as a badge on the questionnaire card (issue 10): from the loaded
edition's data, in the chosen language, with the reviewer, date and comment under it."""

from __future__ import annotations

import shutil

from apphelp import demo_ids, open_page, shown
from paths import CRITERIA

from assessment.config import get_settings
from assessment.editions import load_maturity_cached
from assessment.review import record_reviews
from assessment.schema import Review
from assessment.store import repository as repo
from ui import state
from ui.services import _backend, backend


def _cards(at) -> list[str]:
    return [m.value for m in at.markdown if "-badge[" in m.value]


def _first_ids(aid: int) -> tuple[str, list[str]]:
    with backend().Session() as s:
        a = repo.get_assessment(aid, session=s)
        ed = load_maturity_cached(a.maturity_edition, CRITERIA)
        first = next(iter(ed.subdomains))
        return a.maturity_edition, [r.id for r in ed.applicable_requirements(a.industry_type) if ed.req_subdomain[r.id] == first]


def test_unreviewed_requirements_show_awaiting_review(app_env):
    open_page("home")
    ent, fac, aid = demo_ids()
    _, ids = _first_ids(aid)
    at = open_page("assess", **{state.ENTERPRISE_ID: ent, state.FACTORY_ID: fac, state.ASSESSMENT_ID: aid})
    cards = _cards(at)
    assert len(cards) == len(ids) and all(":gray-badge[待专家审核]" in c for c in cards)
    assert not any("专家审核：" in c.value for c in at.caption)


def test_reviewed_requirements_show_status_reviewer_and_date(app_env, tmp_path, monkeypatch):
    open_page("home")
    ent, fac, aid = demo_ids()
    edition, ids = _first_ids(aid)
    root = tmp_path / "criteria"
    shutil.copytree(CRITERIA, root)
    record_reviews(
        edition,
        {
            ids[0]: Review(status="approved", by="王工", date="2026-11-30"),
            ids[1]: Review(status="changes_requested", by="李工", date="2026-12-01", comment="**写明**范围"),
        },
        root,
    )
    monkeypatch.setenv("SFA_CRITERIA_DIR", str(root))
    get_settings.cache_clear()
    _backend.clear()
    session = {state.ENTERPRISE_ID: ent, state.FACTORY_ID: fac, state.ASSESSMENT_ID: aid}
    at = open_page("assess", **session)
    cards = _cards(at)
    assert ":green-badge[专家已审]" in cards[0] and ":orange-badge[专家：需修改]" in cards[1]
    assert all(":gray-badge[待专家审核]" in c for c in cards[2:])
    captions = [shown(c.value) for c in at.caption]
    assert "专家审核：王工，2026-11-30" in captions
    assert "专家审核：李工，2026-12-01——**写明**范围" in captions  # the comment is text, never Markdown
    at = open_page("assess", **session, **{state.LANG: "en"})
    cards = _cards(at)
    assert ":green-badge[Expert-reviewed]" in cards[0] and ":orange-badge[Expert: changes requested]" in cards[1]
    assert ":gray-badge[Awaiting expert review]" in cards[2]
    assert "Expert review: 李工, 2026-12-01 — **写明**范围" in [shown(c.value) for c in at.caption]
