"""Questionnaire page server-side rerun time with a full maturity/2020 assessment loaded (AppTest),
compared with a minimal Streamlit page run the same way (the framework's own floor)."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "import streamlit as st\nst.title('baseline')\nst.radio('x', [1, 2, 3], key='r')\n"


def _time_runs(at, n: int, change) -> list[float]:
    times = []
    for i in range(n):
        change(at, i)
        t0 = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - t0)
        assert not at.exception, [e.value for e in at.exception]
    return times


def _quiet_bare_mode() -> None:
    """AppTest formats widget values (the pages' format_func, which read the language from the session) in this
    thread, outside a script run; Streamlit then logs "missing ScriptRunContext … can be ignored" hundreds of times.
    A filter, because Streamlit resets its loggers' levels whenever it re-reads its config."""
    import logging

    from streamlit.runtime.scriptrunner_utils import script_run_context
    from streamlit.runtime.state import session_state_proxy

    for module in (script_run_context, session_state_proxy):
        logging.getLogger(module.__name__).addFilter(lambda r: r.levelno > logging.WARNING)


def run(n: int = 15) -> dict:
    from streamlit.testing.v1 import AppTest

    _quiet_bare_mode()

    from assessment.config import get_settings

    data = tempfile.mkdtemp(prefix="sfa-bench-")
    os.environ["SFA_DATA_DIR"] = data
    os.environ.pop("DATABASE_URL", None)
    get_settings.cache_clear()
    from assessment.editions import load_maturity_cached
    from assessment.store import repository as repo
    from ui import state
    from ui.services import backend

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    be = backend()
    ed = load_maturity_cached("maturity/2020")
    with be.Session.begin() as s:
        fac = repo.create_factory(repo.create_enterprise(session=s, name="基准企业").id, "基准工厂", "discrete", session=s)
        a = repo.create_assessment(fac.id, session=s)
        repo.save_answers(
            a.id,
            {r.id: {"grade": "largely", "note": "已实施"} for r in ed.applicable_requirements("discrete")},
            session=s,
            expected_version=a.version,
        )
        aid = a.id
    at.session_state[state.ASSESSMENT_ID] = aid
    at.switch_page("app_pages/assess.py")
    at.run()
    radios = [r for r in at.radio if r.key and r.key.startswith(f"g::{aid}::")]
    assert len(radios) == 10

    def change(at_, i):  # each rerun saves one answer, as a user clicking a grade does
        r = [x for x in at_.radio if x.key and x.key.startswith(f"g::{aid}::")][i % 10]
        r.set_value("full" if i % 2 == 0 else "partial")

    page = _time_runs(at, n, change)
    base_file = Path(data) / "baseline.py"
    base_file.write_text(BASELINE, encoding="utf-8")
    bt = AppTest.from_file(str(base_file), default_timeout=30)
    bt.run()
    base = _time_runs(bt, n, lambda at_, i: at_.radio(key="r").set_value(1 + i % 3))
    med, bmed = statistics.median(page), statistics.median(base)
    return {
        "page": "app_pages/assess.py",
        "requirements_loaded": 200,
        "reruns": n,
        "rerun_median_seconds": round(med, 4),
        "rerun_max_seconds": round(max(page), 4),
        "baseline_median_seconds": round(bmed, 4),
        "ratio_to_baseline": round(med / bmed, 1),
    }
