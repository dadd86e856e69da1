"""What every CLI command group shares: the usage error, the criteria root, JSON output, the database."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assessment.config import Settings

SHIPPED_CRITERIA = Path(__file__).resolve().parent.parent / "criteria"


class UsageError(Exception):
    """A bad input file or argument; printed as one line, exit code 2."""


def get_settings() -> Settings:
    """The settings object, imported on first use: the commands that only read criteria files start without loading
    pydantic-settings (a third of a cold start)."""
    from assessment.config import get_settings as settings

    return settings()


def criteria_root(args) -> Path:
    """``--criteria``, else ``SFA_CRITERIA_DIR`` (read as the settings object reads it: any case, from the environment),
    else the shipped criteria."""
    given = getattr(args, "criteria", None)
    if given:
        return Path(given)
    env = {k.upper(): v for k, v in os.environ.items()}
    return Path(env["SFA_CRITERIA_DIR"]) if env.get("SFA_CRITERIA_DIR") else SHIPPED_CRITERIA


def print_json(obj: Any) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=2))


def database():
    """(settings, sessionmaker) for the configured database, migrated. Imported here, not at start-up: commands that
    only read criteria files never load SQLAlchemy."""
    from assessment.store.db import make_engine, session_factory, upgrade

    settings = get_settings()
    engine = make_engine(settings.db_url)
    upgrade(engine)
    return settings, session_factory(engine)
