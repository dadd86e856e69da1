"""Start the real app under Streamlit's AppTest."""

from __future__ import annotations

import os

from streamlit.testing.v1 import AppTest

APP = os.path.join(os.path.dirname(__file__), "..", "app.py")


def new_app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=60)
