"""CJK fonts from pip packages, registered once for matplotlib (and typst).

- Noto Sans SC and Noto Serif SC (regular) from pylopdf-fonts-zh-cn: all running text and charts;
- Noto Sans CJK (variable weight, from manimgx-fonts-cjk) for titles in real bold (黑体-style headings): no bold
  weight of Noto Serif SC is published on PyPI, and typst sets the variable font at weight 700 and embeds that
  instance (``pdffonts`` lists it under the file's base name, ``NotoSansCJKsc-Thin``, the glyphs are the bold ones).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

BOLD_FAMILY = "Noto Sans CJK SC"  # the family typst sets titles in, at weight "bold"


class FontError(RuntimeError):
    pass


@lru_cache(maxsize=1)
def font_paths() -> dict[str, Path]:
    try:
        import pylopdf_fonts_zh_cn as zh
    except ImportError as exc:  # pragma: no cover - a dependency of the project
        raise FontError("CJK font package pylopdf-fonts-zh-cn is not installed") from exc
    try:
        import manimgx_fonts_cjk as cjk
    except ImportError as exc:  # pragma: no cover - a dependency of the project
        raise FontError("bold CJK font package manimgx-fonts-cjk is not installed") from exc
    bold = Path(cjk.__file__).with_name("NotoSansCJK-VF.otf.ttc")
    paths = {"sans": Path(zh.sans_path()), "serif": Path(zh.serif_path()), "bold": bold}
    for name, p in paths.items():
        if not p.is_file():
            raise FontError(f"CJK {name} font missing at {p}")
    return paths


@lru_cache(maxsize=1)
def setup_matplotlib() -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager as fm
    from matplotlib import pyplot as plt

    for name in ("sans", "serif"):
        fm.fontManager.addfont(str(font_paths()[name]))
    plt.rcParams.update(
        {
            "font.family": "sans-serif",
            "font.sans-serif": ["Noto Sans SC"],
            "axes.unicode_minus": False,
            "svg.fonttype": "path",
        }
    )
