"""A certificate only for a complete assessment: every applicable requirement answered (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from paths import CRITERIA
from sqlalchemy import func, select

from assessment.config import Settings, get_settings
from assessment.editions import load_maturity_cached
from assessment.services import demo
from assessment.store import repository as repo
from assessment.store.db import make_engine, session_factory, upgrade
from assessment.store.orm import Certificate, Factory
from cli import main
from reports import service


@pytest.fixture
def settings(tmp_path):
    return Settings(data_dir=tmp_path / "data", criteria_dir=CRITERIA)


def _assessment(s, answered: int) -> int:
    """A new assessment of a demo factory with the first ``answered`` applicable requirements answered."""
    demo.load_demo(s)
    fac = s.scalars(select(Factory).order_by(Factory.id)).first()
    a = repo.create_assessment(fac.id, session=s)
    reqs = load_maturity_cached(a.maturity_edition).applicable_requirements(a.industry_type)
    repo.save_answers(a.id, {r.id: {"grade": "full"} for r in reqs[:answered]}, session=s, expected_version=a.version)
    return a.id


def test_incomplete_assessment_is_refused_and_nothing_is_stored(Session, settings):
    with Session.begin() as s:
        aid = _assessment(s, 195)
        before = s.scalar(select(func.count()).select_from(Certificate))
    with Session() as s:
        assert service.completeness(aid, session=s, root=CRITERIA) == (195, 200)
    with pytest.raises(service.IncompleteAssessment, match=r"195/200"):
        with Session.begin() as s:
            service.issue_certificate(aid, session=s, settings=settings)
    with Session() as s:
        assert s.scalar(select(func.count()).select_from(Certificate)) == before


def test_complete_assessment_is_certified(Session, settings):
    with Session.begin() as s:
        aid = _assessment(s, 200)
        cert = service.issue_certificate(aid, session=s, settings=settings, actor="alice")
        assert cert.assessment_id == aid and cert.number.startswith("SA-")


def test_cli_refuses_an_incomplete_assessment(tmp_path, monkeypatch, capsys):
    db = tmp_path / "cli.db"
    monkeypatch.setenv("SFA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{db}")
    get_settings.cache_clear()
    engine = make_engine(f"sqlite:///{db}")
    upgrade(engine)
    with session_factory(engine).begin() as s:
        aid = _assessment(s, 10)
    engine.dispose()
    try:
        out = tmp_path / "cert.pdf"
        assert main(["certificate", "issue", str(aid), "--out", str(out)]) == 2
    finally:
        get_settings.cache_clear()
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "10/200" in err and len(err.splitlines()) == 1
    assert not out.exists()
