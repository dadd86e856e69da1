"""Charts for the app's pages (matplotlib, Agg) with Chinese labels, returned as PNG or SVG bytes. (The report PDF
draws its own charts in typst: templates/charts.typ.)

Missing glyphs are turned into errors: a chart never silently shows tofu boxes. Every label is literal text: names
typed by users (a factory called ``Plant $^$``) are never parsed as mathtext or TeX.

Drawing takes a tenth of a second or more (matplotlib lays out every tick label twice for a tight bounding box), so
each chart is kept by its content: the same chart asked again (the app re-running a page) is the same bytes,
returned without drawing.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import threading
import warnings
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, Callable, Sequence

import numpy as np

from assessment.labels import NOT_APPLICABLE

from .fonts import setup_matplotlib

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

BLUE, GREY, GREEN, RED = "#1f5fa8", "#9aa5b1", "#2e8b57", "#c0392b"
LITERAL_TEXT: dict[RcKeyType, Any] = {"text.parse_math": False, "text.usetex": False}


CACHE_SIZE = 48  # charts kept (a results page has three; an SVG is 50–300 kB)
# the settings that change a chart's bytes besides its arguments (the fonts, SVG text as paths or text, sizes)
KEY_SETTINGS: tuple[RcKeyType, ...] = (
    "svg.fonttype",
    "font.family",
    "font.sans-serif",
    "font.serif",
    "font.size",
    "axes.unicode_minus",
    "savefig.dpi",
)
_cache: OrderedDict[str, bytes] = OrderedDict()
_cache_lock = threading.Lock()


def _content_key(name: str, args: tuple, kwargs: dict) -> str:
    from matplotlib import rcParams

    def plain(x):
        if isinstance(x, np.ndarray):
            return x.tolist()
        if isinstance(x, (np.floating, np.integer)):
            return x.item()
        return repr(x)

    settings = [str(rcParams[k]) for k in KEY_SETTINGS]
    text = json.dumps([name, args, sorted(kwargs.items()), settings], default=plain, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _literal_text(chart: Callable[..., bytes]) -> Callable[..., bytes]:
    """Build and save the chart with mathtext and TeX off, so every title, tick label and legend is shown as typed;
    a chart already drawn with the same arguments is returned from the cache."""

    @functools.wraps(chart)
    def wrapper(*args, **kwargs) -> bytes:
        setup_matplotlib()
        key = _content_key(chart.__name__, args, kwargs)
        with _cache_lock:
            if key in _cache:
                _cache.move_to_end(key)
                return _cache[key]
        from matplotlib import pyplot as plt

        with plt.rc_context(LITERAL_TEXT):
            out = chart(*args, **kwargs)
        with _cache_lock:
            _cache[key] = out
            while len(_cache) > CACHE_SIZE:
                _cache.popitem(last=False)
        return out

    return wrapper


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()


def _render(fig, fmt: str = "png", dpi: int = 120) -> bytes:
    from matplotlib import pyplot as plt

    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*[Gg]lyph.*missing.*")
        fig.savefig(buf, format=fmt, dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


@_literal_text
def radar(
    labels: Sequence[str], series: dict[str, Sequence[float | None]], title: str = "", vmax: float = 5.0, fmt: str = "png"
) -> bytes:
    """Radar chart of domain scores (one polygon per series). A score that does not apply (None: every answer N/A) has
    no point on its axis (the polygon joins the axes that apply) and its label says "—": it is never drawn as 0."""
    setup_matplotlib()
    from matplotlib import pyplot as plt

    n = len(labels)
    angles = np.linspace(0, 2 * np.pi, n, endpoint=False).tolist()
    fig = plt.figure(figsize=(5.2, 5.2))
    ax = fig.add_subplot(polar=True)
    colors = [BLUE, "#e67e22", GREEN, RED]
    for (name, values), color in zip(series.items(), colors):
        pts = [(a, v) for a, v in zip(angles, values) if v is not None]
        a = [p[0] for p in pts] + [p[0] for p in pts[:1]]
        v = [p[1] for p in pts] + [p[1] for p in pts[:1]]
        ax.plot(a, v, color=color, linewidth=2, label=name, marker="o" if len(pts) < n else None, markersize=3)
        ax.fill(a, v, color=color, alpha=0.15)
    na = [all(vals[i] is None for vals in series.values()) for i in range(n)]
    ax.set_xticks(angles)
    ax.set_xticklabels([f"{lab}\n{NOT_APPLICABLE}" if x else lab for lab, x in zip(labels, na)], fontsize=9)
    ax.set_ylim(0, vmax)
    ax.set_yticks(np.arange(1, vmax + 0.01, 1))
    ax.tick_params(axis="y", labelsize=7, colors=GREY)
    if title:
        ax.set_title(title, pad=18, fontsize=12)
    if len(series) > 1:
        ax.legend(loc="upper right", bbox_to_anchor=(1.25, 1.1), fontsize=8)
    return _render(fig, fmt)


@_literal_text
def level_bars(
    labels: Sequence[str],
    values: Sequence[float],
    passed: Sequence[bool],
    threshold: float = 0.8,
    title: str = "",
    fmt: str = "png",
    threshold_label: str = "门槛",
) -> bytes:
    """Per-level scores X1..X5 against the threshold; ``passed``: which reached it (as the scorer decided, exactly)."""
    setup_matplotlib()
    from matplotlib import pyplot as plt

    fig, ax = plt.subplots(figsize=(5.2, 3.0))
    colors = [GREEN if ok else RED for ok in passed]
    ax.bar(labels, values, color=colors)
    ax.axhline(threshold, color=GREY, linestyle="--", linewidth=1)
    ax.text(len(values) - 0.5, threshold + 0.02, f"{threshold_label} {threshold:g}", ha="right", fontsize=8, color=GREY)
    ax.set_ylim(0, 1.05)
    for i, v in enumerate(values):
        ax.text(i, v + 0.02, f"{v:.2f}", ha="center", fontsize=8)
    if title:
        ax.set_title(title, fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    return _render(fig, fmt)


@_literal_text
def subdomain_bars(
    labels: Sequence[str], values: Sequence[float | None], title: str = "", vmax: float = 5.0, fmt: str = "png"
) -> bytes:
    """Horizontal bars of sub-domain scores (sum of counted level scores, 0..5); a sub-domain that does not apply
    (None: every answer N/A) has no bar and reads "—", never 0."""
    setup_matplotlib()
    from matplotlib import pyplot as plt

    h = max(2.5, 0.28 * len(labels) + 0.8)
    fig, ax = plt.subplots(figsize=(6.0, h))
    y = np.arange(len(labels))
    ax.barh(y, [np.nan if v is None else v for v in values], color=BLUE)
    ax.set_yticks(y)
    ax.set_yticklabels(labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, vmax)
    for i, v in enumerate(values):
        ax.text((v or 0) + 0.05, i, NOT_APPLICABLE if v is None else f"{v:.2f}", va="center", fontsize=7)
    if title:
        ax.set_title(title, fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    return _render(fig, fmt)


@_literal_text
def trend(
    dates: Sequence[str],
    scores: Sequence[float],
    levels: Sequence[int],
    title: str = "",
    fmt: str = "png",
    *,
    notes: Sequence[str] | None = None,
    ylabel: str = "总分 S",
) -> bytes:
    """S over time with the level bands; ``notes``: the text at each point (default ``S=1.80（1级）``)."""
    setup_matplotlib()
    from matplotlib import pyplot as plt

    fig, ax = plt.subplots(figsize=(6.0, 3.0))
    for b in (0.8, 1.8, 2.8, 3.8, 4.8):
        ax.axhline(b, color="#e5e8ec", linewidth=1, zorder=0)
    ax.plot(dates, scores, marker="o", color=BLUE)
    for i, (d, s, lv) in enumerate(zip(dates, scores, levels)):
        note = notes[i] if notes is not None else f"S={s:.2f}（{lv}级）"
        ax.annotate(note, (d, s), textcoords="offset points", xytext=(0, 8), ha="center", fontsize=8)
    ax.set_ylim(0, 5.2)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title, fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    return _render(fig, fmt)


@_literal_text
def band_shares(
    bands: Sequence[str],
    groups: Sequence[str],
    shares: Sequence[Sequence[float]],
    references: dict[str, Sequence[float]] | None = None,
    title: str = "",
    fmt: str = "png",
) -> bytes:
    """One panel per level band (e.g. ≤L1, L2, L3, ≥L4): each group's share in that band as a bar (``shares[group][band]``),
    and reference shares (e.g. the published national ones, ``references[label][band]``) as labelled dashed lines."""
    setup_matplotlib()
    from matplotlib import pyplot as plt

    cols = 2 if len(bands) > 2 else len(bands)
    rows = -(-len(bands) // cols)
    width = max(7.0, min(10.0, 3.0 + 0.16 * len(groups) * cols))
    fig, axes = plt.subplots(rows, cols, figsize=(width, 2.6 * rows + 1.4), squeeze=False, sharex=True, sharey=True)
    line_styles = [(GREY, "--"), (RED, ":"), (GREEN, "-."), ("#e67e22", "--")]
    x = np.arange(len(groups))
    rotate = len(groups) > 6
    for k, band in enumerate(bands):
        ax = axes[k // cols][k % cols]
        ax.bar(x, [s[k] for s in shares], color=BLUE)
        for (label, ref), (color, style) in zip((references or {}).items(), line_styles):
            ax.axhline(ref[k], color=color, linestyle=style, linewidth=1.2, label=label)
        ax.set_title(band, fontsize=10)
        ax.tick_params(labelsize=7)
        ax.spines[["top", "right"]].set_visible(False)
    axes[0][0].set_ylim(0, 1.0)
    axes[0][0].set_yticks([0, 0.25, 0.5, 0.75, 1.0], ["0%", "25%", "50%", "75%", "100%"])
    for ax in axes[-1]:
        ax.set_xticks(x, list(groups), fontsize=7, rotation=60 if rotate else 0, ha="right" if rotate else "center")
    for k in range(len(bands), rows * cols):
        axes[k // cols][k % cols].set_visible(False)
    height = fig.get_figheight()
    top = 0.2  # inches above the panels: a line for the title, a line for the legend
    if title:
        fig.suptitle(title, fontsize=11, x=0.01, y=1 - 0.1 / height, ha="left", va="top")
        top += 0.3
    if references:
        handles, labels = axes[0][0].get_legend_handles_labels()
        fig.legend(
            handles,
            labels,
            loc="upper left",
            bbox_to_anchor=(0.005, 1 - (top - 0.05) / height),
            fontsize=8,
            ncol=len(labels),
            frameon=False,
        )
        top += 0.3
    fig.subplots_adjust(
        top=1 - (top + 0.25) / height, bottom=(1.0 if rotate else 0.4) / height, hspace=0.35, wspace=0.08, left=0.06, right=0.99
    )
    return _render(fig, fmt)
