"""CJK fonts from the pip package pylopdf-fonts-zh-cn, registered once for matplotlib (and typst)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path


class FontError(RuntimeError):
    pass


@lru_cache(maxsize=1)
def font_paths() -> dict[str, Path]:
    try:
        import pylopdf_fonts_zh_cn as zh
    except ImportError as exc:  # pragma: no cover - a dependency of the project
        raise FontError("CJK font package pylopdf-fonts-zh-cn is not installed") from exc
    paths = {"sans": Path(zh.sans_path()), "serif": Path(zh.serif_path())}
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

    for p in font_paths().values():
        fm.fontManager.addfont(str(p))
    plt.rcParams.update(
        {
            "font.family": "sans-serif",
            "font.sans-serif": ["Noto Sans SC"],
            "axes.unicode_minus": False,
            "svg.fonttype": "path",
        }
    )
