"""自评估: each requirement card takes an evidence file itself, through the same checked and audited save as the
page-level uploader; a file is stored once (a rerun or a page switch never hands it over again), a refused file shows
the reason on its card and stores nothing."""

from __future__ import annotations

from apphelp import demo_ids, open_page, shown
from sqlalchemy import select

from assessment.store import repository as repo
from assessment.store.orm import AuditLog, Evidence
from ui import state
from ui.services import backend

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _rows(aid: int) -> list[tuple[str, str]]:
    with backend().Session() as s:
        return [(e.requirement_id, e.original_name) for e in s.scalars(select(Evidence).where(Evidence.assessment_id == aid))]


def _card_uploaders(at, aid: int) -> dict[str, str]:
    """requirement id → the key of its card's uploader, as the page shows them now."""
    prefix = f"ev_card::{aid}::"
    return {w.key.split("::")[2]: w.key for w in at.get("file_uploader") if (w.key or "").startswith(prefix)}


def _new_assessment() -> tuple[int, int, int]:
    ent, fac, _ = demo_ids()
    with backend().Session.begin() as s:
        aid = repo.create_assessment(fac, session=s).id
    return ent, fac, aid


def test_a_card_upload_is_stored_once_and_shown_on_its_card(app_env):
    open_page("home")
    ent, fac, aid = _new_assessment()
    sel = {state.ENTERPRISE_ID: ent, state.FACTORY_ID: fac, state.ASSESSMENT_ID: aid}
    at = open_page("assess", **sel)
    ups = _card_uploaders(at, aid)
    rid = list(ups)[1]  # the second card of the first sub-domain
    assert all(k.endswith("::0") for k in ups.values()) and len(ups) >= 10  # one uploader per card
    at.file_uploader(key=ups[rid]).upload("组织架构图.pdf", PDF, "application/pdf").run()
    assert not at.exception, [e.value for e in at.exception]
    assert _rows(aid) == [(rid, "组织架构图.pdf")]
    assert any("已上传「组织架构图.pdf」" in shown(x.value) for x in at.success)
    assert _card_uploaders(at, aid)[rid].endswith("::1")  # a fresh, empty uploader: the file cannot be handed over again
    assert any("证据（1）" in x.label for x in at.expander)
    assert any("组织架构图.pdf" in shown(c.value) for c in at.caption)

    at.run()  # a rerun, then away to the results page and back
    at.switch_page("app_pages/results.py").run()
    assert not at.exception
    at.switch_page("app_pages/assess.py").run()
    assert not at.exception
    assert _rows(aid) == [(rid, "组织架构图.pdf")]  # exactly one row, after every run
    assert any("组织架构图.pdf" in shown(c.value) for c in at.caption)
    with backend().Session() as s:  # through the audited path
        audits = s.scalars(select(AuditLog).where(AuditLog.action == "add_evidence", AuditLog.entity_id == str(aid))).all()
    assert [a.detail["requirement"] for a in audits] == [rid]


def test_a_refused_card_upload_shows_the_reason_and_stores_nothing(app_env):
    open_page("home")
    ent, fac, aid = _new_assessment()
    at = open_page("assess", **{state.ENTERPRISE_ID: ent, state.FACTORY_ID: fac, state.ASSESSMENT_ID: aid})
    rid, key = next(iter(_card_uploaders(at, aid).items()))
    at.file_uploader(key=key).upload("伪装.pdf", b"this is not a pdf", "application/pdf").run()
    assert not at.exception
    assert any("上传被拒绝" in e.value and "不符" in e.value for e in at.error), [e.value for e in at.error]
    assert _rows(aid) == []
    at.run()
    assert not at.error  # said once, on its card
    assert _rows(aid) == []
