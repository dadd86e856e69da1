"""AppTest fixtures: the real app on a fresh database (SQLite, or PostgreSQL in a fresh schema)."""

from __future__ import annotations

import uuid

import pytest
from dbhelp import PG_URL, require_pg
from sqlalchemy import create_engine, text

from assessment.config import get_settings


@pytest.fixture(params=["sqlite"])
def app_env(request, tmp_path, monkeypatch):
    monkeypatch.setenv("SFA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


@pytest.fixture
def pg_env(tmp_path, monkeypatch):
    require_pg()
    schema = f"app_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL)
    with admin.begin() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    monkeypatch.setenv("SFA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DATABASE_URL", f"{PG_URL}?options=-csearch_path%3D{schema}")
    get_settings.cache_clear()
    yield schema
    get_settings.cache_clear()
    from ui.services import _backend

    _backend.clear()
    with admin.begin() as c:
        c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()
