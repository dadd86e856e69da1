"""The vectorised batch path: many assessments scored at once with numpy, beside the exact single path.

It passes the same cases as :func:`assessment.maturity.score` (a hypothesis test compares them) and lives apart so that
scoring one assessment, the CLI and the app never import numpy.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Mapping, Sequence

import numpy as np

from .inputs import NA
from .maturity import EPS, Compiled

NOT_ASSESSED = -1.0  # code in the grade matrix for "not assessed"; np.nan means N/A
_BLOCK = 2048  # rows per block on the N/A path (about 3 MB of grades for 200 requirements)


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

    Without N/A answers X is linear (X = grades @ effective weights). With N/A answers the same product, N/A read as
    0, is corrected where an N/A answer changes a mean or leaves a group to renormalise (:func:`_masked_x`); an edition
    whose structure always needs renormalising takes the general path, tier by tier, as the single path does.
    """
    grades = np.asarray(grades, dtype=float)
    if grades.ndim != 2 or grades.shape[1] != len(c.reqs):
        raise ValueError(f"grades must be (N, {len(c.reqs)}), got {grades.shape}")
    sc = c.edition.scoring
    counts_as = float(sc.not_assessed.counts_as)
    linear = _linear_weights(c)
    x: np.ndarray
    if linear is not None:
        x = grades @ linear  # N/A (NaN) propagates: a row of X with NaN is a row with N/A answers
        na_rows = np.isnan(x).any(axis=1)
    if linear is not None and na_rows.any():
        # in blocks of rows: the N/A path's temporaries (mask, zero-filled copy) then stay small and reuse their
        # memory, instead of a fresh copy of the whole matrix (page faults cost more than the arithmetic)
        missing_rows = np.empty(len(grades), dtype=bool)
        for i in range(0, len(grades), _BLOCK):
            x[i : i + _BLOCK], missing_rows[i : i + _BLOCK] = _masked_x(grades[i : i + _BLOCK], c, linear, counts_as)
    else:
        missing_rows = np.fmin.reduce(grades, axis=1) < 0  # rows with unanswered requirements (-1); fmin skips NaN
        val = grades
        if missing_rows.any():
            val = grades[missing_rows]
            val[val == NOT_ASSESSED] = counts_as
        if linear is not None:
            if missing_rows.any():
                x[missing_rows] = val @ linear
        else:
            if missing_rows.any():
                full = grades.copy()
                full[missing_rows] = val
                val = full
            x = _general_x(val, c)
    thr = float(sc.threshold)
    valid = np.asarray(~np.isnan(x).any(axis=1))
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


# ---------------------------------------------------------------------------------------------
# N/A as a sparse correction of the linear path


@dataclass(frozen=True)
class _Tree:
    """The scoring tree as keys per tier, for the masked path: tier 0 is the (level, sub-domain) cells, the top tier
    one root per level. Each key of tier t has a weight and a parent key in tier t + 1; each key of tier t ≥ 1 knows how
    many children it has and, to compute its linear value, its requirement columns and their weights relative to it."""

    cell_of_req: np.ndarray  # (R,) cell of each requirement column
    weight: tuple[np.ndarray, ...]  # per tier t < T: weight of each key in its parent
    parent: tuple[np.ndarray, ...]  # per tier t < T: parent key in tier t + 1
    keys: tuple[int, ...]  # keys per tier, 0..T
    children: tuple[np.ndarray, ...]  # per tier t ≥ 1: number of child keys
    members: tuple[tuple[np.ndarray, np.ndarray], ...]  # per tier t ≥ 1: (K, M) columns and weights, zero-padded
    cell_weight: np.ndarray  # (cells,) a cell's weight in its level's X when nothing above it renormalises


@lru_cache(maxsize=64)
def _tree(c: Compiled, linear_cols: int) -> _Tree:
    seg = _segments(c)
    n_cells = len(seg.starts)
    cell_of_req = np.repeat(np.arange(n_cells), seg.size)
    L = len(c.levels)
    # relative weight of each requirement to its cell: one over the cell's size
    rel = 1.0 / seg.size[cell_of_req]
    level_of_key, node_of_key = seg.level, seg.sub
    key_of_req = cell_of_req
    weights, parents, keys, children, members = [], [], [n_cells], [], []
    for t, tier in enumerate(c.tiers):
        n_par = len(c.tiers[t + 1].ids) if t + 1 < len(c.tiers) else 1
        w = np.asarray([float(x) for x in tier.weight])[node_of_key]
        par_node = np.asarray(tier.parent)[node_of_key]
        parent = level_of_key * n_par + par_node
        weights.append(w)
        parents.append(parent)
        k = L * n_par
        keys.append(k)
        children.append(np.bincount(parent, minlength=k))
        rel = rel * w[key_of_req]
        key_of_req = parent[key_of_req]
        order = np.argsort(key_of_req, kind="stable")
        count = np.bincount(key_of_req, minlength=k)
        width = int(count.max())
        cols, ws = np.zeros((k, width), dtype=np.intp), np.zeros((k, width))
        slot = np.arange(len(order)) - np.repeat(np.cumsum(count) - count, count)
        cols[key_of_req[order], slot] = order
        ws[key_of_req[order], slot] = rel[order]
        members.append((cols, ws))
        level_of_key, node_of_key = np.repeat(np.arange(L), n_par), np.tile(np.arange(n_par), L)
    assert keys[-1] == linear_cols
    cell_weight, up = np.ones(n_cells), np.arange(n_cells)
    for w, parent in zip(weights, parents):
        cell_weight, up = cell_weight * w[up], parent[up]
    return _Tree(cell_of_req, tuple(weights), tuple(parents), tuple(keys), tuple(children), tuple(members), cell_weight)


def _runs(gid: np.ndarray, *values: np.ndarray) -> tuple[np.ndarray, ...]:
    """Sum ``values`` over equal ``gid`` (sorted first unless already): (the distinct gids, the sums…)."""
    if len(gid) > 1 and (gid[1:] < gid[:-1]).any():
        order = np.argsort(gid, kind="stable")
        gid, values = gid[order], tuple(v[order] for v in values)
    starts = np.flatnonzero(np.concatenate(([True], gid[1:] != gid[:-1]))) if len(gid) else np.zeros(0, dtype=np.intp)
    return (gid[starts], *(np.add.reduceat(v, starts) if len(gid) else v[:0] for v in values))


def _masked_x(val: np.ndarray, c: Compiled, linear: np.ndarray, counts_as: float) -> tuple[np.ndarray, np.ndarray]:
    """X_n with N/A answers: the linear path with N/A read as 0, corrected where an N/A answer changes something.

    An N/A answer changes the mean of its (level, sub-domain) cell (fewer answers), and a cell with nothing applicable
    leaves its parent, whose other children are renormalised (weights in a group sum to 1, so the denominator is one
    minus the weights that left). N/A answers are few, so the corrections are computed only for the cells and groups
    they touch, tier by tier up to the root, by sums over runs of those entries; the dense work is the N/A mask, one
    zero-filled copy and the linear product.
    """
    n, n_req = val.shape
    tree = _tree(c, linear.shape[1])
    seg = _segments(c)
    a = np.fmax(val, 0.0)  # N/A (NaN) read as 0, and so is "not assessed" (-1): grades are never negative
    odd = np.flatnonzero(a != val)  # N/A and not-assessed answers (NaN != anything), in row-major order
    is_na = np.isnan(val.ravel()[odd])
    flat = odd[is_na]  # the N/A answers, in row-major order, so their cells come sorted
    unanswered = odd[~is_na]
    missing = np.zeros(n, dtype=bool)
    missing[unanswered // n_req] = True
    if counts_as != 0.0 and len(unanswered):  # "not assessed" counts as something else in this edition
        a.ravel()[unanswered] = counts_as
    x = a @ linear
    n_cells = tree.keys[0]
    cell, na_count = _runs((flat // n_req) * n_cells + tree.cell_of_req[flat % n_req], np.ones(len(flat)))
    row, key = cell // n_cells, cell % n_cells
    size = seg.size[key]
    applicable = size - na_count
    first = row * n_req + seg.starts[key]
    a_flat = a.ravel()
    s = a_flat[first]  # the cell's sum of applicable grades (N/A read as 0); every cell has a first column
    for j in range(1, int(seg.size.max())):  # the next column of every cell (its own last one where it is shorter)
        s += a_flat[first + np.minimum(j, size - 1)] * (j < size)
    absent = applicable == 0
    # the cell's value moves from the linear reading (N/A as 0, divided by all answers) to the mean of what applies
    diff = np.where(absent, 0.0, s / np.maximum(applicable, 1)) - s / size
    # Where no cell of a level is left empty, nothing renormalises: each cell's change reaches that level's X
    # linearly, by the cell's weight. Only the levels of an assessment with an empty cell go up the tree tier by tier.
    n_levels = x.shape[1]
    row_level = row * n_levels + seg.level[key]
    in_full = np.zeros(len(row), dtype=bool)
    if absent.any():
        full = np.zeros(n * n_levels, dtype=bool)
        full[row_level[absent]] = True
        in_full = full[row_level]
    easy = ~in_full
    x += np.bincount(row_level[easy], weights=diff[easy] * tree.cell_weight[key[easy]], minlength=n * n_levels).reshape(
        n, n_levels
    )
    row, key, diff, absent = row[in_full], key[in_full], diff[in_full], absent[in_full]
    for t in range(len(tree.weight)):
        k_par = tree.keys[t + 1]
        w = tree.weight[t][key]
        moved = (diff != 0) | absent  # a cell or group that did not change changes nothing above it
        gid, delta, gone_n, gone_w = _runs(
            row[moved] * k_par + tree.parent[t][key[moved]],
            (w * diff)[moved],
            absent[moved].astype(float),
            np.where(absent, w, 0.0)[moved],
        )
        row, key = gid // k_par, gid % k_par
        absent = gone_n == tree.children[t][key]
        diff = delta
        renorm = np.flatnonzero((gone_n > 0) & ~absent)  # some children left: renormalise over those that stay
        if len(renorm):
            cols, ws = tree.members[t]
            r, kk = row[renorm], key[renorm]
            lin = (a[r[:, None], cols[kk]] * ws[kk]).sum(axis=1)  # its linear value, N/A as 0
            diff[renorm] = (lin + delta[renorm]) / (1.0 - gone_w[renorm]) - lin
        diff[absent] = 0.0  # every child left: the group leaves its parent (its linear value is 0)
    x[row, key] += diff
    x[row[absent], key[absent]] = np.nan  # nothing applies at this level
    return x, missing
