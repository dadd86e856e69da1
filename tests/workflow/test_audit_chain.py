"""The hash-chained audit trail on SQLite and PostgreSQL: intact after real work, concurrent writers never fork it,
and `audit verify` names the first bad entry after a row is edited, removed or inserted by hand."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select, text
from test_accounts import _env, cli
from wfhelp import EXPERTS, REQS, build_world, grades_of, settings_for, submitted

from assessment import workflow as wf
from assessment.store import repository as repo
from assessment.store.chain import verify
from assessment.store.orm import Application, AuditLog, ExpertGrade


def entries(Session) -> list[AuditLog]:
    with Session() as s:
        return list(s.scalars(select(AuditLog).order_by(AuditLog.seq)))


def test_chain_links_every_entry(Session):
    build_world(Session)
    rows = entries(Session)
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
    assert rows[0].prev_hash == "0" * 64 and all(b.prev_hash == a.hash for a, b in zip(rows, rows[1:]))
    with Session() as s:
        report = verify(s)
    assert report.ok and report.entries == len(rows) > 20


@pytest.mark.parametrize("edit", ["detail", "actor", "at", "delete_middle", "delete_last", "insert"])
def test_tampering_is_found(engine, Session, tmp_path, edit):
    build_world(Session)
    rows = entries(Session)
    victim = rows[5]
    with engine.begin() as c:
        if edit == "detail":
            c.execute(text("UPDATE audit_log SET detail = :d WHERE id = :i"), {"d": '{"name": "改过的"}', "i": victim.id})
        elif edit == "actor":
            c.execute(text("UPDATE audit_log SET actor = 'someone' WHERE id = :i"), {"i": victim.id})
        elif edit == "at":
            c.execute(text("UPDATE audit_log SET at = :t WHERE id = :i"), {"t": "2020-01-01 00:00:00", "i": victim.id})
        elif edit == "delete_middle":
            c.execute(text("DELETE FROM audit_log WHERE id = :i"), {"i": victim.id})
        elif edit == "delete_last":
            victim = rows[-1]
            c.execute(text("DELETE FROM audit_log WHERE id = :i"), {"i": victim.id})
        elif edit == "insert":  # a forged entry with a made-up hash at the end
            c.execute(
                text(
                    "INSERT INTO audit_log (at, actor, action, entity, entity_id, detail, seq, prev_hash, hash) "
                    "VALUES (:t, 'x', 'create', 'user', '1', '{}', :q, :p, :h)"
                ),
                {"t": "2026-01-01 00:00:00", "q": len(rows) + 1, "p": rows[-1].hash, "h": "f" * 64},
            )
    with Session() as s:
        report = verify(s)
    assert not report.ok
    expected_seq = {"delete_middle": victim.seq + 1, "delete_last": victim.seq - 1, "insert": len(rows) + 1}.get(edit, victim.seq)
    assert report.first_bad_seq == expected_seq, report.message()
    r = cli(_env(engine, tmp_path), "audit", "verify")
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert f"第 {expected_seq} 条" in r.stderr and f"seq {expected_seq}" in r.stderr
    r = cli(_env(engine, tmp_path), "audit", "verify", "--json")
    assert '"ok": false' in r.stdout and f'"first_bad_seq": {expected_seq}' in r.stdout


def test_cli_verify_intact(engine, Session, tmp_path):
    build_world(Session)
    r = cli(_env(engine, tmp_path), "audit", "verify")
    assert r.returncode == 0 and "审计链完整" in r.stdout


def test_concurrent_writers_do_not_fork_the_chain(Session):
    """Eight threads append at the same moment, each in its own transaction with a read first: they queue on the
    chain head, every entry lands and the chain stays one line."""
    barrier, errors = threading.Barrier(8), []

    def writer(i: int) -> None:
        try:
            with Session.begin() as s:
                s.execute(select(AuditLog.id).limit(1)).all()
                barrier.wait(timeout=30)
                for j in range(3):
                    repo.audit(s, f"writer{i}", "test", "thread", i, {"n": j})
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    rows = entries(Session)
    assert len(rows) == 24 and [r.seq for r in rows] == list(range(1, 25))
    with Session() as s:
        assert verify(s).ok


def test_two_experts_saving_at_once(Session, tmp_path):
    """Two experts save all their grades at the same moment: both land in full, nobody's work is lost, the chain
    holds; then the last two submit at once and the application moves to consensus exactly once."""
    w, settings = build_world(Session), settings_for(tmp_path)
    app_id = submitted(Session, w)
    with Session.begin() as s:
        wf.assign_experts(w["admin_zj"], app_id, EXPERTS, session=s, settings=settings)
    with Session.begin() as s:
        wf.save_grades(w["expert1"], app_id, grades_of("expert1"), session=s)
        wf.submit_review(w["expert1"], app_id, session=s)
    barrier, errors = threading.Barrier(2), []

    def expert(name: str, step) -> None:
        try:
            with Session.begin() as s:
                wf.review_sheet(w[name], app_id, session=s)
                barrier.wait(timeout=30)
                step(name, s)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    def run(step) -> None:
        threads = [threading.Thread(target=expert, args=(e, step)) for e in ("expert2", "expert3")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []

    run(lambda name, s: wf.save_grades(w[name], app_id, grades_of(name), session=s))
    with Session() as s:
        for name in ("expert2", "expert3"):
            got = {
                g.requirement_id: g.grade
                for g in s.scalars(
                    select(ExpertGrade).where(ExpertGrade.application_id == app_id, ExpertGrade.expert_id == w[name].user_id)
                )
            }
            assert got == {rid: g["grade"] for rid, g in grades_of(name).items()} and len(got) == len(REQS)
        assert verify(s).ok
    run(lambda name, s: wf.submit_review(w[name], app_id, session=s))
    with Session() as s:
        assert s.get(Application, app_id).status == "consensus"
        moves = s.scalars(select(AuditLog).where(AuditLog.action == "transition", AuditLog.entity_id == str(app_id))).all()
        assert [m.detail["after"] for m in moves] == ["in_review", "consensus"]
        assert verify(s).ok
