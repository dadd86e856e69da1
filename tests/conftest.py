from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from dbhelp import PG_URL, require_pg
from paths import OUTPUT
from sqlalchemy import create_engine, text

from assessment.store.db import make_engine, session_factory, upgrade
from assessment.store.evidence import BlobStore

os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(scope="session")
def output_dir() -> Path:
    OUTPUT.mkdir(exist_ok=True)
    return OUTPUT


# -- database fixtures: every test that uses them runs on SQLite and on PostgreSQL (a fresh schema each) --


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path / 'test.db'}")
        upgrade(eng)
        yield eng
        eng.dispose()
        return
    require_pg()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    eng = make_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
    try:
        upgrade(eng)
        yield eng
    finally:
        eng.dispose()
        with admin.begin() as c:
            c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def Session(engine):
    return session_factory(engine)


@pytest.fixture
def store(tmp_path):
    return BlobStore(tmp_path / "evidence")
