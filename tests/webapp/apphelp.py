"""Shared pieces of the AppTest page tests: open a page on the demo data, and read Markdown as the browser shows it."""

from __future__ import annotations

import re

from conftest_app import new_app
from sqlalchemy import select

from assessment.store.orm import Assessment, Enterprise, Factory
from ui.services import backend


def demo_ids() -> tuple[int, int, int]:
    """(enterprise, factory, latest assessment) of the demo enterprise 北方重型."""
    with backend().Session() as s:
        ent = s.scalars(select(Enterprise).where(Enterprise.name.like("%北方重型%"))).one()
        fac = s.scalars(select(Factory).where(Factory.enterprise_id == ent.id)).one()
        a = s.scalars(select(Assessment).where(Assessment.factory_id == fac.id).order_by(Assessment.id.desc())).first()
        return ent.id, fac.id, a.id


def open_page(page: str, **session):
    at = new_app()
    at.run()
    for k, v in session.items():
        at.session_state[k] = v
    if page != "home":
        at.switch_page(f"app_pages/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def shown(markdown: str) -> str:
    """What the browser displays for Markdown made by ui.widgets.plain: backslash escapes resolved, word joiners
    invisible (checked in Chromium when plain() was written)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace("\u2060", "")


def texts(at) -> list[str]:
    """The Markdown bodies of every text element the page produced (markdown, captions, alerts, toasts)."""
    out = []
    for kind in ("markdown", "caption", "error", "warning", "info", "success", "toast", "title", "subheader"):
        out += [e.value for e in getattr(at, kind)]
    return out
