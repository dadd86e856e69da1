"""Dashboard queries, inboxes and the database evidence store, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from wfhelp import REQS, advance, build_world, settings_for, submitted

from assessment import dashboard, records
from assessment import workflow as wf
from assessment.config import Settings
from assessment.store import repository as repo
from assessment.store.blobs import DatabaseBlobStore, make_blob_store
from assessment.store.evidence import BlobStore, EvidenceRejected
from assessment.store.orm import StoredBlob, utcnow
from reports import service

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def kinds(items) -> list[tuple[str, int | None]]:
    return [(i["kind"], i["application_id"]) for i in items]


def test_inboxes_follow_the_workflow(Session, tmp_path):
    w, settings = build_world(Session), settings_for(tmp_path)
    app_id = submitted(Session, w)
    with Session() as s:
        assert kinds(dashboard.inbox(w["admin_zj"], session=s)) == [("assign_experts", app_id)]
        assert dashboard.inbox(w["admin_js"], session=s) == []
        assert dashboard.inbox(w["ent_a"], session=s) == []
    advance(Session, w, app_id, "in_review", settings)
    with Session() as s:
        assert kinds(dashboard.inbox(w["expert1"], session=s)) == [("review", app_id)]
        assert dashboard.inbox(w["expert4"], session=s) == []
        assert dashboard.inbox(w["admin_zj"], session=s) == []
    advance(Session, w, app_id, "consensus", settings)
    with Session() as s:
        (item,) = dashboard.inbox(w["admin_zj"], session=s)
        assert item["kind"] == "consensus" and "1 项分歧待合议" in item["text_zh"]
        assert dashboard.inbox(w["expert1"], session=s) == []
    advance(Session, w, app_id, "site_visit", settings)
    with Session() as s:
        assert kinds(dashboard.inbox(w["expert2"], session=s)) == [("site_visit", app_id)]
    advance(Session, w, app_id, "rectification", settings)
    with Session() as s:
        (item,) = dashboard.inbox(w["ent_a"], session=s)
        assert item["kind"] == "respond_rectification" and item["count"] == 1
        assert dashboard.inbox(w["ent_b"], session=s) == []
        rect_id = wf.rectification_items(w["ent_a"], app_id, session=s)[0]["id"]
    with Session.begin() as s:
        wf.respond_rectification(w["ent_a"], rect_id, "已整改", session=s)
    with Session() as s:
        assert kinds(dashboard.inbox(w["expert3"], session=s)) == [("verify_rectification", app_id)]
        assert dashboard.inbox(w["ent_a"], session=s) == []
    advance(Session, w, app_id, "decision", settings)
    with Session() as s:
        assert kinds(dashboard.inbox(w["admin_zj"], session=s)) == [("decide", app_id)]
    advance(Session, w, app_id, "approved", settings)
    with Session() as s:
        assert kinds(dashboard.inbox(w["admin_zj"], session=s)) == [("issue_certificate", app_id)]
        assert dashboard.inbox(w["sysadmin"], session=s) == []


def test_dashboard(Session, tmp_path):
    w, settings = build_world(Session), settings_for(tmp_path)
    a1 = submitted(Session, w, "A")
    a2 = submitted(Session, w, "B")
    submitted(Session, w, "C")  # another province: never counted
    advance(Session, w, a1, "approved", settings)
    advance(Session, w, a2, "in_review", settings)
    with Session.begin() as s:
        wf.save_grades(w["expert1"], a2, {rid: {"grade": "full"} for rid in REQS[:10]}, session=s)
    with Session() as s:
        board = dashboard.applications_by_status(w["admin_zj"], session=s, now=utcnow() + timedelta(days=3))
        counts = {r["status"]: r["count"] for r in board["statuses"]}
        assert counts["approved"] == 1 and counts["in_review"] == 1 and sum(counts.values()) == 2
        assert all(2.9 < r["age_days"] < 3.1 for r in board["applications"])
        load = {r["username"]: r for r in dashboard.expert_workload(w["admin_zj"], session=s)}
        assert load["expert1"]["open"] == 1 and load["expert1"]["to_submit"] == 1 and load["expert1"]["graded_open"] == 10
        assert load["expert1"]["submitted"] == 1 and load["expert1"]["assigned"] == 2
        ranked = dashboard.approved_ranked(w["admin_zj"], session=s)
        assert [r["id"] for r in ranked] == [a1] and ranked[0]["rank"] == 1 and ranked[0]["score"] > 0
        rec = service.province_recommendation(
            w["admin_zj"],
            "demo_factory_2023",
            session=s,
            recommender="浙江省经信厅",
            region={"kind": "province", "cumulative_provincial_pilots": 120},
        )
        certified = ranked[0]["certified_assessment_id"]
        placed = [a["assessment_id"] for rows in rec["listed"].values() for a in rows] + [
            a["assessment_id"] for a in rec["left_out"]
        ]
        assert placed == [certified] and rec["year"] == 2023 and all(isinstance(q, int) for q in rec["quota"].values())
        xlsx = service.province_recommendation_workbook(
            w["admin_zj"],
            "demo_factory_2023",
            "浙江省经信厅",
            session=s,
            region={"kind": "province", "cumulative_provincial_pilots": 120},
        )
        assert xlsx[:2] == b"PK"
        with pytest.raises(ValueError):
            service.province_recommendation(w["admin_zj"], "nope", session=s)
        cal = dashboard.calibration(w["admin_zj"], session=s)
        assert cal and all(r["applications"] == 1 for r in cal)
        # the consensus lowered one requirement and two experts agreed on the rest: self >= expert everywhere
        assert all(r["difference"] >= 0 for r in cal) and any(r["difference"] > 0 for r in cal)
        assert dashboard.applications_by_status(w["admin_js"], session=s)["applications"][0]["enterprise"] == "C企业"


def test_database_blob_store(engine, Session, tmp_path):
    store = DatabaseBlobStore(engine)
    sha = store.put(PDF)
    assert store.put(PDF) == sha and store.exists(sha) and store.get(sha) == PDF
    with Session() as s:
        assert len(s.scalars(select(StoredBlob)).all()) == 1
    with pytest.raises(EvidenceRejected):
        store.put(PDF, "0" * 64)
    with pytest.raises(FileNotFoundError):
        store.get("1" * 64)
    assert store.sweep() == 0
    store.discard(sha)
    assert not store.exists(sha)
    # evidence added by one app process is served by another on the same database, with no shared files
    w = build_world(Session)
    with Session.begin() as s:
        ev = records.add_evidence(
            w["ent_a"],
            w.assessments["A"],
            REQS[0],
            "记录.pdf",
            PDF,
            session=s,
            store=DatabaseBlobStore(engine),
            max_bytes=1 << 20,
        )
        ev_id = ev.id
    from assessment.store.db import make_engine, session_factory

    kw = {}
    if engine.dialect.name == "postgresql":
        from test_accounts import _search_path

        kw = {"connect_args": {"options": _search_path(engine)}}
    other = make_engine(engine.url.render_as_string(hide_password=False), **kw)
    try:
        with session_factory(other)() as s:
            name, mime, data = records.evidence_content(w["admin_zj"], ev_id, session=s, store=DatabaseBlobStore(other))
        assert (name, mime, data) == ("记录.pdf", "application/pdf", PDF)
    finally:
        other.dispose()
    with Session() as s:  # the export bundle reads the same store
        from assessment.store.bundle import export_bundle

        assert len(export_bundle(w.assessments["A"], session=s, store=DatabaseBlobStore(engine))) > 0
        assert repo.get_assessment(w.assessments["A"], session=s).evidence[0].sha256 == ev.sha256


def test_store_choice(tmp_path, engine):
    pg = "postgresql://u@h/db"
    assert Settings(data_dir=tmp_path, database_url=pg).evidence_in_database
    assert not Settings(data_dir=tmp_path).evidence_in_database
    assert not Settings(data_dir=tmp_path, database_url=pg, evidence_store="filesystem").evidence_in_database
    assert Settings(data_dir=tmp_path, evidence_store="database").evidence_in_database
    assert isinstance(make_blob_store(Settings(data_dir=tmp_path), engine), BlobStore)
    assert isinstance(make_blob_store(Settings(data_dir=tmp_path, evidence_store="database"), engine), DatabaseBlobStore)
