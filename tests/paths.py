"""Paths shared by the tests (imported by name; conftest modules are not importable by name)."""

from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CRITERIA = ROOT / "criteria"
MINI = HERE / "fixtures" / "mini"
CASES = HERE / "cases"
OUTPUT = ROOT / "test-output"
