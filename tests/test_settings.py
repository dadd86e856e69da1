"""The one settings object: defaults, environment overrides and the database URL."""

from __future__ import annotations

from pathlib import Path

from assessment.config import Settings


def test_sqlite_by_default_under_the_data_dir(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("SFA_DATA_DIR", str(tmp_path))
    s = Settings()
    assert s.db_url == f"sqlite:///{tmp_path / 'assessment.db'}"
    assert s.keys_dir == Path(tmp_path) / "keys"


def test_database_url_selects_postgresql_with_psycopg(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    assert Settings().db_url == "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    monkeypatch.setenv("DATABASE_URL", "postgres://u@h/db")
    assert Settings().db_url == "postgresql+psycopg://u@h/db"
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u@h/db")
    assert Settings().db_url == "postgresql+psycopg://u@h/db"


def test_upload_limit_and_demo_switch(monkeypatch):
    monkeypatch.setenv("SFA_MAX_UPLOAD_MB", "5")
    monkeypatch.setenv("SFA_LOAD_DEMO", "false")
    s = Settings()
    assert s.max_upload_mb == 5 and s.load_demo is False
