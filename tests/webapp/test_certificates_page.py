"""报告 page: the certificate just issued is the one offered; an incomplete assessment cannot be certified."""

from __future__ import annotations

import io

from apphelp import demo_ids, open_page, shown
from pypdf import PdfReader
from sqlalchemy import func, select

from assessment.editions import load_maturity_cached
from assessment.store import repository as repo
from assessment.store.orm import Certificate
from ui import state
from ui.services import backend


def test_the_certificate_just_issued_is_selected_for_pdf_and_download(app_env):
    open_page("home")
    ent, fac, aid = demo_ids()
    at = open_page("reports", **{state.ENTERPRISE_ID: ent, state.FACTORY_ID: fac, state.ASSESSMENT_ID: aid})
    with backend().Session() as s:
        other = s.scalars(select(Certificate.number).where(Certificate.assessment_id != aid)).first()
    at.selectbox(key="cert_pick").set_value(other).run()  # someone looked at another company's certificate
    at.button(key="cert_issue").click().run()
    assert not at.exception
    with backend().Session() as s:
        new = s.scalars(select(Certificate).where(Certificate.assessment_id == aid).order_by(Certificate.id.desc())).first()
        number = new.number
    assert any(f"已签发证书 {number}" in shown(x.value) for x in at.success)
    assert at.selectbox(key="cert_pick").value == number
    at.button(key="cert_render").click().run()
    chosen, _, pdf = at.session_state["cert_pdf"]
    assert chosen == number and at.download_button(key="cert_dl")  # offered for download
    assert number in "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace(" ", "")


def test_an_incomplete_assessment_cannot_be_certified(app_env):
    open_page("home")
    ent, fac, _ = demo_ids()
    with backend().Session.begin() as s:
        a = repo.create_assessment(fac, session=s)
        reqs = load_maturity_cached(a.maturity_edition).applicable_requirements(a.industry_type)
        repo.save_answers(a.id, {r.id: {"grade": "full"} for r in reqs[:195]}, session=s, expected_version=a.version)
        aid = a.id
    with backend().Session() as s:
        before = s.scalar(select(func.count()).select_from(Certificate))
    at = open_page("reports", **{state.ENTERPRISE_ID: ent, state.FACTORY_ID: fac, state.ASSESSMENT_ID: aid})
    button = at.button(key="cert_issue")
    assert button.disabled
    assert any("195/200" in w.value for w in at.warning)
    with backend().Session() as s:
        assert s.scalar(select(func.count()).select_from(Certificate)) == before


def test_a_refused_revocation_says_why_in_the_chosen_language(app_env):
    open_page("home")
    ent, fac, aid = demo_ids()
    for lang, expected in (("zh", "无法撤销：撤销理由不能为空"), ("en", "Cannot revoke: the revocation reason is required")):
        at = open_page("reports", **{state.LANG: lang, state.ENTERPRISE_ID: ent, state.FACTORY_ID: fac, state.ASSESSMENT_ID: aid})
        at.button(key="FormSubmitter:revoke-" + ("撤销" if lang == "zh" else "Revoke")).click().run()
        assert not at.exception
        assert [shown(e.value) for e in at.error] == [expected]  # one line, in one language, no traceback
    with backend().Session() as s:
        assert not repo.revocation_list(session=s)


def test_verify_tab_shows_what_was_checked_and_garbage_gives_one_message(app_env):
    open_page("home")
    ent, fac, aid = demo_ids()
    at = open_page("reports", **{state.ENTERPRISE_ID: ent, state.FACTORY_ID: fac, state.ASSESSMENT_ID: aid})
    with backend().Session() as s:
        payload = s.scalars(select(Certificate.payload).where(Certificate.assessment_id == aid)).first()
    at.text_area(key="verify_text").set_value(payload).run()
    at.button(key="verify_btn").click().run()
    assert any(x.value.startswith("VALID") for x in at.success) and at.caption  # with the notes on what was checked
    at.text_area(key="verify_text").set_value("![x](http://host/x.png) :red[**VALID**]").run()
    at.button(key="verify_btn").click().run()
    assert not at.exception and not at.success
    assert len(at.error) == 1 and "](" not in at.error[0].value and ":red[" not in at.error[0].value
    assert at.button(key="rep_xlsx")  # the tabs after it still render
