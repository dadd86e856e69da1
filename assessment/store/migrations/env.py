"""Alembic environment: uses the caller's connection, or the URL from the settings object."""

from alembic import context

from assessment.store.orm import Base

config = context.config
target_metadata = Base.metadata


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = config.attributes.get("engine")
    if engine is None:
        from assessment.config import get_settings
        from assessment.store.db import make_engine

        engine = make_engine(get_settings().db_url)
    with engine.begin() as conn:
        _run(conn)


if context.is_offline_mode():  # pragma: no cover
    raise SystemExit("offline migrations are not supported; run against a database")
run_migrations_online()
