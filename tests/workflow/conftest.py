"""Workflow tests: the database fixtures of tests/conftest.py (SQLite and PostgreSQL) and a cheaper argon2."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from argon2 import PasswordHasher

sys.path.insert(0, str(Path(__file__).resolve().parent))  # wfhelp


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch):
    """Real argon2id hashes with small parameters: the default ones take most of a second on a loaded machine.
    (Verification reads the parameters from each hash, so the code under test is unchanged.)"""
    from assessment import accounts

    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
