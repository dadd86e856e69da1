"""Engines, sessions and migrations. SQLite by default; PostgreSQL when DATABASE_URL says so."""

from __future__ import annotations

import time
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _private_file(path: Path) -> None:
    """Create the SQLite file's directory (0700) and the file itself (0600) before SQLite does: it holds enterprise
    data. SQLite gives its -wal and -shm files the database file's permissions."""
    import os

    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))


def make_engine(url: str, **kwargs) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1] if "///" in url else ""
        if path and path != ":memory:":
            _private_file(Path(path))
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # pragma: no cover - executed per connection
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            # 32 MB of page cache (the default is 2 MB) and sorts in memory: the portfolio's GROUP BYs over a province
            cur.execute("PRAGMA cache_size=-32000")
            cur.execute("PRAGMA temp_store=MEMORY")
            _wal(cur)
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _wal(cur) -> None:
    """Switch to WAL. SQLite answers "database is locked" at once, without waiting on the busy timeout, when another
    process switches the same new file at the same moment: wait for it a little, as the busy timeout would."""
    import sqlite3

    for attempt in range(300):
        try:
            cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == 299:
                raise
            time.sleep(0.1)


def alembic_config(engine: Engine | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


# the PostgreSQL advisory lock every process takes around its migrations (any fixed 64-bit number; this one spells "SFA mig")
MIGRATION_LOCK = 0x5346_4120_6D69_67
SQLITE_LOCK_WAIT_S = 600  # how long a second process waits for the first one's migration on SQLite


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to ``revision`` (run at start-up; safe to repeat).

    Safe when several processes start on one database at once: each migrates under a lock (a transaction-scoped
    advisory lock on PostgreSQL, the write lock of ``BEGIN IMMEDIATE`` on SQLite), so the first one migrates and the
    others, once it has committed, find the schema at head and have nothing to do.

    On SQLite, Alembic's batch mode rebuilds a table (copy, drop, rename) for some changes. With foreign keys enforced,
    dropping the old ``assessments`` table would cascade and delete every answer, scenario and snapshot, so foreign keys
    are switched off for the migration (SQLite only honours that outside a transaction), every reference is checked
    with ``PRAGMA foreign_key_check`` before the commit, and they are switched on again.
    """
    if engine.dialect.name != "sqlite":
        with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK})  # released at commit
            _upgrade(conn, revision)
        return
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        conn.commit()  # ends SQLAlchemy's autobegun transaction; the PRAGMA itself ran outside any
        try:
            with conn.begin():
                _begin_immediate(conn)
                _upgrade(conn, revision)
                broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"migration left {len(broken)} broken references (first: {tuple(broken[0])}); rolled back")
        finally:
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")
            conn.commit()


def _begin_immediate(conn: Connection) -> None:
    """Take SQLite's write lock before reading the schema version (the driver would begin only at the first write,
    after another process may have read the same old version). A waiting process retries on the connection's busy
    timeout until the migrating one commits."""
    deadline = time.monotonic() + SQLITE_LOCK_WAIT_S
    while True:
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            return
        except OperationalError as exc:
            if "locked" not in str(exc.orig) or time.monotonic() > deadline:
                raise


def _upgrade(conn: Connection, revision: str) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, revision)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
