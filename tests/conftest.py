from __future__ import annotations

import os
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CRITERIA = ROOT / "criteria"
MINI = HERE / "fixtures" / "mini"
CASES = HERE / "cases"
OUTPUT = ROOT / "test-output"

os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(scope="session")
def output_dir() -> Path:
    OUTPUT.mkdir(exist_ok=True)
    return OUTPUT
