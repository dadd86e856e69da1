"""Chart labels are literal text: a name with dollar signs is never parsed as mathtext (it used to crash the chart)."""

from __future__ import annotations

import re

import pytest
from matplotlib import pyplot as plt

from reports import charts
from reports.fonts import setup_matplotlib

NAMES = ["Plant $^$", r"$\alpha$ 工厂", "a $ b $ c", "价格 $5 和 $6"]


def svg_text(svg: bytes) -> str:
    """Everything the SVG writes as <text> (with svg.fonttype none every label is a text element)."""
    import html

    return html.unescape(" ".join(re.findall(r"<text[^>]*>(.*?)</text>", svg.decode(), flags=re.S)))


@pytest.fixture
def text_svg():
    setup_matplotlib()  # registered first, outside the context below, so the fonts settings outlive it
    with plt.rc_context({"svg.fonttype": "none"}):
        yield


@pytest.mark.parametrize("label", NAMES)
def test_every_chart_shows_dollar_names_as_typed(label, text_svg):
    charts_svg = [
        charts.trend(["2023", label], [2.1, 3.4], [2, 3], title=f"{label} 总分趋势", fmt="svg"),
        charts.radar([label, "b", "c"], {label: [1, 2, 3], "B": [2, 2, 2]}, title=label, fmt="svg"),
        charts.level_bars([label, "二级"], [0.5, 0.9], [False, True], title=label, fmt="svg"),
        charts.subdomain_bars([label, "数据"], [1.5, 2.0], title=label, fmt="svg"),
    ]
    for svg in charts_svg:
        assert label in svg_text(svg)


def test_png_trend_with_unbalanced_mathtext_renders():
    png = charts.trend(["2023", "2024"], [1.2, 2.3], [1, 2], title="Plant $^$ 总分趋势")
    assert png.startswith(b"\x89PNG")


def test_charts_leave_the_global_settings_alone():
    import matplotlib

    charts.trend(["x"], [1.0], [1], title="$x$")
    assert matplotlib.rcParams["text.parse_math"] is True  # the charts change nothing global


def test_charts_are_kept_by_content(monkeypatch):
    """The same chart asked again is the same bytes without drawing; other values, another format or other settings
    (SVG text as text, not paths) draw anew."""
    charts.clear_cache()
    first = charts.level_bars(["一级", "二级"], [0.9, 0.5], [True, False], title="各等级得分", fmt="svg")
    assert charts.level_bars(["一级", "二级"], [0.9, 0.5], [True, False], title="各等级得分", fmt="svg") is first
    other = charts.level_bars(["一级", "二级"], [0.9, 0.6], [True, False], title="各等级得分", fmt="svg")
    assert other != first and other.startswith(b"<?xml")
    assert charts.level_bars(["一级", "二级"], [0.9, 0.5], [True, False], title="各等级得分", fmt="png").startswith(b"\x89PNG")
    setup_matplotlib()
    with plt.rc_context({"svg.fonttype": "none"}):
        as_text = charts.level_bars(["一级", "二级"], [0.9, 0.5], [True, False], title="各等级得分", fmt="svg")
    assert as_text is not first and "各等级得分" in svg_text(as_text)
    monkeypatch.setattr(charts, "CACHE_SIZE", 3)  # the oldest go first
    for i in range(5):
        charts.level_bars(["一级"], [i / 100], [False], fmt="svg")
    assert len(charts._cache) == 3 and first not in charts._cache.values()
