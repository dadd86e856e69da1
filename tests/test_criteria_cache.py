"""The compiled-criteria cache: used when nothing changed, renewed when any criteria file changes, never trusted from a
folder others can write, and never in the way (an unusable folder just means no cache)."""

from __future__ import annotations

import os
import shutil

import pytest
from paths import ROOT

from assessment import loader
from assessment.editions import load_maturity
from assessment.tiers import load_tier_edition


@pytest.fixture
def criteria(tmp_path):
    root = tmp_path / "criteria"
    shutil.copytree(ROOT / "criteria", root)
    return root


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv(loader.CACHE_ENV, str(folder))
    return folder


def test_second_load_comes_from_the_cache_and_equals_the_first(criteria, cache):
    first = load_maturity("maturity/2020-r2", criteria)
    entries = sorted(cache.glob("load_maturity-*.pickle"))
    assert len(entries) == 1 and oct(cache.stat().st_mode & 0o777) == "0o700"
    second = load_maturity("maturity/2020-r2", criteria)
    assert second is not first and second.requirement_map.keys() == first.requirement_map.keys()
    assert [r.text_zh for r in second.requirements] == [r.text_zh for r in first.requirements]


def test_a_changed_criteria_file_renews_every_entry(criteria, cache):
    load_tier_edition.cache_clear()
    before = load_tier_edition("smart_factory/2025", criteria)
    path = criteria / "smart_factory" / "2025" / "tiers.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(before.tiers[0].name_zh, "基础级（改）", 1), encoding="utf-8")
    load_tier_edition.cache_clear()
    after = load_tier_edition("smart_factory/2025", criteria)
    assert after.tiers[0].name_zh == "基础级（改）"
    assert len(list(cache.glob("load_tier_edition-*.pickle"))) == 2


def test_a_folder_others_can_write_is_not_used(criteria, cache):
    cache.mkdir()
    os.chmod(cache, 0o777)
    load_maturity("maturity/2020", criteria)
    assert not list(cache.iterdir())


def test_switched_off(criteria, cache, monkeypatch):
    monkeypatch.setenv(loader.CACHE_ENV, "off")
    load_maturity("maturity/2020", criteria)
    assert not cache.exists()


def test_a_broken_entry_is_rebuilt(criteria, cache):
    load_maturity("maturity/2020", criteria)
    (entry,) = cache.glob("load_maturity-*.pickle")
    entry.write_bytes(b"not a pickle")
    assert len(load_maturity("maturity/2020", criteria).requirements) == 200
