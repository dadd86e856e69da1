"""Persistence on SQLite and PostgreSQL: round trips, concurrency, evidence, bundles, migrations."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, inspect, select

from assessment.editions import load_maturity_cached
from assessment.services import evaluation
from assessment.store import bundle as bundles
from assessment.store import repository as repo
from assessment.store.evidence import EvidenceRejected
from assessment.store.orm import AuditLog, Base, Evidence, EvidenceBlob

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
MAX = 1024 * 1024


def make_assessment(session, industry="discrete", credit="91330400MA2B000011"):
    ent = repo.create_enterprise(
        session=session,
        actor="alice",
        name="测试企业",
        credit_code=credit,
        legal_person=True,
        above_scale=True,
        compliance={"good_credit": True, "worst_accident_3y": "none"},
    )
    fac = repo.create_factory(ent.id, "一号工厂", industry, session=session, actor="alice")
    return repo.create_assessment(fac.id, session=session, actor="alice")


def test_migrations_match_models(engine):
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []
    assert "alembic_version" in inspect(engine).get_table_names()


def test_answers_round_trip_and_scoring(Session):
    with Session.begin() as s:
        a = make_assessment(s)
        aid, v = a.id, a.version
    ed = load_maturity_cached("maturity/2020")
    ids = [r.id for r in ed.applicable_requirements("discrete")]
    with Session.begin() as s:
        v2 = repo.save_answers(
            aid,
            {rid: {"grade": 1 if int(rid.split(":")[2][1]) <= 2 else 0} for rid in ids}
            | {ids[0]: {"grade": "na", "note": "不适用：无此业务"}},
            session=s,
            expected_version=v,
            actor="alice",
        )
    assert v2 == v + 1
    with Session() as s:
        a = repo.get_assessment(aid, session=s)
        got = repo.answers_of(a)
        assert len(got) == 200 and got[ids[0]].grade == "na" and got[ids[0]].note == "不适用：无此业务"
        assert a.updated_by == "alice" and a.maturity_edition == "maturity/2020"
        ev = evaluation.evaluate(a)
        assert ev.maturity.score == pytest.approx(2.0) and ev.maturity.level == 2
        assert ev.tiers.maturity_level == 2


def test_concurrent_edit_is_detected(Session):
    with Session.begin() as s:
        a = make_assessment(s)
        aid, v = a.id, a.version
    rid = "gbt39116_2020:data:L1:01"
    # two people load version v; the first saves, the second is told instead of overwriting
    with Session.begin() as s:
        repo.save_answers(aid, {rid: {"grade": 1}}, session=s, expected_version=v, actor="alice")
    with pytest.raises(repo.ConcurrentEditError, match="alice"):
        with Session.begin() as s:
            repo.save_answers(aid, {rid: {"grade": 0}}, session=s, expected_version=v, actor="bob")
    with Session() as s:
        assert repo.answers_of(repo.get_assessment(aid, session=s))[rid].grade == "full"


def test_stale_update_in_a_race_is_refused(Session):
    with Session.begin() as s:
        aid = make_assessment(s).id
    s1, s2 = Session(), Session()
    a1, a2 = repo.get_assessment(aid, session=s1), repo.get_assessment(aid, session=s2)
    v = a1.version
    repo.save_answers(aid, {"gbt39116_2020:data:L1:01": {"grade": 1}}, session=s1, expected_version=v, actor="alice")
    s1.commit()
    with pytest.raises(repo.ConcurrentEditError):
        # s2 passed the version check with its stale copy; the versioned UPDATE catches it
        repo.save_answers(aid, {"gbt39116_2020:data:L1:02": {"grade": 1}}, session=s2, expected_version=v, actor="bob")
    s2.rollback()
    s1.close(), s2.close()
    del a1, a2


def test_interrupted_save_keeps_last_good_state(Session):
    with Session.begin() as s:
        a = make_assessment(s)
        aid, v = a.id, a.version
    with Session.begin() as s:
        v = repo.save_answers(aid, {"gbt39116_2020:data:L1:01": {"grade": 1}}, session=s, expected_version=v)
    with pytest.raises(ValueError):
        with Session.begin() as s:  # the second change is invalid: nothing of this save may land
            repo.save_answers(
                aid,
                {"gbt39116_2020:data:L1:01": {"grade": 0}, "gbt39116_2020:data:L1:02": {"grade": 0.7}},
                session=s,
                expected_version=v,
            )
    with Session() as s:
        a = repo.get_assessment(aid, session=s)
        assert repo.answers_of(a)["gbt39116_2020:data:L1:01"].grade == "full" and a.version == v


def test_unknown_requirement_refused(Session):
    with Session.begin() as s:
        a = make_assessment(s)
        with pytest.raises(ValueError, match="does not apply"):
            repo.save_answers(a.id, {"gbt39116_wd2024:data:L1:01": {"grade": 1}}, session=s, expected_version=a.version)


def test_evidence_content_addressed_and_deduplicated(Session, store):
    with Session.begin() as s:
        a = make_assessment(s)
        e1 = repo.add_evidence(
            a.id, "gbt39116_2020:data:L1:01", "数据管理制度.pdf", PDF, session=s, store=store, max_bytes=MAX, actor="alice"
        )
        e2 = repo.add_evidence(a.id, "gbt39116_2020:data:L1:02", "copy.pdf", PDF, session=s, store=store, max_bytes=MAX)
        aid = a.id
    sha = hashlib.sha256(PDF).hexdigest()
    assert e1.sha256 == e2.sha256 == sha
    assert store.get(sha) == PDF and store.path(sha).name == sha
    assert len(list((store.root).rglob("*"))) == 3  # ab/, ab/cd/, and one file
    with Session() as s:
        assert s.scalar(select(func.count()).select_from(EvidenceBlob)) == 1
        assert s.scalar(select(func.count()).select_from(Evidence).where(Evidence.assessment_id == aid)) == 2
        ev = s.scalar(select(Evidence).where(Evidence.original_name == "数据管理制度.pdf"))
        assert ev.uploaded_by == "alice" and ev.blob.mime == "application/pdf" and ev.blob.size == len(PDF)


@pytest.mark.parametrize(
    "name, data, fragment",
    [
        ("big.pdf", b"%PDF-" + b"x" * (MAX + 1), "过大"),
        ("virus.exe", b"MZ\x90\x00", "不支持的文件类型"),
        ("../../etc/passwd.txt", b"root:x:0:0", "路径"),
        ("dir/file.pdf", PDF, "路径"),
        ("C:evil.pdf", PDF, "路径"),
        ("fake.pdf", PNG, "不符"),
        ("fake.png", b"hello", "不符"),
        ("empty.txt", b"", "为空"),
        ("binary.txt", b"\x00\x01\x02", "不符"),
        ("fake.docx", b"PK\x03\x04" + b"\x00" * 40, "不符"),
    ],
)
def test_refused_uploads(Session, store, name, data, fragment):
    with Session.begin() as s:
        a = make_assessment(s)
        with pytest.raises(EvidenceRejected, match=fragment):
            repo.add_evidence(a.id, None, name, data, session=s, store=store, max_bytes=MAX)
    assert not store.root.exists() or not any(p.is_file() for p in store.root.rglob("*"))


def test_office_and_text_uploads_accepted(Session, store):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    with Session.begin() as s:
        a = make_assessment(s)
        ev = repo.add_evidence(a.id, None, "制度.docx", buf.getvalue(), session=s, store=store, max_bytes=MAX)
        assert ev.blob.mime.endswith("wordprocessingml.document")
        ev = repo.add_evidence(a.id, None, "说明.txt", "中文说明".encode("gb18030"), session=s, store=store, max_bytes=MAX)
        assert ev.blob.mime == "text/plain"


def test_bundle_round_trip(Session, store, tmp_path):
    from assessment.store.evidence import BlobStore

    with Session.begin() as s:
        a = make_assessment(s)
        v = repo.save_answers(
            a.id,
            {"gbt39116_2020:data:L1:01": {"grade": 1, "note": "已建立"}, "gbt39116_2020:data:L1:02": {"grade": "na"}},
            session=s,
            expected_version=a.version,
        )
        v = repo.set_scenarios(a.id, [{"scenario": "sg2025-s01", "name": "规划", "ai": True}], session=s, expected_version=v)
        repo.set_kpis(a.id, {"productivity_up": {"value": 12.5, "period": "2023-2025"}}, session=s, expected_version=v)
        repo.add_evidence(a.id, "gbt39116_2020:data:L1:01", "制度.pdf", PDF, session=s, store=store, max_bytes=MAX)
        aid = a.id
        digest = repo.assessment_digest(repo.get_assessment(aid, session=s))
    with Session() as s:
        bundle = bundles.export_bundle(aid, session=s, store=store)
    # the other installation: a different evidence folder
    other = BlobStore(tmp_path / "other")
    with Session.begin() as s:
        b = bundles.import_bundle(bundle, session=s, store=other, actor="assessor")
        bid = b.id
    with Session() as s:
        b = repo.get_assessment(bid, session=s)
        assert bid != aid and repo.assessment_digest(b) == digest
        assert repo.answers_of(b)["gbt39116_2020:data:L1:01"].note == "已建立"
        assert b.scenarios[0].ai is True and b.kpis[0].value == 12.5
        assert other.get(hashlib.sha256(PDF).hexdigest()) == PDF
        assert b.factory.enterprise.credit_code == "91330400MA2B000011"  # the existing enterprise is reused


def test_tampered_bundle_refused(Session, store):
    with Session.begin() as s:
        a = make_assessment(s)
        repo.add_evidence(a.id, None, "制度.pdf", PDF, session=s, store=store, max_bytes=MAX)
        aid = a.id
    with Session() as s:
        bundle = bundles.export_bundle(aid, session=s, store=store)
    src = zipfile.ZipFile(io.BytesIO(bundle))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.startswith("evidence/"):
                data = data.replace(b"trailer", b"TRAILER")
            z.writestr(info, data)
    with Session.begin() as s:
        with pytest.raises(bundles.BundleError, match="sha256"):
            bundles.import_bundle(out.getvalue(), session=s, store=store)
    with Session.begin() as s:
        with pytest.raises(bundles.BundleError, match="not an assessment bundle"):
            bundles.import_bundle(b"not a zip", session=s, store=store)


def test_snapshot_and_audit_log(Session):
    with Session.begin() as s:
        a = make_assessment(s)
        snap = evaluation.snapshot(a.id, session=s, actor="alice")
        assert snap.level == 0 and snap.tier == "none" and len(snap.digest) == 64
        assert snap.maturity_edition == "maturity/2020" and snap.result["tiers"]["basic"]["met"] is False
    with Session() as s:
        actions = [x.action for x in s.scalars(select(AuditLog).order_by(AuditLog.id))]
        assert actions[:3] == ["create", "create", "create"] and "snapshot" in actions


def test_enterprise_facts_validated(Session):
    with Session.begin() as s:
        with pytest.raises(ValueError, match="worst_accident_3y"):
            repo.create_enterprise(session=s, name="x", compliance={"worst_accident_3y": "huge"})
        with pytest.raises(ValueError, match="name is required"):
            repo.create_enterprise(session=s, name=" ")


def test_status_and_tier_awards(Session):
    with Session.begin() as s:
        a = make_assessment(s)
        repo.set_status(a.id, "submitted", session=s, actor="alice")
        repo.add_tier_award(a.factory_id, "basic", 2024, session=s)
        with pytest.raises(ValueError):
            repo.set_status(a.id, "approved", session=s)
        aid = a.id
    with Session() as s:
        a = repo.get_assessment(aid, session=s)
        assert a.status == "submitted"
        assert evaluation.build_profile(a).tiers_obtained[0].tier == "basic"


def test_kpis_replaced_and_updated(Session):
    with Session.begin() as s:
        a = make_assessment(s)
        v = repo.set_kpis(
            a.id, {"productivity_up": {"value": 10}, "opex_down": {"value": 5}}, session=s, expected_version=a.version
        )
        v = repo.set_kpis(
            a.id, {"productivity_up": {"value": 12, "period": "2024"}, "defect_down": {"value": 3}}, session=s, expected_version=v
        )
        aid = a.id
        with pytest.raises(ValueError, match="unknown KPI"):
            repo.set_kpis(aid, {"happiness": {"value": 1}}, session=s, expected_version=v)
    with Session() as s:
        got = {k.kpi_id: (k.value, k.period) for k in repo.get_assessment(aid, session=s).kpis}
        assert got == {"productivity_up": (12.0, "2024"), "defect_down": (3.0, None)}


def test_remove_evidence_keeps_shared_content(Session, store):
    with Session.begin() as s:
        a = make_assessment(s)
        e1 = repo.add_evidence(a.id, None, "a.pdf", PDF, session=s, store=store, max_bytes=MAX)
        e2 = repo.add_evidence(a.id, None, "b.pdf", PDF, session=s, store=store, max_bytes=MAX)
        repo.remove_evidence(e1.id, session=s, actor="alice")
        aid, keep = a.id, e2.id
    with Session() as s:
        assert [e.id for e in repo.get_assessment(aid, session=s).evidence] == [keep]
        assert store.get(hashlib.sha256(PDF).hexdigest()) == PDF  # still used by b.pdf
        assert s.scalar(select(AuditLog).where(AuditLog.action == "remove_evidence")).detail["name"] == "a.pdf"
    with Session.begin() as s:
        with pytest.raises(LookupError):
            repo.remove_evidence(999999, session=s)


def test_oversized_bundle_refused(Session, store):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("assessment.json", "{}")
        z.writestr("evidence/big", b"\0" * (30 * 1024 * 1024))  # compresses to almost nothing
    with Session.begin() as s:
        with pytest.raises(bundles.BundleError, match="too large"):
            bundles.import_bundle(buf.getvalue(), session=s, store=store, max_bytes=1024 * 1024)


def test_declarations_edition_recorded_and_used(Session, store, tmp_path):
    """An assessment records the declarations edition it was created with and is checked under it, not under whatever
    edition the code defaults to; a bundle carries it to another installation; an unknown edition is refused."""
    import shutil
    from pathlib import Path

    from assessment.editions import DECLARATIONS_EDITION

    root = tmp_path / "criteria"
    shutil.copytree(Path(repo.__file__).resolve().parents[2] / "criteria", root)
    trial = "declarations/2099-trial"
    shutil.copytree(root / DECLARATIONS_EDITION, root / trial)
    for f in (root / trial).glob("*.yaml"):
        f.write_text(f.read_text(encoding="utf-8").replace(DECLARATIONS_EDITION, trial), encoding="utf-8")
    with (root / "editions.yaml").open("a", encoding="utf-8") as f:
        f.write(
            f"  {trial}:\n    kind: declarations\n    title_zh: 试用申报条件\n    title_en: Trial declaration rules\n"
            "    status: draft\n    effective: null\n    predecessor: null\n    source: 测试\n"
        )
    with Session.begin() as s:
        a = make_assessment(s)
        assert a.declarations_edition == DECLARATIONS_EDITION
        b = repo.create_assessment(a.factory_id, session=s, declarations_edition=trial, root=root)
        bid = b.id
        with pytest.raises(KeyError, match="unknown edition"):
            repo.create_assessment(a.factory_id, session=s, declarations_edition="declarations/1999", root=root)
    with Session() as s:
        b = repo.get_assessment(bid, session=s)
        assert b.declarations_edition == trial
        assert evaluation.evaluate(b, root=root).declarations.edition == trial
        digest = repo.assessment_digest(b)
        bundle = bundles.export_bundle(bid, session=s, store=store)
    with Session.begin() as s:
        c = bundles.import_bundle(bundle, session=s, store=store, actor="assessor", root=root)
        assert c.declarations_edition == trial and repo.assessment_digest(c) == digest
