"""Two processes that start on the same empty database at once (two app servers, or the app and the command line) both
migrate it: both succeed, and the schema is at head once, on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

from dbhelp import PG_URL, require_pg
from sqlalchemy import create_engine, inspect, text

from assessment.store.db import alembic_config, make_engine

ROOT = Path(__file__).resolve().parents[2]
# each process waits for the go file, then migrates: both start the upgrade within milliseconds of each other
MIGRATE = """
import os, sys, time
from assessment.store.db import make_engine, upgrade
url, go, schema = sys.argv[1], sys.argv[2], sys.argv[3]
kwargs = {"connect_args": {"options": f"-csearch_path={schema}"}} if schema else {}
engine = make_engine(url, **kwargs)
while not os.path.exists(go):
    time.sleep(0.001)
upgrade(engine)
engine.dispose()
"""


def _head() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def _race(url: str, tmp_path: Path, schema: str = "") -> None:
    go = tmp_path / "go"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", MIGRATE, url, str(go), schema],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    time.sleep(3)  # both processes have imported everything and are waiting
    go.touch()
    outs = [p.communicate(timeout=300) for p in procs]
    for p, (_, err) in zip(procs, outs):
        assert p.returncode == 0, err.decode(errors="replace")[-2000:]


def _assert_at_head(engine) -> None:
    with engine.connect() as c:
        assert c.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [_head()]
    names = set(inspect(engine).get_table_names())
    assert {"assessments", "answers", "result_snapshots", "regions"} <= names
    assert "declarations_edition" in {col["name"] for col in inspect(engine).get_columns("assessments")}


def test_two_processes_migrate_one_empty_sqlite_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    _race(url, tmp_path)
    engine = make_engine(url)
    try:
        _assert_at_head(engine)
    finally:
        engine.dispose()


def test_two_processes_migrate_one_empty_postgresql_schema(tmp_path):
    require_pg()
    schema = f"c_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
    try:
        _race(PG_URL, tmp_path, schema)
        _assert_at_head(engine)
    finally:
        engine.dispose()
        with admin.begin() as c:
            c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
