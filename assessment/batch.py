"""The vectorised batch path: many assessments scored at once with numpy, beside the exact single path.

It passes the same cases as :func:`assessment.maturity.score` (a hypothesis test compares them) and lives apart so that
scoring one assessment, the CLI and the app never import numpy.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Mapping, Sequence

import numpy as np

from .answers import NA
from .maturity import EPS, Compiled

NOT_ASSESSED = -1.0  # code in the grade matrix for "not assessed"; np.nan means N/A


@dataclass(frozen=True)
class BatchResult:
    score: np.ndarray  # (N,) S
    level: np.ndarray  # (N,) by the edition's level rule
    band_level: np.ndarray
    gate_level: np.ndarray
    level_scores: np.ndarray  # (N, L) X_n
    complete: np.ndarray  # (N,) bool
    valid: np.ndarray  # (N,) False where some level had nothing applicable (score is NaN)


def encode(answers: Sequence[Mapping[str, str]], c: Compiled) -> np.ndarray:
    """Grade matrix (N, R) from grade-id mappings: value, NaN for N/A, NOT_ASSESSED for missing."""
    values = {k: float(v) for k, v in c.edition.grade_values().items()}
    values[NA] = np.nan
    index = {rid: i for i, rid in enumerate(c.req_ids)}
    g = np.full((len(answers), len(c.reqs)), NOT_ASSESSED)
    for row, grades in enumerate(answers):
        for rid, gid in grades.items():
            g[row, index[rid]] = values[gid]
    return g


@lru_cache(maxsize=64)
def _linear_weights(c: Compiled) -> np.ndarray | None:
    """(R, L): each requirement's effective weight in X_n when nothing is N/A (None if a
    sub-domain lacks requirements at some level, so weights must always be renormalised)."""
    subs = np.asarray(c.req_sub)
    levels = np.asarray([r.level for r in c.reqs])
    eff_sub = np.ones(len(c.tiers[0].ids))
    idx = np.arange(len(c.tiers[0].ids))
    for tier in c.tiers:
        w = np.asarray([float(x) for x in tier.weight])
        parent = np.asarray(tier.parent)
        eff_sub = eff_sub * w[idx]
        idx = parent[idx]
    out = np.zeros((len(c.reqs), len(c.levels)))
    for li, n in enumerate(c.levels):
        mask = levels == n
        present = np.zeros(len(c.tiers[0].ids), dtype=bool)
        present[subs[mask]] = True
        if not present.all():  # some sub-domain has no requirement at this level: renormalise
            return None
        counts = np.bincount(subs[mask], minlength=len(present))
        out[mask, li] = eff_sub[subs[mask]] / counts[subs[mask]]
    return out


def score_batch(grades: np.ndarray, c: Compiled) -> BatchResult:
    """Score N assessments at once. ``grades`` is (N, R) in ``c.req_ids`` order.

    Rows with no N/A answer take a linear path (X = grades @ effective weights); rows with N/A
    answers renormalise weights tier by tier, as the single path does.
    """
    grades = np.asarray(grades, dtype=float)
    if grades.ndim != 2 or grades.shape[1] != len(c.reqs):
        raise ValueError(f"grades must be (N, {len(c.reqs)}), got {grades.shape}")
    sc = c.edition.scoring
    thr = float(sc.threshold)
    # one pass finds rows with N/A (NaN propagates through min) and rows with missing answers (-1)
    rowmin = grades.min(axis=1)
    na_rows = np.isnan(rowmin)
    missing_rows = rowmin < 0
    if na_rows.any():
        missing_rows[na_rows] = (grades[na_rows] == NOT_ASSESSED).any(axis=1)
    val = grades
    if missing_rows.any():
        val = grades.copy()
        sub = val[missing_rows]
        sub[sub == NOT_ASSESSED] = float(sc.not_assessed.counts_as)
        val[missing_rows] = sub
    linear = _linear_weights(c)
    if linear is not None and not na_rows.any():
        x = val @ linear
    else:
        general = na_rows if linear is not None else np.ones(len(val), dtype=bool)
        x = np.empty((len(val), len(c.levels)))
        if linear is not None:
            x[~general] = val[~general] @ linear
        x[general] = _general_x(val[general], c)
    valid = ~np.isnan(x).any(axis=1)
    passed = x >= thr - EPS
    counted = np.ones_like(passed)
    counted[:, 1:] = np.cumprod(passed[:, :-1], axis=1)
    s = np.where(counted, x, 0.0).sum(axis=1)
    gate = np.cumprod(passed, axis=1).sum(axis=1)
    mins = np.asarray([float(b.min) for b in sc.bands])
    band_levels = np.asarray([b.level for b in sc.bands])
    idx = np.searchsorted(mins, s + EPS, side="right")
    band = np.where(idx > 0, band_levels[np.maximum(idx - 1, 0)], 0)
    level = band if sc.level_rule == "band" else gate
    return BatchResult(
        score=s, level=level, band_level=band, gate_level=gate, level_scores=x, complete=~missing_rows, valid=valid
    )


@dataclass(frozen=True)
class _Segments:
    """The (level, sub-domain) cells as runs of the columns (``compile_model`` orders requirements that way)."""

    starts: np.ndarray  # first column of each cell
    size: np.ndarray  # columns in each cell
    level: np.ndarray  # level index of each cell
    sub: np.ndarray  # sub-domain index of each cell
    tiers: tuple[tuple[np.ndarray, np.ndarray], ...]  # per tier: weights (D,), child→parent one-hot (D, P)


@lru_cache(maxsize=64)
def _segments(c: Compiled) -> _Segments:
    level_of = {n: i for i, n in enumerate(c.levels)}
    keys = [(level_of[r.level], c.req_sub[i]) for i, r in enumerate(c.reqs)]
    assert keys == sorted(keys), "compile_model orders requirements by (level, sub-domain)"
    starts = [i for i, k in enumerate(keys) if i == 0 or k != keys[i - 1]]
    size = np.diff(starts + [len(keys)])
    tiers = []
    for t, tier in enumerate(c.tiers):
        n_par = len(c.tiers[t + 1].ids) if t + 1 < len(c.tiers) else 1
        onehot = np.zeros((len(tier.ids), n_par))
        onehot[np.arange(len(tier.ids)), np.asarray(tier.parent)] = 1.0
        tiers.append((np.asarray([float(w) for w in tier.weight]), onehot))
    return _Segments(
        np.asarray(starts, dtype=np.intp),
        size,
        np.asarray([keys[i][0] for i in starts]),
        np.asarray([keys[i][1] for i in starts]),
        tuple(tiers),
    )


def _general_x(val: np.ndarray, c: Compiled) -> np.ndarray:
    """X_n for rows with N/A answers: weights renormalised over what applies, tier by tier (as the single path does).

    Three passes over the (N, R) grades (N/A mask, zero-filled copy, cell sums); the rest works on (N, L, D) cells.
    """
    seg = _segments(c)
    na = np.isnan(val)
    sums = np.add.reduceat(np.where(na, 0.0, val), seg.starts, axis=1)
    counts = seg.size - np.add.reduceat(na.view(np.uint8), seg.starts, axis=1)  # < 256 requirements per cell
    cur = np.full((len(val), len(c.levels), len(c.tiers[0].ids)), np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        cur[:, seg.level, seg.sub] = sums / counts  # NaN where nothing in the cell applies
        flat = cur.reshape(-1, cur.shape[-1])  # (N·L, D): one matrix product per tier, not one per assessment and level
        for w, onehot in seg.tiers:
            present = ~np.isnan(flat)
            flat = (np.where(present, flat, 0.0) * w) @ onehot / ((present * w) @ onehot)
    return flat.reshape(len(val), len(c.levels))
