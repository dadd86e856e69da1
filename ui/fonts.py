"""Make the CJK web font available to the browser (static/), copied from the pip font package."""

from __future__ import annotations

import shutil
from pathlib import Path

from reports.fonts import font_paths

STATIC = Path(__file__).resolve().parent.parent / "static"


def ensure_web_font() -> Path:
    target = STATIC / "NotoSansSC-Regular.otf"
    src = font_paths()["sans"]
    if not target.exists() or target.stat().st_size != src.stat().st_size:
        STATIC.mkdir(exist_ok=True)
        tmp = target.with_suffix(".tmp")
        shutil.copyfile(src, tmp)
        tmp.replace(target)
    return target


if __name__ == "__main__":
    print(ensure_web_font())
