"""报告 page: the exports another installation needs (signed revocation list, public keys), the trust store panel,
verification as of a date, and the 推荐汇总表 with the call and the recommender's region facts."""

from __future__ import annotations

import json
from datetime import date, timedelta

from apphelp import demo_ids, open_page, shown
from sqlalchemy import select

from assessment.keystore import KeyStore
from assessment.signing import key_id, revocation_signers, sign_revocation_list
from assessment.store.orm import Certificate
from reports import service
from ui import state
from ui.services import backend


def _open(**extra):
    open_page("home")
    ent, fac, aid = demo_ids()
    return open_page("reports", **{state.ENTERPRISE_ID: ent, state.FACTORY_ID: fac, state.ASSESSMENT_ID: aid, **extra}), aid


def test_exports_are_the_signed_list_and_every_public_key(app_env):
    at, _ = _open()
    assert at.download_button(key="rev_dl").label == "导出已签名的撤销列表（JSON）" and at.download_button(key="pem_dl")
    settings = backend().settings
    with backend().Session() as s:  # what the button carries
        doc = service.signed_revocation_list(session=s, settings=settings)
    own = service.keystore(settings).public_keys()
    assert set(revocation_signers(doc, own)) == set(own)


def test_an_installation_without_a_key_offers_no_export_and_says_why(app_env, monkeypatch):
    monkeypatch.setenv("SFA_LOAD_DEMO", "0")
    from assessment.config import get_settings

    get_settings.cache_clear()
    at = open_page("reports")
    assert not at.exception and not [b for b in at.get("download_button")]
    assert any("本机尚无签名密钥" in c.value for c in at.caption)


def test_trust_store_panel_imports_a_key_and_its_signed_revocation_list(app_env, tmp_path):
    other = KeyStore(tmp_path / "other-keys")
    key = other.create()
    pem = other.export_public("某省工业和信息化厅 / Province X industry department")
    at, _ = _open()
    at.file_uploader(key="trust_pem").upload("province.pem", pem.encode(), "application/x-pem-file").run()
    at.button(key="trust_key_btn").click().run()
    assert not at.exception and any("已信任 1 个公钥" in shown(x.value) for x in at.success)
    listed = next(df.value for df in at.dataframe if "签发方" in df.value.columns)
    assert list(listed["签发方"]) == ["某省工业和信息化厅 / Province X industry department"]
    assert list(listed["密钥"]) == [key_id(key.public_key())] and list(listed["撤销列表"]) == ["未导入"]

    rev = sign_revocation_list(
        [
            {
                "number": "SA-2026-ABCDEF12-000001",
                "kid": key_id(key.public_key()),
                "reason": "证据不实",
                "revoked_at": "2026-11-01T00:00:00+00:00",
            }
        ],
        [key],
        issuer="某省",
        issued_at="2026-11-02T00:00:00+00:00",
    )
    at.file_uploader(key="trust_json").upload("revocations.json", json.dumps(rev).encode(), "application/json").run()
    at.button(key="trust_rev_btn").click().run()
    assert not at.exception and any("已导入撤销列表（1 项）" in shown(x.value) for x in at.success)
    listed = next(df.value for df in at.dataframe if "签发方" in df.value.columns)
    assert list(listed["撤销列表"]) == ["签发于 2026-11-02T00:00:00+00:00"]

    forged = dict(rev, revoked=[])  # the signature no longer matches: refused with one message, nothing stored
    at.file_uploader(key="trust_json").upload("forged.json", json.dumps(forged).encode(), "application/json").run()
    at.button(key="trust_rev_btn").click().run()
    assert not at.exception and len(at.error) == 1 and at.error[0].value.startswith("无法导入撤销列表：")
    assert service.truststore(backend().settings).revocation_lists()[key_id(key.public_key())]["revoked"]


def test_verify_as_of_a_date_and_say_what_was_checked(app_env):
    at, aid = _open()
    with backend().Session() as s:
        cert = s.scalars(select(Certificate).where(Certificate.assessment_id == aid)).first()
        payload, until = cert.payload, date.fromisoformat(cert.valid_until)
    at.text_area(key="verify_text").set_value(payload).run()
    at.button(key="verify_btn").click().run()
    assert any(x.value.startswith("VALID") for x in at.success)
    notes = [shown(c.value) for c in at.caption]
    assert any("已核对撤销状态" in n and "本机数据库" in n for n in notes)  # whether and against which list
    at.date_input(key="verify_at").set_value(until + timedelta(days=1)).run()
    at.button(key="verify_btn").click().run()
    assert not at.success and any(e.value.startswith("EXPIRED") for e in at.error)


def test_recommendation_list_with_the_call_and_the_region(app_env):
    at, _ = _open()
    with backend().Session() as s:
        aids = service.latest_assessment_ids(s)
    at.multiselect(key="rec_pick").set_value(aids).run()
    at.selectbox(key="rec_prog").set_value("excellent_scenario_2023").run()
    at.button(key="rec_preview").click().run()  # a province's 2023 quota needs its cumulative provincial pilots
    assert any("省级智能制造试点示范项目累计数量" in e.value for e in at.error)
    at.number_input(key="rec_pilots").set_value(120).run()
    at.button(key="rec_preview").click().run()
    assert not at.exception and not at.error
    plan = at.session_state["rec_plan"]
    preview = next(df.value for df in at.dataframe if "说明" in df.value.columns and "名次" in df.value.columns)
    assert len(preview) == sum(len(v) for v in plan.listed.values()) + len(plan.left_out) == len(aids)
    assert any(c.value.startswith("名额：") for c in at.caption)
    at.button(key="rec_build").click().run()
    assert not at.exception and at.session_state["rec_xlsx"][:2] == b"PK" and at.download_button(key="rec_dl")
