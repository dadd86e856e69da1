from __future__ import annotations

import os
from pathlib import Path

import pytest

from paths import OUTPUT

os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(scope="session")
def output_dir() -> Path:
    OUTPUT.mkdir(exist_ok=True)
    return OUTPUT
