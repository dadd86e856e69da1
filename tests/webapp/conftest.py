"""AppTest fixtures: the real app on a fresh database, once on SQLite and once on PostgreSQL (a fresh schema)."""

from __future__ import annotations

import logging
import uuid

import pytest
from dbhelp import PG_URL, require_pg
from sqlalchemy import create_engine, text
from streamlit.runtime.scriptrunner_utils import script_run_context
from streamlit.runtime.state import session_state_proxy

from assessment.config import get_settings
from assessment.store.db import make_engine

# The tests read session state and call the app's cached backend from the test thread, and AppTest formats widget
# values there (the pages' format_func read the language from the session): outside a script run ("bare mode")
# Streamlit logs that this "can be ignored", hundreds of times. A filter, because Streamlit resets its loggers'
# levels whenever it re-reads its config.
for _module in (script_run_context, session_state_proxy):
    logging.getLogger(_module.__name__).addFilter(lambda r: r.levelno > logging.WARNING)


@pytest.fixture(params=["sqlite", "postgresql"])
def app_env(request, tmp_path, monkeypatch):
    """Every page test runs on both databases; the app's cached backend is dropped after each test."""
    from ui import services
    from ui.services import _backend

    schema = admin = None
    monkeypatch.setenv("SFA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("SFA_DATABASE_URL", raising=False)
    if request.param == "sqlite":
        monkeypatch.delenv("DATABASE_URL", raising=False)
    else:
        require_pg()
        schema = f"app_{uuid.uuid4().hex[:10]}"
        admin = create_engine(PG_URL)
        with admin.begin() as c:
            c.execute(text(f'CREATE SCHEMA "{schema}"'))
        monkeypatch.setenv("DATABASE_URL", f"{PG_URL}?options=-csearch_path%3D{schema}")
    engines = []  # every engine the app's backend makes during the test: disposed after it, no connection outlives it

    def recorded_engine(*args, **kwargs):
        engines.append(make_engine(*args, **kwargs))
        return engines[-1]

    monkeypatch.setattr(services, "make_engine", recorded_engine)
    get_settings.cache_clear()
    _backend.clear()
    try:
        yield tmp_path
    finally:
        for engine in engines:
            engine.dispose()
        get_settings.cache_clear()
        _backend.clear()
        if schema:
            with admin.begin() as c:
                c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
