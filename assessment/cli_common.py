"""What every CLI command group shares: the usage error, the criteria root, JSON output, the database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .config import get_settings


class UsageError(Exception):
    """A bad input file or argument; printed as one line, exit code 2."""


def criteria_root(args) -> Path:
    return Path(getattr(args, "criteria", None) or get_settings().criteria_dir)


def print_json(obj: Any) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=2))


def database():
    """(settings, sessionmaker) for the configured database, migrated. Imported here, not at start-up: commands that
    only read criteria files never load SQLAlchemy."""
    from .store.db import make_engine, session_factory, upgrade

    settings = get_settings()
    engine = make_engine(settings.db_url)
    upgrade(engine)
    return settings, session_factory(engine)
